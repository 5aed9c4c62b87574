// Model updating: a simulated hospital whose clearance is 30 % below the published model's; the
// model adapted to 40 of its patients (published estimates as the prior) has their clearance, a new
// version and its provenance. The predictive check on held-out patients (bias and imprecision of
// next-level forecasts) is the library's (models: predictiveCheck, model-update.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileModel } from '../model/compile.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { modelParameters, withParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';
import { updateModel } from './update.ts';

test('CL 30 % lower locally: the updated model has the local CL within 10 %, the published V within 5 %, a new version and its provenance (seeded)', () => {
  const { model: base, patients } = theophylline();
  // The "published" model: nlmixr2's estimates.
  const pub = modelParameters(base.ir);
  pub.theta.set([1.59, 2.75, 31.8]);
  pub.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  pub.addSd[0] = 0.69;
  const published = compileModel({ ...withParameters(base.ir, pub), version: '1.0.0' });
  const local = modelParameters(published.ir);
  local.theta[1] = 0.7 * 2.75;
  const train = simulatePopulation(
    published,
    Array.from({ length: 40 }, (_, i) => ({ ...patients[i % 12], id: `T${i + 1}` })),
    31,
    local,
  ).patients;
  const u = updateModel(published, train, { date: '2026-12-06', covariance: false });
  assert.equal(u.ir.version, '1.0.0+local.20261206');
  assert.deepEqual(u.provenance, {
    from: published.ir.id,
    fromVersion: '1.0.0',
    patients: 40,
    date: '2026-12-06',
    thetaSd: 0.5,
    omegaDf: 5,
  });
  assert.ok(Math.abs(u.fit.theta.TVCL / (0.7 * 2.75) - 1) < 0.1, `${u.fit.theta.TVCL}`);
  assert.ok(Math.abs(u.fit.theta.TVV / 31.8 - 1) < 0.05, `${u.fit.theta.TVV}`);
  assert.equal(u.ir.parameters[1].value, u.fit.theta.TVCL);
  assert.match(u.ir.description, /Adapted on 2026-12-06 from .* to 40 local patients/);
});
