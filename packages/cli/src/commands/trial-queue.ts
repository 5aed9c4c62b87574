// A trial through a PostgreSQL-backed job queue (pg-boss): `trial run --queue URL` enqueues one job
// per chunk not yet computed and collects the results; `trial worker --queue URL` processes run
// chunks, on as many machines as reach the database. A chunk's counts depend only on the trial
// file and the chunk index, so a chunk computed twice (a worker killed after writing, a job
// retried) gives the same row, stored once; a chunk whose worker died is retried by pg-boss once
// its time is up; a coordinator restarted with the same file resumes from the chunks stored.
// The queue's tables (pg-boss's and the chunk results) live in one schema of their own, by default
// dosetwin_trials, apart from the service's tables; another schema is another, independent queue.
import { createHash } from 'node:crypto';
import {
  chunkCount,
  DosetwinError,
  emptyCounts,
  mergeCounts,
  type TrialCounts,
  trialShape,
} from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { moduleWorker } from '../module-worker.ts';
import type { QueueChunkMessage } from './trial-queue-thread.ts';

export const QUEUE = 'dosetwin-trial';
export const DEFAULT_SCHEMA = 'dosetwin_trials';

/** The identity of a trial: the hash of its file (the same file resumes, another starts afresh). */
export function trialId(file: TrialFile): string {
  return createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 32);
}

interface ChunkJob {
  trial: string;
  chunk: number;
  file: TrialFile;
}

/** The schema named by --queue-schema, checked before it is written into SQL. */
export function queueSchema(name: string | undefined): string {
  const s = name ?? DEFAULT_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(s))
    throw new DosetwinError([
      {
        code: 'DT_TRIAL_QUEUE',
        severity: 'error',
        field: '--queue-schema',
        message: `'${s}' is not a schema name (lower-case letters, digits and _, at most 63)`,
      },
    ]);
  return s;
}

async function ensureTable(pool: pg.Pool, schema: string): Promise<void> {
  const ddl = `CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE IF NOT EXISTS ${schema}.chunk (
      trial text NOT NULL, chunk integer NOT NULL, counts jsonb NOT NULL,
      computed_on timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (trial, chunk))`;
  // Concurrent first starts race on IF NOT EXISTS (a unique violation on the catalogue): once more.
  try {
    await pool.query(ddl);
  } catch {
    await pool.query(ddl);
  }
}

function queueError(message: string): never {
  throw new DosetwinError([{ code: 'DT_TRIAL_QUEUE', severity: 'error', field: '--queue', message }]);
}

async function startBoss(url: string, schema: string, maintenanceSeconds: number): Promise<PgBoss> {
  const start = async (): Promise<PgBoss> => {
    const boss = new PgBoss({
      connectionString: url,
      schema,
      maintenanceIntervalSeconds: maintenanceSeconds,
      schedule: false,
    });
    boss.on('error', (e) => process.stderr.write(`dosetwin trial: queue error: ${e.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    return boss;
  };
  try {
    return await start();
  } catch {
    // Processes started together on a new schema race to install pg-boss's tables; the loser
    // finds them installed on a second start.
    try {
      return await start();
    } catch (e) {
      queueError(`cannot start the queue on the database: ${(e as Error).message}`);
    }
  }
}

export interface QueueOptions {
  /** A chunk not finished within this time (its worker died or hangs) is given to another worker. */
  chunkTimeoutSeconds?: number;
  /** Attempts of a chunk before the trial fails. */
  retryLimit?: number;
  /** The schema holding the queue and the chunk results (default dosetwin_trials). */
  schema?: string;
}

/** Enqueues the trial's missing chunks and merges the results as workers store them. */
export async function runOnQueue(
  url: string,
  file: TrialFile,
  onChunk: (done: number, resumed: number) => void = () => {},
  o: QueueOptions = {},
): Promise<TrialCounts> {
  const r = resolveTrial(file);
  const total = chunkCount(r.setup);
  const id = trialId(file);
  const timeout = o.chunkTimeoutSeconds ?? 600;
  const schema = queueSchema(o.schema);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // This process also supervises the queue (expired chunks back to the queue), often enough for the timeout.
  const boss = await startBoss(url, schema, Math.max(1, Math.min(60, Math.ceil(timeout / 4))));
  try {
    await ensureTable(pool, schema);
    const stored = new Set(
      (
        await pool.query<{ chunk: number }>(`SELECT chunk FROM ${schema}.chunk WHERE trial = $1`, [id])
      ).rows.map((x) => x.chunk),
    );
    // Chunks already queued or running (a coordinator restarted) are not queued again; chunks
    // that failed under an earlier coordinator are queued afresh, and those old failures ignored.
    const earlier = (
      await pool.query<{ id: string; chunk: number; state: string }>(
        `SELECT id, (data->>'chunk')::int AS chunk, state FROM ${schema}.job WHERE name = $1 AND data->>'trial' = $2 AND state IN ('created', 'retry', 'active', 'failed')`,
        [QUEUE, id],
      )
    ).rows;
    const pending = new Set(earlier.filter((x) => x.state !== 'failed').map((x) => x.chunk));
    const oldFailures = earlier.filter((x) => x.state === 'failed').map((x) => x.id);
    const jobs = [];
    for (let c = 0; c < total; c++)
      if (!stored.has(c) && !pending.has(c))
        jobs.push({
          name: QUEUE,
          data: { trial: id, chunk: c, file } satisfies ChunkJob,
          retryLimit: o.retryLimit ?? 5,
          retryDelay: 1,
          expireInSeconds: timeout,
        });
    for (let i = 0; i < jobs.length; i += 500) await boss.insert(jobs.slice(i, i + 500));
    let merged = emptyCounts(trialShape(r.setup));
    const seen = new Set<number>();
    for (;;) {
      const rows = (
        await pool.query<{ chunk: number; counts: TrialCounts }>(
          `SELECT chunk, counts FROM ${schema}.chunk WHERE trial = $1 AND NOT (chunk = ANY($2::int[]))`,
          [id, [...seen]],
        )
      ).rows;
      for (const row of rows) {
        seen.add(row.chunk);
        merged = mergeCounts(merged, row.counts);
        onChunk(seen.size, stored.size);
      }
      if (seen.size === total) return merged;
      const failed = await pool.query<{
        chunk: number;
        output: { message?: string; value?: { message?: string } };
      }>(
        `SELECT (data->>'chunk')::int AS chunk, output FROM ${schema}.job WHERE name = $1 AND data->>'trial' = $2 AND state = 'failed' AND NOT (id = ANY($3::uuid[]))`,
        [QUEUE, id, oldFailures],
      );
      const lost = failed.rows.find((f) => !seen.has(f.chunk));
      if (lost)
        queueError(
          `chunk ${lost.chunk} failed ${o.retryLimit ?? 5} times: ${lost.output?.message ?? lost.output?.value?.message ?? 'no message'}`,
        );
      await new Promise((res) => setTimeout(res, 300));
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await pool.end();
  }
}

/** Processes chunks on `concurrency` threads (one chunk each at a time) until SIGINT or SIGTERM. */
export async function runQueueWorker(url: string, concurrency = 1, schemaName?: string): Promise<void> {
  const schema = queueSchema(schemaName);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await ensureTable(pool, schema);
  const boss = await startBoss(url, schema, 60);
  let stopping = false;
  let done = 0;
  const threads = Array.from({ length: concurrency }, () =>
    moduleWorker(new URL('./trial-queue-thread.ts', import.meta.url), null),
  );
  // A thread that dies takes the process with it: its chunk is then retried by another worker.
  for (const t of threads)
    t.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`dosetwin trial worker: a chunk thread exited (${code}); stopping\n`);
      process.exit(1);
    });
  const compute = (k: number, m: QueueChunkMessage): Promise<TrialCounts> =>
    new Promise((resolve, reject) => {
      threads[k].once('message', (r: { counts?: TrialCounts; error?: string }) =>
        r.counts ? resolve(r.counts) : reject(new Error(r.error)),
      );
      threads[k].postMessage(m);
    });
  const handle = async (k: number, job: PgBoss.Job<ChunkJob>): Promise<void> => {
    const { trial, chunk } = job.data;
    process.stderr.write(`dosetwin trial worker: trial ${trial.slice(0, 8)} chunk ${chunk} started\n`);
    const counts = await compute(k, job.data);
    await pool.query(
      `INSERT INTO ${schema}.chunk (trial, chunk, counts) VALUES ($1, $2, $3) ON CONFLICT (trial, chunk) DO NOTHING`,
      [trial, chunk, JSON.stringify(counts)],
    );
    done++;
    process.stderr.write(`dosetwin trial worker: trial ${trial.slice(0, 8)} chunk ${chunk} done\n`);
  };
  // One subscription per thread: each fetches its next job only once its thread is free. A chunk
  // takes a fraction of pg-boss's polling interval (0.5 s at the least), and pg-boss waits out the
  // rest of the interval after each job unless told otherwise: a subscription that has just
  // finished a chunk asks for the next one at once (without this, 2 workers spent 13.6 s of wall
  // time on 8.2 s of CPU for 50 chunks).
  const ids: string[] = [];
  for (let k = 0; k < concurrency; k++)
    ids[k] = await boss.work<ChunkJob>(
      QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        await handle(k, job);
        if (ids[k]) boss.notifyWorker(ids[k]);
      },
    );
  process.stderr.write(
    `dosetwin trial worker: waiting for chunks on ${schema}.${QUEUE} (${concurrency} at once)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await boss.stop({ graceful: true, wait: true });
  stopping = true;
  await Promise.all(threads.map((t) => t.terminate()));
  await pool.end();
  // What this machine gave (its threads included), for whoever sizes the pool of workers.
  const cpu = process.cpuUsage();
  process.stderr.write(
    `dosetwin trial worker: stopped after ${done} chunks, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n`,
  );
}
