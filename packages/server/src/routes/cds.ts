/**
 * CDS Hooks: the discovery document and the hook calls (services/cds.ts), at the paths the
 * specification fixes (`/cds-services`, `/cds-services/{id}`). Registered only when the service
 * knows its CDS clients (their keys); a call proves its client by a signed JWT, not a session.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import { CdsDiscovery, CdsParams, CdsRequest, CdsResponse, errorResponses } from '../contract/index.ts';
import { answerHook, cdsDiscovery, type CdsConfig } from '../services/cds.ts';

export const cdsRoutes =
  (ctx: Ctx, config: CdsConfig): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/cds-services',
      { config: { access: 'public' }, schema: { tags: ['cds-hooks'], response: { 200: CdsDiscovery } } },
      async () => cdsDiscovery(),
    );
    app.post(
      '/cds-services/:id',
      {
        config: { access: 'public' },
        schema: {
          tags: ['cds-hooks'],
          params: CdsParams,
          body: CdsRequest,
          response: { 200: CdsResponse, ...errorResponses(400, 401, 404, 422, 429, 502, 503) },
        },
      },
      async (req) =>
        answerHook(
          config,
          ctx.analyses,
          req.params.id,
          req.headers.authorization,
          req.body,
          /^fr\b/i.test(req.headers['accept-language'] ?? '') ? 'fr' : 'en',
        ),
    );
  };
