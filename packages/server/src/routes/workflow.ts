/**
 * The dose-adjustment workflow: a prescriber submits a request; a pharmacologist runs the
 * analysis (engine: fit + forecast + candidates, stored with the model's id and version and the
 * engine's version) and validates it (accept / modify / reject, signed: user + time + hash of the
 * analysis); the report of a validated request is printable HTML or PDF. A validated analysis is
 * immutable: re-analysing creates a new version referencing the one it supersedes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { convert } from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';
import { Type } from 'typebox';
import { type AnalysisInputs, runAnalysis } from '../analysis.ts';
import type { Ctx } from '../app.ts';
import type { SessionUser } from '../auth.ts';
import { sha256 } from '../auth.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { renderReportHtml, renderReportPdf, type ReportData } from '../report.ts';
import { audit, newId, nowIso, parseJson, patientFor, type Tx } from '../store.ts';
import { ISO_WITH_ZONE } from '../validate.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const strict = { additionalProperties: false } as const;

/** Canonical JSON (sorted keys) for hashing. */
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

async function requestFor(db: Tx, user: SessionUser, id: string, field = 'id') {
  const r = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) reject('DT_NOT_FOUND', field, `no request '${id}'`);
  await patientFor(db, user, r.patient_id, field);
  return r;
}

function analysisOut(a: Database['analyses'], v: Database['validations'] | undefined) {
  return {
    id: a.id,
    requestId: a.request_id,
    patientId: a.patient_id,
    version: a.version,
    supersedes: a.supersedes,
    modelId: a.model_id,
    modelVersion: a.model_version,
    engineVersion: a.engine_version,
    inputs: parseJson(a.inputs),
    fit: parseJson(a.fit),
    forecast: parseJson(a.forecast),
    candidates: parseJson(a.candidates),
    warnings: parseJson(a.warnings),
    hash: a.hash,
    createdAt: a.created_at,
    createdBy: a.created_by,
    validation: v ? validationOut(v) : null,
  };
}

function validationOut(v: Database['validations']) {
  return {
    id: v.id,
    decision: v.decision,
    comment: v.comment,
    regimen: parseJson(v.regimen),
    analysisHash: v.analysis_hash,
    signedBy: v.signed_by,
    signedAt: v.signed_at,
    signature: v.signature,
  };
}

export const workflowRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = ctx.db;

    app.post(
      '/requests',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['workflow'],
          body: Type.Object(
            {
              patientId: Type.String({ maxLength: 64 }),
              modelId: Type.String({ maxLength: 100 }),
              question: Type.String({ maxLength: 2000 }),
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const b = req.body;
        const p = await patientFor(db, user, b.patientId);
        try {
          getModel(b.modelId);
        } catch {
          reject(
            'DT_MODEL_UNKNOWN',
            'modelId',
            `no library model '${b.modelId}'`,
            'GET /api/models lists them',
          );
        }
        const row = {
          id: newId(),
          patient_id: p.id,
          model_id: b.modelId,
          question: b.question,
          status: 'submitted' as const,
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
        reply.status(201);
        return { id: row.id, status: row.status };
      },
    );

    app.get(
      '/requests',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['workflow'],
          querystring: Type.Object(
            {
              status: Type.Optional(
                Type.Union(['submitted', 'analysed', 'validated', 'rejected'].map((s) => Type.Literal(s))),
              ),
            },
            strict,
          ),
        },
      },
      async (req) => {
        const user = req.user!;
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
        if (req.query.status)
          q = q.where('requests.status', '=', req.query.status as Database['requests']['status']);
        return q.execute();
      },
    );

    app.get(
      '/requests/:id',
      { config: { access: CLINICAL }, schema: { tags: ['workflow'], params: IdParams } },
      async (req) => {
        const user = req.user!;
        const r = await requestFor(db, user, req.params.id);
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
        return { ...r, analyses };
      },
    );

    app.post(
      '/requests/:id/analyses',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              {
                targets: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 5 })),
                start: Type.Optional(Type.String({ pattern: ISO_WITH_ZONE })),
              },
              strict,
            ),
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const r = await requestFor(db, user, req.params.id);
        if (r.status === 'rejected')
          reject('DT_CONFLICT', 'id', 'the request was rejected; submit a new one');
        const [administrations, samples, covariates] = await Promise.all([
          db
            .selectFrom('administrations')
            .selectAll()
            .where('patient_id', '=', r.patient_id)
            .orderBy('at_utc')
            .execute(),
          db
            .selectFrom('samples')
            .selectAll()
            .where('patient_id', '=', r.patient_id)
            .orderBy('at_utc')
            .execute(),
          db
            .selectFrom('covariates')
            .selectAll()
            .where('patient_id', '=', r.patient_id)
            .orderBy('at_utc')
            .execute(),
        ]);
        const inputs: AnalysisInputs = {
          patientId: r.patient_id,
          modelId: r.model_id,
          administrations: administrations.map((a) => ({
            at: a.at,
            amount: a.amount,
            unit: a.unit,
            route: a.route as 'oral' | 'bolus' | 'infusion',
            duration: a.duration_value === null ? null : { value: a.duration_value, unit: a.duration_unit! },
            product: a.product,
          })),
          samples: samples.map((s) => ({
            at: s.at,
            value: s.value,
            unit: s.unit,
            matrix: s.matrix,
            assay: s.assay,
            lloq: s.lloq,
          })),
          covariates: covariates.map((c) => ({ at: c.at, name: c.name, value: c.value, unit: c.unit })),
          targets: req.body?.targets ?? [],
          start: req.body?.start ?? null,
        };
        const result = await runAnalysis(inputs);
        const content = {
          inputs: { ...inputs, conversions: result.conversions, start: result.start },
          fit: result.fit,
          forecast: result.forecast,
          candidates: result.candidates,
          warnings: result.warnings,
          model: {
            id: result.modelId,
            version: result.modelVersion,
            citation: result.citation,
            units: result.units,
          },
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
            fit: JSON.stringify({ ...result.fit, model: content.model }),
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
        reply.status(201);
        return analysisOut(row, undefined);
      },
    );

    app.get(
      '/analyses/:id',
      { config: { access: CLINICAL }, schema: { tags: ['workflow'], params: IdParams } },
      async (req) => {
        const user = req.user!;
        const a = await db
          .selectFrom('analyses')
          .selectAll()
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (!a) reject('DT_NOT_FOUND', 'id', `no analysis '${req.params.id}'`);
        await patientFor(db, user, a.patient_id, 'id');
        const v = await db
          .selectFrom('validations')
          .selectAll()
          .where('analysis_id', '=', a.id)
          .executeTakeFirst();
        await audit(db, {
          user,
          action: 'read',
          entity: 'analysis',
          entityId: a.id,
          patientId: a.patient_id,
        });
        return analysisOut(a, v);
      },
    );

    app.post(
      '/analyses/:id/validations',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          body: Type.Object(
            {
              decision: Type.Union([Type.Literal('accept'), Type.Literal('modify'), Type.Literal('reject')]),
              comment: Type.String({ maxLength: 4000 }),
              /** accept: rank of the chosen candidate (default 1). */
              candidate: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
              /** modify: the regimen retained instead. */
              regimen: Type.Optional(
                Type.Object(
                  {
                    dose: Type.Number({ exclusiveMinimum: 0 }),
                    doseUnit: Type.String({ maxLength: 20 }),
                    interval: Type.Number({ exclusiveMinimum: 0 }),
                    intervalUnit: Type.String({ maxLength: 20 }),
                    route: Type.Union([
                      Type.Literal('oral'),
                      Type.Literal('bolus'),
                      Type.Literal('infusion'),
                    ]),
                    duration: Type.Optional(Type.Number({ minimum: 0 })),
                  },
                  strict,
                ),
              ),
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const b = req.body;
        const out = await db.transaction().execute(async (trx) => {
          if (ctx.db.dialect === 'postgres')
            await trx
              .selectFrom('analyses')
              .select('id')
              .where('id', '=', req.params.id)
              .forUpdate()
              .execute();
          const a = await trx
            .selectFrom('analyses')
            .selectAll()
            .where('id', '=', req.params.id)
            .executeTakeFirst();
          if (!a) reject('DT_NOT_FOUND', 'id', `no analysis '${req.params.id}'`);
          await patientFor(trx, user, a.patient_id, 'id');
          const existing = await trx
            .selectFrom('validations')
            .select('id')
            .where('analysis_id', '=', a.id)
            .executeTakeFirst();
          if (existing)
            reject(
              'DT_IMMUTABLE',
              'id',
              'this analysis is already signed; re-analyse to create a new version',
            );
          const newer = await trx
            .selectFrom('analyses')
            .select('id')
            .where('request_id', '=', a.request_id)
            .where('version', '>', a.version)
            .executeTakeFirst();
          if (newer)
            reject('DT_CONFLICT', 'id', 'a newer version of this analysis exists; validate that one');
          let regimen: unknown = null;
          if (b.decision === 'accept') {
            if (b.regimen)
              reject('DT_REQUEST', 'regimen', "'accept' takes a candidate rank, not a regimen; use 'modify'");
            const cands = parseJson<{ rank: number }[]>(a.candidates) ?? [];
            const chosen = cands.find((c) => c.rank === (b.candidate ?? 1));
            if (!chosen)
              reject(
                'DT_REQUEST',
                'candidate',
                `no candidate of rank ${b.candidate ?? 1} (there are ${cands.length})`,
              );
            regimen = chosen;
          } else if (b.decision === 'modify') {
            if (!b.regimen) reject('DT_REQUEST', 'regimen', "'modify' needs the regimen retained");
            convert(1, b.regimen.doseUnit, 'mg', 'regimen.doseUnit');
            convert(1, b.regimen.intervalUnit, 'h', 'regimen.intervalUnit');
            regimen = b.regimen;
          } else if (b.candidate !== undefined || b.regimen) {
            reject('DT_REQUEST', 'decision', "'reject' takes neither candidate nor regimen");
          }
          if (b.decision !== 'accept' && !b.comment.trim())
            reject('DT_REQUEST', 'comment', `a '${b.decision}' decision needs a comment saying why`);
          const signedAt = nowIso();
          const regimenJson = regimen === null ? null : JSON.stringify(regimen);
          const v: Database['validations'] = {
            id: newId(),
            analysis_id: a.id,
            request_id: a.request_id,
            decision: b.decision,
            comment: b.comment,
            regimen: regimenJson,
            analysis_hash: a.hash,
            signed_by: user.id,
            signed_at: signedAt,
            signature: sha256(
              [a.hash, user.id, signedAt, b.decision, regimenJson ?? '', b.comment].join('|'),
            ),
          };
          await trx.insertInto('validations').values(v).execute();
          const status = b.decision === 'reject' ? 'rejected' : 'validated';
          await trx.updateTable('requests').set({ status }).where('id', '=', a.request_id).execute();
          await audit(trx, {
            user,
            action: 'validate',
            entity: 'validation',
            entityId: v.id,
            patientId: a.patient_id,
            before: { requestStatus: 'analysed' },
            after: { ...validationOut(v), requestStatus: status },
          });
          return v;
        });
        reply.status(201);
        return validationOut(out);
      },
    );

    app.get(
      '/requests/:id/report',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          querystring: Type.Object(
            {
              format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('pdf')])),
              identity: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const r = await requestFor(db, user, req.params.id);
        const row = await db
          .selectFrom('validations')
          .innerJoin('analyses', 'analyses.id', 'validations.analysis_id')
          .innerJoin('users', 'users.id', 'validations.signed_by')
          .selectAll('validations')
          .select(['users.display_name as signer', 'analyses.id as aid'])
          .where('validations.request_id', '=', r.id)
          .orderBy('validations.signed_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!row) reject('DT_CONFLICT', 'id', 'the request has no validated analysis yet');
        const a = (await db
          .selectFrom('analyses')
          .selectAll()
          .where('id', '=', row.aid)
          .executeTakeFirstOrThrow())!;
        const p = (await db
          .selectFrom('patients')
          .selectAll()
          .where('id', '=', r.patient_id)
          .executeTakeFirstOrThrow())!;
        const identity =
          req.query.identity === 'true'
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
        const data: ReportData = {
          request: {
            id: r.id,
            question: r.question,
            createdAt: r.created_at,
            requester: requester?.display_name ?? r.created_by,
          },
          patient: { pseudonym: p.pseudonym, sex: p.sex, service: p.service },
          identity: identity
            ? {
                name: `${identity.family_name}, ${identity.given_name}`,
                birthDate: identity.birth_date,
                hospitalNumber: identity.hospital_number,
              }
            : null,
          analysis: analysisOut(a, undefined) as ReportData['analysis'],
          validation: { ...validationOut(row), signer: row.signer },
        };
        await audit(db, {
          user,
          action: 'read',
          entity: identity ? 'report+identity' : 'report',
          entityId: r.id,
          patientId: r.patient_id,
        });
        if (req.query.format === 'pdf') {
          reply.header('content-type', 'application/pdf');
          reply.header(
            'content-disposition',
            `inline; filename="dosetwin-${p.pseudonym}-${r.id.slice(0, 8)}.pdf"`,
          );
          return reply.send(renderReportPdf(data));
        }
        reply.header('content-type', 'text/html; charset=utf-8');
        return reply.send(renderReportHtml(data));
      },
    );
  };
