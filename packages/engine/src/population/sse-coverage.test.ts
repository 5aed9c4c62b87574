// Calibration of the FOCE-I intervals: simulation–re-estimation on the theo_sd design (24
// subjects, each of the 12 twice) at nlmixr2's estimates, 100 data sets (seeds 1000–1099, the first
// half of the bench's 200), refitted with the covariance step's R⁻¹. Binomial tolerances: a
// calibrated 95 % interval holds the truth in ≤ 88 of 100 data sets with probability 0.004, and in
// ≤ 273 of 300 (the three variances pooled) with probability 0.005 (Binomial(100 | 300, 0.95));
// the target of 90 % or more for θ and σ is missed by a component at ≤ 84/100 with probability
// 0.04 when its coverage is 90 %.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { theophylline } from '../test-support/theophylline.ts';
import { modelParameters } from './parameters.ts';
import { simulationReestimation } from './sse.ts';

test('100 × 24 theophylline subjects (FOCE-I, R⁻¹): the log-scale ci95 of Ω holds the truth in ≥ 89/100 each (≥ 274/300 pooled), where estimate ± 1.96 SE does not; θ and σ ≥ 85/100', () => {
  const { model, patients } = theophylline();
  const designs = Array.from({ length: 24 }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
  const truth = modelParameters(model.ir);
  truth.theta.set([1.59, 2.75, 31.8]);
  truth.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  truth.addSd[0] = 0.69;
  const r = simulationReestimation(
    model,
    designs,
    { method: 'focei', replicates: 100, seed: 1000, covarianceMethod: 'r' },
    truth,
  );
  assert.equal(r.covarianceMethod, 'r');
  assert.equal(r.converged, 100);
  for (const c of r.components) assert.equal(c.withSe, 100, c.name);
  const omega = r.components.filter((c) => c.name.startsWith('omega('));
  assert.equal(omega.length, 3);
  for (const c of omega) assert.ok(c.coverage95Log >= 0.89, `${c.name}: ${c.coverage95Log}`);
  const pooled = (k: 'coverage95' | 'coverage95Log'): number =>
    Math.round(omega.reduce((s, c) => s + 100 * c[k], 0));
  assert.ok(pooled('coverage95Log') >= 274, String(pooled('coverage95Log')));
  // The symmetric Wald interval ω² ± 1.96 SE, from the same SEs, fails the same test.
  assert.ok(pooled('coverage95') < 274, String(pooled('coverage95')));
  for (const c of r.components.filter((c) => !c.name.startsWith('omega(')))
    assert.ok(c.coverage95Log >= 0.85, `${c.name}: ${c.coverage95Log}`);
});
