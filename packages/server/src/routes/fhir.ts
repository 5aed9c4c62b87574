/**
 * The hospital's FHIR server: which one the service reads, and a patient's record imported from
 * it (services/fhir-import.ts), and a signed decision written back to it (services/fhir-write-back.ts).
 * The token the service holds for it never leaves the service.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import {
  errorResponses,
  FhirImportBody,
  FhirImportResult,
  FhirServerInfo,
  FhirWriteBackBody,
  FhirWriteBackResult,
  IdParams,
} from '../contract/index.ts';
import { importFromFhir, requireFhir } from '../services/fhir-import.ts';
import { writeBack } from '../services/fhir-write-back.ts';
import { grantedAccess } from '../services/smart-tokens.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;

export const fhirRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/fhir/server',
      { config: { access: CLINICAL }, schema: { tags: ['fhir'], response: { 200: FhirServerInfo } } },
      async () => ({ server: ctx.fhir?.baseUrl.replace(/\/+$/, '') ?? null, smart: !!ctx.smart }),
    );
    app.post(
      '/patients/:id/fhir-import',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['fhir'],
          params: IdParams,
          body: FhirImportBody,
          response: { 200: FhirImportResult, ...errorResponses(404, 409, 422, 502) },
        },
      },
      async (req) => {
        // A patient opened by a SMART launch is read with the token the EHR granted this user.
        const link = await ctx.db.db
          .selectFrom('fhir_patients')
          .selectAll()
          .where('patient_id', '=', req.params.id)
          .executeTakeFirst();
        const granted =
          link && ctx.smart
            ? await grantedAccess(ctx.db.db, ctx.keys, req.user!.id, link.fhir_server, link.fhir_id)
            : null;
        return importFromFhir(
          ctx.db.db,
          req.user!,
          granted || requireFhir(ctx.fhir),
          req.params.id,
          req.body,
        );
      },
    );
    app.post(
      '/requests/:id/fhir-write-back',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['fhir'],
          params: IdParams,
          body: FhirWriteBackBody,
          response: { 200: FhirWriteBackResult, ...errorResponses(404, 409, 422, 429, 502, 503) },
        },
      },
      async (req) => writeBack(ctx, req.user!, req.params.id, req.body),
    );
  };
