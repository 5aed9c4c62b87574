// meropenem/li2006 (issue 5, acceptance 1-2): typical values of the DDMORE deposit (= Tucuxi,
// PKPDsim), the Cockcroft-Gault-on-IBW derivation, a typical profile against the closed form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, typicalSlots } from '../src/test-support.ts';

const model = getModel('meropenem/li2006');
const m = model.compiled();

test('reference patient (CrCL 83 mL/min, 35 y, 70 kg): CL 14.6 L/h, V1 10.8 L, Q 18.6 L/h, V2 12.6 L', () => {
  assert.deepEqual(typicalSlots(m, { CRCL: 83, AGE: 35, WT: 70 }, ['CL', 'V1', 'Q', 'V2']), {
    CL: 14.6,
    V1: 10.8,
    Q: 18.6,
    V2: 12.6,
  });
});

test('covariates: 70 y lowers CL by 2^−0.34 = 0.790; CrCL 41.5 by 0.5^0.62 = 0.651 (1e-12 rel)', () => {
  const cl = (c: Record<string, number>): number =>
    typicalSlots(m, { CRCL: 83, AGE: 35, WT: 70, ...c }, ['CL']).CL;
  assert.ok(relErr(cl({ AGE: 70 }), 14.6 * Math.pow(2, -0.34)) < 1e-12);
  assert.ok(relErr(cl({ CRCL: 41.5 }), 14.6 * Math.pow(0.5, 0.62)) < 1e-12);
});

test('CrCL by Cockcroft-Gault on IBW: man 170 cm (IBW 65.94 kg), 35 y, SCr 1 mg/dL → 105·65.94/72 = 96.16 mL/min', () => {
  const p = individualParameters(model, { AGE: 35, WT: 90, HT: { value: 170, unit: 'cm' }, SEX: 0, SCR: 1 });
  const ibw = 50 + (2.3 / 2.54) * (170 - 152.4);
  assert.ok(relErr(p.CRCL, (105 * ibw) / 72) < 1e-12);
  assert.ok(Math.abs(p.CRCL - 96.16) < 0.005);
});

test('typical profile: 1000 mg over 0.5 h = 2-cpt closed form (1e-9 rel); C(0.5 h) = 51.35 mg/L', () => {
  // k10 = 1.352, k12 = 1.722, k21 = 1.476 /h: fast distribution and elimination (t½β ≈ 1 h), so the
  // end-of-infusion concentration is well under 1000/10.8 = 92.6 mg/L
  const times = [0.25, 0.5, 1, 2, 4, 8];
  const c = simulateTypical(
    model,
    { CRCL: 83, AGE: 35, WT: 70 },
    [{ time: 0, amt: 1000, rate: 2000, cmt: 1 }],
    times,
  );
  times.forEach((t, i) =>
    assert.ok(relErr(c[i], twoCmtInfusion(14.6, 10.8, 18.6, 12.6, 2000, 0.5, t)) < 1e-9),
  );
  assert.ok(Math.abs(c[1] - 51.35) < 0.005, `C(0.5 h) = ${c[1]}`);
});

test('domain: 16-year-old warns; CrCL underivable without height names HT', () => {
  assert.equal(checkValidity(model, { CRCL: 90, AGE: 16, WT: 60 })[0].code, 'DT_DOMAIN_OUTSIDE');
  const e = checkValidity(model, { AGE: 40, WT: 70, SEX: 0, SCR: 1 });
  assert.equal(e[0].code, 'DT_COVARIATE_MISSING');
  assert.match(e[0].message, /without HT$/);
});
