import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictRidge, trainRidge } from './ridge.ts';

test('OLS (λ = 0) recovers y = 3 + 2·x0 − 0.5·x1 exactly from noise-free rows (1e-12)', () => {
  const rows = [
    [0, 1],
    [1, 0],
    [2, 5],
    [3, -1],
    [4, 2],
  ];
  const X = Float64Array.from(rows.flat());
  const y = Float64Array.from(rows.map(([a, b]) => 3 + 2 * a - 0.5 * b));
  const m = trainRidge(X, y, 5, 2, 0);
  for (const [a, b] of [
    [10, 10],
    [-3, 7],
  ])
    assert.ok(Math.abs(predictRidge(m, [a, b]) - (3 + 2 * a - 0.5 * b)) < 1e-12);
});

test('ridge, one column: slope = Σzy / (Σz² + λ) on standardised z (hand-computed, 1e-15)', () => {
  // x = 1, 2, 3 → mean 2, SD sqrt(2/3); z = ∓sqrt(3/2), 0; y = 1, 2, 6 → ȳ = 3.
  const X = Float64Array.of(1, 2, 3);
  const y = Float64Array.of(1, 2, 6);
  const m = trainRidge(X, y, 3, 1, 1);
  const s = Math.sqrt(3 / 2);
  const slope = (-s * -2 + s * 3) / (3 + 1);
  assert.ok(Math.abs(m.coef[0] - slope) < 1e-15);
  assert.equal(m.intercept, 3);
  assert.ok(Math.abs(predictRidge(m, [3]) - (3 + slope * s)) < 1e-14);
});

test('collinear columns with λ = 0: a clear error naming ridge', () => {
  const X = Float64Array.of(1, 2, 2, 4, 3, 6);
  assert.throws(() => trainRidge(X, Float64Array.of(1, 2, 3), 3, 2, 0), /collinear/);
});
