/**
 * "I missed a dose / I am late": the ways to go on after a dose of an ongoing regimen was not
 * taken on time, each simulated with the patient's own parameters (the point estimate and every
 * posterior or prior draw of the twin), over the days that follow.
 *
 * The regimen is the one the patient is on: `dose` every `interval` (model units). The dose due at
 * `due` was not taken; the patient acts at `now` (`now − due` = the delay, 0 ≤ delay < interval).
 * The options, as labels and guidelines word them:
 * - `take-now`: the missed dose now, then the usual schedule (next dose at `due + interval`);
 * - `take-reduced`: a fraction of it now (default half), then the usual schedule;
 * - `skip`: nothing now, the usual schedule from the next dose;
 * - `next-early`: nothing now, the next dose brought forward to halfway between now and its time,
 *   then the usual schedule;
 * - `double-next`: nothing now, twice the dose at the next time, then the usual schedule.
 * The regimen taken on time (`as-prescribed`) is the reference every option is compared with.
 *
 * Each option is read over [now, now + horizon] (72 h by default): the probability over the draws
 * that the concentration stays within [efficacy, toxicity] throughout, the time spent below the
 * efficacy threshold and above the toxicity one (mean over the draws and at the point estimate),
 * and, at the point estimate, the trough before the next scheduled dose and the AUC of the missed
 * dose's interval [due, due + interval]. Options are ranked by the probability of staying within
 * the window, then by the mean time outside it.
 */
import { fail } from '../errors.ts';
import { type PatientData, patientFromRecords, type RecordInput } from '../events/records.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { convert } from '../units.ts';
import { computeExposure } from './exposure.ts';
import { FUTURE_OCCASION, hasIov, historyRecords, lastCovariates } from './regimen.ts';

export type MissedDoseOptionId = 'take-now' | 'take-reduced' | 'skip' | 'next-early' | 'double-next';
export const MISSED_DOSE_OPTIONS: readonly MissedDoseOptionId[] = [
  'take-now',
  'take-reduced',
  'skip',
  'next-early',
  'double-next',
];

export interface MissedDoseQuery {
  /** The usual dose (model dose unit), its interval and infusion duration (0: oral or bolus), its compartment (0: the model's first). */
  dose: number;
  interval: number;
  duration?: number;
  cmt?: number;
  /** When the missed dose was due, and when the patient acts (model time). */
  due: number;
  now: number;
  /** Concentrations (model unit) below which exposure is insufficient, above which it is toxic. */
  efficacy: number;
  toxicity: number;
  /** How long after `now` the options are read (model time; default 72 h). */
  horizon?: number;
  /** Fraction of the dose of `take-reduced` (default 0.5). */
  reducedFraction?: number;
  /** Grid step of the concentrations (model time; default 0.25 h). */
  step?: number;
  /** Which options to simulate (default all five). */
  options?: readonly MissedDoseOptionId[];
  /**
   * What the window is read on: the whole curve (`concentration`, default), or the troughs
   * (`troughs`: the level just before each dose after now and at the horizon's end, for drugs
   * whose targets and toxicity are stated as troughs, e.g. tacrolimus). With `troughs`, the time
   * below or above is the time covered by the dosing intervals whose trough is below or above.
   */
  reads?: 'concentration' | 'troughs';
}

export interface MissedDoseInput extends MissedDoseQuery {
  sim: Simulator;
  history: PatientData;
  point: Float64Array | null;
  draws?: readonly Float64Array[];
}

/** One dose of an option (model units). */
export interface PlannedDose {
  time: number;
  amount: number;
}

export interface MissedDoseOutcome {
  id: MissedDoseOptionId | 'as-prescribed';
  /** The doses from `due` to the horizon's end. */
  doses: PlannedDose[];
  /** Concentrations at the point estimate on the grid from `now` to the horizon's end. */
  times: number[];
  conc: number[];
  /** The troughs at the point estimate (times and levels) when the window reads troughs, else empty. */
  troughTimes: number[];
  troughs: number[];
  /** P(efficacy ≤ C ≤ toxicity throughout the horizon) over the draws; null without draws. */
  pWithin: number | null;
  /** Time below the efficacy threshold and above the toxicity one: at the point estimate, mean over the draws (null without). */
  timeBelow: { point: number; mean: number | null };
  timeAbove: { point: number; mean: number | null };
  /** At the point estimate: the concentration just before the next scheduled dose (`due + interval`), the AUC over [due, due + interval]. */
  trough: number;
  aucInterval: number;
  /** 1 = best; 0 for the reference. */
  rank: number;
}

export interface MissedDoseGuidance {
  due: number;
  now: number;
  delay: number;
  horizonEnd: number;
  efficacy: number;
  toxicity: number;
  draws: number;
  /** The regimen taken on time. */
  reference: MissedDoseOutcome;
  /** The options, best first. */
  options: MissedDoseOutcome[];
}

/** The doses of an option from the missed dose's due time to `end` (the usual schedule after the next dose). */
export function missedDoseSchedule(
  id: MissedDoseOutcome['id'],
  q: Pick<MissedDoseQuery, 'dose' | 'interval' | 'due' | 'now' | 'reducedFraction'>,
  end: number,
): PlannedDose[] {
  const { dose, interval: tau, due, now } = q;
  const next = due + tau;
  const first: PlannedDose[] =
    id === 'as-prescribed'
      ? [
          { time: due, amount: dose },
          { time: next, amount: dose },
        ]
      : id === 'take-now'
        ? [
            { time: now, amount: dose },
            { time: next, amount: dose },
          ]
        : id === 'take-reduced'
          ? [
              { time: now, amount: dose * (q.reducedFraction ?? 0.5) },
              { time: next, amount: dose },
            ]
          : id === 'skip'
            ? [{ time: next, amount: dose }]
            : id === 'next-early'
              ? [{ time: (now + next) / 2, amount: dose }]
              : [{ time: next, amount: 2 * dose }];
  const out = first.filter((d) => d.time < end);
  for (let t = next + tau; t < end; t += tau) out.push({ time: t, amount: dose });
  return out;
}

function checkQuery(q: MissedDoseInput): void {
  const f = (field: string, msg: string): never => fail('DT_MISSED_DOSE', field, msg);
  if (!(q.dose > 0) || !Number.isFinite(q.dose)) f('dose', `dose ${q.dose} must be a positive number`);
  if (!(q.interval > 0) || !Number.isFinite(q.interval))
    f('interval', `interval ${q.interval} must be a positive number`);
  if (!Number.isFinite(q.due)) f('due', `the due time ${q.due} is not a finite time`);
  const delay = q.now - q.due;
  if (!(delay >= 0 && delay < q.interval))
    f(
      'now',
      `the delay ${delay} (now − due) must be at least 0 and less than the interval ${q.interval}: ` +
        'a dose missed for a whole interval is the next one due',
    );
  if (!(q.efficacy >= 0) || !(q.toxicity > q.efficacy))
    f(
      'toxicity',
      `the window needs 0 ≤ efficacy < toxicity (efficacy ${q.efficacy}, toxicity ${q.toxicity})`,
    );
  const rf = q.reducedFraction ?? 0.5;
  if (!(rf > 0 && rf < 1)) f('reducedFraction', `reduced fraction ${rf} must be in (0, 1)`);
  for (let i = 0; i < q.history.n; i++) {
    const e = q.history.evid[i];
    if ((e === 1 || e === 4) && q.history.amt[i] > 0) {
      const last = q.history.time[i] + q.history.addl[i] * q.history.ii[i];
      if (last >= q.due)
        f(
          'history',
          `the history holds a dose at ${last}, at or after the missed dose's due time ${q.due}: ` +
            'the options replace every dose from then on',
        );
    }
  }
}

/** Time (model units) the piecewise-linear curve spends below `lo` and above `hi`. */
export function timeOutside(
  t: readonly number[],
  c: readonly number[],
  lo: number,
  hi: number,
): [number, number] {
  let below = 0;
  let above = 0;
  const part = (a: number, b: number, dt: number, thr: number, under: boolean): number => {
    // Fraction of the segment on the wrong side of `thr`, with linear interpolation.
    const fa = under ? thr - a : a - thr;
    const fb = under ? thr - b : b - thr;
    if (fa > 0 && fb > 0) return dt;
    if (fa <= 0 && fb <= 0) return 0;
    const tc = (dt * fa) / (fa - fb);
    return fa > 0 ? tc : dt - tc;
  };
  for (let i = 1; i < t.length; i++) {
    const dt = t[i] - t[i - 1];
    below += part(c[i - 1], c[i], dt, lo, true);
    above += part(c[i - 1], c[i], dt, hi, false);
  }
  return [below, above];
}

/** A trough record sits before the dose at its time (stable sort) and is marked by this line. */
export const TROUGH_LINE = -1;

/**
 * The history (levels as prediction-only records) followed by planned doses (model units, the
 * future's occasion, the last record's covariates), up to `end`. With inter-occasion variability,
 * the history's last occasion lasts until `closeAt` (as a forecast closes it). `troughAt`: records
 * marked {@link TROUGH_LINE} just before any dose at their time.
 */
export function plannedPatient(
  sim: Simulator,
  h: PatientData,
  doses: readonly PlannedDose[],
  o: { duration?: number; cmt?: number; closeAt: number; end: number; troughAt?: readonly number[] },
): PatientData {
  const dur = o.duration ?? 0;
  const cov = lastCovariates(h);
  const rows: RecordInput[] = historyRecords(h);
  if (hasIov(sim) && o.closeAt > h.time[h.n - 1])
    rows.push({ time: o.closeAt, evid: 2, cov, occ: h.occ[h.n - 1] });
  const troughAt = o.troughAt ?? [];
  for (const t of troughAt) rows.push({ time: t, evid: 2, cov, occ: FUTURE_OCCASION, line: TROUGH_LINE });
  for (const d of doses)
    rows.push({
      time: d.time,
      evid: 1,
      amt: d.amount,
      rate: dur > 0 ? d.amount / dur : 0,
      cmt: o.cmt ?? 0,
      cov,
      occ: FUTURE_OCCASION,
    });
  if (!troughAt.includes(o.end)) rows.push({ time: o.end, evid: 2, cov, occ: FUTURE_OCCASION });
  rows.sort((a, b) => a.time - b.time);
  return patientFromRecords(h.id, rows, h.nCov);
}

/** The first output's predictions at `times` (sorted) for a patient's records at one eta vector. */
export function curveOn(
  sim: Simulator,
  p: PatientData,
  eta: ArrayLike<number> | null,
  times: readonly number[],
): number[] {
  const g = withPredictionTimes(p, times, sim.model.ir.errors[0]?.cmts[0] ?? 0);
  const out = new Float64Array(g.n);
  sim.run(g, eta, out);
  const c: number[] = [];
  for (let i = 0; i < g.n; i++) if (g.evid[i] === 2 && g.line[i] === 0) c.push(out[i]);
  return c;
}

/** Simulate and rank the options after a missed or late dose (see the module). */
export function missedDoseGuidance(input: MissedDoseInput): MissedDoseGuidance {
  checkQuery(input);
  const { sim, history: h, point } = input;
  const draws = input.draws ?? [];
  const timeUnit = sim.model.ir.units.time;
  const horizon = input.horizon ?? convert(72, 'h', timeUnit, 'horizon');
  const step = input.step ?? convert(0.25, 'h', timeUnit, 'step');
  if (!(horizon > 0) || !(step > 0) || step > horizon)
    fail('DT_MISSED_DOSE', 'horizon', `horizon ${horizon} and step ${step} must be > 0, step ≤ horizon`);
  const end = input.now + horizon;
  const dur = input.duration ?? 0;
  const cmt = input.cmt ?? 0;
  const nGrid = Math.round(horizon / step);
  const grid = Array.from({ length: nGrid + 1 }, (_, i) => (i === nGrid ? end : input.now + i * step));

  const reads = input.reads ?? 'concentration';
  /** Trough times of an option: each of its doses after now, and the horizon's end. */
  const troughTimesOf = (doses: PlannedDose[]): number[] => [
    ...doses.filter((d) => d.time > input.now).map((d) => d.time),
    end,
  ];
  const patientOf = (doses: PlannedDose[], troughAt: readonly number[] = []): PatientData =>
    plannedPatient(sim, h, doses, { duration: dur, cmt, closeAt: input.due, end, troughAt });
  const curve = (p: PatientData, eta: ArrayLike<number> | null): number[] => curveOn(sim, p, eta, grid);

  const troughsOf = (p: PatientData, eta: ArrayLike<number> | null): number[] => {
    const out = new Float64Array(p.n);
    sim.run(p, eta, out);
    const c: number[] = [];
    for (let i = 0; i < p.n; i++) if (p.line[i] === TROUGH_LINE) c.push(out[i]);
    return c;
  };
  /** Time below and above the window: on the curve, or over the intervals ending in a trough below or above. */
  const outsideTroughs = (times: readonly number[], c: readonly number[]): [number, number] => {
    let below = 0;
    let above = 0;
    let from = input.now;
    times.forEach((t, i) => {
      if (c[i] < input.efficacy) below += t - from;
      if (c[i] > input.toxicity) above += t - from;
      from = t;
    });
    return [below, above];
  };

  const next = input.due + input.interval;
  const outcome = (id: MissedDoseOutcome['id']): MissedDoseOutcome => {
    const doses = missedDoseSchedule(id, input, end);
    const troughTimes = reads === 'troughs' ? troughTimesOf(doses) : [];
    const p = patientOf(doses, troughTimes);
    const conc = curve(p, point);
    const troughs = reads === 'troughs' ? troughsOf(p, point) : [];
    const outside = (c: number[], eta: ArrayLike<number> | null): [number, number] =>
      reads === 'troughs'
        ? outsideTroughs(troughTimes, eta === point ? troughs : troughsOf(p, eta))
        : timeOutside(grid, c, input.efficacy, input.toxicity);
    const [below, above] = outside(conc, point);
    let within = 0;
    let sumBelow = 0;
    let sumAbove = 0;
    for (const eta of draws) {
      const [b, a] = outside(reads === 'troughs' ? [] : curve(p, eta), eta);
      sumBelow += b;
      sumAbove += a;
      if (b === 0 && a === 0) within++;
    }
    // The missed dose's interval with the doses taken in it only: the trough is the level just before the next dose.
    const interval = patientOf(doses.filter((d) => d.time < next));
    const e = computeExposure(sim, interval, point, {
      from: input.due,
      to: next,
      at: [next],
      refineExtremes: false,
      gridPoints: 24,
    });
    const n = draws.length;
    return {
      id,
      doses,
      times: grid,
      conc,
      troughTimes,
      troughs,
      pWithin: n ? within / n : null,
      timeBelow: { point: below, mean: n ? sumBelow / n : null },
      timeAbove: { point: above, mean: n ? sumAbove / n : null },
      trough: e.cAt[0],
      aucInterval: e.auc,
      rank: 0,
    };
  };

  const reference = outcome('as-prescribed');
  const options = (input.options ?? MISSED_DOSE_OPTIONS).map(outcome);
  const outside = (o: MissedDoseOutcome): number =>
    (o.timeBelow.mean ?? o.timeBelow.point) + (o.timeAbove.mean ?? o.timeAbove.point);
  const ranked = [...options].sort((a, b) => (b.pWithin ?? 0) - (a.pWithin ?? 0) || outside(a) - outside(b));
  ranked.forEach((o, i) => (o.rank = i + 1));
  return {
    due: input.due,
    now: input.now,
    delay: input.now - input.due,
    horizonEnd: end,
    efficacy: input.efficacy,
    toxicity: input.toxicity,
    draws: draws.length,
    reference,
    options: ranked,
  };
}
