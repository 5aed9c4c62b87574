import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type CompiledModel,
  loadModel,
  MapEstimator,
  type MapOptions,
  parseDataset,
  type PatientData,
  predictionBands,
  samplePosterior,
} from '@dosetwin/engine';
import type { Command } from 'commander';
import { argError, guarded, printIssues, readText } from '../io.ts';

/** Options of `dosetwin fit` that reach the estimator (also sent to the workers). */
export interface FitSettings {
  samples: number;
  seed: number;
  priorWeight: number;
  logDv: boolean;
  starts: number;
}

/** One line of `dosetwin fit --format json`. */
export interface FitLine {
  id: string;
  /** Etas in model order at the mode (inter-occasion etas 0: the forecast convention). */
  eta: number[];
  etaNames: string[];
  /** NONMEM's per-patient OBJ: MAP objective + ln|Ω| − ln|ETC|. */
  obj: number | null;
  /** MAP objective Σ [ln var + (DV − F)²/var] + ηᵀΩ⁻¹η at the mode. */
  objective: number | null;
  /** Conditional covariance of the etas (ETC), model order; rows/columns of fixed etas are 0. */
  cov: (number | null)[][];
  converged: boolean;
  message: string;
  ipred: { time: number; cmt: number; dv: number | null; ipred: number | null }[];
  /** Fitted inter-occasion etas per occasion, model order of the IOV etas (models with IOV). */
  iov?: { occ: number; eta: number[] }[];
  /** With --samples N: the posterior by adaptive Metropolis from the mode. */
  posterior?: {
    samples: number;
    seed: number;
    acceptance: number;
    names: string[];
    mean: number[];
    sd: number[];
    q025: number[];
    q50: number[];
    q975: number[];
    /** Effective sample size per component (batch means). */
    ess: number[];
    /** 90 % credible band (5 %, 50 %, 95 %) of the prediction at each observation record, IOV = 0. */
    ipred: { time: number; cmt: number; q05: number; q50: number; q95: number }[];
  };
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Fit one patient and build its output line (engine calls only; used by the workers too). */
export function fitLine(est: MapEstimator, model: CompiledModel, p: PatientData, s: FitSettings): FitLine {
  const fit = est.fit(p);
  const nEta = model.ir.etas.length;
  const n = fit.x.length;
  const cov: (number | null)[][] = Array.from({ length: nEta }, () => new Array<number | null>(nEta).fill(0));
  const obj = est.objective(p);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      if (obj.occasion[a] === 0 && obj.occasion[b] === 0)
        cov[obj.etaIndex[a]][obj.etaIndex[b]] = num(fit.cov[a * n + b]);
  const line: FitLine = {
    id: p.id,
    eta: Array.from(fit.eta),
    etaNames: fit.etaNames,
    obj: num(fit.obj),
    objective: num(fit.objective),
    cov,
    converged: fit.converged,
    message: fit.message,
    ipred: fit.ipred.map((r) => ({ time: r.time, cmt: r.cmt, dv: num(r.dv), ipred: num(r.ipred) })),
  };
  const occs = [...new Set(Array.from(obj.occasion).filter((o) => o > 0))];
  if (occs.length)
    line.iov = occs.map((o) => ({
      occ: o,
      eta: Array.from(fit.x).filter((_, i) => obj.occasion[i] === o),
    }));
  if (s.samples > 0 && Number.isFinite(fit.objective)) {
    const post = samplePosterior(obj, fit.x, fit.cov, { samples: s.samples, seed: s.seed });
    const q = (p_: number): number[] => post.names.map((_, i) => post.quantile(i, p_));
    const { bands } = predictionBands(est.sim, p, post, (x, eta) => {
      for (let i = 0; i < n; i++) if (obj.occasion[i] === 0) eta[obj.etaIndex[i]] = x[i];
    });
    line.posterior = {
      samples: post.size,
      seed: s.seed,
      acceptance: post.acceptance,
      names: post.names,
      mean: Array.from(post.mean),
      sd: Array.from(post.sd),
      q025: q(0.025),
      q50: q(0.5),
      q975: q(0.975),
      ess: Array.from(post.ess),
      ipred: bands
        .filter((b) => p.evid[b.record] === 0)
        .map((b) => ({ time: b.time, cmt: b.cmt, q05: b.q[0], q50: b.q[1], q95: b.q[2] })),
    };
  }
  return line;
}

export function estimatorOptions(s: FitSettings): MapOptions {
  return { priorWeight: s.priorWeight, logDv: s.logDv, starts: s.starts };
}

/** A progress bar on stderr (TTY only), for more than a few patients. */
function progress(total: number): { tick(done: number, failed: number): void; end(): void } {
  const tty = process.stderr.isTTY && total > 4;
  const t0 = Date.now();
  let last = 0;
  return {
    tick(done, failed) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const w = 30;
      const k = Math.round((w * done) / total);
      process.stderr.write(
        `\rfit [${'#'.repeat(k)}${'.'.repeat(w - k)}] ${done}/${total}${failed ? `, ${failed} not converged` : ''} ${((now - t0) / 1000).toFixed(1)} s`,
      );
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** Where the worker's module is, and how to start it with the TypeScript loader. */
function startWorker(data: unknown): Worker {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./fit-worker.ts', import.meta.url).href;
  // The worker registers tsx (as bin/dosetwin.mjs does) and then loads the TypeScript worker.
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: data });
}

/** Fit all patients on `threads` worker threads; lines are printed in dataset order. */
async function fitParallel(
  texts: { model: string; modelFile: string; data: string; dataFile: string },
  nPatients: number,
  s: FitSettings,
  threads: number,
  emit: (i: number, line: string, converged: boolean) => void,
): Promise<void> {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: threads }, async () => {
      const w = startWorker({ ...texts, settings: s });
      try {
        await new Promise<void>((resolve, reject) => {
          const send = (): void => {
            if (next < nPatients) w.postMessage(next++);
            else resolve();
          };
          w.on('message', (m: { index: number; line?: string; converged?: boolean; error?: string }) => {
            if (m.error !== undefined) {
              reject(new Error(m.error));
              return;
            }
            if (m.line !== undefined) {
              if (!m.converged) failed++;
              emit(m.index, m.line, m.converged ?? false);
            }
            send();
          });
          w.on('error', reject);
          w.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`fit worker exited with ${code}`)),
          );
        });
      } finally {
        await w.terminate();
      }
    }),
  );
  void failed;
}

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description(
      'MAP (Bayesian) estimation of each patient’s etas, with NONMEM’s OBJ and conditional covariance (ETC); optionally the full posterior',
    )
    .requiredOption('--model <file>', 'model file (.dtm)')
    .requiredOption(
      '--data <file>',
      'NONMEM-style CSV dataset (ID, TIME, EVID, AMT, RATE, CMT, II, ADDL, SS, MDV, DV, OCC, BLQ/CENS, LLOQ, covariates)',
    )
    .option('--format <format>', 'json (one object per line per patient)', 'json')
    .option('--samples <n>', 'posterior draws per patient (adaptive Metropolis from the mode); 0 = none', '0')
    .option('--seed <n>', 'seed of the posterior sampler', '1')
    .option('--prior-weight <w>', 'weight of the prior (1 = the model’s Ω; < 1 flattens it)', '1')
    .option('--log-dv', 'DV is already ln(concentration) for outputs with a log-transformed (exp) error')
    .option('--starts <n>', 'extra starting points per patient (multimodal posteriors)', '0')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .action(
      async (opts: {
        model: string;
        data: string;
        format: string;
        samples: string;
        seed: string;
        priorWeight: string;
        logDv?: boolean;
        starts: string;
        threads?: string;
      }) => {
        process.exitCode = await guarded(async () => {
          if (opts.format !== 'json') argError('--format', `'${opts.format}' is not supported; use json`);
          const int = (v: string, name: string, min: number): number => {
            const x = Number(v);
            if (!Number.isInteger(x) || x < min) argError(name, `'${v}' must be a whole number ≥ ${min}`);
            return x;
          };
          const settings: FitSettings = {
            samples: int(opts.samples, '--samples', 0),
            seed: int(opts.seed, '--seed', 0),
            priorWeight: Number(opts.priorWeight),
            logDv: opts.logDv ?? false,
            starts: int(opts.starts, '--starts', 0),
          };
          if (!(settings.priorWeight > 0) || !Number.isFinite(settings.priorWeight))
            argError('--prior-weight', `'${opts.priorWeight}' must be a number > 0`);
          const modelText = readText(opts.model, 'model');
          const dataText = readText(opts.data, 'data');
          const model = loadModel(modelText, opts.model);
          const ds = parseDataset(dataText, model.ir, opts.data);
          printIssues(ds.issues);
          const est = new MapEstimator(model, estimatorOptions(settings));
          // Validate every patient's observations (CMT read by an output, DV present) up front.
          ds.patients.forEach((p) => est.objective(p));
          const N = ds.patients.length;
          const cores = opts.threads ? int(opts.threads, '--threads', 1) : availableParallelism();
          const threads = Math.max(1, Math.min(cores, Math.ceil(N / 8)));
          const bar = progress(N);
          const pending = new Map<number, string>();
          let printed = 0;
          let done = 0;
          let failed = 0;
          const emit = (i: number, line: string, converged: boolean): void => {
            done++;
            if (!converged) failed++;
            pending.set(i, line);
            while (pending.has(printed)) {
              process.stdout.write(pending.get(printed)! + '\n');
              pending.delete(printed++);
            }
            bar.tick(done, failed);
          };
          if (threads === 1)
            ds.patients.forEach((p, i) => {
              const line = fitLine(est, model, p, settings);
              emit(i, JSON.stringify(line), line.converged);
            });
          else
            await fitParallel(
              { model: modelText, modelFile: opts.model, data: dataText, dataFile: opts.data },
              N,
              settings,
              threads,
              emit,
            );
          bar.end();
          if (failed)
            process.stderr.write(
              `dosetwin fit: ${failed} of ${N} patient(s) did not converge (see "converged" and "message")\n`,
            );
          return 0;
        });
      },
    );
}
