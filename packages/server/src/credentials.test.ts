// Credentials, attacked, on SQLite and PostgreSQL: an account's one-time password must be changed
// before anything else; the policy refuses short, name-bearing and common passwords; changing
// one's password needs the current one; a TOTP code is accepted once; an administrator who resets
// a pharmacologist's password cannot sign in as them (the second factor stays theirs) and the
// user is told who reset it; the last administrator cannot deactivate or demote itself, nor can
// two administrators remove each other at once; scrypt at OWASP's parameters, older hashes
// replaced at sign-in.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from './auth.ts';
import { startServer } from './serve.ts';
import { resetPasswordOfUser } from './services/credentials.ts';
import { INITIAL_PASSWORD_FILE } from './setup.ts';
import { newId, nowIso } from './store.ts';
import {
  backends,
  caller,
  FAST_SCRYPT,
  nextTotp,
  PASSWORD,
  testApp,
  type TestApp,
  tokenOfResponse,
  userWithToken,
} from './test-support.ts';
import { totpCode } from './totp.ts';

test('scrypt at OWASP’s parameters (N = 2^17, r = 8, p = 1): such a hash verifies; one with other parameters is to be replaced', async () => {
  assert.deepEqual(DEFAULT_SCRYPT, { N: 131072, r: 8, p: 1 });
  const h = await hashPassword('a passphrase of mine', DEFAULT_SCRYPT);
  assert.match(h, /^scrypt\$131072\$8\$1\$/);
  assert.equal(await verifyPassword('a passphrase of mine', h), true);
  assert.equal(needsRehash(h, DEFAULT_SCRYPT), false);
  assert.equal(needsRehash(await hashPassword('x', { N: 16384, r: 8, p: 1 }), DEFAULT_SCRYPT), true);
});

for (const b of backends()) {
  describe(`credentials on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let admin: Awaited<ReturnType<typeof userWithToken>>;
    before(async () => {
      t = await testApp(b.name);
      admin = await userWithToken(t.app, 'admin', 'pharmacology');
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      caller(t.app).call(auth, method, url, payload);
    const login = (username: string, password: string, code?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password, ...(code ? { code } : {}) },
      });
    const issue = (r: { json(): unknown }) =>
      (r.json() as { error: { issues: { code: string; field: string; message: string }[] } }).error.issues[0];

    test('a new account: its one-time password opens nothing but the password change; the policy refuses short, name-bearing, common and unchanged passwords; a wrong current password is refused; then a pharmacologist must enrol TOTP, a code is accepted once', async () => {
      const created = await call(admin.auth, 'POST', '/api/users', {
        username: 'new.pharm',
        displayName: 'Dr New',
        role: 'pharmacologist',
        service: 'pharmacology',
      });
      assert.equal(created.statusCode, 201, created.body);
      const oneTime: string = created.json().oneTimePassword;
      assert.match(oneTime, /^[A-Za-z0-9_-]{22}$/);
      const first = await login('new.pharm', oneTime);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().user.pending, 'password');
      assert.equal(first.json().user.passwordReset, null, 'a new account, not a reset');
      const auth = `Bearer ${tokenOfResponse(first)}`;
      for (const url of ['/api/patients', '/api/requests']) {
        const r = await call(auth, 'GET', url);
        assert.equal(r.statusCode, 403, url);
        assert.deepEqual([issue(r).code, issue(r).field], ['DT_AUTH_PENDING', 'password']);
      }
      const change = (current: string, password: string) =>
        call(auth, 'POST', '/api/auth/password', { current, password });
      // Under 12 characters the schema refuses it, naming the field.
      const short = await change(oneTime, 'short pass1');
      assert.equal(short.statusCode, 400);
      assert.equal(issue(short).field, 'body.password');
      assert.match(issue(short).message, /fewer than 12 characters/);
      for (const [bad, why] of [
        ['I am new.pharm, 2026', /user name/],
        ['123456789qwe', /common/],
        ['password2024!', /common/],
      ] as const) {
        const r = await change(oneTime, bad);
        assert.equal(r.statusCode, 422, bad);
        assert.deepEqual([issue(r).code, issue(r).field], ['DT_PASSWORD_POLICY', 'password'], bad);
        assert.match(issue(r).message, why, bad);
      }
      const same = await change(oneTime, oneTime);
      assert.equal(issue(same).code, 'DT_PASSWORD_POLICY');
      const wrong = await change('not the current one', PASSWORD);
      assert.equal(wrong.statusCode, 403);
      assert.deepEqual([issue(wrong).code, issue(wrong).field], ['DT_REAUTH', 'current']);
      const missing = await call(auth, 'POST', '/api/auth/password', { password: PASSWORD });
      assert.equal(missing.statusCode, 400);
      assert.equal((await change(oneTime, PASSWORD)).statusCode, 200);
      assert.equal((await call(auth, 'GET', '/api/auth/me')).json().pending, 'totp');
      assert.deepEqual(
        [
          issue(await call(auth, 'GET', '/api/patients')).code,
          issue(await call(auth, 'GET', '/api/patients')).field,
        ],
        ['DT_AUTH_PENDING', 'totp'],
      );
      assert.equal((await login('new.pharm', oneTime)).statusCode, 401, 'the one-time password is spent');
      const { secret, uri } = (await call(auth, 'POST', '/api/auth/totp', {})).json();
      assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32');
      assert.match(uri, /^otpauth:\/\/totp\/dosetwin:new\.pharm\?/);
      const bad = await call(auth, 'POST', '/api/auth/totp/confirm', { code: '000000' });
      assert.equal(bad.statusCode, 401);
      assert.equal(issue(bad).code, 'DT_AUTH_CODE');
      const code = await totpCode(secret);
      assert.equal((await call(auth, 'POST', '/api/auth/totp/confirm', { code })).statusCode, 200);
      assert.equal((await call(auth, 'GET', '/api/auth/me')).json().pending, null);
      assert.equal((await call(auth, 'GET', '/api/patients')).statusCode, 200);
      // The password alone no longer signs in; the code used at enrolment is spent; the next one works once.
      assert.equal(issue(await login('new.pharm', PASSWORD)).code, 'DT_AUTH_CODE');
      assert.equal(issue(await login('new.pharm', PASSWORD, code)).code, 'DT_AUTH_CODE');
      const next = await nextTotp(secret);
      assert.equal((await login('new.pharm', PASSWORD, next)).statusCode, 200);
      const replay = await login('new.pharm', PASSWORD, next);
      assert.equal(replay.statusCode, 401);
      assert.match(issue(replay).message, /already used/);
    });

    test('changing one’s password needs the current one and signs out one’s other sessions', async () => {
      const u = await userWithToken(t.app, 'prescriber', 'icu');
      const elsewhere = `Bearer ${tokenOfResponse(await login(u.username, PASSWORD))}`;
      const r = await call(u.auth, 'POST', '/api/auth/password', {
        current: PASSWORD,
        password: 'my own new passphrase',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await call(elsewhere, 'GET', '/api/auth/me')).statusCode, 401);
      assert.equal((await call(u.auth, 'GET', '/api/auth/me')).statusCode, 200);
      assert.equal((await login(u.username, PASSWORD)).statusCode, 401);
      assert.equal((await login(u.username, 'my own new passphrase')).statusCode, 200);
    });

    test('an administrator resets a pharmacologist’s password: their sessions end, the administrator cannot sign in as them (their second factor stays), and the pharmacologist is told who reset it and must change it', async () => {
      const pharm = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      const reset = await call(admin.auth, 'POST', `/api/users/${pharm.id}/password-reset`);
      assert.equal(reset.statusCode, 200, reset.body);
      const oneTime: string = reset.json().oneTimePassword;
      assert.equal((await call(pharm.auth, 'GET', '/api/auth/me')).statusCode, 401, 'their sessions ended');
      // The administrator tries the one-time password as the pharmacologist.
      const impersonation = await login(pharm.username, oneTime);
      assert.equal(impersonation.statusCode, 401);
      assert.deepEqual([issue(impersonation).code, issue(impersonation).field], ['DT_AUTH_CODE', 'code']);
      // The pharmacologist, given the one-time password, signs in with their own authenticator.
      const back = await login(pharm.username, oneTime, await nextTotp(pharm.totp!));
      assert.equal(back.statusCode, 200, back.body);
      const me = back.json().user;
      assert.equal(me.pending, 'password');
      assert.equal(me.passwordReset.by, `Dr ${admin.username}`);
      assert.ok(Date.now() - Date.parse(me.passwordReset.at) < 60_000);
      const auth = `Bearer ${tokenOfResponse(back)}`;
      const sign = await call(auth, 'POST', `/api/analyses/${newId()}/validations`, {
        decision: 'reject',
        comment: 'x',
        reauth: { password: oneTime },
      });
      assert.deepEqual([sign.statusCode, issue(sign).code], [403, 'DT_AUTH_PENDING']);
      assert.equal(
        (
          await call(auth, 'POST', '/api/auth/password', {
            current: oneTime,
            password: 'back to my own words',
          })
        ).statusCode,
        200,
      );
      assert.equal((await call(auth, 'GET', '/api/auth/me')).json().passwordReset, null);
      const trail = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['user_id', 'action'])
        .where('entity', '=', 'password')
        .where('entity_id', '=', pharm.id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        trail.map((a) => [a.user_id, a.action]),
        [
          [admin.id, 'update'],
          [pharm.id, 'update'],
        ],
        'the reset by the administrator, then the change by the user',
      );
    });

    test('at the server, a reset by user name with the second factor removed (a lost device): the one-time password alone signs in, must be changed, then a new authenticator must be set up', async () => {
      const pharm = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      const r = await resetPasswordOfUser(t.app.dt.db.db, pharm.username.toUpperCase(), {
        removeTotp: true,
        cost: FAST_SCRYPT,
      });
      assert.deepEqual([r.id, r.totpRemoved], [pharm.id, true]);
      assert.equal((await call(pharm.auth, 'GET', '/api/auth/me')).statusCode, 401, 'their sessions ended');
      const back = await login(pharm.username, r.oneTimePassword);
      assert.equal(back.statusCode, 200, back.body);
      const me = back.json().user;
      assert.deepEqual([me.pending, me.totpEnabled], ['password', false]);
      assert.equal(me.passwordReset.by, 'the command line (dosetwin admin)');
      const auth = `Bearer ${tokenOfResponse(back)}`;
      const changed = await call(auth, 'POST', '/api/auth/password', {
        current: r.oneTimePassword,
        password: 'a new phone, a new start',
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal((await call(auth, 'GET', '/api/auth/me')).json().pending, 'totp');
      await assert.rejects(
        resetPasswordOfUser(t.app.dt.db.db, 'nobody.here', { cost: FAST_SCRYPT }),
        /no user 'nobody\.here'/,
      );
    });

    test('a hash made with older scrypt parameters is replaced at the next sign-in', async () => {
      const id = newId();
      await t.app.dt.db.db
        .insertInto('users')
        .values({
          id,
          username: 'old.hash',
          display_name: 'Dr Old',
          password_hash: await hashPassword(PASSWORD, { N: 512, r: 8, p: 1 }),
          role: 'prescriber',
          service: 'icu',
          active: 1,
          created_at: nowIso(),
          must_change_password: 0,
        })
        .execute();
      assert.equal((await login('old.hash', PASSWORD)).statusCode, 200);
      const row = await t.app.dt.db.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.match(row.password_hash, new RegExp(`^scrypt\\$${FAST_SCRYPT.N}\\$8\\$1\\$`));
      assert.equal((await login('old.hash', PASSWORD)).statusCode, 200);
    });

    test('the last active administrator can neither deactivate nor demote itself; with two, one can go, and two removing each other at once leave one', async () => {
      const solo = await testApp(b.name);
      try {
        const a1 = await userWithToken(solo.app, 'admin', 'pharmacology');
        const patch = (auth: string, id: string, body: object) =>
          caller(solo.app).call(auth, 'PATCH', `/api/users/${id}`, body);
        for (const [body, field] of [
          [{ active: false }, 'active'],
          [{ role: 'pharmacologist' }, 'role'],
        ] as const) {
          const r = await patch(a1.auth, a1.id, body);
          assert.equal(r.statusCode, 409, r.body);
          assert.deepEqual([issue(r).code, issue(r).field], ['DT_LAST_ADMIN', field]);
        }
        const a2 = await userWithToken(solo.app, 'admin', 'pharmacology');
        const a3 = await userWithToken(solo.app, 'admin', 'pharmacology');
        assert.equal((await patch(a1.auth, a1.id, { active: false })).statusCode, 200);
        assert.equal((await caller(solo.app).call(a1.auth, 'GET', '/api/users')).statusCode, 401);
        const both = await Promise.all([
          patch(a2.auth, a3.id, { active: false }),
          patch(a3.auth, a2.id, { active: false }),
        ]);
        const codes = both.map((r) => r.statusCode).sort();
        assert.ok(
          (codes[0] === 200 && codes[1] === 401) || (codes[0] === 200 && codes[1] === 409),
          `one removal succeeds, the other is refused (${codes})`,
        );
        const active = await solo.app.dt.db.db
          .selectFrom('users')
          .select('id')
          .where('role', '=', 'admin')
          .where('active', '=', 1)
          .execute();
        assert.equal(active.length, 1);
      } finally {
        await solo.close();
      }
    });
  });
}

describe('the first administrator’s one-time password', () => {
  test('kept in a 0600 file when the first start fails (its port taken), usable at the next start, which points to it; forced to change; the file goes once it is changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-first-'));
    const data = join(dir, 'data');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      await assert.rejects(
        startServer({ dataDir: data, port, webRoot: null, plainHttp: true }),
        /EADDRINUSE/,
      );
      const file = join(data, INITIAL_PASSWORD_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const password = /^password: (\S+)$/m.exec(readFileSync(file, 'utf8'))![1];
      const s = await startServer({ dataDir: data, port: 0, webRoot: null, plainHttp: true });
      try {
        assert.equal(s.admin, null, 'the admin exists from the failed start');
        assert.equal(s.adminPasswordFile, file);
        const post = (url: string, body: object, cookie?: string) =>
          fetch(`${s.url}${url}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
            body: JSON.stringify(body),
          });
        const login = await post('/api/auth/login', { username: 'admin', password });
        assert.equal(login.status, 200);
        assert.equal(((await login.json()) as { user: { pending: string } }).user.pending, 'password');
        const cookie = `dt_session=${tokenOfResponse({ headers: { 'set-cookie': login.headers.getSetCookie() } })}`;
        const users = await fetch(`${s.url}/api/users`, { headers: { cookie } });
        assert.equal(users.status, 403, 'nothing before the change');
        const changed = await post(
          '/api/auth/password',
          { current: password, password: 'a long phrase of my own' },
          cookie,
        );
        assert.equal(changed.status, 200);
        assert.equal(existsSync(file), false, 'the file is removed once the password is changed');
      } finally {
        await s.close();
      }
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
