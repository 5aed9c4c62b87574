/**
 * Virtual patients for training and evaluating exposure estimators: one patient = clinical
 * covariates (population), a dose, a steady-state sampled dosing interval with jittered
 * sampling times, individual etas drawn from Ω (between-subject and, for the sampled occasion,
 * inter-occasion), concentrations with residual error, and the reference exposure: the model's
 * exact AUC over the sampled dosing interval (the simulator's integral, not a trapezoid).
 *
 * Every random draw of patient i comes from its own stream `streamSeed(seed, STREAM.patient, i)`,
 * so a population is the same whatever the number of threads that simulate it.
 */
import { fail } from '../errors.ts';
import { cholesky } from '../estimate/linalg.ts';
import type { MapEstimator } from '../estimate/map.ts';
import { withVarianceTap } from '../estimate/objective.ts';
import { patientFromRecords, type PatientData, type RecordInput } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { createRng, type Rng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { observe } from '../simulate/residual.ts';
import { drawClinical, type PopulationSpec } from './population.ts';
import { STREAM, streamSeed } from './seeds.ts';

/** A limited-sampling design, in the model's units (dose unit, time h). */
export interface SamplingDesign {
  /** Nominal sampling times after the dose of the sampled interval, h (0 = pre-dose trough). */
  timesH: number[];
  /** Dosing interval, h. */
  tauH: number;
  route: 'oral' | 'infusion';
  /** Infusion duration, h (route infusion). */
  infusionH?: number;
  /** Doses drawn uniformly from this list (model dose unit). */
  doses: number[];
  /**
   * Sampling-time deviation: normal with SD = sdH + fraction × nominal, truncated at ±2 SD. A
   * pre-dose sample (nominal 0) or an end-of-interval one (nominal τ) is taken before the dose:
   * its deviation is −|d|.
   */
  jitter: { sdH: number; fraction: number };
  /** Simulated concentrations below this value are reported at it (model concentration unit). */
  lloq: number;
}

export function checkDesign(d: SamplingDesign): void {
  const bad = (field: string, msg: string): never => fail('DT_ML_DESIGN', `design.${field}`, msg);
  if (!(d.tauH > 0)) bad('tauH', `dosing interval ${d.tauH} h must be > 0`);
  if (d.timesH.length < 1) bad('timesH', 'the design needs at least one sampling time');
  d.timesH.forEach((t, i) => {
    if (!(t >= 0 && t <= d.tauH)) bad(`timesH[${i}]`, `sampling time ${t} h must be within 0..${d.tauH} h`);
    if (i > 0 && !(t > d.timesH[i - 1])) bad(`timesH[${i}]`, 'sampling times must increase');
  });
  if (d.route === 'infusion' && !(d.infusionH !== undefined && d.infusionH > 0 && d.infusionH < d.tauH))
    bad('infusionH', `infusion duration ${d.infusionH} h must be > 0 and < τ`);
  if (d.doses.length === 0 || d.doses.some((x) => !(x > 0)))
    bad('doses', 'doses must be a non-empty list of values > 0');
  if (!(d.jitter.sdH >= 0 && d.jitter.fraction >= 0)) bad('jitter', 'jitter SD and fraction must be ≥ 0');
  if (!(d.lloq >= 0)) bad('lloq', `lloq ${d.lloq} must be ≥ 0`);
}

/** One model a population is simulated from, with the mapping of clinical covariates to its own. */
export interface VirtualModel {
  model: CompiledModel;
  /** The model's covariates in model order and units, from a patient's clinical variables. */
  covariates: (clinical: Record<string, number>) => number[];
}

export interface VirtualSetup {
  models: VirtualModel[];
  population: PopulationSpec;
  /** Adds derived clinical variables (e.g. CRCL from SCR, AGE, WT, SEX) in place. */
  derive?: (clinical: Record<string, number>) => void;
  design: SamplingDesign;
  seed: number;
  /** Stream key of the population (STREAM.patient for training, STREAM.external for external validation). */
  stream?: number;
}

export interface VirtualPatient {
  index: number;
  modelIndex: number;
  clinical: Record<string, number>;
  /** Model covariates (model order). */
  covariates: number[];
  dose: number;
  /** Actual sampling times after the dose of the sampled interval, h. */
  timesH: number[];
  /** Observed concentrations (with residual error), model unit. */
  conc: number[];
  /** Reference AUC over the sampled dosing interval (true etas, no residual error). */
  auc: number;
  /** Etas in model order (IOV etas: the sampled occasion's). */
  eta: number[];
}

/** Records of a virtual patient: a steady-state dose at 0, the sampled interval [τ, 2τ]. */
export function designRecords(
  d: SamplingDesign,
  dose: number,
  timesH: readonly number[],
  conc: readonly number[] | null,
  cov: readonly number[],
): RecordInput[] {
  const rate = d.route === 'infusion' ? dose / d.infusionH! : 0;
  // kind orders records at equal times: samples before the dose at that time.
  const rows: (RecordInput & { kind: number })[] = [
    { time: 0, evid: 1, amt: dose, rate, ii: d.tauH, ss: 1, mdv: 1, cov, kind: 1 },
    { time: d.tauH, evid: 1, amt: dose, rate, mdv: 1, cov, kind: 1 },
    { time: d.tauH, evid: 2, mdv: 1, cov, kind: 0 },
    { time: 2 * d.tauH, evid: 2, mdv: 1, cov, kind: 0 },
  ];
  timesH.forEach((t, j) =>
    rows.push({ time: d.tauH + t, evid: 0, mdv: 0, dv: conc ? conc[j] : 0, cov, kind: 0 }),
  );
  rows.sort((a, b) => a.time - b.time || a.kind - b.kind);
  return rows.map(({ kind: _kind, ...r }) => r);
}

/** Simulates virtual patients of one setup; one instance per thread (simulators are reused). */
export class VirtualPopulation {
  readonly setup: VirtualSetup;
  private readonly sims: Simulator[];
  private readonly taps: (ReturnType<typeof withVarianceTap>['varianceTap'] | null)[];
  private readonly chol: { idx: number[]; L: Float64Array }[];

  constructor(setup: VirtualSetup) {
    checkDesign(setup.design);
    if (setup.models.length === 0) fail('DT_ML_DESIGN', 'models', 'at least one model is needed');
    this.setup = setup;
    this.sims = [];
    this.taps = [];
    this.chol = [];
    for (const vm of setup.models) {
      const m = vm.model;
      if (m.ir.errors.length !== 1)
        fail(
          'DT_ML_DESIGN',
          'models',
          `${m.ir.id}: exposure estimators need a model with one output (has ${m.ir.errors.length})`,
        );
      const tapped = m.ir.errors[0].kind === 'variance' ? withVarianceTap(m) : null;
      this.sims.push(new Simulator(tapped ?? m));
      this.taps.push(tapped ? tapped.varianceTap : null);
      const idx = m.ir.etas.map((_, k) => k).filter((k) => m.ir.omega[k][k] > 0);
      const n = idx.length;
      const L = new Float64Array(n * n);
      if (!cholesky(n, Float64Array.from(idx.flatMap((i) => idx.map((j) => m.ir.omega[i][j]))), L))
        fail('DT_ML_DESIGN', 'models', `${m.ir.id}: Ω is not positive definite`);
      this.chol.push({ idx, L });
    }
  }

  /** Patient i of the population. */
  patient(i: number): VirtualPatient {
    const s = this.setup;
    const d = s.design;
    const rng: Rng = createRng(streamSeed(s.seed, s.stream ?? STREAM.patient, i));
    const clinical = drawClinical(s.population, rng);
    s.derive?.(clinical);
    const modelIndex = s.models.length > 1 ? Math.floor(rng.uniform() * s.models.length) : 0;
    const vm = s.models[modelIndex];
    const cov = vm.covariates(clinical);
    const dose = d.doses[Math.floor(rng.uniform() * d.doses.length)];
    const timesH = d.timesH.map((t) => {
      const sd = d.jitter.sdH + d.jitter.fraction * t;
      let z = rng.normal();
      while (Math.abs(z) > 2) z = rng.normal();
      const dev = sd * z;
      return t === 0 || t === d.tauH ? t - Math.abs(dev) : t + dev;
    });
    const m = vm.model;
    const eta = new Array<number>(m.ir.etas.length).fill(0);
    const { idx, L } = this.chol[modelIndex];
    const z = idx.map(() => rng.normal());
    for (let a = 0; a < idx.length; a++) {
      let v = 0;
      for (let b = 0; b <= a; b++) v += L[a * idx.length + b] * z[b];
      eta[idx[a]] = v;
    }
    const records = designRecords(d, dose, timesH, null, cov);
    const p = patientFromRecords(`v${i}`, records, m.ir.covariates.length);
    const sim = this.sims[modelIndex];
    const tap = this.taps[modelIndex];
    const out = new Float64Array(p.n);
    sim.integrateOutput = -1;
    if (tap) tap.count = 0;
    sim.run(p, eta, out);
    const err = m.ir.errors[0];
    const conc: number[] = [];
    let call = 0;
    for (let r = 0; r < p.n; r++) {
      if (p.evid[r] !== 0 && p.evid[r] !== 2) continue;
      const c = call++;
      if (p.evid[r] !== 0) continue;
      const F = out[r];
      const y = observe(err, F, rng.normal(), err.kind === 'variance' ? tap!.values[c] : null);
      conc.push(Math.max(y, d.lloq));
    }
    const auc = intervalAuc(sim, p, eta, d.tauH);
    if (!(auc > 0) || conc.some((c) => !Number.isFinite(c)))
      fail('DT_ML_SIMULATION', `patient[${i}]`, `${m.ir.id}: virtual patient ${i} has AUC ${auc}`);
    return { index: i, modelIndex, clinical, covariates: cov, dose, timesH, conc, auc, eta };
  }
}

/** AUC over the sampled interval [τ, 2τ] of design records p at etas (model order). */
export function intervalAuc(sim: Simulator, p: PatientData, eta: ArrayLike<number>, tauH: number): number {
  const out = new Float64Array(p.n);
  const cum = new Float64Array(p.n);
  const prev = sim.integrateOutput;
  sim.integrateOutput = 0;
  try {
    sim.run(p, eta, out, cum);
  } finally {
    sim.integrateOutput = prev;
  }
  let a = NaN;
  let b = NaN;
  for (let r = 0; r < p.n; r++)
    if (p.evid[r] === 2) {
      if (p.time[r] === tauH) a = cum[r];
      else if (p.time[r] === 2 * tauH) b = cum[r];
    }
  return b - a;
}

/**
 * MAP Bayesian AUC of a virtual patient with the estimator's model (not necessarily the one that
 * generated the patient): the mode from the patient's concentrations, its covariates for that
 * model (`cov`, model order) and the model's prior, then the exact AUC of the sampled interval at
 * the mode (between-subject etas and the fitted inter-occasion etas of the sampled occasion).
 * NaN when the objective cannot be evaluated.
 */
export function mapAuc(
  est: MapEstimator,
  design: SamplingDesign,
  vp: VirtualPatient,
  cov: readonly number[],
): { auc: number; converged: boolean } {
  const m = est.model;
  const p = patientFromRecords(
    `v${vp.index}`,
    designRecords(design, vp.dose, vp.timesH, vp.conc, cov),
    m.ir.covariates.length,
  );
  const fit = est.fit(p);
  if (!Number.isFinite(fit.objective)) return { auc: NaN, converged: false };
  const obj = est.objective(p);
  const eta = Float64Array.from(fit.eta);
  for (let i = 0; i < fit.x.length; i++) if (obj.occasion[i] === 1) eta[obj.etaIndex[i]] = fit.x[i];
  return { auc: intervalAuc(est.sim, p, eta, design.tauH), converged: fit.converged };
}
