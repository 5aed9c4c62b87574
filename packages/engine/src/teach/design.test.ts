// The expected information of one level, against the hand-derived Fisher information of a
// one-compartment IV bolus: ln F = ln(D/V) − (CL/V)·t, so ∂lnF/∂η_CL = −kt and ∂lnF/∂η_V = kt − 1;
// with exponential error σ² the posterior covariance is (Ω⁻¹ + g·gᵀ/σ²)⁻¹ (a 2×2 inverse).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { samplingInformation } from './design.ts';

const model = (error: string) =>
  compile(
    `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n` +
      `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
      `error\n  CP ~ ${error}\n`,
  );
const OMEGA = [
  [0.1, 0],
  [0, 0.05],
];

/** Expected SD ratios by hand: P = Ω⁻¹ + g gᵀ/σ², Σ = P⁻¹. */
function byHand(t: number, sigma2: number): [number, number] {
  const k = 4 / 50;
  const g = [-k * t, k * t - 1];
  const p11 = 1 / 0.1 + (g[0] * g[0]) / sigma2;
  const p22 = 1 / 0.05 + (g[1] * g[1]) / sigma2;
  const p12 = (g[0] * g[1]) / sigma2;
  const det = p11 * p22 - p12 * p12;
  return [Math.sqrt(p22 / det / 0.1), Math.sqrt(p11 / det / 0.05)];
}

for (const [label, error] of [
  ['exponential error 0.2', 'exp(0.2)'],
  ['proportional error 0.2 (same information on F)', 'prop(0.2)'],
] as const)
  test(`one level at 1, 6, 12, 24 h: SD ratios of η_CL and η_V equal the hand-derived Fisher information (${label}; rel. 1e-6)`, () => {
    const sim = new Simulator(model(error));
    const h = patient([{ time: 0, evid: 1, amt: 1000 }]);
    const info = samplingInformation(sim, h, [24, 1, 12, 6], null, OMEGA);
    assert.deepEqual(info.times, [1, 6, 12, 24]);
    assert.deepEqual(info.etas, ['eta_CL', 'eta_V']);
    info.times.forEach((t, k) => {
      const [cl, v] = byHand(t, 0.04);
      assert.ok(Math.abs(info.ratio[k][0] - cl) / cl < 1e-6, `t ${t}: η_CL ${info.ratio[k][0]} vs ${cl}`);
      assert.ok(Math.abs(info.ratio[k][1] - v) / v < 1e-6, `t ${t}: η_V ${info.ratio[k][1]} vs ${v}`);
      assert.ok(Math.abs(info.predicted[k] - 20 * Math.exp(-0.08 * t)) < 1e-9);
    });
    // A late level teaches more about CL than an early one (the reason troughs and AUC samples are drawn late).
    assert.ok(info.ratio[3][0] < info.ratio[0][0]);
  });

test('a model whose residual error is an expression is refused, naming the error block (DT_PARAM_DOMAIN)', () => {
  const sim = new Simulator(model('variance(0.04 * CP^2)'));
  assert.throws(
    () => samplingInformation(sim, patient([{ time: 0, evid: 1, amt: 1000 }]), [2], null, OMEGA),
    (e: Error & { issues?: { code: string; field: string }[] }) =>
      e.issues?.[0]?.code === 'DT_PARAM_DOMAIN' && e.issues[0].field === 'error',
  );
});
