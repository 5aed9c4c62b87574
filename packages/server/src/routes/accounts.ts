/** Sign-in, sessions, user administration (admin), the model list, and the audit trail (admin). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listModels } from '@dosetwin/models';
import { Type } from 'typebox';
import { hashPassword, login, logout, ROLES, SESSION_COOKIE } from '../auth.ts';
import type { Ctx } from '../app.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso } from '../store.ts';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Password = Type.String({ minLength: 12, maxLength: 200 });

export const accountRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = ctx.db;

    app.get('/health', { config: { access: 'public' }, schema: { tags: ['service'] } }, async () => ({
      status: 'ok',
      database: ctx.db.dialect,
    }));

    app.post(
      '/auth/login',
      {
        config: { access: 'public' },
        schema: {
          tags: ['accounts'],
          security: [],
          body: Type.Object(
            {
              username: Type.String({ minLength: 1, maxLength: 100 }),
              password: Type.String({ maxLength: 200 }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const r = await login(db, ctx.limiter, req.body.username, req.body.password, req.ip);
        await audit(db, { user: r.user, action: 'login', entity: 'session', entityId: null });
        reply.header(
          'set-cookie',
          `${SESSION_COOKIE}=${r.token}; HttpOnly; SameSite=Strict; Path=/; Expires=${new Date(r.expiresAt).toUTCString()}`,
        );
        return r;
      },
    );

    app.post(
      '/auth/logout',
      { config: { access: 'any' }, schema: { tags: ['accounts'] } },
      async (req, reply) => {
        await logout(db, req);
        await audit(db, { user: req.user, action: 'logout', entity: 'session', entityId: null });
        reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
        return { ok: true };
      },
    );

    app.get(
      '/auth/me',
      { config: { access: 'any' }, schema: { tags: ['accounts'] } },
      async (req) => req.user,
    );

    app.get('/users', { config: { access: ['admin'] }, schema: { tags: ['accounts'] } }, async () =>
      (
        await db
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'role', 'service', 'active', 'created_at'])
          .orderBy('username')
          .execute()
      ).map((u) => ({ ...u, active: u.active === 1 })),
    );

    app.post(
      '/users',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['accounts'],
          body: Type.Object(
            {
              username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
              displayName: Type.String({ minLength: 1, maxLength: 200 }),
              password: Password,
              role: Role,
              service: Type.String({ minLength: 1, maxLength: 100 }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const b = req.body;
        const row = {
          id: newId(),
          username: b.username,
          display_name: b.displayName,
          password_hash: await hashPassword(b.password, ctx.scrypt),
          role: b.role,
          service: b.service,
          active: 1,
          created_at: nowIso(),
        };
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('users').values(row).execute();
            const { password_hash: _h, ...safe } = row;
            await audit(trx, {
              user: req.user,
              action: 'create',
              entity: 'user',
              entityId: row.id,
              after: safe,
            });
          });
        } catch (e) {
          if (isUniqueViolation(e)) reject('DT_DUPLICATE', 'username', `user '${b.username}' exists`);
          throw e;
        }
        reply.status(201);
        return { id: row.id, username: row.username, role: row.role, service: row.service };
      },
    );

    app.patch(
      '/users/:id',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['accounts'],
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          body: Type.Object(
            {
              active: Type.Optional(Type.Boolean()),
              role: Type.Optional(Role),
              service: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              password: Type.Optional(Password),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (req) => {
        const b = req.body;
        return db.transaction().execute(async (trx) => {
          const before = await trx
            .selectFrom('users')
            .select(['id', 'username', 'role', 'service', 'active'])
            .where('id', '=', req.params.id)
            .executeTakeFirst();
          if (!before) reject('DT_NOT_FOUND', 'id', `no user '${req.params.id}'`);
          const set: Partial<{
            active: number;
            role: (typeof b)['role'];
            service: string;
            password_hash: string;
          }> = {};
          if (b.active !== undefined) set.active = b.active ? 1 : 0;
          if (b.role !== undefined) set.role = b.role;
          if (b.service !== undefined) set.service = b.service;
          if (b.password !== undefined) set.password_hash = await hashPassword(b.password, ctx.scrypt);
          await trx.updateTable('users').set(set).where('id', '=', before.id).execute();
          if (b.active === false || b.password !== undefined)
            await trx.deleteFrom('sessions').where('user_id', '=', before.id).execute();
          const after = {
            ...before,
            ...set,
            password_hash: undefined,
            passwordChanged: b.password !== undefined,
          };
          await audit(trx, {
            user: req.user,
            action: 'update',
            entity: 'user',
            entityId: before.id,
            before,
            after,
          });
          return { id: before.id, ok: true };
        });
      },
    );

    app.get('/models', { config: { access: 'any' }, schema: { tags: ['models'] } }, async () =>
      listModels().map((m) => ({
        id: m.id,
        version: m.ir.version,
        drug: m.ir.drug,
        citation: m.ir.citation?.text ?? null,
        units: m.ir.units,
        covariates: m.ir.covariates.map((c) => ({ name: c.name, unit: c.unit, label: c.label })),
        targets: m.ir.targets,
        status: m.verification.status,
      })),
    );

    app.get(
      '/audit',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['audit'],
          querystring: Type.Object(
            {
              patientId: Type.Optional(Type.String({ maxLength: 64 })),
              limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        let q = db
          .selectFrom('audit')
          .selectAll()
          .orderBy('id', 'desc')
          .limit(Number(req.query.limit ?? 200));
        if (req.query.patientId) q = q.where('patient_id', '=', req.query.patientId);
        return (await q.execute()).map((a) => ({
          ...a,
          before: a.before === null ? null : JSON.parse(a.before),
          after: a.after === null ? null : JSON.parse(a.after),
        }));
      },
    );
  };
