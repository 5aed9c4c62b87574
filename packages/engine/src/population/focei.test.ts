// FOCE-I: the objective against the exact marginal likelihood of a model linear in the etas
// (where the Laplace approximation is exact), and the theophylline fit against nlmixr2's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { patientFromRecords } from '../events/records.ts';
import { compile } from '../test-support/models.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { cholesky, logDetChol, cholSolve } from '../estimate/linalg.ts';
import { fitFocei } from './fit.ts';
import { FoceiObjective } from './focei.ts';
import { modelParameters, parameterSpace } from './parameters.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('FOCE-I objective', () => {
  // CP = C0 + SA·η_A + SB·(t/10)·η_B: y_i ~ N(C0·1, Z Ω Zᵀ + σ²I) exactly, and FOCE-I's Laplace
  // approximation is exact, so OFV = Σ_i ln|V_i| + (y_i − μ)ᵀV_i⁻¹(y_i − μ).
  const model = compile(`
parameters  value  unit  label
  C0        10     mg/L  "intercept"
  SA        2      mg/L  "effect of eta_A"
  SB        -3     mg/L  "effect of eta_B per 10 h"
  CL        1      L/h   "unused"
  V         1      L     "unused"
random
  eta_A ~ 0.3    eta_B ~ 0.2
equations
  pk one_cmt(cl = CL, v = V)
  CP = C0 + SA * eta_A + SB * (t / 10) * eta_B + 0 * central
error
  CP ~ add(0.5)
`);
  const subjects = [
    { times: [1, 5, 12, 24], dv: [11.2, 9.1, 8.7, 5.9] },
    { times: [2, 8, 20], dv: [8.1, 9.4, 10.6] },
    { times: [0.5, 30], dv: [12.3, 4.2] },
  ];
  const patients = subjects.map((s, i) =>
    patientFromRecords(
      String(i + 1),
      [
        { time: 0, amt: 1, cmt: 1 },
        ...s.times.map((t, k) => ({ time: t, evid: 0, cmt: 1, dv: s.dv[k], mdv: 0 })),
      ],
      0,
    ),
  );
  const exact = (c0: number, wA: number, wB: number, sd: number): number => {
    let ofv = 0;
    for (const s of subjects) {
      const m = s.times.length;
      const V = new Float64Array(m * m);
      for (let a = 0; a < m; a++)
        for (let b = 0; b < m; b++)
          V[a * m + b] = 4 * wA + 9 * (s.times[a] / 10) * (s.times[b] / 10) * wB + (a === b ? sd * sd : 0);
      const L = new Float64Array(m * m);
      assert.ok(cholesky(m, V, L));
      const r = s.dv.map((y) => y - c0);
      const x = cholSolve(m, L, r, new Float64Array(m));
      ofv += logDetChol(m, L) + r.reduce((acc, v, k) => acc + v * x[k], 0);
    }
    return ofv;
  };

  test('equals the exact −2 ln L of a model linear in the etas (rel. 1e-9), at the start and elsewhere', () => {
    const space = parameterSpace(model.ir, { fixed: ['SA', 'SB', 'CL', 'V'] });
    assert.deepEqual(space.names, ['C0', 'omega(eta_A)', 'omega(eta_B)', 'CP.add']);
    const f = new FoceiObjective(model, patients, space);
    assert.ok(rel(f.evaluate(space.u0).ofv, exact(10, 0.3, 0.2, 0.5)) < 1e-9);
    const p = modelParameters(model.ir);
    p.theta[0] = 9.4;
    p.omega[0] = 0.55;
    p.omega[3] = 0.07;
    p.addSd[0] = 0.8;
    assert.ok(rel(f.evaluateParameters(p).ofv, exact(9.4, 0.55, 0.07, 0.8)) < 1e-9);
  });

  test('a block Ω is estimated through its Cholesky factor and round-trips (1e-12)', () => {
    const p = modelParameters(model.ir);
    p.omega.set([0.3, 0.1, 0.1, 0.2]);
    const space = parameterSpace(model.ir, { fixed: ['SA', 'SB', 'CL', 'V'], start: p });
    assert.deepEqual(space.names, ['C0', 'omega(eta_A)', 'cov(eta_B,eta_A)', 'omega(eta_B)', 'CP.add']);
    const back = space.toParameters(space.u0);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(back.omega[k] - p.omega[k]) < 1e-12);
  });

  test('fits the linear model to the exact maximum-likelihood OFV (a stationary point of the exact −2 ln L, 1e-4)', () => {
    const fit = fitFocei(model, patients, { fixed: ['SA', 'SB', 'CL', 'V'], covariance: false });
    const c0 = fit.theta.C0;
    const wA = fit.parameters.omega[0];
    const wB = fit.parameters.omega[3];
    const sd = fit.sigma['CP.add'];
    assert.ok(rel(fit.ofv, exact(c0, wA, wB, sd)) < 1e-9);
    // No direction lowers the exact −2 ln L by more than rounding: the FOCE-I optimum is the MLE.
    const h = 1e-3;
    for (const [dc, da, db, ds] of [
      [h, 0, 0, 0],
      [-h, 0, 0, 0],
      [0, h, 0, 0],
      [0, -h, 0, 0],
      [0, 0, h * wB, 0],
      [0, 0, -h * wB, 0],
      [0, 0, 0, h],
      [0, 0, 0, -h],
    ])
      assert.ok(exact(c0 + dc, wA + da, wB + db, sd + ds) > fit.ofv - 1e-4);
  });
});

describe('FOCE-I on theophylline (theo_sd), against nlmixr2', () => {
  // nlmixr2's published FOCE-I fit of theo_sd (../shared/reference/popfit/README.md): OFV 116.80,
  // ka 1.59 /h, CL 2.75 L/h, V 31.8 L, residual SD 0.693, BSV CV 70.6 / 26.8 / 13.9 % (log-normal
  // CV = √(e^ω² − 1): ω² 0.4044, 0.0694, 0.0191). The fixture is theo_sd as R's Theoph gives it
  // (fixtures/theo_sd.R): its IDs, times, doses, levels and weights equal the reference CSV's.
  const { model, patients } = theophylline();
  const fit = fitFocei(model, patients);

  test('OFV within 0.5 of 116.80', () => assert.ok(Math.abs(fit.ofv - 116.8) < 0.5, `${fit.ofv}`));
  test('θ within 2 % of nlmixr2 (ka 1.59, CL 2.75, V 31.8) and SD within 2 % of 0.693', () => {
    assert.ok(rel(fit.theta.TVKA, 1.59) < 0.02, `${fit.theta.TVKA}`);
    assert.ok(rel(fit.theta.TVCL, 2.75) < 0.02, `${fit.theta.TVCL}`);
    assert.ok(rel(fit.theta.TVV, 31.8) < 0.02, `${fit.theta.TVV}`);
    assert.ok(rel(fit.sigma['CP.add'], 0.693) < 0.02, `${fit.sigma['CP.add']}`);
  });
  test('ω² within 15 % of nlmixr2 (0.4044, 0.0694, 0.0191); Ω stays diagonal', () => {
    const w = fit.omega.matrix;
    assert.ok(rel(w[0][0], 0.4044) < 0.15, `${w[0][0]}`);
    assert.ok(rel(w[1][1], 0.0694) < 0.15, `${w[1][1]}`);
    assert.ok(rel(w[2][2], 0.0191) < 0.15, `${w[2][2]}`);
    assert.equal(w[0][1], 0);
    assert.equal(w[1][2], 0);
  });
  test('converged, standard errors for all 7, shrinkage within 0-100 %, OFV = Σ subjects’ OBJ', () => {
    for (const v of Object.values(fit.shrinkage)) assert.ok(v > 0 && v < 100);
    assert.ok(fit.converged);
    assert.equal(Object.keys(fit.se).length, 7);
    for (const v of Object.values(fit.se)) assert.ok(v > 0 && Number.isFinite(v));
    // The OFV is the sum of the subjects' OBJ (what `fit --at` reports per patient).
    assert.ok(Math.abs(fit.individuals.reduce((s, i) => s + i.obj, 0) - fit.ofv) < 1e-9);
  });
});
