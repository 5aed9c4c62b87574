// `dosetwin trial`: virtual trials of the library's models. The simulation and counting are the
// engine's (trial/), the trial file's resolution the library's (models/src/trial.ts); this file
// reads files and options, runs chunks on worker threads (or through the PostgreSQL queue, see
// trial-queue.ts), shows progress, and prints the report.
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import {
  convert,
  csvLines,
  DosetwinError,
  emptyCounts,
  isKnownUnit,
  interimForecast,
  mergeCounts,
  cellVerdict,
  nomogram,
  splitCsv,
  type TrialCounts,
  type TrialReport,
  trialReport,
  trialShape,
  chunkCount,
} from '@dosetwin/engine';
import { presetFor, getModel, resolveTrial, type ResolvedTrial, type TrialFile } from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, readText } from '../io.ts';
import { moduleWorker } from '../module-worker.ts';

/**
 * A progress bar with the ETA on stderr: redrawn on a terminal, a line per tenth otherwise.
 * `resumed` chunks were done before this run (a queue run started again): the ETA leaves them out.
 */
export function trialProgress(
  total: number,
  patientsPerChunk: number,
  totalPatients: number,
): (done: number, resumed?: number) => void {
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let lastDraw = 0;
  let lastTenth = -1;
  return (done, resumed = 0) => {
    const now = Date.now();
    const elapsed = (now - t0) / 1000;
    const eta = done > resumed ? (elapsed * (total - done)) / (done - resumed) : NaN;
    const patients = Math.min(totalPatients, done * patientsPerChunk);
    const w = 30;
    const k = Math.round((w * done) / total);
    const text = `trial [${'#'.repeat(k)}${'.'.repeat(w - k)}] ${done}/${total} chunks, ${patients}/${totalPatients} patients${resumed > 0 ? ` (${resumed} chunks stored before)` : ''}, ${elapsed.toFixed(1)} s${done < total && Number.isFinite(eta) ? `, ETA ${eta.toFixed(1)} s` : ''}`;
    if (tty) {
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      process.stderr.write(`\r${text}${done === total ? '\n' : ''}`);
    } else {
      const tenth = Math.floor((10 * done) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      process.stderr.write(`${text}\n`);
    }
  };
}

/** Runs every chunk on `workers` threads; the merged counts do not depend on `workers`. */
export async function runOnThreads(
  file: TrialFile,
  workers: number,
  onChunk: (done: number) => void = () => {},
): Promise<TrialCounts> {
  const r = resolveTrial(file);
  const total = chunkCount(r.setup);
  let merged = emptyCounts(trialShape(r.setup));
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(workers, total)) }, async () => {
      const w = moduleWorker(new URL('./trial-worker.ts', import.meta.url), { file });
      try {
        await new Promise<void>((resolve, reject) => {
          w.on(
            'message',
            (m: { ready?: boolean; counts?: TrialCounts; error?: string; issues?: unknown }) => {
              if (m.error !== undefined) {
                reject(
                  m.issues ? new DosetwinError(m.issues as DosetwinError['issues']) : new Error(m.error),
                );
                return;
              }
              if (m.counts) {
                merged = mergeCounts(merged, m.counts);
                onChunk(++done);
              }
              if (next < total) w.postMessage(next++);
              else resolve();
            },
          );
          w.on('error', reject);
          w.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`trial worker exited with ${code}`)),
          );
        });
      } finally {
        await w.terminate();
      }
    }),
  );
  return merged;
}

/** The report with the trial's meta data, ready for JSON. */
export function trialOutput(
  r: ResolvedTrial,
  counts: TrialCounts,
): { meta: ResolvedTrial['meta'] & { seed: number; n: number; chunkSize: number }; report: TrialReport } {
  const report = trialReport(counts, trialShape(r.setup), r.labels, chunkCount(r.setup));
  return { meta: { ...r.meta, seed: r.setup.seed, n: r.setup.n, chunkSize: r.setup.chunkSize }, report };
}

const num = (x: number): string => (Number.isFinite(x) ? String(x) : '');

/** One row per arm, stratum cell, day and endpoint: arm,cell,day,endpoint,mic,k,n,p,se. */
export function trialCsv(out: ReturnType<typeof trialOutput>): string {
  const { meta, report } = out;
  const rows = ['arm,cell,day,endpoint,mic,k,n,p,se'];
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const arm of report.arms) {
    const blocks = [
      { cell: 'all', days: arm.days },
      ...arm.cells.map((c) => ({ cell: c.bands.join(' & '), days: c.days })),
    ];
    for (const b of blocks)
      for (const d of b.days) {
        const row = (
          endpoint: string,
          mic: string,
          p: { k: number; n: number; p: number; se: number },
        ): void => {
          rows.push(
            [q(arm.name), q(b.cell), d.day, q(endpoint), mic, p.k, p.n, num(p.p), num(p.se)].join(','),
          );
        };
        d.targets.forEach((p, i) => row(meta.targets[i], '', p));
        row('all targets', '', d.all);
        d.toxicity.forEach((p, i) => row(meta.toxicity[i], '', p));
        d.mic.forEach((p, i) => row('all targets', `${meta.mics[i]} ${meta.micUnit}`, p));
      }
  }
  return rows.join('\n') + '\n';
}

/**
 * A covariate table for resampling: a header of clinical variable names, each with its unit in
 * brackets (`WT (kg)`) or in the population's unit when none is given, and numbers; a value in
 * another unit than the population's is converted.
 */
export function readCovariateTable(
  path: string,
  model: string,
): { columns: { name: string; unit: string }[]; rows: number[][] } {
  const lines = csvLines(readText(path, '--covariates'), path);
  const drug = getModel(model).ir.drug ?? '';
  const preset = presetFor(drug);
  const known = new Map(
    preset && preset.population.kind === 'distribution'
      ? preset.population.variables.map((v) => [v.name, v.unit])
      : [],
  );
  const head = splitCsv(lines[0]).map((h, j) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.+)\))?\s*$/.exec(h);
    if (!m) argError('--covariates', `${path}:1: column ${j + 1} '${h}' is not NAME or NAME (unit)`);
    const [, name, unit] = m!;
    const want = known.get(name);
    const given = unit?.trim() ?? want ?? '-';
    if (unit && want && given !== want && !(isKnownUnit(given) && isKnownUnit(want)))
      argError(
        '--covariates',
        `${path}:1: ${name} in '${given}' cannot be converted to the population's '${want}'`,
      );
    return { name, given, unit: want ?? given };
  });
  const rows = lines.slice(1).map((line, i) =>
    splitCsv(line).map((cell, j) => {
      const c = head[j];
      if (!c) argError('--covariates', `${path}:${i + 2}: more cells than columns`);
      const v = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(v))
        argError('--covariates', `${path}:${i + 2}: ${c.name} '${cell}' is not a number`);
      return c.given !== c.unit && c.unit !== '-' ? convert(v, c.given, c.unit, `--covariates ${c.name}`) : v;
    }),
  );
  rows.forEach((r, i) => {
    if (r.length !== head.length)
      argError('--covariates', `${path}:${i + 2}: ${r.length} cells for ${head.length} columns`);
  });
  if (!rows.length) argError('--covariates', `${path}: no rows`);
  return { columns: head.map((c) => ({ name: c.name, unit: c.unit })), rows };
}

function int(v: string | undefined, field: string, min: number, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) argError(field, `'${v}' must be an integer ≥ ${min}`);
  return x;
}

function workersOf(v: string | undefined): number {
  return int(v, '--workers', 1, Math.max(1, Math.min(availableParallelism(), 8)));
}

function readTrialFile(path: string): TrialFile {
  const text = readText(path, 'trial');
  try {
    return JSON.parse(text) as TrialFile;
  } catch (e) {
    throw new DosetwinError([
      {
        code: 'DT_TRIAL_SPEC',
        severity: 'error',
        field: 'trial',
        message: `${path} is not JSON: ${(e as Error).message}`,
        file: path,
      },
    ]);
  }
}

export function registerTrial(program: Command): void {
  const trial = program
    .command('trial')
    .description(
      'virtual trials: PTA of regimens and TDM strategies over a virtual population, dosing nomograms',
    );
  trial
    .command('pta')
    .description('probability of target attainment of one regimen, with its Monte Carlo standard error')
    .requiredOption('--model <id>', 'library model id, e.g. vancomycin/goti2018')
    .requiredOption(
      '--regimen <text>',
      "e.g. '1000 mg q12h over 1 h' or '2000 mg over 2 h then 1000 mg q12h over 1 h'",
    )
    .option('--target <text...>', "targets with units, e.g. 'auc24>=400 mg*h/L' (default: the library's)")
    .option('--n <patients>', 'virtual patients', '10000')
    .option('--days <n>', 'days of treatment; the PTA is read on the last one', '7')
    .option(
      '--covariates <file.csv>',
      'resample patients from this table (NAME (unit) columns) instead of the drug’s population',
    )
    .option('--mic <mg/L>', 'MIC for MIC-based targets (mg/L)')
    .option('--seed <n>', 'seed', '1')
    .option('--workers <n>', 'worker threads (default: the cores, at most 8)')
    .option('--format <fmt>', 'text | json', 'text')
    .action(async (o) => {
      process.exitCode = await guarded(async () => {
        const file: TrialFile = {
          model: o.model,
          arms: [{ name: o.regimen, regimen: o.regimen }],
          days: int(o.days, '--days', 1, 7),
          ...(o.target ? { targets: o.target as string[] } : {}),
          ...(o.mic !== undefined ? { mic: Number(o.mic) } : {}),
          ...(o.covariates ? { population: { table: readCovariateTable(o.covariates, o.model) } } : {}),
          n: int(o.n, '--n', 1, 10000),
          seed: int(o.seed, '--seed', 0, 1),
        };
        const r = resolveTrial(file);
        const total = chunkCount(r.setup);
        const counts = await runOnThreads(
          file,
          workersOf(o.workers),
          trialProgress(total, r.setup.chunkSize, r.setup.n),
        );
        const out = trialOutput(r, counts);
        const day = out.report.arms[0].days[file.days - 1];
        if (o.format === 'json') {
          process.stdout.write(
            JSON.stringify(
              {
                ...out.meta,
                day: file.days,
                targets: out.meta.targets.map((t, i) => ({ target: t, ...day.targets[i] })),
                all: day.all,
              },
              null,
              2,
            ) + '\n',
          );
          return 0;
        }
        const lines = out.meta.targets.map(
          (t, i) =>
            `PTA ${t} on day ${file.days}: ${day.targets[i].p.toFixed(4)} ± ${day.targets[i].se.toFixed(4)} (Monte Carlo SE)`,
        );
        if (out.meta.targets.length > 1)
          lines.push(`PTA all targets: ${day.all.p.toFixed(4)} ± ${day.all.se.toFixed(4)}`);
        lines.push(
          `${r.setup.n} virtual patients, ${file.model}, ${o.regimen}, seed ${file.seed}${o.covariates ? `, covariates resampled from ${o.covariates}` : ''}`,
        );
        process.stdout.write(lines.join('\n') + '\n');
        return 0;
      });
    });
  trial
    .command('run')
    .description('run a trial file (JSON) on worker threads or through a PostgreSQL queue')
    .argument('<spec>', 'trial file (JSON)')
    .option('--workers <n>', 'worker threads (default: the cores, at most 8)')
    .option(
      '--queue <url>',
      'PostgreSQL URL: enqueue the chunks and collect their results (workers: dosetwin trial worker)',
    )
    .option(
      '--chunk-timeout <s>',
      'with --queue: a chunk not done in this time (its worker died) goes to another worker (default 600)',
    )
    .option(
      '--queue-schema <name>',
      'with --queue: the schema of the queue and its results (default dosetwin_trials)',
    )
    .option(
      '--covariates <file.csv>',
      'resample patients from this table instead of the trial file’s population',
    )
    .option('--format <fmt>', 'json | csv', 'json')
    .option('--out <file>', 'write the output there instead of stdout')
    .action(async (spec: string, o) => {
      process.exitCode = await guarded(async () => {
        if (!['json', 'csv'].includes(o.format)) argError('--format', `'${o.format}' is not json or csv`);
        let file = readTrialFile(spec);
        if (o.covariates)
          file = { ...file, population: { table: readCovariateTable(o.covariates, file.model) } };
        const r = resolveTrial(file);
        const total = chunkCount(r.setup);
        const progress = trialProgress(total, r.setup.chunkSize, r.setup.n);
        let counts: TrialCounts;
        if (o.queue) {
          const { runOnQueue } = await import('./trial-queue.ts');
          counts = await runOnQueue(o.queue, file, progress, {
            chunkTimeoutSeconds: int(o.chunkTimeout, '--chunk-timeout', 1, 600),
            schema: o.queueSchema,
          });
        } else counts = await runOnThreads(file, workersOf(o.workers), progress);
        const out = trialOutput(r, counts);
        const text = o.format === 'csv' ? trialCsv(out) : JSON.stringify(out, null, 2) + '\n';
        if (o.out) writeFileSync(o.out, text);
        else process.stdout.write(text);
        return 0;
      });
    });
  trial
    .command('nomogram')
    .description(
      'a dosing nomogram: the arm with the highest PTA in each cell of the trial file’s two strata (rows × columns), as a table and a one-page PDF',
    )
    .argument('<spec>', 'trial file (JSON) with two strata, e.g. weight and CrCL bands')
    .option('--pdf <file>', 'write the one-page PDF there')
    .option('--day <n>', 'the day whose PTA is read (default: the last)')
    .option('--lang <lang>', 'en | fr (the PDF)', 'en')
    .option('--threshold <p>', 'cells with a PTA below this are marked (0..1)', '0.5')
    .option('--workers <n>', 'worker threads (default: the cores, at most 8)')
    .action(async (spec: string, o) => {
      process.exitCode = await guarded(async () => {
        if (!['en', 'fr'].includes(o.lang)) argError('--lang', `'${o.lang}' is not en or fr`);
        const file = readTrialFile(spec);
        const r = resolveTrial(file);
        if (r.setup.strata.length !== 2)
          argError(
            'strata',
            `a nomogram needs two strata (rows, columns); ${spec} has ${r.setup.strata.length}`,
          );
        const day = int(o.day, '--day', 1, file.days);
        const threshold = Number(o.threshold);
        if (!(threshold >= 0 && threshold <= 1))
          argError('--threshold', `'${o.threshold}' must be a number in 0..1`);
        if (day > file.days) argError('--day', `day ${day} is after the trial's last (${file.days})`);
        const total = chunkCount(r.setup);
        const counts = await runOnThreads(
          file,
          workersOf(o.workers),
          trialProgress(total, r.setup.chunkSize, r.setup.n),
        );
        const out = trialOutput(r, counts);
        const nom = nomogram(out.report, r.setup.strata, day);
        const basis = [
          `${getModel(file.model).ir.citation?.text ?? file.model} (${file.model}); target ${out.meta.targets.join(', ')}.`,
          `${r.setup.n} virtual patients (${r.setup.population.label}), seed ${r.setup.seed}; each regimen given to every patient for ${file.days} days; PTA of day ${day}.`,
        ];
        const lines = [
          `${file.name ?? 'Nomogram'} — PTA on day ${day}`,
          [`${nom.rows.stratum} \\ ${nom.columns.stratum}`, ...nom.columns.bands].join(' | '),
          ...nom.rows.bands.map((b, i) =>
            [
              b,
              ...nom.cells[i].map((c) =>
                c.arm && c.pta && c.ci95
                  ? `${c.arm} (${(100 * c.pta.p).toFixed(0)} %, 95 % CI ${c.ci95.map((v) => (100 * v).toFixed(0)).join('–')} %, n ${c.pta.n}, ${cellVerdict(c.ci95, threshold)})`
                  : '–',
              ),
            ].join(' | '),
          ),
        ];
        process.stdout.write(lines.join('\n') + '\n');
        if (o.pdf) {
          const { renderNomogramPdf } = await import('@dosetwin/server');
          const pdf = await renderNomogramPdf({
            title: file.name ?? `${file.model}: nomogram`,
            nomogram: nom,
            basis,
            threshold,
            lang: o.lang,
          });
          writeFileSync(o.pdf, pdf);
          process.stderr.write(`nomogram written to ${o.pdf} (${pdf.length} bytes)\n`);
        }
        return 0;
      });
    });
  trial
    .command('forecast')
    .description(
      'interim forecast: the enrolled patients’ data (NONMEM-style CSV) fitted by the twin, the rest of each arm simulated; the endpoint (PTA of all targets on the last day) per arm with its 90 % predictive interval',
    )
    .argument('<spec>', 'trial file (JSON); n = planned patients per arm')
    .requiredOption(
      '--data <file.csv>',
      'the enrolled patients’ doses, levels and covariates (units in the header or the model’s)',
    )
    .option('--arm <name>', 'the arm they are in (name or 0-based index; default the first)')
    .option('--replicates <n>', 'replicates of the rest of the trial', '200')
    .option('--format <fmt>', 'text | json', 'text')
    .action(async (spec: string, o) => {
      process.exitCode = await guarded(async () => {
        const file = readTrialFile(spec);
        const r = resolveTrial(file);
        const names = r.labels.arms;
        const arm =
          o.arm === undefined ? 0 : names.indexOf(o.arm) >= 0 ? names.indexOf(o.arm) : Number(o.arm);
        if (!(Number.isInteger(arm) && arm >= 0 && arm < names.length))
          argError('--arm', `'${o.arm}' is not an arm of ${spec} (${names.join(', ')})`);
        const { readPatients } = await import('../data.ts');
        const patients = readPatients(getModel(file.model), o.data);
        const f = interimForecast(
          r.setup,
          patients.map((p) => ({ arm, history: p.patient })),
          { replicates: int(o.replicates, '--replicates', 2, 200) },
        );
        if (o.format === 'json') {
          process.stdout.write(
            JSON.stringify({ ...f, arms: f.arms.map((a, i) => ({ name: names[i], ...a })) }, null, 2) + '\n',
          );
          return 0;
        }
        const lines = f.arms.map(
          (a, i) =>
            `${names[i]}: PTA ${a.mean.toFixed(3)} (90 % predictive interval ${a.lo.toFixed(3)}–${a.hi.toFixed(3)}), ${a.enrolled} of ${a.total} enrolled`,
        );
        lines.push(
          `endpoint: all targets attained on day ${file.days}, ${f.replicates} replicates, seed ${r.setup.seed}; targets ${r.meta.targets.join(', ')}`,
        );
        process.stdout.write(lines.join('\n') + '\n');
        return 0;
      });
    });
  trial
    .command('worker')
    .description(
      'run chunks of the trials queued in PostgreSQL until stopped (any number of processes, on any machine)',
    )
    .requiredOption('--queue <url>', 'PostgreSQL URL')
    .option('--concurrency <n>', 'chunks at once in this process, each on its own thread', '1')
    .option('--queue-schema <name>', 'the schema of the queue and its results (default dosetwin_trials)')
    .action(async (o) => {
      process.exitCode = await guarded(async () => {
        const { runQueueWorker } = await import('./trial-queue.ts');
        await runQueueWorker(o.queue, int(o.concurrency, '--concurrency', 1, 1), o.queueSchema);
        return 0;
      });
    });
}
