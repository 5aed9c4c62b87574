// Goodness of fit and VPC: CWRES against the exact decorrelated residuals of a model linear in the
// etas, PRED/IPRED against the simulator, and a VPC of data simulated from the model itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patientFromRecords } from '../events/records.ts';
import { cholesky, forwardSolve } from '../estimate/linalg.ts';
import { compile } from '../test-support/models.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { goodnessOfFit, individualFits, vpc } from './diagnostics.ts';
import { modelParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';

test('CWRES of a model linear in the etas = L⁻¹(y − C0), V = LLᵀ its exact covariance (1e-6); PRED = C0, IPRED = F(η)', () => {
  const model = compile(`
parameters  value  unit  label
  C0        10     mg/L  "intercept"
  CL        1      L/h   "unused"
  V         1      L     "unused"
random
  eta_A ~ 0.3    eta_B ~ 0.2
equations
  pk one_cmt(cl = CL, v = V)
  CP = C0 + 2 * eta_A - 3 * (t / 10) * eta_B + 0 * central
error
  CP ~ add(0.5)
`);
  const times = [1, 5, 12, 24];
  const dv = [11.2, 9.1, 8.7, 5.9];
  const p = patientFromRecords(
    '1',
    [{ time: 0, amt: 1, cmt: 1 }, ...times.map((t, k) => ({ time: t, evid: 0, cmt: 1, dv: dv[k], mdv: 0 }))],
    0,
  );
  const eta = [0.21, -0.13];
  const d = goodnessOfFit(model, [p], modelParameters(model.ir), [eta]);
  const m = times.length;
  const V = new Float64Array(m * m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++)
      V[a * m + b] = 4 * 0.3 + 9 * (times[a] / 10) * (times[b] / 10) * 0.2 + (a === b ? 0.25 : 0);
  const L = new Float64Array(m * m);
  assert.ok(cholesky(m, V, L));
  const w = forwardSolve(
    m,
    L,
    dv.map((y) => y - 10),
    new Float64Array(m),
  );
  d.forEach((o, j) => {
    assert.ok(Math.abs(o.cwres - w[j]) < 1e-6, `${o.cwres} vs ${w[j]}`);
    assert.equal(o.pred, 10);
    const f = 10 + 2 * eta[0] - 3 * (times[j] / 10) * eta[1];
    assert.ok(Math.abs(o.ipred - f) < 1e-12);
    assert.ok(Math.abs(o.iwres - (dv[j] - f) / 0.5) < 1e-12);
  });
});

test('VPC of theophylline designs simulated from the model: the observed 5/50/95th percentiles fall in their 95 % bands in ≥ 20 of 24 checks', () => {
  const { model, patients } = theophylline();
  const designs = Array.from({ length: 48 }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
  const params = modelParameters(model.ir);
  params.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  const data = simulatePopulation(model, designs, 11, params).patients;
  const bins = vpc(model, data, params, { replicates: 100, seed: 500 });
  assert.equal(bins.length, 8);
  assert.equal(
    bins.reduce((s, b) => s + b.count, 0),
    48 * 11,
  );
  let inside = 0;
  for (const b of bins)
    for (let t = 0; t < 3; t++)
      if (b.observed[t] >= b.simulated[t][0] && b.observed[t] <= b.simulated[t][2]) inside++;
  assert.ok(inside >= 20, `${inside} of 24`);
  for (const b of bins)
    assert.ok(b.simulated[1][0] <= b.simulated[1][1] && b.simulated[1][1] <= b.simulated[1][2]);
});

test('individual fits of a one-compartment bolus: PRED = D/V·e^(−CL/V·t) and IPRED with η_CL = 0.3 = D/V·e^(−CL·e^0.3/V·t) on the grid (1e-9 relative), observations as given', () => {
  const model = compile(`
parameters  value  unit  label
  TCL       2      L/h   "clearance"
  TV        20     L     "volume"
random
  eta_CL ~ 0.1
equations
  CL = TCL * exp(eta_CL)
  pk one_cmt(cl = CL, v = TV)
  CP = central / TV
error
  CP ~ add(0.1)
`);
  const p = patientFromRecords(
    '7',
    [
      { time: 0, amt: 100, cmt: 1 },
      { time: 2, evid: 0, cmt: 1, dv: 4.2, mdv: 0 },
      { time: 12, evid: 0, cmt: 1, dv: 1.1, mdv: 0 },
    ],
    0,
  );
  const [f] = individualFits(model, [p], modelParameters(model.ir), [[0.3]], 25);
  assert.deepEqual(f.observed, [
    { time: 2, dv: 4.2, censored: false },
    { time: 12, dv: 1.1, censored: false },
  ]);
  assert.equal(f.curve.time.length, 25);
  assert.equal(f.curve.time[24], 12);
  f.curve.time.forEach((t, k) => {
    const pred = 5 * Math.exp(-0.1 * t);
    const ipred = 5 * Math.exp(-0.1 * Math.exp(0.3) * t);
    assert.ok(Math.abs(f.curve.pred[k] / pred - 1) < 1e-9, `PRED ${f.curve.pred[k]} vs ${pred} at ${t}`);
    assert.ok(Math.abs(f.curve.ipred[k] / ipred - 1) < 1e-9, `IPRED ${f.curve.ipred[k]} vs ${ipred} at ${t}`);
  });
});
