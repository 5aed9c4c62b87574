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

test('run921 ID 407: the default fit reaches NONMEM’s mode (|Δη| ≤ ln 1.001, objective 1e-9); a first step of 3 prior SDs (maxStep 3) ends 27 units worse', () => {
  const b = loadBenchRun('run921');
  const p = b.patients.find((x) => x.id === '407')!;
  const ref = b.nonmem.get('407')!;
  const est = new MapEstimator(b.model);
  const atNonmem = est.objective(p).value(ref.eta);
  const fit = est.fit(p);
  fit.eta.forEach((e, k) =>
    assert.ok(Math.abs(e - ref.eta[k]) <= Math.log(1.001), `eta ${k}: ${e} vs ${ref.eta[k]}`),
  );
  assert.ok(Math.abs(fit.objective - atNonmem) <= 1e-9 * atNonmem, `${fit.objective} vs ${atNonmem}`);
  // Not vacuous: the patient has a remote basin that a longer first step falls into.
  const far = new MapEstimator(b.model, { maxStep: 3 }).fit(p);
  assert.ok(far.objective > atNonmem + 20, `maxStep 3: ${far.objective}`);
});
