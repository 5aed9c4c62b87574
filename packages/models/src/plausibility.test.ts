// Entry plausibility: each check tested by the mistake it catches, against the bounds of the drug
// files (vancomycin: dose 1-6000 mg hard, 250-3000 mg soft; 2-60 mg/kg hard, 5-35 soft; level ≤ 300
// mg/L hard, 0.5-100 soft; 10 mg/min; tacrolimus: dose 0.01-100 mg hard, level ≤ 1000 µg/L hard) and
// the covariate register (SCR 5-3000 µmol/L hard, 15-1500 usual; WT 0.2-650 kg hard).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DRUG_FILES } from './drugs.ts';
import {
  checkCovariateValue,
  checkDose,
  checkEntryTime,
  checkDrugData,
  checkLevel,
  checkRegimen,
  checkRegimenStart,
  formatNumber,
  isCalendarDateTime,
  maxDailyDose,
  type EntryCheck,
} from './plausibility.ts';
import type { Regimen } from './regimen.ts';

const vanco = (weightKg: number | null = null) => ({ drug: 'vancomycin', weightKg });
const field = (k: string): string => k;
const codes = (c: EntryCheck): string[] => c.issues.map((i) => `${i.severity} ${i.code} ${i.field}`);
const regimen = (r: Partial<Regimen>): Regimen => ({
  dose: { value: 1000, unit: 'mg' },
  interval: { value: 12, unit: 'h' },
  route: 'infusion',
  duration: { value: 2, unit: 'h' },
  start: null,
  loading: null,
  ...r,
});

describe('doses', () => {
  test('1.5 g of meropenem over 30 min for 70 kg (21.4 mg/kg): plausible, the conversion echoed "1.5 g = 1 500 mg"', () => {
    const c = checkDose(
      { drug: 'meropenem', weightKg: 70 },
      { amount: 1.5, unit: 'g', route: 'infusion', duration: { value: 30, unit: 'min' } },
      field,
    );
    assert.deepEqual(codes(c), []);
    assert.deepEqual(c.conversions, [{ en: '1.5 g = 1 500 mg', fr: '1,5 g = 1 500 mg' }]);
  });

  test('10 g of vancomycin (10 000 mg > 6 000 mg): refused, naming the dose, in English and French', () => {
    const c = checkDose(
      vanco(),
      { amount: 10, unit: 'g', route: 'infusion', duration: { value: 2, unit: 'h' } },
      field,
    );
    assert.deepEqual(codes(c), ['error DT_DOSE_IMPLAUSIBLE amount']);
    assert.equal(c.issues[0].message, 'Dose 10 g (10 000 mg): not plausible, outside 1–6 000 mg');
    assert.equal(
      c.issues[0].fr?.message,
      'Dose 10 g (10 000 mg) : valeur invraisemblable, hors de 1–6 000 mg',
    );
  });

  test('1 mg of vancomycin for 70 kg (0.0143 mg/kg < 2 mg/kg): refused, asking whether it was 1 g', () => {
    const c = checkDose(
      vanco(70),
      { amount: 1, unit: 'mg', route: 'infusion', duration: { value: 1, unit: 'h' } },
      field,
    );
    assert.deepEqual(codes(c), ['error DT_DOSE_IMPLAUSIBLE amount']);
    assert.equal(
      c.issues[0].message,
      'Dose 1 mg for 70 kg (0.0143 mg/kg): not plausible, outside 2–60 mg/kg',
    );
    assert.match(c.issues[0].hint!, /^was it 1 g\? /);
    assert.match(c.issues[0].fr!.hint!, /^s’agissait-il de 1 g \? /);
  });

  test('1 mg of vancomycin without a recorded weight (1 mg within 1-6 000, below 250): to acknowledge', () => {
    const c = checkDose(
      vanco(),
      { amount: 1, unit: 'mg', route: 'infusion', duration: { value: 1, unit: 'h' } },
      field,
    );
    assert.deepEqual(codes(c), ['warning DT_DOSE_UNUSUAL amount']);
    assert.match(c.issues[0].fr!.message, /^Dose 1 mg : valeur inhabituelle \(habituellement 250–3 000 mg\)/);
  });

  test('a neonate’s 15 mg of vancomycin for 1.2 kg (12.5 mg/kg): plausible, the per-kg bounds deciding', () => {
    const c = checkDose(
      vanco(1.2),
      { amount: 15, unit: 'mg', route: 'infusion', duration: { value: 1, unit: 'h' } },
      field,
    );
    assert.deepEqual(codes(c), []);
  });

  test('vancomycin by mouth: no library model has a depot, refused naming the route', () => {
    const c = checkDose(vanco(70), { amount: 1000, unit: 'mg', route: 'oral', duration: null }, field);
    assert.deepEqual(codes(c), ['error DT_ROUTE route']);
    assert.match(
      c.issues[0].message,
      /^Route oral: no library model of vancomycin can represent it \(bolus, infusion only\)/,
    );
    assert.match(c.issues[0].fr!.message, /^Voie orale : aucun modèle/);
  });

  test('an oral dose under one model that has a depot is not refused; an infusion under a depot-only model is', () => {
    const oral = { drug: 'tacrolimus', weightKg: 70, routes: ['oral' as const] };
    assert.deepEqual(
      codes(checkDose(oral, { amount: 5, unit: 'mg', route: 'oral', duration: null }, field)),
      [],
    );
    assert.deepEqual(
      codes(
        checkDose(
          oral,
          { amount: 5, unit: 'mg', route: 'infusion', duration: { value: 4, unit: 'h' } },
          field,
        ),
      ),
      ['error DT_ROUTE route'],
    );
  });

  test('a vancomycin bolus: representable, but no vancomycin product is given so: to acknowledge', () => {
    const c = checkDose(vanco(70), { amount: 1000, unit: 'mg', route: 'bolus', duration: null }, field);
    assert.deepEqual(codes(c), ['warning DT_ROUTE_UNUSUAL route']);
  });

  test('2 000 mg of vancomycin over 1 h (33.3 mg/min > 10 mg/min) to be given: to acknowledge, with the duration that keeps 10 mg/min (3.33 h); recorded as given: not asked', () => {
    const given = { amount: 2000, unit: 'mg', route: 'infusion' as const, duration: { value: 1, unit: 'h' } };
    assert.deepEqual(codes(checkDose(vanco(70), given, field)), []);
    const c = checkDose(vanco(70), given, field, { en: 'Dose', fr: 'Dose' }, 'check');
    assert.deepEqual(codes(c), ['warning DT_REGIMEN_UNUSUAL duration']);
    assert.match(c.issues[0].message, /^Infusion rate 33\.3333 mg\/min/);
    assert.match(c.issues[0].hint!, /i\.e\. 3\.33333 h for this dose/);
  });

  test('tacrolimus doses in µg read as mg (5 000 mg > 100 mg): refused; in mg read as µg (4 µg < 0.01 mg): refused, asking whether it was 4 mg', () => {
    const tac = { drug: 'tacrolimus', weightKg: 70 };
    assert.deepEqual(
      codes(checkDose(tac, { amount: 5000, unit: 'mg', route: 'oral', duration: null }, field)),
      ['error DT_DOSE_IMPLAUSIBLE amount'],
    );
    const c = checkDose(tac, { amount: 4, unit: 'ug', route: 'oral', duration: null }, field);
    assert.deepEqual(codes(c), ['error DT_DOSE_IMPLAUSIBLE amount']);
    assert.equal(c.issues[0].message, 'Dose 4 µg (0.004 mg): not plausible, outside 0.01–100 mg');
  });

  test('the most given in any 24 h: 1 000 mg at 0, 12, 20 and 30 h gives 3 000 mg (windows from each dose)', () => {
    const H = 3_600_000;
    const doses = [0, 12, 20, 30].map((h) => ({ ms: h * H, amount: 1000, unit: 'mg' }));
    assert.equal(maxDailyDose(doses, 'mg'), 3000);
    // Windows holding the dose at 30 h start at 12 h (12, 20, 30: 3 000 mg) and 20 h (2 000 mg).
    assert.equal(maxDailyDose(doses, 'mg', 30 * H), 3000);
    assert.equal(maxDailyDose(doses.slice(2), 'g', 20 * H), 2);
  });
});

describe('levels', () => {
  test('vancomycin 15 ng/mL (0.015 mg/L < 0.5): to acknowledge, asking whether it was 15 mg/L; the conversion echoed', () => {
    const c = checkLevel(vanco(), { value: 15, unit: 'ng/mL', lloq: null }, 'value');
    assert.deepEqual(codes(c), ['warning DT_SAMPLE_UNUSUAL value']);
    assert.equal(
      c.issues[0].message,
      'Level 15 ng/mL (0.015 mg/L): unusual (usually 0.5–100 mg/L); confirm it to record it',
    );
    assert.equal(
      c.issues[0].fr?.message,
      'Concentration 15 ng/mL (0,015 mg/L) : valeur inhabituelle (habituellement 0,5–100 mg/L) ; la confirmer pour l’enregistrer',
    );
    assert.match(c.issues[0].hint!, /^was it 15 mg\/L\? /);
    assert.deepEqual(c.conversions, [{ en: '15 ng/mL = 0.015 mg/L', fr: '15 ng/mL = 0,015 mg/L' }]);
  });

  test('vancomycin 1 717 mg/L (> 300 mg/L): refused', () => {
    assert.deepEqual(codes(checkLevel(vanco(), { value: 1717, unit: 'mg/L', lloq: null }, 'value')), [
      'error DT_SAMPLE_IMPLAUSIBLE value',
    ]);
  });

  test('a vancomycin level of 0.2 mg/L below its LLOQ of 2 mg/L: a censored value, not an unusual one', () => {
    assert.deepEqual(codes(checkLevel(vanco(), { value: 0.2, unit: 'mg/L', lloq: 2 }, 'value')), []);
  });

  test('tacrolimus 8 mg/L (8 000 µg/L > 1 000): refused, asking whether it was 8 µg/L', () => {
    const c = checkLevel(
      { drug: 'tacrolimus', weightKg: null },
      { value: 8, unit: 'mg/L', lloq: null },
      'value',
    );
    assert.deepEqual(codes(c), ['error DT_SAMPLE_IMPLAUSIBLE value']);
    assert.match(c.issues[0].hint!, /^was it 8 µg\/L\? /);
  });
});

describe('covariates', () => {
  test('SCR 0.9 µmol/L (< 5): refused, asking whether it was 0.9 mg/dL, in English and French', () => {
    const c = checkCovariateValue('SCR', 0.9, 'umol/L', 'value');
    assert.deepEqual(codes(c), ['error DT_COVARIATE_IMPLAUSIBLE value']);
    assert.match(c.issues[0].hint!, /^was it 0\.9 mg\/dL\? /);
    assert.equal(
      c.issues[0].fr?.message,
      'SCR vaut 0,9 µmol/L ; créatinine sérique : entre 5 et 3000 µmol/L',
    );
  });

  test('SCR 8 µmol/L (5-15): to acknowledge; SCR 0.9 mg/dL: 79.56 µmol/L echoed', () => {
    assert.deepEqual(codes(checkCovariateValue('SCR', 8, 'umol/L', 'value')), [
      'warning DT_COVARIATE_UNUSUAL value',
    ]);
    const c = checkCovariateValue('SCR', 0.9, 'mg/dL', 'value');
    assert.deepEqual(codes(c), []);
    assert.deepEqual(c.conversions, [{ en: '0.9 mg/dL = 79.56 µmol/L', fr: '0,9 mg/dL = 79,56 µmol/L' }]);
  });

  test('a weight of 950 kg (> 650): refused; 80 kg beside a height of 80 cm (BMI 125 kg/m2): to acknowledge', () => {
    assert.deepEqual(codes(checkCovariateValue('WT', 950, 'kg', 'value')), [
      'error DT_COVARIATE_IMPLAUSIBLE value',
    ]);
    const others = [{ at: '2026-01-01T08:00Z', name: 'HT', value: 80, unit: 'cm' }];
    const c = checkCovariateValue('WT', 80, 'kg', 'value', others);
    assert.deepEqual(codes(c), ['warning DT_COVARIATE_UNUSUAL value']);
    assert.match(c.issues[0].message, /the body-mass index is 125 kg\/m2/);
  });

  test('a weight of 7 kg or a height of 1.75 cm… for a 60-year-old (a digit lost, another unit): to acknowledge; 7 kg for a 1-year-old is not', () => {
    const adult = [{ at: '2026-01-01T08:00Z', name: 'AGE', value: 60, unit: 'y' }];
    const wt = checkCovariateValue('WT', 7, 'kg', 'value', adult);
    assert.deepEqual(codes(wt), ['warning DT_COVARIATE_UNUSUAL value']);
    assert.equal(
      wt.issues[0].fr?.message,
      'Poids (WT) 7 kg : valeur inhabituelle pour un adulte (âge 60 ans ; habituellement ≥ 30 kg) ; la confirmer pour l’enregistrer',
    );
    assert.deepEqual(codes(checkCovariateValue('HT', 90, 'cm', 'value', adult)), [
      'warning DT_COVARIATE_UNUSUAL value',
    ]);
    // 30 kg exactly, and any weight for a child, are not asked.
    assert.deepEqual(codes(checkCovariateValue('WT', 30, 'kg', 'value', adult)), []);
    const child = [{ at: '2026-01-01T08:00Z', name: 'AGE', value: 1, unit: 'y' }];
    assert.deepEqual(codes(checkCovariateValue('WT', 7, 'kg', 'value', child)), []);
  });
});

describe('regimens', () => {
  test('"1500 g every 12 h" of vancomycin (1.5e6 mg > 6 000): refused at regimen.dose.value', () => {
    const c = checkRegimen(vanco(70), regimen({ dose: { value: 1500, unit: 'g' } }));
    assert.deepEqual(codes(c), ['error DT_DOSE_IMPLAUSIBLE regimen.dose.value']);
  });

  test('"1e+308 mg every 1e-300 h": the dose and the interval refused, each named', () => {
    const c = checkRegimen(
      vanco(70),
      regimen({ dose: { value: 1e308, unit: 'mg' }, interval: { value: 1e-300, unit: 'h' } }),
    );
    const errors = c.issues.filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.field}`);
    assert.ok(errors.includes('DT_DOSE_IMPLAUSIBLE regimen.dose.value'), errors.join('; '));
    assert.ok(errors.includes('DT_REGIMEN_IMPLAUSIBLE regimen.interval.value'), errors.join('; '));
  });

  test('an infusion of 14 h every 12 h: refused, it would overlap the next; 24 h every 24 h (continuous) is not', () => {
    const c = checkRegimen(vanco(70), regimen({ duration: { value: 14, unit: 'h' } }));
    assert.ok(codes(c).includes('error DT_REGIMEN_IMPLAUSIBLE regimen.duration.value'), codes(c).join('; '));
    const continuous = checkRegimen(
      vanco(70),
      regimen({
        dose: { value: 2000, unit: 'mg' },
        interval: { value: 24, unit: 'h' },
        duration: { value: 24, unit: 'h' },
      }),
    );
    assert.ok(!continuous.issues.some((i) => i.severity === 'error'), codes(continuous).join('; '));
  });

  test('2 000 mg every 6 h over 4.5 h (8 000 mg a day > 6 000; 4.5 h > 200 min at 10 mg/min + 1 h): both to acknowledge', () => {
    const c = checkRegimen(
      vanco(70),
      regimen({
        dose: { value: 2000, unit: 'mg' },
        interval: { value: 6, unit: 'h' },
        duration: { value: 4.5, unit: 'h' },
      }),
    );
    assert.deepEqual(
      codes(c).sort(),
      ['warning DT_DOSE_UNUSUAL regimen.dose.value', 'warning DT_REGIMEN_UNUSUAL regimen.duration'].sort(),
    );
    assert.match(
      c.issues.find((i) => i.code === 'DT_DOSE_UNUSUAL')!.message,
      /^Dose over 24 h 8 000 mg: unusual/,
    );
  });
});

test('vancomycin 1 250 mg over 150 min every 12 h: the label’s 10 mg/min asks 125 min at least, so 150 min is usual (no warning)', () => {
  const c = checkRegimen(
    vanco(70),
    regimen({
      dose: { value: 1250, unit: 'mg' },
      interval: { value: 12, unit: 'h' },
      duration: { value: 150, unit: 'min' },
    }),
  );
  assert.deepEqual(codes(c), []);
});

test('a NONMEM-style tacrolimus dataset with doses in mg read in the model’s µg: every dose said, as a warning naming its line', () => {
  const w = checkDrugData('tacrolimus', {
    id: 'ktx1',
    units: { dose: 'ug', time: 'h', conc: 'ug/L' },
    records: [
      { time: 0, evid: 1, amt: 4, line: 2 },
      { time: 12, evid: 1, amt: 4, line: 3 },
      { time: 13, evid: 0, dv: 14.8, line: 4 },
    ],
  });
  assert.deepEqual(
    w.map((i) => `${i.severity} ${i.code} ${i.field}`),
    ['warning DT_DOSE_IMPLAUSIBLE data[line 2].AMT', 'warning DT_DOSE_IMPLAUSIBLE data[line 3].AMT'],
  );
});

test('impossible calendar dates and clock times are told apart from real ones', () => {
  assert.equal(isCalendarDateTime('2026-02-30T08:00+01:00'), false);
  assert.equal(isCalendarDateTime('2026-04-31T08:00Z'), false);
  assert.equal(isCalendarDateTime('2026-03-01T24:30Z'), false);
  assert.equal(isCalendarDateTime('2024-02-29T08:00+01:00'), true);
  assert.equal(isCalendarDateTime('2026-12-31T23:59:59.5Z'), true);
});

test('numbers as clinicians read them: groups of three from 1 000, decimal comma in French', () => {
  assert.deepEqual(
    [1500, 0.015, 12345.678, 250].map((x) => [formatNumber(x, 'en'), formatNumber(x, 'fr')]),
    [
      ['1 500', '1 500'],
      ['0.015', '0,015'],
      ['12 345.7', '12 345,7'],
      ['250', '250'],
    ],
  );
});

test('every drug file: hard bounds contain the soft ones, the strengths are plausible doses, the usual dose (per kg: for 70 kg) and interval are within the soft bounds', () => {
  for (const d of Object.values(DRUG_FILES)) {
    const b = d.plausibility;
    for (const [name, r] of Object.entries(b))
      assert.ok(
        r.hard.lo <= r.soft.lo && r.soft.lo <= r.soft.hi && r.soft.hi <= r.hard.hi,
        `${d.drug}.${name}: ${JSON.stringify(r)}`,
      );
    for (const f of d.formulations) {
      for (const s of f.strengths.values) {
        const c = checkDose(
          { drug: d.drug, weightKg: null },
          { amount: s, unit: f.strengths.unit, route: f.routes[0], duration: null },
          field,
        );
        assert.ok(
          !c.issues.some((i) => i.code === 'DT_DOSE_IMPLAUSIBLE'),
          `${d.drug} ${f.id} ${s} ${f.strengths.unit}: ${codes(c)}`,
        );
      }
      if (!f.usual) continue;
      const perKg = f.usual.dose.unit.endsWith('/kg');
      const mg = f.usual.dose.value * (perKg ? 70 : 1);
      assert.ok(mg >= b.dose.soft.lo && mg <= b.dose.soft.hi, `${d.drug} ${f.id}: usual ${mg} mg`);
      assert.ok(
        f.usual.every.value >= b.interval.soft.lo && f.usual.every.value <= b.interval.soft.hi,
        `${d.drug} ${f.id}: every ${f.usual.every.value} h`,
      );
    }
  }
});

describe('entry times', () => {
  const ctx = {
    birthDate: '1966-03-04',
    nowMs: Date.parse('2026-12-06T09:00:00Z'),
    doses: [{ at: '2026-12-06T08:00:00+01:00', amount: 1, unit: 'g' }],
  };
  test('before the birth date: refused; more than a year ago: to acknowledge; a year ago exactly: not', () => {
    assert.deepEqual(
      codes({ issues: checkEntryTime('level', { at: '1966-03-03T23:00:00+01:00' }, ctx), conversions: [] }),
      ['error DT_ENTRY_BEFORE_BIRTH at'],
    );
    assert.deepEqual(
      codes({ issues: checkEntryTime('level', { at: '1966-03-04T01:00:00+01:00' }, ctx), conversions: [] }),
      ['warning DT_ENTRY_OLD at'],
    );
    const old = checkEntryTime('covariate', { at: '2025-12-05T08:00:00Z' }, ctx);
    assert.equal(
      old[0].fr?.message,
      'Valeur datée du 2025-12-05 : il y a 366 jours, plus d’un an ; la confirmer pour l’enregistrer',
    );
    assert.deepEqual(checkEntryTime('covariate', { at: '2025-12-06T09:00:00Z' }, ctx), []);
  });
  test('the same dose (1000 mg = 1 g) 30 min from one recorded: to acknowledge; 2 h away or another amount: not', () => {
    const twice = checkEntryTime('dose', { at: '2026-12-06T08:30:00+01:00', amount: 1000, unit: 'mg' }, ctx);
    assert.deepEqual(codes({ issues: twice, conversions: [] }), ['warning DT_DOSE_REPEATED at']);
    assert.match(
      twice[0].message,
      /Dose 1 000 mg 30 min from the same dose recorded at 2026-12-06T08:00:00\+01:00/,
    );
    assert.deepEqual(
      checkEntryTime('dose', { at: '2026-12-06T10:00:00+01:00', amount: 1000, unit: 'mg' }, ctx),
      [],
    );
    assert.deepEqual(
      checkEntryTime('dose', { at: '2026-12-06T08:30:00+01:00', amount: 1250, unit: 'mg' }, ctx),
      [],
    );
  });
});

describe("a retained regimen's start", () => {
  const now = Date.parse('2026-12-06T09:00:00Z');
  test('before the last dose given: refused; 8 days ahead: to acknowledge; tomorrow or none: not', () => {
    const last = '2026-12-06T08:00:00+01:00';
    assert.deepEqual(
      checkRegimenStart('2025-12-06T20:00:00+01:00', last, now).map(
        (i) => `${i.severity} ${i.code} ${i.field}`,
      ),
      ['error DT_REGIMEN_IMPLAUSIBLE regimen.start'],
    );
    const late = checkRegimenStart('2026-12-14T10:00:00Z', last, now);
    assert.equal(
      late[0].fr?.message,
      'Première nouvelle dose le 2026-12-14T10:00:00Z : dans 8 jours ; la confirmer pour l’enregistrer',
    );
    assert.deepEqual(checkRegimenStart('2026-12-07T08:00:00+01:00', last, now), []);
    assert.deepEqual(checkRegimenStart(null, last, now), []);
  });
});
