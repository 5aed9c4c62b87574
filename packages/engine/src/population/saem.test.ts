// SAEM: the theophylline fit against nlmixr2's SAEM, seeded reproducibility, and the models it
// refuses (an eta that is not mu-referenced).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { compile } from '../test-support/models.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { fitFocei } from './fit.ts';
import { fitSaem, muReferences } from './saem.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('SAEM on theophylline (theo_sd), against nlmixr2', () => {
  // nlmixr2's published SAEM fit of theo_sd (../shared/reference/popfit/README.md): ka 1.58 /h,
  // CL 2.74 L/h, V 31.6 L, residual SD 0.696, BSV CV 70.0 / 27.2 / 13.3 % (ω² = ln(1 + CV²):
  // 0.3988, 0.0714, 0.0175), OFV 116.79 by FOCE-I at the SAEM estimates, as dosetwin computes it.
  const { model, patients } = theophylline();
  const fit = fitSaem(model, patients, { seed: 1 });

  test('θ within 2 % of nlmixr2 SAEM (ka 1.58, CL 2.74, V 31.6) and SD within 2 % of 0.696 (seed 1)', () => {
    assert.ok(rel(fit.theta.TVKA, 1.58) < 0.02, `${fit.theta.TVKA}`);
    assert.ok(rel(fit.theta.TVCL, 2.74) < 0.02, `${fit.theta.TVCL}`);
    assert.ok(rel(fit.theta.TVV, 31.6) < 0.02, `${fit.theta.TVV}`);
    assert.ok(rel(fit.sigma['CP.add'], 0.696) < 0.02, `${fit.sigma['CP.add']}`);
  });
  test('ω² within 15 % of nlmixr2 SAEM (0.3988, 0.0714, 0.0175), Ω diagonal', () => {
    const w = fit.omega.matrix;
    assert.ok(rel(w[0][0], 0.3988) < 0.15, `${w[0][0]}`);
    assert.ok(rel(w[1][1], 0.0714) < 0.15, `${w[1][1]}`);
    assert.ok(rel(w[2][2], 0.0175) < 0.15, `${w[2][2]}`);
    assert.equal(w[0][2], 0);
  });
  test('OFV (FOCE-I at the SAEM estimates) within 0.5 of nlmixr2’s 116.79, not below the FOCE-I minimum (116.803) by more than 1e-3', () => {
    assert.ok(Math.abs(fit.ofv - 116.79) < 0.5, `${fit.ofv}`);
    assert.ok(fit.ofv > 116.803 - 1e-3);
    assert.equal(fit.ofvMethod, 'FOCE-I at the SAEM estimates');
    assert.equal(Object.keys(fit.se).length, 7);
  });
});

describe('SAEM mechanics', () => {
  const { model, patients } = theophylline();
  test('the same seed gives the same estimates to the last digit; another seed does not', () => {
    const a = fitSaem(model, patients, { seed: 7, explore: 15, smooth: 10, covariance: false });
    const b = fitSaem(model, patients, { seed: 7, explore: 15, smooth: 10, covariance: false });
    const c = fitSaem(model, patients, { seed: 8, explore: 15, smooth: 10, covariance: false });
    assert.deepEqual(a.theta, b.theta);
    assert.deepEqual(a.omega, b.omega);
    assert.notEqual(a.theta.TVCL, c.theta.TVCL);
  });
  test('covarianceMethod r: the SEs are R⁻¹ at the SAEM estimates (FOCE-I’s covariance step there, to 1e-12), not the sandwich', () => {
    const short = { seed: 7, explore: 15, smooth: 10 };
    const r = fitSaem(model, patients, { ...short, covarianceMethod: 'r' });
    const s = fitSaem(model, patients, short);
    // FOCE-I with no iteration stays at its start: its covariance step runs at the SAEM estimates.
    const at = fitFocei(model, patients, { start: r.parameters, maxIterations: 0, covarianceMethod: 'r' });
    assert.equal(r.covariance?.method, 'r');
    assert.equal(s.covariance?.method, 'sandwich');
    assert.deepEqual(r.theta, s.theta);
    for (const name of Object.keys(at.se)) {
      assert.ok(rel(r.se[name], at.se[name]) < 1e-12, `${name}: ${r.se[name]} vs ${at.se[name]}`);
      assert.ok(rel(r.se[name], s.se[name]) > 1e-3, `${name}: R⁻¹ ${r.se[name]} = sandwich ${s.se[name]}`);
    }
    assert.equal(Object.keys(at.se).length, 7);
  });
  test('mu-referencing is read from P = θ·exp(η), exp(θ + η) and θ + η', () => {
    const m = compile(`
parameters  value  unit  label
  TCL       1      L/h   "clearance"
  LV        2.3    1     "log volume"
  SH        0.5    h     "shift"
random
  eta_CL ~ 0.1    eta_V ~ 0.1    eta_S ~ 0.1
equations
  CL = exp(eta_CL) * TCL
  V = exp(LV + eta_V)
  S = SH + eta_S
  pk one_cmt(cl = CL, v = V)
  CP = central / V + 0 * S
error
  CP ~ add(0.1)
`);
    assert.deepEqual(muReferences(m.ir), [
      { eta: 0, theta: 0, transform: 'log' },
      { eta: 1, theta: 1, transform: 'identity' },
      { eta: 2, theta: 2, transform: 'identity' },
    ]);
  });
  test('an eta not mu-referenced (CL = θ·(1 + η)) is refused with DT_POPFIT_SAEM_MODEL naming it', () => {
    const m = compile(`
parameters  value  unit  label
  TCL       1      L/h   "clearance"
  TV        10     L     "volume"
random
  eta_CL ~ 0.1    eta_V ~ 0.1
equations
  CL = TCL * (1 + eta_CL)
  V = TV * exp(eta_V)
  pk one_cmt(cl = CL, v = V)
  CP = central / V
error
  CP ~ add(0.1)
`);
    assert.throws(
      () => fitSaem(m, patients.slice(0, 2), { seed: 1 }),
      (e: unknown) =>
        e instanceof DosetwinError &&
        e.issues[0].code === 'DT_POPFIT_SAEM_MODEL' &&
        /eta_CL is not mu-referenced/.test(e.issues[0].message) &&
        /TCL carries no eta/.test(e.issues[0].message),
    );
  });
});
