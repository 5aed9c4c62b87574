import {
  createTwin,
  type Forecast,
  type ForecastWindow,
  type FutureRegimen,
  defaultWindows,
  type HistoryForecast,
  nextAdministrationTime,
  type PatientData,
  parseRegimen,
} from '@dosetwin/engine';
import { dedupeIssues } from '@dosetwin/models';
import type { Command } from 'commander';
import { DATA_HELP, readPatients } from '../data.ts';
import { argError, guarded, printIssues } from '../io.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';
import { fitSummary } from './recommend-state.ts';
import { parseTimes } from './simulate.ts';

interface Opts {
  model: string;
  data: string;
  regimen?: string;
  dose?: string;
  loadingDose?: string;
  loadingDuration?: string;
  interval?: string;
  duration: string;
  start?: string;
  count?: string;
  times?: string;
  origin?: string;
  window?: string[];
  mic?: string;
  fu: string;
  samples: string;
  seed: string;
  format: string;
}

const num = (s: string | undefined, field: string, min = 0): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < min) argError(field, `'${s}' is not a number ≥ ${min}`);
  return v;
};

/** The regimen from --regimen text, or from the structured options (model units). */
function regimenOf(
  o: Opts,
  units: { dose: string; time: string },
  history: PatientData,
): {
  regimen: FutureRegimen;
  conversions: string[];
} {
  const given = num(o.start, '--start', -Infinity);
  // Default start: the next administration due (one interval after the last dose given).
  const start = (tau: number): number => given ?? nextAdministrationTime(history, tau);
  if (o.regimen) {
    if (o.dose !== undefined || o.interval !== undefined || o.loadingDose !== undefined)
      argError('--regimen', 'give either --regimen or --dose/--interval/--loading-dose, not both');
    return parseRegimen(o.regimen, units, start, o.origin);
  }
  if (o.dose === undefined || o.interval === undefined)
    argError('--regimen', 'no regimen', "give --regimen '1000 mg q12h over 1 h' or --dose and --interval");
  const count = num(o.count, '--count', 1);
  if (count !== undefined && !Number.isInteger(count)) argError('--count', `'${o.count}' is not an integer`);
  const loading = num(o.loadingDose, '--loading-dose');
  const interval = num(o.interval, '--interval')!;
  return {
    regimen: {
      start: start(interval),
      dose: num(o.dose, '--dose')!,
      interval,
      duration: num(o.duration, '--duration')!,
      ...(count !== undefined ? { count } : {}),
      ...(loading !== undefined ? { loadingDose: loading } : {}),
      ...(o.loadingDuration !== undefined
        ? { loadingDuration: num(o.loadingDuration, '--loading-duration')! }
        : {}),
    },
    conversions: [],
  };
}

/** `a..b` windows (model time unit). */
function windowsOf(specs: string[] | undefined): { label: string; from: number; to: number }[] | undefined {
  if (!specs?.length) return undefined;
  return specs.map((s) => {
    const m = /^\s*([-+]?[\d.eE+-]+)\s*\.\.\s*([-+]?[\d.eE+-]+)\s*$/.exec(s);
    const [from, to] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!(Number.isFinite(from) && Number.isFinite(to) && to > from))
      argError(
        '--window',
        `'${s}' is not a window`,
        "write from..to in the model's time unit, e.g. '24..48'",
      );
    return { label: `${from}..${to}`, from, to };
  });
}

const r4 = (x: number): number => Number(x.toPrecision(4));

/** One line per exposure window: each metric at the point estimate and its credible interval. */
function windowLines(windows: readonly ForecastWindow[], timeUnit: string): string[] {
  return windows.map((w) => {
    const cells = Object.entries(w.metrics)
      .filter(([k]) => k !== 'tmax' && k !== 'tmin')
      .map(
        ([k, m]) => `${k} ${r4(m.individual)}${m.q ? ` [${r4(m.q[0])}, ${r4(m.q[m.q.length - 1])}]` : ''}`,
      );
    return `  ${w.label} (${w.from}..${w.to} ${timeUnit}): ${cells.join(', ')}`;
  });
}

const drawsText = (f: HistoryForecast): string =>
  f.draws ? `; ${f.draws} draws, ${f.probs.map((p) => `${100 * p} %`).join(' / ')}` : '';

/** The text report of the history alone (no new regimen). */
function historyText(id: string, method: string, f: HistoryForecast, timeUnit: string): string[] {
  return [
    `${id}: ${method}; the doses given, no new regimen${drawsText(f)}`,
    ...windowLines(f.windows, timeUnit),
  ];
}

function text(
  id: string,
  method: string,
  f: Forecast,
  units: { dose: string; time: string; conc: string },
): string[] {
  const g = f.regimen;
  const lines = [
    `${id}: ${method}; ${g.loadingDose !== undefined ? `${g.loadingDose} ${units.dose}${g.loadingDuration !== undefined ? ` over ${g.loadingDuration} ${units.time}` : ''} then ` : ''}${g.dose} ${units.dose} every ${g.interval} ${units.time}` +
      `${g.duration ? ` over ${g.duration} ${units.time}` : ''} from t = ${g.start} ${units.time}, ${g.count} administrations` +
      drawsText(f),
    ...windowLines(f.windows, units.time),
  ];
  const s = f.steadyState;
  lines.push(
    s.intervals === null
      ? `  steady state: not within 90 % of the steady-state AUC per interval in ${s.aucTau.length} intervals`
      : `  steady state: ${100 * s.fraction} % of the steady-state AUC per interval after ${r4(s.intervals)} intervals (${r4(s.time!)} ${units.time}; interval ${s.interval} is the first within)`,
  );
  return lines;
}

/** Whether the options give a future regimen (--regimen, or --dose/--interval/--loading-dose). */
const hasRegimen = (o: Opts): boolean =>
  o.regimen !== undefined || o.dose !== undefined || o.interval !== undefined || o.loadingDose !== undefined;

/** The default curve of the history alone: 97 points over the windows. */
function historyTimes(windows: readonly { from: number; to: number }[]): number[] {
  const from = Math.min(...windows.map((w) => w.from));
  const to = Math.max(...windows.map((w) => w.to));
  return Array.from({ length: 97 }, (_, i) => from + (i * (to - from)) / 96);
}

/**
 * `dosetwin forecast`: per patient, the MAP fit (or the typical patient a priori), then the
 * forecast of a future regimen: individual and population curves, 5/50/95 % posterior predictive
 * bands over `--samples` draws, exposure per window with its credible interval, and the time to
 * steady state. Without a regimen, the same for the doses already given over `--window` (e.g. the
 * AUC of a past, sampled interval, with that occasion's inter-occasion etas).
 */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description(
      'forecast a future regimen (curves with credible bands, exposure, steady state), or without one the exposure of the doses given over --window',
    )
    .requiredOption('--model <file|id>', MODEL_HELP)
    .requiredOption('--data <file>', DATA_HELP)
    .option(
      '--regimen <text>',
      "e.g. '1000 mg q12h x 1h from 24 for 6 doses', '2 g then 1 g q8h over 30 min from 2026-11-20T08:00'; without a regimen: the history alone over --window",
    )
    .option('--origin <date-time>', "date-time of the data's time zero, for a start given as a date-time")
    .option('--dose <amount>', 'maintenance dose (model dose unit), instead of --regimen')
    .option(
      '--loading-dose <amount>',
      'first administration (model dose unit), replacing the first maintenance dose',
    )
    .option('--loading-duration <t>', 'infusion duration of the loading dose (default: --duration)')
    .option('--interval <t>', 'dosing interval (model time unit)')
    .option('--duration <t>', 'infusion duration; 0 = bolus / oral', '0')
    .option(
      '--start <t>',
      'time of the first new dose (default: one interval after the last dose, not before the last record)',
    )
    .option('--count <n>', 'administrations, the loading dose included (default: to the end of --times)')
    .option(
      '--times <grid>',
      "curve times: 'from:step:to' or 't1,t2,...' (default: 4 intervals from the start, or the windows' span without a regimen; 97 points)",
    )
    .option(
      '--window <from..to...>',
      "exposure windows (AUC over any window), model time unit; without a regimen, e.g. '216..228': the exposure of the doses given",
    )
    .option('--mic <c>', 'MIC (model concentration unit): adds %fT>MIC, fAUC/MIC, Cmax/MIC')
    .option('--fu <f>', 'unbound fraction for the MIC metrics', '1')
    .option('--samples <n>', 'posterior (or prior) draws for the bands; 0 = none', '200')
    .option('--seed <n>', 'seed of the draws', '1')
    .option('--format <format>', 'json (one object per patient), csv (the curves) or text', 'json')
    .action(async (o: Opts) => {
      process.exitCode = await guarded(() => {
        if (!['json', 'csv', 'text'].includes(o.format))
          argError('--format', `'${o.format}' is not json, csv or text`);
        const extra = windowsOf(o.window);
        const future = hasRegimen(o);
        if (!future && !extra)
          argError(
            '--regimen',
            'no regimen and no window',
            "give --regimen '1000 mg q12h over 1 h' (or --dose and --interval), or --window FROM..TO for the exposure of the doses given",
          );
        if (!future)
          for (const [v, name] of [
            [o.start, '--start'],
            [o.count, '--count'],
            [o.origin, '--origin'],
            [o.loadingDuration, '--loading-duration'],
          ] as const)
            if (v !== undefined)
              argError(name, `${name} applies to a new regimen`, 'give --regimen or --dose and --interval');
        const { model, ref } = resolveModelArg(o.model);
        const ir = model.ir;
        const data = readPatients(ref, o.data);
        const samples = num(o.samples, '--samples')!;
        const seed = num(o.seed, '--seed')!;
        const mic = num(o.mic, '--mic');
        const fu = num(o.fu, '--fu');
        const out: string[] = [];
        if (o.format === 'csv') out.push('id,time,individual,population,q05,q50,q95,cumulative_auc');
        for (const { patient: p, warnings: dataWarnings, notes } of data) {
          const planned = future ? regimenOf(o, ir.units, p) : null;
          const regimen = planned?.regimen ?? null;
          const times = o.times
            ? parseTimes(o.times)
            : regimen
              ? Array.from({ length: 97 }, (_, i) => regimen.start + (i * 4 * regimen.interval) / 96)
              : historyTimes(extra!);
          const state = createTwin(model, p, { samples, seed });
          const full: Forecast | null = regimen
            ? state.forecast({
                regimen,
                times,
                mic,
                fu,
                windows: [...defaultWindows(regimen, ir.units.time), ...(extra ?? [])],
              })
            : null;
          const f: HistoryForecast = full ?? state.forecastHistory({ times, mic, fu, windows: extra! });
          const warnings = dedupeIssues([...dataWarnings, ...state.warnings]);
          if (o.format === 'csv') {
            f.times.forEach((t, i) => {
              const b = f.bands?.[i];
              out.push(
                [
                  p.id,
                  t,
                  f.individual[i],
                  f.population[i],
                  b?.[0] ?? '',
                  b?.[1] ?? '',
                  b?.[2] ?? '',
                  f.cumulativeAuc[i],
                ].join(','),
              );
            });
            for (const n of notes) process.stderr.write(`note: ${n}\n`);
            printIssues(warnings);
          } else if (o.format === 'text') {
            out.push(
              ...(full
                ? text(p.id, state.method, full, ir.units)
                : historyText(p.id, state.method, f, ir.units.time)),
            );
            if (planned?.conversions.length) out.push(`  (${planned.conversions.join('; ')})`);
            for (const n of notes) out.push(`  note: ${n}`);
            for (const w of warnings) out.push(`  warning ${w.code}: ${w.message}`);
          } else
            out.push(
              JSON.stringify({
                id: p.id,
                method: state.method,
                model: { id: ir.id, version: ir.version, citation: ir.citation?.text ?? null },
                units: ir.units,
                // null: the doses given alone (no new regimen).
                regimen: full?.regimen ?? null,
                conversions: planned?.conversions ?? [],
                ...fitSummary(state),
                posteriorDraws: f.draws,
                probs: f.probs,
                curve: f.times.map((t, i) => ({
                  time: t,
                  individual: f.individual[i],
                  population: f.population[i],
                  ...(f.bands ? { q: f.bands[i] } : {}),
                  cumulativeAuc: f.cumulativeAuc[i],
                })),
                windows: f.windows,
                steadyState: full
                  ? {
                      fraction: full.steadyState.fraction,
                      intervals: full.steadyState.intervals,
                      interval: full.steadyState.interval,
                      time: full.steadyState.time,
                      aucTauSs: full.steadyState.aucTauSs,
                    }
                  : null,
                warnings: warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
                notes,
              }),
            );
        }
        process.stdout.write(out.join('\n') + '\n');
        return 0;
      });
    });
}
