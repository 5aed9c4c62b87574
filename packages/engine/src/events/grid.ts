import { detectTimeVarying, emptyPatient, type PatientData } from './records.ts';

/**
 * Add prediction-only records (EVID 2) at `times` to a patient, for curves on a grid. Each added
 * record takes the covariates of the next original record at or after its time (the last record's
 * beyond the end), so the parameters over every interval, and the predictions at the original
 * records, are unchanged. At equal times the added record comes after the original ones, so it
 * sees a dose given at that time. `cmt` = the observation compartment to predict (0 = default).
 */
export function withPredictionTimes(
  p: PatientData,
  times: readonly number[],
  cmt = 0,
  reuse?: PatientData,
): PatientData {
  // Sorted already, as a caller's grid usually is: not sorted again.
  let ordered = true;
  for (let k = 1; k < times.length && ordered; k++) if (times[k] < times[k - 1]) ordered = false;
  const sorted = ordered ? times : [...times].sort((a, b) => a - b);
  const n = p.n + sorted.length;
  const q: PatientData = reuse ? into(reuse, p, n) : emptyPatient(p.id, n, p.nCov);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const takeOriginal = i < p.n && (j >= sorted.length || p.time[i] <= sorted[j]);
    if (takeOriginal) {
      copyRecord(p, i, q, k);
      i++;
    } else {
      const src = Math.min(i, p.n - 1);
      q.time[k] = sorted[j];
      q.evid[k] = 2;
      q.amt[k] = 0;
      q.rate[k] = 0;
      q.ii[k] = 0;
      q.addl[k] = 0;
      q.ss[k] = 0;
      q.mdv[k] = 1;
      q.dv[k] = NaN;
      q.cmt[k] = cmt;
      for (let c = 0; c < p.nCov; c++) q.cov[k * p.nCov + c] = p.cov[src * p.nCov + c];
      q.occ[k] = p.occ[src];
      q.line[k] = 0;
      j++;
    }
  }
  q.timeVarying = detectTimeVarying(q);
  return q;
}

/**
 * `reuse` (made by emptyPatient, filled only here) as the n-record patient to fill: its arrays
 * kept when long enough (records past n are never read: every reader stops at n), else grown.
 * Successive curves of one window (an exposure's grid and refinement runs) then allocate a dozen
 * typed arrays once instead of once per run.
 */
function into(reuse: PatientData, p: PatientData, n: number): PatientData {
  if (reuse.time.length < n || reuse.nCov !== p.nCov)
    Object.assign(reuse, emptyPatient(p.id, Math.max(n, 2 * reuse.time.length), p.nCov));
  reuse.id = p.id;
  reuse.n = n;
  return reuse;
}

function copyRecord(p: PatientData, i: number, q: PatientData, k: number): void {
  q.time[k] = p.time[i];
  q.evid[k] = p.evid[i];
  q.amt[k] = p.amt[i];
  q.rate[k] = p.rate[i];
  q.cmt[k] = p.cmt[i];
  q.ii[k] = p.ii[i];
  q.addl[k] = p.addl[i];
  q.ss[k] = p.ss[i];
  q.mdv[k] = p.mdv[i];
  q.dv[k] = p.dv[i];
  for (let c = 0; c < p.nCov; c++) q.cov[k * p.nCov + c] = p.cov[i * p.nCov + c];
  q.occ[k] = p.occ[i];
  q.line[k] = p.line[i];
}
