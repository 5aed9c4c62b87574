// Issue 9, acceptance 1–2, for the benchmark's non-linear ODE model (run201, Michaelis–Menten
// elimination): see map-benchmark.test.ts for the criteria. Derivatives by forward sensitivity
// equations. ODE tolerances rtol = atol = 1e-6 (amounts in mg, doses 1e4–1.2e5 mg): predictions
// then agree with rtol 1e-12 to < 1e-7 relative, ample for |Δη| ≤ ln 1.001 and OBJ to 1e-6, and
// the 500 fits take a fraction of the time of the simulator's default atol = 1e-12.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBenchRun } from '../test-support/bench-data.ts';
import { agreementFailures, compareWithReference, formatAgreement } from './agreement.ts';
import { MapEstimator } from './map.ts';

test('run201 (Michaelis–Menten, ODE): 500 patients, |Δη| ≤ ln 1.001 for ≥ 99.5 %, OBJ 1e-6, ETC 1e-3', (t) => {
  const b = loadBenchRun('run201');
  const est = new MapEstimator(b.model, { simulator: { ode: { rtol: 1e-6, atol: 1e-6 } } });
  assert.equal(est.derivativeMethod, 'forward sensitivity equations');
  const a = compareWithReference(est, b.patients, b.nonmem);
  formatAgreement('run201', a).forEach((l) => t.diagnostic(l));
  assert.equal(a.patients, 500);
  assert.deepEqual(agreementFailures(a), []);
});
