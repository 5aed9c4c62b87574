/**
 * Analyses: a pharmacologist runs the models library on a snapshot of the patient's record
 * (`runAnalysis` on the analysis pool's worker threads: one model, or every model of a drug
 * averaged), and the result is stored with the model's id and version, the engine's version and
 * the hash a validation signs. A validated analysis is immutable: analysing again creates a new
 * version that supersedes it.
 */
import { modelsForDrug } from '@dosetwin/models';
import type { Kysely } from 'kysely';
import type { AdherenceQuery, AnalysisResult, AnalysisSubject } from '../analysis.ts';
import { sha256, type SessionUser } from '../auth.ts';
import { canonical } from '../canonical.ts';
import type { Ctx } from '../context.ts';
import type {
  Analysis,
  AnalysisLocalModel,
  AnalysisOptions,
  Assert,
  Averaging,
  Candidate,
  Fit,
  Forecast,
  InputCorrection,
  Issue,
  Same,
  StoredInputs,
  Target,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import type { ServiceKeys } from '../keys.ts';
import { checkSignature } from '../signature.ts';
import { audit, newId, nowIso, parseJson, patientFor } from '../store.ts';
import { localModelForAnalysis } from './local-models.ts';
import { recordsOf } from './records.ts';
import { doseHistoryOfRecord } from './adherence.ts';
import { requestStatusOf, versionStates } from './decision-in-force.ts';
import { requestFor } from './requests.ts';
import { validationOut } from './validations.ts';

// Everything the analysis returns is stored and sent in the contract's shapes: a field added to
// the result and not to the contract (contract/analyses.ts) would be dropped from the response,
// so these stop the build until both agree.
export type _ResultIsStored = Assert<
  Same<
    keyof AnalysisResult,
    | 'kind'
    | 'model'
    | 'engineVersion'
    | 'fit'
    | 'targets'
    | 'forecast'
    | 'candidates'
    | 'warnings'
    | 'conversions'
    | 'start'
    | 'nextDose'
    | 'averaging'
    | 'adherence'
  >
>;
export type _FitIsTheContracts = Assert<Same<Omit<Fit, 'model' | 'adherence'>, AnalysisResult['fit']>>;
export type _AdherenceIsTheContracts = Assert<
  Same<Fit['adherence'] | null, AnalysisResult['adherence'] | undefined>
>;
export type _TargetsAreTheContracts = Assert<Same<Target[], AnalysisResult['targets']>>;
export type _ForecastIsTheContracts = Assert<Same<Forecast | null, AnalysisResult['forecast']>>;
export type _CandidatesAreTheContracts = Assert<Same<Candidate[], AnalysisResult['candidates']>>;
export type _WarningsAreIssues = Assert<Same<Issue[], AnalysisResult['warnings']>>;
export type _AveragingIsTheContracts = Assert<Same<Averaging | null, AnalysisResult['averaging']>>;

/** A stored analysis in the wire's shape, with its validation once signed. */
export function analysisOut(a: Database['analyses'], v: Database['validations'] | undefined): Analysis {
  return {
    id: a.id,
    requestId: a.request_id,
    patientId: a.patient_id,
    version: a.version,
    supersedes: a.supersedes,
    kind: a.kind,
    modelId: a.model_id,
    modelVersion: a.model_version,
    engineVersion: a.engine_version,
    inputs: parseJson<StoredInputs>(a.inputs)!,
    fit: parseJson<Fit>(a.fit)!,
    targets: parseJson<Target[]>(a.targets) ?? [],
    forecast: parseJson<Forecast>(a.forecast),
    candidates: parseJson<Candidate[]>(a.candidates)!,
    warnings: parseJson<Issue[]>(a.warnings)!,
    averaging: parseJson<Averaging>(a.averaging),
    nextDose: parseJson<Analysis['nextDose']>(a.next_dose),
    hash: a.hash,
    createdAt: a.created_at,
    createdBy: a.created_by,
    validation: v ? validationOut(v) : null,
    localModel: parseJson<AnalysisLocalModel>(a.local_model),
  };
}

/**
 * What a request asks to analyse: its model, its drug's models averaged, or (a drug-level request
 * with `modelId`) one model of the drug kept instead.
 */
function subjectOfRequest(
  r: Database['requests'],
  modelId: string | undefined,
  record: Omit<AnalysisSubject['inputs'], 'modelId' | 'drug' | 'formulation'>,
): AnalysisSubject {
  if (r.kind === 'model') {
    if (modelId !== undefined && modelId !== r.model_id)
      reject(
        'DT_REQUEST',
        'modelId',
        `this request is about ${r.model_id}; modelId applies to a drug-level request`,
      );
    return { kind: 'model', inputs: { ...record, modelId: r.model_id } };
  }
  if (modelId !== undefined) {
    const ok = modelsForDrug(r.model_id).some((m) => m.id === modelId);
    if (!ok)
      reject(
        'DT_MODEL_UNKNOWN',
        'modelId',
        `'${modelId}' is not a library model of ${r.model_id}`,
        `${r.model_id} models: ${modelsForDrug(r.model_id)
          .map((m) => m.id)
          .join(', ')}`,
      );
    return { kind: 'model', inputs: { ...record, modelId } };
  }
  return { kind: 'drug', inputs: { ...record, drug: r.model_id, formulation: null } };
}

/** Analyse a request now: a new version of its analysis, superseding the previous one. */
export async function analyse(
  ctx: Ctx,
  user: SessionUser,
  requestId: string,
  options: AnalysisOptions | undefined,
): Promise<Analysis> {
  const { db } = ctx.db;
  const r = await requestFor(db, user, requestId);
  if (r.status === 'rejected') reject('DT_CONFLICT', 'id', 'the request was rejected; submit a new one');
  // The record in force: amended values, records entered in error left out (and said, below).
  const all = await recordsOf(db, r.patient_id, { withErrors: true });
  const inForce = <T extends { status: string }>(xs: T[]): T[] => xs.filter((x) => x.status === 'active');
  const records = {
    administrations: inForce(all.administrations),
    samples: inForce(all.samples),
    covariates: inForce(all.covariates),
  };
  const corrections: InputCorrection[] = [
    ...all.administrations.flatMap((x) =>
      x.corrections.map((c) => ({ record: 'administration' as const, ...c })),
    ),
    ...all.samples.flatMap((x) => x.corrections.map((c) => ({ record: 'sample' as const, ...c }))),
    ...all.covariates.flatMap((x) => x.corrections.map((c) => ({ record: 'covariate' as const, ...c }))),
  ].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  // With a prescription, the dose history is the library's: its doses, the administrations
  // recorded and the adherence records (services/adherence.ts).
  const history = await doseHistoryOfRecord(db, r.patient_id, records.administrations, nowIso());
  const record = {
    patientId: r.patient_id,
    administrations: history.administrations,
    samples: records.samples.map((s) => ({
      at: s.at,
      value: s.value,
      unit: s.unit,
      matrix: s.matrix,
      assay: s.assay,
      lloq: s.lloq,
    })),
    covariates: records.covariates.map((c) => ({ at: c.at, name: c.name, value: c.value, unit: c.unit })),
    targets: options?.targets ?? [],
    start: options?.start ?? null,
    ...(options?.loadingTarget ? { loadingTarget: options.loadingTarget } : {}),
    ...(options?.startWhenBelow ? { startWhenBelow: options.startWhenBelow } : {}),
    ...(options?.mic ? { mic: options.mic } : {}),
    ...(options?.fu !== undefined ? { fu: options.fu } : {}),
  };
  const published = subjectOfRequest(r, options?.modelId, record);
  // A model's analysis uses its approved local version in force (or the one asked for, if
  // approved); a drug-level one averages the published models.
  const local =
    published.kind === 'model'
      ? await localModelForAnalysis(db, published.inputs.modelId, options?.localModelId)
      : null;
  if (published.kind === 'drug' && options?.localModelId)
    reject(
      'DT_REQUEST',
      'localModelId',
      'a drug-level analysis averages the published models; give modelId with a local version',
    );
  const subject: AnalysisSubject =
    local && published.kind === 'model' ? { ...published, localIr: local.ir } : published;
  // On a worker thread, within the pool's time, memory and per-user limits (analysis-pool.ts).
  const asked: AnalysisSubject & { adherence?: AdherenceQuery } = history.query
    ? { ...subject, adherence: history.query }
    : subject;
  const result = await ctx.analyses.analyse(user.id, asked);
  const content = {
    kind: result.kind,
    inputs: {
      ...record,
      modelId: result.model.id,
      ...(subject.kind === 'drug'
        ? { drug: subject.inputs.drug, formulation: subject.inputs.formulation }
        : {}),
      conversions: result.conversions,
      start: result.start,
      ...(history.adherence ? { adherence: history.adherence } : {}),
      ...(corrections.length ? { corrections } : {}),
    } satisfies StoredInputs,
    fit: { ...result.fit, ...(result.adherence ? { adherence: result.adherence } : {}) },
    targets: result.targets,
    forecast: result.forecast,
    candidates: result.candidates,
    warnings: result.warnings,
    averaging: result.averaging,
    nextDose: result.nextDose,
    model: result.model,
    engineVersion: result.engineVersion,
  };
  const hash = sha256(canonical(content));
  const row = await db.transaction().execute(async (trx) => {
    // PostgreSQL: concurrent analyses of one request take their version numbers in turn
    // (SQLite transactions are already serialised).
    if (ctx.db.dialect === 'postgres')
      await trx.selectFrom('requests').select('id').where('id', '=', r.id).forUpdate().execute();
    const prev = await trx
      .selectFrom('analyses')
      .select(['id', 'version'])
      .where('request_id', '=', r.id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const a: Database['analyses'] = {
      id: newId(),
      request_id: r.id,
      patient_id: r.patient_id,
      version: (prev?.version ?? 0) + 1,
      supersedes: prev?.id ?? null,
      kind: result.kind,
      model_id: result.model.id,
      model_version: result.model.version,
      engine_version: result.engineVersion,
      inputs: JSON.stringify(content.inputs),
      fit: JSON.stringify({ ...content.fit, model: result.model } satisfies Fit),
      forecast: JSON.stringify(result.forecast),
      candidates: JSON.stringify(result.candidates),
      warnings: JSON.stringify(result.warnings),
      targets: JSON.stringify(result.targets),
      averaging: result.averaging === null ? null : JSON.stringify(result.averaging),
      next_dose: result.nextDose === null ? null : JSON.stringify(result.nextDose),
      hash,
      created_at: nowIso(),
      created_by: user.id,
      local_model: local ? JSON.stringify(local.record) : null,
    };
    await trx.insertInto('analyses').values(a).execute();
    // A new version changes the request's status only if nothing is signed yet: a validated
    // request stays validated (its decision in force) until the new version is itself signed.
    const status = requestStatusOf(await versionStates(trx, r.id));
    await trx.updateTable('requests').set({ status }).where('id', '=', r.id).execute();
    await audit(trx, {
      user,
      action: 'analyse',
      entity: 'analysis',
      entityId: a.id,
      patientId: r.patient_id,
      before: { requestStatus: r.status, supersedes: a.supersedes },
      after: { version: a.version, hash, requestStatus: status },
    });
    return a;
  });
  return analysisOut(row, undefined);
}

/** An analysis as read, its signature (once signed) verified against the service key. */
export async function getAnalysis(
  db: Kysely<Database>,
  keys: ServiceKeys,
  user: SessionUser,
  id: string,
): Promise<Analysis> {
  const a = await db.selectFrom('analyses').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) reject('DT_NOT_FOUND', 'id', `no analysis '${id}'`);
  await patientFor(db, user, a.patient_id, 'id', { what: 'analysis', id });
  const v = await db.selectFrom('validations').selectAll().where('analysis_id', '=', a.id).executeTakeFirst();
  await audit(db, { user, action: 'read', entity: 'analysis', entityId: a.id, patientId: a.patient_id });
  const out = analysisOut(a, v);
  if (v && out.validation) {
    const signer = await db
      .selectFrom('users')
      .select('username')
      .where('id', '=', v.signed_by)
      .executeTakeFirst();
    const check = checkSignature(keys, v, signer?.username ?? '', a);
    out.validation.verified = { status: check.status, reason: check.reason };
  }
  return out;
}
