// MAP vs NONMEM on run921 of the benchmark (pazopanib: 6 etas, two lagged depots, F changing from
// record to record; ../shared/reference/map-benchmark/README.md), criteria as in
// map-benchmark.test.ts; in a file of its own so the test runner gives it a core.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBenchRun } from '../test-support/bench-data.ts';
import { agreementFailures, compareWithReference, formatAgreement } from './agreement.ts';
import { MapEstimator } from './map.ts';

test('run921: 500 patients, |Δη| ≤ ln 1.001 for ≥ 99.5 %, OBJ 1e-6, ETC 1e-3', (t) => {
  const b = loadBenchRun('run921');
  const a = compareWithReference(new MapEstimator(b.model), b.patients, b.nonmem);
  formatAgreement('run921', a).forEach((l) => t.diagnostic(l));
  assert.equal(a.patients, 500);
  assert.deepEqual(agreementFailures(a), []);
});
