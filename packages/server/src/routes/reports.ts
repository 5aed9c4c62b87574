/** The printable report of a validated request, HTML or PDF (services/reports.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import { errorResponses, IdParams, Report, ReportQuery } from '../contract/index.ts';
import { report } from '../services/reports.ts';

export const reportRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/requests/:id/report',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          querystring: ReportQuery,
          response: { 200: Report, ...errorResponses(404, 409, 422, 429, 503) },
        },
      },
      async (req, reply) => {
        const r = await report(ctx, req.user!, req.params.id, req.query, req.headers['accept-language']);
        reply.header('content-type', r.contentType);
        if (r.filename) reply.header('content-disposition', `inline; filename="${r.filename}"`);
        return reply.send(r.body);
      },
    );
  };
