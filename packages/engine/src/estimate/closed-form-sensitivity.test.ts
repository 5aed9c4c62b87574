// Analytic derivatives of one-compartment closed forms (closed-form-sensitivity.ts): ∂F/∂η from
// one run equals the textbook Bateman function's derivatives written out by hand in this file
// (oral, lag, F, a covariate through an `if`), central differences of the plain simulator with a
// step study (multiple doses, time-varying covariates, the benchmark's patients), and is one-sided
// at a lag kink; patients with infusions get forward differences, exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { patientFromRecords, type PatientData, type RecordInput } from '../events/records.ts';
import { Simulator } from '../simulate/simulator.ts';
import { loadBenchRun } from '../test-support/bench-data.ts';
import { compile } from '../test-support/models.ts';
import { buildClosedFormSensitivity, ClosedFormJacobian } from './closed-form-sensitivity.ts';
import { FiniteDifferences, type JacobianMethod } from './jacobian.ts';
import { MapEstimator } from './map.ts';
import { MapObjective } from './objective.ts';

/** One-compartment oral model with a lag, F and a covariate-dependent CL written with `if`. */
const ORAL = `covariates unit valid label handling
  SEX - 0..1 "sex" required
parameters value unit label
  TVCL 4 L/h "cl"
  TVV 70 L "v"
  TVKA 1.3 1/h "ka"
  TVLAG 0.75 h "lag"
  TVF 0.8 - "F"
random
  eta_CL ~ 0.2    eta_V ~ 0.2    eta_KA ~ 0.2    eta_LAG ~ 0.2    eta_F ~ 0.1
equations
  if (SEX == 1) {
    CL = 0.8 * TVCL * exp(eta_CL)
  } else {
    CL = TVCL * exp(eta_CL)
  }
  V = TVV * exp(eta_V)
  KA = TVKA * exp(eta_KA)
  lag(depot) = TVLAG * exp(eta_LAG)
  bioav(depot) = TVF * exp(eta_F)
  pk one_cmt(cl = CL, v = V, ka = KA)
  CP = central / V
error
  CP ~ prop(0.1)
`;

const jacobianOf = (
  jac: JacobianMethod,
  obj: MapObjective,
  x: ArrayLike<number>,
): { F: Float64Array; J: Float64Array } => {
  const F = new Float64Array(obj.nPred);
  const J = new Float64Array(obj.nPred * obj.n);
  assert.equal(jac.compute(obj, Float64Array.from(x), F, J), true);
  return { F, J };
};

function analytic(model: ReturnType<typeof compile>): JacobianMethod {
  const cf = buildClosedFormSensitivity(
    model,
    model.ir.etas.map((_, k) => k),
  );
  assert.ok(cf, 'the model has analytic derivatives');
  return new ClosedFormJacobian(cf, {}, new FiniteDifferences('forward', 1e-7));
}

const rel = (a: number, b: number, scale: number): number => Math.abs(a - b) / scale;

describe('analytic derivatives of the one-compartment closed form', () => {
  test('one oral dose with lag and F: the Bateman function differentiated by hand (1e-10 relative)', () => {
    const model = compile(ORAL);
    const times = [0.5, 1, 2, 5, 12, 24];
    for (const sex of [0, 1]) {
      const rows: RecordInput[] = [
        { time: 0, amt: 500, cmt: 1, cov: [sex] },
        ...times.map((t) => ({ time: t, evid: 0, cmt: 2, dv: 1, cov: [sex] })),
      ];
      const p = patientFromRecords('1', rows, 1);
      const obj = new MapObjective(new Simulator(model), p);
      const eta = [0.3, -0.2, 0.25, -0.1, 0.15];
      const { F, J } = jacobianOf(analytic(model), obj, eta);
      // By hand: C = F·D·ka/(V(ka − k))·(e^{−kτ} − e^{−ka τ}), τ = t − lag, k = CL/V.
      const CL = (sex ? 0.8 : 1) * 4 * Math.exp(eta[0]);
      const V = 70 * Math.exp(eta[1]);
      const ka = 1.3 * Math.exp(eta[2]);
      const lag = 0.75 * Math.exp(eta[3]);
      const f = 0.8 * Math.exp(eta[4]);
      const k = CL / V;
      const D = 500;
      times.forEach((t, j) => {
        const tau = t - lag;
        let C = 0;
        let dKa = 0;
        let dK = 0;
        let dTau = 0;
        if (tau > 0) {
          const eK = Math.exp(-k * tau);
          const eA = Math.exp(-ka * tau);
          const E = eK - eA;
          const A = (f * D * ka) / (V * (ka - k));
          C = A * E;
          // ∂C/∂ka (k fixed), ∂C/∂k (ka fixed), ∂C/∂τ.
          dKa = ((f * D) / V) * ((-k / (ka - k) ** 2) * E + (ka / (ka - k)) * tau * eA);
          dK = ((f * D * ka) / V) * (E / (ka - k) ** 2 - (tau * eK) / (ka - k));
          dTau = A * (-k * eK + ka * eA);
        }
        // Chain rule to the etas: CL = …·e^{η1} (∂k/∂η1 = k), V = …·e^{η2} (∂k/∂η2 = −k, and
        // C ∝ 1/V), ka = …·e^{η3}, lag = …·e^{η4} (∂τ/∂η4 = −lag), F = …·e^{η5}.
        const want = [dK * k, -C + dK * -k, dKa * ka, -dTau * lag, C];
        const scale = Math.max(Math.abs(C), 1e-3);
        assert.ok(rel(F[j], C, scale) < 1e-12, `SEX ${sex}, t ${t}: C ${F[j]} vs ${C}`);
        for (let i = 0; i < 5; i++)
          assert.ok(
            rel(J[j * 5 + i], want[i], scale) < 1e-10,
            `SEX ${sex}, t ${t}, eta ${i + 1}: ${J[j * 5 + i]} vs ${want[i]}`,
          );
        if (tau <= 0) for (let i = 0; i < 5; i++) assert.equal(J[j * 5 + i], 0);
      });
    }
  });

  test('ka = k (the resonance, where the textbook form divides 0 by 0): t·e^{−kt} differentiated', () => {
    // ka = k exactly: C = D·k·τ·e^{−kτ}/V; ∂C/∂ka = D·τ·e^{−kτ}·(1 − kτ/2)/V (the limit of the
    // form above), ∂C/∂k = D·k·τ·e^{−kτ}·(−τ/2)/V; here through eta_KA and eta_CL only.
    const model = compile(ORAL.replace('TVKA 1.3', `TVKA ${4 / 70}`).replace('TVLAG 0.75', 'TVLAG 0'));
    const p = patientFromRecords(
      '1',
      [
        { time: 0, amt: 500, cmt: 1, cov: [0] },
        ...[1, 6, 30].map((t) => ({ time: t, evid: 0, cmt: 2, dv: 1, cov: [0] })),
      ],
      1,
    );
    const obj = new MapObjective(new Simulator(model), p);
    const { F, J } = jacobianOf(analytic(model), obj, [0, 0, 0, 0, 0]);
    const k = 4 / 70;
    const D = 500 * 0.8;
    [1, 6, 30].forEach((t, j) => {
      const C = (D * k * t * Math.exp(-k * t)) / 70;
      const dKa = ((D * t * Math.exp(-k * t)) / 70) * (1 - (k * t) / 2);
      const dK = ((D * k * t * Math.exp(-k * t)) / 70) * (-t / 2);
      assert.ok(rel(F[j], C, C) < 1e-13);
      assert.ok(rel(J[j * 5 + 2], dKa * k, C) < 1e-10, `t ${t}: ∂/∂eta_KA ${J[j * 5 + 2]} vs ${dKa * k}`);
      assert.ok(rel(J[j * 5 + 0], dK * k, C) < 1e-10, `t ${t}: ∂/∂eta_CL ${J[j * 5]} vs ${dK * k}`);
    });
  });

  test('multiple doses and the benchmark patients: central differences converge to it (step study)', () => {
    for (const run of ['run003', 'run301']) {
      const b = loadBenchRun(run);
      const jac = analytic(b.model);
      const sim = new Simulator(b.model);
      // Central differences at h = 1e-2 … 1e-5 (× (|η| + sd)): truncation error O(h²), so their
      // distance to the analytic values falls about 100-fold per step until rounding (~1e-16/h
      // relative, ≈ 1e-14/h with the closed form's own rounding) takes over; the best is within 5e-9.
      const H = [1e-2, 1e-3, 1e-4, 1e-5];
      const errs = H.map(() => 0);
      for (const p of b.patients.slice(0, 40)) {
        const obj = new MapObjective(sim, p);
        const x = Array.from({ length: obj.n }, (_, i) => 0.4 * Math.sin(3 * i + Number(p.id)));
        const { F, J } = jacobianOf(jac, obj, x);
        const scale = Math.max(...F.map(Math.abs));
        H.forEach((h, q) => {
          const fd = jacobianOf(new FiniteDifferences('central', h), obj, x);
          for (let j = 0; j < F.length; j++) assert.equal(fd.F[j], F[j], 'same predictions');
          for (let k = 0; k < J.length; k++) errs[q] = Math.max(errs[q], rel(J[k], fd.J[k], scale));
        });
      }
      assert.ok(errs[1] < errs[0] / 30 && errs[2] < errs[1] / 30, `${run}: ${errs.join(', ')}`);
      assert.ok(Math.min(...errs) < 5e-9, `${run}: ${errs.join(', ')}`);
    }
  });

  test('at a lag kink (the dose enters at an observation time): the derivative of the side where it has entered', () => {
    // lag = 2 h exactly, a level at 2 h: the simulator lets the dose enter before the record, so
    // C(2) = 0 with slope ∂C/∂lag = −F·D·ka/V from below (earlier doses absorb for a while) and 0
    // from above (the dose enters after the level).
    const model = compile(ORAL.replace('TVLAG 0.75', 'TVLAG 2'));
    const p = patientFromRecords(
      '1',
      [
        { time: 0, amt: 500, cmt: 1, cov: [0] },
        { time: 2, evid: 0, cmt: 2, dv: 1, cov: [0] },
        { time: 8, evid: 0, cmt: 2, dv: 1, cov: [0] },
      ],
      1,
    );
    const obj = new MapObjective(new Simulator(model), p);
    const { F, J } = jacobianOf(analytic(model), obj, [0, 0, 0, 0, 0]);
    assert.equal(F[0], 0);
    const want = ((-0.8 * 500 * 1.3) / 70) * 2; // ∂C/∂lag · ∂lag/∂eta_LAG (= lag)
    assert.ok(rel(J[3], want, Math.abs(want)) < 1e-12, `${J[3]} vs ${want}`);
    const h = 1e-6;
    const below = new Float64Array(2);
    const above = new Float64Array(2);
    obj.predict([0, 0, 0, -h, 0], below);
    obj.predict([0, 0, 0, h, 0], above);
    assert.ok(rel((0 - below[0]) / h, want, Math.abs(want)) < 1e-5, 'backward difference');
    assert.equal(above[0], 0, 'forward difference: the dose is not in yet');
    // The other components there: exact zeros (nothing has reached the central compartment).
    for (const i of [0, 1, 2, 4]) assert.equal(J[i], 0);
  });

  test('patients with an infusion or a steady-state dose: forward differences, the same numbers', () => {
    const model = compile(`parameters value unit label
  TVCL 4 L/h "cl"
  TVV 70 L "v"
  TVR 300 mg/h "modelled rate"
random
  eta_CL ~ 0.2    eta_V ~ 0.2    eta_R ~ 0.2
equations
  CL = TVCL * exp(eta_CL)
  V = TVV * exp(eta_V)
  rate(central) = TVR * exp(eta_R)
  pk one_cmt(cl = CL, v = V)
  CP = central / V
error
  CP ~ prop(0.1)
`);
    const jac = analytic(model);
    const fd = new FiniteDifferences('forward', 1e-7);
    const cases: RecordInput[][] = [
      [{ time: 0, amt: 500, rate: 250, cmt: 1 }],
      [{ time: 0, amt: 500, ii: 12, ss: 1, cmt: 1 }],
      [{ time: 0, amt: 500, rate: -1, cmt: 1 }],
    ];
    for (const doses of cases) {
      const p: PatientData = patientFromRecords(
        '1',
        [...doses, { time: 3, evid: 0, cmt: 1, dv: 1 }, { time: 9, evid: 0, cmt: 1, dv: 1 }],
        0,
      );
      const obj = new MapObjective(new Simulator(model), p);
      const x = [0.1, -0.1, 0.2];
      assert.deepEqual(jacobianOf(jac, obj, x), jacobianOf(fd, obj, x));
    }
  });

  test('which models get them: one-compartment closed forms; two compartments keep differences', () => {
    assert.equal(
      new MapEstimator(loadBenchRun('run003').model).derivativeMethod,
      'analytic closed-form sensitivities',
    );
    assert.match(new MapEstimator(loadBenchRun('run101').model).derivativeMethod, /forward differences/);
    assert.match(
      new MapEstimator(loadBenchRun('run003').model, { derivatives: 'finite-differences' }).derivativeMethod,
      /forward differences/,
    );
  });
});
