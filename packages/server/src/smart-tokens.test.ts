// SMART grants kept in the database, on SQLite and PostgreSQL, against the real authorization
// server (oidc-provider playing the EHR, refresh tokens, revocation) and the real FHIR server
// (Medplum's router accepting only the EHR's live tokens): a launch survives a restart of the
// service on the same database (the import reads with the stored token); an expired access token
// is renewed with the refresh token before use; the tokens are sealed (neither is in the
// database's text) and bound to their user (another user, even with the sealed value copied into a
// row of their own, cannot use them); signing out revokes the grant at the EHR and deletes it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import pg from 'pg';
import { type App, buildApp } from './app.ts';
import { ephemeralMac } from './audit/detail.ts';
import { type Db, openDb } from './db/connect.ts';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { serviceKeys } from './keys.ts';
import { startTestEhr, type TestEhr } from './smart/smart-test-ehr.ts';
import { type Backend, backends, FAST_SCRYPT, userWithToken } from './test-support.ts';

const fixture = (name: string): Bundle =>
  JSON.parse(
    readFileSync(new URL(`../../models/src/fhir/fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Bundle;
const REDIRECT = 'https://dosetwin.test/smart/callback';

let fhir: FhirTestServer;
let ehr: TestEhr;
before(async () => {
  const options: Parameters<typeof startFhirServer>[0] = { seed: [fixture('vancomycin-icu')] };
  fhir = await startFhirServer(options);
  ehr = await startTestEhr({
    fhirBase: fhir.url,
    redirectUri: REDIRECT,
    launches: { 'launch-7': 'vanco-icu-1' },
    standalonePatient: 'vanco-icu-1',
  });
  options.smartConfiguration = ehr.smartConfiguration;
  options.requireToken = async (token) => (await ehr.verify(token)) !== null;
});
after(async () => {
  await ehr?.close();
  await fhir?.close();
});

/** A database that can be closed and opened again: a SQLite file, or a PostgreSQL schema. */
function reopenable(backend: Backend): { open(): Promise<Db>; cleanup(): Promise<void> } {
  const mac = ephemeralMac();
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dt-smart-'));
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

/** The clinician's browser at the EHR: its redirects followed (with its cookies) back to dosetwin's callback. */
async function authorize(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = url;
  for (let i = 0; i < 12; i++) {
    const r = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(';');
      jar.set(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1));
    }
    const loc = r.headers.get('location');
    if (!loc) throw new Error(`${r.status} at ${next}: ${await r.text()}`);
    next = new URL(loc, next).href;
    if (next.startsWith(REDIRECT)) return new URL(next);
  }
  throw new Error('too many redirects');
}

/** An EHR launch by the user: the dosetwin patient it opens. */
async function launch(app: App, auth: string): Promise<string> {
  const start = await app.inject({
    method: 'GET',
    url: `/smart/launch?iss=${encodeURIComponent(fhir.url)}&launch=launch-7`,
    headers: { authorization: auth },
  });
  assert.equal(start.statusCode, 302, start.body);
  assert.match(new URL(String(start.headers.location)).searchParams.get('scope')!, /online_access/);
  const back = await authorize(String(start.headers.location));
  const cb = await app.inject({
    method: 'GET',
    url: `/smart/callback${back.search}`,
    headers: { authorization: auth },
  });
  assert.equal(cb.statusCode, 302, cb.body);
  return String(cb.headers.location).split('/').pop()!;
}

const importOf = (app: App, auth: string, patient: string) =>
  app.inject({
    method: 'POST',
    url: `/api/patients/${patient}/fhir-import`,
    headers: { authorization: auth },
    payload: { drug: 'vancomycin' },
  });

/** The bearer tokens the FHIR server received since `from`. */
const tokensSince = (from: number): string[] => [
  ...new Set(fhir.log.slice(from).map((x) => x.authorization!.slice(7))),
];

for (const { name, skip } of backends())
  describe(`SMART grants in the database (${name})`, { skip }, () => {
    test('a launch survives a restart; an expired access token is renewed; the tokens are sealed and bound to their user; sign-out revokes them at the EHR', async () => {
      const store = reopenable(name);
      // The service key outlives a restart (its file or DOSETWIN_SECRET_KEY): the same secret.
      const secret = randomBytes(32);
      const smart = { clientId: 'dosetwin', redirectUri: REDIRECT, servers: [fhir.url] };
      const start = async (): Promise<{ app: App; db: Db }> => {
        const db = await store.open();
        return { db, app: await buildApp({ db, scrypt: FAST_SCRYPT, keys: serviceKeys(secret), smart }) };
      };
      let run = await start();
      try {
        const pres = await userWithToken(run.app, 'prescriber', 'icu');
        const patient = await launch(run.app, pres.auth);

        // Restarted on the same database: the session and the grant are still there.
        await run.app.close();
        await run.db.close();
        run = await start();
        let from = fhir.log.length;
        const imported = await importOf(run.app, pres.auth, patient);
        assert.equal(imported.statusCode, 200, imported.body);
        assert.equal((imported.json().entries as unknown[]).length, 11);
        const [token] = tokensSince(from);
        assert.equal(tokensSince(from).length, 1);
        assert.notEqual(await ehr.verify(token), null, 'a token the EHR issued');
        const rows = await run.db.db.selectFrom('smart_tokens').selectAll().execute();
        assert.equal(rows.length, 1);
        assert.equal(rows[0].user_id, pres.id);
        assert.ok(!JSON.stringify(rows).includes(token), 'the access token is not in the database as text');
        assert.match(rows[0].sealed, /^v1\./);

        // Another user: no grant of theirs, and the sealed value copied into a row of their own does
        // not open for them (it is bound to its user); the service reads no other FHIR server.
        const other = await userWithToken(run.app, 'prescriber', 'icu');
        await run.db.db
          .insertInto('smart_tokens')
          .values({ ...rows[0], id: randomUUID(), user_id: other.id })
          .execute();
        from = fhir.log.length;
        const refused = await importOf(run.app, other.auth, patient);
        assert.equal(refused.statusCode, 422, refused.body);
        assert.equal(refused.json().error.issues[0].code, 'DT_FHIR_NOT_CONFIGURED');
        assert.equal(fhir.log.length, from, 'no FHIR request on their behalf');

        // A grant whose access token lasts 2 s: past its expiry, the next import renews it with the
        // refresh token first.
        ehr.setAccessTokenTtl(2);
        await launch(run.app, pres.auth);
        const short = JSON.parse(
          run.app.dt.keys.open(
            (
              await run.db.db
                .selectFrom('smart_tokens')
                .select('sealed')
                .where('user_id', '=', pres.id)
                .executeTakeFirstOrThrow()
            ).sealed,
          ),
        ) as { accessToken: string; refreshToken: string | null };
        assert.ok(short.refreshToken, 'the EHR gave a refresh token');
        ehr.setAccessTokenTtl(3600);
        const expiry = (
          await run.db.db
            .selectFrom('smart_tokens')
            .select('expires_at')
            .where('user_id', '=', pres.id)
            .executeTakeFirstOrThrow()
        ).expires_at!;
        assert.ok(Date.parse(expiry) - Date.now() < 2_500, `the EHR said it expires at ${expiry}`);
        // Past its expiry.
        await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiry) - Date.now()) + 200));
        from = fhir.log.length;
        const again = await importOf(run.app, pres.auth, patient);
        assert.equal(again.statusCode, 200, again.body);
        const renewed = tokensSince(from);
        assert.equal(renewed.length, 1);
        assert.notEqual(renewed[0], short.accessToken);
        assert.notEqual(await ehr.verify(renewed[0]), null);
        const row = await run.db.db
          .selectFrom('smart_tokens')
          .selectAll()
          .where('user_id', '=', pres.id)
          .executeTakeFirstOrThrow();
        assert.notEqual(row.refreshed_at, null);
        assert.ok(Date.parse(row.expires_at!) > Date.now() + 3_000_000, 'the renewed token lasts an hour');

        // Sign-out: the grant is revoked at the EHR and deleted; signed in again, no access.
        const out = await run.app.inject({
          method: 'POST',
          url: '/api/auth/logout',
          headers: { authorization: pres.auth },
        });
        assert.equal(out.statusCode, 200, out.body);
        assert.equal(await ehr.verify(renewed[0]), null, 'revoked at the EHR');
        const left = await run.db.db
          .selectFrom('smart_tokens')
          .select('id')
          .where('user_id', '=', pres.id)
          .execute();
        assert.equal(left.length, 0);
        const login = await run.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: pres.username, password: pres.password },
        });
        assert.equal(login.statusCode, 200, login.body);
        const bearer = `Bearer ${String(login.headers['set-cookie']).split(';')[0].split('=')[1]}`;
        from = fhir.log.length;
        assert.equal((await importOf(run.app, bearer, patient)).statusCode, 422);
        assert.equal(fhir.log.length, from);
      } finally {
        ehr.setAccessTokenTtl(3600);
        await run.app.close();
        await run.db.close();
        await store.cleanup();
      }
    });
  });
