/**
 * The report of a request's signed decision in force (marked when a newer version awaits signature): the request, the patient (identity only when
 * asked for, and audited as such), the analysis and the validation with its signer, as printable
 * HTML or PDF. The signature is verified first (signature.ts): a decision whose stored row is not
 * what the service key signed (an edited field, a forged or keyless signature, another key, an
 * analysis changed since) gives no report but DT_SIGNATURE_INVALID, and the refusal is audited.
 */
import type { Issue } from '@dosetwin/engine';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type { ReportQuery } from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { currentRegimen, individualSummary } from '@dosetwin/models';
import { renderReportHtml, type ReportData } from '../report.ts';
import type { AcknowledgedEntry } from '../report-acknowledged.ts';
import { renderReportPdf } from '../report-pdf.ts';
import { DEFAULT_REPORT_TIME_ZONE, isTimeZone, langOfHeader } from '../report-text.ts';
import { checkSignature } from '../signature.ts';
import { audit, parseJson } from '../store.ts';
import { analysisOut } from './analyses.ts';
import { decisionInForce, pendingVersion, rejectedAfter, versionStates } from './decision-in-force.ts';
import { localIrOf } from './local-models.ts';
import { requestFor } from './requests.ts';
import { retainedSubject, validationOut } from './validations.ts';

export interface RenderedReport {
  contentType: 'text/html; charset=utf-8' | 'application/pdf';
  /** The file name offered for a PDF. */
  filename: string | null;
  body: string | Buffer;
}

export async function report(
  ctx: Ctx,
  user: SessionUser,
  requestId: string,
  q: ReportQuery,
  acceptLanguage?: string,
): Promise<RenderedReport> {
  const { keys } = ctx;
  const { db } = ctx.db;
  // The zone of every time printed: asked for, else the service's (DOSETWIN_TIME_ZONE), else Paris.
  const timeZone = q.tz ?? process.env.DOSETWIN_TIME_ZONE ?? DEFAULT_REPORT_TIME_ZONE;
  if (!isTimeZone(timeZone))
    reject(
      'DT_REQUEST_VALUE',
      q.tz ? 'tz' : 'DOSETWIN_TIME_ZONE',
      `'${timeZone}' is not a known time zone`,
      "an IANA zone, e.g. 'Europe/Paris'",
    );
  const r = await requestFor(db, user, requestId);
  // The report is the decision in force's: a later version changes it only once signed (and a
  // later rejected version leaves an accepted regimen in force); the report says so.
  const versions = await versionStates(db, r.id);
  const inForce = decisionInForce(versions);
  const row = inForce
    ? await db
        .selectFrom('validations')
        .innerJoin('users', 'users.id', 'validations.signed_by')
        .selectAll('validations')
        .select(['users.display_name as signer', 'users.username as signerUsername'])
        .where('validations.analysis_id', '=', inForce.id)
        .executeTakeFirst()
    : undefined;
  if (!row) reject('DT_CONFLICT', 'id', 'the request has no validated analysis yet');
  const pending = pendingVersion(versions);
  const a = await db
    .selectFrom('analyses')
    .selectAll()
    .where('id', '=', row.analysis_id)
    .executeTakeFirstOrThrow();
  const { signer: _s, signerUsername, ...validation } = row;
  const check = checkSignature(keys, validation, signerUsername, a);
  if (check.status !== 'valid') {
    await audit(db, {
      user,
      action: 'signature-invalid',
      entity: 'validation',
      entityId: row.id,
      patientId: r.patient_id,
      after: { status: check.status, reason: check.reason },
    });
    reject(
      'DT_SIGNATURE_INVALID',
      'signature',
      `the signature of this decision does not verify: ${check.reason}`,
      'no report is produced from it; tell the administrator (the record may have been altered)',
    );
  }
  const p = await db
    .selectFrom('patients')
    .selectAll()
    .where('id', '=', r.patient_id)
    .executeTakeFirstOrThrow();
  const identity =
    q.identity === 'true'
      ? ((await db
          .selectFrom('patient_identity')
          .selectAll()
          .where('patient_id', '=', p.id)
          .executeTakeFirst()) ?? null)
      : null;
  const requester = await db
    .selectFrom('users')
    .select('display_name')
    .where('id', '=', r.created_by)
    .executeTakeFirst();
  const analysis = analysisOut(a, undefined);
  // What the patient gets if nothing changes, evaluated as the retained regimen is (the same
  // inputs and twin; for a drug, averaged over its models), beside it: continued from when its own
  // next dose is due, as the page's chart draws it (the stored start is candidate 1's, whose
  // interval may be longer: the current regimen would show a missed dose).
  const current = currentRegimen({ administrations: analysis.inputs.administrations, start: null });
  const data: ReportData = {
    lang: q.lang ?? langOfHeader(acceptLanguage) ?? 'en',
    timeZone,
    current: current
      ? {
          regimen: current,
          // The twin again (seconds): on the analysis pool, within its limits, as the signature's.
          ...(await ctx.analyses.retained(
            user.id,
            retainedSubject(a.kind, analysis.inputs, a.model_id, await localIrOf(db, a)),
            a.model_id,
            current,
          )),
        }
      : null,
    individual: individualSummary(analysis.modelId, analysis.fit.parameters),
    request: {
      id: r.id,
      question: r.question,
      createdAt: r.created_at,
      requester: requester?.display_name ?? r.created_by,
    },
    patient: { pseudonym: p.pseudonym, sex: p.sex, service: p.service },
    identity: identity
      ? {
          familyName: identity.family_name,
          givenName: identity.given_name,
          birthName: identity.birth_name ?? null,
          birthDate: identity.birth_date,
          hospitalNumber: identity.hospital_number,
        }
      : null,
    analysis,
    validation: { ...validationOut(validation), signer: row.signer },
    acknowledgedEntries: await acknowledgedEntries(db, p.id, analysis.inputs),
    supersession: {
      pendingVersion: pending ? { version: pending.version, createdAt: pending.createdAt } : null,
      rejectedAfter: rejectedAfter(versions).map((v) => ({ version: v.version, signedAt: v.signedAt! })),
    },
  };
  await audit(db, {
    user,
    action: 'read',
    entity: identity ? 'report+identity' : 'report',
    entityId: r.id,
    patientId: r.patient_id,
  });
  if (q.format === 'pdf')
    return {
      contentType: 'application/pdf',
      filename: `dosetwin-${p.pseudonym}-${r.id.slice(0, 8)}.pdf`,
      body: await renderReportPdf(data),
    };
  return { contentType: 'text/html; charset=utf-8', filename: null, body: renderReportHtml(data) };
}

/**
 * The warnings confirmed at entry by the records the analysis used (a dose, a level or a covariate
 * at the same time, the same name for a covariate), with who entered them.
 */
async function acknowledgedEntries(
  db: Kysely<Database>,
  patientId: string,
  inputs: {
    administrations: readonly { at: string }[];
    samples: readonly { at: string }[];
    covariates: readonly { at: string; name: string }[];
  },
): Promise<AcknowledgedEntry[]> {
  const used = (list: readonly { at: string; name?: string }[], at: string, name?: string): boolean =>
    list.some((x) => Date.parse(x.at) === Date.parse(at) && (name === undefined || x.name === name));
  const rows = async (table: 'administrations' | 'samples' | 'covariates') =>
    db
      .selectFrom(table)
      .innerJoin('users', 'users.id', `${table}.created_by`)
      .select([`${table}.at as at`, `${table}.acknowledged as acknowledged`, 'users.display_name as by'])
      .where(`${table}.patient_id`, '=', patientId)
      .where(`${table}.acknowledged`, 'is not', null)
      .execute();
  const covs = await db
    .selectFrom('covariates')
    .innerJoin('users', 'users.id', 'covariates.created_by')
    .select(['covariates.at', 'covariates.name', 'covariates.acknowledged', 'users.display_name as by'])
    .where('covariates.patient_id', '=', patientId)
    .where('covariates.acknowledged', 'is not', null)
    .execute();
  const out: AcknowledgedEntry[] = [];
  const add = (
    kind: AcknowledgedEntry['kind'],
    r: { at: string; by: string; acknowledged?: string | null },
  ) =>
    out.push(
      ...(parseJson<Issue[]>(r.acknowledged ?? null) ?? []).map((issue) => ({
        kind,
        at: r.at,
        by: r.by,
        issue,
      })),
    );
  for (const r of await rows('administrations')) if (used(inputs.administrations, r.at)) add('dose', r);
  for (const r of await rows('samples')) if (used(inputs.samples, r.at)) add('level', r);
  for (const r of covs) if (used(inputs.covariates, r.at, r.name)) add('covariate', r);
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
