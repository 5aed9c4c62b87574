// The audit trail and the append-only record, attacked as the findings did: identity read through
// the audit by the admin, rows changed, deleted or back-dated behind the service's back, triggers
// dropped, clinical and identity rows updated silently. Each attack now fails or is named.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Kysely, Migrator, sql } from 'kysely';
import { canonical } from '../canonical.ts';
import { openDb } from '../db/connect.ts';
import { migrationProvider } from '../db/migrations.ts';
import type { Database } from '../db/schema.ts';
import { startServer } from '../serve.ts';
import { newId, nowIso } from '../store.ts';
import { backends, hoursAgo, testApp, type TestApp, userWithToken } from '../test-support.ts';
import { rowHash } from './chain.ts';
import { macOf } from './detail.ts';
import { checkIntegrity, triggerProblems, verifyAuditChain } from './integrity.ts';
import { audit, chainOf } from './record.ts';

type TestUser = Awaited<ReturnType<typeof userWithToken>>;

const IDENTITY = {
  familyName: 'Zyxwarth',
  givenName: 'Quillonne',
  birthDate: '1953-07-19',
  hospitalNumber: 'HN-7731905',
};

/** Whatever the trail returns, as text, holds none of these. */
function assertNoIdentity(text: string, values: readonly string[]): void {
  for (const v of values) assert.ok(!text.includes(v), `the audit trail shows '${v}'`);
}

for (const b of backends()) {
  describe(`audit trail and append-only record on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let db: Kysely<Database>;
    let presc: TestUser;
    let pharm: TestUser;
    let admin: TestUser;
    let auditor: TestUser;
    let patientId: string;
    const call = async (who: TestUser, method: 'GET' | 'POST', url: string, payload?: object) => {
      const r = await t.app.inject({ method, url, headers: { authorization: who.auth }, payload });
      return { status: r.statusCode, body: r.body, json: () => r.json() };
    };

    before(async () => {
      t = await testApp(b.name);
      db = t.app.dt.db.db;
      presc = await userWithToken(t.app, 'prescriber', 'icu', 'audit-presc');
      pharm = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
      admin = await userWithToken(t.app, 'admin', 'pharmacology');
      auditor = await userWithToken(t.app, 'auditor', 'quality');
      const p = await call(presc, 'POST', '/api/patients', { identity: IDENTITY, sex: 'female' });
      assert.equal(p.status, 201, p.body);
      patientId = p.json().id;
      for (const [name, value, unit] of [
        ['WT', 61.3, 'kg'],
        ['AGE', 73, 'y'],
      ] as const) {
        const r = await call(presc, 'POST', `/api/patients/${patientId}/covariates`, {
          at: hoursAgo(30),
          name,
          value,
          unit,
        });
        assert.equal(r.status, 201, r.body);
      }
      const dose = await call(presc, 'POST', `/api/patients/${patientId}/administrations`, {
        at: hoursAgo(20),
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
        product: 'vancomycin 1 g vial',
      });
      assert.equal(dose.status, 201, dose.body);
      const level = await call(presc, 'POST', `/api/patients/${patientId}/samples`, {
        at: hoursAgo(10),
        value: 17.25,
        unit: 'mg/L',
        matrix: 'plasma',
        assay: 'immunoassay',
      });
      assert.equal(level.status, 201, level.body);
      const id = await call(presc, 'GET', `/api/patients/${patientId}?identity=true`);
      assert.equal(id.status, 200, id.body);
    });
    after(async () => t?.close());

    test('identity read through the audit: the admin is refused (403, itself audited); the auditor reads ids, pseudonyms and digests, never a name, birth date, hospital number or clinical value', async () => {
      const denied = await call(admin, 'GET', '/api/audit');
      assert.equal(denied.status, 403, denied.body);
      const page = await call(auditor, 'GET', `/api/audit?patientId=${patientId}&limit=500`);
      assert.equal(page.status, 200, page.body);
      const { entries } = page.json() as { entries: { action: string; entity: string; pseudonym: string }[] };
      const actions = entries.map((e) => `${e.action} ${e.entity}`);
      for (const x of ['create patient', 'create covariates', 'read patient+identity'])
        assert.ok(actions.includes(x), `the trail lacks '${x}': ${actions.join(', ')}`);
      assert.ok(entries.every((e) => /^P-/.test(e.pseudonym)));
      // Nothing of the identity, nor the values entered (61.3 kg, 73 y), in the answer or in the table.
      const stored = JSON.stringify(await db.selectFrom('audit').selectAll().execute());
      for (const text of [page.body, stored])
        assertNoIdentity(text, [
          ...Object.values(IDENTITY),
          '61.3',
          '17.25',
          'vancomycin 1 g vial',
          '"value"',
        ]);
      // The admin's refusal and the auditor's read are themselves rows of the trail.
      const own = await call(auditor, 'GET', '/api/audit?limit=500');
      const rows = (
        own.json() as {
          entries: { action: string; entity: string; userId: string; after: Record<string, unknown> }[];
        }
      ).entries;
      assert.ok(
        rows.some(
          (e) =>
            e.action === 'deny' &&
            e.userId === admin.id &&
            e.after.route === 'GET /api/audit' &&
            e.after.status === 403,
        ),
        'the admin’s 403 is audited',
      );
      assert.ok(rows.some((e) => e.action === 'read' && e.entity === 'audit' && e.userId === auditor.id));
    });

    test('filters: by operator, action, entity and day; pages follow the chain backwards without overlap', async () => {
      const mine = (
        await call(auditor, 'GET', `/api/audit?userId=${presc.id}&action=create&entity=covariates`)
      ).json() as {
        entries: { userId: string; action: string; entity: string; username: string }[];
      };
      assert.equal(mine.entries.length, 2);
      assert.ok(mine.entries.every((e) => e.userId === presc.id && e.username === 'audit-presc'));
      const today = new Date().toISOString().slice(0, 10);
      const p1 = (await call(auditor, 'GET', `/api/audit?from=${today}&to=${today}&limit=3`)).json() as {
        entries: { seq: number }[];
        next: number;
      };
      assert.equal(p1.entries.length, 3);
      const p2 = (
        await call(auditor, 'GET', `/api/audit?from=${today}&limit=3&before=${p1.next}`)
      ).json() as {
        entries: { seq: number }[];
      };
      assert.ok(p2.entries.every((e) => e.seq < p1.entries[2].seq));
      assert.equal((await call(auditor, 'GET', '/api/audit?limit=501')).status, 422);
      assert.equal((await call(auditor, 'GET', '/api/audit?from=2026-13-01')).status, 400);
    });

    test('the database refuses to change or delete clinical and identity rows; a request’s status and a user’s role still change', async () => {
      const refused = [
        db.updateTable('patient_identity').set({ family_name: 'Other' }).where('patient_id', '=', patientId),
        db.deleteFrom('patient_identity').where('patient_id', '=', patientId),
        db.updateTable('patients').set({ service: 'elsewhere' }).where('id', '=', patientId),
        db.updateTable('covariates').set({ value: 99 }).where('patient_id', '=', patientId),
        db.deleteFrom('covariates').where('patient_id', '=', patientId),
        db.updateTable('administrations').set({ amount: 1 }),
        db.deleteFrom('samples'),
        db.updateTable('users').set({ username: 'renamed' }).where('id', '=', presc.id),
        db.deleteFrom('users').where('id', '=', presc.id),
        db.updateTable('audit').set({ action: 'read' }),
        db.deleteFrom('audit'),
      ];
      for (const q of refused) await assert.rejects(q.execute(), /DT_APPEND_ONLY/, q.compile().sql);
      await db.updateTable('users').set({ role: 'pharmacologist' }).where('id', '=', presc.id).execute();
      await db.updateTable('users').set({ role: 'prescriber' }).where('id', '=', presc.id).execute();
      const rid = newId();
      await db
        .insertInto('requests')
        .values({
          id: rid,
          patient_id: patientId,
          kind: 'model',
          model_id: 'vancomycin/goti2018',
          question: 'q',
          status: 'submitted',
          created_at: nowIso(),
          created_by: presc.id,
        })
        .execute();
      await db.updateTable('requests').set({ status: 'analysed' }).where('id', '=', rid).execute();
      await assert.rejects(
        db.updateTable('requests').set({ question: 'another question' }).where('id', '=', rid).execute(),
        /DT_APPEND_ONLY/,
      );
      assert.deepEqual(await triggerProblems(t.app.dt.db), []);
    });

    test('verify: the chain is intact; a row changed, one removed, one forged without the key, one back-dated with it and one written around the chain are each named', async () => {
      const dbx = t.app.dt.db;
      const intact = await verifyAuditChain(dbx);
      assert.deepEqual(intact.problems, []);
      assert.ok(intact.rows > 10);
      const { mac } = chainOf(db);
      const last = await db
        .selectFrom('audit')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      // An attacker with the database: the triggers are dropped, then rows are changed and added.
      await dropTrigger(dbx.dialect, db, 'audit');
      const victim = await db
        .selectFrom('audit')
        .select(['id', 'seq'])
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      await db.updateTable('audit').set({ action: 'logout' }).where('id', '=', victim.id).execute();
      await db.deleteFrom('audit').where('seq', '=', 5).execute();
      const forged = {
        seq: last.seq! + 1,
        at: nowIso(),
        user_id: pharm.id,
        action: 'read',
        entity: 'patient',
        entity_id: patientId,
        patient_id: patientId,
        before: null,
        after: null,
      };
      const forgedHash = rowHash(macOf(Buffer.alloc(32, 7)), last.hash!, forged);
      await db
        .insertInto('audit')
        .values({ ...forged, prev_hash: last.hash, hash: forgedHash })
        .execute();
      // Even with the key, a row dated in the past breaks the order of time.
      const backdated = { ...forged, seq: forged.seq + 1, at: '2020-01-01T00:00:00.000Z' };
      await db
        .insertInto('audit')
        .values({ ...backdated, prev_hash: forgedHash, hash: rowHash(mac, forgedHash, backdated) })
        .execute();
      await sql`INSERT INTO audit (at, user_id, action, entity) VALUES (${nowIso()}, ${pharm.id}, 'read', 'patient')`.execute(
        db,
      );
      const broken = await checkIntegrity(dbx);
      assert.equal(broken.ok, false);
      const at = (seq: number | null, re: RegExp) =>
        assert.ok(
          broken.chain.some((p) => p.seq === seq && re.test(p.problem)),
          `row ${seq} ${re}: ${JSON.stringify(broken.chain)}`,
        );
      at(3, /hash does not match/);
      at(6, /rows 5–5 are missing/);
      at(forged.seq, /written without the service key/);
      at(backdated.seq, /dated 2020-01-01.*before row/);
      at(null, /outside the chain/);
      assert.ok(
        broken.triggers.some((x) => /^audit\./.test(x)),
        broken.triggers.join('; '),
      );
    });
  });
}

async function dropTrigger(
  dialect: 'sqlite' | 'postgres',
  db: Kysely<Database>,
  table: string,
): Promise<void> {
  if (dialect === 'postgres')
    await sql`DROP TRIGGER ${sql.raw(`${table}_append_only`)} ON ${sql.table(table)}`.execute(db);
  else
    for (const op of ['update', 'delete'])
      await sql`DROP TRIGGER ${sql.raw(`${table}_no_${op}`)}`.execute(db);
}

for (const b of backends()) {
  test(
    `start-up on ${b.name}: a dropped or disabled trigger is named, and dosetwin serve refuses to start`,
    { skip: b.skip },
    async () => {
      const t = await testApp(b.name);
      try {
        const dbx = t.app.dt.db;
        assert.deepEqual((await checkIntegrity(dbx)).triggers, []);
        await dropTrigger(dbx.dialect, dbx.db, 'patient_identity');
        if (dbx.dialect === 'postgres')
          await sql`ALTER TABLE requests DISABLE TRIGGER requests_guard_update`.execute(dbx.db);
        const r = await checkIntegrity(dbx);
        assert.equal(r.ok, false);
        const expected =
          dbx.dialect === 'postgres'
            ? [
                'patient_identity.patient_identity_append_only: missing',
                'requests.requests_guard_update: disabled',
              ]
            : [
                'patient_identity.patient_identity_no_update: missing',
                'patient_identity.patient_identity_no_delete: missing',
              ];
        assert.deepEqual(r.triggers, expected);
      } finally {
        await t.close();
      }
    },
  );
}

test('dosetwin serve refuses to start over a database whose trigger was dropped, naming it; starts again once it is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-integrity-'));
  try {
    const s = await startServer({ dataDir: dir, port: 0, webRoot: null, logger: false });
    await s.close();
    const db = await openDb({ dataDir: dir });
    await sql`DROP TRIGGER covariates_no_delete`.execute(db.db);
    await db.close();
    await assert.rejects(
      startServer({ dataDir: dir, port: 0, webRoot: null, logger: false }),
      (e: Error & { issues?: { code: string; message: string }[] }) => {
        assert.equal(e.issues?.[0].code, 'DT_AUDIT_BROKEN');
        assert.match(e.issues![0].message, /covariates\.covariates_no_delete: missing/);
        return true;
      },
    );
    const again = await openDb({ dataDir: dir });
    await sql`CREATE TRIGGER covariates_no_delete BEFORE DELETE ON covariates
      BEGIN SELECT RAISE(ABORT, 'DT_APPEND_ONLY: covariates rows are not deleted or changed'); END`.execute(
      again.db,
    );
    await again.close();
    const s2 = await startServer({ dataDir: dir, port: 0, webRoot: null, logger: false });
    await s2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migration 0006 on a database written before it: identity and clinical values leave the old audit rows, which are chained and verify', async () => {
  // A database at migration 0005, with audit rows as they were written then.
  const { default: SQLite } = await import('better-sqlite3');
  const { SqliteDialect, Kysely } = await import('kysely');
  const mac = macOf(Buffer.alloc(32, 1));
  const k = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  const all = await migrationProvider('sqlite', mac).getMigrations();
  const upTo5 = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0006'));
  const { error } = await new Migrator({
    db: k,
    provider: { getMigrations: async () => upTo5 },
  }).migrateToLatest();
  assert.equal(error, undefined);
  const pid = newId();
  for (const [action, entity, after] of [
    ['create', 'patient', { id: pid, service: 'icu', identity: IDENTITY }],
    ['create', 'covariates', { id: newId(), patient_id: pid, name: 'WT', value: 61.3, unit: 'kg' }],
    ['read', 'patient+identity', null],
  ] as const)
    await sql`INSERT INTO audit (at, user_id, action, entity, entity_id, patient_id, before, after)
      VALUES (${nowIso()}, NULL, ${action}, ${entity}, ${pid}, ${pid}, NULL, ${after === null ? null : JSON.stringify(after)})`.execute(
      k,
    );
  const { registerAuditChain } = await import('./record.ts');
  registerAuditChain(k, { dialect: 'sqlite', mac });
  const { error: e2 } = await new Migrator({
    db: k,
    provider: migrationProvider('sqlite', mac),
  }).migrateToLatest();
  assert.equal(e2, undefined);
  const rows = await k.selectFrom('audit').selectAll().orderBy('seq').execute();
  assert.deepEqual(
    rows.map((r) => [r.seq, r.action, r.entity]),
    [
      [1, 'create', 'patient'],
      [2, 'create', 'covariates'],
      [3, 'read', 'patient+identity'],
      [4, 'migrate', 'audit'],
    ],
  );
  assertNoIdentity(JSON.stringify(rows), [...Object.values(IDENTITY), '61.3']);
  assert.deepEqual(JSON.parse(rows[0].after!), {
    digest: mac(`detail\n${canonical({ id: pid, service: 'icu', identity: IDENTITY })}`),
    id: pid,
    service: 'icu',
  });
  const dbx = { db: k, dialect: 'sqlite' as const, location: ':memory:', close: () => k.destroy() };
  const r = await checkIntegrity(dbx);
  assert.deepEqual([r.ok, r.rows, r.chain, r.triggers], [true, 4, [], []]);
  await audit(k, { user: null, action: 'read', entity: 'audit', entityId: null });
  assert.equal((await verifyAuditChain(dbx)).head.seq, 5);
  await k.destroy();
});
