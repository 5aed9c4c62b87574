import { DosetwinError, fail } from '../errors.ts';
import { type PatientData, type RecordInput, patientFromRecords } from '../events/records.ts';
import { convert, isKnownUnit } from '../units.ts';

/**
 * A future regimen, in the model's units (dose unit, time unit). The first administration is the
 * loading dose when one is given (it replaces the first maintenance dose, the clinical convention
 * "2000 mg, then 1000 mg every 12 h"); maintenance doses follow every `interval`.
 */
export interface FutureRegimen {
  /** Time of the first new administration. */
  start: number;
  /** Maintenance dose. */
  dose: number;
  interval: number;
  /** Infusion duration; 0 = bolus / oral (default 0). */
  duration?: number;
  /** Number of administrations, the loading dose included (default: enough to cover 10 intervals). */
  count?: number;
  /** First administration's amount (default: none, the first administration is `dose`). */
  loadingDose?: number;
  /** The loading dose's infusion duration (default: `duration`), e.g. 2.5 h for 2500 mg of vancomycin. */
  loadingDuration?: number;
  /** Dose compartment (1-based; 0 = the model's default, its first compartment). */
  cmt?: number;
}

/**
 * The occasion of future administrations: none (0), so that inter-occasion variability is 0 for
 * them whatever the history's occasions (a new occasion's IOV is unknown; its mean is 0).
 */
export const FUTURE_OCCASION = 0;

/** Whether a model has inter-occasion variability (its forecasts then close the history's last occasion). */
export function hasIov(sim: { model: { ir: { etas: readonly { iov?: boolean }[] } } }): boolean {
  return sim.model.ir.etas.some((e) => e.iov);
}

/** Administrations given when none is stated. */
const DEFAULT_COUNT = 10;

export function checkRegimen(r: FutureRegimen, field = 'regimen'): void {
  if (!Number.isFinite(r.start))
    fail('DT_REGIMEN', `${field}.start`, `start ${r.start} is not a finite time`);
  if (!(r.dose >= 0) || !Number.isFinite(r.dose))
    fail('DT_REGIMEN', `${field}.dose`, `dose ${r.dose} must be a finite number ≥ 0`);
  if (!(r.interval > 0) || !Number.isFinite(r.interval))
    fail('DT_REGIMEN', `${field}.interval`, `interval ${r.interval} must be > 0`);
  const dur = r.duration ?? 0;
  if (!(dur >= 0) || dur > r.interval)
    fail(
      'DT_REGIMEN',
      `${field}.duration`,
      `infusion duration ${dur} must be in 0..${r.interval} (the interval)`,
    );
  if (r.count !== undefined && !(Number.isInteger(r.count) && r.count >= 1))
    fail('DT_REGIMEN', `${field}.count`, `number of administrations ${r.count} must be an integer ≥ 1`);
  const ld = r.loadingDuration;
  if (ld !== undefined && !(ld >= 0 && ld <= r.interval))
    fail(
      'DT_REGIMEN',
      `${field}.loadingDuration`,
      `loading infusion duration ${ld} must be in 0..${r.interval} (the interval)`,
    );
  if (r.loadingDose !== undefined && !(r.loadingDose >= 0 && Number.isFinite(r.loadingDose)))
    fail('DT_REGIMEN', `${field}.loadingDose`, `loading dose ${r.loadingDose} must be a finite number ≥ 0`);
}

/** Covariates of a patient's last record (they apply to the future). */
export function lastCovariates(h: PatientData): number[] {
  const last = h.n - 1;
  return Array.from({ length: h.nCov }, (_, k) => h.cov[last * h.nCov + k]);
}

/**
 * When the next administration is due: one interval after the last one given (ADDL expanded),
 * and not before the last record. Without any dose: the last record.
 */
export function nextAdministrationTime(h: PatientData, interval: number): number {
  if (h.n === 0) fail('DT_REGIMEN', 'history', 'the patient has no record');
  let lastDose = -Infinity;
  for (let i = 0; i < h.n; i++)
    if ((h.evid[i] === 1 || h.evid[i] === 4) && h.amt[i] > 0)
      lastDose = Math.max(lastDose, h.time[i] + h.addl[i] * h.ii[i]);
  const lastRecord = h.time[h.n - 1];
  return lastDose === -Infinity ? lastRecord : Math.max(lastRecord, lastDose + interval);
}

/** Records of the new administrations (loading dose, then maintenance with ADDL). */
export function regimenRecords(
  r: FutureRegimen,
  cov: number[],
  o: { steadyState?: boolean; count?: number } = {},
): RecordInput[] {
  const dur = r.duration ?? 0;
  const cmt = r.cmt ?? 0;
  const count = o.count ?? r.count ?? DEFAULT_COUNT;
  const rows: RecordInput[] = [];
  const loading = r.loadingDose !== undefined && !o.steadyState;
  if (loading)
    rows.push({
      time: r.start,
      evid: 1,
      amt: r.loadingDose,
      rate: (r.loadingDuration ?? dur) > 0 ? r.loadingDose! / (r.loadingDuration ?? dur) : 0,
      cmt,
      cov,
      occ: FUTURE_OCCASION,
    });
  const n = count - (loading ? 1 : 0);
  if (n >= 1 && r.dose > 0)
    rows.push({
      time: r.start + (loading ? r.interval : 0),
      evid: 1,
      amt: r.dose,
      rate: dur > 0 ? r.dose / dur : 0,
      cmt,
      ii: r.interval,
      addl: n - 1,
      ss: o.steadyState ? 1 : 0,
      cov,
      occ: FUTURE_OCCASION,
    });
  return rows;
}

/**
 * The history's records up to time `until` (all by default) as record inputs, observations turned
 * into prediction-only records (EVID 2): the part of a patient a forecast replays before adding
 * new doses.
 */
export function historyRecords(h: PatientData, until = Infinity): RecordInput[] {
  const rows: RecordInput[] = [];
  for (let i = 0; i < h.n; i++) {
    if (h.time[i] > until) break;
    rows.push({
      time: h.time[i],
      evid: h.evid[i] === 0 ? 2 : h.evid[i],
      amt: h.amt[i],
      rate: h.rate[i],
      cmt: h.cmt[i],
      ii: h.ii[i],
      addl: h.addl[i],
      ss: h.ss[i],
      cov: Array.from({ length: h.nCov }, (_, k) => h.cov[i * h.nCov + k]),
      occ: h.occ[i],
    });
  }
  return rows;
}

/**
 * The patient's records for a forecast: the history up to the regimen's start (observations become
 * prediction-only records), then the new administrations. `steadyState`: the maintenance regimen
 * alone, already at steady state at `start` (NONMEM SS = 1; the history and loading dose are
 * irrelevant then and left out).
 */
export function regimenPatient(
  h: PatientData,
  r: FutureRegimen,
  o: { steadyState?: boolean; count?: number; closeOccasion?: boolean } = {},
): PatientData {
  if (h.n === 0)
    fail('DT_REGIMEN', 'history', 'the patient has no record (covariates are read from the last one)');
  checkRegimen(r);
  const cov = lastCovariates(h);
  const rows: RecordInput[] = o.steadyState ? [] : historyRecords(h, r.start);
  // With inter-occasion variability (`closeOccasion`), the history's last occasion lasts until the
  // new regimen starts: parameters over an interval are those of the record that ends it
  // (NONMEM's rule), so without this record the time from the last record to the first new dose
  // would take the future's occasion (no IOV).
  const lastOcc = h.occ[h.n - 1];
  if (o.closeOccasion && !o.steadyState && lastOcc !== FUTURE_OCCASION && r.start > h.time[h.n - 1])
    rows.push({ time: r.start, evid: 2, cov, occ: lastOcc });
  rows.push(...regimenRecords(r, cov, o));
  if (!rows.length) rows.push({ time: r.start, evid: 2, cov, occ: FUTURE_OCCASION });
  return patientFromRecords(h.id, rows, h.nCov);
}

/** ISO 8601 date-time, with or without a time-zone designator. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Milliseconds between two ISO date-times. Both with a time zone, or both without (then read as
 * the same wall clock, without daylight-saving shifts); mixing the two is ambiguous and refused.
 */
function msBetween(origin: string, t: string, field: string): number {
  const a = ISO.exec(origin);
  const b = ISO.exec(t);
  if (!a) fail('DT_REGIMEN', 'origin', `'${origin}' is not an ISO 8601 date-time such as 2026-11-20T08:00`);
  if (!b) fail('DT_REGIMEN', field, `'${t}' is not an ISO 8601 date-time such as 2026-11-20T08:00`);
  if (!!a![1] !== !!b![1])
    fail('DT_REGIMEN', field, `'${t}' and the origin '${origin}' must both have a time zone, or neither`);
  const ms = (x: string, zoned: boolean): number => Date.parse(zoned ? x : `${x}Z`);
  return ms(t, !!b![1]) - ms(origin, !!a![1]);
}

/**
 * Parse a regimen written as a prescription, in the model's units:
 * `1000 mg q12h x 1h from 2026-11-20T08:00`, `2 g then 1000 mg q8h over 30 min from 24 for 6 doses`,
 * `4.5 mg every 12 h`.
 * - `<amount> <mass unit>`: the maintenance dose (converted to the model's dose unit);
 * - `<amount> <unit> [over <n> <unit>] then`: a loading dose before it (the first administration),
 *   with its own infusion duration if given;
 * - `q<n>h` / `q<n>min` / `q<n>d` or `every <n> <unit>`: the interval;
 * - `over <n> <unit>` or `x <n><unit>`: the infusion duration (absent = bolus / oral);
 * - `from <t>`: start, in the model's time unit from the data's time zero, or a date-time
 *   (`2026-11-20T08:00`) when `origin`, the date-time of the data's time zero, is given;
 *   absent: `defaultStart` (a time, or a function of the interval);
 * - `for <n> doses` / `x <n> doses`: number of administrations, the loading dose included.
 */
export function parseRegimen(
  text: string,
  units: { dose: string; time: string },
  defaultStart: number | ((interval: number) => number),
  origin?: string,
): { regimen: FutureRegimen; conversions: string[] } {
  const bad = (message: string): never => {
    throw new DosetwinError([
      {
        code: 'DT_REGIMEN',
        severity: 'error',
        field: 'regimen',
        message: `'${text}': ${message}`,
        hint: "write e.g. '1000 mg q12h x 1h from 24 for 6 doses' or '2000 mg then 1000 mg q12h over 1 h'",
      },
    ]);
  };
  const conversions: string[] = [];
  const NUM = '(\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)';
  const amount = (v: string, unit: string): number => {
    if (!isKnownUnit(unit)) bad(`unknown dose unit '${unit}'`);
    const x = convert(Number(v), unit, units.dose, 'regimen');
    if (unit !== units.dose) conversions.push(`${v} ${unit} → ${x} ${units.dose}`);
    return x;
  };
  const TIME_WORDS: Record<string, string> = {
    hour: 'h',
    hours: 'h',
    hr: 'h',
    hrs: 'h',
    day: 'd',
    days: 'd',
  };
  const time = (v: string, unit: string): number => {
    const u = TIME_WORDS[unit.toLowerCase()] ?? unit;
    if (!isKnownUnit(u)) bad(`unknown time unit '${unit}'`);
    return convert(Number(v), u, units.time, 'regimen');
  };
  let rest = text.trim().replace(/\s+/g, ' ');
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest);
    if (m)
      rest = (rest.slice(0, m.index) + ' ' + rest.slice(m.index + m[0].length)).trim().replace(/\s+/g, ' ');
    return m;
  };
  let loadingDose: number | undefined;
  let loadingDuration: number | undefined;
  const load = take(new RegExp(`^${NUM}\\s*([a-zµ]+)(?: (?:over|x) ${NUM}\\s*([a-z]+))? then `, 'i'));
  if (load) {
    loadingDose = amount(load[1], load[2]);
    if (load[3] !== undefined) loadingDuration = time(load[3], load[4]);
  }
  const dose = take(new RegExp(`^${NUM}\\s*([a-zµ]+)\\b`, 'i'));
  if (!dose) return bad('no dose (an amount with its unit, e.g. 1000 mg)');
  const interval =
    take(new RegExp(`\\bq\\s*${NUM}\\s*(h|min|d)\\b`, 'i')) ??
    take(new RegExp(`\\bevery ${NUM}\\s*([a-z]+)\\b`, 'i'));
  if (!interval) return bad("no interval ('q12h' or 'every 12 h')");
  const count = take(/\b(?:for|x)\s*(\d+)\s*(?:doses?|administrations?)\b/i);
  const over =
    take(new RegExp(`\\bover ${NUM}\\s*([a-z]+)\\b`, 'i')) ??
    take(new RegExp(`\\bx\\s*${NUM}\\s*([a-z]+)\\b`, 'i'));
  const clock = take(/\bfrom (\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)(?=\s|$)/i);
  const from = clock ? null : take(new RegExp(`\\bfrom ([-+]?${NUM.slice(1, -1)})(?=\\s|$)`, 'i'));
  if (rest.length) bad(`could not read '${rest}'`);
  const tau = time(interval![1], interval![2]);
  let start: number;
  if (clock) {
    if (!origin)
      return bad(`a start date-time needs the date-time of the data's time zero (origin) to place it`);
    start = convert(msBetween(origin, clock[1], 'regimen.start') / 3.6e6, 'h', units.time, 'regimen');
    conversions.push(`${clock[1]} → t = ${Number(start.toPrecision(12))} ${units.time} after ${origin}`);
  } else start = from ? Number(from[1]) : typeof defaultStart === 'number' ? defaultStart : defaultStart(tau);
  const regimen: FutureRegimen = {
    start,
    dose: amount(dose![1], dose![2]),
    interval: tau,
    duration: over ? time(over[1], over[2]) : 0,
    ...(count ? { count: Number(count[1]) } : {}),
    ...(loadingDose !== undefined ? { loadingDose } : {}),
    ...(loadingDuration !== undefined ? { loadingDuration } : {}),
  };
  checkRegimen(regimen);
  return { regimen, conversions };
}
