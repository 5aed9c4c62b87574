// vancomycin/colin2019 (issue 5, acceptance 1-2): the abstract's anchor patient (35 y, 70 kg, SCr
// 0.83 mg/dL: V1 42.9 L, V2 41.7 L, CL 4.10 L/h, Q 3.22 L/h), the maturation and decline
// midpoints, and a typical profile against the 2-cpt closed form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, typicalSlots } from '../src/test-support.ts';

const model = getModel('vancomycin/colin2019');
const m = model.compiled();
const anchor = { AGE: 35, GA: 40, WT: 70, SCR: { value: 0.83, unit: 'mg/dL' } };

describe('abstract anchor patient: 35 y (PMA 35·52 + 40 wk), 70 kg, SCr 0.83 mg/dL (half a unit of the last digit)', () => {
  const p = individualParameters(model, anchor);
  test('CL 4.10 L/h (= 5.312 · Fage 0.7715 · Fscr 1.0010: the decline with age is not normalised away)', () => {
    assert.ok(Math.abs(p.CL - 4.1) <= 0.005, `CL = ${p.CL}`);
  });
  test('V1 42.9 L, V2 41.7 L, Q 3.22 L/h', () => {
    assert.ok(Math.abs(p.V1 - 42.9) <= 0.05);
    assert.ok(Math.abs(p.V2 - 41.7) <= 0.05);
    assert.ok(Math.abs(p.Q - 3.22) <= 0.005);
  });
  test('typical SCr for a 35-year-old: exp(−1.22839 + 0.6719·log10(35.77)) = 0.83145 mg/dL, near the anchor 0.83', () => {
    assert.ok(Math.abs(p.SCRSTD - 0.83145) < 5e-6);
  });
  test('SCr given in µmol/L (73.4, the abstract) gives the same CL within 0.1 %', () => {
    const q = individualParameters(model, { ...anchor, SCR: { value: 73.4, unit: 'umol/L' } });
    assert.ok(relErr(q.CL, p.CL) < 1e-3);
  });
});

test('abstract: 50 % of maximal CL maturation at 46.4 wk PMA, 50 % decline at 61.6 y (half a unit)', () => {
  const young = typicalSlots(m, { WT: 3, PMA: 46.4, SCR: 0.3 }, ['FMAT']);
  assert.ok(Math.abs(young.FMAT - 0.5) < 0.005);
  const old = typicalSlots(m, { WT: 70, PMA: 61.6 * 52, SCR: 0.9 }, ['FAGE']);
  assert.ok(Math.abs(old.FAGE - 0.5) < 0.005);
});

test('typical profile of the anchor patient: 1000 mg over 1 h = 2-cpt closed form (1e-9 rel)', () => {
  const p = individualParameters(model, anchor);
  const times = [1, 2, 8, 12, 24];
  const c = simulateTypical(model, anchor, [{ time: 0, amt: 1000, rate: 1000, cmt: 1 }], times);
  times.forEach((t, i) => assert.ok(relErr(c[i], twoCmtInfusion(p.CL, p.V1, p.Q, p.V2, 1000, 1, t)) < 1e-9));
  // end of infusion ≈ 1000/42.9 = 23.3 mg/L less distribution and elimination during the hour
  assert.ok(c[0] > 20 && c[0] < 23.3, `C(1 h) = ${c[0]}`);
});

test('domain: SCr missing is an error naming SCR; PMA not derivable without GA', () => {
  const issues = checkValidity(model, { AGE: 35, WT: 70 });
  assert.deepEqual(
    issues.map((i) => [i.code, i.field]),
    [
      ['DT_COVARIATE_MISSING', 'covariates.PMA'],
      ['DT_COVARIATE_MISSING', 'covariates.SCR'],
    ],
  );
  assert.match(issues[0].message, /without GA$/);
});
