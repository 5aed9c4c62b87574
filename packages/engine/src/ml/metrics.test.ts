import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, stratify } from './metrics.ts';

test('accuracy: errors +10 %, −20 %, +5 %, 0 % → bias −1.25 %, rRMSE sqrt(525/4) %, within ±10 % 75 %, ±20 % 100 % (1e-12)', () => {
  const ref = [100, 50, 200, 10];
  const est = [110, 40, 210, 10];
  const m = accuracy(est, ref);
  assert.equal(m.n, 4);
  assert.ok(Math.abs(m.relBiasPct - -1.25) < 1e-12);
  assert.ok(Math.abs(m.relRmsePct - Math.sqrt((100 + 400 + 25 + 0) / 4)) < 1e-12);
  assert.equal(m.within10Pct, 75);
  assert.equal(m.within20Pct, 100);
});

test('accuracy: a failed (NaN) estimate is counted apart, not averaged', () => {
  const m = accuracy([NaN, 110], [100, 100]);
  assert.equal(m.failed, 1);
  assert.equal(m.n, 1);
  assert.ok(Math.abs(m.relBiasPct - 10) < 1e-12);
});

test('stratify: groups in first-seen order with their own metrics', () => {
  const s = stratify([110, 90, 100], [100, 100, 100], (i) => (i === 1 ? 'b' : 'a'));
  assert.deepEqual(
    s.map((g) => [g.group, g.metrics.n, Math.round(g.metrics.relBiasPct * 1e9) / 1e9]),
    [
      ['a', 2, 5],
      ['b', 1, -10],
    ],
  );
});
