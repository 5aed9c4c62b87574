// dosetwin audit verify, backup and restore, as a user runs them (the real CLI in a child process)
// beside a running service: a back-dated row found, a backup under write load restored without
// losing an acknowledged write, a backup from another service key refused, the files private.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDb, startServer } from '@dosetwin/server';
import { sql } from 'kysely';
import { REPO } from '../test-support.ts';

const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

/** `dosetwin ARGS` without blocking the event loop (the service under test runs in this process). */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _u, ...rest } = process.env;
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...rest, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);

describe('dosetwin audit verify, backup and restore (SQLite)', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'dosetwin-store-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('audit verify: intact after a start; a row inserted back-dated with the service key is named, exit 1', async () => {
    const dir = join(tmp(), 'data');
    const s = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    await s.close();
    const ok = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit trail intact: \d+ rows/);
    // The attacker holds the database and even the key: the row fits the chain but not its time.
    const { loadServiceKeys } = await import('../../../server/src/keys.ts');
    const { rowHash } = await import('../../../server/src/audit/chain.ts');
    const mac = loadServiceKeys(dir).keys.auditMac;
    const db = await openDb({ dataDir: dir });
    const last = await db.db
      .selectFrom('audit')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const row = {
      seq: last.seq! + 1,
      at: '2021-03-04T05:06:07.000Z',
      user_id: null,
      action: 'read',
      entity: 'patient',
      entity_id: null,
      patient_id: null,
      before: null,
      after: null,
    };
    await db.db
      .insertInto('audit')
      .values({ ...row, prev_hash: last.hash, hash: rowHash(mac, last.hash!, row) })
      .execute();
    await db.close();
    const bad = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      new RegExp(`audit row ${row.seq}: dated 2021-03-04T05:06:07.000Z, before row ${last.seq}`),
    );
    assert.match(bad.stderr, /integrity check FAILED \(0 trigger problems, 1 chain problems/);
  });

  test('backup under write load, then restore: every write acknowledged before the backup began is back, the trail verifies, the files are private', async () => {
    const root = tmp();
    const dir = join(root, 'data');
    const file = join(root, 'backup.sqlite');
    const s = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    const { userWithToken } = await import('../../../server/src/test-support.ts');
    const presc = await userWithToken(s.app, 'prescriber', 'icu');
    const acked: { id: string; at: number }[] = [];
    let stop = false;
    let n = 0;
    const writer = async (): Promise<void> => {
      while (!stop) {
        n++;
        const r = await fetch(`${s.url}/api/patients`, {
          method: 'POST',
          headers: { authorization: presc.auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            identity: {
              familyName: 'Load',
              givenName: 'Test',
              birthDate: '1970-01-01',
              hospitalNumber: `L-${process.pid}-${n}`,
            },
            sex: 'male',
          }),
        });
        const body = await r.text();
        assert.equal(r.status, 201, body);
        acked.push({ id: (JSON.parse(body) as { id: string }).id, at: Date.now() });
      }
    };
    const writers = [writer(), writer(), writer()];
    while (acked.length < 60) await new Promise((r) => setTimeout(r, 20));
    const began = Date.now();
    const ackedBefore = acked.filter((a) => a.at < began).map((a) => a.id);
    const b = await run(['backup', file, '--data-dir', dir]);
    const during = acked.length - ackedBefore.length;
    // The files as the running service keeps them (its WAL and shared memory included).
    const live = readdirSync(dir).map((f) => [f, mode(join(dir, f))]);
    // A few more writes after the backup, which the restore will take back.
    const target = acked.length + 20;
    while (acked.length < target) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(writers);
    await s.close();
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /backup written to .*backup\.sqlite \(0600\)/);
    assert.ok(during > 0, 'writes went on while the backup ran');
    assert.equal(mode(file), '600');
    // At rest: the data directory is the service account's alone, and so is each file in it.
    assert.equal(mode(dir), '700');
    assert.deepEqual(
      live.filter(([, m]) => m !== '600'),
      [],
    );
    assert.deepEqual(live.map(([f]) => f).sort(), [
      'dosetwin.sqlite',
      'dosetwin.sqlite-shm',
      'dosetwin.sqlite-wal',
      'initial-admin-password.txt',
      'service.key',
    ]);
    assert.deepEqual(
      readdirSync(root).filter((f) => f.includes('partial')),
      [],
    );
    // A backup never overwrites.
    const again = await run(['backup', file, '--data-dir', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists: a backup never overwrites/);

    const r = await run(['restore', file, '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const kept = /kept in (\S+)/.exec(r.stdout)?.[1];
    assert.ok(kept && existsSync(kept), r.stdout);
    assert.equal(mode(kept), '600');
    assert.equal(mode(dir), '700');
    assert.equal(mode(join(dir, 'dosetwin.sqlite')), '600');

    const db = await openDb({ dataDir: dir });
    const ids = new Set((await db.db.selectFrom('patients').select('id').execute()).map((p) => p.id));
    const lost = ackedBefore.filter((id) => !ids.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${ackedBefore.length} acknowledged writes lost`);
    // A snapshot: nothing that was never acknowledged (or in flight), and not the writes after it.
    assert.ok(ids.size <= acked.length + 3);
    assert.ok(ids.size < acked.length, 'the writes made after the backup are not in it');
    const lastRow = await db.db
      .selectFrom('audit')
      .select(['action', 'entity'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.deepEqual(lastRow, { action: 'restore', entity: 'database' });
    await db.close();
    const v = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(v.code, 0, v.stderr);
    // The service starts on the restored database (its start-up integrity check passes).
    const s2 = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    await s2.close();

    // A data directory with another service key refuses the backup and keeps its own database.
    const other = join(tmp(), 'other');
    const s3 = await startServer({ dataDir: other, port: 0, webRoot: null, plainHttp: true });
    await s3.close();
    const refused = await run(['restore', file, '--data-dir', other]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /does not verify under this data directory's service key.*nothing was restored/,
    );
    assert.match(refused.stderr, /written without the service key/);
    assert.deepEqual(
      readdirSync(other).filter((f) => f.includes('before-restore')),
      [],
    );
  });

  test('a trigger dropped in the database: audit verify names it, exit 1', async () => {
    const dir = join(tmp(), 'data');
    const s = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    await s.close();
    const db = await openDb({ dataDir: dir });
    await sql`DROP TRIGGER samples_no_update`.execute(db.db);
    await db.close();
    const bad = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /append-only trigger samples\.samples_no_update: missing/);
  });
});

test('PostgreSQL: backup and restore print the pg_dump and pg_restore commands, without the password, exit 2', async () => {
  const r = await run(['backup', '/tmp/x.dump'], {
    DATABASE_URL: 'postgres://dosetwin:s3cret@db.example:5432/dosetwin',
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /pg_dump --format=custom --file=FILE 'postgres:\/\/dosetwin@db\.example:5432\/dosetwin'/,
  );
  assert.ok(!r.stderr.includes('s3cret'));
  const rr = await run(['restore', '/tmp/x.dump'], { DATABASE_URL: 'postgres://u:p@h/d' });
  assert.equal(rr.code, 2);
  assert.match(rr.stderr, /pg_restore --clean/);
});
