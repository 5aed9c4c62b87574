// tacrolimus/andrews2017 (issue 5, acceptance 1-2): Table 2 values as two independent
// implementations give them, the covariate model for a child computed by hand, and a typical
// profile against the 2-cpt oral closed form with its AUC checked by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtOral, typicalSlots } from '../src/test-support.ts';

const model = getModel('tacrolimus/andrews2017');
const m = model.compiled();
const adultRef = { WT: 70, CYP3A5: 0, LIVING: 0, EGFR: 69, HCT: 0.35, ASSAY: 0 };
const names = ['CL', 'V1', 'Q', 'V2', 'KA'];

test('Table 2 at 70 kg, deceased donor, eGFR 69, HCT ≥ 0.3: CL/F 50.5·1.04 = 52.52 (expresser 50.5·1.98 = 99.99) L/h, V1/F 206, Q/F 114, V2/F 1520, ka 0.56', () => {
  const p = typicalSlots(m, adultRef, names);
  assert.ok(relErr(p.CL, 52.52) < 1e-12);
  assert.deepEqual([p.V1, p.Q, p.V2, p.KA], [206, 114, 1520, 0.56]);
  assert.ok(relErr(typicalSlots(m, { ...adultRef, CYP3A5: 1 }, names).CL, 99.99) < 1e-12);
});

describe('child: 28 kg, CYP3A5 *3/*3, living donor, HCT 0.29 L/L, height 130 cm, SCr 60 µmol/L', () => {
  // eGFR = 36.5 · 130 / 60 = 79.08 (the bedside 0.413 · height / SCr[mg/dL] is 36.509 in µmol/L
  // units: 79.10); size (28/70)^0.75 = 0.50297; HCT factor (0.29/0.3)^−0.44 = 1.01503; eGFR factor
  // (79.10/69)^0.19 = 1.02631 → CL/F = 50.5 · 0.50297 · 1.04 · 0.74 · 1.02631 · 1.01503 = 20.36 L/h;
  // V1/F = 206 · 0.4 = 82.4 L, Q/F = 114 · 0.50297 = 57.34 L/h, V2/F = 608 L.
  const child = { WT: 28, CYP3A5: 0, LIVING: 1, HT: 130, SCR: 60, HCT: 0.29 };
  const p = individualParameters(model, child);
  test('eGFR by the adapted Schwartz formula: 79.08 mL/min/1.73 m² (1e-3 rel: 0.413 · 88.4 = 36.509)', () => {
    assert.ok(relErr(p.EGFR, (36.5 * 130) / 60) < 1e-3);
  });
  test('CL/F 20.36 L/h, V1/F 82.4 L, Q/F 57.34 L/h, V2/F 608 L (4 significant digits)', () => {
    assert.ok(Math.abs(p.CL - 20.36) < 0.005, `CL = ${p.CL}`);
    assert.ok(relErr(p.V1, 82.4) < 1e-12 && relErr(p.V2, 608) < 1e-12);
    assert.ok(Math.abs(p.Q - 57.34) < 0.005, `Q = ${p.Q}`);
  });
  test('haematocrit at or above 0.3 L/L has no effect; 0.2 L/L raises CL by (2/3)^−0.44 = 1.1953', () => {
    const at = (hct: number): number => individualParameters(model, { ...child, HCT: hct }).CL;
    assert.equal(at(0.3), at(0.4));
    assert.ok(relErr(at(0.2) / at(0.3), Math.pow(2 / 3, -0.44)) < 1e-12);
  });
  test('typical profile, 4.2 mg (0.15 mg/kg): = 2-cpt oral closed form with lag (1e-9 rel); AUC0-∞ = 4200/20.36 = 206.3 ug·h/L', () => {
    // ka 0.56 /h after the 0.37 h lag, against fast distribution (k12 = 57.34/82.4 = 0.70 /h,
    // k10 = 0.25 /h): the peak (14.39 ug/L at 2 h on this grid) stays far below D/V1 = 51 ug/L,
    // and the slow return from the 608 L periphery (k21 = 0.094 /h) holds 3.01 ug/L at 12 h.
    const times = [0.3, 1, 2, 3, 4, 8, 12];
    const c = simulateTypical(model, child, [{ time: 0, amt: 4200, cmt: 1 }], times);
    times.forEach((t, i) => {
      const ref = twoCmtOral(p.CL, p.V1, p.Q, p.V2, p.KA, 4200, 0.37, t);
      assert.ok(t < 0.37 ? c[i] === 0 : relErr(c[i], ref) < 1e-9, `t ${t}: ${c[i]} vs ${ref}`);
    });
    assert.ok(
      Math.abs(c[2] - 14.392) < 5e-4 && Math.abs(c[6] - 3.008) < 5e-4,
      `C(2 h) ${c[2]}, C(12 h) ${c[6]}`,
    );
    const grid = Array.from({ length: 6001 }, (_, k) => k * 0.1);
    const g = simulateTypical(model, child, [{ time: 0, amt: 4200, cmt: 1 }], grid);
    let auc = 0;
    for (let k = 1; k < g.length; k++) auc += ((g[k] + g[k - 1]) / 2) * 0.1;
    assert.ok(relErr(auc, 4200 / p.CL) < 2e-3, `AUC = ${auc}`);
  });
});

test('domain: haematocrit missing is an error naming HCT; eGFR not derivable without height names HT; an adult of 95 kg warns', () => {
  const e = checkValidity(model, { WT: 28, LIVING: 1, SCR: 60 });
  assert.deepEqual(
    e.filter((i) => i.severity === 'error').map((i) => i.field),
    ['covariates.EGFR', 'covariates.HCT'],
  );
  assert.match(e.find((i) => i.field === 'covariates.EGFR')!.message, /without HT$/);
  const w = checkValidity(model, { ...adultRef, WT: 95 });
  assert.deepEqual(
    w.map((i) => [i.code, i.field]),
    [['DT_DOMAIN_OUTSIDE', 'covariates.WT']],
  );
});
