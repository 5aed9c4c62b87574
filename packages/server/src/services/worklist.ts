/**
 * The worklist: patients found by name or hospital number (identity read, audited as a search with
 * its count, never the text searched), and the request queue's counts by status.
 */
import { type Kysely, sql } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type { PatientMatch, RequestCounts } from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { audit } from '../store.ts';

/** `%`, `_` and the escape character itself taken literally in a LIKE pattern. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchPatients(
  db: Kysely<Database>,
  user: SessionUser,
  text: string,
): Promise<PatientMatch[]> {
  const pattern = `%${likeEscape(text.trim().toLowerCase())}%`;
  const lower = (col: string) => sql<string>`lower(${sql.ref(col)})`;
  // A null birth name matches nothing (NULL LIKE … is not true).
  const like = (col: string) => sql<boolean>`${lower(col)} LIKE ${pattern} ESCAPE '\\'`;
  let q = db
    .selectFrom('patients')
    .innerJoin('patient_identity', 'patient_identity.patient_id', 'patients.id')
    .select([
      'patients.id',
      'patients.pseudonym',
      'patients.service',
      'patients.sex',
      'patient_identity.family_name',
      'patient_identity.given_name',
      'patient_identity.birth_name',
      'patient_identity.birth_date',
      'patient_identity.hospital_number',
    ])
    .where(
      sql<boolean>`(${sql.join(
        ['family_name', 'given_name', 'birth_name', 'hospital_number'].map((c) =>
          like(`patient_identity.${c}`),
        ),
        sql` OR `,
      )})`,
    )
    .orderBy('patient_identity.family_name')
    .orderBy('patient_identity.given_name')
    .limit(50);
  if (user.role === 'prescriber') q = q.where('patients.service', '=', user.service);
  const rows = await q.execute();
  await audit(db, {
    user,
    action: 'read',
    entity: 'patient-search',
    entityId: null,
    after: { count: rows.length },
  });
  return rows.map((r) => ({
    id: r.id,
    pseudonym: r.pseudonym,
    service: r.service,
    sex: r.sex,
    familyName: r.family_name,
    givenName: r.given_name,
    birthName: r.birth_name ?? null,
    birthDate: r.birth_date,
    hospitalNumber: r.hospital_number,
  }));
}

export async function requestCounts(db: Kysely<Database>, user: SessionUser): Promise<RequestCounts> {
  let q = db
    .selectFrom('requests')
    .innerJoin('patients', 'patients.id', 'requests.patient_id')
    .select([
      'requests.status',
      'requests.urgency',
      sql<number>`count(*)`.as('n'),
      sql<string | null>`min(requests.created_at)`.as('oldest'),
    ])
    .groupBy(['requests.status', 'requests.urgency']);
  if (user.role === 'prescriber') q = q.where('patients.service', '=', user.service);
  const rows = await q.execute();
  const out: RequestCounts = {
    submitted: 0,
    analysed: 0,
    validated: 0,
    rejected: 0,
    pending: 0,
    urgentPending: 0,
    oldestPendingAt: null,
  };
  for (const r of rows) {
    const n = Number(r.n);
    out[r.status] += n;
    if (r.status === 'submitted' || r.status === 'analysed') {
      out.pending += n;
      if (r.urgency === 'urgent') out.urgentPending += n;
      if (r.oldest && (out.oldestPendingAt === null || r.oldest < out.oldestPendingAt))
        out.oldestPendingAt = r.oldest;
    }
  }
  return out;
}
