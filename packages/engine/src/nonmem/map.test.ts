// Acceptance (issue 3, #1, last part): MAP estimates through the control-stream path agree with
// NONMEM's conditional modes on the benchmark (|Δη| ≤ ln 1.001, the study's "excellent", for
// ≥ 99.5 % of the etas of the first 100 patients of each model; etas of patients where dosetwin's
// objective is lower than at NONMEM's etas — NONMEM stopped short — are not counted against it).
// The same fits through the native twin (test-models/map-benchmark/runNNN.dtm) give the same etas
// (|Δη| ≤ 1e-4, a tenth of "excellent"; the two differ only in how the residual variance is coded)
// on the first 30 patients. The MAP objective must support the general residual variance (`ErrorModel.kind = 'variance'`)
// that a control stream's $ERROR translates to; until it does, the test is skipped and says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseDataset } from '../events/dataset.ts';
import { MapEstimator } from '../estimate/map.ts';
import { compileModel } from '../model/compile.ts';
import { BENCH_DIR, BENCH_RUNS, loadBenchRun, REPO } from '../test-support/bench-data.ts';
import { parseControlStream } from './translate.ts';

const NONMEM_MODELS = resolve(REPO, 'packages/engine/test-models/nonmem');
const EXCELLENT = Math.log(1.001);
const PATIENTS = 100;

for (const run of BENCH_RUNS) {
  test(`${run}.mod: MAP etas vs NONMEM, |Δη| ≤ ln 1.001 for ≥ 99.5 % (first ${PATIENTS} patients)`, (t) => {
    const b = loadBenchRun(run);
    const cs = parseControlStream(readFileSync(resolve(NONMEM_MODELS, `${run}.mod`), 'utf8'), `${run}.mod`);
    const model = compileModel(cs.ir);
    const patients = parseDataset(
      readFileSync(resolve(BENCH_DIR, run, 'data.csv'), 'utf8'),
      cs.ir,
      `${run}/data.csv`,
    ).patients.slice(0, PATIENTS);
    const est = new MapEstimator(model);
    try {
      est.objective(patients[0]);
    } catch (e) {
      if (e instanceof DosetwinError && e.issues.some((i) => i.code === 'DT_UNSUPPORTED')) {
        t.skip(`MAP does not support the general residual variance yet: ${e.issues[0].message}`);
        return;
      }
      throw e;
    }
    const twin = new MapEstimator(b.model);
    let etas = 0;
    let excellent = 0;
    let excused = 0;
    let maxTwin = 0;
    patients.forEach((p, i) => {
      const ref = b.nonmem.get(p.id)!;
      const fit = est.fit(p);
      if (i < 30) {
        const tf = twin.fit(b.patients[i]);
        fit.eta.forEach((x, k) => (maxTwin = Math.max(maxTwin, Math.abs(x - tf.eta[k]))));
      }
      const d = [...fit.eta].map((x, k) => Math.abs(x - ref.eta[k]));
      const bad = d.filter((x) => x > EXCELLENT).length;
      etas += d.length;
      excellent += d.length - bad;
      if (bad && fit.objective < est.objective(p).value(ref.eta) * (1 - 1e-7)) excused += bad;
    });
    const share = excellent / (etas - excused);
    t.diagnostic(
      `${run}: ${excellent}/${etas} etas excellent, ${excused} excused (better optimum): ${(100 * share).toFixed(2)} %; vs twin max |Δη| ${maxTwin.toExponential(2)}`,
    );
    assert.ok(maxTwin <= 1e-4, `${run}: control stream vs twin MAP |Δη| ${maxTwin}`);
    assert.ok(share >= 0.995, `${run}: ${(100 * share).toFixed(2)} % excellent`);
  });
}
