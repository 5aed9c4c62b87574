/** Test helpers: an app on a fresh database (SQLite in memory, or a fresh PostgreSQL schema), users and sign-in. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp, type App } from './app.ts';
import { hashPassword, type ScryptCost } from './auth.ts';
import { openDb } from './db/connect.ts';
import type { Role } from './db/schema.ts';
import { newId, nowIso } from './store.ts';

export const FAST_SCRYPT: ScryptCost = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export type Backend = 'sqlite' | 'postgres';

/**
 * Backends to test. PostgreSQL needs DATABASE_URL; without it the PostgreSQL tests are skipped
 * with a message, except in CI (CI=true), where its absence is a failure.
 */
export function backends(): { name: Backend; skip: string | false }[] {
  const url = process.env.DATABASE_URL;
  const pgSkip = url
    ? false
    : process.env.CI === 'true'
      ? false
      : 'DATABASE_URL is not set: PostgreSQL tests skipped (CI runs them; see .ci/run)';
  return [
    { name: 'sqlite', skip: false },
    { name: 'postgres', skip: pgSkip },
  ];
}

export interface TestApp {
  app: App;
  close(): Promise<void>;
}

export async function testApp(backend: Backend, extra: { loginAttempts?: number } = {}): Promise<TestApp> {
  if (backend === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('CI=true but DATABASE_URL is not set: .ci/run must start PostgreSQL');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await openDb({ databaseUrl: url, pgSchema: schema, poolSize: 5 });
    const app = await buildApp({ db, scrypt: FAST_SCRYPT, ...extra });
    return {
      app,
      async close() {
        await app.close();
        await db.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  const db = await openDb({ dataDir: ':memory:' });
  const app = await buildApp({ db, scrypt: FAST_SCRYPT, ...extra });
  return {
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** Insert a user directly and sign in; returns the bearer header. */
export async function userWithToken(
  app: App,
  role: Role,
  service = 'nephrology',
  username?: string,
): Promise<{ id: string; auth: string }> {
  const id = newId();
  const name = username ?? `${role}-${randomBytes(3).toString('hex')}`;
  await app.dt.db.db
    .insertInto('users')
    .values({
      id,
      username: name,
      display_name: `Dr ${name}`,
      password_hash: await hashPassword(PASSWORD, FAST_SCRYPT),
      role,
      service,
      active: 1,
      created_at: nowIso(),
    })
    .execute();
  const r = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: name, password: PASSWORD },
  });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
  return { id, auth: `Bearer ${(r.json() as { token: string }).token}` };
}

export const hoursAgo = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();
