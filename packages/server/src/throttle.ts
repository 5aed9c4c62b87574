/**
 * The sign-in limiter. Each (user name, client address) has `free` attempts; past them each attempt
 * waits twice as long as the one before (1 s, 2 s, 4 s … at most 15 min). A delay, never a lock:
 * the same user from another address is not slowed, so an attacker cannot lock an administrator
 * out, and no address is blocked for everyone behind it. An attempt is claimed (counted as a
 * failure) before the password is checked, in one transaction, so that concurrent guesses cannot
 * all be evaluated; a success clears the count. The state is in the database: a restart keeps it.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from './db/migrations.ts';
import type { Database } from './db/schema.ts';

export const MAX_DELAY_MS = 15 * 60_000;

/** The key of a (user name, address) pair; hashed, so the table holds neither. */
export const throttleKey = (scope: string, who: string, address: string): string =>
  createHash('sha256').update(`${scope}\n${who.toLowerCase()}\n${address}`).digest('hex');

/** The wait imposed after `failures` failures when `free` are allowed without one. */
export const delayAfter = (failures: number, free: number): number =>
  failures < free ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - free));

export type Claim = { ok: true; failures: number } | { ok: false; retryAfterS: number };

/** Count one attempt for `key`, or refuse it when its wait has not elapsed. */
export async function claimAttempt(
  db: Kysely<Database>,
  dialect: Dialect,
  key: string,
  free: number,
  now = new Date(),
): Promise<Claim> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('login_throttle')
      .values({ key, failures: 0, next_at: at, updated_at: at })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    let q = trx.selectFrom('login_throttle').selectAll().where('key', '=', key);
    // SQLite runs one transaction at a time on its one connection; PostgreSQL locks the row.
    if (dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirstOrThrow();
    if (row.next_at > at)
      return { ok: false as const, retryAfterS: Math.ceil((Date.parse(row.next_at) - now.getTime()) / 1000) };
    const failures = row.failures + 1;
    const next = new Date(now.getTime() + delayAfter(failures, free)).toISOString();
    await trx
      .updateTable('login_throttle')
      .set({ failures, next_at: next, updated_at: at })
      .where('key', '=', key)
      .execute();
    return { ok: true as const, failures };
  });
}

export async function clearAttempts(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/** Forget counts that have not moved for a day and impose no wait. */
export async function purgeThrottle(db: Kysely<Database>, now = new Date()): Promise<void> {
  const at = now.toISOString();
  await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', new Date(now.getTime() - 86_400_000).toISOString())
    .where('next_at', '<=', at)
    .execute();
}
