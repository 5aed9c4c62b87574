// MAP vs NONMEM on run921 of the benchmark (pazopanib: 6 etas, two lagged depots, F changing from
// record to record; ../shared/reference/map-benchmark/README.md), criteria as in
// map-benchmark.test.ts, through the native model file and through the study's own control stream
// (500 patients each); in a file of its own so the test runner gives it a core.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseDataset } from '../events/dataset.ts';
import { compileModel } from '../model/compile.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { BENCH_DIR, loadBenchRun, REPO } from '../test-support/bench-data.ts';
import { agreementFailures, compareWithReference, formatAgreement } from './agreement.ts';
import { MapEstimator } from './map.ts';

test('run921: 500 patients, |Δη| ≤ ln 1.001 for ≥ 99.5 %, OBJ 1e-6, ETC 1e-3', (t) => {
  const b = loadBenchRun('run921');
  const a = compareWithReference(new MapEstimator(b.model), b.patients, b.nonmem);
  formatAgreement('run921', a).forEach((l) => t.diagnostic(l));
  assert.equal(a.patients, 500);
  assert.deepEqual(agreementFailures(a), []);
});

test('run921.mod (the study’s control stream, translated): 500 patients, |Δη| ≤ ln 1.001 for ≥ 99.5 %, OBJ 1e-6, ETC 1e-3', (t) => {
  const b = loadBenchRun('run921');
  const file = resolve(REPO, 'packages/engine/test-models/nonmem/run921.mod');
  const cs = parseControlStream(readFileSync(file, 'utf8'), 'run921.mod');
  const data = readFileSync(resolve(BENCH_DIR, 'run921/data.csv'), 'utf8');
  const patients = parseDataset(data, cs.ir, 'run921/data.csv').patients.slice(0, 500);
  const a = compareWithReference(new MapEstimator(compileModel(cs.ir)), patients, b.nonmem);
  formatAgreement('run921.mod', a).forEach((l) => t.diagnostic(l));
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
