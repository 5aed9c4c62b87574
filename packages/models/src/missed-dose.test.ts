// A forgotten evening dose of tacrolimus (Prograf) in a CYP3A5 expresser, the high-clearance
// patients of Saint-Marcoux et al. (Pharmacol Res 2015: one forgotten dose lowers the next trough
// by up to 49 % and AUC0-12 by up to 70 % in the highest-clearance patients, abstract): the
// Woillard 2011 twin reproduces that order of magnitude (trough -62.6 %, AUC0-12 -68.9 %), the
// Andrews 2019 twin the trough (-48.5 %, AUC -49.4 %); the label’s rule and the patient’s sheet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clinicalTwin } from './analysis.ts';
import { missedDoseAdvice, optionSentence, patientSheet } from './missed-dose.ts';
import type { Regimen } from './regimen.ts';

const regimen: Regimen = {
  dose: { value: 8, unit: 'mg' },
  interval: { value: 12, unit: 'h' },
  route: 'oral',
  duration: null,
  start: null,
  loading: null,
};
/** 8 mg at 08:00 and 20:00 from 1 to 7 December 2026 (Paris, UTC+01:00); the dose of 7 December 20:00 forgotten. */
const administrations = Array.from({ length: 13 }, (_, i) => {
  const day = 1 + Math.floor(i / 2);
  return {
    at: `2026-12-0${day}T${i % 2 ? '20' : '08'}:00+01:00`,
    amount: 8,
    unit: 'mg',
    route: 'oral' as const,
    duration: null,
    product: 'Prograf',
  };
});
const expresser = (cyp: number) =>
  clinicalTwin(
    {
      patientId: 'p1',
      modelId: 'tacrolimus/woillard2011-prograf',
      targets: [],
      administrations,
      samples: [],
      covariates: [
        { at: '2026-12-01T07:00+01:00', name: 'HCT', value: 35, unit: '%' },
        { at: '2026-12-01T07:00+01:00', name: 'CYP3A5', value: cyp, unit: '-' },
      ],
    },
    { samples: 100, seed: 1 },
  );

test('tacrolimus, CYP3A5 expresser, one forgotten evening dose: next trough 55-70 % lower and AUC0-12 60-80 % lower than on time (Saint-Marcoux 2015: up to 49 % and 70 %); non-expresser less', () => {
  const advice = missedDoseAdvice(expresser(1), {
    regimen,
    formulation: 'prograf-capsule',
    dueAt: '2026-12-07T20:00+01:00',
    at: '2026-12-08T07:50+01:00',
  });
  const skip = advice.options.find((o) => o.id === 'skip')!;
  assert.ok(skip.troughChange < -0.55 && skip.troughChange > -0.7, `trough ${skip.troughChange}`);
  assert.ok(skip.aucChange < -0.6 && skip.aucChange > -0.8, `AUC ${skip.aucChange}`);
  const non = missedDoseAdvice(expresser(0), {
    regimen,
    formulation: 'prograf-capsule',
    dueAt: '2026-12-07T20:00+01:00',
    at: '2026-12-08T07:50+01:00',
  }).options.find((o) => o.id === 'skip')!;
  assert.ok(non.troughChange > skip.troughChange && non.aucChange > skip.aucChange);
  // The Prograf rule at 11 h 50 late (more than half the interval): leave the dose out.
  assert.equal(advice.labelRule!.option, 'skip');
  assert.ok(advice.options.find((o) => o.id === 'skip')!.label);
  assert.equal(advice.window.reads, 'troughs');
  assert.deepEqual(advice.window.efficacy, { value: 5, unit: 'ng/mL' });
  assert.equal(advice.delay.value, 11 + 50 / 60);
  const fr = patientSheet(advice, 'fr');
  assert.match(fr[0], /Votre dose prévue à 20:00 n’a pas été prise \(11 h 50 de retard\)/);
  assert.match(fr[2], /^La notice dit : /);
});

test('the patient is never advised a double dose the leaflet forbids, even when the simulation ranks it first', () => {
  const advice = missedDoseAdvice(expresser(1), {
    regimen,
    formulation: 'Prograf',
    dueAt: '2026-12-07T20:00+01:00',
    at: '2026-12-07T23:00+01:00',
  });
  assert.deepEqual(advice.labelRule!.forbids, ['double-next']);
  assert.equal(advice.labelRule!.option, 'take-now');
  // The same options with the double dose ranked first (a window that rewards it, say).
  const double = advice.options.find((o) => o.id === 'double-next')!;
  const rest = advice.options.filter((o) => o.id !== 'double-next');
  const reordered = { ...advice, options: [double, ...rest] };
  const en = patientSheet(reordered, 'en');
  assert.doesNotMatch(en[1], /double/);
  assert.equal(en[1], `What we advise: ${optionSentence(rest[0], reordered, 'en')}`);
  // Without a label rule, the first-ranked option is advised whatever it is.
  assert.match(
    patientSheet({ ...reordered, labelRule: null }, 'en')[1],
    /take a double dose at 08:00 \(16 mg\)/,
  );
});

test('the same forgotten dose under Andrews 2019 (adult Prograf, CYP3A5 expresser, typical covariates): next trough 40-55 % lower (Saint-Marcoux 2015: up to 49 %), AUC0-12 40-55 % lower', () => {
  const t0 = Date.parse('2026-12-01T08:00+01:00');
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  const doses = Array.from({ length: 27 }, (_, i) => ({
    at: iso(t0 + i * 12 * 3.6e6),
    amount: 8,
    unit: 'mg',
    route: 'oral' as const,
    duration: null,
    product: 'Prograf',
  }));
  const last = t0 + 26 * 12 * 3.6e6;
  const covariates = (
    [
      ['CYP3A5', 1, '-'],
      ['AGE', 55, 'y'],
      ['BSA', 1.93, 'm2'],
      ['SCR', 135, 'umol/L'],
      ['HCT', 0.34, 'L/L'],
      ['LBW', 59, 'kg'],
    ] as const
  ).map(([name, value, unit]) => ({ at: '2026-12-01T07:00+01:00', name, value, unit }));
  const ct = clinicalTwin(
    {
      patientId: 'p2',
      modelId: 'tacrolimus/andrews2019',
      targets: [],
      administrations: doses,
      samples: [],
      covariates,
    },
    { samples: 0 },
  );
  const skip = missedDoseAdvice(ct, {
    regimen,
    formulation: 'Prograf',
    dueAt: iso(last + 12 * 3.6e6),
    at: iso(last + 23.9 * 3.6e6),
  }).options.find((o) => o.id === 'skip')!;
  assert.ok(skip.troughChange < -0.4 && skip.troughChange > -0.55, `trough ${skip.troughChange}`);
  assert.ok(skip.aucChange < -0.4 && skip.aucChange > -0.55, `AUC ${skip.aucChange}`);
});

test('"last night" on the schedule, in the patient’s zone: the evening dose of the day before (20:00 Paris = 19:00 UTC), else the latest due; the offset decides which dose was in the evening', async () => {
  const { lastNightDue } = await import('./missed-dose.ts');
  const q12 = 12 * 3_600_000;
  // Doses at 08:00 and 20:00 Paris time (+01:00); now 07:30 Paris.
  const anchor = Date.parse('2026-12-01T08:00+01:00');
  const now = Date.parse('2026-12-06T07:30+01:00');
  assert.equal(lastNightDue(anchor, q12, now, 60), Date.parse('2026-12-05T20:00+01:00'));
  // Any dose on the schedule anchors it, later than now too.
  assert.equal(
    lastNightDue(Date.parse('2026-12-06T08:00+01:00'), q12, now, 60),
    Date.parse('2026-12-05T20:00+01:00'),
  );
  // The same instants read in New York (−05:00): 20:00 Paris is 14:00 there, not an evening; the
  // latest due before now is taken.
  assert.equal(lastNightDue(anchor, q12, now, -300), Date.parse('2026-12-05T20:00+01:00'));
  // Once a day at 22:00 Paris; now 09:00 Paris: yesterday's 22:00.
  const daily = Date.parse('2026-12-01T22:00+01:00');
  assert.equal(
    lastNightDue(daily, 24 * 3_600_000, Date.parse('2026-12-06T09:00+01:00'), 60),
    Date.parse('2026-12-05T22:00+01:00'),
  );
  // Every 8 h (06:00, 14:00, 22:00 Paris), now 07:30: last night is 22:00, not the 06:00 just past.
  const q8 = Date.parse('2026-12-01T06:00+01:00');
  assert.equal(lastNightDue(q8, 8 * 3_600_000, now, 60), Date.parse('2026-12-05T22:00+01:00'));
  // In UTC (+00:00) the same 22:00 Paris is 21:00 the day before: also last night.
  assert.equal(lastNightDue(q8, 8 * 3_600_000, now, 0), Date.parse('2026-12-05T22:00+01:00'));
  // At UTC+10 the same instants are 23:00 (14:00 Paris) and 07:00 (22:00 Paris): last night is
  // the dose of 14:00 Paris.
  assert.equal(lastNightDue(q8, 8 * 3_600_000, now, 600), Date.parse('2026-12-05T14:00+01:00'));
  // At 23:30 Paris the evening dose of today (22:00) is not "last night": yesterday's 22:00 is.
  assert.equal(
    lastNightDue(q8, 8 * 3_600_000, Date.parse('2026-12-06T23:30+01:00'), 60),
    Date.parse('2026-12-05T22:00+01:00'),
  );
  assert.ok(Number.isNaN(lastNightDue(anchor, 0, now, 60)));
});
