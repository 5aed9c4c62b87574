// dosetwin trial through the PostgreSQL queue (pg-boss) on the database of DATABASE_URL: three
// `dosetwin trial worker` processes on loopback, one killed (SIGKILL) while it computes a chunk;
// its chunk is retried after the chunk timeout and the coordinator's output is byte for byte the
// output of the same trial on worker threads. A second run of the same file resumes from the
// stored chunks (no worker needed).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import { dosetwin, REPO } from '../test-support.ts';
import { runOnThreads, trialOutput } from './trial.ts';
import { trialId } from './trial-queue.ts';

const URL = process.env.DATABASE_URL;
const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

const FILE: TrialFile = {
  name: 'queue test',
  model: 'vancomycin/goti2018',
  arms: [{ regimen: '1000 mg q12h over 1 h' }, { regimen: '1500 mg q12h over 1.5 h' }],
  days: 4,
  targets: ['auc24=400..600 mg*h/L'],
  n: 1600,
  chunkSize: 100,
  seed: 9,
};

function worker(log: string[]): ChildProcess {
  const p = spawn(process.execPath, [BIN, 'trial', 'worker', '--queue', URL!], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  p.stderr!.setEncoding('utf8');
  p.stderr!.on('data', (d: string) => log.push(d));
  return p;
}

test(
  'queue: 3 worker processes, one killed mid-chunk → the same output as worker threads; a rerun resumes from the stored chunks',
  { skip: URL ? false : 'DATABASE_URL is not set (the queue needs PostgreSQL)', timeout: 240_000 },
  async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    // A clean slate for this trial: its stored chunks and queued jobs from an earlier run.
    await pool.query(`CREATE SCHEMA IF NOT EXISTS dosetwin_trials`).catch(() => {});
    await pool.query(`DELETE FROM dosetwin_trials.chunk WHERE trial = $1`, [trialId(FILE)]).catch(() => {});
    await pool.query(`DELETE FROM pgboss.job WHERE data->>'trial' = $1`, [trialId(FILE)]).catch(() => {});
    const dir = mkdtempSync(join(tmpdir(), 'dt-trial-queue-'));
    const spec = join(dir, 'trial.json');
    writeFileSync(spec, JSON.stringify(FILE));
    // Compile dist once before several processes start from it.
    assert.equal(dosetwin('--version').code, 0);
    const logs: string[][] = [[], [], []];
    const workers = logs.map((l) => worker(l));
    const coordinator = spawn(
      process.execPath,
      [BIN, 'trial', 'run', spec, '--queue', URL!, '--chunk-timeout', '6', '--format', 'json'],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    coordinator.stdout!.on('data', (d) => (stdout += d));
    coordinator.stderr!.on('data', (d) => (stderr += d));
    // Kill worker 0 while it computes a chunk (started, not done).
    let killedChunk = -1;
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        const text = logs[0].join('');
        const started = [...text.matchAll(/chunk (\d+) started/g)].map((m) => Number(m[1]));
        const done = new Set([...text.matchAll(/chunk (\d+) done/g)].map((m) => Number(m[1])));
        const busy = started.find((c) => !done.has(c));
        if (busy !== undefined) {
          killedChunk = busy;
          workers[0].kill('SIGKILL');
          clearInterval(t);
          resolve();
        }
      }, 20);
      coordinator.on('exit', () => {
        clearInterval(t);
        reject(new Error(`the coordinator ended before worker 0 took a chunk: ${stderr}`));
      });
    });
    const code = await new Promise<number | null>((resolve) => coordinator.on('exit', resolve));
    // Stop the others and wait for them: their last lines reach the logs before they exit.
    await Promise.all(
      workers.slice(1).map((w) => new Promise((resolve) => (w.once('exit', resolve), w.kill('SIGTERM')))),
    );
    assert.equal(code, 0, stderr);
    assert.ok(killedChunk >= 0);
    // The killed worker's chunk was computed by another worker.
    const others = logs[1].join('') + logs[2].join('');
    assert.match(others, new RegExp(`chunk ${killedChunk} done`));
    const threads = trialOutput(resolveTrial(FILE), await runOnThreads(FILE, 2));
    assert.equal(stdout, JSON.stringify(threads, null, 2) + '\n');
    // Resume: every chunk is stored, so a rerun with no worker alive returns the same output.
    const again = dosetwin('trial', 'run', spec, '--queue', URL!, '--format', 'json');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, stdout);
    await pool.end();
  },
);
