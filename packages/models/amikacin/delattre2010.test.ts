// amikacin/delattre2010 (issue 5, acceptance 1-2): Table 2 final model (nlmixr2lib's transcription)
// against the paper's own structural-model CL, the same cohort's Vd and peaks (Taccone 2010), a
// typical first-dose profile against the 2-compartment infusion closed form, the terminal
// half-life that disagrees with Taccone's (recorded in the card), the derived CrCL and the domain.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, twoCmtUnitResponse, typicalSlots } from '../src/test-support.ts';

const model = getModel('amikacin/delattre2010');
const m = model.compiled();
const names = ['CL', 'V1', 'V2', 'Q'];

/** Exponents α > β of the 2-compartment model (twoCmtUnitResponse in test-support). */
const exponents = (p: Record<string, number>): { alpha: number; beta: number } =>
  twoCmtUnitResponse(p.CL, p.V1, p.Q, p.V2);

describe('Table 2 (final model): CL = 0.77 + 1.42 · CrCL/55.5 L/h, V1 19.2 L, V2 9.38 L, Q 4.38 L/h', () => {
  test('at the median CrCL 55.5 mL/min: CL 2.19 L/h, within 1 % of the structural-model CL 2.21 L/h', () => {
    const p = typicalSlots(m, { CRCL: 55.5, WT: 70 }, names);
    assert.ok(relErr(p.CL, 2.19) < 1e-12, `CL = ${p.CL}`);
    // The paper's own number: without covariates CL was 2.21 L/h. 0.02/2.21 = 0.905 %.
    assert.ok(Math.abs(p.CL - 2.21) / 2.21 < 0.01);
    assert.deepEqual([p.V1, p.V2, p.Q], [19.2, 9.38, 4.38]);
  });
  test('CL at the lowest CrCL 12.3 mL/min: 0.77 + 1.42 · 0.22162 = 1.08470 L/h; at 111 mL/min: 3.61 L/h', () => {
    const low = typicalSlots(m, { CRCL: 12.3, WT: 70 }, names);
    assert.ok(Math.abs(low.CL - 1.0847027) < 1e-7, `CL = ${low.CL}`);
    const high = typicalSlots(m, { CRCL: 111, WT: 70 }, names);
    assert.ok(relErr(high.CL, 3.61) < 1e-12, `CL = ${high.CL}`);
  });
  test('CL is linear in CrCL with slope 1.42/55.5 = 0.025586 L/h per mL/min, never below 0.77 L/h', () => {
    const a = typicalSlots(m, { CRCL: 100, WT: 70 }, ['CL']).CL;
    const b = typicalSlots(m, { CRCL: 200, WT: 70 }, ['CL']).CL;
    assert.ok(Math.abs((b - a) / 100 - 1.42 / 55.5) < 1e-12);
    assert.ok(Math.abs(1.42 / 55.5 - 0.025586) < 5e-7);
    assert.ok(typicalSlots(m, { CRCL: 0, WT: 70 }, ['CL']).CL === 0.77);
  });
  test('Vss = V1 + V2 = 28.58 L = 0.4083 L/kg at 70 kg: Taccone 2010 (same ICUs) Vd 0.41 (IQR 0.29-0.51) L/kg', () => {
    const p = typicalSlots(m, { CRCL: 55.5, WT: 70 }, names);
    const perKg = (p.V1 + p.V2) / 70;
    assert.ok(Math.abs(perKg - 0.40829) < 5e-6, `Vss/WT = ${perKg}`);
    assert.ok(Math.abs(perKg - 0.41) < 0.005 && perKg > 0.29 && perKg < 0.51);
  });
  test('volumes do not depend on weight (Table 2 has no weight covariate)', () => {
    const a = typicalSlots(m, { CRCL: 55.5, WT: 40 }, names);
    const b = typicalSlots(m, { CRCL: 55.5, WT: 120 }, names);
    assert.deepEqual(a, b);
  });
});

describe('typical first dose: 25 mg/kg × 70 kg = 1750 mg over 0.5 h (3500 mg/h), CrCL 55.5 mL/min', () => {
  // Hand values: k10 = 2.19/19.2 = 0.11406, k12 = 4.38/19.2 = 0.22813, k21 = 4.38/9.38 = 0.46695 /h;
  // sum 0.80915, product k10·k21 = 0.053262 → α = 0.73686, β = 0.072282 /h (t½ 0.94 h and 9.59 h).
  // End of infusion: at most 1750/19.2 = 91.1 mg/L; distribution (k12) and elimination over the half
  // hour take it to 84.13 mg/L; 72.70 at 1 h (the sampled 'peak'), 64.27 at 1.5 h, 41.44 at 4.5 h,
  // 36.26 at 6 h, 31.04 at 8 h, 9.725 at 24 h. AUC0-∞ = 1750/2.19 = 799.09 mg·h/L.
  const patient = { CRCL: 55.5, WT: 70 };
  const p = individualParameters(model, patient);
  const dose = [{ time: 0, amt: 1750, rate: 3500, cmt: 1 }];
  const times = [0.25, 0.5, 1, 1.5, 4.5, 6, 8, 24];
  const c = simulateTypical(model, patient, dose, times);

  test('= 2-compartment infusion closed form at every time (1e-9 rel)', () => {
    times.forEach((t, i) => {
      const ref = twoCmtInfusion(p.CL, p.V1, p.Q, p.V2, 3500, 0.5, t);
      assert.ok(relErr(c[i], ref) < 1e-9, `t ${t}: ${c[i]} vs ${ref}`);
    });
  });
  test('hand values: 84.126 mg/L at the end of infusion, 72.696 at 1 h, 41.439 at 4.5 h, 9.7251 at 24 h', () => {
    assert.ok(Math.abs(c[1] - 84.126) < 5e-4, `C(0.5 h) = ${c[1]}`);
    assert.ok(Math.abs(c[2] - 72.696) < 5e-4, `C(1 h) = ${c[2]}`);
    assert.ok(Math.abs(c[4] - 41.439) < 5e-4, `C(4.5 h) = ${c[4]}`);
    assert.ok(Math.abs(c[7] - 9.7251) < 5e-5, `C(24 h) = ${c[7]}`);
  });
  test('C(1 h) 72.7 mg/L is above 64 mg/L (8 × MIC 8), as for 70 % of Taccone 2010’s patients', () => {
    assert.ok(c[2] > 64);
  });
  test('AUC0-∞ = D/CL = 799.09 mg·h/L (trapezoids on a 0.01-h grid to 240 h, 1e-4 rel)', () => {
    const grid = Array.from({ length: 24001 }, (_, k) => k * 0.01);
    const g = simulateTypical(model, patient, dose, grid);
    let auc = 0;
    for (let k = 1; k < g.length; k++) auc += ((g[k] + g[k - 1]) / 2) * 0.01;
    assert.ok(relErr(auc, 1750 / 2.19) < 1e-4, `AUC = ${auc}`);
  });
  test('terminal half-life 9.5895 h (β = 0.072282 /h): outside Taccone 2010’s 4.6 h (IQR 3.2-7.8), as the card says', () => {
    const { alpha, beta } = exponents(p);
    assert.ok(Math.abs(alpha - 0.73686) < 5e-6 && Math.abs(beta - 0.072282) < 5e-7, `${alpha} ${beta}`);
    const tHalf = Math.LN2 / beta;
    assert.ok(Math.abs(tHalf - 9.5895) < 5e-4, `t½ = ${tHalf}`);
    assert.ok(tHalf > 7.8, 'above the upper quartile of Taccone 2010');
    // The simulated log-slope between 24 and 48 h is β (the α phase has decayed by e^(−0.737·24) ≈ 2e-8).
    const [c24, c48] = simulateTypical(model, patient, dose, [24, 48]);
    assert.ok(relErr(Math.log(c24 / c48) / 24, beta) < 1e-6);
  });
});

describe('derived CrCL (Cockcroft-Gault on total body weight, not capped)', () => {
  test('man, 65 y, 70 kg, SCr 1.2 mg/dL: CrCL = 75·70/(72·1.2) = 60.764 mL/min → CL = 2.3247 L/h', () => {
    const p = individualParameters(model, { SCR: 1.2, AGE: 65, WT: 70, SEX: 0 });
    assert.ok(Math.abs(p.CRCL - 60.7639) < 5e-5, `CRCL = ${p.CRCL}`);
    assert.ok(Math.abs(p.CL - (0.77 + (1.42 * 5250) / 86.4 / 55.5)) < 1e-12);
    assert.ok(Math.abs(p.CL - 2.3247) < 5e-5, `CL = ${p.CL}`);
  });
  test('SCr in µmol/L is converted (106.08 µmol/L = 1.2 mg/dL); a woman gets × 0.85', () => {
    const si = individualParameters(model, {
      SCR: { value: 106.08, unit: 'umol/L' },
      AGE: 65,
      WT: 70,
      SEX: 0,
    });
    assert.ok(Math.abs(si.CRCL - 60.7639) < 5e-5);
    const f = individualParameters(model, { SCR: 1.2, AGE: 65, WT: 70, SEX: 1 });
    assert.ok(relErr(f.CRCL, 0.85 * 60.76388889) < 1e-9);
  });
  test('no cap: a young man with SCr 0.3 mg/dL gets 115·100/21.6 = 532.41 mL/min, with a domain warning (> 408.3)', () => {
    const patient = { SCR: 0.3, AGE: 25, WT: 100, SEX: 0 };
    const p = individualParameters(model, patient);
    assert.ok(Math.abs(p.CRCL - 532.407) < 5e-4, `CRCL = ${p.CRCL}`);
    assert.deepEqual(
      checkValidity(model, patient)
        .filter((i) => i.severity === 'warning')
        .map((i) => [i.code, i.field]),
      [['DT_DOMAIN_OUTSIDE', 'covariates.CRCL']],
    );
  });
});

test('domain: weight missing is an error naming WT; CrCL and its inputs missing name CRCL; 150 kg and CrCL 10 warn', () => {
  const noWt = checkValidity(model, { CRCL: 55.5 });
  assert.deepEqual(
    noWt.map((i) => [i.code, i.severity, i.field]),
    [['DT_COVARIATE_MISSING', 'error', 'covariates.WT']],
  );
  const noCrcl = checkValidity(model, { WT: 70 });
  assert.deepEqual(
    noCrcl.map((i) => [i.code, i.severity, i.field]),
    [['DT_COVARIATE_MISSING', 'error', 'covariates.CRCL']],
  );
  assert.match(noCrcl[0].message, /without SCR, AGE, SEX/);
  const out = checkValidity(model, { CRCL: 10, WT: 150 });
  assert.deepEqual(
    out.map((i) => [i.code, i.severity, i.field]),
    [
      ['DT_DOMAIN_OUTSIDE', 'warning', 'covariates.CRCL'],
      ['DT_DOMAIN_OUTSIDE', 'warning', 'covariates.WT'],
    ],
  );
  assert.deepEqual(checkValidity(model, { CRCL: 55.5, WT: 70 }), []);
});
