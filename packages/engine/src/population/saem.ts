import { DosetwinError } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { Expr, ModelIR } from '../model/ir.ts';
import { cholesky } from '../estimate/linalg.ts';
import { MapObjective } from '../estimate/objective.ts';
import { streamSeed } from '../ml/seeds.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator, type SimulatorOptions } from '../simulate/simulator.ts';
import { addExact, type ExactSum, exactValue, mergeExact } from './exact-sum.ts';
import { assemble, type PopFit, type PopFitOptions } from './fit.ts';
import { FoceiObjective, type FoceiOptions } from './focei.ts';
import { modelWith, type ParameterSpace, parameterSpace, type PopulationParameters } from './parameters.ts';

/** How an eta enters its parameter: ϕ = μ + η with θ = e^μ (`log`: P = θ·exp(η)) or θ = μ (`identity`). */
export interface MuReference {
  eta: number;
  theta: number;
  transform: 'log' | 'identity';
}

const isRef = (e: Expr, names: ReadonlySet<string>): string | null =>
  e.k === 'ref' && names.has(e.name) ? e.name : null;

/**
 * The mu-referencing of each eta: its parameter written `P = θ·exp(η)` (or `exp(η)·θ`), `exp(θ + η)`
 * or `θ + η` in one assignment, θ a model parameter. SAEM estimates θ as the mean of the individual
 * ϕ = μ + η (a closed-form M-step); an eta entering otherwise has no such θ.
 */
export function muReferences(ir: ModelIR): (MuReference | null)[] {
  const etaNames = new Set(ir.etas.map((e) => e.name));
  const thetaNames = new Set(ir.parameters.map((p) => p.name));
  const out: (MuReference | null)[] = ir.etas.map(() => null);
  const record = (eta: string, theta: string, transform: MuReference['transform']): void => {
    const k = ir.etas.findIndex((e) => e.name === eta);
    if (out[k]) return;
    out[k] = { eta: k, theta: ir.parameters.findIndex((p) => p.name === theta), transform };
  };
  for (const s of ir.statements) {
    if (s.k !== 'assign') continue;
    const e = s.expr;
    if (e.k === 'bin' && e.op === '*') {
      for (const [a, b] of [
        [e.a, e.b],
        [e.b, e.a],
      ] as const) {
        const th = isRef(a, thetaNames);
        const eta =
          b.k === 'call' && b.fn === 'exp' && b.args.length === 1 ? isRef(b.args[0], etaNames) : null;
        if (th && eta) record(eta, th, 'log');
      }
    } else if (e.k === 'call' && e.fn === 'exp' && e.args.length === 1) {
      const a = e.args[0];
      if (a.k === 'bin' && a.op === '+') {
        const th = isRef(a.a, thetaNames) ?? isRef(a.b, thetaNames);
        const eta = isRef(a.a, etaNames) ?? isRef(a.b, etaNames);
        if (th && eta) record(eta, th, 'identity');
      }
    } else if (e.k === 'bin' && e.op === '+') {
      const th = isRef(e.a, thetaNames) ?? isRef(e.b, thetaNames);
      const eta = isRef(e.a, etaNames) ?? isRef(e.b, etaNames);
      if (th && eta) record(eta, th, 'identity');
    }
  }
  return out;
}

/** Stream key of SAEM's Markov chains (apart from the ML pipeline's and the trials'). */
const SAEM_STREAM = 0x5ae;

/** Options of SAEM. */
export interface SaemOptions extends PopFitOptions {
  /** Seed of the MCMC (default 1). */
  seed?: number;
  /** Exploration iterations, step 1 (default 200). */
  explore?: number;
  /** Smoothing iterations, step 1/k (default 200). */
  smooth?: number;
  /**
   * Markov chains per subject, their statistics averaged (default ⌈50/N⌉, Monolix's rule: with few
   * subjects one draw per subject makes the estimates noisy).
   */
  chains?: number;
  /** Iterations of each MCMC kernel per SAEM iteration (default [2, 2, 2]: prior, per-component, block). */
  kernels?: readonly [number, number, number];
  /**
   * Who runs the E-step over all the subjects (default: this thread, one {@link SaemLocal}). A front
   * end may split the subjects over threads, each a SaemLocal with its global offset, and add their
   * statistics: the fit is the same to the last bit.
   */
  eSteps?: (plan: SaemPlan, patients: readonly PatientData[]) => SaemEStepper;
}

/** The E-step over all the subjects of a fit, however they are split. */
export interface SaemEStepper {
  eStep(b: SaemBroadcast): SaemStatistics;
}

/** What SAEM fits of a model, checked once: the parameter space, the mu-referencing, the kernels. */
export interface SaemPlan {
  model: CompiledModel;
  space: ParameterSpace;
  refs: (MuReference | null)[];
  /** Estimated etas (model indices, ascending): the components of each chain's η and ϕ. */
  estEtas: number[];
  kernels: readonly [number, number, number];
  simulator?: SimulatorOptions;
}

/**
 * The plan of a SAEM fit, or DT_POPFIT_SAEM_MODEL listing everything SAEM cannot fit: IOV, an eta
 * that is not mu-referenced, an estimated θ without an eta, a residual error without a
 * closed-form update, observations below the LLOQ among these patients.
 */
export function saemPlan(
  model: CompiledModel,
  options: Pick<SaemOptions, 'fixed' | 'start' | 'kernels' | 'simulator'>,
  patients: readonly PatientData[],
): SaemPlan {
  const ir = model.ir;
  const space = parameterSpace(ir, { fixed: options.fixed, start: options.start });
  const refs = muReferences(ir);
  const problems: string[] = [];
  if (ir.etas.some((e) => e.iov))
    problems.push('inter-occasion etas are not estimated by SAEM here (use FOCE-I)');
  const estEtas = space.blocks.flat().sort((a, b) => a - b);
  for (const k of estEtas)
    if (!refs[k])
      problems.push(`${ir.etas[k].name} is not mu-referenced (write P = θ·exp(${ir.etas[k].name}))`);
  const paired = new Set(refs.filter((r) => r !== null).map((r) => r!.theta));
  for (const k of space.thetaFree)
    if (!paired.has(k)) problems.push(`${ir.parameters[k].name} carries no eta`);
  for (const e of ir.errors)
    if (e.kind === 'variance' || e.kind === 'combined')
      problems.push(`the residual error of ${e.output} (${e.kind}) has no closed-form SAEM update`);
  if (patients.some((q) => q.cens?.some((c) => c === 1)))
    problems.push('observations below the limit of quantification (M3) are fitted by FOCE-I only here');
  if (problems.length)
    throw new DosetwinError([
      {
        code: 'DT_POPFIT_SAEM_MODEL',
        severity: 'error',
        field: 'method',
        message: `SAEM cannot fit this model: ${problems.join('; ')}`,
        hint: 'use --method focei, which fits any model',
        file: ir.file,
      },
    ]);
  return {
    model,
    space,
    refs,
    estEtas,
    kernels: options.kernels ?? [2, 2, 2],
    simulator: options.simulator,
  };
}

/**
 * What the M-step sends to every E-step for one iteration: plain numbers, so that it crosses a
 * thread or a network unchanged (JSON keeps a double's every bit).
 */
export interface SaemBroadcast {
  iteration: number;
  seed: number;
  /** Markov chains per subject. */
  chains: number;
  /** Population parameters of this iteration: θ, Ω (nEta × nEta, row-major), residual SDs. */
  theta: number[];
  omega: number[];
  addSd: number[];
  propSd: number[];
  /** μ of each estimated eta (ϕ = μ + η). */
  mu: number[];
  /** Scales of the per-component random walks, and of the block walk. */
  scale: number[];
  scaleBlock: number;
}

/**
 * SAEM's sufficient statistics of one iteration over a set of subjects: sums over the subjects'
 * draws, held exactly (see exact-sum.ts) so that sums over any split of the subjects, added in any
 * order, give the same M-step to the last bit. Aggregates only: no subject's value can be told
 * apart in them once two or more subjects are summed.
 */
export interface SaemStatistics {
  /** Subjects summed over. */
  patients: number;
  /** Draws (subjects × chains). */
  draws: number;
  /** Σ ϕ per estimated eta. */
  phi: ExactSum[];
  /** Σ ϕϕᵀ, the lower triangle row by row. */
  phiPhi: ExactSum[];
  /** Σ squared residuals on the error model's scale, per output. */
  residual: ExactSum[];
  /** Observations per output, summed over the draws. */
  observations: number[];
  /** Accepted moves of each per-component random walk. */
  acceptedComponent: number[];
  /** Accepted and tried moves of the block random walk. */
  acceptedBlock: number;
  triedBlock: number;
}

/** Statistics over no subject (the neutral element of {@link addSaemStatistics}). */
export function emptySaemStatistics(d: number, nOut: number): SaemStatistics {
  return {
    patients: 0,
    draws: 0,
    phi: Array.from({ length: d }, () => []),
    phiPhi: Array.from({ length: (d * (d + 1)) / 2 }, () => []),
    residual: Array.from({ length: nOut }, () => []),
    observations: new Array<number>(nOut).fill(0),
    acceptedComponent: new Array<number>(d).fill(0),
    acceptedBlock: 0,
    triedBlock: 0,
  };
}

/** The statistics of two disjoint sets of subjects, summed exactly (a new object). */
export function addSaemStatistics(a: SaemStatistics, b: SaemStatistics): SaemStatistics {
  const merge = (x: ExactSum[], y: ExactSum[]): ExactSum[] =>
    x.map((s, k) => {
      const out = [...s];
      mergeExact(out, y[k]);
      return out;
    });
  return {
    patients: a.patients + b.patients,
    draws: a.draws + b.draws,
    phi: merge(a.phi, b.phi),
    phiPhi: merge(a.phiPhi, b.phiPhi),
    residual: merge(a.residual, b.residual),
    observations: a.observations.map((v, k) => v + b.observations[k]),
    acceptedComponent: a.acceptedComponent.map((v, k) => v + b.acceptedComponent[k]),
    acceptedBlock: a.acceptedBlock + b.acceptedBlock,
    triedBlock: a.triedBlock + b.triedBlock,
  };
}

const parametersOf = (b: SaemBroadcast): PopulationParameters => ({
  theta: Float64Array.from(b.theta),
  omega: Float64Array.from(b.omega),
  addSd: Float64Array.from(b.addSd),
  propSd: Float64Array.from(b.propSd),
});

/**
 * The E-step over a set of subjects: each subject's Markov chains (kept here between iterations),
 * moved by Metropolis–Hastings (kernels as in Monolix and nlmixr2: proposals from the prior
 * N(0, Ω), per-component random walks and a block random walk), and the sums of their statistics.
 * Each chain draws from its own stream, seeded by (run seed, iteration, global subject index,
 * chain): a subject's draws do not depend on which set, thread or hospital it is in.
 */
export class SaemLocal implements SaemEStepper {
  readonly plan: SaemPlan;
  readonly patients: readonly PatientData[];
  /** Global index of the first of these subjects. */
  readonly offset: number;
  /** ϕ of every chain, subject-major. */
  private phi: Float64Array[] = [];

  constructor(plan: SaemPlan, patients: readonly PatientData[], offset = 0) {
    this.plan = plan;
    this.patients = patients;
    this.offset = offset;
  }

  eStep(b: SaemBroadcast): SaemStatistics {
    const { model, estEtas } = this.plan;
    const [n1, n2, n3] = this.plan.kernels;
    const ir = model.ir;
    const nEta = ir.etas.length;
    const d = estEtas.length;
    const nOut = ir.errors.length;
    const C = b.chains;
    const N = this.patients.length;
    // The chains start at μ (the model's values) on the first iteration.
    if (b.iteration === 1 || this.phi.length !== N * C)
      this.phi = Array.from({ length: N * C }, () => Float64Array.from(b.mu));
    const m = modelWith(model, parametersOf(b));
    const sim = new Simulator(m, this.plan.simulator);
    // Cholesky of the estimated Ω (for prior proposals and the block walk).
    const Om = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let c = 0; c < d; c++) Om[a * d + c] = b.omega[estEtas[a] * nEta + estEtas[c]];
    const L = new Float64Array(d * d);
    if (!cholesky(d, Om, L)) throw new Error('internal: Ω lost positive definiteness in SAEM');
    const st = emptySaemStatistics(d, nOut);
    st.patients = N;
    st.draws = N * C;
    const xt = new Float64Array(d);
    const zs = new Float64Array(d);
    for (let i = 0; i < N; i++) {
      const obj = new MapObjective(sim, this.patients[i]);
      const Fi = new Float64Array(obj.nPred);
      const r2 = new Float64Array(nOut);
      for (let c = 0; c < C; c++) {
        const rng = createRng(streamSeed(b.seed, SAEM_STREAM, b.iteration, this.offset + i, c));
        const ph = this.phi[i * C + c];
        const e = new Float64Array(d);
        // η from the chain's ϕ under the current μ.
        for (let a = 0; a < d; a++) e[a] = ph[a] - b.mu[a];
        let U = obj.value(e);
        let prior = obj.prior(e);
        // Kernel 1: independent proposals from the prior; the prior cancels in the ratio.
        for (let r = 0; r < n1; r++) {
          for (let a = 0; a < d; a++) zs[a] = rng.normal();
          for (let a = 0; a < d; a++) {
            let s = 0;
            for (let q = 0; q <= a; q++) s += L[a * d + q] * zs[q];
            xt[a] = s;
          }
          const Ut = obj.value(xt);
          const pt = obj.prior(xt);
          if (Number.isFinite(Ut) && Math.log(rng.uniform()) < -0.5 * (Ut - pt - (U - prior))) {
            e.set(xt);
            U = Ut;
            prior = pt;
          }
        }
        // Kernel 2: per-component random walks.
        for (let r = 0; r < n2; r++)
          for (let a = 0; a < d; a++) {
            xt.set(e);
            xt[a] += b.scale[a] * Math.sqrt(Om[a * d + a]) * rng.normal();
            const Ut = obj.value(xt);
            if (Number.isFinite(Ut) && Math.log(rng.uniform()) < -0.5 * (Ut - U)) {
              e.set(xt);
              U = Ut;
              st.acceptedComponent[a]++;
            }
          }
        // Kernel 3: block random walk with Ω's shape.
        for (let r = 0; r < n3; r++) {
          for (let a = 0; a < d; a++) zs[a] = rng.normal();
          for (let a = 0; a < d; a++) {
            let s = 0;
            for (let q = 0; q <= a; q++) s += L[a * d + q] * zs[q];
            xt[a] = e[a] + b.scaleBlock * s;
          }
          const Ut = obj.value(xt);
          st.triedBlock++;
          if (Number.isFinite(Ut) && Math.log(rng.uniform()) < -0.5 * (Ut - U)) {
            e.set(xt);
            U = Ut;
            st.acceptedBlock++;
          }
        }
        for (let a = 0; a < d; a++) ph[a] = b.mu[a] + e[a];
        // Statistics of this draw: one term per subject and chain in each exact sum (a draw's own
        // residuals summed in the subject's observation order, which no split changes).
        for (let a = 0, t = 0; a < d; a++) {
          addExact(st.phi[a], ph[a]);
          for (let q = 0; q <= a; q++) addExact(st.phiPhi[t++], ph[a] * ph[q]);
        }
        if (!obj.predict(e, Fi)) throw new Error('internal: the accepted draw has no prediction');
        r2.fill(0);
        for (let j = 0; j < obj.nObs; j++) {
          const k = obj.obsOutput[j];
          const kind = ir.errors[k].kind;
          const y = obj.obsY[j];
          const f = Fi[j];
          if (kind === 'exp') r2[k] += (y - Math.log(f)) ** 2;
          else if (kind === 'prop') r2[k] += ((y - f) / f) ** 2;
          else r2[k] += (y - f) ** 2;
          st.observations[k]++;
        }
        for (let k = 0; k < nOut; k++) addExact(st.residual[k], r2[k]);
      }
    }
    return st;
  }
}

/**
 * The M-step side of SAEM: from the summed statistics of all subjects, the stochastic
 * approximation (step 1 during exploration, 1/k during smoothing) and the closed-form maximum
 *
 *     μ = S₁/N,  Ω = (S₂ − S₁μᵀ − μS₁ᵀ)/N + μμᵀ  (only the estimated blocks of Ω are kept),
 *     σ²_add = Σ(y − F)²/n,  σ²_prop = Σ((y − F)/F)²/n,  σ²_exp = Σ(ln y − ln F)²/n,
 *
 * with simulated annealing during exploration (a variance falls by at most 5 % per iteration), and
 * the random-walk scales adapted towards 40 % acceptance.
 */
export class SaemEstimator {
  readonly plan: SaemPlan;
  /** Subjects in all (N). */
  readonly patients: number;
  readonly seed: number;
  readonly chains: number;
  readonly explore: number;
  readonly total: number;
  /** The next iteration (1-based). */
  iteration = 1;
  readonly parameters: PopulationParameters;
  private readonly mu: Float64Array;
  private readonly scale: Float64Array;
  private scaleBlock = 0.3;
  private readonly S1: Float64Array;
  private readonly S2: Float64Array;
  private readonly S3: Float64Array;

  constructor(
    plan: SaemPlan,
    patients: number,
    options: Pick<SaemOptions, 'seed' | 'explore' | 'smooth' | 'chains'>,
  ) {
    this.plan = plan;
    this.patients = patients;
    this.seed = options.seed ?? 1;
    this.explore = options.explore ?? 200;
    this.total = this.explore + (options.smooth ?? 200);
    this.chains = Math.max(1, Math.round(options.chains ?? Math.ceil(50 / patients)));
    const { space, refs, estEtas } = plan;
    const d = estEtas.length;
    this.parameters = space.toParameters(space.u0);
    this.mu = Float64Array.from(estEtas, (k) => {
      const r = refs[k]!;
      const t = this.parameters.theta[r.theta];
      return r.transform === 'log' ? Math.log(t) : t;
    });
    this.scale = new Float64Array(d).fill(0.5);
    this.S1 = new Float64Array(d);
    this.S2 = new Float64Array(d * d);
    this.S3 = new Float64Array(plan.model.ir.errors.length);
  }

  get done(): boolean {
    return this.iteration > this.total;
  }

  get phase(): 'saem-explore' | 'saem-smooth' {
    return this.iteration <= this.explore ? 'saem-explore' : 'saem-smooth';
  }

  /** What every E-step needs for the next iteration. */
  broadcast(): SaemBroadcast {
    const p = this.parameters;
    return {
      iteration: this.iteration,
      seed: this.seed,
      chains: this.chains,
      theta: Array.from(p.theta),
      omega: Array.from(p.omega),
      addSd: Array.from(p.addSd),
      propSd: Array.from(p.propSd),
      mu: Array.from(this.mu),
      scale: Array.from(this.scale),
      scaleBlock: this.scaleBlock,
    };
  }

  /** The M-step from the statistics of every subject for the current iteration. */
  update(s: SaemStatistics): void {
    const { space, refs, estEtas } = this.plan;
    const ir = this.plan.model.ir;
    const [, n2] = this.plan.kernels;
    const nEta = ir.etas.length;
    const d = estEtas.length;
    const nOut = ir.errors.length;
    const N = this.patients;
    const C = this.chains;
    if (s.patients !== N || s.draws !== N * C)
      throw new Error(`internal: SAEM statistics over ${s.patients} subjects, ${N} expected`);
    const it = this.iteration;
    const K1 = this.explore;
    const p = this.parameters;
    const Om = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) Om[a * d + b] = p.omega[estEtas[a] * nEta + estEtas[b]];
    // One chain's worth: the statistics are averages over the chains.
    const s1 = s.phi.map((x) => exactValue(x) / C);
    const s2 = new Float64Array(d * d);
    for (let a = 0, t = 0; a < d; a++)
      for (let b = 0; b <= a; b++, t++) s2[a * d + b] = s2[b * d + a] = exactValue(s.phiPhi[t]) / C;
    const s3 = s.residual.map((x) => exactValue(x) / C);
    const nObsOut = s.observations.map((n) => n / C);
    for (let a = 0; a < d; a++) this.scale[a] *= 1 + 0.4 * (s.acceptedComponent[a] / (N * C * n2) - 0.4);
    this.scaleBlock *= 1 + 0.4 * (s.acceptedBlock / Math.max(1, s.triedBlock) - 0.4);
    // Stochastic approximation.
    const g = it <= K1 ? 1 : 1 / (it - K1);
    const { S1, S2, S3, mu } = this;
    for (let a = 0; a < d; a++) S1[a] += g * (s1[a] - S1[a]);
    for (let a = 0; a < d * d; a++) S2[a] += g * (s2[a] - S2[a]);
    for (let k = 0; k < nOut; k++) S3[k] += g * (s3[k] - S3[k]);
    // M-step.
    const thetaFixed = space.thetaBounds.map((b) => b.fixed);
    for (let a = 0; a < d; a++) {
      const r = refs[estEtas[a]]!;
      if (!thetaFixed[r.theta]) mu[a] = S1[a] / N;
      p.theta[r.theta] = r.transform === 'log' ? Math.exp(mu[a]) : mu[a];
    }
    const blockOf = new Int32Array(nEta).fill(-1);
    space.blocks.forEach((b, bi) => b.forEach((k) => (blockOf[k] = bi)));
    const newOm = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++)
        if (blockOf[estEtas[a]] === blockOf[estEtas[b]])
          newOm[a * d + b] = (S2[a * d + b] - S1[a] * mu[b] - mu[a] * S1[b]) / N + mu[a] * mu[b];
    if (it <= K1) {
      // Annealing: a variance falls by at most 5 % per iteration; covariances keep their correlation.
      const f = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        const floor = 0.95 * Om[a * d + a];
        f[a] = newOm[a * d + a] < floor ? Math.sqrt(floor / newOm[a * d + a]) : 1;
      }
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) newOm[a * d + b] *= f[a] * f[b];
    }
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) p.omega[estEtas[a] * nEta + estEtas[b]] = newOm[a * d + b];
    for (const [k, w] of space.sigmaFree) {
      let v = S3[k] / Math.max(1, nObsOut[k]);
      const old = (w === 'add' ? p.addSd : p.propSd)[k];
      if (it <= K1) v = Math.max(v, 0.95 * old * old);
      (w === 'add' ? p.addSd : p.propSd)[k] = Math.sqrt(v);
    }
    this.iteration++;
  }
}

/**
 * What the final FOCE-I evaluation at the SAEM estimates gives over a set of subjects, summed: the
 * OFV's terms, and the sums of the conditional modes and of their squares (for the shrinkage).
 */
export interface SaemSummary {
  patients: number;
  /** Σ of the subjects' finite FOCE-I objectives. */
  ofv: ExactSum;
  /** Subjects whose objective is not finite (the OFV is then +∞). */
  nonFinite: number;
  /** Σ η̂ and Σ η̂² per estimated eta (the plan's estEtas order). */
  etaSum: ExactSum[];
  etaSquares: ExactSum[];
}

/** The summary of these subjects at the population parameters p. */
export function saemSummary(
  plan: SaemPlan,
  patients: readonly PatientData[],
  p: PopulationParameters,
  options: FoceiOptions = {},
): SaemSummary {
  const final = new FoceiObjective(plan.model, patients, plan.space, options).evaluateParameters(p);
  const out: SaemSummary = {
    patients: patients.length,
    ofv: [],
    nonFinite: 0,
    etaSum: plan.estEtas.map(() => []),
    etaSquares: plan.estEtas.map(() => []),
  };
  for (const s of final.subjects) {
    if (Number.isFinite(s.obj)) addExact(out.ofv, s.obj);
    else out.nonFinite++;
    plan.estEtas.forEach((k, a) => {
      addExact(out.etaSum[a], s.eta[k]);
      addExact(out.etaSquares[a], s.eta[k] * s.eta[k]);
    });
  }
  return out;
}

/** Two summaries of disjoint sets of subjects, summed exactly. */
export function addSaemSummaries(a: SaemSummary, b: SaemSummary): SaemSummary {
  const merge = (x: ExactSum, y: ExactSum): ExactSum => {
    const out = [...x];
    mergeExact(out, y);
    return out;
  };
  return {
    patients: a.patients + b.patients,
    ofv: merge(a.ofv, b.ofv),
    nonFinite: a.nonFinite + b.nonFinite,
    etaSum: a.etaSum.map((x, k) => merge(x, b.etaSum[k])),
    etaSquares: a.etaSquares.map((x, k) => merge(x, b.etaSquares[k])),
  };
}

/**
 * SAEM (Kuhn E, Lavielle M. Comput Stat Data Anal 2005;49:1020–1038; Delyon, Lavielle & Moulines,
 * Ann Stat 1999): each iteration is an E-step over the subjects ({@link SaemLocal}: MCMC draws of
 * every subject's etas, their sufficient statistics summed exactly) and an M-step from the sums
 * ({@link SaemEstimator}). Here the subjects are one set; a federated fit runs the same E-step in
 * each hospital on its own patients and adds the sums, with the same result.
 *
 * Every estimated θ must carry an eta (see {@link muReferences}); the model's θ are the starting
 * point. The OFV is FOCE-I's at the SAEM estimates (the same objective as {@link fitFocei}, so the
 * two methods' OFVs compare), and so are the individual estimates (conditional modes), the
 * shrinkage and the covariance step at the SAEM estimates (`covarianceMethod`, default sandwich).
 */
export function fitSaem(
  model: CompiledModel,
  patients: readonly PatientData[],
  options: SaemOptions = {},
): PopFit {
  const plan = saemPlan(model, options, patients);
  const estimator = new SaemEstimator(plan, patients.length, options);
  const local = options.eSteps ? options.eSteps(plan, patients) : new SaemLocal(plan, patients, 0);
  while (!estimator.done) {
    const phase = estimator.phase;
    estimator.update(local.eStep(estimator.broadcast()));
    options.onProgress?.({ phase, iteration: estimator.iteration - 1, of: estimator.total, ofv: NaN });
  }
  const p = estimator.parameters;
  const objective = new FoceiObjective(model, patients, plan.space, options);
  const final = objective.evaluateParameters(p);
  return assemble('saem', 'FOCE-I at the SAEM estimates', plan.space, objective, final, plan.space.toU(p), {
    converged: Number.isFinite(final.ofv),
    message: `${estimator.explore} exploration and ${estimator.total - estimator.explore} smoothing iterations`,
    iterations: estimator.total,
    covariance: options.covariance ?? true,
    covarianceMethod: options.covarianceMethod,
    onProgress: options.onProgress,
  });
}
