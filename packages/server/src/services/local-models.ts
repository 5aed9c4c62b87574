/**
 * Local versions of library models. A pharmacologist proposes one: the library fits it on the
 * service's patients of the model's drug (or judges an uploaded one) on the analysis pool, and the
 * version is stored with its evidence, `proposed`. A second pharmacologist approves or rejects it
 * (four eyes, as a signature); the approved version supersedes the one in force, which is
 * retired. Analyses of the model use the approved version in force (or one named, if approved),
 * never a proposed, rejected or retired one, and record which they used. Each step is audited.
 */
import { getModel, type LocalPatientRecord, modelsForDrug } from '@dosetwin/models';
import type { ModelIR } from '@dosetwin/engine';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type {
  AnalysisLocalModel,
  LocalModel,
  LocalModelDecision,
  LocalModelIr,
  LocalModelRetirement,
  LocalModelEvidence,
  LocalModelSummary,
  NewLocalModel,
} from '../contract/index.ts';
import type { Database, LocalModelsTable } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, newId, nowIso, parseJson } from '../store.ts';
import { reauthenticateToSign } from './credentials.ts';
import { recordsOf } from './records.ts';

type Tx = Kysely<Database>;

/** The pharmacologists' names by id, for the summaries. */
async function people(db: Tx, ids: (string | null)[]): Promise<Map<string, string>> {
  const want = [...new Set(ids.filter((x): x is string => x !== null))];
  if (!want.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', want).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** The approved version in force of each model: the latest approved one (older ones are retired on approval). */
function inForce(row: LocalModelsTable): boolean {
  return row.status === 'approved';
}

function summaryOf(row: LocalModelsTable, names: Map<string, string>): LocalModelSummary {
  const ev = parseJson<LocalModelEvidence>(row.evidence)!;
  const person = (id: string | null) => (id === null ? null : { id, name: names.get(id) ?? id });
  return {
    id: row.id,
    modelId: row.model_id,
    version: row.version,
    modelVersion: parseJson<ModelIR>(row.ir)!.version,
    status: row.status,
    inForce: inForce(row),
    method: ev.method,
    citation: ev.published.citation,
    patients: ev.patients.local,
    proposedBy: person(row.proposed_by)!,
    proposedAt: row.proposed_at,
    decidedBy: person(row.decided_by),
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    retiredBy: person(row.retired_by),
    retiredAt: row.retired_at,
  };
}

async function rowOf(db: Tx, id: string): Promise<LocalModelsTable> {
  const row = await db.selectFrom('local_models').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) reject('DT_NOT_FOUND', 'id', `no local model '${id}'`);
  return row;
}

async function fullOf(db: Tx, row: LocalModelsTable): Promise<LocalModel> {
  const names = await people(db, [row.proposed_by, row.decided_by, row.retired_by]);
  return { ...summaryOf(row, names), evidence: parseJson<LocalModelEvidence>(row.evidence)! };
}

/**
 * The service's patients of a model's drug (those with a request for the drug or any of its models), their
 * records in force as an analysis reads them, each under its pseudonym, with ward and sex for the
 * bias audit's subgroups. A federated node reads the same.
 */
export async function localRecords(db: Tx, drug: string): Promise<LocalPatientRecord[]> {
  const subjects = [drug, ...modelsForDrug(drug).map((m) => m.id)];
  const patients = await db
    .selectFrom('patients')
    .select(['patients.id', 'patients.pseudonym', 'patients.service', 'patients.sex'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('requests')
          .select('requests.id')
          .whereRef('requests.patient_id', '=', 'patients.id')
          .where('requests.model_id', 'in', subjects),
      ),
    )
    .orderBy('patients.pseudonym')
    .execute();
  const out: LocalPatientRecord[] = [];
  for (const p of patients) {
    const r = await recordsOf(db, p.id, { withErrors: true });
    const active = <T extends { status: string }>(xs: T[]): T[] => xs.filter((x) => x.status === 'active');
    const sex = p.sex === 'male' ? '0' : p.sex === 'female' ? '1' : null;
    out.push({
      patientId: p.pseudonym,
      administrations: active(r.administrations).map((a) => ({
        at: a.at,
        amount: a.amount,
        unit: a.unit,
        route: a.route,
        duration: a.duration,
        product: a.product,
      })),
      samples: active(r.samples).map((s) => ({
        at: s.at,
        value: s.value,
        unit: s.unit,
        matrix: s.matrix,
        assay: s.assay,
        lloq: s.lloq,
      })),
      covariates: active(r.covariates).map((c) => ({ at: c.at, name: c.name, value: c.value, unit: c.unit })),
      attributes: { WARD: p.service, ...(sex ? { SEX: sex } : {}) },
    });
  }
  return out;
}

/** Propose a local version: fitted (or judged, uploaded) on the analysis pool, stored `proposed`. */
export async function proposeLocalModel(ctx: Ctx, user: SessionUser, b: NewLocalModel): Promise<LocalModel> {
  const { db } = ctx.db;
  const published = getModel(b.modelId);
  const records = await localRecords(db, published.ir.drug || b.modelId.split('/')[0]);
  const last = await db
    .selectFrom('local_models')
    .select((e) => e.fn.max('version').as('v'))
    .where('model_id', '=', b.modelId)
    .executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  const proposal = await ctx.analyses.localModel(user.id, {
    modelId: b.modelId,
    records,
    date: nowIso().slice(0, 10),
    version: `${published.ir.version || '0'}+local.${version}`,
    ...(b.estimate ? { estimate: b.estimate } : {}),
    ...(b.uploaded !== undefined ? { uploaded: b.uploaded } : {}),
  });
  const row = await db.transaction().execute(async (trx) => {
    // Two proposals at once take their numbers in turn: the unique (model, version) refuses the second.
    const taken = await trx
      .selectFrom('local_models')
      .select('id')
      .where('model_id', '=', b.modelId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (taken)
      reject(
        'DT_CONFLICT',
        'modelId',
        `local version ${version} of ${b.modelId} was proposed meanwhile; propose again`,
      );
    const r: LocalModelsTable = {
      id: newId(),
      model_id: b.modelId,
      version,
      status: 'proposed',
      ir: JSON.stringify(proposal.ir),
      evidence: JSON.stringify(proposal.evidence),
      proposed_by: user.id,
      proposed_at: nowIso(),
      decided_by: null,
      decided_at: null,
      decision_note: null,
      retired_by: null,
      retired_at: null,
    };
    await trx.insertInto('local_models').values(r).execute();
    await audit(trx, {
      user,
      action: 'propose',
      entity: 'local-model',
      entityId: r.id,
      after: {
        status: r.status,
        version: String(version),
        method: proposal.evidence.method,
        count: String(proposal.evidence.patients.local),
      },
    });
    return r;
  });
  return fullOf(db, row);
}

export async function listLocalModels(ctx: Ctx, modelId: string | undefined): Promise<LocalModelSummary[]> {
  const { db } = ctx.db;
  let q = db.selectFrom('local_models').selectAll();
  if (modelId !== undefined) q = q.where('model_id', '=', modelId);
  const rows = await q.orderBy('model_id').orderBy('version', 'desc').execute();
  const names = await people(
    db,
    rows.flatMap((r) => [r.proposed_by, r.decided_by, r.retired_by]),
  );
  return rows.map((r) => summaryOf(r, names));
}

export async function getLocalModel(ctx: Ctx, user: SessionUser, id: string): Promise<LocalModel> {
  const row = await rowOf(ctx.db.db, id);
  await audit(ctx.db.db, { user, action: 'read', entity: 'local-model', entityId: id });
  return fullOf(ctx.db.db, row);
}

/** A version's model (its IR), for the browser's twin of an analysis made with it. */
export async function getLocalModelIr(ctx: Ctx, id: string): Promise<LocalModelIr> {
  const row = await rowOf(ctx.db.db, id);
  const ir = parseJson<ModelIR>(row.ir)!;
  return { id: row.id, modelId: row.model_id, modelVersion: ir.version, status: row.status, ir };
}

/** Approve or reject a proposed version: a pharmacologist, not its proposer (who may only withdraw it). */
export async function decideLocalModel(
  ctx: Ctx,
  user: SessionUser,
  id: string,
  b: LocalModelDecision,
): Promise<LocalModel> {
  const { db } = ctx.db;
  if (user.role !== 'pharmacologist')
    reject(
      'DT_LOCAL_MODEL_APPROVER',
      'decision',
      `a ${user.role} cannot ${b.decision} a local model: a pharmacologist decides`,
      undefined,
      {
        message: `un ${user.role === 'prescriber' ? 'prescripteur' : user.role} ne peut pas ${b.decision === 'approve' ? 'approuver' : 'rejeter'} un modèle local : un pharmacologue décide`,
      },
    );
  const note = b.note?.trim() ?? '';
  if (b.decision === 'reject' && !note) reject('DT_REQUEST', 'note', 'a rejection needs a note saying why');
  // The version in force changes every later analysis of the model: its author re-authenticates
  // as a signer does.
  const reauth = await reauthenticateToSign(ctx, user, b.reauth);
  const row = await db.transaction().execute(async (trx) => {
    if (ctx.db.dialect === 'postgres')
      await trx.selectFrom('local_models').select('id').where('id', '=', id).forUpdate().execute();
    const r = await rowOf(trx, id);
    if (b.decision === 'approve' && r.proposed_by === user.id)
      reject(
        'DT_LOCAL_MODEL_SELF_APPROVAL',
        'decision',
        'you proposed this local model: another pharmacologist must approve it',
        undefined,
        { message: 'vous avez proposé ce modèle local : un autre pharmacologue doit l’approuver' },
      );
    if (r.status !== 'proposed')
      reject(
        'DT_LOCAL_MODEL_STATE',
        'id',
        `local version ${r.version} of ${r.model_id} is ${r.status}: only a proposed version is approved or rejected`,
        undefined,
        {
          message: `la version locale ${r.version} de ${r.model_id} est ${STATUS_FR[r.status]} : seule une version proposée peut être approuvée ou rejetée`,
        },
      );
    const at = nowIso();
    if (b.decision === 'approve') {
      // The version in force until now is retired: one approved version per model at a time.
      const previous = await trx
        .selectFrom('local_models')
        .select(['id', 'version'])
        .where('model_id', '=', r.model_id)
        .where('status', '=', 'approved')
        .execute();
      for (const p of previous) {
        await trx
          .updateTable('local_models')
          .set({ status: 'retired', retired_by: user.id, retired_at: at })
          .where('id', '=', p.id)
          .execute();
        await audit(trx, {
          user,
          action: 'retire',
          entity: 'local-model',
          entityId: p.id,
          before: { status: 'approved' },
          after: { status: 'retired', reason: 'superseded', by: String(r.version) },
        });
      }
    }
    const status = b.decision === 'approve' ? 'approved' : 'rejected';
    await trx
      .updateTable('local_models')
      .set({ status, decided_by: user.id, decided_at: at, decision_note: note || null })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      user,
      action: b.decision,
      entity: 'local-model',
      entityId: id,
      before: { status: r.status },
      after: { status, version: String(r.version), reauth },
    });
    return rowOf(trx, id);
  });
  return fullOf(db, row);
}

const STATUS_FR: Record<LocalModelsTable['status'], string> = {
  proposed: 'proposée',
  approved: 'approuvée',
  rejected: 'rejetée',
  retired: 'retirée',
};

/** Retire the approved version in force: analyses go back to the published model. */
export async function retireLocalModel(
  ctx: Ctx,
  user: SessionUser,
  id: string,
  b: LocalModelRetirement,
): Promise<LocalModel> {
  const { db } = ctx.db;
  const note = b.note;
  const reauth = await reauthenticateToSign(ctx, user, b.reauth);
  const row = await db.transaction().execute(async (trx) => {
    const r = await rowOf(trx, id);
    if (r.status !== 'approved')
      reject(
        'DT_LOCAL_MODEL_STATE',
        'id',
        `local version ${r.version} of ${r.model_id} is ${r.status}: only the approved version in force is retired`,
        undefined,
        {
          message: `la version locale ${r.version} de ${r.model_id} est ${STATUS_FR[r.status]} : seule la version approuvée en vigueur peut être retirée`,
        },
      );
    await trx
      .updateTable('local_models')
      .set({
        status: 'retired',
        retired_by: user.id,
        retired_at: nowIso(),
        decision_note: [r.decision_note, `retired: ${note.trim()}`].filter(Boolean).join('\n'),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      user,
      action: 'retire',
      entity: 'local-model',
      entityId: id,
      before: { status: 'approved' },
      after: { status: 'retired', version: String(r.version), reauth },
    });
    return rowOf(trx, id);
  });
  return fullOf(db, row);
}

/**
 * The local version an analysis of `modelId` uses: the one named (refused unless approved and of
 * that model), none when null is asked (the published model), else the approved version in force.
 */
export async function localModelForAnalysis(
  db: Tx,
  modelId: string,
  requested: string | null | undefined,
): Promise<{ ir: ModelIR; record: AnalysisLocalModel } | null> {
  if (requested === null) return null;
  const row =
    requested === undefined
      ? await db
          .selectFrom('local_models')
          .selectAll()
          .where('model_id', '=', modelId)
          .where('status', '=', 'approved')
          .orderBy('version', 'desc')
          .executeTakeFirst()
      : await rowOf(db, requested);
  if (!row) return null;
  if (row.model_id !== modelId)
    reject(
      'DT_REQUEST',
      'localModelId',
      `local model '${row.id}' is a version of ${row.model_id}, not ${modelId}`,
    );
  if (row.status !== 'approved')
    reject(
      'DT_LOCAL_MODEL_NOT_APPROVED',
      'localModelId',
      `local version ${row.version} of ${row.model_id} is ${row.status}, not approved: no analysis uses it`,
      row.status === 'proposed' ? 'a second pharmacologist approves it first (Local models page)' : undefined,
      {
        message: `la version locale ${row.version} de ${row.model_id} est ${STATUS_FR[row.status]}, non approuvée : aucune analyse ne l’utilise`,
        ...(row.status === 'proposed'
          ? { hint: 'un second pharmacologue l’approuve d’abord (page Modèles locaux)' }
          : {}),
      },
    );
  const names = await people(db, [row.decided_by]);
  const ir = parseJson<ModelIR>(row.ir)!;
  return {
    ir,
    record: {
      id: row.id,
      version: row.version,
      modelVersion: ir.version,
      approvedBy: names.get(row.decided_by!) ?? row.decided_by!,
      approvedAt: row.decided_at!,
    },
  };
}

/** The local version's IR an analysis was made with (its retained regimen is evaluated under it), or undefined. */
export async function localIrOf(db: Tx, a: Database['analyses']): Promise<ModelIR | undefined> {
  const used = parseJson<AnalysisLocalModel>(a.local_model);
  if (!used) return undefined;
  const row = await rowOf(db, used.id);
  return parseJson<ModelIR>(row.ir)!;
}
