/**
 * Analyses run in a pool of worker threads (piscina), never on the event loop: an analysis takes
 * from a fraction of a second to minutes (a dose of 1e308 mg keeps the fit searching for a minute
 * and more), and the service must go on answering meanwhile. Each task is stopped after
 * `timeoutMs` of running (the worker is terminated), each worker's heap is capped, a user has at
 * most `perUser` analyses running or waiting, and at most `queue` tasks wait for a thread.
 *
 * Tasks go to piscina only when a thread is free, so the time limit counts running time, not time
 * spent waiting behind other users' analyses.
 *
 * The workers run compiled JavaScript, never the sources through tsx (which compiles them again
 * in every new thread, a second each: bench/results.md), which matters each time a stopped
 * analysis's thread is replaced. When the service runs compiled (`dosetwin serve`, `npm start`:
 * each package's dist/, scripts/build.mjs), the threads load the compiled task module beside this one.
 * When it runs from the sources (tests, under tsx), the task module and all it imports (engine,
 * models) are bundled into one ES module by esbuild when the pool starts (about 0.2 s, off the
 * event loop, once per process), built from the sources the process runs, so never older.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DosetwinError } from '@dosetwin/engine';
import type {
  AnalysisCandidate,
  DrugAnalysisInputs,
  LocalModelProposal,
  LocalModelRequest,
  Regimen,
} from '@dosetwin/models';
import { Piscina } from 'piscina';
import type { AnalysisResult, AnalysisSubject, RetainedEvaluation } from './analysis.ts';
import type { AnalysisTask, TaskOutcome } from './analysis-task.ts';
import { reject } from './errors.ts';

export interface AnalysisLimits {
  /** Worker threads (default: the machine's cores). */
  threads: number;
  /** Longest running time of one analysis, ms (default 60 s). */
  timeoutMs: number;
  /** Heap of one worker, MB (V8's old generation; default 1024). */
  memoryMb: number;
  /** Analyses one user may have running or waiting at once (default 2). */
  perUser: number;
  /** Tasks that may wait for a thread, all users together (default 64). */
  queue: number;
}

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = {
  threads: Math.max(1, availableParallelism()),
  timeoutMs: 60_000,
  memoryMb: 1024,
  perUser: 2,
  queue: 64,
};

/**
 * Limits from the environment (`DOSETWIN_ANALYSIS_THREADS`, `…_TIMEOUT_S`, `…_MEMORY_MB`,
 * `…_PER_USER`, `…_QUEUE`); a value that is not a positive number is refused by name.
 */
export function analysisLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AnalysisLimits> {
  const out: Partial<AnalysisLimits> = {};
  const read = (name: string, key: keyof AnalysisLimits, scale = 1): void => {
    const v = env[name];
    if (v === undefined || v === '') return;
    const x = Number(v);
    if (!(Number.isFinite(x) && x > 0)) throw new Error(`${name}=${v}: a positive number is expected`);
    out[key] = key === 'timeoutMs' ? x * scale : Math.floor(x);
  };
  read('DOSETWIN_ANALYSIS_THREADS', 'threads');
  read('DOSETWIN_ANALYSIS_TIMEOUT_S', 'timeoutMs', 1000);
  read('DOSETWIN_ANALYSIS_MEMORY_MB', 'memoryMb');
  read('DOSETWIN_ANALYSIS_PER_USER', 'perUser');
  read('DOSETWIN_ANALYSIS_QUEUE', 'queue');
  return out;
}

interface Waiting {
  start(): void;
}

/**
 * How a worker thread loads the task module: 'compiled' from the package's dist/ (the default when
 * this module runs compiled), 'bundle' the sources bundled by esbuild (the default under tsx), 'tsx'
 * the TypeScript sources compiled in each thread (the bench compares the three).
 */
export type WorkerLoader = 'compiled' | 'bundle' | 'tsx';

/** Whether this module runs compiled (dist/) rather than from its TypeScript source. */
const COMPILED = import.meta.url.endsWith('.js');

/** A file of the package's src/ (dist/ and src/ are side by side, at the same depth). */
const sourceFile = (name: string): URL => new URL(`${COMPILED ? '../src' : '.'}/${name}`, import.meta.url);

/**
 * The compiled task module: beside this one when compiled, else in dist/ (brought up to date by
 * scripts/build.mjs before; only the bench asks for it from the sources).
 */
const compiledTask = (): string =>
  new URL(COMPILED ? './analysis-task.js' : '../dist/analysis-task.js', import.meta.url).href;

let bundled: Promise<string> | undefined;

/**
 * The URL of the compiled worker (analysis-task.ts bundled), built once per process. It is written
 * under the package's node_modules/.cache, named by its content (processes sharing the checkout
 * write the same file, by rename, never a half-written one), so that `@dosetwin/engine` still
 * resolves from it (the engine's version is read from its package.json).
 */
export function bundledWorker(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [fileURLToPath(sourceFile('analysis-task.ts'))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    const dir = fileURLToPath(new URL('../node_modules/.cache/dosetwin-analysis-worker/', import.meta.url));
    const name = `${dir}${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
    mkdirSync(dir, { recursive: true });
    const tmp = `${name}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, name);
    pruneBundles(dir, name, Date.now());
    return pathToFileURL(name).href;
  })();
  return bundled;
}

/** How long a compiled worker of other sources is kept: a service started a day ago may still start threads from it. */
export const BUNDLE_KEEP_MS = 24 * 3_600_000;

/**
 * Remove the compiled workers of earlier sources (each change of the code writes a new one) not
 * written for {@link BUNDLE_KEEP_MS}, and stale half-written files; `keep` (this process's) stays.
 * Returns the files removed. A file another process removes first is not an error.
 */
export function pruneBundles(dir: string, keep: string, nowMs: number): string[] {
  const removed: string[] = [];
  for (const f of readdirSync(dir)) {
    const path = `${dir}${f}`;
    if (path === keep || !/\.mjs(\.\d+\.tmp)?$/.test(f)) continue;
    try {
      if (nowMs - statSync(path).mtimeMs < BUNDLE_KEEP_MS) continue;
      rmSync(path, { force: true });
      removed.push(f);
    } catch {
      // removed meanwhile by another process
    }
  }
  return removed;
}

export class AnalysisPool {
  readonly limits: AnalysisLimits;
  private readonly pool: Promise<Piscina>;
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private readonly perUser = new Map<string, number>();
  /** The tasks handed to the pool and not yet answered, to stop when no thread can start. */
  private readonly inFlight = new Set<AbortController>();
  /** Why the threads cannot start (Piscina then starts no more), once they have failed to. */
  private bootFailure: unknown;

  /**
   * `loader`: see {@link WorkerLoader}; 'tsx' runs analysis-worker.mjs, which compiles the sources
   * in each thread.
   */
  constructor(limits: Partial<AnalysisLimits> = {}, loader: WorkerLoader = COMPILED ? 'compiled' : 'bundle') {
    this.limits = { ...DEFAULT_ANALYSIS_LIMITS, ...limits };
    const sources = sourceFile('analysis-worker.mjs').href;
    // A package directory that cannot be written (a read-only install) keeps the workers on the
    // sources: slower to start, the same results; a process warning says so.
    const file =
      loader === 'bundle'
        ? bundledWorker().catch((e: unknown) => {
            process.emitWarning(
              `analysis workers load the TypeScript sources through tsx: the compiled worker could not be built (${e instanceof Error ? e.message : String(e)})`,
            );
            return sources;
          })
        : Promise.resolve(loader === 'compiled' ? compiledTask() : sources);
    this.pool = file.then(
      (filename) =>
        new Piscina({
          filename,
          minThreads: this.limits.threads,
          maxThreads: this.limits.threads,
          idleTimeout: Number.POSITIVE_INFINITY,
          // Never the flags of whatever started this process (`--import tsx` under tests): the
          // same worker under tests, `dosetwin serve` and `npm start`.
          execArgv: [],
          resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb },
        }),
    );
    // A failed build is reported by the first analysis (and close), not as an unhandled rejection.
    this.pool.catch(() => {});
    // A thread that dies with no task of its own (above all while loading the code, when the
    // memory limit is too small even for that) is reported by Piscina as an 'error' event; Piscina
    // then starts no new thread, so the tasks waiting for one would wait for ever. They are
    // stopped with that error instead, and the analyses asked for later get it at once.
    this.pool
      .then((p) =>
        p.on('error', (e: unknown) => {
          if (p.threads.length > 0) {
            // Another thread is still there and Piscina replaces this one: said, not fatal.
            process.emitWarning(`an analysis thread stopped: ${String(e)}`, 'DosetwinAnalysisPool');
            return;
          }
          this.bootFailure = e;
          for (const a of this.inFlight) a.abort(e);
        }),
      )
      .catch(() => {});
  }

  /** The library's analysis of a request (runAnalysis), on a worker thread. */
  async analyse(userId: string, subject: AnalysisSubject): Promise<AnalysisResult> {
    return (await this.run(userId, { op: 'analyse', subject })) as AnalysisResult;
  }

  /**
   * The drug-level analysis's ranked candidates alone (drugCandidates), on a worker thread; `listed`:
   * only the first ones (the same as the full list's first).
   */
  async drugCandidates(
    userId: string,
    inputs: DrugAnalysisInputs,
    listed?: number,
  ): Promise<AnalysisCandidate[]> {
    return (await this.run(userId, {
      op: 'candidates',
      inputs,
      ...(listed === undefined ? {} : { listed }),
    })) as AnalysisCandidate[];
  }

  /**
   * Warm every thread (at the service's start): each loads the library and runs a small search
   * (warmUp), so the first request does not pay for it. The warm-ups count as running analyses:
   * a request arriving meanwhile waits for a thread as any other. A failure is only logged by the
   * caller: a request meets the same failure and reports it.
   */
  async warm(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.limits.threads }, (_, i) => this.run(`warm-up:${i}`, { op: 'warm' })),
    );
  }

  /** The evaluation of the regimen a decision retains (evaluateRetainedRegimen), on a worker thread. */
  async retained(
    userId: string,
    subject: AnalysisSubject,
    modelId: string,
    regimen: Regimen,
  ): Promise<RetainedEvaluation> {
    return (await this.run(userId, { op: 'retained', subject, modelId, regimen })) as RetainedEvaluation;
  }

  /** A local version of a library model with its evidence (proposeLocalModel), on a worker thread. */
  async localModel(userId: string, request: LocalModelRequest): Promise<LocalModelProposal> {
    return (await this.run(userId, { op: 'local-model', request })) as LocalModelProposal;
  }

  /** Analyses running and waiting now. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    await (await this.pool).destroy();
  }

  private async run(
    userId: string,
    task: AnalysisTask,
  ): Promise<AnalysisResult | RetainedEvaluation | AnalysisCandidate[] | LocalModelProposal> {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.perUser)
      reject(
        'DT_ANALYSIS_BUSY',
        'user',
        `you have ${mine} analyses running or waiting; at most ${this.limits.perUser} at once`,
        'wait for one to finish, then try again',
      );
    if (this.running >= this.limits.threads && this.waiting.length >= this.limits.queue)
      reject(
        'DT_SERVICE_BUSY',
        'server',
        `${this.running} analyses are running and ${this.waiting.length} waiting: the queue is full`,
        'try again in a minute',
      );
    this.perUser.set(userId, mine + 1);
    try {
      if (this.running >= this.limits.threads)
        await new Promise<void>((start) => this.waiting.push({ start }));
      else this.running++;
      try {
        return await this.runNow(task);
      } finally {
        const next = this.waiting.shift();
        // The thread passes to the next waiting task (running stays counted) or is freed.
        if (next) next.start();
        else this.running--;
      }
    } finally {
      const n = (this.perUser.get(userId) ?? 1) - 1;
      if (n > 0) this.perUser.set(userId, n);
      else this.perUser.delete(userId);
    }
  }

  private async runNow(
    task: AnalysisTask,
  ): Promise<AnalysisResult | RetainedEvaluation | AnalysisCandidate[] | LocalModelProposal> {
    // The time limit starts once the worker code is built (the first analysis of a process).
    const pool = await this.pool;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.limits.timeoutMs);
    this.inFlight.add(abort);
    let out: TaskOutcome;
    try {
      if (this.bootFailure !== undefined) throw this.bootFailure;
      out = (await pool.run(task, { signal: abort.signal })) as TaskOutcome;
    } catch (caught) {
      // When no thread could start, that thread's error is the answer (the task was stopped by it).
      const e: unknown = this.bootFailure ?? caught;
      if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
        reject(
          'DT_ANALYSIS_MEMORY',
          'analysis',
          `the analysis needed more than ${this.limits.memoryMb} MB and was stopped`,
          'check the record for an implausible number of doses or levels; the limit is DOSETWIN_ANALYSIS_MEMORY_MB',
        );
      if (this.bootFailure === undefined && abort.signal.aborted)
        reject(
          'DT_ANALYSIS_TIMEOUT',
          'analysis',
          `the analysis did not finish within ${this.limits.timeoutMs / 1000} s and was stopped`,
          'check the record for an implausible amount, level or time (a dose of 1e308 mg, a level in the wrong unit); the limit is DOSETWIN_ANALYSIS_TIMEOUT_S',
        );
      throw e;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(abort);
    }
    if (out.ok) return out.value;
    if ('issues' in out) throw new DosetwinError(out.issues);
    throw new Error(`analysis worker: ${out.error}`);
  }
}
