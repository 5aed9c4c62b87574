/**
 * Local versions of library models: proposed by a pharmacologist, approved or rejected by another,
 * retired (services/local-models.ts). Anyone clinical may ask to decide: the service answers a
 * prescriber's attempt with DT_LOCAL_MODEL_APPROVER rather than a bare refusal.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../context.ts';
import {
  errorResponses,
  IdParams,
  LocalModel,
  LocalModelDecision,
  LocalModelIr,
  LocalModelQuery,
  LocalModelRetirement,
  LocalModelSummary,
  NewLocalModel,
} from '../contract/index.ts';
import {
  decideLocalModel,
  getLocalModel,
  getLocalModelIr,
  listLocalModels,
  proposeLocalModel,
  retireLocalModel,
} from '../services/local-models.ts';

export const localModelRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/local-models',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['local-models'],
          body: NewLocalModel,
          response: { 201: LocalModel, ...errorResponses(404, 409, 422, 429, 503) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return proposeLocalModel(ctx, req.user!, req.body);
      },
    );

    app.get(
      '/local-models',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: {
          tags: ['local-models'],
          querystring: LocalModelQuery,
          response: {
            200: Type.Array(LocalModelSummary, { description: 'the local versions, latest first per model' }),
          },
        },
      },
      async (req) => listLocalModels(ctx, req.query.modelId),
    );

    app.get(
      '/local-models/:id',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: {
          tags: ['local-models'],
          params: IdParams,
          response: { 200: LocalModel, ...errorResponses(404) },
        },
      },
      async (req) => getLocalModel(ctx, req.user!, req.params.id),
    );

    app.get(
      '/local-models/:id/model',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: {
          tags: ['local-models'],
          params: IdParams,
          response: { 200: LocalModelIr, ...errorResponses(404) },
        },
      },
      async (req) => getLocalModelIr(ctx, req.params.id),
    );

    app.post(
      '/local-models/:id/decisions',
      {
        config: { access: ['prescriber', 'pharmacologist'] },
        schema: {
          tags: ['local-models'],
          params: IdParams,
          body: LocalModelDecision,
          response: { 200: LocalModel, ...errorResponses(403, 404, 409, 422, 429) },
        },
      },
      async (req) => decideLocalModel(ctx, req.user!, req.params.id, req.body),
    );

    app.post(
      '/local-models/:id/retirement',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['local-models'],
          params: IdParams,
          body: LocalModelRetirement,
          response: { 200: LocalModel, ...errorResponses(403, 404, 409, 422, 429) },
        },
      },
      async (req) => retireLocalModel(ctx, req.user!, req.params.id, req.body),
    );
  };
