import { DosetwinError } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { Expr, ModelIR } from '../model/ir.ts';
import { cholesky } from '../estimate/linalg.ts';
import { MapObjective, withVarianceTap } from '../estimate/objective.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { assemble, type PopFit, type PopFitOptions } from './fit.ts';
import { FoceiObjective } from './focei.ts';
import { modelWith, parameterSpace, type PopulationParameters } from './parameters.ts';

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
}

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

/**
 * SAEM (Kuhn E, Lavielle M. Comput Stat Data Anal 2005;49:1020–1038; Delyon, Lavielle & Moulines,
 * Ann Stat 1999): each iteration draws every subject's etas by Metropolis–Hastings (kernels as in
 * Monolix and nlmixr2: proposals from the prior N(0, Ω), per-component random walks and a block
 * random walk, their scales adapted towards 40 % acceptance), updates the sufficient statistics
 * by stochastic approximation (step 1 during exploration, 1/k during smoothing) and maximises:
 *
 *     μ = S₁/N,  Ω = (S₂ − S₁μᵀ − μS₁ᵀ)/N + μμᵀ  (only the estimated blocks of Ω are kept),
 *     σ²_add = Σ(y − F)²/n,  σ²_prop = Σ((y − F)/F)²/n,  σ²_exp = Σ(ln y − ln F)²/n,
 *
 * with simulated annealing during exploration (a variance falls by at most 5 % per iteration).
 * Every estimated θ must carry an eta (see {@link muReferences}); the model's θ are the starting
 * point. The OFV is FOCE-I's at the SAEM estimates (the same objective as {@link fitFocei}, so the
 * two methods' OFVs compare), and so are the individual estimates (conditional modes), the
 * shrinkage and the covariance step (sandwich at the SAEM estimates).
 */
export function fitSaem(
  model: CompiledModel,
  patients: readonly PatientData[],
  options: SaemOptions = {},
): PopFit {
  const ir = model.ir;
  const space = parameterSpace(ir, { fixed: options.fixed, start: options.start });
  const nEta = ir.etas.length;
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
  const rng = createRng(options.seed ?? 1);
  const K1 = options.explore ?? 200;
  const K2 = options.smooth ?? 200;
  const [n1, n2, n3] = options.kernels ?? [2, 2, 2];
  const N = patients.length;
  const d = estEtas.length;
  const C = Math.max(1, Math.round(options.chains ?? Math.ceil(50 / N)));
  // Parameters: the model's (or the caller's) start.
  const p: PopulationParameters = space.toParameters(space.u0);
  const thetaFixed = space.thetaBounds.map((b) => b.fixed);
  const mu = estEtas.map((k) => {
    const r = refs[k]!;
    const t = p.theta[r.theta];
    return r.transform === 'log' ? Math.log(t) : t;
  });
  // Chains: η_i in the order of estEtas (= MapObjective's x without IOV).
  const eta = Array.from({ length: N * C }, () => new Float64Array(d));
  const phi = Array.from({ length: N * C }, () => Float64Array.from(mu));
  const scale1 = new Float64Array(d).fill(0.5);
  let scaleBlock = 0.3;
  const S1 = new Float64Array(d);
  const S2 = new Float64Array(d * d);
  const nOut = ir.errors.length;
  const S3 = new Float64Array(nOut);
  const nObsOut = new Float64Array(nOut);
  const total = K1 + K2;
  const xt = new Float64Array(d);
  for (let it = 1; it <= total; it++) {
    const m = modelWith(model, p);
    const sim = new Simulator(
      m.ir.errors.some((e) => e.kind === 'variance') ? withVarianceTap(m) : m,
      options.simulator,
    );
    // Cholesky of the estimated Ω (for prior proposals and the block walk).
    const Om = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) Om[a * d + b] = p.omega[estEtas[a] * nEta + estEtas[b]];
    const L = new Float64Array(d * d);
    if (!cholesky(d, Om, L)) throw new Error('internal: Ω lost positive definiteness in SAEM');
    const accC = new Float64Array(d);
    let accB = 0;
    let triesB = 0;
    const s1 = new Float64Array(d);
    const s2 = new Float64Array(d * d);
    const s3 = new Float64Array(nOut);
    nObsOut.fill(0);
    const objs: MapObjective[] = [];
    for (let ic = 0; ic < N * C; ic++) {
      const i = ic % N;
      const obj = (objs[i] ??= new MapObjective(sim, patients[i]));
      const e = eta[ic];
      // η from the chain's ϕ under the current μ.
      for (let a = 0; a < d; a++) e[a] = phi[ic][a] - mu[a];
      let U = obj.value(e);
      let prior = obj.prior(e);
      // Kernel 1: independent proposals from the prior; the prior cancels in the ratio.
      for (let r = 0; r < n1; r++) {
        const zs = Array.from({ length: d }, () => rng.normal());
        for (let a = 0; a < d; a++) {
          let s = 0;
          for (let b = 0; b <= a; b++) s += L[a * d + b] * zs[b];
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
          xt[a] += scale1[a] * Math.sqrt(Om[a * d + a]) * rng.normal();
          const Ut = obj.value(xt);
          if (Number.isFinite(Ut) && Math.log(rng.uniform()) < -0.5 * (Ut - U)) {
            e.set(xt);
            U = Ut;
            accC[a]++;
          }
        }
      // Kernel 3: block random walk with Ω's shape.
      for (let r = 0; r < n3; r++) {
        const zs = Array.from({ length: d }, () => rng.normal());
        for (let a = 0; a < d; a++) {
          let s = 0;
          for (let b = 0; b <= a; b++) s += L[a * d + b] * zs[b];
          xt[a] = e[a] + scaleBlock * s;
        }
        const Ut = obj.value(xt);
        triesB++;
        if (Number.isFinite(Ut) && Math.log(rng.uniform()) < -0.5 * (Ut - U)) {
          e.set(xt);
          U = Ut;
          accB++;
        }
      }
      for (let a = 0; a < d; a++) phi[ic][a] = mu[a] + e[a];
      // Statistics of this draw.
      for (let a = 0; a < d; a++) {
        s1[a] += phi[ic][a];
        for (let b = 0; b < d; b++) s2[a * d + b] += phi[ic][a] * phi[ic][b];
      }
      const Fi = new Float64Array(obj.nPred);
      if (!obj.predict(e, Fi)) throw new Error('internal: the accepted draw has no prediction');
      for (let j = 0; j < obj.nObs; j++) {
        const k = obj.obsOutput[j];
        const kind = ir.errors[k].kind;
        const y = obj.obsY[j];
        const f = Fi[j];
        let r2: number;
        if (kind === 'exp') r2 = (y - Math.log(f)) ** 2;
        else if (kind === 'prop') r2 = ((y - f) / f) ** 2;
        else r2 = (y - f) ** 2;
        s3[k] += r2;
        nObsOut[k]++;
      }
    }
    // Adapt the random-walk scales towards 40 % acceptance.
    for (let a = 0; a < d; a++) scale1[a] *= 1 + 0.4 * (accC[a] / (N * C * n2) - 0.4);
    // One chain's worth: the statistics are averages over the chains.
    for (let a = 0; a < d; a++) s1[a] /= C;
    for (let a = 0; a < d * d; a++) s2[a] /= C;
    for (let k = 0; k < nOut; k++) {
      s3[k] /= C;
      nObsOut[k] /= C;
    }
    scaleBlock *= 1 + 0.4 * (accB / Math.max(1, triesB) - 0.4);
    // Stochastic approximation.
    const g = it <= K1 ? 1 : 1 / (it - K1);
    for (let a = 0; a < d; a++) S1[a] += g * (s1[a] - S1[a]);
    for (let a = 0; a < d * d; a++) S2[a] += g * (s2[a] - S2[a]);
    for (let k = 0; k < nOut; k++) S3[k] += g * (s3[k] - S3[k]);
    // M-step.
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
    options.onProgress?.({
      phase: it <= K1 ? 'saem-explore' : 'saem-smooth',
      iteration: it,
      of: total,
      ofv: NaN,
    });
  }
  const objective = new FoceiObjective(model, patients, space, options);
  const final = objective.evaluateParameters(p);
  return assemble('saem', 'FOCE-I at the SAEM estimates', space, objective, final, space.toU(p), {
    converged: Number.isFinite(final.ofv),
    message: `${K1} exploration and ${K2} smoothing iterations`,
    iterations: total,
    covariance: options.covariance ?? true,
    onProgress: options.onProgress,
  });
}
