// Accounts and roles: every registered route refuses anonymous callers and wrong roles, and each
// refusal is a row of the audit trail; passwords, rate limit, sessions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashPassword, ROLES, verifyPassword } from './auth.ts';
import type { Role } from './db/schema.ts';
import { statusOf } from './errors.ts';
import { FAST_SCRYPT, PASSWORD, testApp, userWithToken, type TestApp } from './test-support.ts';

describe('authorisation of every route', () => {
  let t: TestApp;
  const tokens = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;
  before(async () => {
    t = await testApp('sqlite', { loginAttempts: 3 });
    for (const r of ROLES) {
      const u = await userWithToken(t.app, r, 'nephrology', `u-${r}`);
      tokens[r] = u.auth;
      ids[r] = u.id;
    }
  });

  /** The refusal just given is the last row of the audit trail: on the route's pattern, by whom. */
  const assertDenialAudited = async (method: string, url: string, status: number, userId: string | null) => {
    const last = await t.app.dt.db.db
      .selectFrom('audit')
      .select(['action', 'entity', 'entity_id', 'user_id', 'after'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const what = `${method} ${url} → ${status}`;
    assert.deepEqual(
      [last.action, last.entity, last.entity_id, last.user_id],
      ['deny', 'route', `${method} ${url}`, userId],
      what,
    );
    const after = JSON.parse(last.after!) as { status: number; route: string; code: string };
    assert.equal(after.status, status, what);
    assert.equal(after.code, status === 401 ? 'DT_AUTH_REQUIRED' : 'DT_AUTH_FORBIDDEN', what);
  };
  after(async () => t?.close());

  const fill = (url: string): string =>
    url.replace(/:[a-zA-Z]+/g, '00000000-0000-0000-0000-000000000000').replace(/\*$/, 'x');

  test('the route list is complete and every route declares its access', () => {
    const urls = new Set(t.app.routeList.map((r) => `${r.method} ${r.url}`));
    assert.ok(urls.size >= 20, `${urls.size} routes`);
    for (const must of [
      'POST /api/requests/:id/analyses',
      'POST /api/analyses/:id/validations',
      'GET /docs/json',
      'GET /api/audit',
    ])
      assert.ok(urls.has(must), must);
    for (const r of t.app.routeList) assert.ok(r.access !== undefined, `${r.method} ${r.url}`);
  });

  test('anonymous → 401 and a forged token → 401 on every non-public route', async () => {
    let n = 0;
    for (const r of t.app.routeList) {
      if (r.access === 'public') continue;
      for (const headers of [{}, { authorization: 'Bearer forged-token' }, { cookie: 'dt_session=forged' }]) {
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: fill(r.url),
          headers,
          payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : {},
        });
        assert.equal(
          res.statusCode,
          401,
          `${r.method} ${r.url} ${JSON.stringify(headers)}: ${res.statusCode} ${res.body}`,
        );
        if (r.method !== 'HEAD') assert.equal(res.json().error.issues[0].field, 'authorization');
        await assertDenialAudited(r.method, r.url, 401, null);
        n++;
      }
    }
    assert.ok(n > 50);
  });

  test('wrong role → 403 on every role-restricted route; public routes are only login, health and the web app files', async () => {
    const pub = t.app.routeList.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(pub.filter((x) => !x.startsWith('HEAD')).sort(), [
      'GET /',
      'GET /*',
      'GET /api/health',
      'POST /api/auth/login',
    ]);
    let n = 0;
    for (const r of t.app.routeList) {
      if (r.access === 'public' || r.access === 'any' || r.access === undefined) continue;
      for (const role of ROLES.filter((x) => !(r.access as readonly Role[]).includes(x))) {
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: fill(r.url),
          headers: { authorization: tokens[role] },
          payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : {},
        });
        assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url}: ${res.statusCode}`);
        await assertDenialAudited(r.method, r.url, 403, ids[role]);
        n++;
      }
    }
    assert.ok(n >= 15, `${n} wrong-role checks`);
  });

  test('login: wrong password 401 (same answer for unknown users), then rate-limited 429; logout ends the session', async () => {
    const bad = (username: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'wrong password!' },
      });
    const unknown = await bad('nobody');
    const wrong = await bad('u-admin');
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(unknown.json(), wrong.json());
    await bad('u-admin');
    await bad('u-admin');
    const limited = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'u-admin', password: PASSWORD },
    });
    assert.equal(limited.statusCode, 429);
    const { auth } = await userWithToken(t.app, 'pharmacologist', 'x', 'logout-user');
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: auth } }))
        .statusCode,
      200,
    );
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: auth } }))
        .statusCode,
      200,
    );
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: auth } }))
        .statusCode,
      401,
    );
  });

  test('a deactivated user is signed out at once', async () => {
    const u = await userWithToken(t.app, 'prescriber', 'nephrology', 'to-deactivate');
    const r = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${u.id}`,
      headers: { authorization: tokens.admin },
      payload: { active: false },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/patients', headers: { authorization: u.auth } }))
        .statusCode,
      401,
    );
  });
});

test('scrypt hashes verify, reject other passwords, and carry their parameters', async () => {
  const h = await hashPassword('s3cret passphrase', FAST_SCRYPT);
  assert.match(h, /^scrypt\$1024\$8\$1\$/);
  assert.equal(await verifyPassword('s3cret passphrase', h), true);
  assert.equal(await verifyPassword('s3cret passphrasE', h), false);
  assert.equal(await verifyPassword('x', 'garbage'), false);
  assert.notEqual(await hashPassword('same', FAST_SCRYPT), await hashPassword('same', FAST_SCRYPT));
});

test('statusOf: one mapping from issue codes to HTTP statuses', () => {
  const s = (code: `DT_${string}`) => statusOf([{ code, severity: 'error' }]);
  assert.equal(s('DT_AUTH_REQUIRED'), 401);
  assert.equal(s('DT_AUTH_FORBIDDEN'), 403);
  assert.equal(s('DT_NOT_FOUND'), 404);
  assert.equal(s('DT_DUPLICATE'), 409);
  assert.equal(s('DT_RATE_LIMIT'), 429);
  assert.equal(s('DT_REQUEST'), 400);
  assert.equal(s('DT_UNIT_UNKNOWN'), 422);
  assert.equal(s('DT_REGIMEN'), 422);
});
