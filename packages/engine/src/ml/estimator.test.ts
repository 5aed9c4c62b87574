import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { createRng } from '../simulate/rng.ts';
import {
  chooseParams,
  ESTIMATOR_FORMAT,
  type MlEstimator,
  scoreEstimator,
  splitIndices,
  trainEstimator,
  type TrainingRecipe,
  validateEstimator,
} from './estimator.ts';
import { baselineFeatures, treeFeatures } from './features.ts';
import type { SamplingDesign } from './virtual.ts';

const design: SamplingDesign = {
  timesH: [0, 2],
  tauH: 12,
  route: 'oral',
  doses: [100],
  jitter: { sdH: 0.1, fraction: 0 },
  lloq: 0.01,
};
const recipe: TrainingRecipe = {
  n: 200,
  seed: 5,
  split: { train: 0.7, validation: 0.1, test: 0.2 },
  folds: 2,
  grid: {
    maxDepth: [2],
    learningRate: [0.1],
    minChildWeight: [5],
    nTreesMax: 20,
    lambda: 1,
    gamma: 0,
    subsample: 1,
    colsample: 1,
  },
  ridgeLambda: 0,
};

// AUC = 3 · C0^0.5 · C2^0.7 · dose^0.2 · exp(0.01·WT) exactly: a power law the log-scale ridge
// baseline represents exactly, so the trees have nothing left to fit.
function powerLawData(): {
  rows: { conc: number[]; timesH: number[]; dose: number; covariates: number[] }[];
  auc: number[];
} {
  const rng = createRng(9);
  const rows = Array.from({ length: recipe.n }, () => ({
    conc: [1 + 9 * rng.uniform(), 5 + 20 * rng.uniform()],
    timesH: [-0.1 * rng.uniform(), 2 + 0.2 * (rng.uniform() - 0.5)],
    dose: 50 + 100 * rng.uniform(),
    covariates: [50 + 50 * rng.uniform()],
  }));
  const auc = rows.map(
    (r) => 3 * r.conc[0] ** 0.5 * r.conc[1] ** 0.7 * r.dose ** 0.2 * Math.exp(0.01 * r.covariates[0]),
  );
  return { rows, auc };
}

function estimatorOf(t: ReturnType<typeof trainEstimator>): MlEstimator {
  const ctx = {
    timesH: design.timesH,
    concUnit: 'mg/L',
    doseUnit: 'mg',
    covariates: [{ name: 'WT', unit: 'kg', label: 'weight' }],
  };
  return {
    format: ESTIMATOR_FORMAT,
    formatVersion: 1,
    id: 'test',
    drug: 'testdrug',
    description: 'test',
    target: { name: 'auc', label: 'AUC', unit: 'mg*h/L', transform: 'ln' },
    units: { dose: 'mg', conc: 'mg/L', time: 'h' },
    design,
    covariates: ctx.covariates,
    models: [],
    population: { kind: 'table', label: 't', columns: [], rows: [[]] },
    recipe,
    engineVersion: '0',
    features: treeFeatures(ctx),
    baselineFeatures: baselineFeatures(ctx),
    cv: t.cv,
    chosen: t.chosen,
    ridge: t.ridge,
    gbdt: t.gbdt,
    check: { input: { samples: [], dose: 1, covariates: {} }, auc: 0 },
  };
}

test('an exact power law: held-out AUC predicted to rel. 1e-9 (log-scale baseline exact, trees add ~0)', () => {
  const data = powerLawData();
  const t = trainEstimator(design, recipe, data);
  const est = validateEstimator(JSON.parse(JSON.stringify(estimatorOf(t))));
  for (const i of t.split.test) {
    const r = data.rows[i];
    const s = scoreEstimator(est, {
      samples: r.conc.map((c, j) => ({ timeH: r.timesH[j], conc: c })),
      dose: r.dose,
      covariates: { WT: r.covariates[0] },
    });
    assert.ok(Math.abs(s.auc - data.auc[i]) / data.auc[i] < 1e-9, `${s.auc} vs ${data.auc[i]}`);
  }
});

test('split: disjoint parts covering 0..n−1 in the stated proportions; same seed → same split', () => {
  const s = splitIndices(recipe);
  assert.deepEqual([s.train.length, s.validation.length, s.test.length], [140, 20, 40]);
  assert.deepEqual(
    [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.deepEqual(splitIndices(recipe), s);
  assert.notDeepEqual(splitIndices({ ...recipe, seed: 6 }).test, s.test);
});

test('chooseParams: the grid point and tree count of the lowest pooled CV RMSE (hand-made curves)', () => {
  const r2 = { ...recipe, grid: { ...recipe.grid, maxDepth: [2, 4], nTreesMax: 3 } };
  // combo 0: RMSE² = sse/n = [4, 1, 2.25]/… ; combo 1: [9, 0.25, 1]
  const res = [
    [{ sse: Float64Array.of(40, 10, 22.5), n: 10 }],
    [{ sse: Float64Array.of(90, 2.5, 10), n: 10 }],
  ];
  const { cv, chosen } = chooseParams(r2, res);
  assert.deepEqual(cv[1].rmseByTrees, [3, 0.5, 1]);
  assert.equal(chosen.maxDepth, 4);
  assert.equal(chosen.nTrees, 2);
});

test('scorer: units converted at the edge, every bad field named', () => {
  const est = estimatorOf(trainEstimator(design, recipe, powerLawData()));
  const base = {
    samples: [
      { timeH: 0, conc: 4 },
      { timeH: 2, conc: 10 },
    ],
    dose: 100,
    covariates: { WT: 70 },
  };
  const a = scoreEstimator(est, base);
  const b = scoreEstimator(est, {
    samples: [
      { timeH: 0, conc: { value: 4000, unit: 'ug/L' } },
      { timeH: 2, conc: { value: 10, unit: 'ug/mL' } },
    ],
    dose: { value: 0.1, unit: 'g' },
    covariates: { WT: { value: 70, unit: 'kg' } },
  });
  assert.ok(Math.abs(a.auc - b.auc) / a.auc < 1e-12);
  assert.ok(b.notes.some((n) => n.includes('4000 ug/L → 4 mg/L')));
  try {
    scoreEstimator(est, {
      samples: [
        { timeH: 0, conc: -1 },
        { timeH: 2, conc: { value: 1, unit: 'mmol/L' } },
      ],
      dose: 0,
      covariates: {},
    });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof DosetwinError);
    assert.deepEqual(
      e.issues.map((i) => i.field),
      ['samples[0].conc', 'samples[1].conc', 'dose', 'covariates.WT'],
    );
  }
  assert.throws(() => scoreEstimator(est, { ...base, samples: base.samples.slice(0, 1) }), /needs 2 samples/);
  assert.throws(() => validateEstimator({ ...est, formatVersion: 2 }), /format version 2 is not supported/);
});
