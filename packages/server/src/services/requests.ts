/**
 * Dose-adjustment requests: a prescriber asks a question about a patient under a library model;
 * the work list; one request with its analyses. A request is visible to whoever may see its patient.
 */
import { getModel } from '@dosetwin/models';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  NewRequest,
  RequestCreated,
  RequestDetail,
  RequestListItem,
  RequestStatus,
  RequestSummary,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, newId, nowIso, patientFor, type Tx } from '../store.ts';

export const requestSummaryOut = (r: Database['requests']): RequestSummary => ({
  id: r.id,
  patientId: r.patient_id,
  modelId: r.model_id,
  question: r.question,
  status: r.status,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** The request row, if the user may see its patient (else 404 / 403 naming `field`). */
export async function requestFor(db: Tx, user: SessionUser, id: string, field = 'id') {
  const r = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) reject('DT_NOT_FOUND', field, `no request '${id}'`);
  await patientFor(db, user, r.patient_id, field);
  return r;
}

export async function createRequest(
  db: Kysely<Database>,
  user: SessionUser,
  b: NewRequest,
): Promise<RequestCreated> {
  const p = await patientFor(db, user, b.patientId);
  try {
    getModel(b.modelId);
  } catch {
    reject('DT_MODEL_UNKNOWN', 'modelId', `no library model '${b.modelId}'`, 'GET /api/models lists them');
  }
  const row: Database['requests'] = {
    id: newId(),
    patient_id: p.id,
    model_id: b.modelId,
    question: b.question,
    status: 'submitted',
    created_at: nowIso(),
    created_by: user.id,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('requests').values(row).execute();
    await audit(trx, {
      user,
      action: 'create',
      entity: 'request',
      entityId: row.id,
      patientId: p.id,
      after: row,
    });
  });
  return { id: row.id, status: row.status };
}

/** The work list: the requests the user may see, oldest first, optionally of one status. */
export async function listRequests(
  db: Kysely<Database>,
  user: SessionUser,
  status: RequestStatus | undefined,
): Promise<RequestListItem[]> {
  let q = db
    .selectFrom('requests')
    .innerJoin('patients', 'patients.id', 'requests.patient_id')
    .select([
      'requests.id',
      'requests.patient_id',
      'patients.pseudonym',
      'requests.model_id',
      'requests.status',
      'requests.created_at',
    ])
    .orderBy('requests.created_at');
  if (user.role === 'prescriber') q = q.where('patients.service', '=', user.service);
  if (status) q = q.where('requests.status', '=', status);
  return (await q.execute()).map((r) => ({
    id: r.id,
    patientId: r.patient_id,
    pseudonym: r.pseudonym,
    modelId: r.model_id,
    status: r.status,
    createdAt: r.created_at,
  }));
}

export async function requestDetail(
  db: Kysely<Database>,
  user: SessionUser,
  id: string,
): Promise<RequestDetail> {
  const r = await requestFor(db, user, id);
  const analyses = await db
    .selectFrom('analyses')
    .leftJoin('validations', 'validations.analysis_id', 'analyses.id')
    .select([
      'analyses.id',
      'analyses.version',
      'analyses.supersedes',
      'analyses.created_at',
      'validations.decision',
    ])
    .where('analyses.request_id', '=', r.id)
    .orderBy('analyses.version')
    .execute();
  await audit(db, { user, action: 'read', entity: 'request', entityId: r.id, patientId: r.patient_id });
  return {
    ...requestSummaryOut(r),
    analyses: analyses.map((a) => ({
      id: a.id,
      version: a.version,
      supersedes: a.supersedes,
      createdAt: a.created_at,
      decision: a.decision ?? null,
    })),
  };
}
