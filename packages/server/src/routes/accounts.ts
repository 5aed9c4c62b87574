/** Service health, sign-in and sessions, user administration (admin), the audit trail (admin). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_COOKIE } from '../auth.ts';
import type { Ctx } from '../context.ts';
import {
  AuditQuery,
  AuditTrail,
  errorResponses,
  Health,
  IdParams,
  Login,
  NewUser,
  Ok,
  Session,
  SessionUser,
  UserChange,
  UserChanged,
  UserCreated,
  UserList,
} from '../contract/index.ts';
import { auditTrail, changeUser, createUser, listUsers, signIn, signOut } from '../services/accounts.ts';

export const accountRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/health',
      { config: { access: 'public' }, schema: { tags: ['service'], response: { 200: Health } } },
      async () => ({ status: 'ok' as const, database: ctx.db.dialect }),
    );

    app.post(
      '/auth/login',
      {
        config: { access: 'public' },
        schema: {
          tags: ['accounts'],
          security: [],
          body: Login,
          response: { 200: Session, ...errorResponses(401, 429) },
        },
      },
      async (req, reply) => {
        const s = await signIn(ctx, req.body, req.ip);
        const expires = new Date(s.expiresAt).toUTCString();
        reply.header(
          'set-cookie',
          `${SESSION_COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/; Expires=${expires}`,
        );
        return s;
      },
    );

    app.post(
      '/auth/logout',
      { config: { access: 'any' }, schema: { tags: ['accounts'], response: { 200: Ok } } },
      async (req, reply) => {
        reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
        return signOut(ctx, req);
      },
    );

    app.get(
      '/auth/me',
      { config: { access: 'any' }, schema: { tags: ['accounts'], response: { 200: SessionUser } } },
      async (req) => req.user!,
    );

    app.get(
      '/users',
      { config: { access: ['admin'] }, schema: { tags: ['accounts'], response: { 200: UserList } } },
      async () => listUsers(ctx),
    );

    app.post(
      '/users',
      {
        config: { access: ['admin'] },
        schema: { tags: ['accounts'], body: NewUser, response: { 201: UserCreated, ...errorResponses(409) } },
      },
      async (req, reply) => {
        reply.status(201);
        return createUser(ctx, req.user, req.body);
      },
    );

    app.patch(
      '/users/:id',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['accounts'],
          params: IdParams,
          body: UserChange,
          response: { 200: UserChanged, ...errorResponses(404) },
        },
      },
      async (req) => changeUser(ctx, req.user, req.params.id, req.body),
    );

    app.get(
      '/audit',
      {
        config: { access: ['admin'] },
        schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditTrail } },
      },
      async (req) => auditTrail(ctx, req.query),
    );
  };
