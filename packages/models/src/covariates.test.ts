// Derived covariates (issue 5): each formula against values worked by hand from its published
// equation (arithmetic in the comments; 1e-12 rel unless stated), the unit conversions at the
// edge, and the laws behind them (fast-check, fixed seed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  adjustedBodyWeight,
  bmi,
  bsaDuBois,
  bsaMosteller,
  convertCovariate,
  crclCockcroftGault,
  DERIVATIONS,
  egfrCkdEpi2021,
  egfrCkdEpiCystatin2012,
  egfrSchwartzBedside,
  ibwDevine,
  lbwJames,
  lbwJanmahasatian,
  postmenstrualAgeWeeks,
} from './covariates.ts';

const close = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol * Math.abs(b);

describe('Cockcroft-Gault (Nephron 1976)', () => {
  test('man 60 y, 72 kg, SCr 1.0 mg/dL: 80·72/72 = 80 mL/min; woman 50 y, 60 kg, SCr 1.2: 90·60/86.4·0.85 = 53.125', () => {
    assert.ok(close(crclCockcroftGault({ ageY: 60, weightKg: 72, scrMgPerDl: 1, female: false }), 80));
    assert.ok(close(crclCockcroftGault({ ageY: 50, weightKg: 60, scrMgPerDl: 1.2, female: true }), 53.125));
  });
  test('SI form (140 − age)·W/SCr[µmol/L]·1.23 | 1.04 agrees within its rounded constants (0.4 %)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 18, max: 100, noNaN: true }),
        fc.double({ min: 30, max: 200, noNaN: true }),
        fc.double({ min: 20, max: 1500, noNaN: true }),
        fc.boolean(),
        (age, wt, scrUmol, female) => {
          const conv = crclCockcroftGault({ ageY: age, weightKg: wt, scrMgPerDl: scrUmol / 88.4, female });
          const si = (((140 - age) * wt) / scrUmol) * (female ? 1.04 : 1.23);
          return close(si, conv, 4e-3);
        },
      ),
      { seed: 42 },
    );
  });
  test('crcl_cg options: cap, and the SCr floor applied only above its age (Goti 2018 erratum)', () => {
    const d = DERIVATIONS.crcl_cg;
    // 70 y, 70 kg, man, SCr 0.7 → floor 1: 70·70/72 = 68.0556; 60 y → no floor: 80·70/50.4 = 111.11
    assert.ok(close(d.compute([0.7, 70, 70, 0], { scr_min: 1, scr_min_age: 65 }), 4900 / 72));
    assert.ok(close(d.compute([0.7, 60, 70, 0], { scr_min: 1, scr_min_age: 65 }), 5600 / 50.4));
    assert.equal(d.compute([0.5, 20, 100, 0], { cap: 150 }), 150);
    // no scr_min_age: the floor applies at every age
    assert.ok(close(d.compute([0.5, 40, 72, 0], { scr_min: 1 }), 100));
  });
});

describe('CKD-EPI 2021, race-free (Inker, N Engl J Med 2021)', () => {
  test('man 50 y, SCr 1.0 mg/dL: 142·(1/0.9)^−1.2·0.9938^50 = 91.69 mL/min/1.73 m²', () => {
    // SCr/κ = 1.111 > 1: min term 1, max term 1.1111^−1.2 = 0.88129; 0.9938^50 = 0.73269
    assert.ok(
      close(
        egfrCkdEpi2021({ ageY: 50, scrMgPerDl: 1, female: false }),
        142 * Math.pow(1 / 0.9, -1.2) * Math.pow(0.9938, 50),
      ),
    );
    assert.ok(Math.abs(egfrCkdEpi2021({ ageY: 50, scrMgPerDl: 1, female: false }) - 91.69) < 0.005);
  });
  test('woman 50 y, SCr 0.7 (= κ): 142·0.9938^50·1.012 = 105.30; woman 30 y, SCr 0.5: min term (0.5/0.7)^−0.241', () => {
    assert.ok(Math.abs(egfrCkdEpi2021({ ageY: 50, scrMgPerDl: 0.7, female: true }) - 105.3) < 0.005);
    assert.ok(
      close(
        egfrCkdEpi2021({ ageY: 30, scrMgPerDl: 0.5, female: true }),
        142 * Math.pow(0.5 / 0.7, -0.241) * Math.pow(0.9938, 30) * 1.012,
      ),
    );
  });
  test('decreases with SCr and with age (property, seed 42)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 10, noNaN: true }),
        fc.double({ min: 18, max: 99, noNaN: true }),
        fc.boolean(),
        (scr, age, female) =>
          egfrCkdEpi2021({ ageY: age, scrMgPerDl: scr * 1.1, female }) <
            egfrCkdEpi2021({ ageY: age, scrMgPerDl: scr, female }) &&
          egfrCkdEpi2021({ ageY: age + 1, scrMgPerDl: scr, female }) <
            egfrCkdEpi2021({ ageY: age, scrMgPerDl: scr, female }),
      ),
      { seed: 42 },
    );
  });
});

describe('CKD-EPI 2012 cystatin C (Inker, N Engl J Med 2012)', () => {
  test('man 60 y, cystatin C 0.8 mg/L: 133·0.996^60 = 104.57; 1.6 mg/L: ×2^−1.328 = 41.65; woman ×0.932', () => {
    // 0.996^60 = 0.78625; 2^−1.328 = 0.39831
    assert.ok(
      Math.abs(egfrCkdEpiCystatin2012({ ageY: 60, cystatinMgPerL: 0.8, female: false }) - 104.57) < 0.005,
    );
    assert.ok(
      close(
        egfrCkdEpiCystatin2012({ ageY: 60, cystatinMgPerL: 0.8, female: false }),
        133 * Math.pow(0.996, 60),
      ),
    );
    assert.ok(
      close(
        egfrCkdEpiCystatin2012({ ageY: 60, cystatinMgPerL: 1.6, female: true }),
        133 * Math.pow(2, -1.328) * Math.pow(0.996, 60) * 0.932,
      ),
    );
    // below κ: 0.4 mg/L → (0.5)^−0.499 = 1.4132
    assert.ok(
      close(
        egfrCkdEpiCystatin2012({ ageY: 0, cystatinMgPerL: 0.4, female: false }),
        133 * Math.pow(0.5, -0.499),
      ),
    );
  });
});

describe('body size', () => {
  test('70 kg, 170 cm: Du Bois 0.007184·70^0.425·170^0.725 = 1.8097 m²; Mosteller √(170·70/3600) = 1.8181 m²', () => {
    assert.ok(Math.abs(bsaDuBois({ weightKg: 70, heightCm: 170 }) - 1.8097) < 5e-5);
    assert.ok(close(bsaMosteller({ weightKg: 70, heightCm: 170 }), Math.sqrt(11900 / 3600)));
  });
  test('Janmahasatian LBW, 70 kg, 170 cm (BMI 24.22): man 9270·70/(6680+216·24.22) = 54.48 kg; woman 44.17 kg', () => {
    const b = bmi({ weightKg: 70, heightCm: 170 });
    assert.ok(close(b, 70 / 2.89));
    assert.ok(
      close(lbwJanmahasatian({ weightKg: 70, heightCm: 170, female: false }), (9270 * 70) / (6680 + 216 * b)),
    );
    assert.ok(Math.abs(lbwJanmahasatian({ weightKg: 70, heightCm: 170, female: false }) - 54.48) < 0.005);
    assert.ok(Math.abs(lbwJanmahasatian({ weightKg: 70, heightCm: 170, female: true }) - 44.17) < 0.005);
    assert.equal(
      DERIVATIONS.ffm_janmahasatian.compute([70, 170, 1], {}),
      lbwJanmahasatian({ weightKg: 70, heightCm: 170, female: true }),
    );
  });
  test('James LBW, 70 kg, 170 cm: man 1.1·70 − 128·(70/170)² = 55.30 kg; woman 1.07·70 − 148·(70/170)² = 49.81 kg', () => {
    assert.ok(Math.abs(lbwJames({ weightKg: 70, heightCm: 170, female: false }) - 55.3) < 0.005);
    assert.ok(Math.abs(lbwJames({ weightKg: 70, heightCm: 170, female: true }) - 49.81) < 0.005);
  });
  test('Devine IBW: man 6 ft (182.88 cm) = 50 + 2.3·12 = 77.6 kg; woman 5 ft = 45.5 kg; ABW = IBW + 0.4·excess', () => {
    assert.ok(close(ibwDevine({ heightCm: 182.88, female: false }), 77.6));
    assert.ok(close(ibwDevine({ heightCm: 152.4, female: true }), 45.5));
    assert.ok(close(adjustedBodyWeight({ weightKg: 120, ibwKg: 70 }), 90));
    assert.ok(close(adjustedBodyWeight({ weightKg: 120, ibwKg: 70, factor: 0.3 }), 85));
  });
  test('bedside Schwartz: 120 cm, SCr 0.5 mg/dL → 0.413·120/0.5 = 99.12 mL/min/1.73 m²', () => {
    assert.ok(close(egfrSchwartzBedside({ heightCm: 120, scrMgPerDl: 0.5 }), 99.12));
  });
});

describe('age and units', () => {
  test('PMA: born at 30 wk, 14 days old → 32 wk', () => {
    assert.equal(postmenstrualAgeWeeks({ gestationalAgeWeeks: 30, postnatalAgeDays: 14 }), 32);
    assert.equal(DERIVATIONS.pma_from_age.compute([35, 40], { weeks_per_year: 52 }), 1860);
  });
  test('creatinine 1 mg/dL = 88.4 µmol/L; only for creatinine; % ↔ L/L; mL/min ↔ L/h; lb, in', () => {
    assert.ok(close(convertCovariate(0.83, 'mg/dL', 'umol/L', 'creatinine')!, 73.372));
    assert.equal(convertCovariate(1, 'mg/dL', 'umol/L', 'other'), null);
    assert.ok(close(convertCovariate(34, '%', 'L/L', 'other')!, 0.34));
    assert.ok(close(convertCovariate(100, 'mL/min', 'L/h', 'other')!, 6));
    assert.ok(close(convertCovariate(154, 'lb', 'kg', 'other')!, 69.85322498));
    assert.ok(close(convertCovariate(70, 'in', 'cm', 'other')!, 177.8));
    assert.equal(convertCovariate(1, 'kg', 'cm', 'other'), null);
  });
  test('round trips are identities (property, seed 42)', () => {
    const pairs: [string, string, 'creatinine' | 'other'][] = [
      ['mg/dL', 'umol/L', 'creatinine'],
      ['%', 'L/L', 'other'],
      ['mL/min', 'L/h', 'other'],
      ['y', 'wk', 'other'],
      ['g/dL', 'g/L', 'other'],
    ];
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        fc.constantFrom(...pairs),
        (x, [a, b, q]) => close(convertCovariate(convertCovariate(x, a, b, q)!, b, a, q)!, x, 1e-12),
      ),
      { seed: 42 },
    );
  });
});
