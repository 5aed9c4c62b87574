/** The worklist: patient search by name or hospital number, the request queue's counts (services/worklist.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import { errorResponses, PatientMatches, PatientSearchQuery, RequestCounts } from '../contract/index.ts';
import { requestCounts, searchPatients } from '../services/worklist.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;

export const worklistRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/patients/search',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['patients'],
          querystring: PatientSearchQuery,
          response: { 200: PatientMatches, ...errorResponses(400) },
        },
      },
      async (req) => searchPatients(ctx.db.db, req.user!, req.query.q),
    );
    app.get(
      '/requests/counts',
      { config: { access: CLINICAL }, schema: { tags: ['workflow'], response: { 200: RequestCounts } } },
      async (req) => requestCounts(ctx.db.db, req.user!),
    );
  };
