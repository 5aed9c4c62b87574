// gentamicin/germovsek2016 (issue 5, acceptance 1-2): the abstract's per-70-kg values, the
// deposited covariate functions for a term neonate computed by hand, and a typical profile
// against the 3-compartment closed form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, typicalSlots } from '../src/test-support.ts';

const model = getModel('gentamicin/germovsek2016');
const m = model.compiled();

/**
 * 3-compartment IV infusion at rate R for T h (Gibaldi & Perrier; NONMEM ADVAN11): with
 * k10 = CL/V1, k12 = Q/V1, k21 = Q/V2, k13 = Q2/V1, k31 = Q2/V3, the exponents λ are the roots of
 * s³ − a2·s² + a1·s − a0 (trigonometric solution), a unit bolus gives
 * Σ A_i·e^(−λ_i t), A_i = (k21 − λ_i)(k31 − λ_i) / (V1 (λ_j − λ_i)(λ_k − λ_i)), and the
 * infusion Σ R·A_i/λ_i·(1 − e^(−λ_i·min(t,T)))·e^(−λ_i·max(t−T,0)).
 */
function threeCmtInfusion(
  p: { CL: number; V1: number; Q: number; V2: number; Q2: number; V3: number },
  rate: number,
  tInf: number,
  t: number,
): number {
  const k10 = p.CL / p.V1;
  const k12 = p.Q / p.V1;
  const k21 = p.Q / p.V2;
  const k13 = p.Q2 / p.V1;
  const k31 = p.Q2 / p.V3;
  const a0 = k10 * k21 * k31;
  const a1 = k10 * k31 + k21 * k31 + k21 * k13 + k10 * k21 + k31 * k12;
  const a2 = k10 + k12 + k13 + k21 + k31;
  const q = (a2 * a2 - 3 * a1) / 9;
  const r = (2 * a2 * a2 * a2 - 9 * a2 * a1 + 27 * a0) / 54;
  const th = Math.acos(r / Math.sqrt(q * q * q));
  const lam = [0, 2, 4].map((k) => -(-2 * Math.sqrt(q) * Math.cos((th + k * Math.PI) / 3) - a2 / 3));
  let c = 0;
  for (let i = 0; i < 3; i++) {
    const [j, k] = [0, 1, 2].filter((x) => x !== i);
    const A = ((k21 - lam[i]) * (k31 - lam[i])) / (p.V1 * (lam[j] - lam[i]) * (lam[k] - lam[i]));
    c +=
      ((rate * A) / lam[i]) *
      (1 - Math.exp(-lam[i] * Math.min(t, tInf))) *
      Math.exp(-lam[i] * Math.max(t - tInf, 0));
  }
  return c;
}

describe('abstract (PMC4958175): per-70-kg values (DDMORE estimates; abstract rounds Q to 2.2, Q2 to 0.3)', () => {
  const p = typicalSlots(m, { WT: 70, PMA: 44, PNA: 30, SCR: 40 }, ['V1', 'Q', 'V2', 'Q2', 'V3']);
  test('V1 26.5 L, V2 21.2 L, V3 148 L (exact)', () => {
    assert.deepEqual([p.V1, p.V2, p.V3], [26.5, 21.2, 148]);
  });
  test('Q 2.15 → 2.2 L/h, Q2 0.271 → 0.3 L/h (half a unit of the abstract digit)', () => {
    assert.ok(Math.abs(p.Q - 2.2) <= 0.05 + 1e-12 && Math.abs(p.Q2 - 0.3) <= 0.05 + 1e-12);
  });
  test('CL 6.2 L/h/70 kg is the mature value: CL / (MF · PNAF · FCR) = 6.21 at 70 kg (1e-12 rel)', () => {
    const s = typicalSlots(m, { WT: 70, PMA: 44, PNA: 30, SCR: 40 }, ['CL', 'MF', 'PNAF', 'FCR']);
    assert.ok(relErr(s.CL / (s.MF * s.PNAF * s.FCR), 6.21) < 1e-12);
    assert.ok(Math.abs(6.21 - 6.2) <= 0.05);
  });
});

describe('term neonate: 3.5 kg, GA 38 wk, PNA 14 d (PMA 40 wk), SCr at the typical value for PMA', () => {
  // TCREA = −2.8488·40 + 166.48 = 52.528 µmol/L, so FCR = 1.
  // MF = r/(1 + r), r = (40/55.4)^3.33 = 0.33804 → 0.25264; PNAF = 14/(1.70 + 14) = 0.89172;
  // size (3.5/70)^0.632 = 0.15057 → CL = 6.21 · 0.15057 · 0.25264 · 0.89172 = 0.21065 L/h.
  // V1 = 26.5 · 0.05 = 1.325 L, V2 = 1.06 L, V3 = 7.4 L; Q = 2.15 · 0.05^0.75 = 0.22733 L/h.
  const p = individualParameters(model, { WT: 3.5, GA: 38, PNA: 14, SCR: 52.528 });
  test('PMA derived as GA + PNA/7 = 40 wk; TCREA 52.528 µmol/L', () => {
    assert.ok(Math.abs(p.PMA - 40) < 1e-12);
    assert.ok(Math.abs(p.TCREA - 52.528) < 1e-9);
  });
  test('CL 0.21065 L/h, V1 1.325 L, Q 0.22733 L/h (hand values above, 5 significant digits)', () => {
    assert.ok(Math.abs(p.CL - 0.21065) < 5e-6, `CL = ${p.CL}`);
    assert.ok(Math.abs(p.V1 - 1.325) < 1e-12);
    assert.ok(Math.abs(p.Q - 0.22733) < 5e-6, `Q = ${p.Q}`);
  });
  test('creatinine twice the typical value lowers CL by 2^−0.130 = 0.91383 (1e-12 rel)', () => {
    const q = individualParameters(model, { WT: 3.5, GA: 38, PNA: 14, SCR: 2 * 52.528 });
    assert.ok(relErr(q.CL / p.CL, Math.pow(2, -0.13)) < 1e-12);
  });
  test('SCr in mg/dL is converted (0.5942 mg/dL = 52.53 µmol/L)', () => {
    const q = individualParameters(model, {
      WT: 3.5,
      GA: 38,
      PNA: 14,
      SCR: { value: 52.528 / 88.4, unit: 'mg/dL' },
    });
    assert.ok(relErr(q.CL, p.CL) < 1e-12);
  });
  test('typical profile: 17.5 mg (5 mg/kg) over 0.5 h = 3-cpt closed form (1e-9 rel)', () => {
    // End of infusion: at most 17.5/1.325 = 13.2 mg/L; distribution to V2 (k12 = 0.172/h) and
    // elimination (k10 = 0.159/h) during the half hour take about 8 % (0.5 h · 0.33/h / 2), so
    // ≈ 12.1 mg/L; then 1.76 mg/L at 12 h, 0.68 at 24 h and 0.28 at 36 h (slope ln(0.68/0.28)/12 h
    // = 0.074/h, t½ ≈ 9 h, before the slow V3 phase, k31 = 0.0039/h): under the 2 mg/L trough target.
    const times = [0.25, 0.5, 1, 4, 12, 24, 36];
    const c = simulateTypical(
      model,
      { WT: 3.5, GA: 38, PNA: 14, SCR: 52.528 },
      [{ time: 0, amt: 17.5, rate: 35, cmt: 1 }],
      times,
    );
    times.forEach((t, i) => {
      const ref = threeCmtInfusion(p as never, 35, 0.5, t);
      assert.ok(relErr(c[i], ref) < 1e-9, `t ${t}: ${c[i]} vs ${ref}`);
    });
    assert.ok(Math.abs(c[1] - 12.128) < 5e-4, `C(0.5 h) = ${c[1]}`);
    assert.ok(Math.abs(c[6] - 0.2814) < 5e-5, `C(36 h) = ${c[6]}`);
  });
});

test('domain: SCr missing is an error naming SCR; PMA 56 wk warns (creatinine-for-age line near 0)', () => {
  const e = checkValidity(model, { WT: 3.5, GA: 38, PNA: 14 });
  assert.deepEqual(
    e.map((i) => [i.code, i.field]),
    [['DT_COVARIATE_MISSING', 'covariates.SCR']],
  );
  const w = checkValidity(model, { WT: 5, PMA: 56, PNA: 100, SCR: 30 });
  assert.deepEqual(
    w.map((i) => [i.code, i.severity, i.field]),
    [['DT_DOMAIN_OUTSIDE', 'warning', 'covariates.PMA']],
  );
});
