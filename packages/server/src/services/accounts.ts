/**
 * Accounts: sign-in (audited), user administration (an admin creates, changes, deactivates;
 * deactivation and a new password end the user's sessions) and the audit trail.
 */
import type { FastifyRequest } from 'fastify';
import { hashPassword, login, logout, type SessionUser } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type {
  AuditEntry,
  AuditQuery,
  Login,
  NewUser,
  Session,
  User,
  UserChange,
  UserChanged,
  UserCreated,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso, parseJson } from '../store.ts';

export async function signIn(ctx: Ctx, b: Login, ip: string): Promise<Session> {
  const s = await login(ctx.db.db, ctx.limiter, b.username, b.password, ip);
  await audit(ctx.db.db, { user: s.user, action: 'login', entity: 'session', entityId: null });
  return s;
}

export async function signOut(ctx: Ctx, req: FastifyRequest): Promise<{ ok: true }> {
  await logout(ctx.db.db, req);
  await audit(ctx.db.db, { user: req.user, action: 'logout', entity: 'session', entityId: null });
  return { ok: true };
}

export async function listUsers(ctx: Ctx): Promise<User[]> {
  const rows = await ctx.db.db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'service', 'active', 'created_at'])
    .orderBy('username')
    .execute();
  return rows.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    service: u.service,
    active: u.active === 1,
    createdAt: u.created_at,
  }));
}

export async function createUser(ctx: Ctx, by: SessionUser | null, b: NewUser): Promise<UserCreated> {
  const row: Database['users'] = {
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
    await ctx.db.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(row).execute();
      const { password_hash: _h, ...safe } = row;
      await audit(trx, { user: by, action: 'create', entity: 'user', entityId: row.id, after: safe });
    });
  } catch (e) {
    if (isUniqueViolation(e)) reject('DT_DUPLICATE', 'username', `user '${b.username}' exists`);
    throw e;
  }
  return { id: row.id, username: row.username, role: row.role, service: row.service };
}

export async function changeUser(
  ctx: Ctx,
  by: SessionUser | null,
  id: string,
  b: UserChange,
): Promise<UserChanged> {
  return ctx.db.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('users')
      .select(['id', 'username', 'role', 'service', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) reject('DT_NOT_FOUND', 'id', `no user '${id}'`);
    const set: Partial<Pick<Database['users'], 'active' | 'role' | 'service' | 'password_hash'>> = {};
    if (b.active !== undefined) set.active = b.active ? 1 : 0;
    if (b.role !== undefined) set.role = b.role;
    if (b.service !== undefined) set.service = b.service;
    if (b.password !== undefined) set.password_hash = await hashPassword(b.password, ctx.scrypt);
    await trx.updateTable('users').set(set).where('id', '=', before.id).execute();
    if (b.active === false || b.password !== undefined)
      await trx.deleteFrom('sessions').where('user_id', '=', before.id).execute();
    const after = { ...before, ...set, password_hash: undefined, passwordChanged: b.password !== undefined };
    await audit(trx, { user: by, action: 'update', entity: 'user', entityId: before.id, before, after });
    return { id: before.id, ok: true as const };
  });
}

export async function auditTrail(ctx: Ctx, q: AuditQuery): Promise<AuditEntry[]> {
  let sel = ctx.db.db
    .selectFrom('audit')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Number(q.limit ?? 200));
  if (q.patientId) sel = sel.where('patient_id', '=', q.patientId);
  return (await sel.execute()).map((a) => ({
    id: a.id,
    at: a.at,
    userId: a.user_id,
    action: a.action,
    entity: a.entity,
    entityId: a.entity_id,
    patientId: a.patient_id,
    before: parseJson(a.before),
    after: parseJson(a.after),
  }));
}
