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
import { computeExposure } from './exposure.ts';
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
  const maintenance: FutureRegimen = {
    start: reg.start,
    dose: reg.dose,
    interval: reg.interval,
    duration: reg.duration ?? 0,
    cmt: reg.cmt ?? 0,
  };
  const count = maintenanceCount(reg.interval, sim.model.ir.units.time);
  const p = regimenPatient(history, maintenance, {
    steadyState: (q.horizon ?? 'steady-state') === 'steady-state',
    count,
    closeOccasion: hasIov(sim),
  });
  return exposureOver(sim, p, {
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
  for (const draw of draws) {
    const e = maintenanceExposure(sim, history, reg, draw, q);
    let ok = true;
    q.targets.forEach((t, k) => {
      if (inTarget(t, metricValue(t, e.interval, e.day))) hits[k]++;
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
