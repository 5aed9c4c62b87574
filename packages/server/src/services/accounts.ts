/**
 * Accounts: user administration (an admin creates, changes, deactivates; deactivation ends the
 * user's sessions; the last active administrator stays one). A new account's
 * password is a one-time password, changed at the first sign-in.
 */
import type { SessionUser } from '../auth.ts';
import { hashPassword } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type { NewUser, User, UserChange, UserChanged, UserCreated } from '../contract/index.ts';
import type { UserRow } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso } from '../store.ts';
import { checkPassword, oneTimePassword } from './credentials.ts';

export async function listUsers(ctx: Ctx): Promise<User[]> {
  const rows = await ctx.db.db.selectFrom('users').selectAll().orderBy('username').execute();
  return rows.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    service: u.service,
    active: u.active === 1,
    createdAt: u.created_at,
    mustChangePassword: u.must_change_password === 1,
    totpEnabled: u.totp_secret !== null,
  }));
}

export async function createUser(ctx: Ctx, by: SessionUser | null, b: NewUser): Promise<UserCreated> {
  if (b.password !== undefined) checkPassword(b.password, b.username);
  const password = b.password ?? oneTimePassword();
  const row = {
    id: newId(),
    username: b.username,
    display_name: b.displayName,
    password_hash: await hashPassword(password, ctx.scrypt),
    role: b.role,
    service: b.service,
    active: 1,
    created_at: nowIso(),
    must_change_password: 1,
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
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    service: row.service,
    oneTimePassword: b.password === undefined ? password : null,
  };
}

export async function changeUser(
  ctx: Ctx,
  by: SessionUser | null,
  id: string,
  b: UserChange,
): Promise<UserChanged> {
  return ctx.db.db.transaction().execute(async (trx) => {
    // The administrators' rows are read (locked on PostgreSQL) first: two administrators cannot
    // each remove the other and leave none.
    let admins = trx.selectFrom('users').select(['id']).where('role', '=', 'admin').where('active', '=', 1);
    if (ctx.db.dialect === 'postgres') admins = admins.forUpdate();
    const activeAdmins = (await admins.execute()).map((a) => a.id);
    const before = await trx
      .selectFrom('users')
      .select(['id', 'username', 'role', 'service', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) reject('DT_NOT_FOUND', 'id', `no user '${id}'`);
    const leavesAdmins = b.active === false || (b.role !== undefined && b.role !== 'admin');
    if (leavesAdmins && activeAdmins.length === 1 && activeAdmins[0] === before.id)
      reject(
        'DT_LAST_ADMIN',
        b.active === false ? 'active' : 'role',
        `${before.username} is the last active administrator: make another administrator first`,
      );
    const set: Partial<Pick<UserRow, 'active' | 'role' | 'service'>> = {};
    if (b.active !== undefined) set.active = b.active ? 1 : 0;
    if (b.role !== undefined) set.role = b.role;
    if (b.service !== undefined) set.service = b.service;
    await trx.updateTable('users').set(set).where('id', '=', before.id).execute();
    if (b.active === false) await trx.deleteFrom('sessions').where('user_id', '=', before.id).execute();
    const after = { ...before, ...set };
    await audit(trx, { user: by, action: 'update', entity: 'user', entityId: before.id, before, after });
    return { id: before.id, ok: true as const };
  });
}
