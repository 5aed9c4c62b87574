// `dosetwin ml train | evaluate | predict`: machine-learning exposure estimators trained on
// virtual patients simulated from library models (issue 8). The numerics are the engine's
// (packages/engine/src/ml); this file parses arguments, runs tasks on worker threads, writes files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accuracy,
  chooseParams,
  ESTIMATOR_FORMAT,
  ESTIMATOR_FORMAT_VERSION,
  fitFinal,
  type GbdtGrid,
  gridCombos,
  type MlEstimator,
  predictLnAuc,
  renderReport,
  type Score,
  type ReportSection,
  type SubgroupBiasTable,
  type SamplingDesign,
  type ScoreInput,
  scoreEstimator,
  splitIndices,
  checkRecipe,
  checkDesign,
  baselineFeatures,
  treeFeatures,
  type TrainingRecipe,
  validateEstimator,
  type VirtualPatient,
  type PopulationSpec,
  checkPopulation,
  splitCsv,
  csvLines,
  dataIssues,
  convert,
  DosetwinError,
  MapEstimator,
  mapAuc,
} from '@dosetwin/engine';
import { checkCodedColumns, codingNote, getModel, splitHeader } from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, readText } from '../io.ts';
import {
  mapTasks,
  type PipelineInit,
  presetOf,
  runTasks,
  simulateTasks,
  threadCount,
  trainingData,
} from './ml-pipeline.ts';
import { type MlPreset, ML_PRESETS as PRESETS, presetFor, virtualModel } from '@dosetwin/models';

/** Where the shipped estimators live (one folder each: estimator.json, report.md, plots). */
export const ESTIMATORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models/estimators');

const ENGINE_VERSION = (
  JSON.parse(readFileSync(new URL('../../../engine/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Default grid and recipe (documented in the README). */
export const DEFAULT_GRID: GbdtGrid = {
  maxDepth: [3, 6],
  learningRate: [0.03],
  minChildWeight: [10, 50],
  nTreesMax: 500,
  lambda: 1,
  gamma: 0,
  subsample: 0.8,
  colsample: 1,
};

/** `0,1,3h` or `2,12h` or `0,60,180min` → hours. */
export function parseDesignTimes(text: string): number[] {
  const m = /^\s*([0-9.,\s]+?)\s*(h|min)?\s*$/.exec(text);
  if (!m) argError('--design', `'${text}' is not a list of sampling times such as 0,1,3h`);
  const f = m![2] === 'min' ? 1 / 60 : 1;
  const t = m![1].split(',').map((s) => Number(s.trim()) * f);
  if (t.some((x) => !Number.isFinite(x))) argError('--design', `'${text}' has a time that is not a number`);
  return t;
}

export interface TrainOptions {
  preset: MlPreset;
  models: string[];
  design: SamplingDesign;
  recipe: TrainingRecipe;
  threads: number;
  id?: string;
  /** The population (default: the preset's distributions). */
  population?: PopulationSpec;
  /** Receives the accuracy on the validation part of the split (not used for any choice). */
  onValidation?: (m: { ml: ReturnType<typeof accuracy>; baseline: ReturnType<typeof accuracy> }) => void;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const round = (x: number, d = 4): number => Number(x.toFixed(d));

/** Simulate, cross-validate and fit: the estimator artefact (the same for any thread count). */
export async function trainArtefact(o: TrainOptions): Promise<MlEstimator> {
  checkDesign(o.design);
  checkRecipe(o.recipe);
  const { preset, recipe, design } = o;
  const population = o.population ?? preset.population;
  checkPopulation(population);
  // Problems with the models (no covariate mapping, units) are reported here, not from a worker.
  for (const id of o.models) virtualModel(preset, id);
  const init: PipelineInit = { preset: preset.name, design, seed: recipe.seed, models: o.models, population };
  const sims = await runTasks(init, simulateTasks('train', 0, recipe.n), o.threads, 'simulate', (t) =>
    t.kind === 'simulate' ? t.to - t.from : 1,
  );
  const vps = (sims as VirtualPatient[][]).flat();
  const data = trainingData(preset, vps);
  const split = splitIndices(recipe);
  const cvInit: PipelineInit = { ...init, recipe, data, train: split.train };
  const combos = gridCombos(recipe.grid);
  const cvTasksList = combos.flatMap((_, combo) =>
    Array.from({ length: recipe.folds }, (_, fold) => ({ kind: 'cv' as const, combo, fold })),
  );
  const cvResults = (await runTasks(cvInit, cvTasksList, o.threads, 'cross-validation')) as {
    sse: number[];
    n: number;
  }[];
  const byCombo = combos.map((_, k) =>
    cvResults
      .slice(k * recipe.folds, (k + 1) * recipe.folds)
      .map((r) => ({ sse: Float64Array.from(r.sse), n: r.n })),
  );
  const { cv, chosen } = chooseParams(recipe, byCombo);
  const { ridge, gbdt } = fitFinal(design, recipe, data, split.train, chosen);
  const ctx = {
    timesH: design.timesH,
    concUnit: preset.units.conc,
    doseUnit: preset.units.dose,
    covariates: preset.covariates,
  };
  const times = design.timesH.map((t) => String(t)).join('-');
  const short = o.models.map((m) => m.split('/')[1]).join('+');
  const first = vps[split.test[0] ?? 0];
  const checkInput: ScoreInput = {
    samples: first.timesH.map((t, j) => ({
      timeH: t,
      conc: { value: first.conc[j], unit: preset.units.conc },
    })),
    dose: { value: first.dose, unit: preset.units.dose },
    covariates: Object.fromEntries(
      preset.covariates.map((c) => [c.name, { value: first.clinical[c.name], unit: c.unit }]),
    ),
  };
  const est: MlEstimator = {
    format: ESTIMATOR_FORMAT,
    formatVersion: ESTIMATOR_FORMAT_VERSION,
    id: o.id ?? `${preset.drug}-${short}-${times}h`,
    drug: preset.drug,
    description: preset.description,
    target: {
      name: preset.target.name,
      label: preset.target.label,
      unit: preset.units.target,
      transform: 'ln',
    },
    units: { dose: preset.units.dose, conc: preset.units.conc, time: 'h' },
    design,
    covariates: preset.covariates,
    models: o.models.map((id) => {
      const m = getModel(id);
      return { id, version: m.ir.version, sha256: sha256(m.source) };
    }),
    population,
    recipe,
    engineVersion: ENGINE_VERSION,
    features: treeFeatures(ctx),
    baselineFeatures: baselineFeatures(ctx),
    cv: cv.map((c) => ({ ...c, rmseByTrees: c.rmseByTrees.map((x) => round(x, 6)) })),
    chosen,
    ridge,
    gbdt,
    check: { input: checkInput, auc: 0 },
  };
  est.check.auc = scoreEstimator(est, checkInput).auc;
  if (o.onValidation && split.validation.length) {
    const p = split.validation.map((i) => predictLnAuc(est, data.rows[i]));
    const ref = split.validation.map((i) => data.auc[i]);
    o.onValidation({
      ml: accuracy(
        p.map((x) => Math.exp(x.ln)),
        ref,
      ),
      baseline: accuracy(
        p.map((x) => Math.exp(x.baseline)),
        ref,
      ),
    });
  }
  return est;
}

export interface EvaluateOptions {
  external?: string;
  nExternal: number;
  map: boolean;
  threads: number;
}

export interface Evaluation {
  markdown: string;
  files: Record<string, string>;
  metrics: Record<string, Record<string, ReturnType<typeof accuracy>>>;
  /** Each subgroup's median relative error, its bootstrap interval over patients and flag. */
  subgroupBias: SubgroupBiasTable[];
}

/**
 * Evaluate an estimator: its held-out virtual patients (re-simulated from the recipe: the test
 * part of the seeded split), and patients simulated from a different model of the drug
 * (external validation, never used for training or tuning). ML, linear baseline and MAP on
 * the same patients; subgroups.
 */
export async function evaluateArtefact(est: MlEstimator, o: EvaluateOptions): Promise<Evaluation> {
  const preset = presetOf(est.drug);
  const ids = est.models.map((m) => m.id);
  for (const id of [...ids, ...(o.external ? [o.external] : [])]) virtualModel(preset, id);
  for (const m of est.models)
    if (sha256(getModel(m.id).source) !== m.sha256)
      process.stderr.write(`warning: ${m.id} changed since training (source hash differs)\n`);
  const init: PipelineInit = {
    preset: preset.name,
    design: est.design,
    seed: est.recipe.seed,
    models: ids,
    external: o.external,
    population: est.population,
  };
  const t0 = Date.now();
  const sections: ReportSection[] = [];
  const metrics: Evaluation['metrics'] = {};
  const timings: string[] = [];
  const evaluateSet = async (
    which: 'train' | 'external',
    indices: number[],
    mapModel: string,
    title: string,
    slug: string,
    description: string,
  ): Promise<void> => {
    const chunks = await runTasks(
      init,
      indices.map((i) => ({ kind: 'simulate' as const, population: which, from: i, to: i + 1 })),
      1,
      `simulate ${slug}`,
    );
    const vps = (chunks as VirtualPatient[][]).flat();
    const data = trainingData(preset, vps);
    const preds = data.rows.map((r) => predictLnAuc(est, r));
    const methods = [
      { name: 'ML (GBDT)', estimate: preds.map((p) => Math.exp(p.ln)) },
      { name: 'linear baseline', estimate: preds.map((p) => Math.exp(p.baseline)) },
    ];
    if (o.map) {
      const t1 = Date.now();
      const res = (await runTasks(init, mapTasks(which, mapModel, indices), o.threads, `MAP ${slug}`, (t) =>
        t.kind === 'map' ? t.indices.length : 1,
      )) as { auc: number; converged: boolean }[][];
      const flat = res.flat();
      methods.push({ name: 'MAP Bayesian', estimate: flat.map((r) => r.auc) });
      const nc = flat.filter((r) => !r.converged).length;
      timings.push(
        `- MAP, ${slug}: ${indices.length} fits in ${((Date.now() - t1) / 1000).toFixed(1)} s on ${o.threads} thread(s); ${nc} reported not converged (their estimates are kept).`,
      );
    }
    const reference = data.auc;
    const strata = preset.strata.map((s) => ({
      name: s.name,
      labels: vps.map((v) => s.label(v.clinical)),
      order: s.order,
    }));
    sections.push({ title, slug, description, reference, methods, strata });
    metrics[slug] = Object.fromEntries(methods.map((m) => [m.name, accuracy(m.estimate, reference)]));
  };
  const split = splitIndices(est.recipe);
  const own = ids.length > 1 ? 'own' : ids[0];
  await evaluateSet(
    'train',
    split.test,
    own,
    `Held-out virtual patients (${ids.join(' + ')})`,
    'internal',
    `The ${split.test.length} patients of the seeded test split (${Math.round(est.recipe.split.test * 100)} % of ${est.recipe.n}), never seen in training or cross-validation. MAP: the same concentrations, covariates and dose, ${ids.length > 1 ? "each patient's own generating model" : ids[0]} (the right model: MAP's best case).`,
  );
  if (o.external) {
    const ext = Array.from({ length: o.nExternal }, (_, i) => i);
    await evaluateSet(
      'external',
      ext,
      ids[0],
      `External validation: patients simulated from ${o.external}`,
      'external',
      `${o.nExternal} patients of the same clinical population simulated from ${o.external} (its own covariate effects, variability and residual error), a model not used in training; nothing was tuned on them. MAP uses ${ids[0]}, as the clinician would with this estimator's model.`,
    );
  }
  timings.push(`- Evaluation wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  const d = est.design;
  const chosen = est.chosen;
  const report = renderReport({
    title: `Evaluation of ${est.id}`,
    unit: est.target.unit,
    intro: [
      `${est.description}.`,
      '',
      `- Target: ${est.target.label}, ${est.target.unit}. Reference value of a virtual patient: the model's exact AUC over the sampled dosing interval at steady state (the simulator's integral of the true individual profile, no residual error), not a trapezoidal AUC of a rich profile as in the Limoges papers.`,
      `- Design: samples at nominal ${d.timesH.join(', ')} h after the dose (τ = ${d.tauH} h, ${d.route}${d.infusionH ? ` over ${d.infusionH} h` : ''}); sampling-time deviation normal, SD ${d.jitter.sdH} h + ${d.jitter.fraction} × nominal, truncated at ±2 SD (pre-dose samples before the dose); doses ${d.doses[0]}–${d.doses[d.doses.length - 1]} ${est.units.dose}; concentrations below ${d.lloq} ${est.units.conc} reported at ${d.lloq}.`,
      `- Training models: ${est.models.map((m) => `${m.id} ${m.version} (sha256 ${m.sha256.slice(0, 12)}…)`).join(', ')}; population: ${est.population.label}.`,
      `- Estimator: ridge regression on the log scale (baseline) + gradient-boosted trees on its residual; ${chosen.nTrees} trees, depth ${chosen.maxDepth}, η ${chosen.learningRate}, min child weight ${chosen.minChildWeight}, λ ${chosen.lambda}, row subsample ${chosen.subsample} (chosen by ${est.recipe.folds}-fold cross-validation on the training part).`,
      `- Relative error = (estimate − reference)/reference. Relative bias = mean, relative RMSE = root mean square, in %.`,
    ],
    sections,
    appendix: [
      '## Cross-validation (RMSE of ln AUC, best number of trees)',
      '',
      '| depth | η | min child weight | best trees | CV RMSE |',
      '|---|---|---|---|---|',
      ...est.cv.map((c) => {
        const best = Math.min(...c.rmseByTrees);
        return `| ${c.maxDepth} | ${c.learningRate} | ${c.minChildWeight} | ${c.rmseByTrees.indexOf(best) + 1} | ${best.toFixed(4)} |`;
      }),
      '',
      '## Timings',
      '',
      ...timings,
      '',
      `Reproduce: \`dosetwin ml evaluate --estimator ${est.id}${o.external ? ` --external ${o.external} --n-external ${o.nExternal}` : ''}\`.`,
      '',
    ],
  });
  return { ...report, metrics };
}

/** An estimator from a file path or the id of a shipped one. */
export function loadEstimator(ref: string): MlEstimator {
  const shipped = join(ESTIMATORS_DIR, ref, 'estimator.json');
  const path = existsSync(ref) ? ref : existsSync(shipped) ? shipped : null;
  if (!path)
    argError(
      '--estimator',
      `no estimator file or shipped estimator '${ref}'`,
      `shipped: see ${ESTIMATORS_DIR}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readText(path!, 'estimator'));
  } catch (e) {
    if (e instanceof SyntaxError) argError('--estimator', `${path} is not JSON: ${e.message}`);
    throw e;
  }
  return validateEstimator(json);
}

/** `NAME=VALUE[UNIT]` → value with unit (e.g. HCT=35%, WT=70kg, CYP3A5=1). */
function parseQuantity(text: string, field: string): { value: number; unit?: string } {
  const m = /^\s*(-?[0-9.]+(?:e-?\d+)?)\s*([A-Za-zµ%/*0-9]*)\s*$/.exec(text);
  if (!m || !Number.isFinite(Number(m[1])))
    argError(field, `'${text}' is not a number with an optional unit`);
  return { value: Number(m![1]), unit: m![2] || undefined };
}

/**
 * A covariate table to resample patients from: CSV with a header of the preset's clinical
 * variable names, values in the preset's units (e.g. SEX 1 = female, HCT in %).
 */
export function readCovariateTable(path: string, preset: MlPreset): PopulationSpec {
  const lines = readText(path, 'covariates')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (lines.length < 2) argError('--covariates', `${path} needs a header and at least one row`);
  const header = splitCsv(lines[0]).map((h) => h.trim());
  if (preset.population.kind !== 'distribution') throw new Error('preset population must be a distribution');
  const vars = preset.population.variables;
  const missing = vars.filter((v) => !header.includes(v.name)).map((v) => `${v.name} (${v.unit})`);
  if (missing.length)
    argError(
      '--covariates',
      `${path} lacks column(s) ${missing.join(', ')}`,
      `the ${preset.name} preset needs ${vars.map((v) => v.name).join(', ')}`,
    );
  const cols = vars.map((v) => header.indexOf(v.name));
  const rows = lines.slice(1).map((l, i) => {
    const cells = splitCsv(l);
    return cols.map((c, j) => {
      const x = Number(cells[c]);
      if (cells[c] === undefined || cells[c].trim() === '' || !Number.isFinite(x))
        argError('--covariates', `${path}:${i + 2}: ${vars[j].name} '${cells[c] ?? ''}' is not a number`);
      return x;
    });
  });
  const spec: PopulationSpec = {
    kind: 'table',
    label: `${rows.length} patients resampled from ${path.split('/').pop()}`,
    columns: vars.map((v) => ({ name: v.name, unit: v.unit })),
    rows,
  };
  checkPopulation(spec);
  return spec;
}

const int = (v: string, name: string, min: number): number => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) argError(name, `'${v}' must be a whole number ≥ ${min}`);
  return x;
};

/** A clinical variable's unit in a preset (population variable, derived variable or feature). */
function clinicalUnit(preset: MlPreset, name: string): string | undefined {
  const vars = preset.population.kind === 'distribution' ? preset.population.variables : [];
  return (
    vars.find((v) => v.name === name)?.unit ??
    preset.derived.find((v) => v.name === name)?.unit ??
    preset.covariates.find((v) => v.name === name)?.unit
  );
}

/**
 * The MAP Bayesian AUC of the same samples, dose and covariates, side by side with the estimator:
 * the first of the estimator's training models whose covariates follow from the clinical values
 * given (derived variables such as CrCL computed when their inputs are given, a given value wins),
 * with that model's prior, then the exact AUC of the sampled interval at the mode ({@link mapAuc}).
 */
export function mapBesideEstimator(
  est: MlEstimator,
  given: Record<string, number>,
  sample: { timesH: number[]; conc: number[]; dose: number },
): { model: string; auc: number; converged: boolean } {
  const preset = presetFor(est.drug);
  if (!preset) argError('--estimator', `no ML preset for ${est.drug}: MAP cannot map the covariates`);
  const c: Record<string, number> = { ...given };
  const derived: Record<string, number> = { ...given };
  try {
    preset!.derive(derived);
  } catch {
    // A derived variable whose inputs are missing stays absent; the model that needs it is skipped.
  }
  for (const d of preset!.derived)
    if (!(d.name in c) && Number.isFinite(derived[d.name])) c[d.name] = derived[d.name];
  const skipped: string[] = [];
  for (const m of est.models) {
    const vm = virtualModel(preset!, m.id);
    let cov: number[];
    try {
      cov = vm.covariates(c);
    } catch (e) {
      skipped.push(`${m.id}: ${e instanceof DosetwinError ? e.issues[0].message : String(e)}`);
      continue;
    }
    const missing = vm.model.ir.covariates.filter((_, k) => !Number.isFinite(cov[k])).map((x) => x.name);
    if (missing.length) {
      skipped.push(`${m.id} needs ${missing.join(', ')}`);
      continue;
    }
    const vp: VirtualPatient = {
      index: 0,
      modelIndex: 0,
      clinical: c,
      covariates: cov,
      dose: sample.dose,
      timesH: sample.timesH,
      conc: sample.conc,
      auc: NaN,
      eta: [],
    };
    const r = mapAuc(new MapEstimator(vm.model), est.design, vp, cov);
    if (!Number.isFinite(r.auc)) skipped.push(`${m.id}: the MAP objective could not be evaluated`);
    else return { model: m.id, ...r };
  }
  return argError(
    '--cov',
    `MAP beside the estimator: no training model can be fitted from these inputs (${skipped.join('; ')})`,
    `give the clinical variables with --cov (e.g. ${preset!.population.kind === 'distribution' ? preset!.population.variables.map((v) => `${v.name} [${v.unit}]`).join(', ') : 'the preset variables'}), or --no-map`,
  );
}

/** One patient's inputs to `ml predict`, as given (options, or one row of `--data`). */
export interface PredictInput {
  /** Concentrations in the design's order. */
  conc: number[];
  /** Unit of the concentrations (default: the estimator's). */
  unit?: string;
  /** Actual sampling times after the dose, h. */
  times: number[];
  dose: { value: number; unit: string };
  /** Covariates and clinical variables, with their unit when given. */
  cov: { name: string; value: number; unit?: string }[];
}

/** The ML estimate of one patient and, unless skipped, the MAP AUC of the same samples. */
export interface Prediction {
  score: Score;
  map: { model: string; auc: number; converged: boolean } | null;
}

/**
 * Score one patient: its covariates split into the estimator's features and the clinical values
 * of its population (for the MAP beside it), the estimator's score, and the MAP Bayesian AUC.
 */
export function predictPatient(est: MlEstimator, input: PredictInput, map: boolean): Prediction {
  const covariates: ScoreInput['covariates'] = {};
  // Clinical values in the preset's units, for the MAP estimate beside the ML one.
  const clinical: Record<string, number> = {};
  const preset = presetFor(est.drug);
  for (const q of input.cov) {
    const name = q.name;
    const def = est.covariates.find((x) => x.name === name);
    const clinicalU = preset ? clinicalUnit(preset, name) : undefined;
    if (!def && !clinicalU)
      argError(
        '--cov',
        `${name} is neither a covariate of ${est.id} (${est.covariates.map((x) => x.name).join(', ')}) nor a clinical variable of its population`,
      );
    if (def) {
      const unit = q.unit === '%' && def.unit === '%' ? '%' : q.unit;
      covariates[name] = unit && unit !== def.unit ? { value: q.value, unit } : q.value;
    }
    if (clinicalU)
      clinical[name] =
        q.unit && q.unit !== clinicalU ? convert(q.value, q.unit, clinicalU, `--cov ${name}`) : q.value;
  }
  const { conc, times, unit, dose } = input;
  const score = scoreEstimator(est, {
    samples: conc.map((c, j) => ({ timeH: times[j], conc: unit ? { value: c, unit } : c })),
    dose: { value: dose.value, unit: dose.unit },
    covariates,
  });
  return {
    score,
    map: map
      ? mapBesideEstimator(est, clinical, {
          timesH: times,
          conc: conc.map((c) => (unit ? convert(c, unit, est.units.conc, '--conc') : c)),
          dose: convert(dose.value, dose.unit, est.units.dose, '--dose'),
        })
      : null,
  };
}

/** `ml predict --format json`: one object per patient. */
function predictJson(est: MlEstimator, r: Prediction): Record<string, unknown> {
  return {
    estimator: est.id,
    target: est.target.name,
    ...r.score,
    map: r.map && { ...r.map, unit: r.score.unit },
  };
}

/** `ml predict --format text`: the estimate, then the MAP beside it. */
function predictText(est: MlEstimator, r: Prediction): string[] {
  const s = r.score;
  const out = [
    `${est.id}: ${est.target.label} ${s.auc.toPrecision(4)} ${s.unit} (linear baseline ${s.baselineAuc.toPrecision(4)})`,
  ];
  if (r.map)
    out.push(
      `MAP Bayesian, ${r.map.model}, same samples: ${r.map.auc.toPrecision(4)} ${s.unit}${r.map.converged ? '' : ' (MAP did not converge)'}; ML − MAP ${(100 * (s.auc / r.map.auc - 1)).toFixed(1)} %`,
    );
  return out;
}

/** One row of `ml predict --data`: the patient's id, its line and its inputs. */
export interface PredictRow {
  id: string;
  line: number;
  input: PredictInput;
}

/**
 * The patients of `ml predict --data`, one row each: `ID`, `DOSE (unit)`, `C1..Cn` (the design's
 * order, optional unit in the header, else the estimator's), optional `T1..Tn` (h; an empty cell is
 * the nominal time), and every other column a covariate or clinical variable by name, its unit in
 * the header (an empty cell: not given). SEX coded 0 = male, 1 = female. Every problem names its
 * column and line (DT_DATA).
 */
export function readPredictData(file: string, est: MlEstimator): PredictRow[] {
  const text = readText(file, 'data');
  checkCodedColumns(text, file);
  const lines = csvLines(text, file);
  const cols = splitCsv(lines[0]).map(splitHeader);
  const { issues, bad } = dataIssues(file);
  const n = est.design.timesH.length;
  const find = (name: string): number => cols.findIndex((c) => c.name.toUpperCase() === name);
  const [idCol, doseCol] = [find('ID'), find('DOSE')];
  const concCols = Array.from({ length: n }, (_, j) => find(`C${j + 1}`));
  const timeCols = Array.from({ length: n }, (_, j) => find(`T${j + 1}`));
  const design = `${est.id} samples at ${est.design.timesH.join(', ')} h`;
  if (idCol < 0) bad(1, 'ID', 'missing column ID');
  if (doseCol < 0) bad(1, 'DOSE', 'missing column DOSE', `e.g. 'DOSE (${est.units.dose})'`);
  else if (!cols[doseCol].unit)
    bad(1, 'DOSE', 'column DOSE has no unit', `write it in the header, e.g. 'DOSE (${est.units.dose})'`);
  concCols.forEach((c, j) => {
    if (c < 0) bad(1, `C${j + 1}`, `missing column C${j + 1}`, `${design}: columns C1..C${n}`);
  });
  const extra = cols.findIndex((c) => c.name.toUpperCase() === `C${n + 1}`);
  if (extra >= 0) bad(1, `C${n + 1}`, `column C${n + 1}: ${design}, ${n} concentrations`);
  timeCols.forEach((c, j) => {
    if (c >= 0 && cols[c].unit !== null && cols[c].unit !== 'h')
      bad(1, `T${j + 1}`, `T${j + 1} is in ${cols[c].unit}; sampling times are in h after the dose`);
  });
  const concUnits = new Set(concCols.filter((c) => c >= 0).map((c) => cols[c].unit));
  if (concUnits.size > 1) bad(1, 'C1', 'C1..Cn must share one unit');
  if (issues.length) throw new DosetwinError(issues);
  const used = new Set([idCol, doseCol, ...concCols, ...timeCols]);
  const covCols = cols.map((c, i) => ({ ...c, i })).filter((c) => !used.has(c.i));
  const rows: PredictRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const line = li + 1;
    const cells = splitCsv(lines[li]).map((c) => c.trim());
    if (cells.length !== cols.length) {
      bad(line, 'record', `has ${cells.length} fields, the header has ${cols.length}`);
      continue;
    }
    const value = (c: number, name: string, blank: number | null): number => {
      const raw = cells[c];
      if ((raw === '' || raw === '.') && blank !== null) return blank;
      const v = Number(raw);
      if (raw === '' || raw === '.' || !Number.isFinite(v))
        bad(line, name, `${name} '${raw}' is not a number`);
      return v;
    };
    const id = cells[idCol];
    if (!id) bad(line, 'ID', 'ID is missing');
    const cov: PredictInput['cov'] = [];
    for (const c of covCols) {
      if (cells[c.i] === '' || cells[c.i] === '.') continue;
      cov.push({ name: c.name, value: value(c.i, c.name, null), ...(c.unit ? { unit: c.unit } : {}) });
    }
    rows.push({
      id,
      line,
      input: {
        conc: concCols.map((c, j) => value(c, `C${j + 1}`, null)),
        ...(cols[concCols[0]].unit ? { unit: cols[concCols[0]].unit! } : {}),
        times: timeCols.map((c, j) =>
          c < 0 ? est.design.timesH[j] : value(c, `T${j + 1}`, est.design.timesH[j]),
        ),
        dose: { value: value(doseCol, 'DOSE', null), unit: cols[doseCol].unit! },
        cov,
      },
    });
  }
  if (issues.length) throw new DosetwinError(issues);
  return rows;
}

/** Run one row's work; its input errors are reported at its line (file:line, patient id). */
function withLine<T>(file: string, row: PredictRow, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof DosetwinError)
      throw new DosetwinError(
        e.issues.map((i) => ({ ...i, file, line: row.line, message: `patient ${row.id}: ${i.message}` })),
      );
    throw e;
  }
}

export function registerMl(program: Command): void {
  const ml = program
    .command('ml')
    .description(
      'machine-learning exposure estimators trained on virtual patients: train, evaluate, predict',
    );

  ml.command('train')
    .description(
      'simulate virtual patients from library models, cross-validate and fit a GBDT exposure estimator',
    )
    .requiredOption('--model <ids>', 'library model id(s), comma-separated to pool several')
    .option(
      '--design <times>',
      "nominal sampling times after the dose, e.g. '0,1,3h' (default: the drug's preset)",
    )
    .option('--n <n>', 'virtual patients (train + validation + test)', '10000')
    .option('--seed <n>', 'seed of every random stream', '1')
    .option('--folds <k>', 'cross-validation folds', '3')
    .option(
      '--preset <name>',
      `population and design preset (${Object.keys(PRESETS).join(', ')}; default: by drug)`,
    )
    .option(
      '--covariates <file.csv>',
      "resample patients' clinical covariates from this table instead of the preset's distributions",
    )
    .option('--id <name>', 'estimator id (default: drug-models-times)')
    .option('--out <file>', 'artefact file (default: <id>.json)')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .action(
      async (opts: {
        model: string;
        design?: string;
        n: string;
        seed: string;
        folds: string;
        preset?: string;
        covariates?: string;
        id?: string;
        out?: string;
        threads?: string;
      }) => {
        process.exitCode = await guarded(async () => {
          const models = opts.model.split(',').map((s) => s.trim());
          const drug = getModel(models[0]).ir.drug;
          const preset = presetFor(opts.preset ?? drug);
          if (!preset)
            argError(
              '--preset',
              `no ML preset for ${opts.preset ?? drug}`,
              `presets: ${Object.keys(PRESETS).join(', ')}`,
            );
          const design: SamplingDesign = opts.design
            ? { ...preset!.design, timesH: parseDesignTimes(opts.design) }
            : preset!.design;
          const n = int(opts.n, '--n', 20);
          const recipe: TrainingRecipe = {
            n,
            seed: int(opts.seed, '--seed', 0),
            split: { train: 0.7, validation: 0.1, test: 0.2 },
            folds: int(opts.folds, '--folds', 2),
            grid: DEFAULT_GRID,
            ridgeLambda: 1e-3,
          };
          const t0 = Date.now();
          const est = await trainArtefact({
            preset: preset!,
            models,
            design,
            recipe,
            threads: threadCount(opts.threads ? int(opts.threads, '--threads', 1) : undefined),
            id: opts.id,
            population: opts.covariates ? readCovariateTable(opts.covariates, preset!) : undefined,
            onValidation: (m) =>
              process.stderr.write(
                `validation part (${m.ml.n} patients, not used in training): ML relative bias ${m.ml.relBiasPct.toFixed(1)} %, RMSE ${m.ml.relRmsePct.toFixed(1)} %; linear baseline ${m.baseline.relBiasPct.toFixed(1)} %, ${m.baseline.relRmsePct.toFixed(1)} %\n`,
              ),
          });
          const out = opts.out ?? `${est.id}.json`;
          writeFileSync(out, JSON.stringify(est) + '\n');
          process.stderr.write(
            `dosetwin ml train: ${est.id} → ${out} (${est.chosen.nTrees} trees, depth ${est.chosen.maxDepth}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
          );
          return 0;
        });
      },
    );

  ml.command('evaluate')
    .description(
      'accuracy of an estimator vs MAP on its held-out virtual patients and on an external model; Markdown + SVG report',
    )
    .requiredOption('--estimator <file|id>', 'estimator JSON or the id of a shipped estimator')
    .option('--external <id>', 'library model of the same drug to simulate external-validation patients from')
    .option('--n-external <n>', 'external-validation patients', '2000')
    .option('--no-map', 'skip the MAP comparison')
    .option('--report <dir>', 'write report.md, metrics.json, subgroup-bias.json and the SVG plots here')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .action(
      async (opts: {
        estimator: string;
        external?: string;
        nExternal: string;
        map: boolean;
        report?: string;
        threads?: string;
      }) => {
        process.exitCode = await guarded(async () => {
          const est = loadEstimator(opts.estimator);
          if (opts.external && getModel(opts.external).ir.drug !== est.drug)
            argError('--external', `${opts.external} is not a ${est.drug} model`);
          const ev = await evaluateArtefact(est, {
            external: opts.external,
            nExternal: int(opts.nExternal, '--n-external', 1),
            map: opts.map,
            threads: threadCount(opts.threads ? int(opts.threads, '--threads', 1) : undefined),
          });
          if (opts.report) {
            mkdirSync(opts.report, { recursive: true });
            writeFileSync(join(opts.report, 'report.md'), ev.markdown);
            writeFileSync(join(opts.report, 'metrics.json'), JSON.stringify(ev.metrics, null, 2) + '\n');
            writeFileSync(
              join(opts.report, 'subgroup-bias.json'),
              JSON.stringify(ev.subgroupBias, null, 2) + '\n',
            );
            for (const [name, text] of Object.entries(ev.files))
              writeFileSync(join(opts.report, name), text + '\n');
          } else process.stdout.write(ev.markdown);
          return 0;
        });
      },
    );

  ml.command('predict')
    .description(
      'estimate the AUC from limited samples, dose and covariates: one patient from the options, or every patient of --data (the estimator loaded once)',
    )
    .requiredOption('--estimator <file|id>', 'estimator JSON or the id of a shipped estimator')
    .option('--conc <values>', "concentrations at the design's times, comma-separated, e.g. '8.1,25,14'")
    .option('--unit <unit>', "unit of --conc (default: the estimator's)")
    .option('--times <hours>', 'actual sampling times after the dose, h (default: the nominal times)')
    .option('--dose <amount>', "dose of the sampled interval with its unit, e.g. '4mg'")
    .option(
      '--cov <NAME=VALUE>',
      'covariate with optional unit, e.g. HCT=35% (repeat)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--data <file>',
      `many patients, one row each, instead of --conc/--times/--dose/--cov: ID, DOSE (mg), C1 (ng/mL)..Cn (the design's order; no unit: the estimator's), optional T1 (h)..Tn (actual times after the dose; empty: nominal), and covariates by name with their unit, e.g. HCT (%), CYP3A5, WT (kg); ${codingNote('SEX')}`,
    )
    .option('--no-map', 'skip the MAP Bayesian estimate beside the ML one')
    .option('--format <format>', 'json or text', 'text')
    .action(
      async (opts: {
        estimator: string;
        conc?: string;
        unit?: string;
        times?: string;
        dose?: string;
        cov: string[];
        data?: string;
        map: boolean;
        format: string;
      }) => {
        process.exitCode = await guarded(() => {
          if (opts.format !== 'json' && opts.format !== 'text')
            argError('--format', `'${opts.format}': use json or text`);
          const est = loadEstimator(opts.estimator);
          if (opts.data !== undefined) {
            for (const [v, name] of [
              [opts.conc, '--conc'],
              [opts.times, '--times'],
              [opts.dose, '--dose'],
              [opts.unit, '--unit'],
              [opts.cov.length ? opts.cov : undefined, '--cov'],
            ] as const)
              if (v !== undefined)
                argError(name, `${name} is read from --data's columns: give one or the other`);
            const rows = readPredictData(opts.data, est);
            // Scored in order; output written at the end, so that a bad row leaves stdout empty.
            const out: string[] = [];
            for (const row of rows) {
              const r = withLine(opts.data, row, () => predictPatient(est, row.input, opts.map));
              if (opts.format === 'json') out.push(JSON.stringify({ id: row.id, ...predictJson(est, r) }));
              else {
                for (const n of r.score.notes) process.stderr.write(`${row.id}: ${n}\n`);
                out.push(...predictText(est, r).map((l) => `${row.id}: ${l}`));
              }
            }
            process.stdout.write(out.length ? out.join('\n') + '\n' : '');
            return 0;
          }
          if (opts.conc === undefined)
            argError('--conc', 'give --conc (with --dose), or --data for many patients');
          if (opts.dose === undefined) argError('--dose', "give the dose with its unit, e.g. '4mg'");
          const conc = opts.conc.split(',').map((s) => Number(s.trim()));
          const times = opts.times ? opts.times.split(',').map((s) => Number(s.trim())) : est.design.timesH;
          if (times.length !== conc.length)
            argError('--times', `${times.length} times for ${conc.length} concentrations`);
          const dose = parseQuantity(opts.dose, '--dose');
          if (!dose.unit) argError('--dose', `'${opts.dose}' needs a unit (e.g. ${est.units.dose})`);
          const cov = opts.cov.map((c) => {
            const [rawName, value] = c.split('=');
            const name = rawName?.trim();
            if (!name || value === undefined) argError('--cov', `'${c}' is not NAME=VALUE`);
            return { name: name!, ...parseQuantity(value, `--cov ${name}`) };
          });
          const r = predictPatient(
            est,
            { conc, unit: opts.unit, times, dose: { value: dose.value, unit: dose.unit! }, cov },
            opts.map,
          );
          if (opts.format === 'json') process.stdout.write(JSON.stringify(predictJson(est, r)) + '\n');
          else {
            for (const n of r.score.notes) process.stderr.write(n + '\n');
            process.stdout.write(predictText(est, r).join('\n') + '\n');
          }
          return 0;
        });
      },
    );
}
