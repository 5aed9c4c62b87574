// mycophenolic-acid/vanhest2005 (issue 5, acceptance 1-2): the review's typical values (Kiang &
// Ensom 2011 Table II), the covariate effects as re-implemented by Maizaud 2025, and a typical
// profile after 1 g MMF against the 2-cpt closed form with its AUC checked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtOral, typicalSlots } from '../src/test-support.ts';

const model = getModel('mycophenolic-acid/vanhest2005');
const m = model.compiled();
const ref = { CRCL: 48, ALB: 30, CSA_DOSE: 450, SEX: 0 };
const slots = (c: Partial<typeof ref>): Record<string, number> =>
  typicalSlots(m, { ...ref, ...c }, ['CL', 'V1', 'Q', 'V2', 'KA']);

test('reference patient: CL/F 32.5 (review 33) L/h, V1/F 91 L, Q/F 35 L/h, V2/F 237 L, ka 4.1 /h', () => {
  const p = slots({});
  assert.deepEqual(p, { CL: 32.5, V1: 91, Q: 35, V2: 237, KA: 4.1 });
  assert.ok(Math.abs(p.CL - 33) <= 0.5, 'the review prints 33 L/h');
});

test('covariates (1e-12 rel): women ×1.11; albumin 15 g/L ×2^1.07 on CL and ×2^1.13 on V1; CsA 225 mg/day ×2^−0.31; CrCL 24 mL/min ×2^0.12 on CL, ×2^0.62 on V1', () => {
  const p = slots({});
  assert.ok(relErr(slots({ SEX: 1 }).CL, 1.11 * p.CL) < 1e-12);
  const lowAlb = slots({ ALB: 15 });
  assert.ok(relErr(lowAlb.CL, p.CL * Math.pow(2, 1.07)) < 1e-12);
  assert.ok(relErr(lowAlb.V1, p.V1 * Math.pow(2, 1.13)) < 1e-12);
  assert.ok(relErr(slots({ CSA_DOSE: 225 }).CL, p.CL * Math.pow(2, -0.31)) < 1e-12);
  const lowCrcl = slots({ CRCL: 24 });
  assert.ok(relErr(lowCrcl.CL, p.CL * Math.pow(2, 0.12)) < 1e-12);
  assert.ok(relErr(lowCrcl.V1, p.V1 * Math.pow(2, 0.62)) < 1e-12);
});

test('CrCL derived by Cockcroft-Gault: woman 50 y, 60 kg, SCr 1.5 mg/dL → 90·60/(72·1.5)·0.85 = 42.5 mL/min', () => {
  const p = individualParameters(model, { AGE: 50, WT: 60, SCR: 1.5, SEX: 1, ALB: 30, CSA_DOSE: 450 });
  assert.ok(Math.abs(p.CRCL - 42.5) < 1e-9);
});

test('typical profile, 1000 mg MMF: = 2-cpt oral closed form with lag (1e-9 rel); C(1 h) = 7.018 mg/L; AUC0-∞ = 1000/32.5 = 30.77 mg·h/L', () => {
  // ka 4.1 /h against k10 + k12 = 0.357 + 0.385 /h: absorption is over within the first hour, the
  // peak (7.02 mg/L at 1 h) falls fast by distribution (β-phase t½ ≈ 10 h) to 0.58 mg/L at 12 h.
  const times = [0.1, 0.5, 1, 2, 4, 8, 12];
  const c = simulateTypical(model, ref, [{ time: 0, amt: 1000, cmt: 1 }], times);
  times.forEach((t, i) =>
    assert.ok(
      c[i] === 0 ? t <= 0.21 : relErr(c[i], twoCmtOral(32.5, 91, 35, 237, 4.1, 1000, 0.21, t)) < 1e-9,
      `t ${t}: ${c[i]}`,
    ),
  );
  assert.equal(c[0], 0, 'nothing before the 0.21 h lag');
  assert.ok(Math.abs(c[2] - 7.018) < 5e-4, `C(1 h) = ${c[2]}`);
  // AUC over 0-300 h by the trapezoid rule on a 0.05 h grid ≈ dose / CL (linear model)
  const grid = Array.from({ length: 6001 }, (_, k) => k * 0.05);
  const g = simulateTypical(model, ref, [{ time: 0, amt: 1000, cmt: 1 }], grid);
  let auc = 0;
  for (let k = 1; k < g.length; k++) auc += ((g[k] + g[k - 1]) / 2) * 0.05;
  assert.ok(relErr(auc, 1000 / 32.5) < 1e-3, `AUC = ${auc}`);
});

test('domain: albumin missing is an error naming ALB; CsA 1200 mg/day warns', () => {
  const e = checkValidity(model, { CRCL: 48, CSA_DOSE: 450, SEX: 0 });
  assert.deepEqual(
    e.map((i) => [i.code, i.field]),
    [['DT_COVARIATE_MISSING', 'covariates.ALB']],
  );
  const w = checkValidity(model, { ...ref, CSA_DOSE: 1200 });
  assert.deepEqual(
    w.map((i) => [i.code, i.severity, i.field]),
    [['DT_DOMAIN_OUTSIDE', 'warning', 'covariates.CSA_DOSE']],
  );
});
