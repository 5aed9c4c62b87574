import { type CompiledModel, createTwin, type Issue, type PatientData } from '@dosetwin/engine';
import {
  defaultTargets,
  type LibraryModel,
  MET_MEANING,
  modelPolicy,
  PTA_MEANING,
  ptaBelowThreshold,
  rankingRule,
  type ProductLimits,
  type ProductSpace,
  productSpace,
} from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded } from '../io.ts';
import { DATA_HELP, readPatients } from '../data.ts';
import { drugFitOptions, drugOptions, readDrugData } from './fit.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';
import { drugRecommendationText, recommendDrugForPatient } from './recommend-drug.ts';
import { recommendationOut, type SettingSource, type Settings } from './recommend-state.ts';

export interface Opts {
  model?: string;
  drug?: string;
  formulation?: string;
  models?: string;
  scheme: string;
  criterion: string;
  outsideDomain: string;
  data: string;
  /** Absent: the library model's default targets (an error for a model file or --drug). */
  target?: string[];
  /** Absent: the library model's products, else 8,12,24. */
  interval?: string;
  /** Absent: the library model's products, else 0. */
  duration?: string;
  strengths?: string;
  start?: string;
  startWhenBelow?: string;
  horizon: string;
  maxDose?: string;
  maxDailyDose?: string;
  loadingDose?: string;
  loadingTarget?: string;
  maxLoadingDose?: string;
  loadingDuration?: string;
  mic?: string;
  fu?: string;
  samples: string;
  seed: string;
  optimise: string;
  maxCandidates: string;
  format: string;
}

const list = (s: string, field: string, min = 0): number[] => {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((x) => !Number.isFinite(x) || x < min))
    argError(field, `'${s}' is not a list of numbers ≥ ${min}`);
  return v;
};
const num = (s: string | undefined, field: string): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < 0) argError(field, `'${s}' is not a number ≥ 0`);
  return v;
};

/**
 * What a library model brings: its products and default targets when the options leave them out,
 * and always its products' limits of administration (options can only tighten them).
 */
export interface LibraryDefaults {
  id: string;
  space: ProductSpace;
  targets: string[];
  limits: ProductLimits[];
}

/** The defaults of a library model (`recommend --model ID`). */
export function libraryDefaults(model: Pick<LibraryModel, 'id' | 'ir' | 'products'>): LibraryDefaults {
  return {
    id: model.id,
    space: productSpace(model),
    targets: defaultTargets(model),
    limits: modelPolicy(model).limits,
  };
}

/**
 * The command's settings. Without --target, --interval, --duration or --strengths, a library model
 * (`library`) gives its default targets and its products' regimen space; otherwise the intervals
 * default to 8, 12, 24 and the durations to 0 (bolus / oral), no strengths, and --target is
 * required.
 */
export function settingsOf(o: Opts, library?: LibraryDefaults): Settings {
  if (o.optimise !== 'target' && o.optimise !== 'pta')
    argError('--optimise', `'${o.optimise}' is not target or pta`);
  if (o.horizon !== 'steady-state' && o.horizon !== 'first-interval')
    argError('--horizon', `'${o.horizon}' is not steady-state or first-interval`);
  if (o.start !== undefined && o.startWhenBelow !== undefined)
    argError('--start-when-below', 'give either --start or --start-when-below');
  let targets = o.target;
  if (targets === undefined || !targets.length) {
    if (!library)
      argError(
        '--target',
        'give at least one target (only a library model has default targets)',
        "e.g. --target 'auc24=400..600' --target 'trough<=20'",
      );
    if (!library.targets.length)
      argError(
        '--target',
        `model ${library.id} has no default targets: give at least one`,
        "e.g. --target 'auc24=400..600'",
      );
    targets = library.targets;
  }
  const fromProducts = (
    given: string | undefined,
    field: string,
    products: number[] | undefined,
    fallback: number[],
  ) =>
    given !== undefined
      ? { value: list(given, field), source: 'options' as const }
      : products !== undefined
        ? { value: products, source: 'products' as const }
        : { value: fallback, source: 'defaults' as const };
  const intervals = fromProducts(o.interval, '--interval', library?.space.intervals, [8, 12, 24]);
  const durations = fromProducts(o.duration, '--duration', library?.space.durations, [0]);
  // A library model without a strength in a known unit: continuous doses, as for a model file.
  const strengths =
    o.strengths !== undefined
      ? { value: list(o.strengths, '--strengths'), source: 'options' as const }
      : library?.space.strengths.length
        ? { value: library.space.strengths, source: 'products' as const }
        : { value: undefined, source: 'defaults' as const };
  return {
    targets,
    targetsSource: o.target?.length ? 'options' : 'model defaults',
    spaceSources: { strengths: strengths.source, intervals: intervals.source, durations: durations.source },
    space: {
      intervals: intervals.value,
      durations: durations.value,
      strengths: strengths.value,
      maxDose: num(o.maxDose, '--max-dose'),
      maxDailyDose: num(o.maxDailyDose, '--max-daily-dose'),
      loadingDose: num(o.loadingDose, '--loading-dose'),
    },
    ...(library ? { limits: library.limits } : {}),
    starts: o.start !== undefined ? list(o.start, '--start', -Infinity) : undefined,
    startWhenBelow: o.startWhenBelow,
    horizon: o.horizon,
    loadingTarget: o.loadingTarget,
    maxLoadingDose: num(o.maxLoadingDose, '--max-loading-dose'),
    loadingDuration: num(o.loadingDuration, '--loading-duration'),
    mic: num(o.mic, '--mic'),
    fu: num(o.fu, '--fu'),
    samples: num(o.samples, '--samples')!,
    seed: num(o.seed, '--seed')!,
    optimiseFor: o.optimise,
    maxCandidates: num(o.maxCandidates, '--max-candidates')!,
  };
}

/** One patient under one model: its twin (MAP or a priori, draws), then the ranked candidates. */
export function recommendForPatient(
  model: CompiledModel,
  p: PatientData,
  s: Settings,
  dataWarnings: readonly Issue[] = [],
): Record<string, unknown> {
  return recommendationOut(createTwin(model, p, { samples: s.samples, seed: s.seed }), s, dataWarnings);
}

type Result = Record<string, unknown>;

/**
 * Text output: where the targets and the regimen space came from when the library model gave them
 * (nothing when every one was given as an option or is a default of a model file).
 */
export function sourceLines(s: Settings, units: { dose: string; time: string }): string[] {
  const out: string[] = [];
  if (s.targetsSource === 'model defaults')
    out.push(`targets: the model's defaults (${s.targets.join(', ')})`);
  const src = s.spaceSources;
  if (![src.strengths, src.intervals, src.durations].includes('products')) return out;
  const from = (x: SettingSource): string =>
    x === 'products' ? "the model's products" : x === 'options' ? 'options' : 'default';
  const parts: [string, SettingSource][] = [
    [
      s.space.strengths
        ? `strengths ${s.space.strengths.join(', ')} ${units.dose}`
        : 'no strengths (doses not rounded)',
      src.strengths,
    ],
    [`every ${s.space.intervals.join(', ')} ${units.time}`, src.intervals],
    [
      s.space.durations.every((d) => d === 0)
        ? 'bolus / oral'
        : `over ${s.space.durations.join(', ')} ${units.time}`,
      src.durations,
    ],
  ];
  const one = parts.every(([, x]) => x === 'products');
  out.push(
    one
      ? `regimen space from the model's products: ${parts.map(([t]) => t).join('; ')}`
      : `regimen space: ${parts.map(([t, x]) => `${t} (${from(x)})`).join('; ')}`,
  );
  return out;
}
const r4 = (x: number): number => Number(x.toPrecision(4));

function textLines(res: Result, units: { dose: string; time: string }): string[] {
  const out = [
    `${res.id}: ${res.method}, model ${(res.model as { id: string; version: string }).id} ${(res.model as { version: string }).version}`,
  ];
  const nd = res.nextDose as { threshold: number; time: number; probabilityBelow: number | null } | undefined;
  if (nd)
    out.push(
      `  next dose when the level falls to ${nd.threshold}: t = ${r4(nd.time)} ${units.time}` +
        (nd.probabilityBelow !== null
          ? ` (P(level ≤ ${nd.threshold}) = ${(100 * nd.probabilityBelow).toFixed(0)} %)`
          : ''),
    );
  type C = {
    rank: number;
    start: number;
    dose: number;
    interval: number;
    duration: number;
    loadingDose: number;
    loadingDuration: number;
    loading?: { dose: number; duration: number; metric: number; met: boolean; pta?: number };
    metrics: Record<string, number>;
    met: boolean[];
    pta: { all: number } | null;
    timeToSteadyState: number | null;
  };
  for (const c of res.candidates as C[]) {
    const metrics = Object.entries(c.metrics)
      .map(([m, v], k) => `${m} ${r4(v)}${c.met[k] ? ' ✓' : ' ✗'}`)
      .join(', ');
    const loading = c.loading
      ? c.loading.dose > 0
        ? `${c.loading.dose} ${units.dose}${c.loading.duration !== c.duration ? ` over ${r4(c.loading.duration)} ${units.time}` : ''} then `
        : 'no loading dose, '
      : c.loadingDose > 0
        ? `${c.loadingDose} ${units.dose}${c.loadingDuration !== c.duration ? ` over ${r4(c.loadingDuration)} ${units.time}` : ''} then `
        : '';
    out.push(
      `  #${c.rank} ${loading}${c.dose} ${units.dose} every ${c.interval} ${units.time}${c.duration ? ` over ${r4(c.duration)} ${units.time}` : ''}` +
        `${(res.candidates as C[]).some((x) => x.start !== c.start) || nd ? ` from t = ${r4(c.start)}` : ''}: ${metrics}` +
        (c.pta ? `, PTA ${(100 * c.pta.all).toFixed(0)} %${ptaBelowThreshold(c.pta) ? ' ⚠' : ''}` : '') +
        (c.loading
          ? `; loading ${res.loadingTarget as string}: ${r4(c.loading.metric)}${c.loading.met ? ' ✓' : ' ✗'}`
          : '') +
        (c.timeToSteadyState !== null
          ? `; 90 % of steady state after ${r4(c.timeToSteadyState)} ${units.time}`
          : ''),
    );
  }
  if ((res.candidates as C[]).length) {
    const optimise = (res.inputs as { optimiseFor: 'target' | 'pta' }).optimiseFor;
    out.push(`  ${MET_MEANING.en}`, `  ${PTA_MEANING.en}`, `  ${rankingRule('en', optimise)}`);
  }
  for (const w of res.warnings as { code: string; message: string }[])
    out.push(`  warning ${w.code}: ${w.message}`);
  return out;
}

/**
 * `dosetwin recommend`: per patient, the MAP fit of the levels (a posteriori) or the typical
 * patient (a priori, no level), then the ranked candidate regimens with predicted exposure after
 * rounding and, with --samples, the probability of target attainment over posterior (or prior)
 * draws; optionally a loading dose and the time of the next dose.
 */
export function registerRecommend(program: Command): void {
  drugOptions(program.command('recommend'))
    .description('propose regimens reaching exposure targets, ranked, with PTA and warnings')
    .option('--model <file|id>', MODEL_HELP)
    .option(
      '--drug <name>',
      'average over every library model of the drug (weights from each model’s likelihood, Uster 2021); the data then state their units in the header, and every option is in those units',
    )
    .requiredOption('--data <file>', `${DATA_HELP}; with --drug: units in the header`)
    .option(
      '--target <spec...>',
      "targets, most important first (each one a priority): 'auc24=400..600', 'trough=5..10 ug/L', 'ft_mic>=100' (default for a library model: its targets)",
    )
    .option(
      '--interval <h>',
      'allowed dosing intervals (model time unit; with --drug, the data’s) (default: a library model’s products, else 8,12,24)',
    )
    .option(
      '--duration <h>',
      'allowed infusion durations; 0 = bolus / oral (default: a library model’s products, else 0)',
    )
    .option(
      '--strengths <mg>',
      'available unit strengths (model dose unit; with --drug, the data’s), e.g. 250,500 (default: a library model’s products, else none)',
    )
    .option(
      '--start <t>',
      'time of the next dose, or allowed times t1,t2,... (default: one interval after the last dose)',
    )
    .option(
      '--start-when-below <c>',
      "start when the predicted level falls to c (model unit, or e.g. '15 mg/L'; with --drug: the model-averaged level, data unit)",
    )
    .option(
      '--horizon <h>',
      "judge the maintenance at 'steady-state' or over its 'first-interval'",
      'steady-state',
    )
    .option('--max-dose <mg>', 'maximum single dose')
    .option('--max-daily-dose <mg>', 'maximum daily dose')
    .option('--loading-dose <mg>', 'a fixed loading dose (first administration)')
    .option(
      '--loading-target <spec>',
      "search a loading dose reaching this early, e.g. 'auc24=400..600' (first 24 h)",
    )
    .option('--max-loading-dose <mg>', 'maximum loading dose (default: --max-dose)')
    .option('--loading-duration <h>', 'infusion duration of the loading dose (default: the maintenance one)')
    .option('--mic <c>', 'MIC (model concentration unit; with --drug, the data’s) for MIC-based targets')
    .option('--fu <f>', 'unbound fraction for %fT>MIC', '1')
    .option(
      '--samples <n>',
      'posterior (or prior) draws for the probability of target attainment; 0 = none',
      '200',
    )
    .option('--seed <n>', 'seed of the draws', '1')
    .option('--optimise <what>', "'target' (closest to the primary target) or 'pta'", 'target')
    .option('--max-candidates <n>', 'candidates listed', '10')
    .option('--format <format>', 'json (one object per line per patient) or text', 'json')
    .action(async (o: Opts) => {
      process.exitCode = await guarded(() => {
        if (o.format !== 'json' && o.format !== 'text')
          argError('--format', `'${o.format}' is not json or text`);
        if (o.model !== undefined && o.drug !== undefined)
          argError('--drug', '--model and --drug are mutually exclusive: give one of them');
        if (o.model === undefined && o.drug === undefined)
          argError('--model', 'give either --model FILE|ID or --drug NAME', "e.g. '--drug vancomycin'");
        if (o.drug !== undefined) return recommendDrugCommand(o as Opts & { drug: string }, settingsOf(o));
        for (const [value, name] of [
          [o.formulation, '--formulation'],
          [o.models, '--models'],
        ] as const)
          if (value !== undefined) argError(name, `${name} applies with --drug only`);
        // A library id (not a file): its default targets and products fill the options left out.
        const { model, library, ref } = resolveModelArg(o.model!);
        const settings = settingsOf(o, library ? libraryDefaults(library) : undefined);
        const patients = readPatients(ref, o.data);
        const out: string[] = o.format === 'text' ? sourceLines(settings, model.ir.units) : [];
        for (const { patient: p, warnings, notes } of patients) {
          // What reading the data stated (the SEX coding, unit conversions, derivations).
          const res = {
            ...recommendForPatient(model, p, settings, warnings),
            ...(notes.length ? { notes } : {}),
          };
          if (o.format === 'json') out.push(JSON.stringify(res));
          else out.push(...textLines(res, model.ir.units), ...notes.map((n) => `  note: ${n}`));
        }
        process.stdout.write(out.join('\n') + '\n');
        return 0;
      });
    });
}

/** `recommend --drug NAME`: each patient of a drug-level dataset, averaged over the drug's models. */
function recommendDrugCommand(o: Opts & { drug: string }, settings: Settings): number {
  const options = drugFitOptions(o);
  const out: string[] = [];
  for (const p of readDrugData(o.data)) {
    const res = recommendDrugForPatient(o.drug, p, settings, options);
    if (o.format === 'json') out.push(JSON.stringify(res));
    else out.push(...drugRecommendationText(res));
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
