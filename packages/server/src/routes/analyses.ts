/**
 * Analyses and their validation: a pharmacologist runs the engine on a request (a new version
 * each time) and signs a decision on the latest version (services/analyses.ts,
 * services/validations.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../context.ts';
import {
  Analysis,
  AnalysisOptions,
  errorResponses,
  IdParams,
  NewValidation,
  Validation,
} from '../contract/index.ts';
import { analyse, getAnalysis } from '../services/analyses.ts';
import { validate } from '../services/validations.ts';

export const analysisRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/requests/:id/analyses',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          body: Type.Optional(AnalysisOptions),
          response: { 201: Analysis, ...errorResponses(404, 409, 422, 429, 503) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return analyse(ctx, req.user!, req.params.id, req.body);
      },
    );

    app.get(
      '/analyses/:id',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: { tags: ['workflow'], params: IdParams, response: { 200: Analysis, ...errorResponses(404) } },
      },
      async (req) => getAnalysis(ctx.db.db, ctx.keys, req.user!, req.params.id),
    );

    app.post(
      '/analyses/:id/validations',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          body: NewValidation,
          response: { 201: Validation, ...errorResponses(404, 409, 422, 429, 503) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return validate(ctx, req.user!, req.params.id, req.body);
      },
    );
  };
