/**
 * What the patient actually took: the prescribed regimen as the default dose history, and the
 * explicit records that correct it — a dose missed, taken late (or early), or an extra one — from
 * the patient's diary or an electronic pill box's openings (CSV). The fit then uses the real times,
 * and {@link adherenceEffect} says how much they change the estimate; {@link adherenceScenarios}
 * shows a prescriber what a pattern of adherence does to the exposure (bands over the draws).
 *
 * Every time is ISO 8601 with a zone; a due time is matched to the prescribed schedule to the
 * minute.
 */
import {
  convert,
  createRng,
  curveOn,
  DosetwinError,
  type Issue,
  plannedPatient,
  type PlannedDose,
} from '@dosetwin/engine';
import { type ClinicalTwin, clinicalTwin } from './analysis.ts';
import type { ClinicalRecord } from './patient.ts';
import { type Quantity, type Regimen, toFutureRegimen } from './regimen.ts';

export type DoseStatus = 'taken' | 'late' | 'missed' | 'extra';

/** A record of what happened to one dose. */
export interface DoseEvent {
  /** The prescribed time it was due (ISO with zone); null for an extra dose. */
  dueAt: string | null;
  status: DoseStatus;
  /** When it was taken (taken, late, extra); null when missed. */
  takenAt: string | null;
  /** What was taken when not the prescribed dose (extra doses: required); null: the prescribed dose. */
  amount: Quantity | null;
  source: 'diary' | 'pillbox' | 'clinician';
}

/** The prescription a history is built from: the regimen from its first dose (`regimen.start`), until a time. */
export interface Prescription {
  regimen: Regimen;
  until: string;
  product: string;
}

const H = 3_600_000;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const issue = (code: Issue['code'], field: string, message: string, hint?: string): Issue => ({
  code,
  severity: 'error',
  field,
  message,
  ...(hint ? { hint } : {}),
});

/** Minutes east of UTC of an ISO text's zone. */
function offsetMin(iso: string): number {
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/.exec(iso);
  if (!m || m[1] === 'Z') return 0;
  return (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
}

/** An epoch time as ISO 8601 in a zone given in minutes east of UTC (`2026-12-07T20:00+01:00`). */
export function isoInZone(ms: number, offset: number): string {
  // To the minute, or to the second (millisecond) when the time has them.
  const full = new Date(ms + offset * 60_000).toISOString();
  const d = ms % 1000 ? full.slice(0, 23) : ms % 60_000 ? full.slice(0, 19) : full.slice(0, 16);
  if (offset === 0) return `${d}Z`;
  const a = Math.abs(offset);
  return `${d}${offset < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function parseIso(v: string, field: string, issues: Issue[], code: Issue['code']): number {
  const t = Date.parse(v);
  if (typeof v !== 'string' || !ISO_WITH_ZONE.test(v) || !Number.isFinite(t)) {
    issues.push(
      issue(
        code,
        field,
        `'${v}' is not an ISO 8601 date-time with a time zone`,
        "e.g. '2026-12-07T20:00+01:00'",
      ),
    );
    return NaN;
  }
  return t;
}

/** The prescribed doses from the regimen's start until `until` (inclusive), in the start's zone. */
export function prescribedDoses(p: Prescription): { dueAt: string; ms: number; amount: Quantity }[] {
  const issues: Issue[] = [];
  if (p.regimen.start === null)
    issues.push(issue('DT_ADHERENCE', 'regimen.start', 'the prescription needs the time of its first dose'));
  const start =
    p.regimen.start === null ? NaN : parseIso(p.regimen.start, 'regimen.start', issues, 'DT_ADHERENCE');
  const until = parseIso(p.until, 'until', issues, 'DT_ADHERENCE');
  const tauMs = convert(p.regimen.interval.value, p.regimen.interval.unit, 'h', 'regimen.interval') * H;
  if (!(tauMs > 0)) issues.push(issue('DT_ADHERENCE', 'regimen.interval', 'the interval must be > 0'));
  if (Number.isFinite(start) && Number.isFinite(until) && until < start)
    issues.push(issue('DT_ADHERENCE', 'until', `${p.until} is before the first dose ${p.regimen.start}`));
  if (issues.length) throw new DosetwinError(issues);
  const zone = offsetMin(p.regimen.start!);
  const out: { dueAt: string; ms: number; amount: Quantity }[] = [];
  for (let t = start; t <= until + 1; t += tauMs)
    out.push({ dueAt: isoInZone(t, zone), ms: t, amount: p.regimen.dose });
  return out;
}

/**
 * The administrations of a record from the prescription corrected by the events: a missed dose
 * removed, a late (or early) one moved to its time, an extra one added. Each event names its due
 * time; one that matches no prescribed dose, a late dose taken before it was due, a missed dose
 * with a time or a second event for the same dose is refused (DT_ADHERENCE, naming the event).
 */
export function realAdministrations(
  p: Prescription,
  events: readonly DoseEvent[],
): {
  administrations: ClinicalRecord['administrations'];
  statuses: { dueAt: string; status: DoseStatus; takenAt: string | null }[];
} {
  // The prescription's own checks first, with its fields named as the caller wrote them.
  prescribedDoses(p);
  const h = doseHistory({
    prescriptions: [{ regimen: p.regimen, product: p.product, until: p.until }],
    administrations: [],
    events,
    until: p.until,
  });
  return { administrations: h.administrations, statuses: h.statuses };
}

/** A prescription in force from its regimen's first dose (`regimen.start`) until `until` (null: open) or the next one's start. */
export interface PrescriptionPeriod {
  regimen: Regimen;
  product: string;
  until: string | null;
}

/** A prescription as a record holds it (its regimen's fields side by side) as the library's period. */
export function prescriptionPeriod(p: {
  start: string;
  dose: Quantity;
  interval: Quantity;
  route: Regimen['route'];
  duration: Quantity | null;
  product: string;
  until: string | null;
}): PrescriptionPeriod {
  return {
    regimen: {
      dose: p.dose,
      interval: p.interval,
      route: p.route,
      duration: p.duration,
      start: p.start,
      loading: null,
    },
    product: p.product,
    until: p.until,
  };
}

/** An adherence record as a record holds it (`kind`: what happened) as the library's dose event. */
export function adherenceEvent(r: {
  kind: DoseStatus;
  dueAt: string | null;
  takenAt: string | null;
  amount: Quantity | null;
  source: DoseEvent['source'];
}): DoseEvent {
  return { dueAt: r.dueAt, status: r.kind, takenAt: r.takenAt, amount: r.amount, source: r.source };
}

/** A dose of a record (with whatever else the record keeps) as the history's administration. */
export const administrationOf = (
  a: ClinicalRecord['administrations'][number],
): ClinicalRecord['administrations'][number] => ({
  at: a.at,
  amount: a.amount,
  unit: a.unit,
  route: a.route,
  duration: a.duration,
  product: a.product,
});

export interface DoseHistoryInput {
  /** The prescriptions, each the default history from its start until its end or the next one's start. */
  prescriptions: readonly PrescriptionPeriod[];
  /** The administrations recorded (a nurse's, a dose the diary recorded): each is a real dose; one at a prescribed dose's time (to the minute) is that dose. */
  administrations: ClinicalRecord['administrations'];
  /** The adherence records: what happened to a prescribed dose (missed, late, early), or an extra dose. */
  events: readonly DoseEvent[];
  /** Doses due after this time are not in the history yet (ISO with zone; the analysis's time). */
  until: string;
  /** How each event is named in an error (default `events[k]`); the service names its records. */
  eventFields?: readonly string[];
}

export interface DoseHistory {
  /** The real history: the prescribed doses corrected by the records, and the administrations recorded; in time order. */
  administrations: ClinicalRecord['administrations'];
  /** The same without the adherence records (every prescribed dose at its time): what the fit would assume without them. */
  prescribed: ClinicalRecord['administrations'];
  /** Each prescribed dose's due time and what happened to it. */
  statuses: { dueAt: string; status: DoseStatus; takenAt: string | null }[];
}

interface Period {
  p: PrescriptionPeriod;
  start: number;
  end: number;
  tauMs: number;
  zone: number;
}

interface DueDose {
  dueAt: string;
  ms: number;
  amount: Quantity;
  period: PrescriptionPeriod;
  tauMs: number;
}

/** The prescriptions' periods in time order and their due doses until `untilMs` (issues pushed, fields named). */
function scheduleOf(
  prescriptions: readonly PrescriptionPeriod[],
  untilMs: number,
  issues: Issue[],
): { periods: Period[]; due: DueDose[] } {
  const periods = prescriptions
    .map((p, i): Period | null => {
      const f = `prescriptions[${i}]`;
      if (p.regimen.start === null) {
        issues.push(
          issue('DT_ADHERENCE', `${f}.regimen.start`, 'the prescription needs the time of its first dose'),
        );
        return null;
      }
      const start = parseIso(p.regimen.start, `${f}.regimen.start`, issues, 'DT_ADHERENCE');
      const end = p.until === null ? Infinity : parseIso(p.until, `${f}.until`, issues, 'DT_ADHERENCE');
      const tauMs =
        convert(p.regimen.interval.value, p.regimen.interval.unit, 'h', `${f}.regimen.interval`) * H;
      if (!(tauMs > 0))
        issues.push(issue('DT_ADHERENCE', `${f}.regimen.interval`, 'the interval must be > 0'));
      if (end < start)
        issues.push(
          issue('DT_ADHERENCE', `${f}.until`, `${p.until} is before the first dose ${p.regimen.start}`),
        );
      return { p, start, end, tauMs, zone: offsetMin(p.regimen.start) };
    })
    .filter((x) => x !== null)
    .sort((a, b) => a.start - b.start);
  if (issues.length) throw new DosetwinError(issues);
  const due: DueDose[] = [];
  periods.forEach((x, i) => {
    const next = periods[i + 1]?.start ?? Infinity;
    for (let t = x.start; t <= Math.min(x.end, untilMs) + 1 && t < next; t += x.tauMs)
      due.push({ dueAt: isoInZone(t, x.zone), ms: t, amount: x.p.regimen.dose, period: x.p, tauMs: x.tauMs });
  });
  return { periods, due };
}

/**
 * A record's dose history from its prescriptions, its recorded administrations and its adherence
 * records (see {@link DoseHistoryInput}). Each prescription's doses run from its first dose to
 * the earliest of its end, the next prescription's start (excluded) and `until`. A record naming a
 * due time that no prescription has, two records of one dose, a missed or late record of a dose an
 * administration records at its due time, or a record's own contradiction (a missed dose with a
 * time, a late one not after it was due, an extra one without time or amount) is refused
 * (DT_ADHERENCE, naming the record).
 */
export function doseHistory(h: DoseHistoryInput): DoseHistory {
  const issues: Issue[] = [];
  const untilMs = parseIso(h.until, 'until', issues, 'DT_ADHERENCE');
  const { periods, due } = scheduleOf(h.prescriptions, untilMs, issues);
  // A recorded administration at a prescribed dose's time is that dose (the record says it was given).
  const recordedAt = new Set(h.administrations.map((a) => Math.floor(Date.parse(a.at) / 60_000)));
  const recorded = (ms: number): boolean => recordedAt.has(Math.floor(ms / 60_000));
  const inForceAt = (ms: number): PrescriptionPeriod | null =>
    [...periods].reverse().find((x) => x.start <= ms)?.p ?? periods[0]?.p ?? null;
  const byDue = new Map<number, number>();
  const extras: { ms: number; at: string; amount: Quantity }[] = [];
  h.events.forEach((e, k) => {
    const f = h.eventFields?.[k] ?? `events[${k}]`;
    const taken = e.takenAt === null ? NaN : parseIso(e.takenAt, `${f}.takenAt`, issues, 'DT_ADHERENCE');
    if (e.status === 'extra') {
      if (e.takenAt === null)
        issues.push(issue('DT_ADHERENCE', `${f}.takenAt`, 'an extra dose needs the time it was taken'));
      if (!e.amount) issues.push(issue('DT_ADHERENCE', `${f}.amount`, 'an extra dose needs its amount'));
      else if (!(e.amount.value > 0))
        issues.push(issue('DT_ADHERENCE', `${f}.amount`, `amount ${e.amount.value} must be > 0`));
      if (Number.isFinite(taken) && inForceAt(taken) === null)
        issues.push(
          issue('DT_ADHERENCE', `${f}.takenAt`, 'an extra dose needs a prescription (its route and product)'),
        );
      if (e.takenAt !== null && e.amount && Number.isFinite(taken))
        extras.push({ ms: taken, at: e.takenAt, amount: e.amount });
      return;
    }
    if (e.dueAt === null) {
      issues.push(
        issue('DT_ADHERENCE', `${f}.dueAt`, `a ${e.status} dose names the prescribed time it was due`),
      );
      return;
    }
    const d = parseIso(e.dueAt, `${f}.dueAt`, issues, 'DT_ADHERENCE');
    if (!Number.isFinite(d)) return;
    const i = due.findIndex((x) => Math.abs(x.ms - d) < 60_000);
    if (i < 0) {
      issues.push(
        issue(
          'DT_ADHERENCE',
          `${f}.dueAt`,
          `no prescribed dose is due at ${e.dueAt}`,
          due.length
            ? `doses are due at ${due
                .filter((x) => x.ms <= d)
                .slice(-2)
                .concat(due.filter((x) => x.ms > d).slice(0, 1))
                .map((x) => x.dueAt)
                .join(', ')}…`
            : 'no prescription is in force at that time',
        ),
      );
      return;
    }
    if (byDue.has(i))
      issues.push(
        issue(
          'DT_ADHERENCE',
          `${f}.dueAt`,
          `the dose due at ${e.dueAt} already has a record (${h.eventFields?.[byDue.get(i)!] ?? `events[${byDue.get(i)}]`})`,
        ),
      );
    else if (recorded(due[i].ms))
      issues.push(
        issue(
          'DT_ADHERENCE',
          `${f}.dueAt`,
          `an administration is recorded at ${e.dueAt}: that dose was given`,
          'correct the administration if it was not',
        ),
      );
    byDue.set(i, k);
    if (e.status === 'missed' && e.takenAt !== null)
      issues.push(issue('DT_ADHERENCE', `${f}.takenAt`, 'a missed dose has no time taken'));
    if ((e.status === 'late' || e.status === 'taken') && e.takenAt === null)
      issues.push(issue('DT_ADHERENCE', `${f}.takenAt`, `a ${e.status} dose needs the time it was taken`));
    if (e.status === 'late' && Number.isFinite(taken) && taken <= d)
      issues.push(
        issue('DT_ADHERENCE', `${f}.takenAt`, `taken at ${e.takenAt}, not after it was due (${e.dueAt})`),
      );
  });
  if (issues.length) throw new DosetwinError(issues);
  const admin = (
    at: string,
    amount: Quantity,
    p: PrescriptionPeriod,
  ): ClinicalRecord['administrations'][number] => ({
    at,
    amount: amount.value,
    unit: amount.unit,
    route: p.regimen.route,
    duration: p.regimen.duration,
    product: p.product,
  });
  type Row = { ms: number; a: ClinicalRecord['administrations'][number] };
  const byTime = (rows: Row[]): ClinicalRecord['administrations'] =>
    rows.sort((a, b) => a.ms - b.ms).map((x) => x.a);
  const given: Row[] = h.administrations.map((a) => ({ ms: Date.parse(a.at), a }));
  const rows: Row[] = [...given];
  const planned: Row[] = [...given];
  const statuses = due.map((x, i) => {
    const k = byDue.get(i);
    const e = k === undefined ? null : h.events[k];
    if (!recorded(x.ms)) planned.push({ ms: x.ms, a: admin(x.dueAt, x.amount, x.period) });
    if (e?.status === 'missed') return { dueAt: x.dueAt, status: 'missed' as const, takenAt: null };
    const at = e?.takenAt ?? x.dueAt;
    if (!recorded(x.ms) || e)
      rows.push({ ms: Date.parse(at), a: admin(at, e?.amount ?? x.amount, x.period) });
    return { dueAt: x.dueAt, status: e?.status ?? ('taken' as const), takenAt: at };
  });
  for (const x of extras) rows.push({ ms: x.ms, a: admin(x.at, x.amount, inForceAt(x.ms)!) });
  return { administrations: byTime(rows), prescribed: byTime(planned), statuses };
}

/**
 * An electronic pill box's openings (CSV with a header; the column `opened_at`, or `timestamp`,
 * holds ISO 8601 date-times with a zone) matched to the prescribed doses: an opening within half an
 * interval of a due dose is that dose (on time within `toleranceH`, else late or early), a second
 * opening for the same dose is an extra dose, a due dose without an opening is missed. Errors name
 * the line (DT_PILLBOX_CSV).
 */
export function readPillBoxCsv(text: string, p: Prescription, o: { toleranceH?: number } = {}): DoseEvent[] {
  const openings = pillBoxOpenings(text);
  const tauMs = convert(p.regimen.interval.value, p.regimen.interval.unit, 'h', 'regimen.interval') * H;
  const due = prescribedDoses(p).map((d) => ({ ...d, tauMs }));
  return matchOpenings(openings, due, p.regimen.dose, o.toleranceH ?? 1);
}

/**
 * A pill box's openings against a record's prescriptions (as {@link readPillBoxCsv} reads them),
 * over the period the file covers: the due doses from half an interval before its first opening
 * to half an interval after its last one (and not after `until`), so the doses due before or after
 * the box was used are not counted as missed. An opening outside every prescription is refused.
 */
export function pillBoxRecords(
  text: string,
  prescriptions: readonly PrescriptionPeriod[],
  until: string,
  o: { toleranceH?: number } = {},
): DoseEvent[] {
  const openings = pillBoxOpenings(text);
  const issues: Issue[] = [];
  const untilMs = parseIso(until, 'until', issues, 'DT_PILLBOX_CSV');
  const { periods, due } = scheduleOf(prescriptions, untilMs, issues);
  const first = openings[0];
  const last = openings[openings.length - 1];
  const inForce = (ms: number): Period | undefined =>
    [...periods].reverse().find((x) => x.start - x.tauMs / 2 <= ms);
  for (const x of openings)
    if (!inForce(x.ms))
      issues.push(
        issue(
          'DT_PILLBOX_CSV',
          `line ${x.line}`,
          `${x.at} is before every prescription`,
          'record the prescription the pill box was filled for first',
        ),
      );
  if (issues.length) throw new DosetwinError(issues);
  const covered = due.filter((d) => d.ms > first.ms - d.tauMs / 2 && d.ms < last.ms + d.tauMs / 2);
  return matchOpenings(
    openings,
    covered,
    inForce(last.ms)!.p.regimen.dose,
    o.toleranceH ?? 1,
    (ms) => inForce(ms)!.p.regimen.dose,
  );
}

interface Opening {
  ms: number;
  at: string;
  line: number;
}

/** The openings of a pill box's CSV, in time order (errors name the line). */
function pillBoxOpenings(text: string): Opening[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const issues: Issue[] = [];
  const header = (lines[0] ?? '').split(/[,;]/).map((h) => h.trim().toLowerCase());
  const col = header.findIndex((h) => h === 'opened_at' || h === 'timestamp');
  if (col < 0)
    throw new DosetwinError([
      issue(
        'DT_PILLBOX_CSV',
        'line 1',
        `no 'opened_at' or 'timestamp' column in the header '${lines[0] ?? ''}'`,
        "the first line names the columns, e.g. 'opened_at'",
      ),
    ]);
  const openings: Opening[] = [];
  lines.slice(1).forEach((l, i) => {
    if (!l.trim()) return;
    const v = (l.split(/[,;]/)[col] ?? '').trim();
    const ms = parseIso(v, `line ${i + 2}`, issues, 'DT_PILLBOX_CSV');
    if (Number.isFinite(ms)) {
      const prev = openings[openings.length - 1];
      if (prev && ms < prev.ms)
        issues.push(
          issue(
            'DT_PILLBOX_CSV',
            `line ${i + 2}`,
            `${v} is before the previous opening (${prev.at}, line ${prev.line})`,
            'the openings are listed in time order',
          ),
        );
      openings.push({ ms, at: v, line: i + 2 });
    }
  });
  if (!issues.length && !openings.length)
    issues.push(issue('DT_PILLBOX_CSV', 'line 2', 'the file holds no opening'));
  if (issues.length) throw new DosetwinError(issues);
  return openings;
}

/**
 * Openings matched to due doses: the nearest unused opening within half an interval of a due dose
 * is that dose (on time within `toleranceH`, else late or early), a due dose without one is missed,
 * an opening left over is an extra dose (of `extraDose(ms)`, else `dose`).
 */
function matchOpenings(
  openings: readonly Opening[],
  due: readonly { dueAt: string; ms: number; tauMs: number }[],
  dose: Quantity,
  toleranceH: number,
  extraDose?: (ms: number) => Quantity,
): DoseEvent[] {
  const tolMs = toleranceH * H;
  const used = new Set<number>();
  const events: DoseEvent[] = [];
  for (const d of due) {
    let best = -1;
    openings.forEach((x, j) => {
      if (used.has(j) || Math.abs(x.ms - d.ms) >= d.tauMs / 2) return;
      if (best < 0 || Math.abs(x.ms - d.ms) < Math.abs(openings[best].ms - d.ms)) best = j;
    });
    if (best < 0) {
      events.push({ dueAt: d.dueAt, status: 'missed', takenAt: null, amount: null, source: 'pillbox' });
      continue;
    }
    used.add(best);
    const x = openings[best];
    if (Math.abs(x.ms - d.ms) <= tolMs) continue;
    events.push({
      dueAt: d.dueAt,
      status: x.ms > d.ms ? 'late' : 'taken',
      takenAt: x.at,
      amount: null,
      source: 'pillbox',
    });
  }
  openings.forEach((x, j) => {
    if (!used.has(j))
      events.push({
        dueAt: null,
        status: 'extra',
        takenAt: x.at,
        amount: extraDose ? extraDose(x.ms) : dose,
        source: 'pillbox',
      });
  });
  return events;
}

/** How much the real dose times change the patient's estimate. */
export interface AdherenceEffect {
  /** The individual parameters (model units) fitted with the prescribed times and with the real ones, and the relative change. */
  prescribed: Record<string, number>;
  real: Record<string, number>;
  change: Record<string, number>;
  /** The largest relative change, its parameter, and the doses that differ. */
  largest: { name: string; change: number } | null;
  missed: number;
  late: number;
  extra: number;
}

/** Fit the record twice, with the prescribed dose times and with the real ones (see the module). */
export function adherenceEffect(
  inputs: Omit<ClinicalRecord, 'administrations'> & { modelId: string; targets: string[] },
  p: Prescription,
  events: readonly DoseEvent[],
): AdherenceEffect {
  const planned = realAdministrations(p, []);
  const real = realAdministrations(p, events);
  return historyEffect(
    inputs,
    { prescribed: planned.administrations, administrations: real.administrations },
    events,
  );
}

/**
 * How much a dose history's adherence records change the estimate: the record fitted with the
 * prescribed history and with the real one ({@link doseHistory}), the patient's parameters compared.
 */
export function historyEffect(
  inputs: Omit<ClinicalRecord, 'administrations'> & { modelId: string; targets: string[] },
  h: Pick<DoseHistory, 'administrations' | 'prescribed'>,
  events: readonly Pick<DoseEvent, 'status'>[],
): AdherenceEffect {
  let covariates = new Set<string>();
  const fit = (a: ClinicalRecord['administrations']): Record<string, number> => {
    const ct = clinicalTwin({ ...inputs, administrations: a }, { samples: 0 });
    covariates = new Set(ct.model.ir.covariates.map((c) => c.name));
    return ct.twin.parameters();
  };
  const a = fit(h.prescribed);
  const b = fit(h.administrations);
  const change: Record<string, number> = {};
  let largest: AdherenceEffect['largest'] = null;
  // The patient's parameters only: the covariates are the same in both fits.
  for (const k of Object.keys(a))
    if (k in b && a[k] !== 0 && !covariates.has(k)) {
      change[k] = b[k] / a[k] - 1;
      if (!largest || Math.abs(change[k]) > Math.abs(largest.change))
        largest = { name: k, change: change[k] };
    }
  const count = (s: DoseStatus): number => events.filter((e) => e.status === s).length;
  return {
    prescribed: a,
    real: b,
    change,
    largest,
    missed: count('missed'),
    late: count('late'),
    extra: count('extra'),
  };
}

/** A pattern of adherence a prescriber asks about. */
export interface AdherencePattern {
  /** A stable name (front ends label it in their language). */
  id: string;
  label: string;
  /** Probability that any one dose is missed (0.1 = one dose in ten). */
  missed: number;
  /** Doses on these days of the week (0 = Sunday … 6 = Saturday, in the regimen's zone) are taken late by `delayH`. */
  delayed?: { days: number[]; delayH: number };
}

/** The patterns shown by default: every dose, one dose in ten missed, weekend doses 3 h late. */
export const ADHERENCE_PATTERNS: readonly AdherencePattern[] = [
  { id: 'every-dose', label: 'every dose on time', missed: 0 },
  { id: 'missed-1-in-10', label: '1 dose in 10 missed', missed: 0.1 },
  { id: 'weekend-late-3h', label: 'weekend doses 3 h late', missed: 0, delayed: { days: [0, 6], delayH: 3 } },
];

export interface AdherenceBand {
  id: string;
  label: string;
  /** Epoch ms and the 5th, 50th and 95th percentiles of the concentration (model unit) over draws × realisations. */
  ms: number[];
  p5: number[];
  p50: number[];
  p95: number[];
  /** Mean fraction of the time below `below` (when given), over draws × realisations. */
  fractionBelow: number | null;
  /** The same percentiles of the level when each dose is due (one second before it), from the second dose on. */
  troughs: { ms: number[]; p5: number[]; p50: number[]; p95: number[] };
}

/**
 * What patterns of adherence do to the exposure of a regimen (`regimen.start`: its first new dose)
 * over `days`: for each draw of the twin and each seeded realisation of the pattern, the
 * concentration curve; the bands are their percentiles at each time.
 */
export function adherenceScenarios(
  ct: ClinicalTwin,
  regimen: Regimen,
  patterns: readonly AdherencePattern[],
  o: { days?: number; realisations?: number; seed?: number; draws?: number; below?: Quantity } = {},
): AdherenceBand[] {
  const ir = ct.model.ir;
  if (regimen.start === null)
    throw new DosetwinError([
      issue('DT_ADHERENCE', 'regimen.start', 'the regimen needs the time of its first dose'),
    ]);
  const startMs = Date.parse(regimen.start);
  const zone = offsetMin(regimen.start);
  const r = toFutureRegimen(regimen, ir.units, ct.toTime(startMs), ct.doseCmt(regimen.route));
  const tauH = convert(r.interval, ir.units.time, 'h', 'interval');
  const days = o.days ?? 14;
  const nDoses = Math.floor((days * 24) / tauH);
  const end = r.start + convert(days * 24, 'h', ir.units.time, 'days');
  const step = convert(1, 'h', ir.units.time, 'step');
  const times = Array.from({ length: Math.floor((end - r.start) / step) + 1 }, (_, i) => r.start + i * step);
  // One second before each due time after the first, the last one the horizon's end.
  const second = convert(1 / 3600, 'h', ir.units.time, 'second');
  const troughTimes = Array.from(
    { length: nDoses },
    (_, j) => r.start + (j + 1) * r.interval - second,
  ).filter((t) => t <= end);
  const draws = ct.twin.draws.slice(0, o.draws ?? 50);
  const etas = draws.length ? draws : [ct.twin.point];
  const below = o.below ? convert(o.below.value, o.below.unit, ir.units.conc, 'below') : null;
  return patterns.map((pat, pi) => {
    if (!(pat.missed >= 0 && pat.missed < 1))
      throw new DosetwinError([
        issue('DT_ADHERENCE', `patterns[${pi}].missed`, `${pat.missed} must be in [0, 1)`),
      ]);
    const rng = createRng((o.seed ?? 1) + pi * 7919);
    const curves: number[][] = [];
    const troughCurves: number[][] = [];
    let belowSum = 0;
    for (let k = 0; k < (o.realisations ?? 20); k++) {
      const doses: PlannedDose[] = [];
      for (let j = 0; j < nDoses; j++) {
        const t = r.start + j * r.interval;
        if (rng.uniform() < pat.missed) continue;
        const dow = new Date(ct.toMs(t) + zone * 60_000).getUTCDay();
        const late = pat.delayed?.days.includes(dow)
          ? convert(pat.delayed.delayH, 'h', ir.units.time, 'delay')
          : 0;
        doses.push({ time: t + late, amount: r.dose });
      }
      const p = plannedPatient(ct.twin.sim, ct.twin.history, doses, {
        duration: r.duration,
        cmt: r.cmt,
        closeAt: r.start,
        end,
      });
      for (const eta of etas) {
        const c = curveOn(ct.twin.sim, p, eta, times);
        curves.push(c);
        troughCurves.push(curveOn(ct.twin.sim, p, eta, troughTimes));
        if (below !== null) belowSum += c.filter((x) => x < below).length / c.length;
      }
    }
    const q = (f: number, cs: number[][] = curves, n = times.length): number[] =>
      Array.from({ length: n }, (_, i) => {
        const v = cs.map((c) => c[i]).sort((a, b) => a - b);
        return v[Math.min(v.length - 1, Math.max(0, Math.round(f * (v.length - 1))))];
      });
    const nt = troughTimes.length;
    return {
      id: pat.id,
      label: pat.label,
      ms: times.map((t) => ct.toMs(t)),
      p5: q(0.05),
      p50: q(0.5),
      p95: q(0.95),
      fractionBelow: below === null ? null : belowSum / curves.length,
      troughs: {
        ms: troughTimes.map((t) => ct.toMs(t)),
        p5: q(0.05, troughCurves, nt),
        p50: q(0.5, troughCurves, nt),
        p95: q(0.95, troughCurves, nt),
      },
    };
  });
}
