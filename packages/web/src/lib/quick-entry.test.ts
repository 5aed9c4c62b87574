// Quick entry: clinician phrases → dose records with local clinical times, amounts and units.
// Expected times are written out by hand from the phrase and the fixed "now".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuickEntry } from './quick-entry.ts';

const local = (y: number, mo: number, d: number, h: number, mi = 0): number =>
  new Date(y, mo - 1, d, h, mi).getTime();
const NOW = new Date(2026, 10, 14, 9, 30); // 14 Nov 2026 09:30 local

test("'Prograf 5 mg at 08:00 and 20:00 since 12 Nov' → 5 oral doses of 5 mg, 12 Nov 08:00 … 14 Nov 08:00", () => {
  const r = parseQuickEntry('Prograf 5 mg at 08:00 and 20:00 since 12 Nov', NOW);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.doses.map((d) => Date.parse(d.at)),
    [
      local(2026, 11, 12, 8),
      local(2026, 11, 12, 20),
      local(2026, 11, 13, 8),
      local(2026, 11, 13, 20),
      local(2026, 11, 14, 8),
    ],
  );
  for (const d of r.doses) {
    assert.equal(d.amount, 5);
    assert.equal(d.unit, 'mg');
    assert.equal(d.route, 'oral');
    assert.equal(d.duration, undefined);
    assert.equal(d.product, 'Prograf 5 mg');
    assert.match(d.at, /^2026-11-1[234]T(08|20):00[+-]\d{2}:\d{2}$/);
  }
});

test('French: « Prograf 0,5 mg à 8h et 20h depuis le 13 nov » → 0.5 mg at 8:00 and 20:00 from 13 Nov', () => {
  const r = parseQuickEntry('Prograf 0,5 mg à 8h et 20h depuis le 13 nov', NOW);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.doses.map((d) => Date.parse(d.at)),
    [local(2026, 11, 13, 8), local(2026, 11, 13, 20), local(2026, 11, 14, 8)],
  );
  assert.equal(r.doses[0].amount, 0.5);
});

test("infusion every 12 h from a date-time, with an end date: 'vancomycin 1 g over 1 h every 12 h from 12/11 10:00 to 13/11'", () => {
  const r = parseQuickEntry('vancomycin 1 g over 1 h every 12 h from 12/11 10:00 to 13/11', NOW);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.doses.map((d) => Date.parse(d.at)),
    [local(2026, 11, 12, 10), local(2026, 11, 12, 22), local(2026, 11, 13, 10), local(2026, 11, 13, 22)],
  );
  assert.deepEqual(r.doses[0], {
    ...r.doses[0],
    amount: 1,
    unit: 'g',
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
  });
});

test('French infusion: « vancomycine 1000 mg en 60 min toutes les 12 h depuis le 2026-11-13 21:00 »', () => {
  const r = parseQuickEntry('vancomycine 1000 mg en 60 min toutes les 12 h depuis le 2026-11-13 21:00', NOW);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.doses.map((d) => Date.parse(d.at)),
    [local(2026, 11, 13, 21), local(2026, 11, 14, 9)],
  );
  assert.deepEqual(r.doses[0].duration, { value: 60, unit: 'min' });
  assert.equal(r.doses[0].unit, 'mg');
});

test('µg and mcg map to ug; a date without a year after today is last year’s', () => {
  const r = parseQuickEntry('Advagraf 500 µg at 08:00 on 20 Dec', NOW);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.doses.map((d) => Date.parse(d.at)),
    [local(2025, 12, 20, 8)],
  );
  assert.equal(r.doses[0].unit, 'ug');
  assert.equal(parseQuickEntry('X 250 mcg at 08:00 on 13 Nov', NOW).doses[0].unit, 'ug');
});

test('problems are reported, never guessed around', () => {
  assert.match(parseQuickEntry('Prograf at 08:00 since 12 Nov', NOW).errors[0], /no amount with a unit/);
  assert.match(parseQuickEntry('Prograf 5 mg since 12 Nov', NOW).errors.join(), /say when/);
  assert.match(parseQuickEntry('Prograf 5 mg at 08:00', NOW).errors.join(), /say from when/);
  assert.match(parseQuickEntry('Prograf 5 mg at 25:00 since 12 Nov', NOW).errors.join(), /not a time of day/);
  assert.match(
    parseQuickEntry('vancomycin 1 g infusion at 08:00 since 12 Nov', NOW).errors.join(),
    /needs its duration/,
  );
  assert.match(parseQuickEntry('Prograf 5 mg at 08:00 since 30 Feb', NOW).errors.join(), /no date/);
  // Start in the future (no year: last year's 20 Nov would be a year of doses; with a year, nothing yet).
  assert.match(
    parseQuickEntry('Prograf 5 mg at 08:00 since 2026-11-20', NOW).errors.join(),
    /no administration time/,
  );
});
