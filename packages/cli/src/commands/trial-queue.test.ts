// dosetwin trial through the PostgreSQL queue (pg-boss) on the database of DATABASE_URL, in a
// schema of its own (dropped at the end), so it shares nothing with the service's tables or another
// run of this test. A coordinator and one `dosetwin trial worker` process start; the worker is
// killed (SIGKILL) while it computes a chunk, then the coordinator is killed too, mid-run. A second
// coordinator with the same file and two fresh workers (one with two threads) finish the trial: the
// dead worker's chunk is retried after the chunk timeout, nothing is queued twice (the run resumed),
// and the output is byte for byte that of `--workers 1` on one machine.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { type TrialFile } from '@dosetwin/models';
import { dosetwin, REPO } from '../test-support.ts';
import { QUEUE, trialId } from './trial-queue.ts';

const URL = process.env.DATABASE_URL;
const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');
const SCHEMA = `dt_trial_test_${process.pid}`;

// 20 chunks of 2000 patients (tens of milliseconds each): long enough to kill a worker inside one.
const FILE: TrialFile = {
  name: 'queue test',
  model: 'vancomycin/goti2018',
  arms: [{ regimen: '1000 mg q12h over 1 h' }, { regimen: '1500 mg q12h over 1.5 h' }],
  days: 4,
  targets: ['auc24=400..600 mg*h/L'],
  n: 40_000,
  chunkSize: 2000,
  seed: 9,
};
const TOTAL = 20;

interface Proc {
  p: ChildProcess;
  out: string;
  err: string;
  exit: Promise<number | null>;
}

function start(...args: string[]): Proc {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Proc = { p, out: '', err: '', exit: new Promise((resolve) => p.on('exit', resolve)) };
  p.stdout!.on('data', (d) => (r.out += d));
  p.stderr!.on('data', (d) => (r.err += d));
  return r;
}

const worker = (...extra: string[]): Proc =>
  start('trial', 'worker', '--queue', URL!, '--queue-schema', SCHEMA, ...extra);
const coordinator = (spec: string): Proc =>
  start('trial', 'run', spec, '--queue', URL!, '--queue-schema', SCHEMA, '--chunk-timeout', '6');

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > 120_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test(
  'queue: a worker and the coordinator killed mid-run, a new coordinator and 2 workers finish → bytes equal to --workers 1, each chunk queued once, the dead chunk retried',
  { skip: URL ? false : 'DATABASE_URL is not set (the queue needs PostgreSQL)', timeout: 240_000 },
  async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'dt-trial-queue-'));
    const spec = join(dir, 'trial.json');
    writeFileSync(spec, JSON.stringify(FILE));
    const id = trialId(FILE);
    const stored = async (): Promise<number> =>
      Number(
        (
          await pool
            .query(`SELECT count(*) AS n FROM ${SCHEMA}.chunk WHERE trial = $1`, [id])
            .catch(() => ({ rows: [{ n: 0 }] }))
        ).rows[0].n,
      );
    try {
      // The local reference (this also compiles dist once before several processes start from it).
      const local = dosetwin('trial', 'run', spec, '--workers', '1', '--format', 'json');
      assert.equal(local.code, 0, local.stderr);

      const a = coordinator(spec);
      const w0 = worker();
      // Kill the worker inside a chunk, after it has stored at least one.
      const killedChunk = await until('worker 0 inside a chunk after one done', () => {
        const started = [...w0.err.matchAll(/chunk (\d+) started/g)].map((m) => Number(m[1]));
        const done = new Set([...w0.err.matchAll(/chunk (\d+) done/g)].map((m) => Number(m[1])));
        return done.size > 0 ? started.find((c) => !done.has(c)) : undefined;
      });
      w0.p.kill('SIGKILL');
      await w0.exit;
      // No worker is alive: the coordinator is killed mid-run.
      const kept = (
        await pool.query<{ chunk: number }>(`SELECT chunk FROM ${SCHEMA}.chunk WHERE trial = $1`, [id])
      ).rows.map((x) => x.chunk);
      assert.ok(
        kept.length >= 1 && kept.length < TOTAL,
        `${kept.length} chunks stored when the coordinator is killed`,
      );
      a.p.kill('SIGKILL');
      await a.exit;

      const b = coordinator(spec);
      const w1 = worker('--concurrency', '2');
      const w2 = worker();
      const code = await b.exit;
      await Promise.all([w1, w2].map((w) => (w.p.kill('SIGTERM'), w.exit)));
      assert.equal(code, 0, b.err);
      assert.equal(b.out, local.stdout);
      // It said so, and its ETA counts only what it waits for.
      assert.match(b.err, new RegExp(`\\(${kept.length} chunks stored before\\)`));
      // The dead worker's chunk was computed again by a live one.
      assert.match(w1.err + w2.err, new RegExp(`chunk ${killedChunk} done`));
      // The restarted coordinator took over the queued jobs: one job per chunk over both runs.
      const jobs = await pool.query(
        `SELECT count(*) AS n, count(DISTINCT data->>'chunk') AS chunks FROM ${SCHEMA}.job WHERE name = $1 AND data->>'trial' = $2`,
        [QUEUE, id],
      );
      assert.deepEqual(
        { n: Number(jobs.rows[0].n), chunks: Number(jobs.rows[0].chunks) },
        { n: TOTAL, chunks: TOTAL },
      );
      // Chunks stored before the restart were not computed again by the new workers.
      // (The killed chunk may have been stored just before the kill: its job still runs again.)
      const redone = [...(w1.err + w2.err).matchAll(/chunk (\d+) done/g)].map((m) => Number(m[1]));
      assert.deepEqual(
        redone.filter((c) => kept.includes(c) && c !== killedChunk),
        [],
      );
      assert.equal(await stored(), TOTAL);

      // Every chunk stored: a third run with no worker alive prints the same bytes.
      const again = dosetwin(
        'trial',
        'run',
        spec,
        '--queue',
        URL!,
        '--queue-schema',
        SCHEMA,
        '--format',
        'json',
      );
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, local.stdout);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pool.end();
    }
  },
);

test('queue: a schema name that is not an SQL identifier is refused naming the option (exit 2)', () => {
  const r = dosetwin('trial', 'worker', '--queue', 'postgres://x@127.0.0.1:1/x', '--queue-schema', 'a;drop');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--queue-schema/);
  assert.match(r.stderr, /DT_TRIAL_QUEUE/);
});
