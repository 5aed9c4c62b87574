/**
 * The patient's digital twin in the browser: from a stored analysis's inputs (the snapshot the
 * server analysed), rebuild the patient exactly as the server does, fit the MAP etas, draw from the
 * posterior (adaptive Metropolis, seeded), then for any next regimen forecast the individual curve,
 * its credible band, the population curve and the exposures — all by the engine, no server call.
 * Pure (no DOM): it runs in the Web Worker and in node tests alike.
 */
import {
  buildPatient,
  computeExposure,
  convert,
  createRng,
  cholesky,
  DosetwinError,
  estimateMap,
  inTarget,
  type Issue,
  MapObjective,
  metricValue,
  parseTarget,
  type PatientData,
  patientFromRecords,
  samplePosterior,
  Simulator,
  type Target,
  withPredictionTimes,
  type ModelIR,
  type ClinicalCovariate,
  type ClinicalDose,
  type Exposure,
} from '@dosetwin/engine';
import {
  type AnalysisInputs,
  covariatesOverTime,
  defaultTargets,
  getModel,
  type LibraryModel,
} from '@dosetwin/models';

/** The inputs of an analysis as the server stores them (`analysis.inputs`). */
export type TwinInputs = AnalysisInputs;

/** A next regimen to try. */
export interface Regimen {
  dose: number;
  doseUnit: string;
  /** Dosing interval, hours. */
  intervalH: number;
  /** Infusion duration, hours (0 = oral or bolus). */
  durationH: number;
  /** First new dose, ISO with zone. */
  start: string;
}

export interface Twin {
  model: LibraryModel;
  ir: ModelIR;
  sim: Simulator;
  kind: 'map' | 'a priori';
  /** MAP etas (model order), or null a priori. */
  point: Float64Array | null;
  /** Posterior draws of the etas (model order; IOV 0), or prior draws a priori. */
  draws: Float64Array[];
  /** Fit summary: objective and convergence (MAP only). */
  fit: { objective: number; converged: boolean; acceptance: number } | null;
  targets: Target[];
  history: PatientData;
  originMs: number;
  /** The clinical records the forecast is built from. */
  doses: ClinicalDose[];
  samples: { at: string; value: number; unit: string }[];
  covariates: ClinicalCovariate[];
  /** Observed levels for the plot (model concentration unit), BLQ ones flagged. */
  observed: { ms: number; conc: number; blq: boolean }[];
  /** Largest LLOQ of the samples, model concentration unit; null when none given. */
  lloq: number | null;
  warnings: Issue[];
}

export interface TwinOptions {
  /** Posterior draws (default 200); 0 = MAP only. */
  samples?: number;
  seed?: number;
}

/** The levels the fit uses (as the server's analysis): at or after the first dose, not below the LLOQ. */
export function usedSamples(inputs: TwinInputs): TwinInputs['samples'] {
  const firstDoseMs = Math.min(...inputs.administrations.map((a) => Date.parse(a.at)));
  return inputs.samples.filter(
    (s) => Date.parse(s.at) >= firstDoseMs && !(s.lloq !== null && s.value < s.lloq),
  );
}

/** Build the twin: patient, MAP fit (a priori without levels) and draws. */
export function buildTwin(inputs: TwinInputs, options: TwinOptions = {}): Twin {
  const model = getModel(inputs.modelId);
  const ir = model.ir;
  const compiled = model.compiled();
  const warnings: Issue[] = [];
  if (!inputs.administrations.length)
    throw new DosetwinError([
      {
        code: 'DT_ANALYSIS_NO_DOSE',
        severity: 'error',
        field: 'administrations',
        message: 'the patient has no recorded dose',
      },
    ]);
  const resolved = covariatesOverTime(model, inputs.covariates);
  warnings.push(...resolved.warnings);
  const covariates = resolved.covariates;
  const used = usedSamples(inputs);
  const doses: ClinicalDose[] = inputs.administrations.map((a) => ({
    at: a.at,
    amount: a.amount,
    unit: a.unit,
    route: a.route,
    ...(a.duration ? { duration: a.duration } : {}),
  }));
  const samples = used.map((s) => ({ at: s.at, value: s.value, unit: s.unit }));
  const built = buildPatient(ir, { id: inputs.patientId, doses, samples, covariates });
  const history = built.patient;
  const sim = new Simulator(compiled);
  const nEta = ir.etas.length;
  const nDraws = options.samples ?? 200;
  const seed = options.seed ?? 1;
  let hasObs = false;
  for (let i = 0; i < history.n; i++) if (history.evid[i] === 0 && history.mdv[i] === 0) hasObs = true;

  let point: Float64Array | null = null;
  let draws: Float64Array[] = [];
  let fit: Twin['fit'] = null;
  if (hasObs) {
    const f = estimateMap(compiled, history);
    point = f.eta;
    const obj = new MapObjective(new Simulator(compiled), history);
    let acceptance = NaN;
    if (nDraws > 0) {
      const post = samplePosterior(obj, f.x, f.cov, { samples: nDraws, seed });
      const idx = ir.etas.map((e) => post.names.indexOf(e.name));
      for (let s = 0; s < post.size; s++)
        draws.push(Float64Array.from(idx, (j) => (j >= 0 ? post.draws[s * post.n + j] : 0)));
      acceptance = post.acceptance;
    }
    fit = { objective: f.objective, converged: f.converged, acceptance };
  } else {
    const L = new Float64Array(nEta * nEta);
    if (!cholesky(nEta, ir.omega.flat(), L))
      throw new DosetwinError([
        { code: 'DT_OMEGA', severity: 'error', field: 'random', message: 'Ω is not positive definite' },
      ]);
    const rng = createRng(seed);
    draws = Array.from({ length: nDraws }, () => {
      const z = Float64Array.from({ length: nEta }, () => rng.normal());
      return Float64Array.from({ length: nEta }, (_, i) => {
        let v = 0;
        for (let j = 0; j <= i; j++) v += L[i * nEta + j] * z[j];
        return v;
      });
    });
  }
  const concOf = (v: number, u: string): number => convert(v, u, ir.units.conc, 'samples.unit');
  const observed = inputs.samples.map((s) => ({
    ms: Date.parse(s.at),
    conc: concOf(s.value, s.unit),
    blq: s.lloq !== null && s.value < s.lloq,
  }));
  const lloqs = inputs.samples.filter((s) => s.lloq !== null).map((s) => concOf(s.lloq!, s.unit));
  const targetTexts = inputs.targets.length ? inputs.targets : defaultTargets(model);
  const targets = targetTexts.map((t, k) => parseTarget(t, ir.units.conc, ir.units.time, k + 1));
  return {
    model,
    ir,
    sim,
    kind: hasObs ? 'map' : 'a priori',
    point,
    draws,
    fit,
    targets,
    history,
    originMs: built.originMs,
    doses,
    samples,
    covariates,
    observed,
    lloq: lloqs.length ? Math.max(...lloqs) : null,
    warnings,
  };
}

export interface Forecast {
  /** Epoch ms of each grid point. */
  ms: Float64Array;
  /** Individual (MAP; typical a priori) prediction, model concentration unit. */
  ipred: Float64Array;
  /** Population (typical patient, etas 0) prediction. */
  pred: Float64Array;
  /** Credible band: 5 % and 95 % quantiles over the draws, at `bandMs`. */
  bandMs: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  /** Steady-state exposure of the regimen at the point estimate, and each target's metric. */
  exposure: { interval: Exposure; day: Exposure };
  metrics: { target: string; metric: string; value: number; met: boolean }[];
  /** Where the new regimen starts (ms). */
  startMs: number;
  /** Draws the band was computed from. */
  draws: number;
}

const GRID = 240;
/** Draws used for the credible band (the what-if must redraw within a frame or two). */
const BAND_DRAWS = 100;

/**
 * What a steady-state exposure needs: one model's history (model units, time 0 at `originMs`),
 * its point estimate and targets — a twin, or one model of a drug-level fit.
 */
export type ExposureView = Pick<Twin, 'ir' | 'sim' | 'history' | 'originMs' | 'point' | 'targets'>;

/** The model-time value of a clinical time. */
function modelTime(twin: ExposureView, ms: number): number {
  return convert((ms - twin.originMs) / 3_600_000, 'h', twin.ir.units.time);
}

/** The new regimen's doses (clinical), from its start to the horizon. */
export function regimenDoses(twin: Twin, r: Regimen, horizonMs: number): ClinicalDose[] {
  const depot = twin.ir.compartments.includes('depot');
  const startMs = Date.parse(r.start);
  const out: ClinicalDose[] = [];
  for (let k = 0; k < 200; k++) {
    const ms = startMs + k * r.intervalH * 3_600_000;
    if (ms >= horizonMs) break;
    const at = new Date(ms).toISOString();
    if (depot) out.push({ at, amount: r.dose, unit: r.doseUnit, route: 'oral' });
    else if (r.durationH > 0)
      out.push({
        at,
        amount: r.dose,
        unit: r.doseUnit,
        route: 'infusion',
        duration: { value: r.durationH, unit: 'h' },
      });
    else out.push({ at, amount: r.dose, unit: r.doseUnit, route: 'bolus' });
  }
  return out;
}

export function checkRegimen(r: Regimen): Issue[] {
  const issues: Issue[] = [];
  const bad = (field: string, message: string): void => {
    issues.push({ code: 'DT_REGIMEN', severity: 'error', field, message });
  };
  if (!(Number.isFinite(r.dose) && r.dose > 0)) bad('dose', `dose ${r.dose} must be > 0`);
  if (!(Number.isFinite(r.intervalH) && r.intervalH > 0))
    bad('interval', `interval ${r.intervalH} h must be > 0`);
  if (!(Number.isFinite(r.durationH) && r.durationH >= 0))
    bad('duration', `duration ${r.durationH} h must be ≥ 0`);
  else if (r.durationH > r.intervalH)
    bad('duration', `duration ${r.durationH} h is longer than the interval ${r.intervalH} h`);
  if (!Number.isFinite(Date.parse(r.start))) bad('start', `'${r.start}' is not a date-time`);
  return issues;
}

/** Steady-state patient of the regimen (as the recommendation evaluates candidates). */
function steadyStatePatient(
  twin: ExposureView,
  r: Regimen,
): { p: PatientData; from: number; tau: number; dur: number } {
  const h = twin.history;
  const last = h.n - 1;
  const cov = Array.from({ length: h.nCov }, (_, k) => h.cov[last * h.nCov + k]);
  const u = twin.ir.units;
  const dose = convert(r.dose, r.doseUnit, u.dose, 'dose');
  const tau = convert(r.intervalH, 'h', u.time, 'interval');
  const dur = convert(r.durationH, 'h', u.time, 'duration');
  const depot = twin.ir.compartments.indexOf('depot');
  const central = twin.ir.compartments.indexOf('central');
  const cmt = depot >= 0 ? depot + 1 : central + 1;
  const from = Math.max(modelTime(twin, Date.parse(r.start)), h.time[last]);
  const addl = Math.ceil(24 / tau) + 1;
  const p = patientFromRecords(
    h.id,
    [{ time: from, evid: 1, amt: dose, rate: dur > 0 ? dose / dur : 0, cmt, ii: tau, addl, ss: 1, cov }],
    h.nCov,
  );
  return { p, from, tau, dur };
}

function exposureAt(
  twin: ExposureView,
  ss: ReturnType<typeof steadyStatePatient>,
  eta: Float64Array | null,
  grid: number,
  /** Compute the 24-h window too (false: only the interval, when no target reads a daily metric). */
  daily = true,
) {
  const refine = twin.targets.some((t) => ['cmin', 'trough', 'c0', 'cmax', 'peak'].includes(t.metric));
  const q = { refineExtremes: refine, gridPoints: refine ? grid : 24 };
  const interval = computeExposure(twin.sim, ss.p, eta, { from: ss.from, to: ss.from + ss.tau, ...q });
  const day =
    ss.tau === 24 || !daily
      ? interval
      : computeExposure(twin.sim, ss.p, eta, { from: ss.from, to: ss.from + 24, ...q });
  return { interval, day };
}

/**
 * Forecast of the history followed by the regimen, 48 h past its start (at least two intervals):
 * individual and population curves and the 90 % credible band on a grid, and the steady-state
 * exposure of the regimen with each target's metric.
 */
export function forecast(twin: Twin, r: Regimen): Forecast {
  const issues = checkRegimen(r);
  if (issues.length) throw new DosetwinError(issues);
  const startMs = Date.parse(r.start);
  const horizonMs = startMs + Math.max(48, 2 * r.intervalH) * 3_600_000;
  const originIso = new Date(twin.originMs).toISOString();
  const built = buildPatient(twin.ir, {
    id: twin.history.id,
    doses: [...twin.doses, ...regimenDoses(twin, r, horizonMs)],
    samples: twin.samples,
    covariates: twin.covariates,
    origin: originIso,
  });
  const t1 = modelTime(twin, horizonMs);
  const times = Array.from({ length: GRID + 1 }, (_, i) => (t1 * i) / GRID);
  const p = withPredictionTimes(built.patient, times);
  const recs: number[] = [];
  for (let i = 0; i < p.n; i++) if (p.evid[i] === 2) recs.push(i);
  const n = recs.length;
  const out = new Float64Array(p.n);
  const ms = new Float64Array(n);
  const toMs = (t: number): number => twin.originMs + convert(t, twin.ir.units.time, 'h') * 3_600_000;
  recs.forEach((i, k) => (ms[k] = toMs(p.time[i])));
  const ipred = new Float64Array(n);
  twin.sim.run(p, twin.point, out);
  recs.forEach((i, k) => (ipred[k] = out[i]));
  const pred = new Float64Array(n);
  twin.sim.run(p, null, out);
  recs.forEach((i, k) => (pred[k] = out[i]));
  // Band: quantiles over the draws (at most BAND_DRAWS) on every other grid point. Before the new
  // regimen starts, the band depends only on the history and the draws: it is kept from the
  // previous forecast on the same grid, and the draws are simulated at the later points only.
  const bandTimes = times.filter((_, i) => i % 2 === 0);
  const tStart = modelTime(twin, startMs);
  const nPre = bandTimes.findIndex((t) => t >= tStart);
  const pre = nPre < 0 ? bandTimes : bandTimes.slice(0, nPre);
  const post = nPre < 0 ? [] : bandTimes.slice(nPre);
  const S = Math.min(BAND_DRAWS, twin.draws.length);
  const preKey = `${S}|${pre.join(',')}`;
  let cached = bandCache.get(twin);
  if (!cached || cached.key !== preKey) {
    cached = { key: preKey, ...bandQuantiles(twin, built.patient, pre, S) };
    bandCache.set(twin, cached);
  }
  const after = bandQuantiles(twin, built.patient, post, S);
  const nb = cached.ms.length + after.ms.length;
  const join = (a: Float64Array, b: Float64Array): Float64Array => {
    const out = new Float64Array(nb);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const bandMs = join(cached.ms, after.ms);
  const lo = join(cached.lo, after.lo);
  const hi = join(cached.hi, after.hi);
  const good = post.length ? after.draws : cached.draws;
  const { exposure, metrics } = regimenMetrics(twin, r);
  return { ms, ipred, pred, bandMs, lo, hi, exposure, metrics, startMs, draws: good };
}

/** Steady-state exposure of a regimen at the point estimate, and each target's metric. */
export function regimenMetrics(
  twin: ExposureView,
  r: Regimen,
): { exposure: { interval: Exposure; day: Exposure }; metrics: Forecast['metrics'] } {
  const ss = steadyStatePatient(twin, r);
  const exposure = exposureAt(twin, ss, twin.point, 200);
  const metrics = twin.targets.map((t) => {
    const value = metricValue(t, exposure.interval, exposure.day);
    return { target: t.text, metric: t.metric, value, met: inTarget(t, value) };
  });
  return { exposure, metrics };
}

/** Probability of attaining each target, and all, at steady state over the draws. */
export function attainment(
  twin: Twin,
  r: Regimen,
  maxDraws = 100,
): { each: number[]; all: number; draws: number } {
  const ss = steadyStatePatient(twin, r);
  const hits = twin.targets.map(() => 0);
  let all = 0;
  const D = Math.min(maxDraws, twin.draws.length);
  const needsDay = twin.targets.some((t) => t.metric === 'auc24' || t.metric === 'fauc_mic');
  for (let s = 0; s < D; s++) {
    const e = exposureAt(twin, ss, twin.draws[s], 48, needsDay);
    let ok = true;
    twin.targets.forEach((t, k) => {
      if (inTarget(t, metricValue(t, e.interval, e.day))) hits[k]++;
      else ok = false;
    });
    if (ok) all++;
  }
  return { each: hits.map((h) => h / D), all: all / D, draws: D };
}

/** The band before the new regimen, per twin: its grid and quantiles (see {@link forecast}). */
const bandCache = new WeakMap<
  Twin,
  { key: string; ms: Float64Array; lo: Float64Array; hi: Float64Array; draws: number }
>();

/** 5 % and 95 % quantiles over the first S draws at model times `times` (draws that fail are left out). */
function bandQuantiles(
  twin: Twin,
  patient: PatientData,
  times: number[],
  S: number,
): { ms: Float64Array; lo: Float64Array; hi: Float64Array; draws: number } {
  if (!times.length) {
    const none = new Float64Array(0);
    return { ms: none, lo: none, hi: none, draws: 0 };
  }
  const pb = withPredictionTimes(patient, times);
  const brecs: number[] = [];
  for (let i = 0; i < pb.n; i++) if (pb.evid[i] === 2) brecs.push(i);
  const nb = brecs.length;
  const toMs = (t: number): number => twin.originMs + convert(t, twin.ir.units.time, 'h') * 3_600_000;
  const ms = Float64Array.from(brecs, (i) => toMs(pb.time[i]));
  const outB = new Float64Array(pb.n);
  const values = new Float64Array(nb * S);
  let good = 0;
  for (let s = 0; s < S; s++) {
    try {
      twin.sim.run(pb, twin.draws[s], outB);
    } catch {
      continue;
    }
    for (let k = 0; k < nb; k++) values[k * S + good] = outB[brecs[k]];
    good++;
  }
  const lo = new Float64Array(nb);
  const hi = new Float64Array(nb);
  const col = new Float64Array(good);
  for (let k = 0; k < nb; k++) {
    for (let s = 0; s < good; s++) col[s] = values[k * S + s];
    col.sort();
    lo[k] = quantile(col, 0.05);
    hi[k] = quantile(col, 0.95);
  }
  return { ms, lo, hi, draws: good };
}

/** Type-7 quantile of sorted values. */
function quantile(v: Float64Array, p: number): number {
  if (!v.length) return NaN;
  const h = (v.length - 1) * p;
  const i = Math.floor(h);
  const j = Math.min(v.length - 1, i + 1);
  return v[i] + (h - i) * (v[j] - v[i]);
}
