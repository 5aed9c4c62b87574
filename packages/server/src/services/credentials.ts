/**
 * Credentials: a user changes their own password with the current one (and must, when it is a
 * one-time password); enrols a TOTP second factor (a new secret confirmed by a code from it); an
 * administrator, or `dosetwin admin reset-password` at the server, resets a password to a one-time
 * password, which ends the user's sessions, keeps their second factor (only the command line may
 * remove it, for a lost device) and is told to the user at the next sign-in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { DEFAULT_SCRYPT, hashPassword, type ScryptCost, type SessionUser, verifyPassword } from '../auth.ts';
import type { Ctx } from '../context.ts';
import type { PasswordChange, TotpConfirm, TotpEnrolment, TotpStart } from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { passwordProblem } from '../password-policy.ts';
import { audit, nowIso } from '../store.ts';
import { claimAttempt, clearAttempts, throttleKey } from '../throttle.ts';
import { newTotpSecret, totpStep, totpUri } from '../totp.ts';
import { consumeTotp, userRow } from './sessions.ts';

/** A one-time password: 16 random bytes, base64url (22 characters). */
export const oneTimePassword = (): string => randomBytes(16).toString('base64url');

/** Refuse a password the policy does not allow, naming the field. */
export function checkPassword(password: string, username: string, field = 'password'): void {
  const problem = passwordProblem(password, username);
  if (problem) reject('DT_PASSWORD_POLICY', field, problem);
}

/**
 * Check the signed-in user's password again (a sensitive change, a signature), with the same
 * limiter as the sign-in: each (user, purpose) has the sign-in's free attempts, then waits.
 */
export async function reauthenticate(
  ctx: Ctx,
  user: SessionUser,
  password: string,
  purpose: string,
  field: string,
): Promise<void> {
  const key = throttleKey(purpose, user.id, '');
  const claim = await claimAttempt(ctx.db.db, ctx.db.dialect, key, ctx.auth.loginAttempts);
  if (!claim.ok)
    reject('DT_RATE_LIMIT', field, `too many wrong passwords; try again in ${claim.retryAfterS} s`);
  const row = await userRow(ctx.db.db, user.id);
  if (!(await verifyPassword(password, row.password_hash))) {
    await audit(ctx.db.db, {
      user: null,
      action: 'login-failed',
      entity: purpose,
      entityId: user.id,
      after: { reason: 'password' },
    });
    reject('DT_REAUTH', field, 'the password is wrong');
  }
  await clearAttempts(ctx.db.db, key);
}

export async function changePassword(
  ctx: Ctx,
  user: SessionUser,
  sessionId: string,
  b: PasswordChange,
): Promise<{ ok: true }> {
  await reauthenticate(ctx, user, b.current, 'password', 'current');
  checkPassword(b.password, user.username);
  if (b.password === b.current) reject('DT_PASSWORD_POLICY', 'password', 'the new password must differ');
  const db = ctx.db.db;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({
        password_hash: await hashPassword(b.password, ctx.scrypt),
        must_change_password: 0,
        password_changed_at: nowIso(),
        password_reset_by: null,
        password_reset_at: null,
      })
      .where('id', '=', user.id)
      .execute();
    // Whoever held another session with the old password is signed out.
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('id', '!=', sessionId).execute();
    await audit(trx, {
      user,
      action: 'update',
      entity: 'password',
      entityId: user.id,
      after: { passwordChanged: true, otherSessionsEnded: true },
    });
  });
  forgetInitialPassword(ctx.initialPasswordFile, user.username);
  return { ok: true };
}

/** The first administrator's one-time password file goes once that password is changed. */
export function forgetInitialPassword(file: string | null, username: string): void {
  if (!file || !existsSync(file)) return;
  if (readFileSync(file, 'utf8').includes(`user: ${username}\n`)) rmSync(file, { force: true });
}

export async function startTotp(ctx: Ctx, user: SessionUser, b: TotpStart): Promise<TotpEnrolment> {
  const row = await userRow(ctx.db.db, user.id);
  if (row.totp_secret) {
    if (b.password === undefined)
      reject('DT_REAUTH', 'password', 'replacing your second factor needs your password');
    await reauthenticate(ctx, user, b.password, 'totp', 'password');
  }
  const secret = newTotpSecret();
  await ctx.db.db
    .updateTable('users')
    .set({ totp_pending: ctx.keys.seal(secret) })
    .where('id', '=', user.id)
    .execute();
  return { secret, uri: totpUri(secret, user.username) };
}

export async function confirmTotp(
  ctx: Ctx,
  user: SessionUser,
  sessionId: string,
  b: TotpConfirm,
): Promise<{ ok: true }> {
  const db = ctx.db.db;
  const row = await userRow(db, user.id);
  if (!row.totp_pending) reject('DT_CONFLICT', 'code', 'start the enrolment first (POST /api/auth/totp)');
  const key = throttleKey('totp', user.id, '');
  const claim = await claimAttempt(db, ctx.db.dialect, key, ctx.auth.loginAttempts);
  if (!claim.ok) reject('DT_RATE_LIMIT', 'code', `too many wrong codes; try again in ${claim.retryAfterS} s`);
  const step = await totpStep(ctx.keys.open(row.totp_pending), b.code.trim(), null);
  if (step === null) {
    await audit(db, {
      user: null,
      action: 'login-failed',
      entity: 'totp',
      entityId: user.id,
      after: { reason: 'code' },
    });
    reject('DT_AUTH_CODE', 'code', 'wrong code: enter the code your app shows now for this new secret');
  }
  await clearAttempts(db, key);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({
        totp_secret: row.totp_pending,
        totp_pending: null,
        totp_enabled_at: nowIso(),
        totp_last_step: step,
      })
      .where('id', '=', user.id)
      .execute();
    await trx.updateTable('sessions').set({ mfa: 1 }).where('id', '=', sessionId).execute();
    // Sessions opened with the former factor end.
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('id', '!=', sessionId).execute();
    await audit(trx, {
      user,
      action: 'update',
      entity: 'totp',
      entityId: user.id,
      after: { secondFactor: true, replaced: row.totp_secret !== null },
    });
  });
  return { ok: true };
}

/**
 * Reset a user's password to a one-time password (returned, to be given to the user); `by` is the
 * administrator, or null from the command line, which alone may also remove the second factor.
 */
export async function resetPassword(
  db: Kysely<Database>,
  cost: ScryptCost,
  by: SessionUser | null,
  id: string,
  o: { removeTotp?: boolean } = {},
): Promise<{ id: string; oneTimePassword: string }> {
  const password = oneTimePassword();
  const hash = await hashPassword(password, cost);
  await db.transaction().execute(async (trx) => {
    const u = await trx.selectFrom('users').select(['id', 'active']).where('id', '=', id).executeTakeFirst();
    if (!u) reject('DT_NOT_FOUND', 'id', `no user '${id}'`);
    await trx
      .updateTable('users')
      .set({
        password_hash: hash,
        must_change_password: 1,
        password_reset_by: by?.id ?? null,
        password_reset_at: nowIso(),
        ...(o.removeTotp ? { totp_secret: null, totp_pending: null, totp_last_step: null } : {}),
      })
      .where('id', '=', id)
      .execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await audit(trx, {
      user: by,
      action: 'update',
      entity: 'password',
      entityId: id,
      after: { reset: true, by: by ? 'administrator' : 'command line', secondFactorRemoved: !!o.removeTotp },
    });
  });
  return { id, oneTimePassword: password };
}

/**
 * `dosetwin admin reset-password USER`, at the server: the reset by user name, by no administrator
 * (the user is told it came from the command line), optionally removing a lost second factor.
 */
export async function resetPasswordOfUser(
  db: Kysely<Database>,
  username: string,
  o: { removeTotp?: boolean; cost?: ScryptCost } = {},
): Promise<{ id: string; username: string; oneTimePassword: string; totpRemoved: boolean }> {
  const u = await db
    .selectFrom('users')
    .select(['id', 'username', 'totp_secret'])
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  if (!u) reject('DT_NOT_FOUND', 'USER', `no user '${username}'`);
  const r = await resetPassword(db, o.cost ?? DEFAULT_SCRYPT, null, u.id, { removeTotp: o.removeTotp });
  return { ...r, username: u.username, totpRemoved: !!o.removeTotp && u.totp_secret !== null };
}

/**
 * Re-authentication at signing: the TOTP code (a user with a second factor) or the password,
 * limited as a sign-in is. Returns how the signer re-authenticated.
 */
export async function reauthenticateToSign(
  ctx: Ctx,
  user: SessionUser,
  r: { password?: string; code?: string },
): Promise<'password' | 'totp'> {
  if (r.code !== undefined) {
    const db = ctx.db.db;
    const row = await userRow(db, user.id);
    if (!row.totp_secret)
      reject('DT_REAUTH', 'reauth.code', 'you have no second factor: sign with your password');
    const key = throttleKey('sign', user.id, '');
    const claim = await claimAttempt(db, ctx.db.dialect, key, ctx.auth.loginAttempts);
    if (!claim.ok)
      reject('DT_RATE_LIMIT', 'reauth.code', `too many wrong codes; try again in ${claim.retryAfterS} s`);
    if (!(await consumeTotp(ctx, row, r.code.trim()))) {
      await audit(db, {
        user: null,
        action: 'login-failed',
        entity: 'sign',
        entityId: user.id,
        after: { reason: 'code' },
      });
      reject('DT_REAUTH', 'reauth.code', 'wrong or already used code: enter the next code your app shows');
    }
    await clearAttempts(db, key);
    return 'totp';
  }
  if (r.password !== undefined) {
    await reauthenticate(ctx, user, r.password, 'sign', 'reauth.password');
    return 'password';
  }
  reject('DT_REAUTH', 'reauth', 'sign with your password or the code of your authenticator app');
}
