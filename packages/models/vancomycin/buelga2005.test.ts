// vancomycin/buelga2005 (issue 5, acceptance 1-2): the abstract's CL = 1.08 × CLcr (L/h) and
// V = 0.98 × TBW, CrCL derived in mL/min and converted to L/h at the edge, a 1-cpt profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { oneCmtInfusion, relErr, typicalSlots } from '../src/test-support.ts';

const model = getModel('vancomycin/buelga2005');
const m = model.compiled();

test('abstract: CL = 1.08 × CLcr (L/h), V = 0.98 × TBW: CLcr 5.4 L/h, 65 kg → CL 5.832 L/h, V 63.7 L', () => {
  const p = typicalSlots(m, { WT: 65, CRCL: 5.4 }, ['CL', 'V']);
  assert.ok(relErr(p.CL, 5.832) < 1e-12);
  assert.ok(relErr(p.V, 63.7) < 1e-12);
});

test('CrCL from SCr: man 50 y, 65 kg, SCr 1.0 mg/dL → 90·65/72 = 81.25 mL/min = 4.875 L/h → CL 5.265 L/h', () => {
  const p = individualParameters(model, { WT: 65, AGE: 50, SEX: 0, SCR: { value: 1, unit: 'mg/dL' } });
  assert.ok(relErr(p.CRCL, 4.875) < 1e-12);
  assert.ok(relErr(p.CL, 1.08 * 4.875) < 1e-12);
});

test('typical profile: 1000 mg over 1 h (CL 5.832, V 63.7) = 1-cpt closed form (1e-9 rel); C(1 h) = 15.00 mg/L', () => {
  // k = 5.832/63.7 = 0.091554 /h; C(1) = 1000/5.832·(1 − e^−0.091554) = 15.001 mg/L; C(12) = C(1)·e^(−11k)
  const times = [0.5, 1, 6, 12];
  const c = simulateTypical(
    model,
    { WT: 65, CRCL: 5.4 },
    [{ time: 0, amt: 1000, rate: 1000, cmt: 1 }],
    times,
  );
  times.forEach((t, i) => assert.ok(relErr(c[i], oneCmtInfusion(5.832, 63.7, 1000, 1, t)) < 1e-9));
  assert.ok(Math.abs(c[1] - 15.001) < 0.0005, `C(1 h) = ${c[1]}`);
});

test('domain: 120 kg is outside 42..87 kg (warning)', () => {
  const issues = checkValidity(model, { WT: 120, CRCL: 5 });
  assert.deepEqual(
    issues.map((i) => [i.code, i.field]),
    [['DT_DOMAIN_OUTSIDE', 'covariates.WT']],
  );
});
