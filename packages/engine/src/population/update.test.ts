// Model updating: a simulated hospital whose clearance is 30 % below the published model's. The
// model adapted to 40 of its patients (published estimates as the prior) forecasts the 24-h level
// of 20 held-out patients from their 1-h and 5-h levels with less bias and imprecision than the
// published model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patientFromRecords } from '../events/records.ts';
import { compileModel } from '../model/compile.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { modelParameters, withParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';
import { forecastSummary, nextLevelForecasts, updateModel } from './update.ts';

test('CL 30 % lower locally: the updated model (version, provenance) has lower bias and imprecision on held-out next levels (seeded)', () => {
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
  const designs = Array.from({ length: 20 }, (_, i) =>
    patientFromRecords(
      `H${i + 1}`,
      [
        { time: 0, amt: 320, cmt: 1, evid: 1 },
        ...[1, 5, 24].map((t) => ({ time: t, evid: 0, cmt: 2, mdv: 0, dv: 0 })),
      ],
      base.ir.covariates.length,
    ),
  );
  const held = simulatePopulation(published, designs, 77, local).patients;
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
  const before = forecastSummary(nextLevelForecasts(published, held));
  const after = forecastSummary(nextLevelForecasts(compileModel(u.ir), held));
  assert.equal(before.n, 20);
  assert.ok(Math.abs(after.biasPct) < Math.abs(before.biasPct), `bias ${after.biasPct} vs ${before.biasPct}`);
  assert.ok(
    after.imprecisionPct < before.imprecisionPct,
    `imprecision ${after.imprecisionPct} vs ${before.imprecisionPct}`,
  );
});
