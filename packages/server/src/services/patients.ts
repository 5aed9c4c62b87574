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
import { ageBand, exportMatrix, exportSubject, hoursFrom } from '../pseudonymise.ts';
import { Checks } from '../validate.ts';
import { hospitalNumberHolder, identitiesOf } from './corrections.ts';
import { recordsOf } from './records.ts';
import { adherenceOf } from './adherence.ts';
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
  const [records, adh, requests, identity] = await Promise.all([
    recordsOf(db, p.id, { withErrors: true }),
    adherenceOf(db, p.id, { withErrors: true }),
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
    ...adh,
    requests: requests.map(requestSummaryOut),
  };
}

/**
 * The pseudonymised export (pseudonymise.ts): a subject code of its own, times in hours from the
 * first dose, the age as a band, no identity, ids, entry times or free text. The audit row keeps
 * the subject code: the service can tell which patient an export was, its reader cannot.
 */
export async function exportPatient(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
): Promise<PatientExport> {
  const p = await patientFor(db, user, patientId, 'id');
  const [{ covariates, administrations, samples }, identities] = await Promise.all([
    recordsOf(db, p.id),
    identitiesOf(db, [p.id]),
  ]);
  const firstOf = (xs: readonly { at: string }[]): string | null =>
    xs.reduce<string | null>((m, x) => (m === null || Date.parse(x.at) < Date.parse(m) ? x.at : m), null);
  const firstDose = firstOf(administrations);
  const origin = firstDose ?? firstOf([...covariates, ...samples]);
  const birthDate = identities.get(p.id)?.values.birthDate;
  const subject = exportSubject();
  await audit(db, {
    user,
    action: 'export',
    entity: 'patient',
    entityId: p.id,
    patientId: p.id,
    after: { subject },
  });
  const time = (at: string) => hoursFrom(origin!, at);
  return {
    subject,
    sex: p.sex,
    ageBand: birthDate && origin ? ageBand(birthDate, origin) : null,
    timeOrigin: firstDose ? 'first dose' : origin ? 'first record' : 'none',
    covariates: covariates
      .filter((c) => c.name !== 'AGE')
      .map((c) => ({ time: time(c.at), name: c.name, value: c.value, unit: c.unit })),
    administrations: administrations.map((d) => ({
      time: time(d.at),
      amount: d.amount,
      unit: d.unit,
      route: d.route,
      duration: d.duration,
    })),
    samples: samples.map((s) => ({
      time: time(s.at),
      value: s.value,
      unit: s.unit,
      matrix: exportMatrix(s.matrix),
      lloq: s.lloq,
    })),
  };
}
