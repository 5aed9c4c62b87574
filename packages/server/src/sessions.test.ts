// Sign-in and sessions, attacked, on SQLite and PostgreSQL: wrong passwords slow one (user,
// address) progressively and lock no one (the administrator signs in from elsewhere; a proxy's
// address full of failures still lets its other users in); 40 concurrent guesses get 5 passwords
// checked, not 39; the limiter's state outlives a restart; the cookie is `__Host-`, Secure,
// HttpOnly and SameSite=Strict (plain HTTP only as a documented loopback mode), the token is in no
// JSON body; an idle session ends after 30 min; a user lists and revokes their sessions; ended
// sessions are purged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from './app.ts';
import { DEFAULT_AUTH, purgeSessions, sha256 } from './auth.ts';
import { ephemeralMac } from './audit/detail.ts';
import { type Db, openDb } from './db/connect.ts';
import { ephemeralKeys } from './keys.ts';
import { startServer } from './serve.ts';
import { delayAfter, MAX_DELAY_MS } from './throttle.ts';
import {
  backends,
  type Backend,
  FAST_SCRYPT,
  nextTotp,
  PASSWORD,
  testApp,
  type TestApp,
  tokenOfResponse,
  userWithToken,
} from './test-support.ts';

test('the wait after n failures: none for the first 5, then 1 s doubling, at most 15 min', () => {
  assert.deepEqual(
    [0, 4, 5, 6, 7, 10].map((n) => delayAfter(n, 5)),
    [0, 0, 1000, 2000, 4000, 32_000],
  );
  assert.equal(delayAfter(40, 5), MAX_DELAY_MS);
  assert.equal(MAX_DELAY_MS, 15 * 60_000);
  assert.equal(DEFAULT_AUTH.loginAttempts, 5);
  assert.equal(DEFAULT_AUTH.idleMinutes, 30);
  assert.equal(DEFAULT_AUTH.secureCookie, true);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const b of backends()) {
  describe(`sign-in limiter and sessions on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await testApp(b.name);
    });
    after(async () => t?.close());
    const login = (username: string, password: string, address = '10.0.0.1', code?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: address,
        payload: { username, password, ...(code ? { code } : {}) },
      });
    const get = (url: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'GET', url, headers });
    const codeOf = (r: { json(): unknown }) =>
      (r.json() as { error: { issues: { code: string; message: string }[] } }).error.issues[0];

    test('5 wrong passwords for the administrator from one address slow that address only: the 6th waits (429), the administrator signs in at once from another address', async () => {
      const admin = await userWithToken(t.app, 'admin', 'pharmacology');
      for (let i = 0; i < 5; i++)
        assert.equal((await login(admin.username, `guess number ${i}`)).statusCode, 401);
      const waiting = await login(admin.username, PASSWORD, '10.0.0.1', await nextTotp(admin.totp!));
      assert.equal(waiting.statusCode, 429, waiting.body);
      assert.equal(codeOf(waiting).code, 'DT_RATE_LIMIT');
      assert.match(codeOf(waiting).message, /try again in 1 s/);
      const elsewhere = await login(admin.username, PASSWORD, '10.0.0.2', await nextTotp(admin.totp!));
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
    });

    test('the waits grow (1 s, then 2 s) and a success clears them', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const at = '10.0.1.1';
      for (let i = 0; i < 5; i++) assert.equal((await login(u.username, `wrong ${i}`, at)).statusCode, 401);
      assert.match(codeOf(await login(u.username, PASSWORD, at)).message, /in 1 s/);
      await sleep(1100);
      assert.equal(
        (await login(u.username, 'wrong again', at)).statusCode,
        401,
        'one attempt after the wait',
      );
      const second = await login(u.username, PASSWORD, at);
      assert.equal(second.statusCode, 429);
      assert.match(codeOf(second).message, /in 2 s/);
      await sleep(2100);
      assert.equal((await login(u.username, PASSWORD, at)).statusCode, 200);
      assert.equal(
        (await login(u.username, 'wrong after success', at)).statusCode,
        401,
        'the count was cleared',
      );
      assert.equal((await login(u.username, PASSWORD, at)).statusCode, 200);
    });

    test('60 failures from one address (a proxy) over many user names do not keep its other users out', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const proxy = '10.0.2.1';
      for (let i = 0; i < 60; i++)
        assert.equal((await login(`nobody-${i}`, 'a guessed password', proxy)).statusCode, 401);
      assert.equal((await login(u.username, PASSWORD, proxy)).statusCode, 200);
    });

    test('40 concurrent guesses (the right password among them): 5 passwords are checked, 35 refused unchecked', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const guesses = Array.from({ length: 39 }, (_, i) => `guess ${i} of the attacker`);
      const res = await Promise.all([...guesses, PASSWORD].map((p) => login(u.username, p, '10.0.3.1')));
      const n = (s: number) => res.filter((r) => r.statusCode === s).length;
      assert.equal(n(401) + n(200), 5, `checked: ${n(401)} wrong + ${n(200)} right`);
      assert.equal(n(429), 35);
      assert.ok(n(200) <= 1);
      const failures = await t.app.dt.db.db
        .selectFrom('audit')
        .select('id')
        .where('action', '=', 'login-failed')
        .where('entity_id', '=', u.id)
        .execute();
      assert.equal(failures.length, 40 - n(200), 'every refusal audited, checked or not');
    });

    test('the cookie: __Host-, Secure, HttpOnly, SameSite=Strict, Path=/, no Domain; no token in any JSON body; logout clears it', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const r = await login(u.username, PASSWORD, '10.0.4.1');
      assert.equal(r.statusCode, 200);
      const cookie = String(r.headers['set-cookie']);
      assert.match(
        cookie,
        /^__Host-dt_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure; Expires=/,
      );
      assert.doesNotMatch(cookie, /Domain=/i);
      const token = tokenOfResponse(r);
      const bodies = [
        r.body,
        (await get('/api/auth/me', { cookie: `__Host-dt_session=${token}` })).body,
        (await get('/api/auth/sessions', { cookie: `__Host-dt_session=${token}` })).body,
      ];
      for (const body of bodies) {
        assert.ok(!body.includes(token), body);
        assert.doesNotMatch(body, /"token"/);
      }
      // Only its hash is stored.
      const row = await t.app.dt.db.db
        .selectFrom('sessions')
        .select('token_hash')
        .where('token_hash', '=', sha256(token))
        .executeTakeFirst();
      assert.ok(row);
      // The cookie without the prefix is not this service's session cookie.
      assert.equal((await get('/api/auth/me', { cookie: `dt_session=${token}` })).statusCode, 401);
      // A cookie-borne change from another origin is refused.
      const cross = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: `__Host-dt_session=${token}`, origin: 'https://evil.example' },
      });
      assert.equal(cross.statusCode, 403);
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: `__Host-dt_session=${token}` },
      });
      assert.equal(out.statusCode, 200);
      assert.match(String(out.headers['set-cookie']), /^__Host-dt_session=; .*Max-Age=0/);
      assert.equal((await get('/api/auth/me', { cookie: `__Host-dt_session=${token}` })).statusCode, 401);
    });

    test('an idle session ends after 30 min (29 min idle still works), a session past its end too, and the row goes', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const db = t.app.dt.db.db;
      const hash = sha256(u.auth.slice(7));
      const idleFor = (min: number) =>
        db
          .updateTable('sessions')
          .set({ last_seen_at: new Date(Date.now() - min * 60_000).toISOString() })
          .where('token_hash', '=', hash)
          .execute();
      await idleFor(29);
      assert.equal((await get('/api/auth/me', { authorization: u.auth })).statusCode, 200);
      const seen = await db
        .selectFrom('sessions')
        .select('last_seen_at')
        .where('token_hash', '=', hash)
        .executeTakeFirstOrThrow();
      assert.ok(Date.now() - Date.parse(seen.last_seen_at) < 60_000, 'activity recorded');
      await idleFor(31);
      const idle = await get('/api/auth/me', { authorization: u.auth });
      assert.equal(idle.statusCode, 401);
      assert.equal(codeOf(idle).code, 'DT_AUTH_REQUIRED');
      assert.equal(
        (await db.selectFrom('sessions').select('id').where('token_hash', '=', hash).execute()).length,
        0,
      );
      const v = await userWithToken(t.app, 'prescriber', 'icu');
      await db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('token_hash', '=', sha256(v.auth.slice(7)))
        .execute();
      assert.equal((await get('/api/auth/me', { authorization: v.auth })).statusCode, 401);
    });

    test('a user lists their sessions and revokes one (that token is refused at once); another user’s session is not found', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const second = await login(u.username, PASSWORD, '10.0.5.9');
      const other = `Bearer ${tokenOfResponse(second)}`;
      const list = (await get('/api/auth/sessions', { authorization: u.auth })).json() as {
        id: string;
        current: boolean;
        address: string;
      }[];
      assert.equal(list.length, 2);
      assert.equal(list.filter((s) => s.current).length, 1);
      const theirs = list.find((s) => !s.current)!;
      assert.equal(theirs.address, '10.0.5.9');
      const stranger = await userWithToken(t.app, 'prescriber', 'icu');
      const notMine = await t.app.inject({
        method: 'DELETE',
        url: `/api/auth/sessions/${theirs.id}`,
        headers: { authorization: stranger.auth },
      });
      assert.equal(notMine.statusCode, 404);
      assert.equal((await get('/api/auth/me', { authorization: other })).statusCode, 200, 'still open');
      const revoked = await t.app.inject({
        method: 'DELETE',
        url: `/api/auth/sessions/${theirs.id}`,
        headers: { authorization: u.auth },
      });
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal((await get('/api/auth/me', { authorization: other })).statusCode, 401);
      assert.equal((await get('/api/auth/sessions', { authorization: u.auth })).json().length, 1);
    });

    test('ended sessions (past their end, idle 30 min) are purged; live ones stay', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const db = t.app.dt.db.db;
      const now = Date.now();
      const row = (id: string, lastSeenMin: number, expiresInMin: number) => ({
        id,
        token_hash: sha256(randomBytes(16).toString('hex')),
        user_id: u.id,
        created_at: new Date(now - 60 * 60_000).toISOString(),
        last_seen_at: new Date(now - lastSeenMin * 60_000).toISOString(),
        expires_at: new Date(now + expiresInMin * 60_000).toISOString(),
        address: '10.0.6.1',
        agent: 'test',
        mfa: 0,
      });
      const ids = ['expired', 'idle', 'live'].map((k) => `${k}-${randomBytes(4).toString('hex')}`);
      await db
        .insertInto('sessions')
        .values([row(ids[0], 1, -1), row(ids[1], 31, 600), row(ids[2], 10, 600)])
        .execute();
      assert.ok((await purgeSessions(db, t.app.dt.auth)) >= 2);
      const left = (await db.selectFrom('sessions').select('id').where('id', 'in', ids).execute()).map(
        (s) => s.id,
      );
      assert.deepEqual(left, [ids[2]]);
      assert.equal((await get('/api/auth/me', { authorization: u.auth })).statusCode, 200);
    });
  });

  describe(`the limiter after a restart on ${b.name}`, { skip: b.skip }, () => {
    test('5 failures, the service restarted over the same database: the count is remembered (the next failure imposes 2 s, not a fresh start)', async () => {
      const { open, cleanup } = reopenable(b.name);
      try {
        let db = await open();
        let app = await buildApp({ db, scrypt: FAST_SCRYPT, keys: ephemeralKeys() });
        const u = await userWithToken(app, 'prescriber', 'icu');
        const attempt = (password: string) =>
          app.inject({
            method: 'POST',
            url: '/api/auth/login',
            remoteAddress: '10.0.7.1',
            payload: { username: u.username, password },
          });
        for (let i = 0; i < 5; i++) assert.equal((await attempt(`wrong ${i}`)).statusCode, 401);
        await app.close();
        await db.close();
        db = await open();
        app = await buildApp({ db, scrypt: FAST_SCRYPT, keys: ephemeralKeys() });
        try {
          // The 5th failure imposed 1 s; once past it, one more failure imposes 2 s: a limiter
          // that had forgotten would let the right password in at once.
          await sleep(1100);
          assert.equal((await attempt('wrong after the restart')).statusCode, 401);
          const r = await attempt(PASSWORD);
          assert.equal(r.statusCode, 429, r.body);
          assert.match(r.body, /in 2 s/);
        } finally {
          await app.close();
          await db.close();
        }
      } finally {
        await cleanup();
      }
    });
  });
}

describe('the client address the limiter counts (trustProxy)', () => {
  const guess = (t: TestApp, username: string, forwardedFor: string, password = 'a wrong guess!') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.9.0.1',
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { username, password },
    });

  test('by default X-Forwarded-For is ignored: a guesser who changes it at each attempt is still one address', async () => {
    const t = await testApp('sqlite');
    try {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      for (let i = 0; i < 5; i++)
        assert.equal((await guess(t, u.username, `198.51.100.${i}`)).statusCode, 401);
      assert.equal((await guess(t, u.username, '198.51.100.77', PASSWORD)).statusCode, 429);
    } finally {
      await t.close();
    }
  });

  test('behind a trusted proxy, each client address it forwards is counted apart', async () => {
    const db = await openDb({ dataDir: ':memory:' });
    const app = await buildApp({ db, scrypt: FAST_SCRYPT, trustProxy: '10.9.0.1' });
    try {
      const u = await userWithToken(app, 'prescriber', 'icu');
      const t = { app, close: async () => {} };
      for (let i = 0; i < 5; i++) assert.equal((await guess(t, u.username, '198.51.100.9')).statusCode, 401);
      assert.equal((await guess(t, u.username, '198.51.100.9', PASSWORD)).statusCode, 429);
      assert.equal(
        (await guess(t, u.username, '203.0.113.5', PASSWORD)).statusCode,
        200,
        'a colleague behind the same proxy',
      );
    } finally {
      await app.close();
      await db.close();
    }
  });
});

/** A database that can be closed and opened again: a SQLite file, or a PostgreSQL schema. */
function reopenable(backend: Backend): { open(): Promise<Db>; cleanup(): Promise<void> } {
  const mac = ephemeralMac();
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dt-restart-'));
    return {
      open: () => openDb({ dataDir: dir, auditMac: mac }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    open: () => openDb({ databaseUrl: url, pgSchema: schema, poolSize: 2, auditMac: mac }),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

describe('plain HTTP (cookies without Secure): a documented mode for a loopback address only', () => {
  test('the cookie is dt_session without Secure (still HttpOnly, SameSite=Strict); the __Host- name is not read', async () => {
    const t = await testApp('sqlite', { auth: { secureCookie: false } });
    try {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: u.username, password: PASSWORD },
      });
      const cookie = String(r.headers['set-cookie']);
      assert.match(cookie, /^dt_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Expires=/);
      assert.doesNotMatch(cookie, /Secure/);
      const token = tokenOfResponse(r);
      const me = (cookie: string) =>
        t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
      assert.equal((await me(`dt_session=${token}`)).statusCode, 200);
      assert.equal((await me(`__Host-dt_session=${token}`)).statusCode, 401);
    } finally {
      await t.close();
    }
  });

  test('startServer refuses plain HTTP on an address other than loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-plain-'));
    try {
      await assert.rejects(
        startServer({ host: '0.0.0.0', port: 0, dataDir: dir, plainHttp: true }),
        /plain HTTP .* loopback address only, not 0\.0\.0\.0/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
