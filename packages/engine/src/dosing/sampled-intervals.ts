/**
 * The dosing intervals of a history that hold a level, and their exposure at one eta vector: what
 * a fit reports beside the etas (the AUC, Cmin and Cmax of each sampled interval at the MAP, with
 * the interval's own inter-occasion etas when the eta vector is in the simulator's layout).
 */
import { emptyPatient, type PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { computeExposure } from './exposure.ts';
import { aucs } from './steady-state.ts';

/** A dosing interval holding at least one level (model time unit). */
export interface SampledInterval {
  /** Time of the dose that opens the interval. */
  from: number;
  /**
   * The next dose; for the last dose, one dosing interval (II) after it, or without II its last
   * level (the interval is then open and read up to that level).
   */
  to: number;
  /** Levels (observations with MDV 0, censored ones included) in (from, to]. */
  levels: number;
}

/** A sampled interval's exposure at one eta vector. */
export interface SampledExposure extends SampledInterval {
  auc: number;
  cavg: number;
  cmin: number;
  tmin: number;
  cmax: number;
  tmax: number;
}

/** Same time up to rounding (ADDL repetitions computed as t + k·II). */
const EPS = 1e-9;

/**
 * Points of the first-pass grid over each sampled interval (computeExposure's default is 400, for
 * windows of any length). A sampled interval is one dosing interval, whose profile has one peak
 * and one trough between its records and infusion ends (which the grid holds too): 100 points
 * bracket them, the refinement then settles them as before, and the grid's run, the bulk of a
 * fit's exposure, costs a quarter. On the 600 patients of the CLI bench (1-cpt oral, single and
 * multiple doses) Cmax and Cmin moved by at most 1.5e-14 relative from the 400-point grid's: the
 * rounding of a run with fewer steps, e.g. a steady-state trough read at the interval's other end.
 */
const SAMPLED_GRID = 100;

/**
 * The dosing intervals of a history that hold a level. Dose times are those of the dose records
 * (EVID 1 or 4 with AMT > 0) and of their ADDL repetitions; doses at the same time open one
 * interval. A level belongs to the interval (from, to]: a level taken at a dose's time is the
 * previous interval's trough, and a level before the first dose belongs to none.
 */
export function sampledIntervals(h: PatientData): SampledInterval[] {
  // Plain loops over typed arrays, natively sorted: this runs once per patient of a fit, mostly
  // before the JIT has compiled it.
  let nDoses = 0;
  for (let i = 0; i < h.n; i++)
    if ((h.evid[i] === 1 || h.evid[i] === 4) && h.amt[i] > 0) nDoses += h.ii[i] > 0 ? h.addl[i] + 1 : 1;
  if (nDoses === 0) return [];
  const doses = new Float64Array(nDoses);
  let d = 0;
  for (let i = 0; i < h.n; i++) {
    if (!(h.evid[i] === 1 || h.evid[i] === 4) || !(h.amt[i] > 0)) continue;
    const ii = h.ii[i] > 0 ? h.ii[i] : 0;
    const reps = ii > 0 ? h.addl[i] : 0;
    for (let k = 0; k <= reps; k++) doses[d++] = h.time[i] + k * ii;
  }
  doses.sort();
  // An interval opens at the first of doses closer than EPS to the one before.
  const starts: number[] = [];
  for (let j = 0; j < nDoses; j++) if (j === 0 || doses[j] - doses[j - 1] > EPS) starts.push(doses[j]);
  // Each start's II: the longest among the doses given at exactly its time.
  const startIi = new Float64Array(starts.length);
  for (let i = 0; i < h.n; i++) {
    if (!(h.evid[i] === 1 || h.evid[i] === 4) || !(h.amt[i] > 0)) continue;
    const ii = h.ii[i] > 0 ? h.ii[i] : 0;
    const reps = ii > 0 ? h.addl[i] : 0;
    for (let k = 0; k <= reps; k++) {
      const s = indexOfSorted(starts, h.time[i] + k * ii);
      if (s >= 0 && ii > startIi[s]) startIi[s] = ii;
    }
  }
  let nLevels = 0;
  for (let i = 0; i < h.n; i++) if (h.evid[i] === 0 && h.mdv[i] === 0) nLevels++;
  const levels = new Float64Array(nLevels);
  let l = 0;
  for (let i = 0; i < h.n; i++) if (h.evid[i] === 0 && h.mdv[i] === 0) levels[l++] = h.time[i];
  levels.sort();
  const lastLevel = nLevels > 0 ? levels[nLevels - 1] : -Infinity;
  const out: SampledInterval[] = [];
  for (let j = 0; j < starts.length; j++) {
    const from = starts[j];
    // Without II, the last dose's interval runs to its last level (none after it: no interval).
    const to =
      j + 1 < starts.length
        ? starts[j + 1]
        : startIi[j] > 0
          ? from + startIi[j]
          : lastLevel > from + EPS
            ? lastLevel
            : -Infinity;
    if (!(to > from)) continue;
    let n = 0;
    for (let k = 0; k < nLevels; k++) if (levels[k] > from + EPS && levels[k] <= to + EPS) n++;
    if (n) out.push({ from, to, levels: n });
  }
  return out;
}

/** The index of `t` in the increasing `a`, or −1. */
function indexOfSorted(a: readonly number[], t: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < t) lo = mid + 1;
    else if (a[mid] > t) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * The AUC (exact integral), Cavg, Cmin and Cmax (refined extremes) of output `output` over each
 * sampled dosing interval of the history, at `eta` (model order, or the simulator's layout with
 * the IOV blocks of the history's occasions; null = the typical patient).
 */
export function sampledExposure(
  sim: Simulator,
  h: PatientData,
  eta: ArrayLike<number> | null,
  output = 0,
): SampledExposure[] {
  const intervals = sampledIntervals(h);
  if (!intervals.length) return [];
  const ends = [...new Set(intervals.flatMap((w) => [w.from, w.to]))].sort((a, b) => a - b);
  const cum = aucs(sim, h, eta, output, ends);
  const profile = profileOf(sim, h);
  return intervals.map((w) => {
    const e = computeExposure(sim, withoutDosesFrom(h, w.to, profile), eta, {
      from: w.from,
      to: w.to,
      output,
      auc: cum[ends.indexOf(w.to)] - cum[ends.indexOf(w.from)],
      gridPoints: SAMPLED_GRID,
    });
    return {
      from: w.from,
      to: w.to,
      levels: w.levels,
      auc: e.auc,
      cavg: e.cavg,
      cmin: e.cmin,
      tmin: e.tmin,
      cmax: e.cmax,
      tmax: e.tmax,
    };
  });
}

/**
 * A patient that each interval's history fills in turn, one per simulator (one thread computes one
 * exposure at a time, and computeExposure keeps nothing of it): a fit's hundreds of patients share
 * its arrays, grown as needed, instead of a dozen typed arrays each.
 */
const PROFILE = new WeakMap<Simulator, PatientData>();

function profileOf(sim: Simulator, h: PatientData): PatientData {
  let q = PROFILE.get(sim);
  if (!q || q.time.length < h.n || q.nCov !== h.nCov) {
    q = emptyPatient(h.id, Math.max(h.n, 2 * (q?.time.length ?? 0)), h.nCov);
    PROFILE.set(sim, q);
  }
  return q;
}

/**
 * The history with no administration at or after `t`: dose records from `t` on become
 * prediction-only records (same time, covariates and occasion, so the parameters over every
 * interval are unchanged) and ADDL repetitions are cut before `t`. A window ending at a dose time
 * then reads the level just before that dose (its trough), not the bolus given at its end.
 * `into`: a patient to fill instead of a new one (made by emptyPatient with h's covariates and at
 * least h's records; its records past h's are never read: every reader stops at n).
 */
export function withoutDosesFrom(h: PatientData, t: number, into?: PatientData): PatientData {
  // Reused only without censoring columns, which a new patient gets below.
  const reuse =
    into !== undefined &&
    into.nCov === h.nCov &&
    into.time.length >= h.n &&
    !h.cens &&
    !h.lloq &&
    !into.cens &&
    !into.lloq;
  const q = reuse ? into : emptyPatient(h.id, h.n, h.nCov);
  q.id = h.id;
  q.n = h.n;
  q.cov.set(h.cov);
  q.time.set(h.time);
  q.occ.set(h.occ);
  q.line.set(h.line);
  q.cmt.set(h.cmt);
  q.mdv.set(h.mdv);
  q.dv.set(h.dv);
  if (h.cens) q.cens = Int8Array.from(h.cens);
  if (h.lloq) q.lloq = Float64Array.from(h.lloq);
  for (let i = 0; i < h.n; i++) {
    const dose = h.evid[i] === 1 || h.evid[i] === 4;
    if (dose && h.time[i] >= t - EPS) {
      q.evid[i] = 2;
      q.mdv[i] = 1;
      q.amt[i] = 0;
      q.rate[i] = 0;
      q.ii[i] = 0;
      q.ss[i] = 0;
      q.addl[i] = 0;
      continue;
    }
    q.evid[i] = h.evid[i];
    q.amt[i] = h.amt[i];
    q.rate[i] = h.rate[i];
    q.ii[i] = h.ii[i];
    q.ss[i] = h.ss[i];
    q.addl[i] =
      dose && h.ii[i] > 0
        ? Math.min(h.addl[i], Math.max(0, Math.ceil((t - EPS - h.time[i]) / h.ii[i]) - 1))
        : h.addl[i];
  }
  q.timeVarying = h.timeVarying;
  return q;
}
