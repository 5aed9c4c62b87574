// Simulation–re-estimation on the theophylline design: the summary matches the replicates' own
// fits, and the FOCE-I estimates of a well-identified model are close to unbiased.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { theophylline } from '../test-support/theophylline.ts';
import type { PopFit } from './fit.ts';
import { modelParameters } from './parameters.ts';
import { simulationReestimation } from './sse.ts';

test('8 replicates of 24 theophylline subjects (FOCE-I): bias and coverage computed from the fits; |bias| of CL and V < 10 %', () => {
  const { model, patients } = theophylline();
  const designs = Array.from({ length: 24 }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
  const truth = modelParameters(model.ir);
  truth.theta.set([1.59, 2.75, 31.8]);
  truth.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  truth.addSd[0] = 0.69;
  const fits: PopFit[] = [];
  const r = simulationReestimation(
    model,
    designs,
    { method: 'focei', replicates: 8, seed: 20, onReplicate: (_, f) => fits.push(f) },
    truth,
  );
  assert.equal(r.replicates, 8);
  assert.equal(fits.length, 8);
  assert.equal(r.converged, fits.filter((f) => f.converged).length);
  const cl = r.components.find((c) => c.name === 'TVCL')!;
  assert.equal(cl.truth, 2.75);
  const ok = fits.filter((f) => f.converged);
  const mean = ok.reduce((s, f) => s + f.theta.TVCL, 0) / ok.length;
  assert.ok(Math.abs(cl.mean - mean) < 1e-12);
  const cover = ok.filter((f) => Math.abs(f.theta.TVCL - 2.75) <= 1.96 * f.se.TVCL).length / ok.length;
  assert.equal(cl.coverage95, cover);
  const coverLog =
    ok.filter((f) => Math.abs(Math.log(2.75 / f.theta.TVCL)) <= (1.96 * f.se.TVCL) / f.theta.TVCL).length /
    ok.length;
  assert.equal(cl.coverage95Log, coverLog);
  assert.ok(Math.abs(cl.biasPct) < 10, `${cl.biasPct}`);
  assert.ok(Math.abs(r.components.find((c) => c.name === 'TVV')!.biasPct) < 10);
  assert.equal(r.components.find((c) => c.name === 'omega(eta_CL)')!.truth, 0.07);
});
