/**
 * A virtual patient's course of treatment: the administrations of an arm over the trial, simulated
 * in one run of the simulator, and the exposure of each day read from it — over the day (AUC24,
 * extremes) and over the last dosing interval that ends within it (trough, peak, AUC over τ).
 *
 * AUCs are the simulator's exact integral. Extremes are read at the administrations' starts and
 * ends (before and after each dose), the day boundaries and, when the model has an absorption
 * depot or a target reads a MIC crossing, on a grid (`gridStep`): exact for an infusion or bolus
 * into a disposition compartment (the concentration is monotone between those times), to the grid
 * otherwise. Time above a MIC is interpolated log-linearly between those points.
 */
import type { Exposure } from '../dosing/exposure.ts';
import type { ExposurePair } from '../dosing/metrics.ts';
import { AFTER_INFUSION_H, metricDef } from '../dosing/metrics.ts';
import type { FutureRegimen } from '../dosing/regimen.ts';
import type { Target } from '../dosing/targets.ts';
import { needsMic } from '../dosing/targets.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';

/** One administration. */
export interface Administration {
  time: number;
  amount: number;
  /** Infusion duration (0 = bolus or oral). */
  duration: number;
  /** Time to the next administration (its regimen's interval for the last). */
  tau: number;
}

/** The administrations of `r` from `from` (inclusive) until `end` (exclusive). */
export function administrations(r: FutureRegimen, end: number, from = r.start): Administration[] {
  const out: Administration[] = [];
  const dur = r.duration ?? 0;
  if (r.loadingDose !== undefined && r.start >= from && r.start < end)
    out.push({ time: r.start, amount: r.loadingDose, duration: r.loadingDuration ?? dur, tau: r.interval });
  const first = r.loadingDose !== undefined ? r.start + r.interval : r.start;
  if (r.dose > 0)
    for (let k = 0, t = first; t < end; k++, t = first + k * r.interval)
      if (t >= from) out.push({ time: t, amount: r.dose, duration: dur, tau: r.interval });
  return out;
}

/** Joins administrations: those of `before` earlier than `switchAt`, then `after`; each one's τ to the next. */
export function switchRegimen(
  before: Administration[],
  after: Administration[],
  switchAt: number,
): Administration[] {
  const all = [...before.filter((a) => a.time < switchAt), ...after];
  for (let i = 0; i + 1 < all.length; i++) all[i] = { ...all[i], tau: all[i + 1].time - all[i].time };
  return all;
}

/** Observation kinds at a time: before any dose at that time (0), after it (2). */
const BEFORE = 0;
const AFTER = 2;

/** A course laid out as simulator records, reusable across patients of the same schedule. */
export interface CourseLayout {
  doses: Administration[];
  patient: PatientData;
  /** Record indices of the predictions, in time order. */
  obs: Int32Array;
  obsTime: Float64Array;
  obsKind: Int8Array;
  /** Whether an administration starts at the observation's time. */
  obsAtDose: Uint8Array;
  /** Record index of each extra time asked (sampling times), in the order asked. */
  extra: Int32Array;
  /** Ends of infusions, by time: compartment (0-based) and the rate that stops. */
  stops: { time: Float64Array; cmt: Int32Array; rate: Float64Array };
}

export interface LayoutOptions {
  duration: number;
  dayLength: number;
  /** Dose compartment (1-based; 0 = the model's first). */
  cmt: number;
  /** Grid spacing for extremes and MIC crossings, or 0 for none. */
  gridStep: number;
  /** Times after the end of each infusion at which concentrations are read (c_eoi metrics). */
  afterInfusion: readonly number[];
  /** Extra prediction times (TDM samples), reported in `extra`. */
  extraTimes?: readonly number[];
  nCov: number;
  /** Occasion of a time (IOV), or null without IOV. */
  occasion: ((t: number) => number) | null;
}

/** Records of a course (covariates left 0: set per patient with {@link setCovariates}). */
export function layoutCourse(doses: Administration[], o: LayoutOptions): CourseLayout {
  type Row = { t: number; kind: number; dose: Administration | null; extra: number };
  const rows: Row[] = [];
  const doseTimes = new Set<number>();
  for (const d of doses) {
    doseTimes.add(d.time);
    rows.push({ t: d.time, kind: BEFORE, dose: null, extra: -1 });
    rows.push({ t: d.time, kind: 1, dose: d, extra: -1 });
    rows.push({ t: d.time, kind: AFTER, dose: null, extra: -1 });
    if (d.duration > 0) {
      rows.push({ t: d.time + d.duration, kind: BEFORE, dose: null, extra: -1 });
      for (const h of o.afterInfusion)
        rows.push({ t: d.time + d.duration + h, kind: BEFORE, dose: null, extra: -1 });
    }
  }
  for (let t = o.dayLength; t <= o.duration + 1e-9; t += o.dayLength)
    rows.push({ t, kind: BEFORE, dose: null, extra: -1 });
  rows.push({ t: 0, kind: BEFORE, dose: null, extra: -1 });
  if (o.gridStep > 0)
    for (let k = 1; k * o.gridStep < o.duration; k++)
      rows.push({ t: k * o.gridStep, kind: BEFORE, dose: null, extra: -1 });
  (o.extraTimes ?? []).forEach((t, i) => rows.push({ t, kind: BEFORE, dose: null, extra: i }));
  const kept = rows.filter((r) => r.t <= o.duration + 1e-9);
  kept.sort((a, b) => a.t - b.t || a.kind - b.kind);
  const n = kept.length;
  const p: PatientData = {
    id: 'virtual',
    n,
    time: new Float64Array(n),
    evid: new Int8Array(n),
    amt: new Float64Array(n),
    rate: new Float64Array(n),
    cmt: new Int32Array(n),
    ii: new Float64Array(n),
    addl: new Int32Array(n),
    ss: new Int8Array(n),
    mdv: new Int8Array(n).fill(1),
    dv: new Float64Array(n).fill(NaN),
    cov: new Float64Array(n * o.nCov),
    nCov: o.nCov,
    occ: new Int32Array(n).fill(1),
    line: new Int32Array(n),
    timeVarying: false,
  };
  const obs: number[] = [];
  const extra = new Int32Array((o.extraTimes ?? []).length).fill(-1);
  kept.forEach((r, i) => {
    p.time[i] = r.t;
    p.line[i] = i + 1;
    if (o.occasion) p.occ[i] = o.occasion(r.t);
    if (r.dose) {
      p.evid[i] = 1;
      p.amt[i] = r.dose.amount;
      p.rate[i] = r.dose.duration > 0 ? r.dose.amount / r.dose.duration : 0;
      p.cmt[i] = o.cmt;
    } else {
      p.evid[i] = 2;
      obs.push(i);
      if (r.extra >= 0) extra[r.extra] = i;
    }
  });
  const obsIdx = Int32Array.from(obs);
  const ends = doses
    .filter((d) => d.duration > 0 && d.amount > 0)
    .map((d) => ({ time: d.time + d.duration, rate: d.amount / d.duration }))
    .sort((x, y) => x.time - y.time);
  const stopCmt = o.cmt > 0 ? o.cmt - 1 : 0;
  return {
    stops: {
      time: Float64Array.from(ends, (e) => e.time),
      cmt: Int32Array.from(ends, () => stopCmt),
      rate: Float64Array.from(ends, (e) => e.rate),
    },
    doses,
    patient: p,
    obs: obsIdx,
    obsTime: Float64Array.from(obs, (i) => p.time[i]),
    obsKind: Int8Array.from(obs, (i) => kept[i].kind),
    obsAtDose: Uint8Array.from(obs, (i) => (doseTimes.has(p.time[i]) ? 1 : 0)),
    extra,
  };
}

export function setCovariates(l: CourseLayout, cov: readonly number[]): void {
  const p = l.patient;
  for (let i = 0; i < p.n; i++) for (let k = 0; k < p.nCov; k++) p.cov[i * p.nCov + k] = cov[k];
}

/** Concentrations and cumulative AUC at a course's records, from one run. */
export interface CourseRun {
  layout: CourseLayout;
  c: Float64Array;
  cum: Float64Array;
}

export function runCourse(
  sim: Simulator,
  l: CourseLayout,
  eta: ArrayLike<number>,
  into?: CourseRun,
): CourseRun {
  const n = l.patient.n;
  const r =
    into && into.c.length === n ? into : { layout: l, c: new Float64Array(n), cum: new Float64Array(n) };
  r.layout = l;
  const prev = sim.integrateOutput;
  sim.integrateOutput = 0;
  try {
    sim.run(l.patient, eta, r.c, r.cum);
  } finally {
    sim.integrateOutput = prev;
  }
  return r;
}

/** Index in `obs` of the first observation at or after t (binary search). */
function firstAt(l: CourseLayout, t: number): number {
  let lo = 0;
  let hi = l.obsTime.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (l.obsTime[mid] < t - 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The exposure over [a, b] from a run; `mic` adds the MIC block. */
export function windowExposure(
  run: CourseRun,
  a: number,
  b: number,
  mic?: number,
  fu = 1,
  cAtFrom?: number,
  into?: Exposure,
): Exposure {
  const l = run.layout;
  const i0 = firstAt(l, a);
  let cmax = -Infinity;
  let cmin = Infinity;
  let tmax = a;
  let tmin = a;
  let cumA = NaN;
  let cumB = NaN;
  let tAbove = 0;
  let prevT = NaN;
  let prevC = NaN;
  for (let k = i0; k < l.obsTime.length; k++) {
    const t = l.obsTime[k];
    if (t > b + 1e-9) break;
    const rec = l.obs[k];
    if (Number.isNaN(cumA)) cumA = run.cum[rec];
    cumB = run.cum[rec];
    const startEdge = Math.abs(t - a) <= 1e-9;
    const endEdge = Math.abs(t - b) <= 1e-9;
    // At the window's start the value after a dose there; at its end the value before one.
    if (startEdge && l.obsAtDose[k] && l.obsKind[k] !== AFTER) continue;
    if (endEdge && l.obsKind[k] === AFTER) continue;
    const c = run.c[rec];
    if (c > cmax) {
      cmax = c;
      tmax = t;
    }
    if (c < cmin) {
      cmin = c;
      tmin = t;
    }
    if (mic !== undefined && t > prevT) {
      const f0 = fu * prevC - mic;
      const f1 = fu * c - mic;
      if (f0 > 0 && f1 > 0) tAbove += t - prevT;
      else if (f0 > 0 !== f1 > 0) {
        // Log-linear between the points (exact for a mono-exponential decline).
        const x0 = fu * prevC;
        const x1 = fu * c;
        const frac = x0 > 0 && x1 > 0 && x0 !== x1 ? Math.log(mic / x0) / Math.log(x1 / x0) : f0 / (f0 - f1);
        tAbove += f0 > 0 ? frac * (t - prevT) : (1 - frac) * (t - prevT);
      }
    }
    prevT = t;
    prevC = c;
  }
  const auc = cumB - cumA;
  // Written into `into` when given: a trial reads millions of windows, each read at once.
  const e: Exposure = into ?? { from: a, to: b, auc, cavg: 0, cmax, tmax, cmin, tmin, cAt: [] };
  e.from = a;
  e.to = b;
  e.auc = auc;
  e.cavg = auc / (b - a);
  e.cmax = cmax;
  e.tmax = tmax;
  e.cmin = cmin;
  e.tmin = tmin;
  if (cAtFrom === undefined) e.cAt.length = 0;
  else
    for (let j = 0; j < AFTER_INFUSION_H.length; j++) e.cAt[j] = valueAt(run, cAtFrom + AFTER_INFUSION_H[j]);
  if (mic !== undefined) {
    const m = e.mic ?? { mic, fu, tAbove, fTAbovePct: 0, fAucOverMic: 0, cmaxOverMic: 0 };
    m.mic = mic;
    m.fu = fu;
    m.tAbove = tAbove;
    m.fTAbovePct = (100 * tAbove) / (b - a);
    m.fAucOverMic = (fu * auc) / mic;
    m.cmaxOverMic = cmax / mic;
    e.mic = m;
  } else delete e.mic;
  return e;
}

/** The prediction at time t (before a dose there), NaN when t is not a record of the course. */
export function valueAt(run: CourseRun, t: number): number {
  const l = run.layout;
  const k = firstAt(l, t);
  return k < l.obsTime.length && Math.abs(l.obsTime[k] - t) <= 1e-9 ? run.c[l.obs[k]] : NaN;
}

/** The last administration whose interval ends by `t` (index), or −1. */
export function lastIntervalBy(doses: readonly Administration[], t: number): number {
  let k = -1;
  for (let i = 0; i < doses.length; i++) if (doses[i].time + doses[i].tau <= t + 1e-9) k = i;
  return k;
}

/** The exposure pair (day, last interval) of day `d` (1-based), at a MIC when given. */
export function dayExposure(
  run: CourseRun,
  d: number,
  dayLength: number,
  mic?: number,
  fu = 1,
  into?: ExposurePair,
  withCAt = true,
): ExposurePair | null {
  const doses = run.layout.doses;
  const k = lastIntervalBy(doses, d * dayLength);
  if (k < 0) return null;
  const dose = doses[k];
  const cAt = withCAt ? dose.time + dose.duration : undefined;
  const day = windowExposure(run, (d - 1) * dayLength, d * dayLength, mic, fu, undefined, into?.day);
  const interval = windowExposure(run, dose.time, dose.time + dose.tau, mic, fu, cAt, into?.interval);
  if (into) return into;
  return { day, interval };
}

/** A target's metric from an exposure pair. */
export function readMetric(t: Target, e: ExposurePair): number {
  return metricDef(t.metric).read(e);
}

/** Whether any of the targets needs a grid (a MIC crossing, or extremes under absorption). */
export function needsGrid(targets: readonly Target[], depot: boolean): boolean {
  return targets.some(
    (t) => (needsMic(t) && t.metric === 'ft_mic') || (depot && metricDef(t.metric).extremes),
  );
}
