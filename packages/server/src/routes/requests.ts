/** Dose-adjustment requests: submitted by a prescriber, listed, read with their analyses (services/requests.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import {
  errorResponses,
  IdParams,
  NewRequest,
  RequestCreated,
  RequestDetail,
  RequestList,
  RequestQuery,
} from '../contract/index.ts';
import { createRequest, listRequests, requestDetail } from '../services/requests.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;

export const requestRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = ctx.db;

    app.post(
      '/requests',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['workflow'],
          body: NewRequest,
          response: { 201: RequestCreated, ...errorResponses(404, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return createRequest(db, req.user!, req.body);
      },
    );

    app.get(
      '/requests',
      {
        config: { access: CLINICAL },
        schema: { tags: ['workflow'], querystring: RequestQuery, response: { 200: RequestList } },
      },
      async (req) => listRequests(db, req.user!, req.query.status),
    );

    app.get(
      '/requests/:id',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['workflow'],
          params: IdParams,
          response: { 200: RequestDetail, ...errorResponses(404) },
        },
      },
      async (req) => requestDetail(db, req.user!, req.params.id),
    );
  };
