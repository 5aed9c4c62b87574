/**
 * Bias of a subgroup of patients and whether to flag it: one rule for the bias audit of a model
 * (relative prediction errors of the next level, several per patient) and for the ML exposure
 * estimators (relative errors of the AUC estimate, one per patient).
 *
 * The bias is the median relative error: the mean divides by a noisy reference and leans upward,
 * the median of a monotone function of a symmetric residual does not. Its 95 % interval is a
 * percentile bootstrap over patients (a patient's errors are not independent; seeded, 1000
 * resamples). A group is flagged when its bias is beyond ±threshold, its interval excludes 0 (with
 * tens of patients the point estimate alone would flag noise) and, given the other patients'
 * errors, the bootstrap interval of the difference from their bias excludes 0 too: a bias in one
 * subgroup leaks into every group holding its patients, and those are not flagged.
 */
import { createRng, type Rng } from '../simulate/rng.ts';

/** Resamples of the bootstrap intervals. */
export const BOOTSTRAP_RESAMPLES = 1000;

/** The median of a list (the mean of the two middle values for an even length); NaN when empty. */
export function median(xs: ArrayLike<number>): number {
  const v = Float64Array.from(xs).sort();
  const m = v.length >> 1;
  return v.length === 0 ? NaN : v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The errors of each patient (patients in first-seen order). */
export function errorsByPatient(ids: readonly string[], errors: readonly number[]): number[][] {
  const m = new Map<string, number[]>();
  ids.forEach((id, i) => {
    const l = m.get(id);
    if (l) l.push(errors[i]);
    else m.set(id, [errors[i]]);
  });
  return [...m.values()];
}

/**
 * Reorders `a[0..n)` so that `a[k]` is its k-th smallest value, the smaller ones before it
 * (Wirth's selection: the median of each resample without sorting it, the bootstrap's main cost).
 */
function select(a: Float64Array, n: number, k: number): void {
  let l = 0;
  let r = n - 1;
  while (l < r) {
    const x = a[k];
    let i = l;
    let j = r;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
}

/** The median of `a[0..n)` (reordered): the same value as {@link median}. */
function medianInPlace(a: Float64Array, n: number): number {
  const m = n >> 1;
  select(a, n, m);
  if (n % 2) return a[m];
  let below = a[0];
  for (let i = 1; i < m; i++) if (a[i] > below) below = a[i];
  return (below + a[m]) / 2;
}

/** The median error of a resample of the patients (with replacement), pooled in `buf`. */
function resampledMedian(patients: readonly (readonly number[])[], rng: Rng, buf: Float64Array): number {
  const n = patients.length;
  let len = 0;
  for (let i = 0; i < n; i++) {
    const p = patients[Math.min(n - 1, Math.floor(rng.uniform() * n))];
    for (let k = 0; k < p.length; k++) buf[len++] = p[k];
  }
  return len === 0 ? NaN : medianInPlace(buf, len);
}

/** A buffer holding any resample of the patients. */
const poolFor = (patients: readonly (readonly number[])[]): Float64Array =>
  new Float64Array(patients.length * patients.reduce((m, p) => Math.max(m, p.length), 0));

function percentileInterval(x: Float64Array): [number, number] {
  x.sort();
  return [x[Math.floor(0.025 * x.length)], x[Math.ceil(0.975 * x.length) - 1]];
}

export interface SubgroupBias {
  patients: number;
  /** Errors over all the group's patients. */
  values: number;
  /** Median error. */
  bias: number;
  /** 95 % percentile bootstrap interval of the bias over patients; null under 3 patients. */
  ci: [number, number] | null;
  /** The bootstrap interval of the bias minus the other patients' excludes 0 (true without others). */
  apart: boolean;
  flagged: boolean;
}

/**
 * The bias of a group given its patients' errors (one list per patient), flagged beyond
 * ±threshold; with `rest` (the other patients' errors), only when it also stands apart from theirs.
 */
export function subgroupBias(
  patients: readonly (readonly number[])[],
  threshold: number,
  o: { seed?: number; rest?: readonly (readonly number[])[] } = {},
): SubgroupBias {
  const n = patients.length;
  const bias = median(patients.flat());
  let ci: [number, number] | null = null;
  let apart = true;
  if (n >= 3) {
    const rng = createRng(o.seed ?? 1);
    const others = o.rest && o.rest.length ? o.rest : null;
    const own = poolFor(patients);
    const pool = others ? poolFor(others) : own;
    const meds = new Float64Array(BOOTSTRAP_RESAMPLES);
    const diffs = new Float64Array(BOOTSTRAP_RESAMPLES);
    for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
      meds[b] = resampledMedian(patients, rng, own);
      if (others) diffs[b] = meds[b] - resampledMedian(others, rng, pool);
    }
    ci = percentileInterval(meds);
    if (others) {
      const d = percentileInterval(diffs);
      apart = d[0] > 0 || d[1] < 0;
    }
  }
  const flagged = ci !== null && Math.abs(bias) > threshold && (ci[0] > 0 || ci[1] < 0) && apart;
  return { patients: n, values: patients.reduce((a, p) => a + p.length, 0), bias, ci, apart, flagged };
}

/**
 * Each subgroup's bias when each patient has one error (`labels[i]`: patient i's subgroup), each
 * against the other patients; non-finite errors (estimates that failed) are left out. Groups in
 * first-seen order.
 */
export function subgroupBiases(
  errors: readonly number[],
  labels: readonly string[],
  threshold: number,
  o: { seed?: number } = {},
): ({ group: string } & SubgroupBias)[] {
  const groups = new Map<string, number[][]>();
  labels.forEach((g, i) => {
    if (!groups.has(g)) groups.set(g, []);
    if (Number.isFinite(errors[i])) groups.get(g)!.push([errors[i]]);
  });
  return [...groups.entries()].map(([group, own]) => {
    const rest = [...groups.entries()].filter(([g]) => g !== group).flatMap(([, p]) => p);
    return { group, ...subgroupBias(own, threshold, { seed: o.seed, rest }) };
  });
}
