/**
 * Patients: creation (identity stored apart from clinical data, a pseudonym for exports and
 * logs), the list a user may see, the record (identity only when asked for) and the
 * pseudonymised export. Every read and change is audited.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  NewPatient,
  PatientCreated,
  PatientExport,
  PatientRecord,
  PatientSummary,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso, patientFor } from '../store.ts';
import { Checks } from '../validate.ts';
import { hospitalNumberHolder, identitiesOf } from './corrections.ts';
import { recordsOf } from './records.ts';
import { requestSummaryOut } from './requests.ts';

export async function createPatient(
  db: Kysely<Database>,
  user: SessionUser,
  b: NewPatient,
): Promise<PatientCreated> {
  const c = new Checks();
  const bd = Date.parse(`${b.identity.birthDate}T00:00Z`);
  if (!Number.isFinite(bd) || bd > Date.now() || bd < Date.parse('1900-01-01T00:00Z'))
    c.add('DT_REQUEST_VALUE', 'identity.birthDate', `${b.identity.birthDate} is not a past date after 1900`);
  const service = b.service ?? user.service;
  if (user.role === 'prescriber' && service !== user.service)
    c.add(
      'DT_AUTH_FORBIDDEN',
      'service',
      `a prescriber creates patients in their own service (${user.service})`,
    );
  c.throwIfAny();
  const id = newId();
  const row: Database['patients'] = {
    id,
    pseudonym: `P-${randomBytes(5).toString('hex').toUpperCase()}`,
    service,
    sex: b.sex,
    created_at: nowIso(),
    created_by: user.id,
  };
  try {
    await db.transaction().execute(async (trx) => {
      // Unique among the identities in force (an amended hospital number frees the wrong one).
      if (await hospitalNumberHolder(trx, b.identity.hospitalNumber))
        reject(
          'DT_DUPLICATE',
          'identity.hospitalNumber',
          `a patient with hospital number ${b.identity.hospitalNumber} exists`,
        );
      await trx.insertInto('patients').values(row).execute();
      await trx
        .insertInto('patient_identity')
        .values({
          patient_id: id,
          family_name: b.identity.familyName,
          given_name: b.identity.givenName,
          birth_date: b.identity.birthDate,
          hospital_number: b.identity.hospitalNumber,
          birth_name: b.identity.birthName ?? null,
        })
        .execute();
      await audit(trx, {
        user,
        action: 'create',
        entity: 'patient',
        entityId: id,
        patientId: id,
        after: { ...row, identity: b.identity },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      reject(
        'DT_DUPLICATE',
        'identity.hospitalNumber',
        `a patient with hospital number ${b.identity.hospitalNumber} exists`,
      );
    throw e;
  }
  return { id, pseudonym: row.pseudonym, service };
}

/** The patients the user may see: a prescriber, their service's; a pharmacologist, all. */
export async function listPatients(db: Kysely<Database>, user: SessionUser): Promise<PatientSummary[]> {
  let q = db
    .selectFrom('patients')
    .select(['id', 'pseudonym', 'service', 'sex', 'created_at'])
    .orderBy('created_at');
  if (user.role === 'prescriber') q = q.where('service', '=', user.service);
  const rows = await q.execute();
  await audit(db, {
    user,
    action: 'read',
    entity: 'patient-list',
    entityId: null,
    after: { count: rows.length },
  });
  return rows.map((p) => ({
    id: p.id,
    pseudonym: p.pseudonym,
    service: p.service,
    sex: p.sex,
    createdAt: p.created_at,
  }));
}

export async function patientRecord(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  withIdentity: boolean,
): Promise<PatientRecord> {
  const p = await patientFor(db, user, patientId, 'id');
  const [records, requests, identity] = await Promise.all([
    recordsOf(db, p.id, { withErrors: true }),
    db.selectFrom('requests').selectAll().where('patient_id', '=', p.id).orderBy('created_at').execute(),
    // The identity in force, with its amendments.
    withIdentity ? identitiesOf(db, [p.id]).then((m) => m.get(p.id)) : Promise.resolve(undefined),
  ]);
  await audit(db, {
    user,
    action: 'read',
    entity: withIdentity ? 'patient+identity' : 'patient',
    entityId: p.id,
    patientId: p.id,
  });
  return {
    patient: {
      id: p.id,
      pseudonym: p.pseudonym,
      service: p.service,
      sex: p.sex,
      createdAt: p.created_at,
      createdBy: p.created_by,
    },
    identity: identity?.values ?? null,
    identityCorrections: identity?.corrections ?? [],
    ...records,
    requests: requests.map(requestSummaryOut),
  };
}

/** The pseudonymised export: no identity, no record or user ids. */
export async function exportPatient(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
): Promise<PatientExport> {
  const p = await patientFor(db, user, patientId, 'id');
  const { covariates, administrations, samples } = await recordsOf(db, p.id);
  await audit(db, { user, action: 'export', entity: 'patient', entityId: p.id, patientId: p.id });
  // The records in force, corrected, without their history.
  const strip = <T extends { id: string; createdBy: string; status: string; corrections: unknown[] }>({
    id: _i,
    createdBy: _c,
    status: _s,
    corrections: _k,
    ...rest
  }: T) => rest;
  return {
    pseudonym: p.pseudonym,
    sex: p.sex,
    covariates: covariates.map(strip),
    administrations: administrations.map(strip),
    samples: samples.map(strip),
  };
}
