/**
 * Service health; sign-in, sessions and the signed-in user's own credentials (password, second
 * factor, sessions); user administration (admin). The audit trail is the auditor's (routes/audit.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sessionCookie } from '../auth.ts';
import type { Ctx } from '../context.ts';
import {
  errorResponses,
  Health,
  IdParams,
  Login,
  NewUser,
  Ok,
  PasswordChange,
  PasswordReset,
  Session,
  SessionList,
  SessionUser,
  TotpConfirm,
  TotpEnrolment,
  TotpStart,
  UserChange,
  UserChanged,
  UserCreated,
  UserList,
} from '../contract/index.ts';
import { changeUser, createUser, listUsers } from '../services/accounts.ts';
import { changePassword, confirmTotp, resetPassword, startTotp } from '../services/credentials.ts';
import { clientOf, listSessions, me, revokeSession, signIn, signOut, userRow } from '../services/sessions.ts';

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
        const { token, session } = await signIn(ctx, req.body, clientOf(req));
        reply.header('set-cookie', sessionCookie(ctx.auth, token, session.expiresAt));
        return session;
      },
    );

    // Every route below serves a user who must still change a one-time password or enrol TOTP.
    const mine = { access: 'any', pending: true } as const;

    app.post(
      '/auth/logout',
      { config: mine, schema: { tags: ['accounts'], response: { 200: Ok } } },
      async (req, reply) => {
        reply.header('set-cookie', sessionCookie(ctx.auth, null));
        return signOut(ctx, req.user!, req.session!.id);
      },
    );

    app.get(
      '/auth/me',
      { config: mine, schema: { tags: ['accounts'], response: { 200: SessionUser } } },
      async (req) => me(ctx.db.db, ctx, await userRow(ctx.db.db, req.user!.id)),
    );

    app.post(
      '/auth/password',
      {
        config: mine,
        schema: {
          tags: ['accounts'],
          body: PasswordChange,
          response: { 200: Ok, ...errorResponses(403, 422, 429) },
        },
      },
      async (req) => changePassword(ctx, req.user!, req.session!.id, req.body),
    );

    app.post(
      '/auth/totp',
      {
        config: mine,
        schema: {
          tags: ['accounts'],
          body: TotpStart,
          response: { 200: TotpEnrolment, ...errorResponses(403, 429) },
        },
      },
      async (req) => startTotp(ctx, req.user!, req.body),
    );

    app.post(
      '/auth/totp/confirm',
      {
        config: mine,
        schema: {
          tags: ['accounts'],
          body: TotpConfirm,
          response: { 200: Ok, ...errorResponses(401, 409, 429) },
        },
      },
      async (req) => confirmTotp(ctx, req.user!, req.session!.id, req.body),
    );

    app.get(
      '/auth/sessions',
      { config: { access: 'any' }, schema: { tags: ['accounts'], response: { 200: SessionList } } },
      async (req) => listSessions(ctx, req.user!, req.session!.id),
    );

    app.delete(
      '/auth/sessions/:id',
      {
        config: { access: 'any' },
        schema: { tags: ['accounts'], params: IdParams, response: { 200: Ok, ...errorResponses(404) } },
      },
      async (req) => revokeSession(ctx, req.user!, req.params.id),
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
        schema: {
          tags: ['accounts'],
          body: NewUser,
          response: { 201: UserCreated, ...errorResponses(409, 422) },
        },
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
          response: { 200: UserChanged, ...errorResponses(404, 409) },
        },
      },
      async (req) => changeUser(ctx, req.user, req.params.id, req.body),
    );

    app.post(
      '/users/:id/password-reset',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['accounts'],
          params: IdParams,
          response: { 200: PasswordReset, ...errorResponses(404) },
        },
      },
      async (req) => resetPassword(ctx.db.db, ctx.scrypt, req.user, req.params.id),
    );
  };
