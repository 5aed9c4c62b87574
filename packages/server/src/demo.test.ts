// `serve --demo`: the demo's clinical accounts sign in with their one-time passwords, once (then
// choose their own; the pharmacologist enrols a second factor); the ICU prescriber sees the ICU demo
// patient only, the pharmacologist both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from './app.ts';
import { openDb } from './db/connect.ts';
import { ensureAdmin, ensureDemoUsers, loadDemo } from './setup.ts';
import { FAST_SCRYPT, firstSignIn } from './test-support.ts';

test('demo accounts: created once with one-time passwords; services restrict what they see', async () => {
  const db = await openDb({ dataDir: ':memory:' });
  const app = await buildApp({ db, scrypt: FAST_SCRYPT });
  try {
    await ensureAdmin(db.db, FAST_SCRYPT);
    const admin = await db.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    assert.deepEqual(await loadDemo(db.db, admin.id), ['P-DEMO-TAC', 'P-DEMO-VAN']);
    const users = await ensureDemoUsers(db.db, FAST_SCRYPT);
    assert.deepEqual(
      users.map((u) => `${u.username}:${u.role}`),
      ['demo.prescriber:prescriber', 'demo.pharmacologist:pharmacologist'],
    );
    assert.deepEqual(await ensureDemoUsers(db.db, FAST_SCRYPT), []);
    const seen: Record<string, string[]> = {};
    for (const u of users) {
      const { auth, totp } = await firstSignIn(app, u.username, u.password);
      assert.equal(totp !== null, u.role === 'pharmacologist', `${u.username}: second factor enrolled`);
      const list = await app.inject({
        method: 'GET',
        url: '/api/patients',
        headers: { authorization: auth },
      });
      seen[u.role] = (list.json() as { pseudonym: string }[]).map((p) => p.pseudonym).sort();
    }
    assert.deepEqual(seen, { prescriber: ['P-DEMO-VAN'], pharmacologist: ['P-DEMO-TAC', 'P-DEMO-VAN'] });
  } finally {
    await app.close();
    await db.close();
  }
});
