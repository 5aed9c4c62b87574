/**
 * The pharmacologist's signed decision on the latest analysis of a request: accept a ranked
 * candidate, modify (the regimen retained instead) or reject, with a comment. The regimen retained
 * is stored in the one regimen shape. The signer re-authenticates (password or TOTP code), may be
 * required to be another user than the analyst, and the service key signs the record
 * (signature.ts): the analysis's hash, the decision, the regimen, the comment, the signer, the
 * time, the meaning.
 */
import type { SessionUser } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type { ModelIR } from '@dosetwin/engine';
import type { AnalysisSubject } from '../analysis.ts';
import type {
  Candidate,
  Issue,
  NewValidation,
  Regimen,
  RetainedEvaluation,
  StoredInputs,
  Validation,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, newId, nowIso, parseJson, patientFor } from '../store.ts';
import { Checks } from '../validate.ts';
import { meaningOf, SIGNATURE_ALG, signedRecord, signRecord } from '../signature.ts';
import { reauthenticateToSign } from './credentials.ts';
import { localIrOf } from './local-models.ts';
import { requestStatusOf, versionStates } from './decision-in-force.ts';
import { checkRetainedRegimen, signatureGate } from './plausibility.ts';

/** A candidate of the analysis as the regimen retained: its regimen, from its own start (else the analysis's). */
export function regimenOfCandidate(c: Candidate, start: string | null): Regimen {
  return { ...c.regimen, start: c.regimen.start ?? start };
}

/**
 * A stored regimen in the one shape. Validations signed before the regimen had one shape stored
 * the chosen candidate (`doseUnit`, `timeUnit`) or a flat regimen (`doseUnit`, `intervalUnit`):
 * they are read into it, the stored text (and so the signature) staying as signed.
 */
export function storedRegimen(json: string | null): Regimen | null {
  const r = parseJson<Record<string, unknown>>(json);
  if (r === null || typeof r.dose === 'object') return r as Regimen | null;
  const n = (k: string) => r[k] as number;
  const timeUnit = String(r.timeUnit ?? r.intervalUnit);
  const duration = typeof r.duration === 'number' && r.duration > 0 ? r.duration : null;
  return {
    dose: { value: n('dose'), unit: String(r.doseUnit) },
    interval: { value: n('interval'), unit: timeUnit },
    route: r.route as Regimen['route'],
    duration: duration === null ? null : { value: duration, unit: timeUnit },
    start: null,
    loading: null,
  };
}

export function validationOut(v: Database['validations']): Validation {
  return {
    id: v.id,
    decision: v.decision,
    comment: v.comment,
    regimen: storedRegimen(v.regimen),
    evaluation: parseJson<RetainedEvaluation>(v.evaluation),
    analysisHash: v.analysis_hash,
    signedBy: v.signed_by,
    signedAt: v.signed_at,
    signature: v.signature,
    signatureAlgorithm: v.signature_alg ?? null,
    signatureKey: v.signature_key ?? null,
    meaning: v.meaning ?? null,
    reauth: (v.reauth ?? null) as Validation['reauth'],
    acknowledged: parseJson<Issue[]>(v.acknowledged ?? null) ?? [],
  };
}

/** A 'modify' regimen's checks beyond its schema: units by dimension, route and duration, times. */
function checkRegimen(r: Regimen): void {
  const c = new Checks();
  c.unit(r.dose.unit, 'mass', 'regimen.dose.unit');
  c.unit(r.interval.unit, 'time', 'regimen.interval.unit');
  if (r.route === 'infusion' && !r.duration)
    c.add('DT_REQUEST_VALUE', 'regimen.duration', 'an infusion needs its duration (value and unit)');
  if (r.route !== 'infusion' && r.duration)
    c.add('DT_REQUEST_VALUE', 'regimen.duration', `a ${r.route} regimen has no duration (null)`);
  if (r.duration) c.unit(r.duration.unit, 'time', 'regimen.duration.unit');
  if (r.start !== null && !Number.isFinite(Date.parse(r.start)))
    c.add('DT_REQUEST_TIME', 'regimen.start', `'${r.start}' is not a date-time`);
  if (r.loading) {
    c.unit(r.loading.dose.unit, 'mass', 'regimen.loading.dose.unit');
    if (r.loading.duration && r.route !== 'infusion')
      c.add(
        'DT_REQUEST_VALUE',
        'regimen.loading.duration',
        `a ${r.route} loading dose has no duration (null)`,
      );
    if (r.loading.duration) c.unit(r.loading.duration.unit, 'time', 'regimen.loading.duration.unit');
  }
  c.throwIfAny();
}

export async function validate(
  ctx: Ctx,
  user: SessionUser,
  analysisId: string,
  b: NewValidation,
): Promise<Validation> {
  const { db } = ctx.db;
  // The decision and the retained regimen's evaluation (seconds of computation) before the
  // transaction; the transaction then checks that nothing changed meanwhile.
  const a0 = await db.selectFrom('analyses').selectAll().where('id', '=', analysisId).executeTakeFirst();
  if (!a0) reject('DT_NOT_FOUND', 'id', `no analysis '${analysisId}'`);
  await patientFor(db, user, a0.patient_id, 'id', { what: 'analysis', id: analysisId });
  if (ctx.auth.distinctSigner && a0.created_by === user.id)
    reject('DT_SIGN_SEPARATION', 'id', 'you ran this analysis: another pharmacologist must sign it');
  const reauth = await reauthenticateToSign(ctx, user, b.reauth);
  const inputs = parseJson<StoredInputs>(a0.inputs)!;
  let regimen: Regimen | null = null;
  if (b.decision === 'accept') {
    if (b.regimen)
      reject('DT_REQUEST', 'regimen', "'accept' takes a candidate rank, not a regimen; use 'modify'");
    const cands = parseJson<Candidate[]>(a0.candidates) ?? [];
    const chosen = cands.find((c) => c.rank === (b.candidate ?? 1));
    if (!chosen)
      reject(
        'DT_REQUEST',
        'candidate',
        `no candidate of rank ${b.candidate ?? 1} (there are ${cands.length})`,
      );
    regimen = regimenOfCandidate(chosen, inputs.start);
  } else if (b.decision === 'modify') {
    if (!b.regimen) reject('DT_REQUEST', 'regimen', "'modify' needs the regimen retained");
    checkRegimen(b.regimen);
    regimen = b.regimen;
  } else if (b.candidate !== undefined || b.regimen) {
    reject('DT_REQUEST', 'decision', "'reject' takes neither candidate nor regimen");
  }
  if (b.decision !== 'accept' && !b.comment.trim())
    reject('DT_REQUEST', 'comment', `a '${b.decision}' decision needs a comment saying why`);
  // Nothing is signed unacknowledged: the analysis's blocking warnings and the modified regimen's
  // unusual values must be acknowledged; its implausible ones are refused.
  const { acknowledged } = signatureGate(
    b.decision,
    parseJson<Issue[]>(a0.warnings) ?? [],
    b.decision === 'modify' && regimen ? checkRetainedRegimen(a0.kind, inputs, a0.model_id, regimen) : null,
    b.acknowledge,
  );
  // A regimen without a start begins when the analysis's first new dose is due. The evaluation
  // runs the twin (seconds), so on the analysis pool, within its limits, as an analysis does.
  const evaluation =
    regimen === null
      ? null
      : await ctx.analyses.retained(
          user.id,
          retainedSubject(a0.kind, inputs, a0.model_id, await localIrOf(db, a0)),
          a0.model_id,
          { ...regimen, start: regimen.start ?? inputs.start },
        );
  const out = await db.transaction().execute(async (trx) => {
    if (ctx.db.dialect === 'postgres')
      await trx.selectFrom('analyses').select('id').where('id', '=', analysisId).forUpdate().execute();
    const a = await trx.selectFrom('analyses').selectAll().where('id', '=', analysisId).executeTakeFirst();
    if (!a) reject('DT_NOT_FOUND', 'id', `no analysis '${analysisId}'`);
    if (a.hash !== a0.hash)
      reject('DT_CONFLICT', 'id', 'the analysis changed while the decision was being signed; open it again');
    const existing = await trx
      .selectFrom('validations')
      .select('id')
      .where('analysis_id', '=', a.id)
      .executeTakeFirst();
    if (existing)
      reject('DT_IMMUTABLE', 'id', 'this analysis is already signed; re-analyse to create a new version');
    const newer = await trx
      .selectFrom('analyses')
      .select('id')
      .where('request_id', '=', a.request_id)
      .where('version', '>', a.version)
      .executeTakeFirst();
    if (newer) reject('DT_CONFLICT', 'id', 'a newer version of this analysis exists; validate that one');
    const signedAt = nowIso();
    const regimenJson = regimen === null ? null : JSON.stringify(regimen);
    const evaluationJson = evaluation === null ? null : JSON.stringify(evaluation);
    const unsigned: Database['validations'] = {
      id: newId(),
      analysis_id: a.id,
      request_id: a.request_id,
      decision: b.decision,
      comment: b.comment,
      regimen: regimenJson,
      evaluation: evaluationJson,
      analysis_hash: a.hash,
      signed_by: user.id,
      signed_at: signedAt,
      signature: '',
      signature_alg: SIGNATURE_ALG,
      signature_key: ctx.keys.keyId,
      meaning: meaningOf(b.decision),
      reauth,
      acknowledged: acknowledged.length ? JSON.stringify(acknowledged) : null,
    };
    const v = { ...unsigned, signature: signRecord(ctx.keys, signedRecord(unsigned, user.username)) };
    await trx.insertInto('validations').values(v).execute();
    // The status follows the decision in force: rejecting a later version leaves an earlier
    // accepted or modified regimen in force (and the request validated).
    const before = await trx
      .selectFrom('requests')
      .select('status')
      .where('id', '=', a.request_id)
      .executeTakeFirstOrThrow();
    const status = requestStatusOf(await versionStates(trx, a.request_id));
    await trx.updateTable('requests').set({ status }).where('id', '=', a.request_id).execute();
    await audit(trx, {
      user,
      action: 'validate',
      entity: 'validation',
      entityId: v.id,
      patientId: a.patient_id,
      before: { requestStatus: before.status },
      after: { ...validationOut(v), evaluation: undefined, requestStatus: status },
    });
    return v;
  });
  return validationOut(out);
}

/**
 * What the retained regimen is evaluated on: the analysis's stored inputs, as the what-if showed
 * it (the pool's `retained` runs `evaluateRetainedRegimen` on it).
 */
export function retainedSubject(
  kind: 'model' | 'drug',
  inputs: StoredInputs,
  modelId: string,
  localIr?: ModelIR,
): AnalysisSubject {
  const record = {
    patientId: inputs.patientId,
    administrations: inputs.administrations,
    samples: inputs.samples,
    covariates: inputs.covariates,
    targets: inputs.targets,
    start: inputs.start,
    // The MIC the analysis was made with reads its MIC-based targets.
    mic: inputs.mic ?? null,
    fu: inputs.fu ?? null,
  };
  return kind === 'drug'
    ? { kind: 'drug', inputs: { ...record, drug: inputs.drug!, formulation: inputs.formulation ?? null } }
    : { kind: 'model', inputs: { ...record, modelId }, ...(localIr ? { localIr } : {}) };
}
