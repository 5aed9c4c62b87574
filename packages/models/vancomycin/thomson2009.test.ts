// vancomycin/thomson2009 (issue 5, acceptance 1-2): Table 2 typical values, the linear CrCL
// effect ('15.4 % for every 10 mL/min from 66'), a typical profile against the closed form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, typicalSlots } from '../src/test-support.ts';

const model = getModel('vancomycin/thomson2009');
const m = model.compiled();

test('Table 2 at CrCL 66 mL/min, 70 kg: CL 2.99 L/h, V1 47.25 L, V2 51.24 L, Q 2.28 L/h (half a unit of the last digit)', () => {
  const p = typicalSlots(m, { WT: 70, CRCL: 66 }, ['CL', 'V1', 'V2', 'Q']);
  assert.ok(Math.abs(p.CL - 2.99) <= 0.005);
  assert.ok(Math.abs(p.V1 - 0.675 * 70) <= 0.0005);
  assert.ok(Math.abs(p.V2 - 0.732 * 70) <= 0.0005);
  assert.ok(Math.abs(p.Q - 2.28) <= 0.005);
  // Vss = V1 + V2 = 1.407 L/kg: the paper's 1.4 L/kg
  assert.ok(Math.abs((p.V1 + p.V2) / 70 - 1.4) <= 0.05);
});

test('CL rises 15.4 % per 10 mL/min of CrCL above 66 (1e-12 rel)', () => {
  for (const crcl of [26, 66, 86, 126]) {
    const p = typicalSlots(m, { WT: 70, CRCL: crcl }, ['CL']);
    assert.ok(relErr(p.CL, 2.99 * (1 + 0.154 * ((crcl - 66) / 10))) < 1e-12, `CrCL ${crcl}`);
  }
});

test('typical profile: 1000 mg over 1 h, 70 kg, CrCL 66 = 2-cpt closed form (1e-9 rel); C(1 h) = 20.03 mg/L', () => {
  // k10 = 2.99/47.25 = 0.06328, k12 = 2.28/47.25 = 0.04825, k21 = 2.28/51.24 = 0.04450 /h: slow
  // distribution, so C(1 h) is close to (1000/47.25)·(1 − e^(−0.1115))/0.1115 ≈ 20.0 mg/L; the exact 2-cpt value is 20.034 mg/L.
  const times = [1, 4, 12, 24];
  const c = simulateTypical(model, { WT: 70, CRCL: 66 }, [{ time: 0, amt: 1000, rate: 1000, cmt: 1 }], times);
  times.forEach((t, i) =>
    assert.ok(relErr(c[i], twoCmtInfusion(2.99, 47.25, 2.28, 51.24, 1000, 1, t)) < 1e-9),
  );
  assert.ok(Math.abs(c[0] - 20.034) < 0.0005, `C(1 h) = ${c[0]}`);
});

test('domain: CrCL 3 mL/min is outside (CL would approach 0); missing SCr names it', () => {
  assert.equal(checkValidity(model, { WT: 70, CRCL: 3 })[0].code, 'DT_DOMAIN_OUTSIDE');
  const missing = checkValidity(model, { WT: 70, AGE: 50, SEX: 0 });
  assert.equal(missing[0].code, 'DT_COVARIATE_MISSING');
  assert.match(missing[0].message, /without SCR$/);
});
