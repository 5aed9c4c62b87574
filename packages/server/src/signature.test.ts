// The electronic signature, attacked, on SQLite and PostgreSQL: signing without re-authenticating
// (no password, a wrong one, a TOTP code used twice) is refused; the signature is Ed25519 under the
// service key and verifies with its public key alone; a forger with the database (an edited
// decision or signer, a keyless hash recomputed, a row signed with another key, an analysis
// edited after signing) gets no report but DT_SIGNATURE_INVALID, audited, and reading the analysis
// shows its signature not verified; with the option, the analyst cannot sign their own analysis.
import assert from 'node:assert/strict';
import { createHash, verify as edVerify } from 'node:crypto';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_AUTH } from './auth.ts';
import { canonical } from './canonical.ts';
import type { Analysis, Validation } from './contract/index.ts';
import type { Db } from './db/connect.ts';
import { ephemeralKeys } from './keys.ts';
import { signedRecord } from './signature.ts';
import {
  backends,
  caller,
  nextTotp,
  REAUTH,
  testApp,
  type TestApp,
  type TestUser,
  userWithToken,
  vancomycinRequest,
} from './test-support.ts';

/**
 * Run `change` as a forger with write access to the database would: the append-only triggers of
 * `tables` set aside for it (dropped and re-created on SQLite, disabled on PostgreSQL).
 */
async function tamper(db: Db, tables: string[], change: () => Promise<unknown>): Promise<void> {
  if (db.dialect === 'postgres') {
    for (const t of tables) await sql`ALTER TABLE ${sql.table(t)} DISABLE TRIGGER USER`.execute(db.db);
    try {
      await change();
    } finally {
      for (const t of tables) await sql`ALTER TABLE ${sql.table(t)} ENABLE TRIGGER USER`.execute(db.db);
    }
    return;
  }
  const triggers = (
    await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master
      WHERE type = 'trigger' AND tbl_name IN (${sql.join(tables)})`.execute(db.db)
  ).rows;
  for (const tr of triggers) await sql`DROP TRIGGER ${sql.id(tr.name)}`.execute(db.db);
  try {
    await change();
  } finally {
    for (const tr of triggers) await sql.raw(tr.sql).execute(db.db);
  }
}

for (const b of backends()) {
  describe(`electronic signature on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let presc: TestUser;
    let pharm: TestUser;
    let other: TestUser;
    before(async () => {
      t = await testApp(b.name);
      presc = await userWithToken(t.app, 'prescriber', 'icu');
      pharm = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      other = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).call(auth, method, url, payload);
    const analysed = async (hn: string): Promise<{ rid: string; a: Analysis }> => {
      const { requestId } = await vancomycinRequest(t.app, presc.auth, {
        identity: { familyName: 'Sign', givenName: 'Ed', birthDate: '1961-02-03', hospitalNumber: hn },
      });
      const a = await caller(t.app).ok(pharm.auth, 'POST', `/api/requests/${requestId}/analyses`, {});
      return { rid: requestId, a: a.json() };
    };
    const accept = { decision: 'accept', candidate: 1, comment: '' } as const;

    test('signing without re-authenticating is refused (no reauth, none given, a wrong password, a code used twice); the password or a TOTP code signs, and how is signed with it', async () => {
      const { rid, a } = await analysed(`SIG-${b.name}-1`);
      const url = `/api/analyses/${a.id}/validations`;
      const none = await call(pharm.auth, 'POST', url, accept);
      assert.equal(none.statusCode, 400, none.body);
      assert.match(none.body, /reauth/);
      const empty = await call(pharm.auth, 'POST', url, { ...accept, reauth: {} });
      assert.equal(empty.statusCode, 403, empty.body);
      assert.equal(empty.json().error.issues[0].code, 'DT_REAUTH');
      const wrong = await call(pharm.auth, 'POST', url, {
        ...accept,
        reauth: { password: 'not my password' },
      });
      assert.equal(wrong.statusCode, 403, wrong.body);
      assert.deepEqual(
        [wrong.json().error.issues[0].code, wrong.json().error.issues[0].field],
        ['DT_REAUTH', 'reauth.password'],
      );
      const status = async (): Promise<string> =>
        (await caller(t.app).ok(presc.auth, 'GET', `/api/requests/${rid}`)).json().status;
      assert.equal(await status(), 'analysed', 'nothing was signed by the refused attempts');

      const code = await nextTotp(pharm.totp!);
      const signed = await call(pharm.auth, 'POST', url, { ...accept, reauth: { code } });
      assert.equal(signed.statusCode, 201, signed.body);
      const v: Validation = signed.json();
      assert.equal(v.reauth, 'totp');
      assert.match(v.meaning ?? '', /^approval: /);
      assert.equal(v.signatureAlgorithm, 'ed25519');
      assert.equal(v.signatureKey, t.app.dt.keys.keyId);
      assert.equal(await status(), 'validated');
      // The signature verifies with the public key alone, over the canonical record that names
      // how the signer re-authenticated; with 'password' in its place it does not.
      const row = await t.app.dt.db.db
        .selectFrom('validations')
        .selectAll()
        .where('id', '=', v.id)
        .executeTakeFirstOrThrow();
      const record = signedRecord(row, pharm.username) as Record<string, unknown>;
      assert.equal(record.reauth, 'totp');
      const pub = t.app.dt.keys.publicKeyPem;
      const sig = Buffer.from(v.signature, 'base64url');
      assert.equal(edVerify(null, Buffer.from(canonical(record)), pub, sig), true);
      assert.equal(
        edVerify(null, Buffer.from(canonical({ ...record, reauth: 'password' })), pub, sig),
        false,
      );

      // The same code a second time (observed over a shoulder) signs nothing; the password does.
      const { a: a2 } = await analysed(`SIG-${b.name}-2`);
      const url2 = `/api/analyses/${a2.id}/validations`;
      const replay = await call(pharm.auth, 'POST', url2, { ...accept, reauth: { code } });
      assert.equal(replay.statusCode, 403, replay.body);
      assert.equal(replay.json().error.issues[0].code, 'DT_REAUTH');
      const byPassword = await call(pharm.auth, 'POST', url2, { ...accept, ...REAUTH });
      assert.equal(byPassword.statusCode, 201, byPassword.body);
      assert.equal((byPassword.json() as Validation).reauth, 'password');
    });

    test('a forged signature row is caught when the report is produced: an edited decision, comment or signer, a keyless hash recomputed, another key, an analysis edited after signing → 409 DT_SIGNATURE_INVALID, audited; the untouched row gives the report', async () => {
      const { rid, a } = await analysed(`SIG-${b.name}-3`);
      const v: Validation = (
        await caller(t.app).ok(pharm.auth, 'POST', `/api/analyses/${a.id}/validations`, {
          ...accept,
          ...REAUTH,
        })
      ).json();
      const db = t.app.dt.db;
      const reportOf = () => call(presc.auth, 'GET', `/api/requests/${rid}/report`);
      assert.equal((await reportOf()).statusCode, 200);
      const original = await db.db
        .selectFrom('validations')
        .selectAll()
        .where('id', '=', v.id)
        .executeTakeFirstOrThrow();
      const setValidation = (set: Partial<typeof original>) =>
        tamper(db, ['validations'], () =>
          db.db.updateTable('validations').set(set).where('id', '=', v.id).execute(),
        );
      const verifiedOf = async () =>
        ((await caller(t.app).ok(pharm.auth, 'GET', `/api/analyses/${a.id}`)).json() as Analysis).validation
          ?.verified;
      assert.deepEqual(await verifiedOf(), {
        status: 'valid',
        reason: `Ed25519 signature verified with key ${t.app.dt.keys.keyId}`,
      });
      const refused = async (what: string, reason: RegExp): Promise<void> => {
        const r = await reportOf();
        assert.equal(r.statusCode, 409, `${what}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        const issue = r.json().error.issues[0];
        assert.equal(issue.code, 'DT_SIGNATURE_INVALID', what);
        assert.equal(issue.field, 'signature', what);
        assert.match(issue.message, reason, what);
        // Reading the analysis says so too.
        const v = await verifiedOf();
        assert.notEqual(v?.status, 'valid', what);
        assert.match(v?.reason ?? '', reason, what);
      };
      const forged = signedRecord(original, pharm.username) as Record<string, unknown>;

      await setValidation({ comment: 'dose approved by phone' });
      await refused('edited comment', /is not what was signed/);
      await setValidation({ decision: 'reject', comment: original.comment });
      await refused('edited decision', /is not what was signed/);
      await setValidation({ decision: original.decision, signed_by: other.id });
      await refused('another signer', /is not what was signed/);
      await setValidation({ signed_by: original.signed_by, signed_at: '2026-01-01T00:00:00.000Z' });
      await refused('back-dated', /is not what was signed/);
      // The pre-key scheme: a SHA-256 of the record, which anyone can recompute over a forged one.
      const keyless = { ...forged, comment: 'forged', meaning: null, reauth: null };
      await setValidation({
        signed_at: original.signed_at,
        comment: 'forged',
        signature: createHash('sha256').update(canonical(keyless)).digest('hex'),
        signature_alg: null,
        signature_key: null,
      });
      await refused('keyless hash', /not signed with the service key/);
      // The forger's own Ed25519 key, named in the row.
      const theirs = ephemeralKeys();
      await setValidation({
        comment: 'forged',
        signature: theirs.sign(canonical({ ...forged, comment: 'forged' })),
        signature_alg: 'ed25519',
        signature_key: theirs.keyId,
      });
      await refused('another key', /not this service's key/);
      // The row as signed: the report again.
      await setValidation({
        comment: original.comment,
        signature: original.signature,
        signature_key: original.signature_key,
      });
      assert.equal((await reportOf()).statusCode, 200);
      assert.equal((await verifiedOf())?.status, 'valid');
      // The analysis behind it edited (its first candidate's dose): its content no longer has
      // the hash that was signed.
      const arow = await db.db
        .selectFrom('analyses')
        .selectAll()
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      const cands = JSON.parse(arow.candidates!) as { regimen: { dose: { value: number } } }[];
      cands[0].regimen.dose.value *= 10;
      await tamper(db, ['analyses'], () =>
        db.db
          .updateTable('analyses')
          .set({ candidates: JSON.stringify(cands) })
          .where('id', '=', a.id)
          .execute(),
      );
      await refused('edited analysis', /does not match its hash/);
      await tamper(db, ['analyses'], () =>
        db.db
          .updateTable('analyses')
          .set({ hash: 'f'.repeat(64) })
          .where('id', '=', a.id)
          .execute(),
      );
      await refused('analysis hash replaced', /not the analysis signed/);

      const audited = await db.db
        .selectFrom('audit')
        .select('action')
        .where('action', '=', 'signature-invalid')
        .where('entity_id', '=', v.id)
        .execute();
      assert.equal(audited.length, 8, 'each refused report is audited');
    });
  });

  describe(`signer ≠ analyst (distinctSigner) on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    after(async () => t?.close());

    test('off by default (a service with one pharmacologist can sign); when on, the analyst is refused DT_SIGN_SEPARATION and another pharmacologist signs', async () => {
      assert.equal(DEFAULT_AUTH.distinctSigner, false);
      t = await testApp(b.name, { auth: { distinctSigner: true } });
      const presc = await userWithToken(t.app, 'prescriber', 'icu');
      const analyst = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      const signer = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      const { requestId } = await vancomycinRequest(t.app, presc.auth, {
        identity: {
          familyName: 'Four',
          givenName: 'Eyes',
          birthDate: '1970-01-02',
          hospitalNumber: `FE-${b.name}`,
        },
      });
      const { call, ok } = caller(t.app);
      const a: Analysis = (await ok(analyst.auth, 'POST', `/api/requests/${requestId}/analyses`, {})).json();
      const url = `/api/analyses/${a.id}/validations`;
      const own = await call(analyst.auth, 'POST', url, {
        decision: 'accept',
        candidate: 1,
        comment: '',
        ...REAUTH,
      });
      assert.equal(own.statusCode, 403, own.body);
      assert.deepEqual(
        [own.json().error.issues[0].code, own.json().error.issues[0].field],
        ['DT_SIGN_SEPARATION', 'id'],
      );
      const v = await call(signer.auth, 'POST', url, {
        decision: 'accept',
        candidate: 1,
        comment: '',
        ...REAUTH,
      });
      assert.equal(v.statusCode, 201, v.body);
      assert.equal((v.json() as Validation).signedBy, signer.id);
    });
  });
}
