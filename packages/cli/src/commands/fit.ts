import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import {
  averagePredictions,
  type CompiledModel,
  type FixedEtaEvaluation,
  individualValues,
  MapEstimator,
  misfitChecks,
  type MapObjective,
  type MapOptions,
  parseEtaTable,
  type PatientData,
  predictionBands,
  sampledExposure,
  samplePosterior,
} from '@dosetwin/engine';
import type { DrugFit, FitDrugOptions } from '@dosetwin/models';
// Reading data needs only this part of the library; the rest (model averaging) is loaded by
// `fit --drug` alone, so fitting a model file does not parse the whole library.
import { checkCodedColumns, type DrugPatient, parseDrugData } from '@dosetwin/models/data';
import type { Command } from 'commander';
import { DATA_HELP, printDataNotes, readPatients } from '../data.ts';
import { argError, guarded, printIssues, readText } from '../io.ts';
import { moduleWorker } from '../module-worker.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';

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
  /** Other modes of the posterior within 6 objective units (with DT_MAP_MULTIMODAL in `warnings`). */
  otherModes?: { eta: number[]; objective: number; obj: number; weight: number }[];
  warnings?: { code: string; field: string; message: string }[];
  /** Units of the parameters' model, the times and the exposure below. */
  units: { dose: string; time: string; conc: string };
  /** The model's individual values at the last record at the MAP etas (model order, IOV 0); {} when the fit failed. */
  parameters: Record<string, number>;
  /**
   * Each dosing interval holding a level (from its dose to the next, or one II after the last;
   * without II, to its last level): AUC, Cmin, Cmax at the MAP etas with the occasion's IOV.
   */
  exposure: {
    from: number;
    to: number;
    levels: number;
    auc: number | null;
    cmin: number | null;
    cmax: number | null;
  }[];
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

/** A line as printed and sent from a worker. */
export const fitted = (line: FitLine): FittedLine => ({
  line: JSON.stringify(line),
  converged: line.converged,
  warnings: line.warnings,
});

/**
 * Fit one patient and build its output line (engine calls only; used by the workers too). `obj`:
 * the patient's MAP objective when the caller has built it already (the main thread, which checks
 * every patient's observations before fitting).
 */
export function fitLine(
  est: MapEstimator,
  model: CompiledModel,
  p: PatientData,
  s: FitSettings,
  obj: MapObjective = est.objective(p),
): FitLine {
  const fit = est.fit(p, obj);
  const nEta = model.ir.etas.length;
  const n = fit.x.length;
  const cov: (number | null)[][] = Array.from({ length: nEta }, () => new Array<number | null>(nEta).fill(0));
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      if (obj.occasion[a] === 0 && obj.occasion[b] === 0)
        cov[obj.etaIndex[a]][obj.etaIndex[b]] = num(fit.cov[a * n + b]);
  const ok = Number.isFinite(fit.objective);
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
    units: model.ir.units,
    // The individual's values and the sampled intervals' exposure at the mode (the occasions' IOV in).
    parameters: ok ? individualValues(model, p, fit.eta) : {},
    exposure: ok
      ? sampledExposure(est.sim, p, Float64Array.from(obj.simulatorEta(fit.x))).map((w) => ({
          from: w.from,
          to: w.to,
          levels: w.levels,
          auc: num(w.auc),
          cmin: num(w.cmin),
          cmax: num(w.cmax),
        }))
      : [],
  };
  if (fit.otherModes.length)
    line.otherModes = fit.otherModes.map((m) => ({
      eta: Array.from(m.eta),
      objective: m.objective,
      obj: m.obj,
      weight: m.weight,
    }));
  // What says the fit should not be trusted unchecked (non-convergence, levels far from the fit or
  // from the typical patient, extreme etas), beside the estimator's own warnings.
  const warnings = [...fit.warnings, ...(ok ? misfitChecks(model, est.sim, p, fit) : [])];
  if (warnings.length)
    line.warnings = warnings.map((w) => ({ code: w.code, field: w.field, message: w.message }));
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

/** One line of `dosetwin fit --at ETAS.csv`: the objective, OBJ and ETC at the given etas. */
export function atLine(e: FixedEtaEvaluation): {
  id: string;
  eta: number[];
  etaNames: string[];
  objective: number | null;
  obj: number | null;
  cov: (number | null)[][];
  decrement: number | null;
  kinks: string[];
  ipred: { time: number; cmt: number; dv: number | null; ipred: number | null }[];
  warnings: { code: string; field: string; message: string }[];
} {
  const m = e.etaNames.length;
  return {
    id: e.id,
    eta: Array.from(e.eta),
    etaNames: e.etaNames,
    objective: num(e.objective),
    obj: num(e.obj),
    cov: Array.from({ length: m }, (_, a) => Array.from({ length: m }, (_, b) => num(e.etaCov[a * m + b]))),
    decrement: num(e.decrement),
    kinks: e.kinks,
    ipred: e.ipred.map((r) => ({ time: r.time, cmt: r.cmt, dv: num(r.dv), ipred: num(r.ipred) })),
    warnings: e.warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
  };
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

/** A thread running fit-worker.ts. */
function startWorker(data: unknown): Worker {
  return moduleWorker(new URL('./fit-worker.ts', import.meta.url), data);
}

/** A fitted patient's line as printed, and what the main thread says of it on stderr. */
export interface FittedLine {
  line: string;
  converged: boolean;
  warnings: FitLine['warnings'];
}

/**
 * What one more worker thread costs before it fits a patient: its start, loading the compiled
 * engine and library, compiling the model, and its JIT warming up again on the first patients: a
 * second thread on the 600-patient bench cost 0.6–0.7 s of CPU more than one.
 */
const WORKER_START_MS = 500;
/**
 * Fitting time (CPU) on the main thread after which it judges whether more threads would pay, by
 * its pace since {@link WARM_MS}: the first patients cost several times the others (the JIT
 * compiles the engine's code as it first runs), so a pace from the start would overrate the work.
 */
const PROBE_MS = 300;
const WARM_MS = 200;

/**
 * How many workers to start beside the main thread, fitting at `msPerPatient` with `left` patients
 * to go: one per two worker starts' worth of the work left (a worker started now takes its share
 * only after starting), at most `maxThreads` − 1.
 */
export function workersWorthStarting(msPerPatient: number, left: number, maxThreads: number): number {
  const remaining = msPerPatient * left;
  return Math.max(0, Math.min(maxThreads - 1, Math.floor(remaining / (2 * WORKER_START_MS))));
}

/**
 * Fits every patient, the main thread fitting too, and emits each line (any order; the caller
 * prints in dataset order). `threads` given: that many threads from the start (the main thread
 * and threads − 1 workers). Otherwise chosen by the work: the main thread fits alone for
 * {@link PROBE_MS} of CPU time, then starts as many workers (up to `maxThreads` − 1) as the remaining work
 * at its own pace pays for, each costing {@link WORKER_START_MS}. A short job (600
 * one-compartment patients: under a second) thus runs on one thread, where two would spend more
 * starting than they save; a long one spreads over the cores. Every line is the same whichever
 * thread fits it.
 */
async function fitAll(
  patients: readonly PatientData[],
  fitHere: (i: number) => FittedLine,
  workerData: { model: string; patients: readonly PatientData[]; settings: FitSettings },
  threads: { fixed: number } | { max: number },
  emit: (i: number, fitted: FittedLine) => void,
): Promise<void> {
  const N = patients.length;
  let next = 0;
  let failure: unknown;
  const running: Promise<void>[] = [];
  const spawn = (k: number): void => {
    for (let w = 0; w < k; w++)
      running.push(
        runWorker(workerData, () => (failure === undefined && next < N ? next++ : -1), emit).catch(
          (e: unknown) => {
            failure ??= e;
          },
        ),
      );
  };
  if ('fixed' in threads) spawn(threads.fixed - 1);
  let probing = 'max' in threads && threads.max > 1;
  // The work is judged by CPU time, not wall time: on a loaded machine the wall clock runs on
  // while the thread waits for a core, and more threads would not help.
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpuMs();
  let warm: { cpu: number; done: number } | undefined;
  while (failure === undefined && next < N) {
    const i = next++;
    emit(i, fitHere(i));
    if (probing) {
      const cpu = cpuMs();
      if (warm === undefined && cpu - t0 >= WARM_MS) warm = { cpu, done: next };
      else if (warm !== undefined && cpu - t0 >= PROBE_MS) {
        probing = false;
        const pace = (cpu - warm.cpu) / Math.max(1, next - warm.done);
        spawn(workersWorthStarting(pace, N - next, (threads as { max: number }).max));
      }
    }
    // With workers, their replies are handled between the main thread's own fits.
    if (running.length > 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}

/** One worker thread fitting the patients `take` hands it (-1: none left) until none is left. */
async function runWorker(
  data: { model: string; patients: readonly PatientData[]; settings: FitSettings },
  take: () => number,
  emit: (i: number, fitted: FittedLine) => void,
): Promise<void> {
  const w = startWorker(data);
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (): void => {
        const i = take();
        if (i >= 0) w.postMessage(i);
        else resolve();
      };
      w.on('message', (m: { index: number; error?: string } & Partial<FittedLine>) => {
        if (m.error !== undefined) {
          reject(new Error(m.error));
          return;
        }
        if (m.line !== undefined)
          emit(m.index, { line: m.line, converged: m.converged ?? false, warnings: m.warnings });
        send();
      });
      w.on('error', reject);
      w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fit worker exited with ${code}`))));
    });
  } finally {
    await w.terminate();
  }
}

/** The model-averaging options of `fit --drug` and `recommend --drug`, declared once. */
export function drugOptions(c: Command): Command {
  return c
    .option(
      '--formulation <brand>',
      'with --drug: the formulation taken, when the drug’s models are formulation-specific',
    )
    .option('--models <ids>', 'with --drug: only these library models (comma-separated ids)')
    .option(
      '--scheme <scheme>',
      "with --drug: weights by 'likelihood' (exp(−OFV/2)) or 'aic' (exp(−OFV/2 − k))",
      'likelihood',
    )
    .option(
      '--criterion <objective>',
      "with --drug: the OFV of the weights: 'map' (MAP objective) or 'laplace' (NONMEM OBJ)",
      'map',
    )
    .option(
      '--outside-domain <what>',
      "with --drug: models outside their validity domain: 'keep' (with the warning) or 'exclude'",
      'keep',
    );
}

export function registerFit(program: Command): void {
  drugOptions(program.command('fit'))
    .description(
      'MAP (Bayesian) estimation of each patient’s etas, with NONMEM’s OBJ and conditional covariance (ETC); optionally the full posterior',
    )
    .option('--model <file|id>', MODEL_HELP)
    .option(
      '--drug <name>',
      'fit every library model of the drug and average them (weights from each model’s likelihood, Uster 2021); the data then state their units in the header',
    )
    .requiredOption('--data <file>', `${DATA_HELP}; with --drug: units in the header`)
    .option('--format <format>', 'json (one object per line per patient); text with --drug', 'json')
    .option('--samples <n>', 'posterior draws per patient (adaptive Metropolis from the mode); 0 = none', '0')
    .option('--seed <n>', 'seed of the posterior sampler', '1')
    .option('--prior-weight <w>', 'weight of the prior (1 = the model’s Ω; < 1 flattens it)', '1')
    .option('--log-dv', 'DV is already ln(concentration) for outputs with a log-transformed (exp) error')
    .option('--starts <n>', 'extra starting points per patient (multimodal posteriors)', '0')
    .option(
      '--threads <n>',
      'threads fitting patients, the main one included (default: one, up to all cores when the fits take long enough for more to pay)',
    )
    .option(
      '--at <file>',
      'evaluate at given etas instead of fitting (NONMEM MAXEVAL=0 with $ETAS): CSV with ID and ETA1..ETAn or the eta names, e.g. NONMEM’s eta table',
    )
    .action(
      async (opts: {
        model?: string;
        drug?: string;
        formulation?: string;
        models?: string;
        scheme: string;
        criterion: string;
        outsideDomain: string;
        data: string;
        format: string;
        samples: string;
        seed: string;
        priorWeight: string;
        logDv?: boolean;
        starts: string;
        threads?: string;
        at?: string;
      }) => {
        process.exitCode = await guarded(async () => {
          if ((opts.model === undefined) === (opts.drug === undefined))
            argError('--model', 'give either --model FILE or --drug NAME', "e.g. '--drug vancomycin'");
          if (opts.drug !== undefined) return await fitDrugCommand(opts as typeof opts & { drug: string });
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
          const { model, ref } = resolveModelArg(opts.model!);
          const data = readPatients(ref, opts.data);
          printDataNotes(data, process.stderr);
          const ds = { patients: data.map((d) => d.patient) };
          printIssues(model.warnings);
          const est = new MapEstimator(model, estimatorOptions(settings));
          // Validate every patient's observations (CMT read by an output, DV present) up front;
          // the main thread's fits take their objectives from here (each let go once used).
          const objectives: (MapObjective | undefined)[] = ds.patients.map((p) => est.objective(p));
          if (opts.at !== undefined) {
            const etas = parseEtaTable(readText(opts.at, 'etas'), model.ir, opts.at);
            for (const p of ds.patients) {
              const eta = etas.get(p.id);
              if (!eta) argError('--at', `ID ${p.id} of the dataset has no row in '${opts.at}'`);
              process.stdout.write(JSON.stringify(atLine(est.evaluateAt(p, eta))) + '\n');
            }
            return 0;
          }
          const N = ds.patients.length;
          const threads = opts.threads
            ? { fixed: Math.max(1, Math.min(int(opts.threads, '--threads', 1), Math.ceil(N / 8))) }
            : { max: availableParallelism() };
          const bar = progress(N);
          const pending = new Map<number, string>();
          const out: string[] = [];
          let lastWrite = performance.now();
          const flush = (): void => {
            process.stdout.write(out.join('\n') + '\n');
            out.length = 0;
            lastWrite = performance.now();
          };
          let printed = 0;
          let done = 0;
          let failed = 0;
          const emit = (i: number, { line, converged, warnings }: FittedLine): void => {
            done++;
            if (!converged) failed++;
            // The misfit warnings are said on stderr too: a fit is not to be used without a word.
            for (const w of warnings ?? [])
              process.stderr.write(`ID ${ds.patients[i].id}: warning ${w.code} [${w.field}] ${w.message}\n`);
            pending.set(i, line);
            while (pending.has(printed)) {
              out.push(pending.get(printed)!);
              pending.delete(printed++);
            }
            // Lines go out in batches (one write per 50 ms or so), not one write each.
            if (out.length > 0 && (printed === N || performance.now() - lastWrite >= 50)) flush();
            bar.tick(done, failed);
          };
          try {
            await fitAll(
              ds.patients,
              (i) => {
                const obj = objectives[i]!;
                objectives[i] = undefined;
                return fitted(fitLine(est, model, ds.patients[i], settings, obj));
              },
              { model: opts.model!, patients: ds.patients, settings },
              threads,
              emit,
            );
          } finally {
            // What was fitted before an error is printed.
            if (out.length > 0) flush();
          }
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

/** One line of `dosetwin fit --drug … --format json`: every model's fit, its weight, the average. */
export interface DrugFitLine {
  id: string;
  drug: string;
  scheme: string;
  criterion: string;
  /** Units of the data (and of every time, concentration and objective below). */
  units: { dose: string; time: string; conc: string };
  models: {
    id: string;
    version: string;
    citation: string;
    /** −2 ln density of the levels in the data's units (the weights' OFV). */
    objective: number;
    /** NONMEM's OBJ in the model's units. */
    obj: number | null;
    weight: number;
    converged: boolean;
    etaNames: string[];
    eta: number[];
    /** The model's named variables at the last record at the MAP etas (model units). */
    parameters: Record<string, number>;
    ipred: { time: number; dv: number | null; ipred: number | null }[];
  }[];
  selected: string;
  /** Model-averaged IPRED at the levels (weighted mean of the models' IPRED). */
  averaged: { ipred: { time: number; dv: number | null; ipred: number }[] };
  excluded: { id: string; reason: string }[];
  warnings: { code: string; field: string; message: string }[];
}

export function drugFitLine(f: DrugFit): DrugFitLine {
  const models = f.models.map((m) => ({
    id: m.id,
    version: m.version,
    citation: m.citation,
    objective: m.objective,
    obj: num(m.fit.obj),
    weight: m.weight,
    converged: m.fit.converged,
    etaNames: m.fit.etaNames,
    eta: Array.from(m.fit.eta),
    parameters: m.individual,
    ipred: m.fit.ipred.map((r) => ({
      time: r.time / m.factors.time,
      dv: num(r.dv / m.factors.conc),
      ipred: num(r.ipred / m.factors.conc),
    })),
  }));
  const avg = averagePredictions(
    f.models.map((m) => m.weight),
    models.map((m) => m.ipred.map((r) => r.ipred ?? NaN)),
    models.map((m) => m.id),
  );
  return {
    id: f.id,
    drug: f.drug,
    scheme: f.scheme,
    criterion: f.criterion,
    units: f.units,
    models,
    selected: f.models[f.selected].id,
    averaged: {
      ipred: models[0].ipred.map((r, i) => ({ time: r.time, dv: r.dv, ipred: avg[i] })),
    },
    excluded: f.excluded,
    warnings: f.warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
  };
}

const PARAMS = ['CL', 'V', 'V1', 'Q', 'V2', 'KA', 'KTR'];
const sig = (x: number | null, d = 4): string => (x === null ? '-' : String(Number(x.toPrecision(d))));

/** The text report of one patient's drug-level fit. */
export function drugFitText(l: DrugFitLine): string {
  const out: string[] = [];
  const why = `${l.scheme === 'aic' ? 'AIC (OFV + 2k)' : 'likelihood exp(−OFV/2)'}, OFV = ${l.criterion === 'laplace' ? 'NONMEM OBJ' : 'MAP objective'}`;
  out.push(
    `${l.id}: ${l.drug}, ${l.models.length} model(s), weights by ${why}; units ${l.units.conc}, ${l.units.time}`,
  );
  const w = Math.max(...l.models.map((m) => m.id.length));
  out.push(
    `  ${'model'.padEnd(w)}  ${'OFV'.padStart(9)}  ${'weight'.padStart(6)}  individual parameters (model units)`,
  );
  for (const m of l.models) {
    const ps = PARAMS.filter((p) => m.parameters[p] !== undefined)
      .map((p) => `${p} ${sig(m.parameters[p])}`)
      .join(', ');
    out.push(
      `  ${m.id.padEnd(w)}  ${m.objective.toFixed(3).padStart(9)}  ${m.weight.toFixed(3).padStart(6)}  ${ps}${m.converged ? '' : '  (not converged)'}${m.id === l.selected ? '  ← selected' : ''}`,
    );
  }
  out.push(
    `  averaged IPRED: ${l.averaged.ipred
      .map((r) => `t ${sig(r.time)}: ${sig(r.ipred)}${r.dv === null ? '' : ` (DV ${sig(r.dv)})`}`)
      .join('; ')} ${l.units.conc}`,
  );
  for (const x of l.excluded) out.push(`  left out: ${x.id}: ${x.reason}`);
  for (const x of l.warnings)
    if (x.code !== 'DT_AVERAGE_EXCLUDED') out.push(`  warning ${x.code}: ${x.message}`);
  return out.join('\n');
}

/** The averaging options shared by `fit --drug` and `recommend --drug`, checked (errors name the option). */
export function drugFitOptions(opts: {
  formulation?: string;
  models?: string;
  scheme: string;
  criterion: string;
  outsideDomain: string;
}): FitDrugOptions {
  if (opts.scheme !== 'likelihood' && opts.scheme !== 'aic')
    argError('--scheme', `'${opts.scheme}' is not likelihood or aic`);
  if (opts.criterion !== 'map' && opts.criterion !== 'laplace')
    argError('--criterion', `'${opts.criterion}' is not map or laplace`);
  if (opts.outsideDomain !== 'keep' && opts.outsideDomain !== 'exclude')
    argError('--outside-domain', `'${opts.outsideDomain}' is not keep or exclude`);
  return {
    scheme: opts.scheme,
    criterion: opts.criterion,
    outsideDomain: opts.outsideDomain,
    ...(opts.formulation ? { formulation: opts.formulation } : {}),
    ...(opts.models ? { models: opts.models.split(',').map((x) => x.trim()) } : {}),
  };
}

/**
 * A drug-level dataset (units in the header: `TIME (h)`, `AMT (mg)`, `DV (mg/L)`, `WT (kg)`), one
 * entry per patient; a SEX column is checked against its coding (0 = male, 1 = female), stated on
 * stderr.
 */
export function readDrugData(file: string): DrugPatient[] {
  const text = readText(file, 'data');
  for (const n of checkCodedColumns(text, file).notes) process.stderr.write(`note: ${n}\n`);
  return parseDrugData(text, file);
}

/** `dosetwin fit --drug NAME`: each patient of a drug-level dataset, every candidate model, averaged. */
async function fitDrugCommand(opts: {
  drug: string;
  data: string;
  format: string;
  formulation?: string;
  models?: string;
  scheme: string;
  criterion: string;
  outsideDomain: string;
  samples: string;
  logDv?: boolean;
  priorWeight: string;
  starts: string;
}): Promise<number> {
  if (opts.format !== 'json' && opts.format !== 'text')
    argError('--format', `'${opts.format}' is not json or text`);
  const averaging = drugFitOptions(opts);
  if (opts.samples !== '0') argError('--samples', 'the posterior sampler is not available with --drug');
  if (opts.logDv) argError('--log-dv', 'with --drug, DV is a concentration in the unit its header states');
  const priorWeight = Number(opts.priorWeight);
  if (!(priorWeight > 0) || !Number.isFinite(priorWeight))
    argError('--prior-weight', `'${opts.priorWeight}' must be a number > 0`);
  const starts = Number(opts.starts);
  if (!Number.isInteger(starts) || starts < 0)
    argError('--starts', `'${opts.starts}' must be a whole number ≥ 0`);
  const options: FitDrugOptions = { ...averaging, map: { priorWeight, starts } };
  const patients = readDrugData(opts.data);
  const { fitDrug } = await import('@dosetwin/models');
  for (const p of patients) {
    const line = drugFitLine(fitDrug(opts.drug, p, options));
    process.stdout.write((opts.format === 'json' ? JSON.stringify(line) : drugFitText(line)) + '\n');
  }
  return 0;
}
