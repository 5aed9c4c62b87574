/**
 * `dosetwin recommend --drug NAME`: a dose recommendation averaged over the library models of one
 * drug (model averaging, Uster DW et al. Clin Pharmacol Ther 2021;109(1):175-183), for a user who
 * picks a drug rather than a model.
 *
 * Method, per patient:
 * 1. every candidate model of the drug is fitted to the same doses and levels (MAP) and weighed,
 *    w_m ∝ exp(−½·OFV_m) or the AIC variant (`fitDrug`, options --scheme, --criterion,
 *    --formulation, --models, --outside-domain);
 * 2. every model of weight ≥ {@link GENERATING_WEIGHT} proposes its own ranked candidate regimens
 *    (the recommendation search of `recommend --model`, the settings converted to the model's
 *    units); a model below it still counts in step 3 but proposes nothing (its weight is too small
 *    to make a regimen worth listing on its own);
 * 3. the regimens proposed are pooled (the same start, dose, interval, infusion duration and
 *    loading dose in the data's units, rel. 1e-9, are one regimen);
 * 4. each pooled regimen is evaluated under every model of weight > 0 (`pinnedSpace`: exactly that
 *    regimen, from the same start converted to the model's time unit), at the model's MAP etas
 *    for the metrics and over the model's own posterior draws (the same --samples and --seed) for
 *    the probability of target attainment (a model's own search already evaluated the regimens it
 *    proposed exactly so: those evaluations are reused, the tests check they are the pinned ones);
 * 5. the evaluations are combined (`combineCandidates`): each metric is the weighted mean Σ w·m_i,
 *    the PTA the mixture's Σ w·PTA_i, the targets' `met` judged on the averaged metrics;
 *    With --loading-target, each model's search chooses the loading dose of its own candidates
 *    (the loading dose is part of the pooled regimen); the loading target's metric over the first
 *    window, from the patient's current state, is then evaluated for that loading dose under
 *    every model (MAP and draws) and combined the same way;
 *    With --start-when-below C, the regimens start when the model-averaged predicted level
 *    Σ w·C_m(t) (MAP, history only) falls to C — the single-model scan of the engine's
 *    `nextDoseTime` applied to the mixture's mean — every model then searching and evaluating
 *    from that common start; P(level ≤ C) then is the mixture's Σ w·P_m over each model's draws;
 * 6. the regimens are ranked as the engine ranks one model's candidates, on the averaged values:
 *    targets met by priority, then closeness of the averaged primary metric to the target's
 *    centre (log scale; or the mixture PTA first with --optimise pta), then fewer administrations
 *    (longer interval), earlier start, shorter infusion, then (regimens differing only by the
 *    loading dose different models chose) the averaged loading metric meeting its target and
 *    closest to its centre, then smaller dose; --max-candidates are listed.
 *
 * Every number the user gives (intervals, durations, strengths, limits, start times, MIC, targets
 * without a unit) is in the data's units, the ones its header states (`TIME (h)`, `AMT (mg)`,
 * `DV (mg/L)`), and so is every number printed.
 */
import {
  type Candidate,
  type Exposure,
  type FutureRegimen,
  type Issue,
  type PatientData,
  Simulator,
  type Target,
  compareKeys,
  computeExposure,
  convert,
  inTarget,
  metricValue,
  parseTarget,
  rankKey,
  recommend,
  regimenPatient,
  targetCentre,
  withPredictionTimes,
} from '@dosetwin/engine';
import {
  type AveragedCandidate,
  type DrugModelFit,
  type DrugPatient,
  type FitDrugOptions,
  type ModelCandidates,
  combineCandidates,
  fitDrug,
  metricFactor,
  pinnedSpace,
} from '@dosetwin/models';
import { argError } from '../io.ts';
import { patientState, type PatientState } from './patient-state.ts';
import { concentration, recommendFromState, type Settings } from './recommend-state.ts';

/** Smallest weight with which a model proposes regimens (every model of weight > 0 evaluates them). */
export const GENERATING_WEIGHT = 0.01;

type Units = { dose: string; time: string; conc: string };

/** A target (data units) in a model's units. */
function targetIn(t: Target, from: Units, to: Units): Target {
  const f = metricFactor(t.metric, from, to);
  return { ...t, lo: t.lo === null ? null : t.lo * f, hi: t.hi === null ? null : t.hi * f };
}

/** The command's settings (data units) in a model's units, `factors` = model value per data value. */
function settingsIn(s: Settings, factors: DrugModelFit['factors']): Settings {
  const t = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.time);
  const d = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.dose);
  return {
    ...s,
    space: {
      ...s.space,
      intervals: s.space.intervals.map((x) => x * factors.time),
      durations: s.space.durations?.map((x) => x * factors.time),
      strengths: s.space.strengths?.map((x) => x * factors.dose),
      maxDose: d(s.space.maxDose),
      maxDailyDose: d(s.space.maxDailyDose),
      loadingDose: d(s.space.loadingDose),
    },
    starts: s.starts?.map((x) => x * factors.time),
    maxLoadingDose: d(s.maxLoadingDose),
    loadingDuration: t(s.loadingDuration),
    mic: s.mic === undefined ? undefined : s.mic * factors.conc,
  };
}

/** A regimen in the data's units. */
interface Regimen {
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  /** Models whose own search proposed it. */
  proposedBy: string[];
  /**
   * Those models' own evaluations of it (model units): the search evaluates its candidates as
   * the pinned evaluation would (same start, dose, point and draws), so they are not redone.
   */
  own: Map<string, Candidate>;
}

const close = (a: number, b: number): boolean =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const sameRegimen = (a: Regimen, b: Regimen): boolean =>
  close(a.start, b.start) &&
  close(a.dose, b.dose) &&
  close(a.interval, b.interval) &&
  close(a.duration, b.duration) &&
  close(a.loadingDose, b.loadingDose);

/** One model of weight > 0, ready to evaluate regimens. */
interface Weighted {
  fit: DrugModelFit;
  sim: Simulator;
  state: PatientState;
  targets: Target[];
  loadingTarget?: Target;
  settings: Settings;
}

/** Cells of the scanning grid, and the first horizon (h), doubled up to 2^12 times: as the engine's `nextDoseTime`. */
const SCAN_POINTS = 200;
const FIRST_HORIZON_H = 24;

/**
 * When the model-averaged level Σ w·C_m(t) (data units; each model at its MAP etas, history only)
 * has fallen to `threshold` for good, from `after`: the scan and bisection of the engine's
 * `nextDoseTime` on the mixture's mean, and the mixture's probability Σ w·P_m(C ≤ threshold) then
 * over each model's draws.
 */
function mixtureNextDose(
  weighted: Weighted[],
  threshold: number,
  after: number,
  timeUnit: string,
): {
  threshold: number;
  time: number;
  probabilityBelow: number | null;
  models: { id: string; concentration: number; probabilityBelow: number | null }[];
} {
  let total = 0;
  for (const m of weighted) total += m.fit.weight;
  const conc = (m: Weighted, times: number[], eta: ArrayLike<number> | null): number[] => {
    const f = m.fit.factors;
    const p = withPredictionTimes(
      m.fit.patient,
      times.map((t) => t * f.time),
      m.sim.model.ir.errors[0]?.cmts[0] ?? 0,
    );
    const out = new Float64Array(p.n);
    m.sim.run(p, eta, out);
    const v: number[] = [];
    for (let i = 0; i < p.n; i++) if (p.evid[i] === 2 && p.line[i] === 0) v.push(out[i] / f.conc);
    return v;
  };
  const mean = (times: number[]): number[] => {
    const acc = new Array<number>(times.length).fill(0);
    for (const m of weighted) {
      const c = conc(m, times, m.state.point);
      for (let i = 0; i < times.length; i++) acc[i] += (m.fit.weight / total) * c[i];
    }
    return acc;
  };
  const at = (time: number): ReturnType<typeof mixtureNextDose> => {
    const models = weighted.map((m) => ({
      id: m.fit.id,
      concentration: conc(m, [time], m.state.point)[0],
      probabilityBelow: m.state.draws.length
        ? m.state.draws.filter((d) => conc(m, [time], d)[0] <= threshold).length / m.state.draws.length
        : null,
    }));
    let pr = 0;
    models.forEach((x, k) => (pr += (weighted[k].fit.weight / total) * (x.probabilityBelow ?? 0)));
    return {
      threshold,
      time,
      probabilityBelow: models.every((x) => x.probabilityBelow !== null) ? pr : null,
      models,
    };
  };
  let horizon = convert(FIRST_HORIZON_H, 'h', timeUnit, 'time');
  for (let doubling = 0; doubling <= 12; doubling++, horizon *= 2) {
    const times = Array.from({ length: SCAN_POINTS + 1 }, (_, i) => after + (horizon * i) / SCAN_POINTS);
    const c = mean(times);
    const n = c.length - 1;
    if (!(c[n] <= threshold && c[n] <= c[n - 1])) continue;
    let last = -1;
    for (let i = n; i >= 0; i--)
      if (c[i] > threshold) {
        last = i;
        break;
      }
    if (last < 0) return at(after);
    let lo = times[last];
    let hi = times[last + 1];
    for (let it = 0; it < 200 && hi - lo > 1e-12 * (times[last + 1] - times[last]); it++) {
      const mid = 0.5 * (lo + hi);
      if (mean([mid])[0] > threshold) lo = mid;
      else hi = mid;
    }
    return at(hi);
  }
  return argError(
    '--start-when-below',
    `the model-averaged level does not fall to ${threshold} within ${horizon / 2} ${timeUnit} after ${after}`,
  );
}

/** Metrics read at fixed times or over a window's extremes (need the refined grid), as the engine's search. */
const EXTREMES = new Set(['cmin', 'trough', 'c0', 'cmax', 'peak', 'cmax_mic']);
const MIC_METRICS = new Set(['ft_mic', 'fauc_mic', 'cmax_mic']);

/**
 * The loading target's metric of a regimen under one model (model units) at `eta`: over the first
 * interval (and the first 24 h for auc24, fAUC/MIC) from the start, the history included, the
 * first administration being the loading dose (or the maintenance dose when there is none, over
 * the loading duration when one is given) — the evaluation the engine's loading search makes
 * (engine `searchLoadingDose`, which has no entry for a given loading dose; the engine's own
 * value for its chosen dose is checked against this one in the tests).
 */
function loadingMetric(m: Weighted, r: Regimen, eta: Float64Array | null): number {
  const f = m.fit.factors;
  const t = m.loadingTarget!;
  const unit = m.fit.model.ir.units.time;
  const day = convert(24, 'h', unit, 'time');
  const start = r.start * f.time;
  const tau = r.interval * f.time;
  const dur = r.duration * f.time;
  const reg: FutureRegimen = {
    start,
    dose: r.dose * f.dose,
    interval: tau,
    duration: dur,
    cmt: 0,
    loadingDose: (r.loadingDose || r.dose) * f.dose,
    ...(m.settings.loadingDuration !== undefined ? { loadingDuration: m.settings.loadingDuration } : {}),
  };
  const p = regimenPatient(m.fit.patient, reg, { count: Math.ceil(day / tau) + 2 });
  const extremes = EXTREMES.has(t.metric);
  const q = {
    mic: m.settings.mic,
    fu: m.settings.fu,
    refineExtremes: extremes,
    gridPoints: extremes || MIC_METRICS.has(t.metric) ? 400 : 24,
  };
  const at = [start + dur + convert(1, 'h', unit, 'time')];
  const interval: Exposure = computeExposure(m.sim, p, eta, { from: start, to: start + tau, at, ...q });
  const needsDay = t.metric === 'auc24' || t.metric === 'fauc_mic';
  const first24 =
    tau === day || !needsDay
      ? interval
      : computeExposure(m.sim, p, eta, {
          from: start,
          to: start + day,
          ...q,
          refineExtremes: false,
          gridPoints: 24,
        });
  return metricValue(t, interval, first24);
}

export interface DrugCandidate {
  rank: number;
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  /** Model-averaged metric of each target (Σ w·metric), data units. */
  metrics: Record<string, number>;
  met: boolean[];
  /** Mixture probability of attaining each target and all of them (Σ w·PTA), or null without draws. */
  pta: { each: number[]; all: number } | null;
  proposedBy: string[];
  /**
   * With --loading-target: the loading dose (0 = none, the first administration is the
   * maintenance dose), the loading target's metric averaged over the models (data units), met on
   * it, the mixture's probability of attaining it, and each model's value.
   */
  loading?: {
    dose: number;
    duration: number;
    metric: number;
    met: boolean;
    pta: number | null;
    models: { id: string; metric: number; pta: number | null }[];
  };
  /** Each model's own values (data units) and whether they meet the targets. */
  models: {
    id: string;
    weight: number;
    metrics: Record<string, number>;
    met: boolean[];
    pta: { each: number[]; all: number } | null;
  }[];
}

export interface DrugRecommendation {
  id: string;
  drug: string;
  method: string;
  units: Units;
  targets: string[];
  loadingTarget?: string;
  horizon: Settings['horizon'];
  weights: {
    scheme: string;
    criterion: string;
    generatingWeight: number;
    models: {
      id: string;
      version: string;
      citation: string;
      /** The weights' OFV: −2 ln density of the levels in the data's units. */
      objective: number;
      /** NONMEM's OBJ in the model's units. */
      obj: number | null;
      weight: number;
      converged: boolean;
      /** Whether the model proposed regimens (weight ≥ generatingWeight). */
      proposes: boolean;
      /** `a posteriori (MAP)`, or `a priori (typical patient)` without levels. */
      method: string | null;
      /** Posterior draws (prior draws a priori) behind the model's PTA. */
      posteriorDraws: number;
    }[];
    excluded: { id: string; reason: string }[];
  };
  selected: string;
  inputs: Record<string, unknown>;
  /** With --start-when-below: when the averaged level falls to the threshold, and P(level ≤ threshold) then. */
  nextDose?: {
    threshold: number;
    time: number;
    probabilityBelow: number | null;
    models: { id: string; concentration: number; probabilityBelow: number | null }[];
  };
  /** Regimens pooled from the models' searches and evaluated under every model. */
  regimensEvaluated: number;
  candidates: DrugCandidate[];
  /** Every model's warnings, labelled with the model. */
  warnings: { model: string; code: string; field: string; message: string }[];
}

export const METHOD =
  `model averaging (Uster 2021): every model of the drug fitted (MAP) and weighed; regimens proposed by each ` +
  `model of weight ≥ ${GENERATING_WEIGHT}, pooled; each evaluated under every model of weight > 0 ` +
  `(same start, the model's MAP etas, its own posterior draws); metrics Σ w·metric, PTA Σ w·PTA; ` +
  `ranked by targets met, closeness of the averaged primary metric to its centre (or PTA), fewer administrations`;

/** Evaluate one regimen (data units) under one model: exactly that regimen, the model's units. */
function evaluateUnder(m: Weighted, r: Regimen, warnings: Issue[]): Candidate | null {
  const f = m.fit.factors;
  const s = m.settings;
  const res = recommend({
    sim: m.sim,
    history: m.fit.patient,
    point: m.state.point,
    draws: m.state.draws.length ? m.state.draws : undefined,
    targets: m.targets,
    space: pinnedSpace(
      {
        dose: r.dose * f.dose,
        interval: r.interval * f.time,
        duration: r.duration * f.time,
        ...(r.loadingDose > 0 ? { loadingDose: r.loadingDose * f.dose } : {}),
      },
      r.start * f.time,
    ),
    horizon: s.horizon,
    mic: s.mic,
    fu: s.fu,
    optimiseFor: s.optimiseFor,
    maxCandidates: 1,
  });
  // The pinned space's dose bounds are the regimen itself: its DT_DOSE_LIMIT warnings are noise.
  warnings.push(...res.warnings.filter((w) => w.code !== 'DT_DOSE_LIMIT'));
  return res.candidates[0] ?? null;
}

/**
 * The model-averaged recommendation for one patient of a drug-level dataset (see the module
 * documentation for the method). `s` is in the data's units.
 */
export function recommendDrugForPatient(
  drug: string,
  patient: DrugPatient,
  s: Settings,
  options: FitDrugOptions,
): DrugRecommendation {
  const units = patient.units;
  const fit = fitDrug(drug, patient, options);
  const targets = s.targets.map((t, i) => parseTarget(t, units.conc, units.time, i + 1));
  const loadingTarget = s.loadingTarget ? parseTarget(s.loadingTarget, units.conc, units.time, 1) : undefined;
  const warnings: DrugRecommendation['warnings'] = [];
  const seen = new Set<string>();
  const warn = (model: string, list: readonly Issue[]): void => {
    for (const w of list) {
      const message = w.message.startsWith(`${model}: `) ? w.message.slice(model.length + 2) : w.message;
      const key = `${model}|${w.code}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push({ model, code: w.code, field: w.field, message });
    }
  };
  for (const x of fit.excluded)
    warn(x.id, [
      { code: 'DT_AVERAGE_EXCLUDED', severity: 'warning', field: `models.${x.id}`, message: x.reason },
    ]);
  const weighted: Weighted[] = [];
  for (const m of fit.models) {
    warn(m.id, m.warnings);
    if (!(m.weight > 0)) continue;
    const compiled = m.model.compiled();
    const state = patientState(compiled, m.patient, { samples: s.samples, seed: s.seed });
    warn(
      m.id,
      // The validity domain is already reported by the fit, per covariate.
      state.warnings.filter(
        (w) => w.code !== 'DT_DOMAIN_OUTSIDE' || !m.warnings.some((x) => x.code === w.code),
      ),
    );
    const mu = m.model.ir.units;
    weighted.push({
      fit: m,
      sim: new Simulator(compiled),
      state,
      targets: targets.map((t) => targetIn(t, units, mu)),
      ...(loadingTarget ? { loadingTarget: targetIn(loadingTarget, units, mu) } : {}),
      settings: settingsIn(s, m.factors),
    });
  }

  // --start-when-below: one start for every model, when the averaged level has fallen.
  let nextDose: DrugRecommendation['nextDose'];
  if (s.startWhenBelow !== undefined) {
    const last = patient.records[patient.records.length - 1].time;
    nextDose = mixtureNextDose(
      weighted,
      concentration(s.startWhenBelow, units.conc, '--start-when-below'),
      last,
      units.time,
    );
    for (const m of weighted)
      m.settings = { ...m.settings, startWhenBelow: undefined, starts: [nextDose.time * m.fit.factors.time] };
  }

  // Steps 2-3: each model of weight ≥ GENERATING_WEIGHT proposes; the regimens are pooled.
  const pool: Regimen[] = [];
  for (const m of weighted) {
    if (m.fit.weight < GENERATING_WEIGHT) continue;
    const { engine } = recommendFromState(
      m.fit.model.compiled(),
      m.fit.patient,
      m.settings,
      m.state,
      m.targets,
      m.loadingTarget,
    );
    warn(m.fit.id, engine.warnings);
    const f = m.fit.factors;
    for (const c of engine.candidates) {
      const r: Regimen = {
        start: c.start / f.time,
        dose: c.dose / f.dose,
        interval: c.interval / f.time,
        duration: c.duration / f.time,
        loadingDose: c.loadingDose / f.dose,
        proposedBy: [m.fit.id],
        own: new Map([[m.fit.id, c]]),
      };
      const known = pool.find((x) => sameRegimen(x, r));
      if (known) {
        known.proposedBy.push(m.fit.id);
        known.own.set(m.fit.id, c);
      } else pool.push(r);
    }
  }

  // Steps 4-5: every pooled regimen under every weighted model, combined.
  const evalWarnings = new Map<string, Issue[]>(weighted.map((m) => [m.fit.id, []]));
  const averaged: (AveragedCandidate & { start: number; proposedBy: string[]; regimen: Regimen })[] = [];
  for (const r of pool) {
    const per: ModelCandidates[] = [];
    let missing: string | null = null;
    for (const m of weighted) {
      const c = r.own.get(m.fit.id) ?? evaluateUnder(m, r, evalWarnings.get(m.fit.id)!);
      if (!c) {
        missing = m.fit.id;
        break;
      }
      per.push({
        id: m.fit.id,
        weight: m.fit.weight,
        units: m.fit.model.ir.units,
        targets: m.targets,
        candidates: [c],
      });
    }
    if (missing !== null) {
      warn(missing, [
        {
          code: 'DT_AVERAGE_REGIMEN',
          severity: 'warning',
          field: 'candidates',
          message: `${r.dose} ${units.dose} every ${r.interval} ${units.time} cannot be evaluated under this model (no steady state): left out`,
        },
      ]);
      continue;
    }
    const [c] = combineCandidates(per, units);
    averaged.push({ ...c, start: r.start, proposedBy: r.proposedBy, regimen: r });
  }
  for (const [id, list] of evalWarnings) warn(id, list);

  let totalWeight = 0;
  for (const m of weighted) totalWeight += m.fit.weight;
  /** The loading target under every model for a listed regimen, combined as the maintenance metrics. */
  const loadingOf = (r: Regimen): DrugCandidate['loading'] => {
    const models = weighted.map((m) => {
      const back = metricFactor(m.loadingTarget!.metric, m.fit.model.ir.units, units);
      const draws = m.state.draws;
      return {
        id: m.fit.id,
        w: m.fit.weight / totalWeight,
        metric: loadingMetric(m, r, m.state.point) * back,
        pta: draws.length
          ? draws.filter((d) => inTarget(m.loadingTarget!, loadingMetric(m, r, d))).length / draws.length
          : null,
      };
    });
    let metric = 0;
    let pta = 0;
    for (const x of models) {
      metric += x.w * x.metric;
      pta += x.w * (x.pta ?? 0);
    }
    return {
      dose: r.loadingDose,
      duration: s.loadingDuration ?? r.duration,
      metric,
      met: inTarget(loadingTarget!, metric),
      pta: models.every((x) => x.pta !== null) ? pta : null,
      models: models.map(({ id, metric: v, pta: p }) => ({ id, metric: v, pta: p })),
    };
  };
  const loadings = new Map(averaged.map((c) => [c, loadingTarget ? loadingOf(c.regimen) : undefined]));

  // Step 6: rank on the averaged values.
  const keyed = averaged.map((c) => {
    const l = loadings.get(c);
    // Regimens that differ only by their loading dose (proposed by different models): the one
    // meeting the loading target, then the closest to its centre, first; then the smaller dose.
    const k = [
      ...rankKey(c, targets, s.optimiseFor),
      ...(l ? [l.met ? 0 : 1, Math.abs(Math.log(l.metric / targetCentre(loadingTarget!)))] : []),
      c.dose,
    ];
    return { c, k };
  });
  keyed.sort((a, b) => compareKeys(a.k, b.k));
  const named = (values: number[]): Record<string, number> =>
    Object.fromEntries(targets.map((t, k) => [t.metric, values[k]]));
  const candidates: DrugCandidate[] = keyed.slice(0, s.maxCandidates).map(({ c }, rank) => ({
    rank: rank + 1,
    start: c.start,
    dose: c.dose,
    interval: c.interval,
    duration: c.duration,
    loadingDose: c.loadingDose,
    metrics: named(c.metrics),
    met: c.met,
    pta: c.pta ?? null,
    proposedBy: c.proposedBy,
    ...(loadingTarget ? { loading: loadings.get(c)! } : {}),
    models: c.models.map((m) => ({
      id: m.id,
      weight: m.weight,
      metrics: named(m.metrics),
      met: targets.map((t, k) => inTarget(t, m.metrics[k])),
      pta: m.pta ?? null,
    })),
  }));
  const byId = new Map(weighted.map((m) => [m.fit.id, m]));
  const levels = (p: PatientData): number =>
    Array.from(p.evid).filter((e, i) => e === 0 && p.mdv[i] === 0).length;
  return {
    id: patient.id,
    drug,
    method: METHOD,
    units,
    targets: targets.map((t) => t.text),
    ...(loadingTarget ? { loadingTarget: loadingTarget.text } : {}),
    horizon: s.horizon,
    weights: {
      scheme: fit.scheme,
      criterion: fit.criterion,
      generatingWeight: GENERATING_WEIGHT,
      models: fit.models.map((m) => ({
        id: m.id,
        version: m.version,
        citation: m.citation,
        objective: m.objective,
        obj: Number.isFinite(m.fit.obj) ? m.fit.obj : null,
        weight: m.weight,
        converged: m.fit.converged,
        proposes: m.weight >= GENERATING_WEIGHT,
        method: byId.get(m.id)?.state.method ?? null,
        posteriorDraws: byId.get(m.id)?.state.draws.length ?? 0,
      })),
      excluded: fit.excluded,
    },
    selected: fit.models[fit.selected].id,
    ...(nextDose ? { nextDose } : {}),
    inputs: {
      space: s.space,
      starts: s.starts ?? 'next dose due',
      ...(s.startWhenBelow !== undefined ? { startWhenBelow: s.startWhenBelow } : {}),
      ...(s.maxLoadingDose !== undefined ? { maxLoadingDose: s.maxLoadingDose } : {}),
      ...(s.loadingDuration !== undefined ? { loadingDuration: s.loadingDuration } : {}),
      ...(s.mic !== undefined ? { mic: s.mic, fu: s.fu ?? 1 } : {}),
      samples: s.samples,
      seed: s.seed,
      optimiseFor: s.optimiseFor,
      records: patient.records.length,
      levels: levels(fit.models[0].patient),
    },
    regimensEvaluated: averaged.length,
    candidates,
    warnings,
  };
}

const r4 = (x: number): string => String(Number(x.toPrecision(4)));
/** A weight to 3 decimals; a non-zero one below 0.0005 with 2 significant digits, never a bare 0.000. */
const weight = (w: number): string => (w > 0 && w < 5e-4 ? w.toPrecision(2) : w.toFixed(3));
const short = (id: string): string => id.slice(id.indexOf('/') + 1);

/** The pharmacist's text report of one patient's model-averaged recommendation. */
export function drugRecommendationText(r: DrugRecommendation): string[] {
  const u = r.units;
  const why = `${r.weights.scheme === 'aic' ? 'AIC (OFV + 2k)' : 'likelihood exp(−OFV/2)'}, OFV = ${r.weights.criterion === 'laplace' ? 'NONMEM OBJ' : 'MAP objective'}`;
  const out = [
    `${r.id}: ${r.drug}, averaged over ${r.weights.models.length} model(s), weights by ${why}; units ${u.dose}, ${u.time}, ${u.conc}`,
  ];
  const w = Math.max(5, ...r.weights.models.map((m) => m.id.length));
  const cw = Math.max(8, ...r.weights.models.map((m) => m.citation.length));
  out.push(`  ${'model'.padEnd(w)}  ${'citation'.padEnd(cw)}  ${'OFV'.padStart(9)}  ${'weight'.padStart(6)}`);
  for (const m of r.weights.models)
    out.push(
      `  ${m.id.padEnd(w)}  ${m.citation.padEnd(cw)}  ${m.objective.toFixed(3).padStart(9)}  ${weight(m.weight).padStart(6)}` +
        `${m.id === r.selected ? '  ← selected' : ''}${m.proposes ? '' : '  (too light to propose regimens)'}${m.converged ? '' : '  (not converged)'}`,
    );
  for (const x of r.weights.excluded) out.push(`  left out: ${x.id}: ${x.reason}`);
  if (r.inputs.levels === 0)
    out.push('  no level measured: each model a priori (its typical patient, prior draws for the PTA)');
  const nd = r.nextDose;
  if (nd)
    out.push(
      `  next dose when the averaged level falls to ${nd.threshold} ${u.conc}: t = ${r4(nd.time)} ${u.time}` +
        (nd.probabilityBelow !== null
          ? ` (P(level ≤ ${nd.threshold}) = ${(100 * nd.probabilityBelow).toFixed(0)} % over the models' draws)`
          : ''),
    );
  out.push(
    `  ${r.regimensEvaluated} regimen(s) proposed by the models, each evaluated under every model; exposure averaged Σ w·x (each model's), PTA of the mixture Σ w·PTA:`,
  );
  for (const c of r.candidates) {
    const metrics = Object.entries(c.metrics)
      .map(
        ([name, v], k) =>
          `${name} ${r4(v)}${c.met[k] ? ' ✓' : ' ✗'} (per model: ${c.models.map((m) => `${short(m.id)} ${r4(m.metrics[name])}`).join(', ')})`,
      )
      .join('; ');
    const l = c.loading;
    const first = l
      ? l.dose > 0
        ? `${r4(l.dose)} ${u.dose}${l.duration !== c.duration ? ` over ${l.duration} ${u.time}` : ''} then `
        : 'no loading dose, '
      : c.loadingDose > 0
        ? `${r4(c.loadingDose)} ${u.dose} then `
        : '';
    out.push(
      `  #${c.rank} ${first}${r4(c.dose)} ${u.dose} every ${c.interval} ${u.time}` +
        `${c.duration ? ` over ${c.duration} ${u.time}` : ''} from t = ${r4(c.start)}: ${metrics}` +
        (c.pta ? `; PTA ${(100 * c.pta.all).toFixed(0)} %` : '') +
        (l
          ? `; loading ${r.loadingTarget}: ${r4(l.metric)}${l.met ? ' ✓' : ' ✗'} (per model: ${l.models.map((m) => `${short(m.id)} ${r4(m.metric)}`).join(', ')})` +
            (l.pta !== null ? `, PTA ${(100 * l.pta).toFixed(0)} %` : '')
          : ''),
    );
  }
  if (!r.candidates.length) out.push('  no regimen to propose');
  for (const x of r.warnings)
    if (x.code !== 'DT_AVERAGE_EXCLUDED') out.push(`  warning [${x.model}] ${x.code}: ${x.message}`);
  return out;
}
