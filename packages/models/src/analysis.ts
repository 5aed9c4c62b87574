/**
 * The clinical analysis of a dose-adjustment request, written once for the service (which stores
 * and signs it), the browser (which rebuilds the same twin in a worker for the what-if) and the
 * conformance tests: the clinical record read by the policy ({@link clinicalPatient}), the
 * library model's twin (MAP and posterior draws, or the typical patient and prior draws), the
 * ranked candidates of the model's products toward its targets with their probability of target
 * attainment, and the forecast with its credible band of the regimen shown.
 *
 * Times are clinical (ISO 8601 with a zone, epoch milliseconds) at this boundary and model time
 * inside; every regimen crosses it in the one {@link Regimen} shape.
 */
import {
  convert,
  createTwin,
  findMetric,
  DosetwinError,
  type Exposure,
  type FutureRegimen,
  type Issue,
  parseTarget,
  type PatientData,
  regimenPatient,
  hasIov,
  type Target,
  type Twin,
  type TwinOptions,
  withPredictionTimes,
} from '@dosetwin/engine';
import { dedupeIssues } from './issues.ts';
import {
  checkDrugPatient,
  type ClinicalRecord,
  clinicalPatient,
  type DrugPatient,
  modelPatient,
} from './patient.ts';
import { checkClinicalRecord, modelRoutes } from './plausibility.ts';
import { recordedWeightKg } from './limits.ts';
import { defaultTargets, modelPolicy, productSpace } from './policy.ts';
import { type Quantity, type Regimen, toFutureRegimen } from './regimen.ts';
import { recommendWithTwin } from './recommendation.ts';
import { getModel, type LibraryModel, shortCitation } from './registry.ts';

/** The inputs of an analysis as stored (the snapshot the fit was made from). */
export interface AnalysisInputs extends ClinicalRecord {
  modelId: string;
  /** Targets as text (`auc24=400..600 mg*h/L`); empty: the model's (its drug file's). */
  targets: string[];
  /** Time of the first new dose (ISO with zone); null: each interval's regimen when its next dose is due. */
  start: string | null;
  /** A loading target for the first administration of each candidate (`auc24=400..600 mg*h/L`), or none. */
  loadingTarget?: string | null;
  /** Start when the predicted level has fallen to this concentration (after a high level), or not. */
  startWhenBelow?: Quantity | null;
  /** The MIC of the pathogen, for MIC-based targets (fT>MIC, fAUC/MIC, Cmax/MIC), or none. */
  mic?: Quantity | null;
  /** The unbound fraction the MIC targets apply to (default 1: total concentrations). */
  fu?: number | null;
}

/** When the next dose is given after a high level: the threshold, the time, P(level ≤ threshold) then. */
export interface AnalysisNextDose {
  threshold: Quantity;
  at: string;
  probabilityBelow: number | null;
}

/** How the twin of an analysis is built and searched (the same everywhere, for the same answer). */
export interface AnalysisSettings {
  /** Posterior (prior) draws behind the PTA and the band (default 200). */
  samples?: number;
  /** Their seed (default 1). */
  seed?: number;
  /** Candidates listed (default 5). */
  maxCandidates?: number;
  /** An approved local version of the library model (`localLibraryModel`), used instead of the published one. */
  model?: LibraryModel;
}

export const ANALYSIS_DEFAULTS = { samples: 200, seed: 1, maxCandidates: 5 } as const;

const H = 3_600_000;

/** A clinical record's twin under one library model, with its clinical clock. */
export interface ClinicalTwin {
  model: LibraryModel;
  twin: Twin;
  /** The record as a drug-level patient (hours from the first dose, the record's units). */
  patient: DrugPatient;
  /** Time 0 (epoch ms): the first dose. */
  originMs: number;
  /** The targets (model units), in priority order, and their text. */
  targets: Target[];
  /** The MIC (model concentration unit) and unbound fraction MIC-based targets are read with. */
  mic: number | undefined;
  fu: number | undefined;
  /** Policy, covariate and twin warnings, each once. */
  warnings: Issue[];
  /** Unit conversions and derivations done. */
  notes: string[];
  /** Indices of the record's samples the fit uses. */
  usedSamples: number[];
  /** Every level of the record for the plot (model concentration unit): below the LLOQ, used by the fit. */
  observed: { ms: number; conc: number; blq: boolean; used: boolean }[];
  /** The largest LLOQ of the levels (model concentration unit), or null. */
  lloq: number | null;
  /** Model time of an epoch time, and back. */
  toTime(ms: number): number;
  toMs(t: number): number;
  /** The compartment (1-based) a dose by `route` goes to. */
  doseCmt(route: Regimen['route']): number;
}

/**
 * The twin of a clinical record under its library model: the record read by the policy, its
 * covariates resolved for the model (errors name the covariate), the MAP fit and draws.
 */
export function clinicalTwin(
  inputs: Pick<AnalysisInputs, 'modelId' | 'targets' | 'mic' | 'fu'> & ClinicalRecord,
  options: TwinOptions & { model?: LibraryModel } = {},
): ClinicalTwin {
  const model = options.model?.id === inputs.modelId ? options.model : getModel(inputs.modelId);
  const ir = model.ir;
  const cp = clinicalPatient(inputs);
  checkDrugPatient(cp.patient);
  // The record against the drug's plausibility bounds: what is refused at entry stops the
  // analysis, what needs an acknowledgement at entry is a warning the signature acknowledges.
  const plausibility = checkClinicalRecord(ir.drug || null, inputs, modelRoutes(ir));
  const refused = plausibility.filter((i) => i.severity === 'error');
  if (refused.length) throw new DosetwinError(refused);
  const mp = modelPatient(model, cp.patient);
  if (!mp.patient) throw new DosetwinError(mp.errors);
  const twin = createTwin(model.compiled(), mp.patient, {
    samples: options.samples ?? ANALYSIS_DEFAULTS.samples,
    seed: options.seed ?? ANALYSIS_DEFAULTS.seed,
    ...(options.map ? { map: options.map } : {}),
  });
  const texts = inputs.targets.length ? inputs.targets : defaultTargets(model);
  if (!texts.length)
    throw new DosetwinError([
      {
        code: 'DT_TARGET',
        severity: 'error',
        field: 'targets',
        message: `model ${ir.id} has no default target; give targets`,
      },
    ]);
  const targets = texts.map((t, k) => {
    try {
      return parseTarget(t, ir.units.conc, ir.units.time, k + 1);
    } catch (e) {
      if (e instanceof DosetwinError)
        throw new DosetwinError(e.issues.map((i) => ({ ...i, field: `targets[${k}]` })));
      throw e;
    }
  });
  const mic = inputs.mic ? convert(inputs.mic.value, inputs.mic.unit, ir.units.conc, 'mic.unit') : undefined;
  const fu = inputs.fu ?? undefined;
  if (fu !== undefined && !(fu > 0 && fu <= 1))
    throw new DosetwinError([
      {
        code: 'DT_EXPOSURE_FU',
        severity: 'error',
        field: 'fu',
        message: `unbound fraction ${fu} must be in (0, 1]`,
      },
    ]);
  const micTargets = targets.filter((t) => findMetric(t.metric)?.mic);
  if (micTargets.length && mic === undefined)
    throw new DosetwinError([
      {
        code: 'DT_TARGET',
        severity: 'error',
        field: 'mic',
        message: `${micTargets.map((t) => t.text).join(', ')} needs the MIC of the pathogen`,
        hint: 'give the MIC with the analysis (e.g. 16 mg/L, the EUCAST Pseudomonas breakpoint for piperacillin), and the unbound fraction if not 1',
      },
    ]);
  // A twin's warning about a level names its data line: the record's sample instead.
  const sourceOf = (line: number): string | undefined => cp.patient.records[line - 1]?.source;
  const twinWarnings = twin.warnings.map((w) => {
    const m = /^data\[line (\d+)\]\.DV$/.exec(w.field);
    const src = m ? sourceOf(Number(m[1])) : undefined;
    return src ? { ...w, field: `${src}.value` } : w;
  });
  const depot = ir.compartments.indexOf('depot');
  const central = ir.compartments.indexOf('central');
  const originMs = cp.originMs;
  const conc = (v: number, unit: string, k: number): number =>
    convert(v, unit, ir.units.conc, `samples[${k}].unit`);
  const lloqs = inputs.samples.flatMap((x, k) => (x.lloq === null ? [] : [conc(x.lloq, x.unit, k)]));
  return {
    model,
    twin,
    patient: cp.patient,
    originMs,
    targets,
    mic,
    fu,
    warnings: dedupeIssues([...cp.warnings, ...plausibility, ...mp.warnings, ...twinWarnings]),
    notes: mp.notes,
    usedSamples: cp.usedSamples,
    observed: inputs.samples.map((x, k) => ({
      ms: Date.parse(x.at),
      conc: conc(x.value, x.unit, k),
      blq: x.lloq !== null && x.value < x.lloq,
      used: cp.usedSamples.includes(k),
    })),
    lloq: lloqs.length ? Math.max(...lloqs) : null,
    toTime: (ms) => convert((ms - originMs) / H, 'h', ir.units.time),
    toMs: (t) => originMs + convert(t, ir.units.time, 'h') * H,
    doseCmt: (route) => (route === 'oral' ? depot + 1 : central + 1),
  };
}

/** A target of an analysis: its text, metric and bounds in the model's units. */
export interface AnalysisTarget {
  text: string;
  metric: string;
  lo: number | null;
  hi: number | null;
  priority: number;
}

/** One target's metric under a regimen at the point estimate. */
export interface MetricValue {
  target: string;
  metric: string;
  value: number;
  met: boolean;
}

/** The probability over the draws of attaining each target and all of them. */
export interface Attainment {
  each: number[];
  all: number;
  draws: number;
}

/** One ranked candidate regimen (of one model, or averaged over the drug's models). */
export interface AnalysisCandidate {
  rank: number;
  regimen: Regimen;
  /** How each dose is made of the strengths ([] when not known). */
  composition: { strength: number; count: number }[];
  /** Each target's metric at the point estimate (averaged over the models for a drug). */
  metrics: MetricValue[];
  /** Probability of attaining the targets over the draws (the mixture's for a drug). */
  pta: Attainment | null;
  /** The continuous dose that puts the primary target at its centre, before rounding (one model only). */
  exactDose: Quantity | null;
  /** Time from the start to 90 % of the steady-state AUC per interval, at the point estimate (one model only). */
  timeToSteadyState: Quantity | null;
  /** For a drug: each model's weight, metrics and PTA under this regimen; null for one model. */
  models: { id: string; weight: number; metrics: MetricValue[]; pta: Attainment | null }[] | null;
}

/** The curves of the history followed by a regimen, and the regimen's steady-state exposure. */
export interface RegimenForecast {
  regimen: Regimen;
  concUnit: string;
  /** Epoch ms of the curve, the individual (MAP; typical a priori) and population predictions. */
  times: number[];
  ipred: number[];
  pred: number[];
  /** The 90 % credible band: 5 % and 95 % quantiles over the draws (at every other time). */
  band: { times: number[]; lo: number[]; hi: number[]; draws: number };
  /** Each target's metric at steady state at the point estimate. */
  metrics: MetricValue[];
  /** Steady-state exposure at the point estimate (model units). */
  exposure: { aucInterval: number; auc24: number; cmin: number; cmax: number };
  /** Where the regimen starts (epoch ms). */
  startMs: number;
}

export interface ClinicalAnalysis {
  model: {
    id: string;
    version: string;
    citation: string;
    units: { dose: string; time: string; conc: string };
  };
  method: Twin['method'];
  fit: {
    kind: 'map' | 'a priori';
    converged: boolean;
    /** MAP objective, and NONMEM's OBJ (null a priori). */
    objective: number | null;
    obj: number | null;
    etaNames: string[];
    /** Etas in model order (inter-occasion etas 0: a future occasion's). */
    eta: number[];
    /** The model's individual values at the last record (model units). */
    parameters: Record<string, number>;
    /** Each level used: observed vs individual prediction (model concentration unit). */
    observations: { at: string; observed: number; predicted: number; censored: boolean }[];
    /**
     * Each past dosing interval holding a level, and its exposure at the point estimate with the
     * interval's own inter-occasion etas (model units: conc·time, conc).
     */
    intervals: {
      from: string;
      to: string;
      levels: number;
      auc: number;
      cavg: number;
      cmin: number;
      cmax: number;
    }[];
    /** Draws behind the PTA and the band, and the sampler's acceptance rate. */
    draws: number;
    acceptance: number | null;
    seed: number;
  };
  targets: AnalysisTarget[];
  candidates: AnalysisCandidate[];
  /** The forecast of candidate 1 (what the page opens on), with its band. */
  forecast: RegimenForecast | null;
  /** With a start-when-below threshold: when the predicted level has fallen to it. */
  nextDose: AnalysisNextDose | null;
  warnings: Issue[];
  /** Unit conversions and derivations. */
  conversions: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The regimen of an engine candidate (model units) in the clinical shape. */
function candidateRegimen(
  ct: ClinicalTwin,
  c: {
    start: number;
    dose: number;
    interval: number;
    duration: number;
    loadingDose: number;
    loadingDuration: number;
  },
): Regimen {
  const u = ct.model.ir.units;
  const oral = ct.model.ir.compartments.includes('depot');
  const q = (value: number, unit: string): Quantity => ({ value, unit });
  return {
    dose: q(c.dose, u.dose),
    interval: q(c.interval, u.time),
    route: oral ? 'oral' : c.duration > 0 ? 'infusion' : 'bolus',
    duration: c.duration > 0 ? q(c.duration, u.time) : null,
    start: iso(ct.toMs(c.start)),
    loading:
      c.loadingDose > 0
        ? {
            dose: q(c.loadingDose, u.dose),
            duration: c.loadingDuration > 0 ? q(c.loadingDuration, u.time) : null,
          }
        : null,
  };
}

/** A clinical regimen as the engine's, in the twin's model time; its start must be after the last record. */
export function futureRegimen(ct: ClinicalTwin, r: Regimen): FutureRegimen {
  const h = ct.twin.history;
  const last = h.time[h.n - 1];
  if (r.start === null)
    throw new DosetwinError([regimenIssue('regimen.start', 'the regimen has no start time')]);
  const ms = Date.parse(r.start);
  if (!Number.isFinite(ms))
    throw new DosetwinError([regimenIssue('regimen.start', `'${r.start}' is not a date-time`)]);
  const start = ct.toTime(ms);
  if (start < last - 1e-9)
    throw new DosetwinError([
      regimenIssue(
        'regimen.start',
        `the new regimen starts at ${r.start}, before the last record (${iso(ct.toMs(last))})`,
        'start it at or after the last dose or level',
      ),
    ]);
  return toFutureRegimen(r, ct.model.ir.units, Math.max(start, last), ct.doseCmt(r.route));
}

function regimenIssue(field: string, message: string, hint?: string): Issue {
  return { code: 'DT_REGIMEN', severity: 'error', field, message, ...(hint ? { hint } : {}) };
}

/** Check a regimen's numbers (what the what-if and a 'modify' decision send). */
export function checkRegimen(r: Regimen): Issue[] {
  const issues: Issue[] = [];
  const pos = (q: Quantity | null, field: string, zeroOk = false): void => {
    if (!q) return;
    if (!(Number.isFinite(q.value) && (zeroOk ? q.value >= 0 : q.value > 0)))
      issues.push(regimenIssue(field, `${q.value} ${q.unit} must be a number ${zeroOk ? '≥' : '>'} 0`));
  };
  pos(r.dose, 'regimen.dose');
  pos(r.interval, 'regimen.interval');
  pos(r.duration, 'regimen.duration', true);
  if (r.loading) {
    pos(r.loading.dose, 'regimen.loading.dose');
    pos(r.loading.duration, 'regimen.loading.duration', true);
  }
  if (r.route === 'infusion' && !r.duration)
    issues.push(regimenIssue('regimen.duration', 'an infusion needs its duration'));
  if (r.route !== 'infusion' && r.duration)
    issues.push(regimenIssue('regimen.duration', `a ${r.route} dose has no infusion duration`));
  if (!issues.length && r.duration) {
    try {
      if (convert(r.duration.value, r.duration.unit, 'h') > convert(r.interval.value, r.interval.unit, 'h'))
        issues.push(
          regimenIssue(
            'regimen.duration',
            `the infusion (${r.duration.value} ${r.duration.unit}) is longer than the interval (${r.interval.value} ${r.interval.unit})`,
          ),
        );
    } catch (e) {
      if (e instanceof DosetwinError) issues.push(...e.issues);
      else throw e;
    }
  }
  return issues;
}

/** Points of the forecast's curve, and draws behind its band (the what-if redraws it at each edit). */
const GRID = 240;
export const BAND_DRAWS = 100;

/** The regimen's doses given until the forecast's horizon (≥ 48 h and two intervals after its start). */
function forecastPatient(ct: ClinicalTwin, fr: FutureRegimen): { p: PatientData; horizon: number } {
  const u = ct.model.ir.units.time;
  const horizon = fr.start + Math.max(convert(48, 'h', u, 'time'), 2 * fr.interval);
  const count = Math.max(1, Math.ceil((horizon - fr.start) / fr.interval));
  const p = regimenPatient(ct.twin.history, { ...fr, count }, { closeOccasion: hasIov(ct.twin.sim) });
  return { p, horizon };
}

/** The band before the new regimen, per twin (it depends only on the history and the draws). */
const bandCache = new WeakMap<
  Twin,
  { key: string; times: number[]; lo: number[]; hi: number[]; draws: number }
>();

/**
 * Forecast of the history followed by a regimen: the individual and population curves on a grid
 * from the first dose to the horizon, the 90 % credible band over the first {@link BAND_DRAWS}
 * draws (type-7 quantiles, draws whose simulation fails left out), and each target's metric at
 * steady state. Before the regimen starts the band depends only on the history: it is kept
 * between forecasts of the same twin on the same grid, and the draws are simulated at the later
 * points only (the what-if redraws within a frame).
 */
export function forecastClinical(ct: ClinicalTwin, r: Regimen): RegimenForecast {
  const issues = checkRegimen(r);
  if (issues.length) throw new DosetwinError(issues);
  const fr = futureRegimen(ct, r);
  const { p: patient, horizon } = forecastPatient(ct, fr);
  const sim = ct.twin.sim;
  const grid = Array.from({ length: GRID + 1 }, (_, i) => (horizon * i) / GRID);
  const run = (times: number[], eta: ArrayLike<number> | null): number[] => {
    const p = withPredictionTimes(patient, times);
    const out = new Float64Array(p.n);
    sim.run(p, eta, out);
    const v: number[] = [];
    for (let i = 0; i < p.n; i++) if (p.evid[i] === 2 && p.line[i] === 0) v.push(out[i]);
    return v;
  };
  const ipred = run(grid, ct.twin.point);
  const pred = run(grid, null);
  const bandTimes = grid.filter((_, i) => i % 2 === 0);
  const nPre = bandTimes.findIndex((t) => t >= fr.start);
  const pre = nPre < 0 ? bandTimes : bandTimes.slice(0, nPre);
  const post = nPre < 0 ? [] : bandTimes.slice(nPre);
  const S = Math.min(BAND_DRAWS, ct.twin.draws.length);
  const key = `${S}|${pre.join(',')}`;
  let before = bandCache.get(ct.twin);
  if (!before || before.key !== key) {
    before = { key, ...bandQuantiles(ct, patient, pre, S) };
    bandCache.set(ct.twin, before);
  }
  const after = bandQuantiles(ct, patient, post, S);
  // The PTA is asked for apart (attainmentClinical): the curve is drawn without waiting for it.
  const e = ct.twin.evaluate(fr, ct.targets, {
    skipSteadyState: true,
    skipAttainment: true,
    mic: ct.mic,
    fu: ct.fu,
  });
  return {
    regimen: r,
    concUnit: ct.model.ir.units.conc,
    times: grid.map(ct.toMs),
    ipred,
    pred,
    band: {
      times: [...before.times, ...after.times],
      lo: [...before.lo, ...after.lo],
      hi: [...before.hi, ...after.hi],
      draws: post.length ? after.draws : before.draws,
    },
    metrics: metricValues(ct.targets, e.metrics, e.met),
    exposure: exposureSummary(e.exposure),
    startMs: ct.toMs(fr.start),
  };
}

function exposureSummary(e: { interval: Exposure; day: Exposure }): RegimenForecast['exposure'] {
  return { aucInterval: e.interval.auc, auc24: e.day.auc, cmin: e.interval.cmin, cmax: e.interval.cmax };
}

function metricValues(
  targets: readonly Target[],
  values: readonly number[],
  met: readonly boolean[],
): MetricValue[] {
  return targets.map((t, k) => ({ target: t.text, metric: t.metric, value: values[k], met: met[k] }));
}

/** 5 % and 95 % quantiles over the first S draws at model times `times` (draws that fail are left out). */
function bandQuantiles(
  ct: ClinicalTwin,
  patient: PatientData,
  times: number[],
  S: number,
): { times: number[]; lo: number[]; hi: number[]; draws: number } {
  if (!times.length) return { times: [], lo: [], hi: [], draws: 0 };
  const pb = withPredictionTimes(patient, times);
  const recs: number[] = [];
  for (let i = 0; i < pb.n; i++) if (pb.evid[i] === 2 && pb.line[i] === 0) recs.push(i);
  const n = recs.length;
  const out = new Float64Array(pb.n);
  const values = new Float64Array(n * S);
  let good = 0;
  for (let s = 0; s < S; s++) {
    try {
      ct.twin.sim.run(pb, ct.twin.draws[s], out);
    } catch {
      continue;
    }
    for (let k = 0; k < n; k++) values[k * S + good] = out[recs[k]];
    good++;
  }
  const lo: number[] = [];
  const hi: number[] = [];
  const col = new Float64Array(good);
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < good; s++) col[s] = values[k * S + s];
    col.sort();
    lo.push(quantile(col, 0.05));
    hi.push(quantile(col, 0.95));
  }
  return { times: recs.map((i) => ct.toMs(pb.time[i])), lo, hi, draws: good };
}

/** Type-7 quantile of sorted values. */
function quantile(v: Float64Array, p: number): number {
  if (!v.length) return NaN;
  const h = (v.length - 1) * p;
  const i = Math.floor(h);
  const j = Math.min(v.length - 1, i + 1);
  return v[i] + (h - i) * (v[j] - v[i]);
}

/** The probability over all the twin's draws of attaining each target and all of them with a regimen, at steady state. */
export function attainmentClinical(ct: ClinicalTwin, r: Regimen): Attainment | null {
  if (!ct.twin.draws.length) return null;
  return ct.twin.attainment(futureRegimen(ct, r), ct.targets, { mic: ct.mic, fu: ct.fu });
}

/**
 * The analysis of a request: the twin of the record, the candidates of the model's products (each
 * interval's regimen when its next dose is due, or from the start asked), their PTA over the
 * draws, and the forecast of candidate 1 with its band.
 */
export function analyse(inputs: AnalysisInputs, settings: AnalysisSettings = {}): ClinicalAnalysis {
  const samples = settings.samples ?? ANALYSIS_DEFAULTS.samples;
  const seed = settings.seed ?? ANALYSIS_DEFAULTS.seed;
  const ct = clinicalTwin(inputs, { samples, seed, ...(settings.model ? { model: settings.model } : {}) });
  const { model, twin } = ct;
  const ir = model.ir;
  const space = productSpace(model);
  const h = twin.history;
  const warnings = [...ct.warnings];
  let starts: number[] | undefined;
  if (inputs.start !== null) {
    if (inputs.startWhenBelow)
      throw new DosetwinError([
        {
          code: 'DT_ANALYSIS_START',
          severity: 'error',
          field: 'startWhenBelow',
          message: 'give either the start of the new regimen or the level it waits for, not both',
        },
      ]);
    const t = ct.toTime(Date.parse(inputs.start));
    if (!(t >= h.time[h.n - 1]))
      throw new DosetwinError([
        {
          code: 'DT_ANALYSIS_START',
          severity: 'error',
          field: 'start',
          message: `the first new dose (${inputs.start}) must be after the last record (${iso(ct.toMs(h.time[h.n - 1]))})`,
        },
      ]);
    starts = [t];
  }
  const threshold = inputs.startWhenBelow
    ? convert(inputs.startWhenBelow.value, inputs.startWhenBelow.unit, ir.units.conc, 'startWhenBelow.unit')
    : undefined;
  let loadingTarget: Target | undefined;
  if (inputs.loadingTarget)
    try {
      loadingTarget = parseTarget(inputs.loadingTarget, ir.units.conc, ir.units.time, 1);
    } catch (e) {
      if (e instanceof DosetwinError)
        throw new DosetwinError(e.issues.map((i) => ({ ...i, field: 'loadingTarget' })));
      throw e;
    }
  const route = ir.compartments.includes('depot') ? 'oral' : 'infusion';
  const weightKg = recordedWeightKg(ct.patient);
  const { engine, nextDose } = recommendWithTwin(
    twin,
    {
      targets: ct.targets.map((t) => t.text),
      space: {
        intervals: space.intervals,
        durations: space.durations,
        ...(space.strengths.length ? { strengths: space.strengths } : {}),
        cmt: ct.doseCmt(route),
      },
      ...(starts ? { starts } : {}),
      ...(threshold !== undefined ? { startWhenBelow: threshold } : {}),
      ...(ct.mic !== undefined ? { mic: ct.mic, fu: ct.fu } : {}),
      // The products' limits of administration, per-kg ones with the recorded weight.
      limits: modelPolicy(model).limits,
      ...(weightKg !== null ? { weightKg } : {}),
      horizon: 'steady-state',
      samples,
      seed,
      optimiseFor: 'target',
      maxCandidates: settings.maxCandidates ?? ANALYSIS_DEFAULTS.maxCandidates,
    },
    ct.targets,
    loadingTarget,
  );
  warnings.push(...engine.warnings);
  const u = ir.units;
  const candidates: AnalysisCandidate[] = engine.candidates.map((c, k) => ({
    rank: k + 1,
    regimen: candidateRegimen(ct, c),
    composition: c.units,
    metrics: metricValues(ct.targets, c.metrics, c.met),
    pta: c.pta ? { ...c.pta, draws: twin.draws.length } : null,
    exactDose: { value: c.exactDose, unit: u.dose },
    timeToSteadyState:
      c.timeToSteadyState !== undefined ? { value: c.timeToSteadyState, unit: u.time } : null,
    models: null,
  }));
  const fit = twin.fit;
  const cp = ct.patient;
  return {
    model: {
      id: ir.id,
      version: ir.version,
      citation: ir.citation?.text ?? shortCitation(ir),
      units: { dose: u.dose, time: u.time, conc: u.conc },
    },
    method: twin.method,
    fit: {
      kind: fit ? 'map' : 'a priori',
      converged: fit ? fit.converged : true,
      objective: fit ? fit.objective : null,
      obj: fit && Number.isFinite(fit.obj) ? fit.obj : null,
      etaNames: ir.etas.map((e) => e.name),
      eta: fit ? Array.from(fit.eta) : ir.etas.map(() => 0),
      parameters: twin.parameters(),
      observations: fit
        ? fit.ipred.map((o) => ({
            at: iso(ct.toMs(h.time[o.record])),
            observed: h.dv[o.record],
            predicted: o.ipred,
            censored: cp.records[h.line[o.record] - 1]?.cens === 1,
          }))
        : [],
      intervals: twin.sampledExposure().map((x) => ({
        from: iso(ct.toMs(x.from)),
        to: iso(ct.toMs(x.to)),
        levels: x.levels,
        auc: x.auc,
        cavg: x.cavg,
        cmin: x.cmin,
        cmax: x.cmax,
      })),
      draws: twin.draws.length,
      acceptance: twin.acceptance,
      seed,
    },
    targets: ct.targets.map((t) => ({
      text: t.text,
      metric: t.metric,
      lo: t.lo,
      hi: t.hi,
      priority: t.priority,
    })),
    candidates,
    forecast: candidates.length ? forecastClinical(ct, candidates[0].regimen) : null,
    nextDose: nextDose
      ? {
          threshold: { value: nextDose.threshold, unit: ir.units.conc },
          at: iso(ct.toMs(nextDose.time)),
          probabilityBelow: nextDose.probabilityBelow,
        }
      : null,
    warnings: dedupeIssues(warnings),
    conversions: ct.notes,
  };
}

/** What a decision retains, evaluated as the page showed it: the regimen, its forecast with band, its PTA. */
export interface RetainedRegimen {
  regimen: Regimen;
  forecast: RegimenForecast;
  pta: Attainment | null;
}

/** Evaluate the regimen a pharmacologist retains (a candidate or their own) on the analysis's inputs. */
export function evaluateRetained(
  inputs: AnalysisInputs,
  regimen: Regimen,
  settings: AnalysisSettings = {},
): RetainedRegimen {
  const ct = clinicalTwin(inputs, {
    samples: settings.samples ?? ANALYSIS_DEFAULTS.samples,
    seed: settings.seed ?? ANALYSIS_DEFAULTS.seed,
    ...(settings.model ? { model: settings.model } : {}),
  });
  return { regimen, forecast: forecastClinical(ct, regimen), pta: attainmentClinical(ct, regimen) };
}
