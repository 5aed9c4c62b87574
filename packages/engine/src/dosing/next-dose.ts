import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { convert } from '../units.ts';

export interface NextDoseQuery {
  /** Concentration (model unit) the level must have fallen to before the next dose. */
  threshold: number;
  /** Earliest allowed time (model time unit), e.g. now or the last record. */
  after: number;
  /** Output (error model) index; default 0. */
  output?: number;
}

export interface NextDoseTime {
  /** Earliest t ≥ after from which the predicted concentration stays ≤ threshold (no new dose). */
  time: number;
  /** Predicted concentration at `after`. */
  concentrationAfter: number;
  /** With draws: fraction of them whose concentration at `time` is ≤ threshold. */
  probabilityBelow?: number;
}

/** Cells of the scanning grid over each horizon. */
const SCAN_POINTS = 200;
/** Horizon scanned first (24 h in the model's time unit), doubled up to 2^12 times. */
const FIRST_HORIZON_H = 24;

/**
 * The earliest t ≥ `after` from which `level(t)` stays ≤ `threshold` (no new dose): the level is
 * scanned forward over a horizon (24 h in `timeUnit`) that doubles until the profile ends below
 * the threshold and decreasing; the last downward crossing is then located by bisection to 1e-12
 * of the cell. `level` gives the levels at a list of times: one model's prediction, or a mixture's.
 */
export function levelFallsTo(
  level: (times: number[]) => number[],
  threshold: number,
  after: number,
  timeUnit: string,
): number {
  const thr = threshold;
  let horizon = convert(FIRST_HORIZON_H, 'h', timeUnit, 'time');
  for (let doubling = 0; doubling <= 12; doubling++, horizon *= 2) {
    const times = Array.from({ length: SCAN_POINTS + 1 }, (_, i) => after + (horizon * i) / SCAN_POINTS);
    const c = level(times);
    const n = c.length - 1;
    if (!(c[n] <= thr && c[n] <= c[n - 1])) continue;
    let last = -1;
    for (let i = n; i >= 0; i--)
      if (c[i] > thr) {
        last = i;
        break;
      }
    if (last < 0) return after;
    // C(times[last]) > thr ≥ C(times[last + 1]): bisect.
    let lo = times[last];
    let hi = times[last + 1];
    for (let it = 0; it < 200 && hi - lo > 1e-12 * (times[last + 1] - times[last]); it++) {
      const mid = 0.5 * (lo + hi);
      if (level([mid])[0] > thr) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  return fail(
    'DT_NEXT_DOSE',
    'threshold',
    `the predicted concentration does not fall to ${thr} within ${horizon / 2} ${timeUnit} after ${after}`,
  );
}

/** The predicted level at `times` (history only, no new dose) at one eta vector. */
export function predictedLevels(
  sim: Simulator,
  history: PatientData,
  eta: ArrayLike<number> | null,
  times: number[],
  output = 0,
): number[] {
  const cmt = sim.model.ir.errors[output]?.cmts[0] ?? 0;
  const p = withPredictionTimes(history, times, cmt);
  const out = new Float64Array(p.n);
  sim.run(p, eta, out);
  const v: number[] = [];
  for (let i = 0; i < p.n; i++) if (p.evid[i] === 2 && p.line[i] === 0) v.push(out[i]);
  return v;
}

/**
 * When to give the next dose so that it starts from a level at or below `threshold` (e.g. after a
 * high level, wait for the trough target): {@link levelFallsTo} on the predicted concentration at
 * the point estimate, and the fraction of the draws at or below the threshold then. For a
 * one-compartment IV bolus this is t = t₀ + ln(C₀/C_thr)/k exactly.
 */
export function nextDoseTime(
  sim: Simulator,
  history: PatientData,
  eta: ArrayLike<number> | null,
  q: NextDoseQuery,
  draws?: readonly ArrayLike<number>[],
): NextDoseTime {
  if (!(q.threshold > 0) || !Number.isFinite(q.threshold))
    fail('DT_NEXT_DOSE', 'threshold', `threshold ${q.threshold} must be a concentration > 0`);
  if (!Number.isFinite(q.after)) fail('DT_NEXT_DOSE', 'after', `time ${q.after} is not finite`);
  if (history.n === 0) fail('DT_NEXT_DOSE', 'history', 'the patient has no record');
  const output = q.output ?? 0;
  const conc = (times: number[], e: ArrayLike<number> | null = eta): number[] =>
    predictedLevels(sim, history, e, times, output);
  const c0 = conc([q.after])[0];
  const time = levelFallsTo(conc, q.threshold, q.after, sim.model.ir.units.time);
  const r: NextDoseTime = { time, concentrationAfter: c0 };
  if (draws?.length)
    r.probabilityBelow = draws.filter((d) => conc([time], d)[0] <= q.threshold).length / draws.length;
  return r;
}
