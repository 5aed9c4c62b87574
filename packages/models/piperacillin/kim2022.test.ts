// piperacillin/kim2022 (issue 5, acceptance 1-2): Table 2 typical values on and off ECMO, the
// exponential cystatin C eGFR effect, a typical profile against the closed form, the domain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtInfusion, typicalSlots } from '../src/test-support.ts';

const model = getModel('piperacillin/kim2022');
const m = model.compiled();

test('Table 2, 70 kg, eGFR 52.77: CL 5.05 L/h; V1 16.5 L off ECMO, 7.38 L on ECMO; Q 6.28 L/h; V2 6.27 L', () => {
  assert.deepEqual(typicalSlots(m, { WT: 70, EGFR: 52.77, ECMO: 0 }, ['CL', 'V1', 'Q', 'V2']), {
    CL: 5.05,
    V1: 16.5,
    Q: 6.28,
    V2: 6.27,
  });
  assert.equal(typicalSlots(m, { WT: 70, EGFR: 52.77, ECMO: 1 }, ['V1']).V1, 7.38);
});

test('eGFR effect: +50 mL/min/1.73 m² multiplies CL by e^(0.466) = 1.594; 35 kg halves V1 and scales CL by 0.5^0.75', () => {
  const cl = (c: Record<string, number>): number =>
    typicalSlots(m, { WT: 70, EGFR: 52.77, ECMO: 0, ...c }, ['CL']).CL;
  assert.ok(relErr(cl({ EGFR: 102.77 }), 5.05 * Math.exp(0.466)) < 1e-12);
  assert.ok(relErr(cl({ WT: 35 }), 5.05 * Math.pow(0.5, 0.75)) < 1e-12);
});

test('eGFR derived from cystatin C: man 60 y, 1.6 mg/L → 133·2^−1.328·0.996^60 = 41.65 mL/min/1.73 m²', () => {
  const p = individualParameters(model, {
    WT: 70,
    ECMO: 0,
    CYSC: { value: 1.6, unit: 'mg/L' },
    AGE: 60,
    SEX: 0,
  });
  assert.ok(Math.abs(p.EGFR - 41.65) < 0.005);
});

test('typical profile off ECMO: 4 g over 0.5 h = 2-cpt closed form (1e-9 rel); on ECMO the peak is higher (smaller V1)', () => {
  const times = [0.5, 1, 2, 4, 8];
  const off = simulateTypical(
    model,
    { WT: 70, EGFR: 52.77, ECMO: 0 },
    [{ time: 0, amt: 4000, rate: 8000, cmt: 1 }],
    times,
  );
  times.forEach((t, i) =>
    assert.ok(relErr(off[i], twoCmtInfusion(5.05, 16.5, 6.28, 6.27, 8000, 0.5, t)) < 1e-9),
  );
  const on = simulateTypical(
    model,
    { WT: 70, EGFR: 52.77, ECMO: 1 },
    [{ time: 0, amt: 4000, rate: 8000, cmt: 1 }],
    times,
  );
  assert.ok(on[0] > off[0]);
  // end of infusion off ECMO: a little under 4000/16.5 = 242 mg/L
  assert.ok(off[0] > 150 && off[0] < 242, `C(0.5 h) = ${off[0]}`);
});

test('domain: ECMO status missing is an error naming it; eGFR 200 warns', () => {
  const e = checkValidity(model, { WT: 70, EGFR: 52.77 });
  assert.deepEqual(
    e.map((i) => [i.code, i.field]),
    [['DT_COVARIATE_MISSING', 'covariates.ECMO']],
  );
  assert.equal(checkValidity(model, { WT: 70, EGFR: 200, ECMO: 0 })[0].code, 'DT_DOMAIN_OUTSIDE');
});
