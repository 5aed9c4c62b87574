/**
 * Dose-adjustment requests: a prescriber asks a question about a patient under a library model;
 * the work list; one request with its analyses. A request is visible to whoever may see its patient.
 */
import {
  drugFile,
  drugInputStatus,
  getModel,
  inputStatus,
  modelsForDrug,
  patientInputs,
  type LibraryModel,
} from '@dosetwin/models';
import { type Kysely, sql } from 'kysely';
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
import { Checks } from '../validate.ts';
import { adherenceOf } from './adherence.ts';
import { recordsOf } from './records.ts';
import { decisionInForce, pendingVersion, versionStates } from './decision-in-force.ts';
import { storedRegimen } from './validations.ts';

/** A request's subject on the wire: the model and its drug, or the drug alone. */
export function subjectOf(r: Pick<Database['requests'], 'kind' | 'model_id'>): {
  kind: 'model' | 'drug';
  modelId: string | null;
  drug: string;
} {
  if (r.kind === 'drug') return { kind: 'drug', modelId: null, drug: r.model_id };
  let drug = r.model_id.split('/')[0];
  try {
    drug = getModel(r.model_id).ir.drug;
  } catch {
    // A model no longer in the library: its folder names the drug.
  }
  return { kind: 'model', modelId: r.model_id, drug };
}

export const requestSummaryOut = (r: Database['requests']): RequestSummary => ({
  id: r.id,
  patientId: r.patient_id,
  ...subjectOf(r),
  question: r.question,
  status: r.status,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** The request row, if the user may see its patient (else 404 / 403 naming `field`). */
export async function requestFor(db: Tx, user: SessionUser, id: string, field = 'id') {
  const r = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) reject('DT_NOT_FOUND', field, `no request '${id}'`);
  await patientFor(db, user, r.patient_id, field, { what: 'request', id });
  return r;
}

export async function createRequest(
  db: Kysely<Database>,
  user: SessionUser,
  b: NewRequest,
): Promise<RequestCreated> {
  const p = await patientFor(db, user, b.patientId);
  if ((b.modelId === undefined) === (b.drug === undefined))
    reject(
      'DT_REQUEST',
      'modelId',
      'give either modelId (one library model) or drug (every model of the drug)',
    );
  if (b.modelId !== undefined)
    try {
      getModel(b.modelId);
    } catch {
      reject('DT_MODEL_UNKNOWN', 'modelId', `no library model '${b.modelId}'`, 'GET /api/models lists them');
    }
  const drug = b.drug === undefined ? undefined : (drugFile(b.drug)?.drug ?? b.drug);
  if (drug !== undefined && !modelsForDrug(drug).length)
    reject(
      'DT_DRUG_UNKNOWN',
      'drug',
      `the library has no model of '${b.drug}'`,
      'GET /api/models lists the drugs',
    );
  await checkComplete(db, p.id, drug !== undefined ? modelsForDrug(drug) : [getModel(b.modelId!)], drug);
  const row: Database['requests'] = {
    id: newId(),
    patient_id: p.id,
    kind: drug !== undefined ? 'drug' : 'model',
    model_id: drug ?? b.modelId!,
    question: b.question,
    urgency: b.urgency ?? 'routine',
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

/**
 * A request is complete when the analysis it asks for can run: a dose recorded, and every input
 * the model needs (for a drug, at least one of its models) recorded or covered. Otherwise it is
 * refused at submission, each missing input named (field `covariates.NAME`), rather than failing
 * when the pharmacologist runs it.
 */
async function checkComplete(
  db: Tx,
  patientId: string,
  models: readonly LibraryModel[],
  drug: string | undefined,
): Promise<void> {
  const { covariates, administrations } = await recordsOf(db, patientId);
  const { prescriptions } = await adherenceOf(db, patientId);
  const c = new Checks();
  // A prescription is the default dose history: its doses count.
  if (!administrations.length && !prescriptions.length)
    c.add(
      'DT_ANALYSIS_NO_DOSE',
      'administrations',
      'the patient has no recorded dose: record the doses given before asking for an analysis',
      undefined,
      {
        message:
          'aucune dose n’est enregistrée pour ce patient : saisir les doses données avant de demander une analyse',
      },
    );
  const needs = models.map((m) => ({ id: m.id, inputs: patientInputs(m) }));
  const missingOf = (m: (typeof needs)[number]) =>
    inputStatus(m.inputs, covariates)
      .filter((s) => s.state === 'missing')
      .map((s) => s.name);
  // A drug's models whose inputs are missing are left out of its averaging; one complete is enough.
  if (!needs.some((m) => missingOf(m).length === 0)) {
    const rows =
      drug !== undefined
        ? drugInputStatus(needs, covariates).filter((s) => s.state === 'missing')
        : missingOf(needs[0]).map((name) => ({ name, models: [{ id: needs[0].id, state: 'missing' }] }));
    for (const s of rows)
      c.add(
        'DT_COVARIATE_MISSING',
        `covariates.${s.name}`,
        `${s.name} is needed by ${s.models
          .filter((m) => m.state === 'missing')
          .map((m) => m.id)
          .join(', ')} and is not recorded`,
        'record it in the covariate form, then submit the request',
        {
          message: `${s.name} est nécessaire à ${s.models
            .filter((m) => m.state === 'missing')
            .map((m) => m.id)
            .join(', ')} et n’est pas enregistrée`,
          hint: 'la saisir dans le formulaire des covariables, puis soumettre la demande',
        },
      );
  }
  c.throwIfAny();
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
      'requests.kind',
      'requests.model_id',
      'requests.status',
      'requests.urgency',
      'requests.created_at',
    ])
    .orderBy(sql`case when requests.urgency = 'urgent' then 0 else 1 end`)
    .orderBy('requests.created_at');
  if (user.role === 'prescriber') q = q.where('patients.service', '=', user.service);
  if (status) q = q.where('requests.status', '=', status);
  return (await q.execute()).map((r) => ({
    id: r.id,
    patientId: r.patient_id,
    pseudonym: r.pseudonym,
    ...subjectOf(r),
    status: r.status,
    urgency: r.urgency ?? 'routine',
    createdAt: r.created_at,
  }));
}

export async function requestDetail(
  db: Kysely<Database>,
  user: SessionUser,
  id: string,
): Promise<RequestDetail> {
  const r = await requestFor(db, user, id);
  const versions = await versionStates(db, r.id);
  const inForce = decisionInForce(versions);
  await audit(db, { user, action: 'read', entity: 'request', entityId: r.id, patientId: r.patient_id });
  return {
    ...requestSummaryOut(r),
    analyses: versions.map((a) => ({
      id: a.id,
      version: a.version,
      supersedes: a.supersedes,
      createdAt: a.createdAt,
      decision: a.decision,
    })),
    inForce:
      inForce && inForce.decision
        ? {
            analysisId: inForce.id,
            version: inForce.version,
            decision: inForce.decision,
            regimen: storedRegimen(inForce.regimen),
            signedAt: inForce.signedAt!,
            signedBy: inForce.signedBy ?? '',
          }
        : null,
    pendingVersion: pendingVersion(versions)?.version ?? null,
  };
}
