/**
 * Analyses: a pharmacologist runs the engine on a snapshot of the patient's record
 * (`runAnalysis`), and the result is stored with the model's id and version, the engine's
 * version and the hash a validation signs. A validated analysis is immutable: analysing again
 * creates a new version that supersedes it.
 */
import type { Kysely } from 'kysely';
import { type AnalysisInputs, type AnalysisResult, runAnalysis } from '../analysis.ts';
import { sha256, type SessionUser } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type {
  Analysis,
  AnalysisOptions,
  Assert,
  Candidate,
  Fit,
  Forecast,
  Issue,
  Same,
  StoredInputs,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, newId, nowIso, parseJson, patientFor } from '../store.ts';
import { recordsOf } from './records.ts';
import { requestFor } from './requests.ts';
import { validationOut } from './validations.ts';

// Everything the analysis returns is stored and sent in the contract's shapes: a field added to
// the result and not to the contract (contract/analyses.ts) would be dropped from the response,
// so these stop the build until both agree.
export type _ResultIsStored = Assert<
  Same<
    keyof AnalysisResult,
    | 'modelId'
    | 'modelVersion'
    | 'engineVersion'
    | 'citation'
    | 'units'
    | 'fit'
    | 'forecast'
    | 'candidates'
    | 'warnings'
    | 'conversions'
    | 'start'
  >
>;
export type _FitIsTheContracts = Assert<Same<Omit<Fit, 'model'>, AnalysisResult['fit']>>;
export type _ForecastIsTheContracts = Assert<Same<Forecast, AnalysisResult['forecast']>>;
export type _CandidatesAreTheContracts = Assert<Same<Candidate[], AnalysisResult['candidates']>>;
export type _WarningsAreIssues = Assert<Same<Issue[], AnalysisResult['warnings']>>;

/** Canonical JSON (sorted keys, undefined left out): what the hash of an analysis is taken over. */
export function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object')
    return `{${Object.keys(x)
      .sort()
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(x);
}

/** A stored analysis in the wire's shape, with its validation once signed. */
export function analysisOut(a: Database['analyses'], v: Database['validations'] | undefined): Analysis {
  return {
    id: a.id,
    requestId: a.request_id,
    patientId: a.patient_id,
    version: a.version,
    supersedes: a.supersedes,
    modelId: a.model_id,
    modelVersion: a.model_version,
    engineVersion: a.engine_version,
    inputs: parseJson<StoredInputs>(a.inputs)!,
    fit: parseJson<Fit>(a.fit)!,
    forecast: parseJson<Forecast>(a.forecast)!,
    candidates: parseJson<Candidate[]>(a.candidates)!,
    warnings: parseJson<Issue[]>(a.warnings)!,
    hash: a.hash,
    createdAt: a.created_at,
    createdBy: a.created_by,
    validation: v ? validationOut(v) : null,
  };
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
  const records = await recordsOf(db, r.patient_id);
  const inputs: AnalysisInputs = {
    patientId: r.patient_id,
    modelId: r.model_id,
    administrations: records.administrations.map((a) => ({
      at: a.at,
      amount: a.amount,
      unit: a.unit,
      route: a.route,
      duration: a.duration,
      product: a.product,
    })),
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
  };
  const result = await runAnalysis(inputs);
  const model = {
    id: result.modelId,
    version: result.modelVersion,
    citation: result.citation,
    units: result.units,
  };
  const content = {
    inputs: { ...inputs, conversions: result.conversions, start: result.start } satisfies StoredInputs,
    fit: result.fit,
    forecast: result.forecast,
    candidates: result.candidates,
    warnings: result.warnings,
    model,
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
      model_id: result.modelId,
      model_version: result.modelVersion,
      engine_version: result.engineVersion,
      inputs: JSON.stringify(content.inputs),
      fit: JSON.stringify({ ...result.fit, model } satisfies Fit),
      forecast: JSON.stringify(result.forecast),
      candidates: JSON.stringify(result.candidates),
      warnings: JSON.stringify(result.warnings),
      hash,
      created_at: nowIso(),
      created_by: user.id,
    };
    await trx.insertInto('analyses').values(a).execute();
    await trx.updateTable('requests').set({ status: 'analysed' }).where('id', '=', r.id).execute();
    await audit(trx, {
      user,
      action: 'analyse',
      entity: 'analysis',
      entityId: a.id,
      patientId: r.patient_id,
      before: { requestStatus: r.status, supersedes: a.supersedes },
      after: { version: a.version, hash, requestStatus: 'analysed' },
    });
    return a;
  });
  return analysisOut(row, undefined);
}

export async function getAnalysis(db: Kysely<Database>, user: SessionUser, id: string): Promise<Analysis> {
  const a = await db.selectFrom('analyses').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) reject('DT_NOT_FOUND', 'id', `no analysis '${id}'`);
  await patientFor(db, user, a.patient_id, 'id');
  const v = await db.selectFrom('validations').selectAll().where('analysis_id', '=', a.id).executeTakeFirst();
  await audit(db, { user, action: 'read', entity: 'analysis', entityId: a.id, patientId: a.patient_id });
  return analysisOut(a, v);
}
