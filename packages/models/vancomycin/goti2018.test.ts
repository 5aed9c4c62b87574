// vancomycin/goti2018 (issue 5, acceptance 1-2): typical values of Goti 2018 Table 2, the
// erratum's SCr rule in the Cockcroft-Gault derivation, a typical profile checked against the
// 2-compartment infusion closed form, and the validity domain.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, typicalSlots } from '../src/test-support.ts';

const model = getModel('vancomycin/goti2018');
const m = model.compiled();

describe('Goti 2018 typical parameters (Table 2; published to 1-3 digits: tolerance half a unit of the last digit)', () => {
  test('CrCL 120 mL/min, 70 kg, no dialysis: CL 4.5 L/h, V1 58.4 L, V2 38.4 L, Q 6.5 L/h', () => {
    const p = typicalSlots(m, { WT: 70, CRCL: 120, DIAL: 0 }, ['CL', 'V1', 'V2', 'Q']);
    assert.ok(Math.abs(p.CL - 4.5) <= 0.05);
    assert.ok(Math.abs(p.V1 - 58.4) <= 0.05);
    assert.ok(Math.abs(p.V2 - 38.4) <= 0.05);
    assert.ok(Math.abs(p.Q - 6.5) <= 0.05);
  });
  test('haemodialysis: CL × 0.7 and V1 × 0.5 (Table 2)', () => {
    const p = typicalSlots(m, { WT: 70, CRCL: 120, DIAL: 1 }, ['CL', 'V1']);
    assert.ok(relErr(p.CL, 3.15) < 1e-12);
    assert.ok(relErr(p.V1, 29.2) < 1e-12);
  });
  test('CrCL 60 mL/min: CL = 4.5 · 0.5^0.8 = 2.5852 L/h (1e-12 rel)', () => {
    const p = typicalSlots(m, { WT: 70, CRCL: 60, DIAL: 0 }, ['CL']);
    assert.ok(relErr(p.CL, 4.5 * Math.pow(0.5, 0.8)) < 1e-12);
  });
});

describe('CrCL derivation (Methods + erratum): Cockcroft-Gault on total weight, SCr floor above 65 y, cap 150', () => {
  const crcl = (age: number, scr: number, wt = 70, sex = 0): number =>
    individualParameters(model, { WT: wt, AGE: age, SCR: { value: scr, unit: 'mg/dL' }, SEX: sex, DIAL: 0 })
      .CRCL;
  test('70 y, SCr 0.7 mg/dL → raised to 1: (140−70)·70/72 = 68.056 mL/min', () => {
    assert.ok(relErr(crcl(70, 0.7), (70 * 70) / 72) < 1e-12);
  });
  test('60 y, SCr 0.7 mg/dL → not raised (rule is > 65 y since the erratum): 80·70/(72·0.7) = 111.11', () => {
    assert.ok(relErr(crcl(60, 0.7), (80 * 70) / (72 * 0.7)) < 1e-12);
  });
  test('30 y, 90 kg, SCr 0.6 → 229.2 capped at 150; woman 50 y, 60 kg, SCr 1.2 → ×0.85 = 53.125', () => {
    assert.equal(crcl(30, 0.6, 90), 150);
    assert.ok(relErr(crcl(50, 1.2, 60, 1), ((90 * 60) / (72 * 1.2)) * 0.85) < 1e-12);
  });
  test('SCr in µmol/L is converted (88.4 µmol/L per mg/dL): 106.08 µmol/L = 1.2 mg/dL', () => {
    const p = individualParameters(model, {
      WT: 60,
      AGE: 50,
      SCR: { value: 106.08, unit: 'umol/L' },
      SEX: 1,
      DIAL: 0,
    });
    assert.ok(relErr(p.CRCL, ((90 * 60) / (72 * 1.2)) * 0.85) < 1e-12);
  });
});

test('typical profile: 1000 mg over 1 h, 70 kg, CrCL 120, no dialysis, equals the 2-cpt infusion closed form (1e-9 rel)', () => {
  // CL 4.5, V1 58.4, Q 6.5, V2 38.4: k10 = 0.07705, k12 = 0.11130, k21 = 0.16927 /h; α = 0.31640,
  // β = 0.04122 /h; A_α = 0.0091554, A_β = 0.0079678 /L. End of infusion
  // C(1 h) = 1000·(A_α/α·(1−e^−α) + A_β/β·(1−e^−β)) = 1000·(0.0078484 + 0.0078059) = 15.654 mg/L,
  // a little under 1000/58.4 = 17.1 mg/L (distribution and elimination during the hour).
  const times = [0.5, 1, 2, 6, 12, 24];
  const c = simulateTypical(
    model,
    { WT: 70, CRCL: 120, DIAL: 0 },
    [{ time: 0, amt: 1000, rate: 1000, cmt: 1 }],
    times,
  );
  times.forEach((t, i) =>
    assert.ok(relErr(c[i], twoCmtInfusion(4.5, 58.4, 6.5, 38.4, 1000, 1, t)) < 1e-9, `t = ${t}`),
  );
  assert.ok(Math.abs(c[1] - 15.654) < 0.0005, `C(1 h) = ${c[1]}`);
});

describe('validity domain (issue 5, acceptance 2)', () => {
  test('weight 300 kg: warning DT_DOMAIN_OUTSIDE with the range from the covariates table', () => {
    const issues = checkValidity(model, { WT: 300, CRCL: 100, DIAL: 0 });
    assert.equal(issues.length, 1);
    assert.equal(issues[0].code, 'DT_DOMAIN_OUTSIDE');
    assert.equal(issues[0].severity, 'warning');
    assert.equal(issues[0].message, 'WT is 300 kg; the model was developed for 33..255 kg');
  });
  test('dialysis status missing: error DT_COVARIATE_MISSING naming DIAL; CrCL not derivable: names SEX', () => {
    const issues = checkValidity(model, { WT: 70, SCR: 1, AGE: 50 });
    assert.deepEqual(
      issues.map((i) => [i.code, i.severity, i.field]),
      [
        ['DT_COVARIATE_MISSING', 'error', 'covariates.CRCL'],
        ['DT_COVARIATE_MISSING', 'error', 'covariates.DIAL'],
      ],
    );
    assert.match(issues[0].message, /without SEX$/);
    assert.match(issues[1].message, /^DIAL \(/);
  });
});
