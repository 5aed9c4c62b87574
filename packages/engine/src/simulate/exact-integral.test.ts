// The AUC a run accumulates (`integrateOutput`): for a closed form whose output is a constant
// multiple of one compartment's amount, the closed form's own integral between events; for any
// other output, or while an infusion runs, adaptive Gauss–Legendre. Both against the analytic
// integrals of the one- and two-compartment solutions, and the classification of outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearOutputCompartment } from '../model/linear-output.ts';
import { compile, patient } from '../test-support/models.ts';
import { Simulator } from './simulator.ts';

const oral = (ka: number, output: string) =>
  compile(
    `parameters value unit label\n  TVCL 3.5 L/h "cl"\n  TVV 70 L "v"\n  TVKA ${ka} 1/h "ka"\n` +
      `random\n  eta_CL ~ 0.1\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV\n  KA = TVKA\n` +
      `  pk one_cmt(cl = CL, v = V, ka = KA)\n${output}\nerror\n  CP ~ prop(0.1)\n`,
  );

/** Cumulative AUC of output 0 at every record, from the first. */
function cumulative(sim: Simulator, p: ReturnType<typeof patient>): Float64Array {
  const out = new Float64Array(p.n);
  const cum = new Float64Array(p.n);
  sim.integrateOutput = 0;
  sim.run(p, null, out, cum);
  sim.integrateOutput = -1;
  return cum;
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

test('one-compartment oral, three doses: the exact integral equals the superposed analytic AUC', () => {
  const k = 3.5 / 70;
  for (const ka of [1.2, k, k * (1 + 1e-9)]) {
    const sim = new Simulator(oral(ka, '  CP = central / V'));
    assert.equal(linearOutputCompartment(sim.model.ir, sim.model.dynamicNames, 0), 1);
    const doses = [0, 12, 24];
    const times = [0.25, 1, 3, 11.5, 12, 13, 24, 30, 48, 96];
    const p = patient(
      doses.map((t) => ({ time: t, amt: 500, cmt: 1 })),
      times,
      2,
    );
    const cum = cumulative(sim, p);
    // ∫_0^T of one dose's Bateman curve; ka = k: D/V·(1 − e^{−x}(1 + x))/k, x = kT, by its series
    // Σ_{n≥2} (−1)^n (n − 1) xⁿ/n! (no cancellation at small x).
    const resonant = (x: number): number => {
      if (x > 1) return 1 - Math.exp(-x) * (1 + x);
      let term = x;
      let s = 0;
      for (let n = 2; n < 40; n++) {
        term *= -x / n;
        s += (n - 1) * term;
      }
      return -s;
    };
    const one = (T: number): number =>
      T <= 0
        ? 0
        : Math.abs(ka - k) < 1e-6
          ? ((500 / 70) * resonant(k * T)) / k
          : ((500 * ka) / (70 * (ka - k))) * (-Math.expm1(-k * T) / k + Math.expm1(-ka * T) / ka);
    for (let i = 0; i < p.n; i++) {
      if (p.evid[i] !== 0) continue;
      const exact = doses.reduce((s, d) => s + one(p.time[i] - d), 0);
      // ka = k(1 + 1e-9): the two-exponential formula itself cancels (to ~1e-7), the closed form does not.
      const tol = ka === k || ka === 1.2 ? 1e-13 : 1e-6;
      assert.ok(rel(cum[i], exact) < tol, `ka ${ka}, t ${p.time[i]}: ${cum[i]} vs ${exact}`);
    }
  }
});

test('an output that is not a multiple of one amount is integrated by quadrature, to the same values', () => {
  const p = patient(
    [0, 24].map((t) => ({ time: t, amt: 500, cmt: 1 })),
    [1, 6, 24, 30, 72],
    2,
  );
  const exact = cumulative(new Simulator(oral(1.2, '  CP = central / V')), p);
  // Each of these reads time, an offset or a branch: same profile, quadrature path.
  for (const output of [
    '  CP = central / V + 0 * t',
    '  CP = central / V + 0',
    '  CP = central / V\n  if (CP < 0) {\n    CP = 0\n  }',
  ]) {
    const sim = new Simulator(oral(1.2, output));
    assert.equal(linearOutputCompartment(sim.model.ir, sim.model.dynamicNames, 0), -1, output);
    const gl = cumulative(sim, p);
    for (let i = 1; i < p.n; i++)
      assert.ok(rel(gl[i], exact[i]) < 1e-12, `${output}: ${gl[i]} vs ${exact[i]}`);
  }
});

test('outputs read as a multiple of one amount, or not', () => {
  const kinds: [string, number][] = [
    ['  CP = central / V', 1],
    ['  C2 = central * 1000\n  CP = C2 / V / 1000', 1],
    ['  CP = -(central / V) * 2 - central / V', 1],
    ['  CP = depot / V', 0],
    ['  CP = (central + depot) / V', -1],
    ['  CP = log(central) / V', -1],
    ['  CP = central * central / V', -1],
    ['  CP = V / central', -1],
    ['  CP = central / V * t', -1],
  ];
  for (const [output, cmt] of kinds) {
    const m = oral(1.2, output);
    assert.equal(linearOutputCompartment(m.ir, m.dynamicNames, 0), cmt, output);
  }
});

test('two compartments, IV bolus then an infusion: exact between doses, quadrature while infusing', () => {
  const m = compile(
    `parameters value unit label\n  TVCL 5 L/h "cl"\n  TVV1 30 L "v1"\n  TVQ 10 L/h "q"\n  TVV2 50 L "v2"\n` +
      `random\n  eta_CL ~ 0.1\nequations\n  CL = TVCL * exp(eta_CL)\n` +
      `  pk two_cmt(cl = CL, v1 = TVV1, q = TVQ, v2 = TVV2)\n  CP = central / TVV1\nerror\n  CP ~ prop(0.1)\n`,
  );
  const sim = new Simulator(m);
  assert.equal(linearOutputCompartment(m.ir, m.dynamicNames, 0), 0);
  const p = patient(
    [
      { time: 0, amt: 600, cmt: 1 },
      { time: 1800, amt: 600, cmt: 1, rate: 300 },
    ],
    [0.5, 6, 24, 1799, 1801, 4000],
    1,
  );
  const cum = cumulative(sim, p);
  const at = (t: number): number => cum[Array.from(p.time).indexOf(t)];
  // C = D/V1·Σ c_i·e^{−λ_i t}, λ the roots of λ² − (k10 + k12 + k21)λ + k10·k21, c_i = ±(λ_other − k21)/(λ_other − λ_i)…
  const [k10, k12, k21] = [5 / 30, 10 / 30, 10 / 50];
  const sum = k10 + k12 + k21;
  const disc = Math.sqrt(sum * sum - 4 * k10 * k21);
  const lam = [(sum + disc) / 2, (sum - disc) / 2];
  const c = [(lam[0] - k21) / (lam[0] - lam[1]), (k21 - lam[1]) / (lam[0] - lam[1])];
  const bolus = (T: number): number =>
    (600 / 30) * c.reduce((s, ci, i) => s + (ci * (1 - Math.exp(-lam[i] * T))) / lam[i], 0);
  for (const t of [0.5, 6, 24]) assert.ok(rel(at(t), bolus(t)) < 1e-13, `t ${t}: ${at(t)} vs ${bolus(t)}`);
  // 1800 h on, the bolus is all eliminated (e^{−λ₂·1800} < 1e-40): ∫_0^∞ C = dose/CL.
  assert.ok(rel(at(1799), 600 / 5) < 1e-13, `${at(1799)}`);
  // An hour into the infusion (quadrature): ∫_0^1 R/V1·Σ c_i(1 − e^{−λ_i s})/λ_i ds.
  const inf1 =
    (300 / 30) * c.reduce((s, ci, i) => s + (ci / lam[i]) * (1 - (1 - Math.exp(-lam[i])) / lam[i]), 0);
  assert.ok(rel(at(1801), 120 + inf1) < 1e-12, `${at(1801)} vs ${120 + inf1}`);
  assert.ok(rel(at(4000), 1200 / 5) < 1e-13, `${at(4000)}`);
});
