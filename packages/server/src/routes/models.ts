/** The model library. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ModelList } from '../contract/index.ts';
import { modelList } from '../services/models.ts';

export const modelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/models',
    { config: { access: 'any' }, schema: { tags: ['models'], response: { 200: ModelList } } },
    async () => modelList(),
  );
};
