/** The issue catalogue: what each code means and what to do, in English and French. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IssueCatalogue } from '../contract/index.ts';
import { issueCatalogue } from '../services/issues.ts';

export const issueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/issues',
    { config: { access: 'any' }, schema: { tags: ['issues'], response: { 200: IssueCatalogue } } },
    async () => issueCatalogue(),
  );
};
