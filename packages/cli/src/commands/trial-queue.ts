// A trial through a PostgreSQL-backed job queue (pg-boss): `trial run --queue URL` enqueues one job
// per chunk not yet computed and collects the results; `trial worker --queue URL` processes run
// chunks, on as many machines as reach the database. A chunk's counts depend only on the trial
// file and the chunk index, so a chunk computed twice (a worker killed after writing, a job
// retried) gives the same row, stored once; a chunk whose worker died is retried by pg-boss once
// its time is up; a coordinator restarted with the same file resumes from the chunks stored.
import { createHash } from 'node:crypto';
import {
  chunkCount,
  DosetwinError,
  emptyCounts,
  mergeCounts,
  type TrialCounts,
  TrialRunner,
  trialShape,
} from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import PgBoss from 'pg-boss';
import pg from 'pg';

export const QUEUE = 'dosetwin-trial';
const SCHEMA = 'dosetwin_trials';

/** The identity of a trial: the hash of its file (the same file resumes, another starts afresh). */
export function trialId(file: TrialFile): string {
  return createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 32);
}

interface ChunkJob {
  trial: string;
  chunk: number;
  file: TrialFile;
}

async function ensureTable(pool: pg.Pool): Promise<void> {
  const ddl = `CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.chunk (
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

async function startBoss(url: string, maintenanceSeconds: number): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    maintenanceIntervalSeconds: maintenanceSeconds,
    schedule: false,
  });
  boss.on('error', (e) => process.stderr.write(`dosetwin trial: queue error: ${e.message}\n`));
  try {
    await boss.start();
  } catch (e) {
    queueError(`cannot start the queue on the database: ${(e as Error).message}`);
  }
  await boss.createQueue(QUEUE);
  return boss;
}

export interface QueueOptions {
  /** A chunk not finished within this time (its worker died or hangs) is given to another worker. */
  chunkTimeoutSeconds?: number;
  /** Attempts of a chunk before the trial fails. */
  retryLimit?: number;
}

/** Enqueues the trial's missing chunks and merges the results as workers store them. */
export async function runOnQueue(
  url: string,
  file: TrialFile,
  onChunk: (done: number) => void = () => {},
  o: QueueOptions = {},
): Promise<TrialCounts> {
  const r = resolveTrial(file);
  const total = chunkCount(r.setup);
  const id = trialId(file);
  const timeout = o.chunkTimeoutSeconds ?? 600;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // This process also supervises the queue (expired chunks back to the queue), often enough for the timeout.
  const boss = await startBoss(url, Math.max(1, Math.min(60, Math.ceil(timeout / 4))));
  try {
    await ensureTable(pool);
    const stored = new Set(
      (
        await pool.query<{ chunk: number }>(`SELECT chunk FROM ${SCHEMA}.chunk WHERE trial = $1`, [id])
      ).rows.map((x) => x.chunk),
    );
    // Chunks already queued or running (a coordinator restarted) are not queued again.
    const pending = new Set(
      (
        await pool.query<{ chunk: number }>(
          `SELECT (data->>'chunk')::int AS chunk FROM pgboss.job WHERE name = $1 AND data->>'trial' = $2 AND state < 'completed'`,
          [QUEUE, id],
        )
      ).rows.map((x) => x.chunk),
    );
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
          `SELECT chunk, counts FROM ${SCHEMA}.chunk WHERE trial = $1 AND NOT (chunk = ANY($2::int[]))`,
          [id, [...seen]],
        )
      ).rows;
      for (const row of rows) {
        seen.add(row.chunk);
        merged = mergeCounts(merged, row.counts);
        onChunk(seen.size);
      }
      if (seen.size === total) return merged;
      const failed = await pool.query<{
        chunk: number;
        output: { message?: string; value?: { message?: string } };
      }>(
        `SELECT (data->>'chunk')::int AS chunk, output FROM pgboss.job WHERE name = $1 AND data->>'trial' = $2 AND state = 'failed'`,
        [QUEUE, id],
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

/** Processes chunks until SIGINT or SIGTERM (runners cached per trial). */
export async function runQueueWorker(url: string, concurrency = 1): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await ensureTable(pool);
  const boss = await startBoss(url, 60);
  const runners = new Map<string, TrialRunner>();
  const handle = async (job: PgBoss.Job<ChunkJob>): Promise<void> => {
    const { trial, chunk, file } = job.data;
    let runner = runners.get(trial);
    if (!runner) {
      runner = new TrialRunner(resolveTrial(file).setup);
      if (runners.size > 8) runners.clear();
      runners.set(trial, runner);
    }
    process.stderr.write(`dosetwin trial worker: trial ${trial.slice(0, 8)} chunk ${chunk} started\n`);
    const counts = runner.runChunk(chunk);
    await pool.query(
      `INSERT INTO ${SCHEMA}.chunk (trial, chunk, counts) VALUES ($1, $2, $3) ON CONFLICT (trial, chunk) DO NOTHING`,
      [trial, chunk, JSON.stringify(counts)],
    );
    process.stderr.write(`dosetwin trial worker: trial ${trial.slice(0, 8)} chunk ${chunk} done\n`);
  };
  for (let k = 0; k < concurrency; k++)
    await boss.work<ChunkJob>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) =>
      handle(job),
    );
  process.stderr.write(`dosetwin trial worker: waiting for chunks on ${QUEUE}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await boss.stop({ graceful: true, wait: true });
  await pool.end();
}
