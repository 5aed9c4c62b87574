/**
 * Corrections of a patient's record: a dose, a level or a covariate amended (its right values,
 * checked as a new entry is) or marked entered in error, and the identity amended; each with its
 * reason, author and time. A correction is a new row, numbered per record (two corrections of a
 * record at once: the second is a conflict, made again on what the first left); the corrected
 * row is never changed. Audited as the change it is.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  CorrectionCreated,
  Identity,
  NewAdministration,
  NewCovariate,
  NewSample,
  NewCovariateCorrection,
  NewDoseCorrection,
  NewIdentityCorrection,
  NewLevelCorrection,
  NewAdherenceCorrection,
  NewPrescriptionCorrection,
  PrescriptionValues,
  AdherenceValues,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { canonical } from '../canonical.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso, patientFor, type Tx } from '../store.ts';
import { Checks } from '../validate.ts';
import {
  adherenceFromBody,
  adherenceValues,
  checkAdherenceEntry,
  checkPrescription,
  historyOf,
  historyParts,
  prescriptionFromBody,
  prescriptionValues,
} from './adherence.ts';
import { applyCorrections, correctionsOf } from './correction-history.ts';
import {
  checkAdministrationEntry,
  checkCovariateEntry,
  checkSampleEntry,
  requireAcknowledgement,
} from './plausibility.ts';
import {
  administrationValues,
  checkNewAdministration,
  checkNewCovariate,
  checkNewSample,
  covariateValues,
  recordsOf,
  sampleValues,
} from './records.ts';

/** What a correction of each kind of record is: its body, its table's values, its checks, and what makes two records one. */
const KINDS = {
  administrations: {
    values: (r: Database['administrations']) => administrationValues(r),
    fromBody: (b: NonNullable<NewDoseCorrection['value']>) => ({
      at: b.at,
      amount: b.amount,
      unit: b.unit,
      route: b.route,
      duration: b.duration ?? null,
      product: b.product,
    }),
    check: (c: Checks, b: NonNullable<NewDoseCorrection['value']>) => checkNewAdministration(c, b, 'value.'),
    what: 'dose',
  },
  samples: {
    values: (r: Database['samples']) => sampleValues(r),
    fromBody: (b: NonNullable<NewLevelCorrection['value']>) => ({
      at: b.at,
      value: b.value,
      unit: b.unit,
      matrix: b.matrix,
      assay: b.assay,
      lloq: b.lloq ?? null,
    }),
    check: (c: Checks, b: NonNullable<NewLevelCorrection['value']>) => checkNewSample(c, b, 'value.'),
    what: 'level',
  },
  covariates: {
    values: (r: Database['covariates']) => covariateValues(r),
    fromBody: (b: NonNullable<NewCovariateCorrection['value']>) => ({
      at: b.at,
      name: b.name,
      value: b.value,
      unit: b.unit,
    }),
    check: (c: Checks, b: NonNullable<NewCovariateCorrection['value']>) => checkNewCovariate(c, b, 'value.'),
    what: 'covariate',
  },
  // Their checks read the whole dose history (services/adherence.ts), below.
  prescriptions: {
    values: (r: Database['prescriptions']) => prescriptionValues(r),
    fromBody: (b: NonNullable<NewPrescriptionCorrection['value']>) => prescriptionFromBody(b),
    check: (_c: Checks, b: NonNullable<NewPrescriptionCorrection['value']>) => b.start,
    what: 'prescription',
  },
  adherence_records: {
    values: (r: Database['adherence_records']) => adherenceValues(r),
    fromBody: (b: NonNullable<NewAdherenceCorrection['value']>) => adherenceFromBody(b),
    check: (_c: Checks, b: NonNullable<NewAdherenceCorrection['value']>) => b.dueAt ?? b.takenAt ?? '',
    what: 'adherence record',
  },
} as const;

type RecordEntity = keyof typeof KINDS;
type BodyOf<E extends RecordEntity> = E extends 'administrations'
  ? NewDoseCorrection
  : E extends 'samples'
    ? NewLevelCorrection
    : E extends 'prescriptions'
      ? NewPrescriptionCorrection
      : E extends 'adherence_records'
        ? NewAdherenceCorrection
        : NewCovariateCorrection;

/** Insert a correction numbered after the record's last one, with its audit row. */
async function insertCorrection(
  db: Kysely<Database>,
  user: SessionUser,
  row: Omit<Database['corrections'], 'id' | 'seq' | 'created_at' | 'created_by'>,
  expectedSeq: number,
  audited: { before: unknown; after: unknown; acknowledged?: Issue[] },
  guard?: (trx: Tx) => Promise<void>,
): Promise<CorrectionCreated> {
  const c: Database['corrections'] = {
    ...row,
    id: newId(),
    seq: expectedSeq + 1,
    created_at: nowIso(),
    created_by: user.id,
  };
  try {
    await db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('corrections')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('entity', '=', row.entity)
        .where('record_id', '=', row.record_id)
        .executeTakeFirst();
      if (Number(last?.seq ?? 0) !== expectedSeq) throw conflict();
      if (guard) await guard(trx);
      await trx.insertInto('corrections').values(c).execute();
      await audit(trx, {
        user,
        action: 'correct',
        entity: row.entity,
        entityId: row.record_id,
        patientId: row.patient_id,
        before: audited.before,
        after: {
          correctionId: c.id,
          action: c.action,
          seq: c.seq,
          reason: c.reason,
          values: audited.after,
          // The warnings the amended values confirmed (as an entry stores them).
          ...(audited.acknowledged ? { acknowledged: audited.acknowledged } : {}),
        },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict();
    throw e;
  }
  return { id: c.id, seq: c.seq };
}

const conflict = (): DosetwinError =>
  new DosetwinError([
    {
      code: 'DT_CONFLICT',
      severity: 'error',
      field: 'recordId',
      message: 'the record was corrected meanwhile; open it again and correct what it now holds',
    },
  ]);

function checkReason(c: Checks, reason: string): void {
  if (!reason.trim()) c.add('DT_REQUEST_VALUE', 'reason', 'a correction needs its reason');
}

/** Amend a dose, a level or a covariate, or mark it entered in error. */
export async function correctRecord<E extends RecordEntity>(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  entity: E,
  recordId: string,
  b: BodyOf<E>,
): Promise<CorrectionCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const kind = KINDS[entity];
  const row = await db
    .selectFrom(entity as RecordEntity)
    .selectAll()
    .where('id', '=', recordId)
    .where('patient_id', '=', p.id)
    .executeTakeFirst();
  if (!row) reject('DT_NOT_FOUND', 'recordId', `patient ${p.pseudonym} has no ${kind.what} '${recordId}'`);
  const history = (await correctionsOf(db, p.id, entity)).get(recordId) ?? [];
  const entered = (kind.values as (r: typeof row) => object)(row);
  const now = applyCorrections(entered, history);
  const c = new Checks();
  checkReason(c, b.reason);
  let after: object | null = null;
  let acknowledged: Issue[] = [];
  if (b.action === 'amend') {
    if (!b.value) c.add('DT_REQUEST', 'value', "'amend' needs the record's right values");
    else {
      (kind.check as (c: Checks, v: typeof b.value) => string)(c, b.value);
      after = (kind.fromBody as (v: typeof b.value) => object)(b.value);
      if (!c.issues.length && now.status === 'active' && canonical(after) === canonical(now.values))
        c.add(
          'DT_REQUEST_VALUE',
          'value',
          'these are the values the record holds already: nothing to correct',
        );
    }
  } else {
    if (b.value) c.add('DT_REQUEST', 'value', "'entered-in-error' takes no values");
    if (now.status === 'entered-in-error')
      c.add('DT_CONFLICT', 'action', `this ${kind.what} is already marked entered in error`);
  }
  c.throwIfAny();
  if (entity === 'prescriptions' || entity === 'adherence_records')
    acknowledged = await checkDoseHistoryCorrection(
      db,
      p.id,
      entity,
      recordId,
      after as PrescriptionValues | AdherenceValues | null,
      b.value as NewPrescriptionCorrection['value'] | NewAdherenceCorrection['value'],
    );
  // An amended record may not take the place of another record in force (same time, and same
  // covariate or same matrix and assay).
  else if (after) {
    const records = await recordsOf(db, p.id);
    const same = (x: { at: string }) => Date.parse(x.at) === Date.parse((after as { at: string }).at);
    const a = after as Record<string, unknown>;
    const clash =
      entity === 'administrations'
        ? records.administrations.find((x) => x.id !== recordId && same(x))
        : entity === 'samples'
          ? records.samples.find(
              (x) => x.id !== recordId && same(x) && x.matrix === a.matrix && x.assay === a.assay,
            )
          : records.covariates.find((x) => x.id !== recordId && same(x) && x.name === a.name);
    if (clash)
      reject(
        'DT_DUPLICATE',
        'value.at',
        `another ${kind.what} is recorded at ${String(a.at)}`,
        'correct that one instead',
        { message: `un autre enregistrement existe à ${String(a.at)}`, hint: 'corriger plutôt celui-là' },
      );
    // The right values pass the plausibility an entry passes, against the rest of the record.
    const rest = {
      covariates: records.covariates.filter((x) => x.id !== recordId),
      administrations: records.administrations.filter((x) => x.id !== recordId),
    };
    const v = b.value!;
    const found =
      entity === 'administrations'
        ? await checkAdministrationEntry(db, p.id, v as NewAdministration, rest)
        : entity === 'samples'
          ? await checkSampleEntry(db, p.id, v as NewSample)
          : await checkCovariateEntry(db, p.id, v as NewCovariate, rest);
    acknowledged = requireAcknowledgement(
      {
        issues: found.issues.map((i) => ({ ...i, field: `value.${i.field}` })),
        conversions: found.conversions,
      },
      v.acknowledge,
    ).acknowledged;
  }
  return insertCorrection(
    db,
    user,
    {
      patient_id: p.id,
      entity,
      record_id: recordId,
      action: b.action,
      value: after === null ? null : JSON.stringify(after),
      reason: b.reason,
    },
    history.length,
    { before: now.values, after, ...(acknowledged.length ? { acknowledged } : {}) },
  );
}

/**
 * A prescription or an adherence record corrected: the amended values pass an entry's checks, and
 * the record's dose history (the library's) still holds with them — or without the record, when it
 * is marked entered in error (a prescription whose doses other records name cannot go first).
 */
async function checkDoseHistoryCorrection(
  db: Kysely<Database>,
  patientId: string,
  entity: 'prescriptions' | 'adherence_records',
  recordId: string,
  after: PrescriptionValues | AdherenceValues | null,
  body: NewPrescriptionCorrection['value'] | NewAdherenceCorrection['value'],
): Promise<Issue[]> {
  const now = nowIso();
  if (entity === 'adherence_records') {
    if (!after) return [];
    return (
      await checkAdherenceEntry(
        db,
        patientId,
        after as AdherenceValues,
        body?.acknowledge,
        recordId,
        'value.',
      )
    ).acknowledged;
  }
  const parts = await historyParts(db, patientId);
  const others = parts.prescriptions.filter((x) => x.id !== recordId);
  if (!after) {
    historyOf({ ...parts, prescriptions: others }, now);
    return [];
  }
  const v = after as PrescriptionValues;
  if (others.some((x) => Date.parse(x.start) === Date.parse(v.start)))
    reject(
      'DT_DUPLICATE',
      'value.start',
      `another prescription starts at ${v.start}`,
      'correct that one instead',
      {
        message: `une autre prescription commence le ${v.start}`,
        hint: 'corriger plutôt celle-là',
      },
    );
  const found = await checkPrescription(
    db,
    patientId,
    v,
    (body as NewPrescriptionCorrection['value'])?.drug,
    parts,
    'value.',
  );
  const ok = requireAcknowledgement(found, body?.acknowledge);
  historyOf({ ...parts, prescriptions: [...others, v] }, now, 'value.');
  return ok.acknowledged;
}

/** The identity as stored (the values entered; the birth name where the row has one). */
const identityValues = (r: Database['patient_identity'] & { birth_name?: string | null }): Identity => ({
  familyName: r.family_name,
  givenName: r.given_name,
  ...(r.birth_name ? { birthName: r.birth_name } : {}),
  birthDate: r.birth_date,
  hospitalNumber: r.hospital_number,
});

/** The identity in force of each patient given (all when none is given), with its corrections. */
export async function identitiesOf(db: Tx, patientIds?: readonly string[]) {
  let q = db.selectFrom('patient_identity').selectAll();
  if (patientIds) q = q.where('patient_id', 'in', patientIds.length ? [...patientIds] : ['']);
  const rows = await q.execute();
  let cq = db
    .selectFrom('corrections')
    .innerJoin('users', 'users.id', 'corrections.created_by')
    .selectAll('corrections')
    .select('users.display_name as author')
    .where('corrections.entity', '=', 'identity');
  if (patientIds) cq = cq.where('corrections.patient_id', 'in', patientIds.length ? [...patientIds] : ['']);
  const corrections = await cq.execute();
  return new Map(
    rows.map((r) => [
      r.patient_id,
      applyCorrections(
        identityValues(r),
        corrections.filter((c) => c.record_id === r.patient_id),
      ),
    ]),
  );
}

/**
 * The patient whose identity in force holds this hospital number, if any (an amended number no
 * longer counts). With PostgreSQL, writers of hospital numbers take turns (an advisory lock held
 * to the end of the transaction); SQLite's transactions take turns already.
 */
export async function hospitalNumberHolder(trx: Tx, hospitalNumber: string): Promise<string | null> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter)
    await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.dosetwin_hospital_number'))`.execute(
      trx,
    );
  for (const [id, ident] of await identitiesOf(trx))
    if (ident.values.hospitalNumber === hospitalNumber) return id;
  return null;
}

/** Amend a patient's identity (name, birth date, hospital number), with the reason. */
export async function correctIdentity(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewIdentityCorrection,
): Promise<CorrectionCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const current = (await identitiesOf(db, [p.id])).get(p.id);
  if (!current) reject('DT_NOT_FOUND', 'id', `patient ${p.pseudonym} has no identity recorded`);
  const c = new Checks();
  checkReason(c, b.reason);
  const bd = Date.parse(`${b.value.birthDate}T00:00Z`);
  if (!Number.isFinite(bd) || bd > Date.now() || bd < Date.parse('1900-01-01T00:00Z'))
    c.add('DT_REQUEST_VALUE', 'value.birthDate', `${b.value.birthDate} is not a past date after 1900`);
  if (canonical(b.value) === canonical(current.values))
    c.add('DT_REQUEST_VALUE', 'value', 'this is the identity recorded already: nothing to correct');
  c.throwIfAny();
  return insertCorrection(
    db,
    user,
    {
      patient_id: p.id,
      entity: 'identity',
      record_id: p.id,
      action: 'amend',
      value: JSON.stringify(b.value),
      reason: b.reason,
    },
    current.corrections.length,
    { before: current.values, after: b.value },
    async (trx) => {
      const holder = await hospitalNumberHolder(trx, b.value.hospitalNumber);
      if (holder && holder !== p.id)
        reject(
          'DT_DUPLICATE',
          'value.hospitalNumber',
          `a patient with hospital number ${b.value.hospitalNumber} exists`,
        );
    },
  );
}
