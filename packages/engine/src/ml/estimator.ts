/**
 * Exposure estimators: training (seeded split, k-fold cross-validation of the tree
 * hyper-parameters, final fit), the versioned artefact, and the scorer. Training and scoring are
 * pure and deterministic: the same data and recipe give the same artefact bit for bit, whatever
 * the number of threads running the cross-validation tasks.
 */
import { DosetwinError, fail, type Issue } from '../errors.ts';
import { createRng } from '../simulate/rng.ts';
import { convert, isKnownUnit } from '../units.ts';
import { baselineRow, type FeatureDef, type FeatureInput, treeRow } from './features.ts';
import { checkGbdtParams, type Gbdt, type GbdtParams, predictGbdt, sortColumns, trainGbdt } from './gbdt.ts';
import type { PopulationSpec } from './population.ts';
import { predictRidge, type Ridge, trainRidge } from './ridge.ts';
import { STREAM, streamSeed } from './seeds.ts';
import type { SamplingDesign } from './virtual.ts';

export const ESTIMATOR_FORMAT = 'dosetwin-ml-estimator';
export const ESTIMATOR_FORMAT_VERSION = 1;

/** Hyper-parameter grid searched by cross-validation (every combination; trees 1..nTreesMax). */
export interface GbdtGrid {
  maxDepth: number[];
  learningRate: number[];
  minChildWeight: number[];
  nTreesMax: number;
  lambda: number;
  gamma: number;
  subsample: number;
  colsample: number;
}

export interface TrainingRecipe {
  /** Virtual patients simulated (train + validation + test). */
  n: number;
  seed: number;
  /** Fractions of the n patients (sum 1). */
  split: { train: number; validation: number; test: number };
  folds: number;
  grid: GbdtGrid;
  /** Ridge penalty of the baseline (standardised columns). */
  ridgeLambda: number;
}

/** The data an estimator learns from: one row per patient, in the estimator's units. */
export interface TrainingData {
  rows: FeatureInput[];
  /** Reference AUC of each row. */
  auc: number[];
}

export interface CvResult {
  maxDepth: number;
  learningRate: number;
  minChildWeight: number;
  /** Mean over folds of the validation RMSE of ln AUC, after each number of trees (1..nTreesMax). */
  rmseByTrees: number[];
}

/** A trained estimator, as stored (JSON). */
export interface MlEstimator {
  format: typeof ESTIMATOR_FORMAT;
  formatVersion: number;
  id: string;
  drug: string;
  description: string;
  target: { name: string; label: string; unit: string; transform: 'ln' };
  units: { dose: string; conc: string; time: 'h' };
  design: SamplingDesign;
  covariates: { name: string; unit: string; label: string }[];
  /** Models the virtual patients were simulated from (pooled when several). */
  models: { id: string; version: string; sha256: string }[];
  population: PopulationSpec;
  recipe: TrainingRecipe;
  engineVersion: string;
  features: FeatureDef[];
  baselineFeatures: FeatureDef[];
  cv: CvResult[];
  chosen: GbdtParams;
  ridge: Ridge;
  gbdt: Gbdt;
  /** A recorded prediction: scoring `input` must give `auc` exactly (the scorer never drifts). */
  check: { input: ScoreInput; auc: number };
}

/** Row indices of the train / validation / test parts: a seeded permutation of 0..n−1. */
export function splitIndices(recipe: TrainingRecipe): {
  train: number[];
  validation: number[];
  test: number[];
} {
  const { n, split } = recipe;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rng = createRng(streamSeed(recipe.seed, STREAM.split));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const nTrain = Math.round(n * split.train);
  const nVal = Math.round(n * split.validation);
  const sorted = (a: number[]): number[] => a.sort((x, y) => x - y);
  return {
    train: sorted(perm.slice(0, nTrain)),
    validation: sorted(perm.slice(nTrain, nTrain + nVal)),
    test: sorted(perm.slice(nTrain + nVal)),
  };
}

export function checkRecipe(r: TrainingRecipe): void {
  const bad = (field: string, msg: string): never => fail('DT_ML_RECIPE', `recipe.${field}`, msg);
  if (!Number.isInteger(r.n) || r.n < 20) bad('n', `n ${r.n} must be a whole number ≥ 20`);
  if (!Number.isInteger(r.seed)) bad('seed', `seed ${r.seed} must be an integer`);
  const s = r.split;
  if (
    ![s.train, s.validation, s.test].every((x) => x >= 0) ||
    Math.abs(s.train + s.validation + s.test - 1) > 1e-9
  )
    bad('split', 'train, validation and test fractions must be ≥ 0 and sum to 1');
  if (!Number.isInteger(r.folds) || r.folds < 2) bad('folds', `folds ${r.folds} must be a whole number ≥ 2`);
  const g = r.grid;
  for (const [name, list] of [
    ['maxDepth', g.maxDepth],
    ['learningRate', g.learningRate],
    ['minChildWeight', g.minChildWeight],
  ] as const)
    if (list.length === 0) bad(`grid.${name}`, 'the grid needs at least one value');
  for (const combo of gridCombos(g))
    checkGbdtParams({ ...combo, nTrees: g.nTreesMax, seed: r.seed }, 'recipe.grid');
  if (!(r.ridgeLambda >= 0)) bad('ridgeLambda', `ridgeLambda ${r.ridgeLambda} must be ≥ 0`);
}

export function gridCombos(g: GbdtGrid): Omit<GbdtParams, 'nTrees' | 'seed'>[] {
  const out: Omit<GbdtParams, 'nTrees' | 'seed'>[] = [];
  for (const maxDepth of g.maxDepth)
    for (const learningRate of g.learningRate)
      for (const minChildWeight of g.minChildWeight)
        out.push({
          maxDepth,
          learningRate,
          minChildWeight,
          lambda: g.lambda,
          gamma: g.gamma,
          subsample: g.subsample,
          colsample: g.colsample,
        });
  return out;
}

/** Design matrices of some rows: tree features, baseline features, ln AUC. */
export function designMatrices(
  design: SamplingDesign,
  data: TrainingData,
  rows: readonly number[],
): { X: Float64Array; B: Float64Array; y: Float64Array; p: number; q: number } {
  const T = design.timesH;
  const nCov = data.rows[0]?.covariates.length ?? 0;
  const p = 3 * T.length - 1 + 1 + nCov;
  const q = 2 * T.length + 1 + nCov;
  const X = new Float64Array(rows.length * p);
  const B = new Float64Array(rows.length * q);
  const y = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    treeRow(T, data.rows[r], X, i * p);
    baselineRow(T, design.lloq, data.rows[r], B, i * q);
    y[i] = Math.log(data.auc[r]);
  });
  return { X, B, y, p, q };
}

/** Fold (0..k−1) of each training row: a seeded balanced assignment. */
export function foldsOf(recipe: TrainingRecipe, nTrain: number): Int32Array {
  const perm = Array.from({ length: nTrain }, (_, i) => i);
  const rng = createRng(streamSeed(recipe.seed, STREAM.fold));
  for (let i = nTrain - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const fold = new Int32Array(nTrain);
  perm.forEach((r, i) => (fold[r] = i % recipe.folds));
  return fold;
}

/** Tree seed of a CV task or of the final fit: independent streams per (combo, fold). */
const treeSeed = (recipe: TrainingRecipe, combo: number, fold: number): number =>
  streamSeed(recipe.seed, STREAM.tree, combo, fold);

/**
 * One cross-validation task: grid combination `combo`, fold `fold` held out. Returns the
 * validation sum of squared errors of ln AUC after each number of trees, and the row count.
 */
export function cvTask(
  design: SamplingDesign,
  recipe: TrainingRecipe,
  data: TrainingData,
  train: readonly number[],
  combo: number,
  fold: number,
): { sse: Float64Array; n: number } {
  const folds = foldsOf(recipe, train.length);
  const fit = train.filter((_, i) => folds[i] !== fold);
  const val = train.filter((_, i) => folds[i] === fold);
  const A = designMatrices(design, data, fit);
  const V = designMatrices(design, data, val);
  const ridge = trainRidge(A.B, A.y, fit.length, A.q, recipe.ridgeLambda);
  const baseA = Float64Array.from({ length: fit.length }, (_, i) => predictRidge(ridge, A.B, i * A.q));
  const margin = Float64Array.from({ length: val.length }, (_, i) => predictRidge(ridge, V.B, i * V.q));
  const params: GbdtParams = {
    ...gridCombos(recipe.grid)[combo],
    nTrees: recipe.grid.nTreesMax,
    seed: treeSeed(recipe, combo, fold),
  };
  const sse = new Float64Array(params.nTrees);
  trainGbdt(A.X, A.y, baseA, fit.length, A.p, params, {
    X: V.X,
    n: val.length,
    margin,
    onRound(t, m) {
      let s = 0;
      for (let i = 0; i < val.length; i++) s += (m[i] - V.y[i]) ** 2;
      sse[t] = s;
    },
  });
  return { sse, n: val.length };
}

/** Combine CV task results (indexed [combo][fold]) into per-combination curves and the best choice. */
export function chooseParams(
  recipe: TrainingRecipe,
  results: { sse: Float64Array; n: number }[][],
): { cv: CvResult[]; chosen: GbdtParams } {
  const combos = gridCombos(recipe.grid);
  let best = { rmse: Infinity, combo: 0, trees: 1 };
  const cv = combos.map((c, k) => {
    const rmseByTrees: number[] = [];
    for (let t = 0; t < recipe.grid.nTreesMax; t++) {
      let s = 0;
      let n = 0;
      for (const r of results[k]) {
        s += r.sse[t];
        n += r.n;
      }
      const rmse = Math.sqrt(s / n);
      rmseByTrees.push(rmse);
      if (rmse < best.rmse) best = { rmse, combo: k, trees: t + 1 };
    }
    return {
      maxDepth: c.maxDepth,
      learningRate: c.learningRate,
      minChildWeight: c.minChildWeight,
      rmseByTrees,
    };
  });
  return {
    cv,
    chosen: { ...combos[best.combo], nTrees: best.trees, seed: treeSeed(recipe, best.combo, -1) },
  };
}

/** Final fit on all training rows with the chosen hyper-parameters. */
export function fitFinal(
  design: SamplingDesign,
  recipe: TrainingRecipe,
  data: TrainingData,
  train: readonly number[],
  chosen: GbdtParams,
): { ridge: Ridge; gbdt: Gbdt } {
  const A = designMatrices(design, data, train);
  const ridge = trainRidge(A.B, A.y, train.length, A.q, recipe.ridgeLambda);
  const base = Float64Array.from({ length: train.length }, (_, i) => predictRidge(ridge, A.B, i * A.q));
  const gbdt = trainGbdt(
    A.X,
    A.y,
    base,
    train.length,
    A.p,
    chosen,
    undefined,
    sortColumns(A.X, train.length, A.p),
  );
  return { ridge, gbdt };
}

/** Training in one thread (the CLI runs the CV tasks on worker threads; the result is the same). */
export function trainEstimator(
  design: SamplingDesign,
  recipe: TrainingRecipe,
  data: TrainingData,
): { cv: CvResult[]; chosen: GbdtParams; ridge: Ridge; gbdt: Gbdt; split: ReturnType<typeof splitIndices> } {
  checkRecipe(recipe);
  const split = splitIndices(recipe);
  const results = gridCombos(recipe.grid).map((_, k) =>
    Array.from({ length: recipe.folds }, (_, f) => cvTask(design, recipe, data, split.train, k, f)),
  );
  const { cv, chosen } = chooseParams(recipe, results);
  return { cv, chosen, ...fitFinal(design, recipe, data, split.train, chosen), split };
}

// ------------------------------------------------------------------------------------- scoring

/** A value with its unit, or a number in the estimator's unit. */
export type Quantity = number | { value: number; unit: string };

export interface ScoreInput {
  /** Samples in the design's order: actual time after the dose (h) and concentration. */
  samples: { timeH: number; conc: Quantity }[];
  dose: Quantity;
  covariates: Record<string, Quantity>;
}

export interface Score {
  /** Estimated AUC (GBDT on top of the linear baseline), in `unit`. */
  auc: number;
  /** The linear baseline's AUC alone. */
  baselineAuc: number;
  unit: string;
  /** Unit conversions applied, and warnings (sampling time far from nominal). */
  notes: string[];
}

function quantity(q: Quantity, unit: string, field: string, notes: string[]): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) fail('DT_ML_INPUT', field, `${field} is ${q}; a finite number is needed`);
    return q;
  }
  if (!q || typeof q !== 'object' || !Number.isFinite(q.value))
    fail('DT_ML_INPUT', field, `${field} must be a finite number or { value, unit }`);
  if (q.unit === unit) return q.value;
  if (!isKnownUnit(q.unit) || !isKnownUnit(unit))
    fail('DT_ML_INPUT', field, `${field} is in '${q.unit}'; the estimator expects ${unit}`, {
      hint: `give ${field} in ${unit}`,
    });
  const v = convert(q.value, q.unit, unit, field);
  notes.push(`${field}: ${q.value} ${q.unit} → ${v} ${unit}`);
  return v;
}

/** Feature input of a score request in the estimator's units; every problem is an Issue. */
export function scoreFeatures(est: MlEstimator, input: ScoreInput): { x: FeatureInput; notes: string[] } {
  const notes: string[] = [];
  const issues: Issue[] = [];
  const T = est.design.timesH;
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof DosetwinError) issues.push(...e.issues);
      else throw e;
    }
  };
  if (!Array.isArray(input.samples) || input.samples.length !== T.length)
    fail(
      'DT_ML_INPUT',
      'samples',
      `the estimator needs ${T.length} samples, at nominal ${T.join(', ')} h; got ${input.samples?.length ?? 0}`,
    );
  const conc = new Array<number>(T.length).fill(NaN);
  const timesH = new Array<number>(T.length).fill(NaN);
  input.samples.forEach((s, j) =>
    guard(() => {
      if (!Number.isFinite(s.timeH))
        fail('DT_ML_INPUT', `samples[${j}].timeH`, `sampling time ${s.timeH} is not a number`);
      timesH[j] = s.timeH;
      conc[j] = quantity(s.conc, est.units.conc, `samples[${j}].conc`, notes);
      if (!(conc[j] >= 0)) fail('DT_ML_INPUT', `samples[${j}].conc`, `concentration ${conc[j]} must be ≥ 0`);
      const sd = est.design.jitter.sdH + est.design.jitter.fraction * T[j];
      if (Math.abs(s.timeH - T[j]) > 2 * sd)
        notes.push(
          `warning: samples[${j}] at ${s.timeH} h is more than ${+(2 * sd).toFixed(3)} h from its nominal ${T[j]} h (outside the training range)`,
        );
    }),
  );
  let dose = NaN;
  guard(() => {
    dose = quantity(input.dose, est.units.dose, 'dose', notes);
    if (!(dose > 0)) fail('DT_ML_INPUT', 'dose', `dose ${dose} must be > 0`);
  });
  const covariates = est.covariates.map((c) => {
    let v = NaN;
    guard(() => {
      const q = input.covariates?.[c.name];
      if (q === undefined || q === null)
        fail('DT_ML_INPUT', `covariates.${c.name}`, `${c.name} (${c.label}, ${c.unit}) is required`);
      v = quantity(q, c.unit, `covariates.${c.name}`, notes);
    });
    return v;
  });
  if (issues.length) throw new DosetwinError(issues);
  return { x: { conc, timesH, dose, covariates }, notes };
}

/** Predicted ln AUC of one feature input (pure arithmetic; runs in the browser and the server). */
export function predictLnAuc(est: MlEstimator, x: FeatureInput): { ln: number; baseline: number } {
  const T = est.design.timesH;
  const tree = new Float64Array(est.features.length);
  const lin = new Float64Array(est.baselineFeatures.length);
  treeRow(T, x, tree, 0);
  baselineRow(T, est.design.lloq, x, lin, 0);
  const baseline = predictRidge(est.ridge, lin, 0);
  return { ln: baseline + predictGbdt(est.gbdt, tree, 0), baseline };
}

export function scoreEstimator(est: MlEstimator, input: ScoreInput): Score {
  const { x, notes } = scoreFeatures(est, input);
  const { ln, baseline } = predictLnAuc(est, x);
  return { auc: Math.exp(ln), baselineAuc: Math.exp(baseline), unit: est.target.unit, notes };
}

/** Check a parsed artefact's shape and version before use; problems name their field. */
export function validateEstimator(json: unknown): MlEstimator {
  const e = json as Partial<MlEstimator> | null;
  const bad = (field: string, msg: string): never => fail('DT_ML_ARTEFACT', field, msg);
  if (!e || typeof e !== 'object') bad('estimator', 'not a JSON object');
  if (e!.format !== ESTIMATOR_FORMAT)
    bad('format', `format '${String(e!.format)}' is not ${ESTIMATOR_FORMAT}`);
  if (e!.formatVersion !== ESTIMATOR_FORMAT_VERSION)
    bad(
      'formatVersion',
      `format version ${e!.formatVersion} is not supported (this engine reads ${ESTIMATOR_FORMAT_VERSION})`,
    );
  const est = e as MlEstimator;
  for (const k of [
    'design',
    'ridge',
    'gbdt',
    'features',
    'baselineFeatures',
    'covariates',
    'units',
    'target',
  ] as const)
    if (!est[k] || typeof est[k] !== 'object') bad(k, `${k} is missing`);
  const T = est.design.timesH;
  const nCov = est.covariates.length;
  if (est.features.length !== 3 * T.length + nCov) bad('features', 'feature list does not match the design');
  if (
    est.baselineFeatures.length !== 2 * T.length + 1 + nCov ||
    est.ridge.coef.length !== est.baselineFeatures.length
  )
    bad('baselineFeatures', 'baseline feature list does not match the design or the ridge coefficients');
  const g = est.gbdt;
  const nodes = g.feature.length;
  if (![g.threshold, g.left, g.right, g.value].every((a) => Array.isArray(a) && a.length === nodes))
    bad('gbdt', 'node arrays have different lengths');
  if (g.nFeatures !== est.features.length)
    bad('gbdt.nFeatures', `${g.nFeatures} ≠ ${est.features.length} features`);
  for (let k = 0; k < nodes; k++)
    if (
      g.feature[k] >= 0 &&
      !(g.left[k] > k && g.right[k] > k && g.right[k] < nodes && g.feature[k] < g.nFeatures)
    )
      bad(`gbdt.node[${k}]`, 'malformed tree node');
  return est;
}
