// tacrolimus/andrews2019 (issue 5, acceptance 1-2): Table 2 and Equation 1 at the centring values,
// the Results' covariate statements, a typical profile against the 2-cpt oral closed form, and
// the validity domain (defaults reported, missing genotype an error).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkValidity, getModel, simulateTypical } from '../src/index.ts';
import { relErr, twoCmtOral, typicalSlots } from '../src/test-support.ts';

const model = getModel('tacrolimus/andrews2019');
const m = model.compiled();
const ref = {
  CYP3A5: 0,
  CYP3A4_22: 0,
  AGE: 55.72,
  ALB: 42,
  BSA: 1.93,
  SCR: 134.98,
  HCT: 0.34,
  LBW: 58.94,
  ASSAY: 0,
};

describe('Table 2 / Equation 1 (half a unit of the last printed digit)', () => {
  test('reference patient: CL/F 23.0 L/h, V1/F 692 L, Q/F 11.6 L/h, V2/F 5340 L, ka 3.58 /h', () => {
    const p = typicalSlots(m, ref, ['CL', 'V1', 'Q', 'V2', 'KA']);
    assert.deepEqual(p, { CL: 23, V1: 692, Q: 11.6, V2: 5340, KA: 3.58 });
  });
  test('Results: age 25 → 65 y gives a 34 % lower CL/F; BSA 1.5 → 2.25 m² a 43 % higher CL/F', () => {
    const cl = (c: Partial<typeof ref>): number => typicalSlots(m, { ...ref, ...c }, ['CL']).CL;
    assert.ok(Math.abs(1 - cl({ AGE: 65 }) / cl({ AGE: 25 }) - 0.34) <= 0.005);
    assert.ok(Math.abs(cl({ BSA: 2.25 }) / cl({ BSA: 1.5 }) - 1.43) <= 0.005);
  });
  test('genotypes: CYP3A5 expresser × 1.631, CYP3A4*22 carrier × 0.80 (1e-12 rel)', () => {
    assert.ok(relErr(typicalSlots(m, { ...ref, CYP3A5: 1 }, ['CL']).CL, 23 * 1.631) < 1e-12);
    assert.ok(relErr(typicalSlots(m, { ...ref, CYP3A4_22: 1 }, ['CL']).CL, 23 * 0.8) < 1e-12);
  });
});

test('typical profile, single 5 mg dose: equals the 2-cpt oral closed form with lag 0.38 h (1e-9 rel)', () => {
  // zero before the lag; ka = 3.58 /h with a 692-L central volume: peak about 1 h after the lag,
  // near 5000·ka/(V1·(ka − α))… ≈ 5 ug/L; slow terminal phase (V2 5340 L)
  const times = [0.2, 0.5, 1, 1.5, 2, 4, 8, 12, 24];
  const c = simulateTypical(model, ref, [{ time: 0, amt: 5000, cmt: 1 }], times);
  times.forEach((t, i) => {
    const e = twoCmtOral(23, 692, 11.6, 5340, 3.58, 5000, 0.38, t);
    assert.ok(e === 0 ? c[i] === 0 : relErr(c[i], e) < 1e-9, `t = ${t}: ${c[i]} vs ${e}`);
  });
  assert.equal(c[0], 0);
  assert.ok(Math.max(...c) > 3 && Math.max(...c) < 7);
});

describe('validity domain (issue 5, acceptance 2)', () => {
  test('haematocrit given in % by mistake (34): warning outside 0.15..0.80 L/L; in % with its unit: converted', () => {
    const { CYP3A4_22: _a, ALB: _b, ASSAY: _c, ...given } = ref;
    const wrong = checkValidity(model, { ...given, HCT: 34 });
    assert.deepEqual(
      wrong.map((i) => i.code),
      ['DT_COVARIATE_DEFAULT', 'DT_COVARIATE_DEFAULT', 'DT_DOMAIN_OUTSIDE', 'DT_COVARIATE_DEFAULT'],
    );
    assert.equal(wrong[2].message, 'HCT is 34 L/L; the model was developed for 0.15..0.8 L/L');
    const right = checkValidity(model, { ...given, HCT: { value: 34, unit: '%' } });
    assert.ok(right.every((i) => i.code === 'DT_COVARIATE_DEFAULT'));
  });
  test('CYP3A5 genotype missing: error naming CYP3A5 (unknown CYP3A4*22 is pooled with *1 by the paper: default, reported)', () => {
    const { CYP3A5: _x, ...rest } = ref;
    const issues = checkValidity(model, rest);
    assert.deepEqual(
      issues.map((i) => [i.code, i.field]),
      [['DT_COVARIATE_MISSING', 'covariates.CYP3A5']],
    );
  });
});
