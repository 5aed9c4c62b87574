import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  DosetwinError,
  type Issue,
  type ObservationDiagnostic,
  type PopFit,
  type VpcBin,
} from '@dosetwin/engine';
import type { Command } from 'commander';
import { DATA_HELP, printDataNotes, readPatients } from '../data.ts';
import { argError, guarded, printIssues } from '../io.ts';
import { moduleWorker } from '../module-worker.ts';
import { gofSvgs, vpcSvg } from '../svg-plots.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';

/** The object `dosetwin popfit --format json` prints. */
export interface PopfitOutput {
  method: 'focei' | 'saem';
  ofv: number | null;
  /** How the OFV was computed (SAEM: FOCE-I at its estimates). */
  ofvMethod: string;
  theta: Record<string, number>;
  omega: { names: string[]; matrix: number[][] };
  sigma: Record<string, number>;
  se: Record<string, number>;
  /** 95 % intervals (log scale for positive components; see the engine's `PopFit.ci95`). */
  ci95: Record<string, [number, number]>;
  /** The covariance step's matrix: sandwich (R⁻¹SR⁻¹) or r (R⁻¹); null without the step. */
  covarianceMethod: string | null;
  shrinkage: Record<string, number>;
  converged: boolean;
  iterations: number;
  seconds: number;
  seed?: number;
  /** Each subject's empirical Bayes estimates (model eta order) and FOCE-I objective. */
  individuals: { id: string; eta: number[]; obj: number | null }[];
  warnings: { code: string; field: string; message: string }[];
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The printed object of a fit. */
export function popfitOutput(fit: PopFit, seconds: number, seed?: number): PopfitOutput {
  return {
    method: fit.method,
    ofv: num(fit.ofv),
    ofvMethod: fit.ofvMethod,
    theta: fit.theta,
    omega: fit.omega,
    sigma: fit.sigma,
    se: fit.se,
    ci95: fit.ci95,
    covarianceMethod: fit.covariance?.method ?? null,
    shrinkage: fit.shrinkage,
    converged: fit.converged,
    iterations: fit.iterations,
    seconds: Math.round(seconds * 1000) / 1000,
    ...(seed !== undefined ? { seed } : {}),
    individuals: fit.individuals.map((i) => ({ id: i.id, eta: i.eta, obj: num(i.obj) })),
    warnings: fit.warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
  };
}

/** A progress bar on stderr (TTY only): the phase, its iteration and the OFV when known. */
function progressBar(): {
  tick(p: { phase: string; iteration: number; of: number; ofv: number }): void;
  end(): void;
} {
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let last = 0;
  let shown = false;
  return {
    tick(p) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && p.iteration < p.of) return;
      last = now;
      shown = true;
      const w = 30;
      const k = Math.min(w, Math.round((w * p.iteration) / Math.max(1, p.of)));
      const ofv = Number.isFinite(p.ofv) ? ` OFV ${p.ofv.toFixed(3)}` : '';
      process.stderr.write(
        `\r${p.phase.padEnd(13)} [${'#'.repeat(k)}${'.'.repeat(w - k)}] ${p.iteration}/${p.of}${ofv} ${((now - t0) / 1000).toFixed(1)} s\x1b[K`,
      );
    },
    end() {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

/** What the worker computes for --report. */
interface Report {
  gof: ObservationDiagnostic[];
  vpc: VpcBin[];
  pcvpc: VpcBin[];
  units: { time: string; conc: string };
}

/** The report's files: the plots and the table of diagnostics. */
function writeReport(dir: string, r: Report): void {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = { ...gofSvgs(r.gof, r.units) };
  const obs = r.gof.filter((o) => !o.censored).map((o) => ({ time: o.time, dv: o.dv }));
  files['vpc.svg'] = vpcSvg('VPC (5th, 50th, 95th percentiles)', r.vpc, obs, r.units);
  files['pcvpc.svg'] = vpcSvg('Prediction-corrected VPC', r.pcvpc, [], r.units);
  const cell = (v: number): string => (Number.isFinite(v) ? String(v) : '');
  files['diagnostics.csv'] =
    'ID,TIME,DV,PRED,IPRED,IWRES,CWRES,BLQ\n' +
    r.gof
      .map(
        (o) =>
          [o.id, o.time, o.dv, o.pred, o.ipred, o.iwres, o.cwres]
            .map((v) => (typeof v === 'number' ? cell(v) : v))
            .join(',') + `,${o.censored ? 1 : 0}`,
      )
      .join('\n') +
    '\n';
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  process.stderr.write(`report: ${Object.keys(files).length} files in ${dir}\n`);
}

export function registerPopfit(program: Command): void {
  program
    .command('popfit')
    .description(
      'population fit of a model to many patients (FOCE-I or SAEM): θ, Ω, residual error, NONMEM’s OFV, standard errors (sandwich), ETA shrinkage, individual estimates',
    )
    .requiredOption('--model <file|id>', MODEL_HELP)
    .requiredOption('--data <file>', DATA_HELP)
    .requiredOption('--method <method>', 'focei (FOCE with interaction) or saem')
    .option('--seed <n>', 'seed of SAEM’s Markov chains', '1')
    .option('--fixed <names>', 'model parameters held at their value, comma-separated (centring constants…)')
    .option('--no-covariance', 'skip the covariance step (no standard errors)')
    .option(
      '--covariance-method <m>',
      'sandwich (R⁻¹SR⁻¹, NONMEM’s default) or r (R⁻¹, better calibrated with few subjects)',
      'sandwich',
    )
    .option(
      '--threads <n>',
      'threads for the subjects’ conditional modes (FOCE-I and the covariance step) and SAEM’s E-step (default: all cores, at most one per 50 subjects); the result does not depend on it',
    )
    .option(
      '--report <dir>',
      'write diagnostics there: DV vs PRED/IPRED, CWRES vs time/PRED, VPC and prediction-corrected VPC (SVG), and diagnostics.csv',
    )
    .option('--format <format>', 'json (one object)', 'json')
    .action(
      async (opts: {
        model: string;
        data: string;
        method: string;
        seed: string;
        fixed?: string;
        covariance: boolean;
        covarianceMethod: string;
        threads?: string;
        report?: string;
        format: string;
      }) => {
        process.exitCode = await guarded(async () => {
          if (opts.method !== 'focei' && opts.method !== 'saem')
            argError('--method', `'${opts.method}' is not focei or saem`);
          if (opts.format !== 'json') argError('--format', `'${opts.format}' is not supported; use json`);
          if (opts.covarianceMethod !== 'sandwich' && opts.covarianceMethod !== 'r')
            argError('--covariance-method', `'${opts.covarianceMethod}' is not sandwich or r`);
          const asked = opts.threads === undefined ? null : Number(opts.threads);
          if (asked !== null && (!Number.isInteger(asked) || asked < 1))
            argError('--threads', `'${opts.threads}' is not a positive integer`);
          const seed = Number(opts.seed);
          if (!Number.isInteger(seed)) argError('--seed', `'${opts.seed}' is not an integer`);
          const fixed = (opts.fixed ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const arg = resolveModelArg(opts.model);
          const data = readPatients(arg.ref, opts.data);
          printDataNotes(data, process.stderr);
          if (data.length < 2)
            argError('--data', `${data.length} patient(s) in '${opts.data}': a population fit needs several`);
          // By default, a thread per 50 subjects at most: each objective evaluation waits for every
          // thread, and a few subjects per thread would cost more in waiting than they save.
          const threads = asked ?? Math.max(1, Math.min(availableParallelism(), Math.ceil(data.length / 50)));
          const t0 = performance.now();
          const bar = progressBar();
          const worker = moduleWorker(new URL('./popfit-worker.ts', import.meta.url), {
            model: opts.model,
            patients: data.map((d) => d.patient),
            method: opts.method,
            seed,
            fixed,
            covariance: opts.covariance,
            covarianceMethod: opts.covarianceMethod,
            threads,
            report: opts.report !== undefined,
          });
          const { fit, report } = await new Promise<{ fit: PopFit; report: Report | null }>(
            (resolve, reject) => {
              worker.on(
                'message',
                (m: {
                  progress?: never;
                  fit?: PopFit;
                  report?: Report | null;
                  error?: string;
                  issues?: Issue[];
                }) => {
                  if (m.progress) bar.tick(m.progress);
                  else if (m.fit) resolve({ fit: m.fit, report: m.report ?? null });
                  else if (m.issues) reject(new DosetwinError(m.issues));
                  else reject(new Error(m.error));
                },
              );
              worker.on('error', reject);
              worker.on(
                'exit',
                (code) => code !== 0 && reject(new Error(`popfit worker exited with ${code}`)),
              );
            },
          ).finally(() => {
            bar.end();
            void worker.terminate();
          });
          const seconds = (performance.now() - t0) / 1000;
          printIssues(fit.warnings);
          if (report && opts.report) writeReport(opts.report, report);
          process.stdout.write(
            JSON.stringify(popfitOutput(fit, seconds, opts.method === 'saem' ? seed : undefined)) + '\n',
          );
          return 0;
        });
      },
    );
}
