/** The audit trail and the record's integrity, for the auditor (audit/trail.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditIntegrity, auditTrail } from '../audit/trail.ts';
import type { Ctx } from '../context.ts';
import { AuditIntegrity, AuditPage, AuditQuery, errorResponses } from '../contract/index.ts';

export const auditRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/audit',
      {
        config: { access: ['auditor'] },
        schema: {
          tags: ['audit'],
          querystring: AuditQuery,
          response: { 200: AuditPage, ...errorResponses(422) },
        },
      },
      async (req) => auditTrail(ctx.db, req.user!, req.query),
    );

    app.get(
      '/audit/integrity',
      { config: { access: ['auditor'] }, schema: { tags: ['audit'], response: { 200: AuditIntegrity } } },
      async (req) => auditIntegrity(ctx.db, req.user!),
    );
  };
