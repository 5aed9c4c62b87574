import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type GbdtParams, predictGbdt, trainGbdt } from './gbdt.ts';

const base: GbdtParams = {
  nTrees: 1,
  maxDepth: 1,
  learningRate: 1,
  lambda: 1,
  gamma: 0,
  minChildWeight: 1,
  subsample: 1,
  colsample: 1,
  seed: 1,
};

test('hand-computed stump: x = 1..4, y = 1,1,3,3, λ = 1 → split at 2.5, leaves 2/3 and 2 (exact)', () => {
  const X = Float64Array.of(1, 2, 3, 4);
  const y = Float64Array.of(1, 1, 3, 3);
  const m = trainGbdt(X, y, new Float64Array(4), 4, 1, base);
  assert.deepEqual(m.feature, [0, -1, -1]);
  assert.equal(m.threshold[0], 2.5);
  // Left leaf: G = −2, H = 2 → −G/(H + λ) = 2/3; right: G = −6, H = 2 → 2.
  assert.deepEqual(
    [1, 2, 3, 4].map((x) => predictGbdt(m, [x])),
    [2 / 3, 2 / 3, 2, 2],
  );
});

test('hand-computed: two rounds, η = 0.5, λ = 0 → ŷ = y − (1 − η)²·y on a separable target (exact)', () => {
  // Each round removes the fraction η of the residual in each leaf: after 2 rounds ŷ = (1 − 0.25)·y.
  const X = Float64Array.of(1, 2, 3, 4);
  const y = Float64Array.of(1, 1, 3, 3);
  const m = trainGbdt(X, y, new Float64Array(4), 4, 1, { ...base, nTrees: 2, learningRate: 0.5, lambda: 0 });
  assert.deepEqual(
    [1, 2, 3, 4].map((x) => predictGbdt(m, [x])),
    [0.75, 0.75, 2.25, 2.25],
  );
});

test('min child weight 3 forbids the only split of 4 rows into 2 + 2: a single leaf, mean of y (exact)', () => {
  const m = trainGbdt(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1, 3, 3), new Float64Array(4), 4, 1, {
    ...base,
    lambda: 0,
    minChildWeight: 3,
  });
  assert.deepEqual(m.feature, [-1]);
  assert.equal(m.value[0], 2);
});

interface Fixture {
  provenance: string;
  nTrain: number;
  X: number[][];
  y: number[];
  cases: {
    params: {
      max_depth: number;
      eta: number;
      reg_lambda: number;
      gamma: number;
      min_child_weight: number;
      rounds: number;
    };
    predictions: number[];
  }[];
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/xgboost-reference.json', import.meta.url), 'utf8'),
) as Fixture;

for (const c of fx.cases) {
  const q = c.params;
  test(`XGBoost 1.7.4 exact (depth ${q.max_depth}, η ${q.eta}, λ ${q.reg_lambda}, γ ${q.gamma}, mcw ${q.min_child_weight}, ${q.rounds} trees): same predictions within 2e-5 (float32)`, () => {
    const p = fx.X[0].length;
    const n = fx.nTrain;
    const X = Float64Array.from(fx.X.slice(0, n).flat());
    const y = Float64Array.from(fx.y.slice(0, n));
    const m = trainGbdt(X, y, new Float64Array(n).fill(0.5), n, p, {
      nTrees: q.rounds,
      maxDepth: q.max_depth,
      learningRate: q.eta,
      lambda: q.reg_lambda,
      gamma: q.gamma,
      minChildWeight: q.min_child_weight,
      subsample: 1,
      colsample: 1,
      seed: 0,
    });
    let worst = 0;
    fx.X.forEach((row, i) => {
      const d = Math.abs(0.5 + predictGbdt(m, row) - c.predictions[i]);
      worst = Math.max(worst, d);
    });
    assert.ok(worst < 2e-5, `largest |Δ| = ${worst}`);
  });
}

test('row and column subsampling: same seed → identical trees; another seed → different trees', () => {
  const n = fx.nTrain;
  const X = Float64Array.from(fx.X.slice(0, n).flat());
  const y = Float64Array.from(fx.y.slice(0, n));
  const params = {
    ...base,
    nTrees: 10,
    maxDepth: 3,
    learningRate: 0.3,
    subsample: 0.7,
    colsample: 0.5,
    seed: 7,
  };
  const a = trainGbdt(X, y, new Float64Array(n), n, 4, params);
  const b = trainGbdt(X, y, new Float64Array(n), n, 4, params);
  const c = trainGbdt(X, y, new Float64Array(n), n, 4, { ...params, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.threshold, c.threshold);
});
