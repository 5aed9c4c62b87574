/**
 * Sign-in and sessions. An attempt is counted before the password is checked (throttle.ts); an
 * unknown user costs the same scrypt as a known one; a user with a second factor gives its TOTP
 * code too (each code once); a hash made with older scrypt parameters is replaced. Every refusal
 * is audited (by user id when the user exists, never with the password or the typed name).
 */
import type { FastifyRequest } from 'fastify';
import {
  createSession,
  dummyHash,
  hashPassword,
  needsRehash,
  pendingOf,
  type SessionUser,
  toSessionUser,
  verifyPassword,
} from '../auth.ts';
import type { Ctx } from '../context.ts';
import type { Login, Session, SessionInfo, SessionUser as Me } from '../contract/index.ts';
import type { UserRow } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, type Tx } from '../store.ts';
import { revokeGrants } from './smart-tokens.ts';
import { claimAttempt, clearAttempts, throttleKey } from '../throttle.ts';
import { totpStep } from '../totp.ts';

export interface Client {
  address: string;
  agent: string;
}

export const clientOf = (req: FastifyRequest): Client => ({
  address: req.ip,
  agent: String(req.headers['user-agent'] ?? ''),
});

/** The signed-in user as the contract gives it: what is pending, the second factor, a reset to tell. */
export async function me(db: Tx, ctx: Ctx, row: UserRow): Promise<Me> {
  let passwordReset: Me['passwordReset'] = null;
  if (row.must_change_password === 1 && row.password_reset_at) {
    const by = row.password_reset_by
      ? await db
          .selectFrom('users')
          .select('display_name')
          .where('id', '=', row.password_reset_by)
          .executeTakeFirst()
      : undefined;
    passwordReset = {
      at: row.password_reset_at,
      by: by?.display_name ?? 'the command line (dosetwin admin)',
    };
  }
  return {
    ...toSessionUser(row),
    pending: pendingOf(row, ctx.auth),
    totpEnabled: row.totp_secret !== null,
    passwordReset,
  };
}

export async function userRow(db: Tx, id: string): Promise<UserRow> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Check a user's TOTP code and consume its time step (a code is accepted once, even by two
 * requests at the same time). False when it is wrong, stale or already used.
 */
export async function consumeTotp(ctx: Ctx, row: UserRow, code: string): Promise<boolean> {
  if (!row.totp_secret) return false;
  const step = await totpStep(ctx.keys.open(row.totp_secret), code, row.totp_last_step);
  if (step === null) return false;
  const r = await ctx.db.db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', row.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

async function failed(ctx: Ctx, userId: string | null, reason: string, scope = 'session'): Promise<void> {
  await audit(ctx.db.db, {
    user: null,
    action: 'login-failed',
    entity: scope,
    entityId: userId,
    after: { reason },
  });
}

export async function signIn(
  ctx: Ctx,
  b: Login,
  client: Client,
): Promise<{ token: string; session: Session }> {
  const db = ctx.db.db;
  const key = throttleKey('login', b.username, client.address);
  const claim = await claimAttempt(db, ctx.db.dialect, key, ctx.auth.loginAttempts);
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', b.username.toLowerCase())
    .executeTakeFirst();
  if (!claim.ok) {
    await failed(ctx, row?.id ?? null, 'waiting');
    reject(
      'DT_RATE_LIMIT',
      'username',
      `too many failed sign-ins for this user from this address; try again in ${claim.retryAfterS} s`,
    );
  }
  const ok = row
    ? await verifyPassword(b.password, row.password_hash)
    : (await verifyPassword(b.password, await dummyHash(ctx.scrypt))) && false;
  if (!row || !ok || row.active !== 1) {
    await failed(ctx, row?.id ?? null, !row ? 'unknown user' : !ok ? 'password' : 'inactive');
    reject('DT_AUTH_FAILED', 'password', 'unknown user or wrong password');
  }
  let mfa = false;
  if (row.totp_secret) {
    if (!b.code) {
      await failed(ctx, row.id, 'code missing');
      reject('DT_AUTH_CODE', 'code', 'enter the 6-digit code of your authenticator app');
    }
    if (!(await consumeTotp(ctx, row, b.code.trim()))) {
      await failed(ctx, row.id, 'code');
      reject('DT_AUTH_CODE', 'code', 'wrong or already used code; enter the code now shown');
    }
    mfa = true;
  }
  await clearAttempts(db, key);
  if (needsRehash(row.password_hash, ctx.scrypt))
    await db
      .updateTable('users')
      .set({ password_hash: await hashPassword(b.password, ctx.scrypt) })
      .where('id', '=', row.id)
      .execute();
  const s = await createSession(db, ctx.auth, row.id, { ...client, mfa });
  await audit(db, {
    user: toSessionUser(row),
    action: 'login',
    entity: 'session',
    entityId: s.id,
    after: { secondFactor: mfa },
  });
  return {
    token: s.token,
    session: { user: await me(db, ctx, row), expiresAt: s.expiresAt, idleMinutes: ctx.auth.idleMinutes },
  };
}

export async function signOut(ctx: Ctx, user: SessionUser, sessionId: string): Promise<{ ok: true }> {
  await ctx.db.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  // Signing out ends the access the EHRs granted at SMART launches too.
  const grants = await revokeGrants(ctx.db.db, ctx.keys, user.id);
  await audit(ctx.db.db, {
    user,
    action: 'logout',
    entity: 'session',
    entityId: sessionId,
    ...(grants ? { after: { smartGrantsRevoked: grants } } : {}),
  });
  return { ok: true };
}

export async function listSessions(ctx: Ctx, user: SessionUser, currentId: string): Promise<SessionInfo[]> {
  const now = new Date();
  const rows = await ctx.db.db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('expires_at', '>', now.toISOString())
    .where('last_seen_at', '>', new Date(now.getTime() - ctx.auth.idleMinutes * 60_000).toISOString())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((s) => ({
    id: s.id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    expiresAt: s.expires_at,
    address: s.address,
    agent: s.agent,
    secondFactor: s.mfa === 1,
    current: s.id === currentId,
  }));
}

/** End one of your own sessions (another user's is 'not found', as if it did not exist). */
export async function revokeSession(ctx: Ctx, user: SessionUser, id: string): Promise<{ ok: true }> {
  const r = await ctx.db.db
    .deleteFrom('sessions')
    .where('id', '=', id)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (Number(r.numDeletedRows) !== 1) reject('DT_NOT_FOUND', 'id', `you have no session '${id}'`);
  await audit(ctx.db.db, {
    user,
    action: 'logout',
    entity: 'session',
    entityId: id,
    after: { revoked: true },
  });
  return { ok: true };
}
