/**
 * The exposure of one regimen as the targets read it: over its first window (the dosing interval,
 * and the first 24 h when a target reads a daily metric), at steady state or from the patient's
 * current state, at one eta vector. The regimen search, the evaluation of a given regimen (a
 * what-if, a candidate under another model), the probability of target attainment and the loading
 * dose all compute exposure here, so that they agree to the last digit.
 */
import { DosetwinError } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { convert } from '../units.ts';
import { computeExposure, windowAuc } from './exposure.ts';
import { AFTER_INFUSION_H, type ExposurePair, metricDef } from './metrics.ts';
import { type FutureRegimen, hasIov, regimenPatient } from './regimen.ts';
import { steadyStateApproach } from './steady-state.ts';
import { type Target, inTarget, metricValue } from './targets.ts';

/** A regimen's first window, and what the targets need of it. */
export interface WindowQuery {
  /** Start of the window (the regimen's first administration), its length τ and the infusion duration. */
  start: number;
  tau: number;
  dur: number;
  eta: ArrayLike<number> | null;
  /** The targets to be read (they decide the refinement, the MIC and the 24-h window). */
  need: readonly Target[];
  /** Compute the 24-h window even when no target reads it. */
  full?: boolean;
  mic?: number;
  fu?: number;
}

/**
 * Exposure of patient `p` over the window: extremes refined when a target reads one, the MIC
 * metrics with a MIC, concentrations at the registry's times after the end of the infusion, and
 * the first 24 h when a target reads a daily metric (or `full`).
 */
export function exposureOver(sim: Simulator, p: PatientData, q: WindowQuery): ExposurePair {
  const defs = q.need.map((t) => metricDef(t.metric));
  const timeUnit = sim.model.ir.units.time;
  const oneHour = convert(1, 'h', timeUnit, 'time');
  const day = convert(24, 'h', timeUnit, 'time');
  // Peak and trough need local refinement; AUC-type targets do not.
  const refineExtremes = defs.some((d) => d.extremes);
  const e = {
    mic: q.mic,
    fu: q.fu,
    refineExtremes,
    gridPoints: refineExtremes || defs.some((d) => d.mic) ? 400 : 24,
  };
  const at = AFTER_INFUSION_H.map((h) => q.start + q.dur + h * oneHour);
  const interval = computeExposure(sim, p, q.eta, { from: q.start, to: q.start + q.tau, at, ...e });
  // The 24-h window only serves AUC-type metrics (auc24, fAUC/MIC): no extreme to refine.
  const needsDay = q.full || defs.some((d) => d.window === 'day');
  const dayExposure =
    q.tau === day || !needsDay
      ? interval
      : computeExposure(sim, p, q.eta, {
          from: q.start,
          to: q.start + day,
          ...e,
          refineExtremes: false,
          gridPoints: 24,
        });
  return { interval, day: dayExposure };
}

/** How a maintenance regimen is judged: at steady state, or over its first interval after the history. */
export type Horizon = 'steady-state' | 'first-interval';

export interface MaintenanceQuery {
  targets: readonly Target[];
  horizon?: Horizon;
  full?: boolean;
  mic?: number;
  fu?: number;
}

/** Administrations simulated for a maintenance evaluation: enough to cover a day, and two more. */
export function maintenanceCount(tau: number, timeUnit: string): number {
  return Math.ceil(convert(24, 'h', timeUnit, 'time') / tau) + 2;
}

/**
 * The maintenance exposure of `reg` (its loading dose ignored): at steady state (the regimen
 * alone, NONMEM SS = 1) or over its first interval after the history.
 */
export function maintenanceExposure(
  sim: Simulator,
  history: PatientData,
  reg: FutureRegimen,
  eta: ArrayLike<number> | null,
  q: MaintenanceQuery,
): ExposurePair {
  return exposureOver(sim, maintenancePatient(sim, history, reg, q.horizon), {
    start: reg.start,
    tau: reg.interval,
    dur: reg.duration ?? 0,
    eta,
    need: q.targets,
    full: q.full,
    mic: q.mic,
    fu: q.fu,
  });
}

/** The records of a maintenance evaluation: the regimen alone at steady state, or after the history. */
function maintenancePatient(
  sim: Simulator,
  history: PatientData,
  reg: FutureRegimen,
  horizon: Horizon | undefined,
): PatientData {
  const maintenance: FutureRegimen = {
    start: reg.start,
    dose: reg.dose,
    interval: reg.interval,
    duration: reg.duration ?? 0,
    cmt: reg.cmt ?? 0,
  };
  return regimenPatient(history, maintenance, {
    steadyState: (horizon ?? 'steady-state') === 'steady-state',
    count: maintenanceCount(reg.interval, sim.model.ir.units.time),
    closeOccasion: hasIov(sim),
  });
}

/**
 * The targets' metrics of a maintenance regimen as a function of the eta vector, for the draws of
 * a PTA: the same numbers as {@link maintenanceExposure} read by the targets, with the regimen's
 * records built once. When every target reads its window's AUC alone (auc24, auctau, cavg), each
 * window costs one integral run per draw instead of its full exposure (levels on a grid, then
 * the integral).
 */
function maintenanceMetrics(
  sim: Simulator,
  history: PatientData,
  reg: FutureRegimen,
  q: MaintenanceQuery,
): (eta: ArrayLike<number>) => number[] {
  const p = maintenancePatient(sim, history, reg, q.horizon);
  const defs = q.targets.map((t) => metricDef(t.metric));
  if (q.mic === undefined && q.fu === undefined && defs.every((d) => d.fromAuc)) {
    const day = convert(24, 'h', sim.model.ir.units.time, 'time');
    // As exposureOver: the 24-h window is the interval's when the interval is a day.
    const ends = defs.map((d) =>
      d.window === 'day' && reg.interval !== day ? reg.start + day : reg.start + reg.interval,
    );
    const aucs = new Map([...new Set(ends)].map((to) => [to, windowAuc(sim, p, reg.start, to)]));
    return (eta) => {
      const auc = new Map([...aucs].map(([to, f]) => [to, f(eta)]));
      return defs.map((d, k) => d.fromAuc!(auc.get(ends[k])!, reg.start, ends[k]));
    };
  }
  return (eta) => {
    const e = exposureOver(sim, p, {
      start: reg.start,
      tau: reg.interval,
      dur: reg.duration ?? 0,
      eta,
      need: q.targets,
      full: q.full,
      mic: q.mic,
      fu: q.fu,
    });
    return q.targets.map((t) => metricValue(t, e.interval, e.day));
  };
}

/**
 * The loading target's metric of a regimen whose first administration is its loading dose (or
 * the maintenance dose when it has none): over the first interval (and the first 24 h for daily
 * metrics) from the start, from the patient's current state, the history included.
 */
export function loadingMetric(
  sim: Simulator,
  history: PatientData,
  reg: FutureRegimen,
  target: Target,
  eta: ArrayLike<number> | null,
  o: { mic?: number; fu?: number } = {},
): number {
  const count = maintenanceCount(reg.interval, sim.model.ir.units.time);
  const e = exposureOver(sim, regimenPatient(history, reg, { count, closeOccasion: hasIov(sim) }), {
    start: reg.start,
    tau: reg.interval,
    dur: reg.duration ?? 0,
    eta,
    need: [target],
    mic: o.mic,
    fu: o.fu,
  });
  return metricValue(target, e.interval, e.day);
}

/** One regimen evaluated against the targets: at the point estimate, and over the draws. */
export interface Evaluation {
  /** Each target's metric at the point estimate (targets' order). */
  metrics: number[];
  met: boolean[];
  /** Probability of attaining each target and all of them over the draws (absent without draws). */
  pta?: { each: number[]; all: number };
  /** The maintenance exposure over the interval and 24 h at the point estimate. */
  exposure: ExposurePair;
  /** With a loading target: its metric at the point estimate, met, and its probability over the draws. */
  loading?: { metric: number; met: boolean; pta?: number };
  /** Time from the start to 90 % of the steady-state AUC per interval, at the point estimate (null: not within the horizon simulated). */
  timeToSteadyState: number | null;
  intervalsToSteadyState: number | null;
}

export interface EvaluateInput {
  sim: Simulator;
  history: PatientData;
  point: ArrayLike<number> | null;
  draws?: readonly ArrayLike<number>[];
  targets: readonly Target[];
  regimen: FutureRegimen;
  horizon?: Horizon;
  mic?: number;
  fu?: number;
  /** A loading target to evaluate the regimen's first administration against. */
  loadingTarget?: Target;
  /** Skip the approach to steady state (the caller does not show it). */
  skipSteadyState?: boolean;
}

/** The probability over the draws that the maintenance exposure meets each target, and all. */
export function attainment(
  sim: Simulator,
  history: PatientData,
  reg: FutureRegimen,
  draws: readonly ArrayLike<number>[],
  q: MaintenanceQuery,
): { each: number[]; all: number } {
  const hits = q.targets.map(() => 0);
  let all = 0;
  const metrics = draws.length ? maintenanceMetrics(sim, history, reg, q) : null;
  for (const draw of draws) {
    const values = metrics!(draw);
    let ok = true;
    q.targets.forEach((t, k) => {
      if (inTarget(t, values[k])) hits[k]++;
      else ok = false;
    });
    if (ok) all++;
  }
  const n = draws.length;
  return { each: hits.map((h) => h / n), all: all / n };
}

/**
 * Evaluate one given regimen as the regimen search evaluates its candidates: maintenance metrics
 * at the point estimate, the probability of attaining the targets over the draws, the loading
 * target (if any) for its first administration, and the approach to steady state.
 */
export function evaluateRegimen(input: EvaluateInput): Evaluation {
  const { sim, history, targets } = input;
  // A loading dose of 0 is no loading dose (not an empty first administration).
  const { loadingDose, loadingDuration, ...rest } = input.regimen;
  const reg: FutureRegimen =
    loadingDose !== undefined && loadingDose > 0
      ? { ...rest, loadingDose, ...(loadingDuration !== undefined ? { loadingDuration } : {}) }
      : rest;
  const q: MaintenanceQuery = { targets, horizon: input.horizon, mic: input.mic, fu: input.fu };
  let exposure: ExposurePair;
  try {
    exposure = maintenanceExposure(sim, history, reg, input.point, { ...q, full: true });
  } catch (e) {
    if (e instanceof DosetwinError && e.issues.some((i) => i.code === 'DT_SS_NONCONVERGENCE'))
      throw new DosetwinError([
        {
          code: 'DT_NO_STEADY_STATE',
          severity: 'error',
          field: 'regimen',
          message: `${reg.dose} every ${reg.interval} has no steady state: the dosing rate exceeds the maximal elimination rate`,
        },
      ]);
    throw e;
  }
  const metrics = targets.map((t) => metricValue(t, exposure.interval, exposure.day));
  const out: Evaluation = {
    metrics,
    met: targets.map((t, k) => inTarget(t, metrics[k])),
    exposure,
    timeToSteadyState: null,
    intervalsToSteadyState: null,
  };
  if (input.draws?.length) out.pta = attainment(sim, history, reg, input.draws, q);
  const lt = input.loadingTarget;
  if (lt) {
    const first: FutureRegimen = { ...reg, loadingDose: reg.loadingDose || reg.dose };
    const metric = loadingMetric(sim, history, first, lt, input.point, input);
    out.loading = { metric, met: inTarget(lt, metric) };
    if (input.draws?.length)
      out.loading.pta =
        input.draws.filter((d) => inTarget(lt, loadingMetric(sim, history, first, lt, d, input))).length /
        input.draws.length;
  }
  if (!input.skipSteadyState) {
    const ss = steadyStateApproach(sim, history, reg, input.point);
    out.timeToSteadyState = ss.time;
    out.intervalsToSteadyState = ss.intervals;
  }
  return out;
}
