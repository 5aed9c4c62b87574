/**
 * Real dose times in the patient's record: prescriptions (the default dose history from their
 * first dose) and adherence records (a prescribed dose missed, taken late or early, an extra dose),
 * each with its source. An entry is checked as the other records are (times with a zone and not in
 * the future, a dose's plausibility for the drug) and against the record's whole dose history,
 * which the library builds (`doseHistory`: a record naming a due time no prescription has, two
 * records of one dose… are refused naming the record). Stored with its audit row, never changed:
 * corrections (services/corrections.ts) supersede a record.
 */
import { DosetwinError } from '@dosetwin/engine';
import {
  adherenceEvent,
  administrationOf,
  checkRegimen,
  type DoseEvent,
  type DoseHistory,
  doseHistory,
  type EntryCheck,
  pillBoxRecords,
  type PrescriptionPeriod,
  prescriptionPeriod,
  weightAt,
} from '@dosetwin/models';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  AdherenceCreated,
  AdherenceRecord,
  AdherenceValues,
  Administration,
  EntryCreated,
  NewAdherenceRecord,
  NewAdministration,
  NewPrescription,
  PillBoxImported,
  PillBoxUpload,
  Prescription,
  PrescriptionValues,
  DoseValues,
  StoredInputs,
} from '../contract/index.ts';
import type { AdherenceQuery } from '../analysis.ts';
import type { Database } from '../db/schema.ts';
import { audit, newId, nowIso, patientFor, type Tx } from '../store.ts';
import { Checks } from '../validate.ts';
import { applyCorrections, correctionsOf } from './correction-history.ts';
import {
  checkAdministrationEntry,
  entryDrugs,
  type Plausible,
  requireAcknowledgement,
} from './plausibility.ts';
import { addAdministration, insertAudited, recordsOf, stored } from './records.ts';

type Route = PrescriptionValues['route'];

export const prescriptionValues = (r: Database['prescriptions']): PrescriptionValues => ({
  start: r.start,
  dose: { value: r.dose_value, unit: r.dose_unit },
  interval: { value: r.interval_value, unit: r.interval_unit },
  // Stored from a body whose route the schema restricted to these three.
  route: r.route as Route,
  duration: r.duration_value === null ? null : { value: r.duration_value, unit: r.duration_unit! },
  product: r.product,
  until: r.until,
});

export const adherenceValues = (r: Database['adherence_records']): AdherenceValues => ({
  kind: r.kind,
  dueAt: r.due_at,
  takenAt: r.taken_at,
  amount: r.amount_value === null ? null : { value: r.amount_value, unit: r.amount_unit! },
  source: r.source,
});

/** A new prescription's body as its stored values. */
export const prescriptionFromBody = (b: NewPrescription): PrescriptionValues => ({
  start: b.start,
  dose: b.dose,
  interval: b.interval,
  route: b.route,
  duration: b.duration ?? null,
  product: b.product,
  until: b.until ?? null,
});

export const adherenceFromBody = (b: NewAdherenceRecord): AdherenceValues => ({
  kind: b.kind,
  dueAt: b.dueAt ?? null,
  takenAt: b.takenAt ?? null,
  amount: b.amount ?? null,
  source: b.source,
});

/** The library's prescription period and dose event of the values stored. */
export const periodOf = (v: PrescriptionValues): PrescriptionPeriod => prescriptionPeriod(v);
export const eventOf = (v: AdherenceValues): DoseEvent => adherenceEvent(v);

/** The patient's prescriptions and adherence records (in force, or with `withErrors` those entered in error too), in time order. */
export async function adherenceOf(
  db: Tx,
  patientId: string,
  options: { withErrors?: boolean } = {},
): Promise<{ prescriptions: Prescription[]; adherence: AdherenceRecord[] }> {
  const [ps, rs, pc, rc] = await Promise.all([
    db.selectFrom('prescriptions').selectAll().where('patient_id', '=', patientId).execute(),
    db.selectFrom('adherence_records').selectAll().where('patient_id', '=', patientId).execute(),
    correctionsOf(db, patientId, 'prescriptions'),
    correctionsOf(db, patientId, 'adherence_records'),
  ]);
  const out = <V>(
    r: { id: string; created_at: string; created_by: string },
    c: ReturnType<typeof applyCorrections<V>>,
  ) => ({
    id: r.id,
    ...c.values,
    createdAt: r.created_at,
    createdBy: r.created_by,
    status: c.status,
    corrections: c.corrections,
  });
  const keep = <T extends { status: string }>(xs: T[]): T[] =>
    options.withErrors ? xs : xs.filter((x) => x.status === 'active');
  const time = (x: AdherenceValues): number => Date.parse(x.dueAt ?? x.takenAt ?? '');
  return {
    prescriptions: keep(
      ps.map((r) => out(r, applyCorrections(prescriptionValues(r), pc.get(r.id) ?? []))),
    ).sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
    adherence: keep(rs.map((r) => out(r, applyCorrections(adherenceValues(r), rc.get(r.id) ?? [])))).sort(
      (a, b) => time(a) - time(b),
    ),
  };
}

/** What of a record the dose history is built from: its prescriptions, administrations and adherence records in force. */
export interface HistoryParts {
  prescriptions: readonly (PrescriptionValues & { id?: string })[];
  administrations: readonly Pick<
    Administration,
    'at' | 'amount' | 'unit' | 'route' | 'duration' | 'product'
  >[];
  adherence: readonly (AdherenceValues & { id?: string })[];
}

/**
 * The record's dose history by the library, until `until` (the analysis's time, or now). An issue
 * names a stored record as `adherence[id]` / `prescriptions[id]`, and a record without an id (the
 * one being entered or amended) by its own fields under `prefix` ('' or 'value.').
 */
export function historyOf(parts: HistoryParts, until: string, prefix = ''): DoseHistory {
  const name = (kind: string, id: string | undefined): string => (id ? `${kind}[${id}]` : 'this');
  try {
    return doseHistory({
      prescriptions: parts.prescriptions.map(periodOf),
      administrations: parts.administrations.map(administrationOf),
      events: parts.adherence.map(eventOf),
      until,
      eventFields: parts.adherence.map((x) => name('adherence', x.id)),
    });
  } catch (e) {
    if (!(e instanceof DosetwinError)) throw e;
    const ids = parts.prescriptions.map((p) => p.id);
    throw new DosetwinError(
      e.issues.map((i) => {
        const f = i.field
          .replace(/^this\./, prefix)
          .replace(/^prescriptions\[(\d+)\]\.regimen\./, (_, k: string) =>
            ids[Number(k)] ? `prescriptions[${ids[Number(k)]}].` : prefix,
          )
          .replace(/^prescriptions\[(\d+)\]\./, (_, k: string) =>
            ids[Number(k)] ? `prescriptions[${ids[Number(k)]}].` : prefix,
          );
        return { ...i, field: f };
      }),
    );
  }
}

/** The parts of a patient's record in force (the dose history's inputs). */
export async function historyParts(
  db: Tx,
  patientId: string,
): Promise<HistoryParts & { covariates: Awaited<ReturnType<typeof recordsOf>>['covariates'] }> {
  const [records, adh] = await Promise.all([recordsOf(db, patientId), adherenceOf(db, patientId)]);
  return {
    prescriptions: adh.prescriptions,
    administrations: records.administrations,
    adherence: adh.adherence,
    covariates: records.covariates,
  };
}

/** A prescription's own checks (times, and its regimen's plausibility for the drug), with fields under `prefix`. */
export async function checkPrescription(
  db: Tx,
  patientId: string,
  v: PrescriptionValues,
  drug: string | undefined,
  parts: HistoryParts & { covariates: { at: string; name: string; value: number; unit: string }[] },
  prefix = '',
): Promise<EntryCheck> {
  const c = new Checks();
  c.time(v.start, `${prefix}start`);
  if (v.until !== null && !(Date.parse(v.until) >= Date.parse(v.start)))
    c.add(
      'DT_REQUEST_VALUE',
      `${prefix}until`,
      `the end ${v.until} is before the first dose ${v.start}`,
      undefined,
      {
        message: `la fin ${v.until} précède la première prise ${v.start}`,
      },
    );
  c.unit(v.dose.unit, 'mass', `${prefix}dose.unit`);
  c.unit(v.interval.unit, 'time', `${prefix}interval.unit`);
  if (v.route === 'infusion' && !v.duration)
    c.add(
      'DT_REQUEST_VALUE',
      `${prefix}duration`,
      'an infusion needs its duration (value and unit)',
      undefined,
      {
        message: 'une perfusion demande sa durée (valeur et unité)',
      },
    );
  if (v.route !== 'infusion' && v.duration)
    c.add('DT_REQUEST_VALUE', `${prefix}duration`, `a ${v.route} dose has no duration`, undefined, {
      message: `une dose ${v.route === 'oral' ? 'orale' : 'en bolus'} n’a pas de durée`,
    });
  c.throwIfAny();
  const drugs = await entryDrugs(db, patientId, drug);
  const weightKg = weightAt(parts.covariates, v.start);
  const regimen = periodOf(v).regimen;
  const found = drugs.map((d) => checkRegimen({ drug: d, weightKg }, regimen, 'regimen'));
  // checkRegimen names a regimen's fields; a prescription's are its own (dose, interval, route…).
  const rename = (f: string): string => f.replace(/^regimen\./, prefix);
  return {
    issues: found.flatMap((x) => x.issues.map((i) => ({ ...i, field: rename(i.field) }))),
    conversions: found.flatMap((x) => x.conversions),
  };
}

/** A dose an adherence record says was taken with its own amount (an extra one, a different amount): checked as a dose entered. */
export async function checkAdherence(
  db: Tx,
  patientId: string,
  v: AdherenceValues,
  parts: HistoryParts & { covariates: { at: string; name: string; value: number; unit: string }[] },
  history: DoseHistory,
  prefix = '',
): Promise<EntryCheck> {
  // A dose taken with its own amount (an extra one, a different amount) is checked as a dose entered.
  if (v.takenAt === null || !v.amount) return { issues: [], conversions: [] };
  const given = history.administrations.find((a) => Date.parse(a.at) === Date.parse(v.takenAt!));
  if (!given) return { issues: [], conversions: [] };
  const found = await checkAdministrationEntry(
    db,
    patientId,
    {
      at: v.takenAt,
      amount: v.amount.value,
      unit: v.amount.unit,
      route: given.route,
      ...(given.duration ? { duration: given.duration } : {}),
      product: given.product,
    },
    { covariates: parts.covariates, administrations: history.administrations.filter((a) => a !== given) },
  );
  const names: Record<string, string> = { at: 'takenAt', amount: 'amount.value', unit: 'amount.unit' };
  return {
    issues: found.issues.map((i) => ({ ...i, field: `${prefix}${names[i.field] ?? i.field}` })),
    conversions: found.conversions,
  };
}

export async function addPrescription(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewPrescription,
): Promise<AdherenceCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const v = prescriptionFromBody(b);
  const parts = await historyParts(db, p.id);
  const ok = requireAcknowledgement(await checkPrescription(db, p.id, v, b.drug, parts), b.acknowledge);
  if (parts.prescriptions.some((x) => Date.parse(x.start) === Date.parse(v.start)))
    throw new DosetwinError([
      {
        code: 'DT_DUPLICATE',
        severity: 'error',
        field: 'start',
        message: `a prescription already starts at ${v.start}`,
        hint: 'to change it, correct it: amend it with the right values',
        fr: {
          message: `une prescription commence déjà le ${v.start}`,
          hint: 'pour la changer, la corriger : la modifier avec les bonnes valeurs',
        },
      },
    ]);
  // The records already stored still name prescribed doses under the new prescription.
  historyOf({ ...parts, prescriptions: [...parts.prescriptions, v] }, nowIso());
  const row: Database['prescriptions'] = {
    id: newId(),
    patient_id: p.id,
    start: v.start,
    start_utc: new Date(Date.parse(v.start)).toISOString(),
    dose_value: v.dose.value,
    dose_unit: v.dose.unit,
    interval_value: v.interval.value,
    interval_unit: v.interval.unit,
    route: v.route,
    duration_value: v.duration?.value ?? null,
    duration_unit: v.duration?.unit ?? null,
    product: v.product,
    until: v.until,
    created_at: nowIso(),
    created_by: user.id,
    acknowledged: stored(ok.acknowledged),
  };
  await insertAudited(db, user, 'prescriptions', row);
  return { id: row.id, ...ok };
}

/** Check an adherence record (new, or an amendment in place of `replacing`) against the record; the warnings it confirms. */
export async function checkAdherenceEntry(
  db: Tx,
  patientId: string,
  v: AdherenceValues,
  acknowledge: readonly string[] | undefined,
  replacing: string | null,
  prefix = '',
): Promise<Plausible> {
  const c = new Checks();
  if (v.dueAt !== null) c.time(v.dueAt, `${prefix}dueAt`);
  if (v.takenAt !== null) c.time(v.takenAt, `${prefix}takenAt`);
  if (v.amount) c.unit(v.amount.unit, 'mass', `${prefix}amount.unit`);
  c.throwIfAny();
  const parts = await historyParts(db, patientId);
  const others = parts.adherence.filter((x) => x.id !== replacing);
  const history = historyOf({ ...parts, adherence: [...others, v] }, nowIso(), prefix);
  return requireAcknowledgement(await checkAdherence(db, patientId, v, parts, history, prefix), acknowledge);
}

export async function addAdherenceRecord(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewAdherenceRecord,
): Promise<AdherenceCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const v = adherenceFromBody(b);
  const ok = await checkAdherenceEntry(db, p.id, v, b.acknowledge, null);
  const row = adherenceRow(p.id, user, v, stored(ok.acknowledged));
  await insertAudited(db, user, 'adherence_records', row);
  return { id: row.id, ...ok };
}

const adherenceRow = (
  patientId: string,
  user: SessionUser,
  v: AdherenceValues,
  acknowledged: string | null,
): Database['adherence_records'] => ({
  id: newId(),
  patient_id: patientId,
  kind: v.kind,
  due_at: v.dueAt,
  taken_at: v.takenAt,
  amount_value: v.amount?.value ?? null,
  amount_unit: v.amount?.unit ?? null,
  source: v.source,
  created_at: nowIso(),
  created_by: user.id,
  acknowledged,
});

/**
 * A pill box's file: its openings matched by the library to the doses due while the box was used
 * (`pillBoxRecords`); the missed, late, early and extra doses stored as records (source
 * `pillbox`), in one transaction with one audit row each. A dose the record already has a record
 * of keeps it (listed in `kept`); the whole file is refused when a record it makes does not fit.
 */
export async function importPillBox(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: PillBoxUpload,
): Promise<PillBoxImported> {
  const p = await patientFor(db, user, patientId, 'id');
  const parts = await historyParts(db, p.id);
  if (!parts.prescriptions.length)
    throw new DosetwinError([
      {
        code: 'DT_PILLBOX_CSV',
        severity: 'error',
        field: 'csv',
        message: 'the patient has no prescription to match the openings to',
        hint: 'record the prescription first (POST …/prescriptions)',
        fr: {
          message: 'le patient n’a pas de prescription à laquelle rapporter les ouvertures',
          hint: 'enregistrer d’abord la prescription (POST …/prescriptions)',
        },
      },
    ]);
  let events: DoseEvent[];
  try {
    events = pillBoxRecords(b.csv, parts.prescriptions.map(periodOf), nowIso(), {
      toleranceH: b.toleranceH ?? 1,
    });
  } catch (e) {
    if (e instanceof DosetwinError)
      throw new DosetwinError(
        e.issues.map((i) => ({ ...i, field: i.field.startsWith('line') ? `csv ${i.field}` : i.field })),
      );
    throw e;
  }
  const same = (a: string | null, x: string | null): boolean =>
    a !== null && x !== null && Date.parse(a) === Date.parse(x);
  const kept: PillBoxImported['kept'] = [];
  const fresh: AdherenceValues[] = [];
  for (const e of events) {
    const v: AdherenceValues = {
      kind: e.status,
      dueAt: e.dueAt,
      takenAt: e.takenAt,
      amount: e.amount,
      source: 'pillbox',
    };
    const existing = parts.adherence.find((x) =>
      v.kind === 'extra' ? x.kind === 'extra' && same(x.takenAt, v.takenAt) : same(x.dueAt, v.dueAt),
    );
    // A dose an administration records at its due time was given (the ward's record holds).
    const recorded = v.dueAt !== null && parts.administrations.some((a) => same(a.at, v.dueAt));
    if (existing) kept.push({ dueAt: v.dueAt ?? v.takenAt!, kind: v.kind, existing: existing.id! });
    else if (recorded) kept.push({ dueAt: v.dueAt!, kind: v.kind, existing: 'administration' });
    else fresh.push(v);
  }
  const history = historyOf({ ...parts, adherence: [...parts.adherence, ...fresh] }, nowIso(), 'csv.');
  const created: PillBoxImported['created'] = [];
  await db.transaction().execute(async (trx) => {
    for (const v of fresh) {
      const found = await checkAdherence(trx, p.id, v, parts, history, 'csv.');
      const ok = requireAcknowledgement(found, b.acknowledge);
      const row = adherenceRow(p.id, user, v, stored(ok.acknowledged));
      await trx.insertInto('adherence_records').values(row).execute();
      await audit(trx, {
        user,
        action: 'create',
        entity: 'adherence_records',
        entityId: row.id,
        patientId: p.id,
        after: row,
      });
      created.push({ id: row.id, ...v });
    }
  });
  return { created, kept };
}

/**
 * The dose history an analysis uses: without a prescription, the administrations recorded; with
 * one, the library's history of the record until `until` (the analysis's time), with the parts it
 * was built from (stored with the analysis's inputs) and what the pool needs for the effect of the
 * adherence records on the fit.
 */
export async function doseHistoryOfRecord(
  db: Tx,
  patientId: string,
  administrations: readonly Administration[],
  until: string,
): Promise<{
  administrations: DoseValues[];
  adherence: NonNullable<StoredInputs['adherence']> | null;
  query: AdherenceQuery | null;
}> {
  const recorded: DoseValues[] = administrations.map(administrationOf);
  const adh = await adherenceOf(db, patientId);
  if (!adh.prescriptions.length) return { administrations: recorded, adherence: null, query: null };
  const h = historyOf(
    { prescriptions: adh.prescriptions, administrations: recorded, adherence: adh.adherence },
    until,
  );
  const values = <
    T extends { createdAt: unknown; createdBy: unknown; status: unknown; corrections: unknown },
  >(
    x: T,
  ): Omit<T, 'createdAt' | 'createdBy' | 'status' | 'corrections'> => {
    const { createdAt: _a, createdBy: _b, status: _s, corrections: _c, ...v } = x;
    return v;
  };
  return {
    administrations: h.administrations,
    adherence: {
      until,
      prescriptions: adh.prescriptions.map(values),
      records: adh.adherence.map(values),
      recorded,
      prescribed: h.prescribed,
    },
    query: { prescribed: h.prescribed, events: adh.adherence.map(eventOf) },
  };
}

/**
 * A dose entered (`POST …/administrations`) where the record has a prescription: at a prescribed
 * dose's time it is that dose, so a record saying that dose was missed, late or early contradicts
 * it; refused naming `at` (correct the adherence record first). Then stored as any dose.
 */
export async function addAdministrationChecked(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewAdministration,
): Promise<EntryCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const parts = await historyParts(db, p.id);
  if (parts.prescriptions.length && !Number.isNaN(Date.parse(b.at))) {
    const given = {
      at: b.at,
      amount: b.amount,
      unit: b.unit,
      route: b.route,
      duration: b.duration ?? null,
      product: b.product,
    };
    try {
      historyOf({ ...parts, administrations: [...parts.administrations, given] }, nowIso());
    } catch (e) {
      if (!(e instanceof DosetwinError)) throw e;
      throw new DosetwinError(
        e.issues.map((i) => ({
          ...i,
          field: 'at',
          hint: `correct the adherence record first (${i.field.replace(/\.dueAt$/, '')})`,
        })),
      );
    }
  }
  return addAdministration(db, user, p.id, b);
}
