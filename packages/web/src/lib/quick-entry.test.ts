// Quick entry, table-driven: clinician phrases (English and French) → dose records with local
// clinical times, amounts, units and routes, or the message that refuses them, or what must be
// confirmed first. Expected times are written out by hand from the phrase and the fixed "now";
// every message renders in both languages with its values filled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translate } from '../i18n/index.ts';
import { MAX_UNCONFIRMED, parseQuickEntry, type QuickEntryResult } from './quick-entry.ts';

/** 6 Dec 2026 09:30, local time. */
const NOW = new Date(2026, 11, 6, 9, 30);
const at = (y: number, mo: number, d: number, h: number, mi = 0): number =>
  new Date(y, mo - 1, d, h, mi).getTime();
const keys = (r: QuickEntryResult, which: 'errors' | 'confirm' | 'notes'): string[] =>
  r[which].map((m) => m.key);

interface Case {
  say: string;
  weightKg?: number | null;
  /** Expected dose times (local), amount, unit, route, duration. */
  times?: number[];
  amount?: number;
  unit?: string;
  route?: 'oral' | 'bolus' | 'infusion';
  duration?: { value: number; unit: string } | undefined;
  /** Expected error keys (every one present), confirmations, notes. */
  errors?: string[];
  confirm?: string[];
  notes?: string[];
}

const CASES: Case[] = [
  {
    say: 'Prograf 5 mg per os at 08:00 and 20:00 since 4 Dec',
    times: [
      at(2026, 12, 4, 8),
      at(2026, 12, 4, 20),
      at(2026, 12, 5, 8),
      at(2026, 12, 5, 20),
      at(2026, 12, 6, 8),
    ],
    amount: 5,
    unit: 'mg',
    route: 'oral',
    duration: undefined,
  },
  {
    say: 'Prograf 0,5 mg PO à 8h et 20h depuis le 5 déc',
    times: [at(2026, 12, 5, 8), at(2026, 12, 5, 20), at(2026, 12, 6, 8)],
    amount: 0.5,
    route: 'oral',
  },
  // IV without its infusion time is refused, never read as oral.
  { say: 'vancomycine 1 g IV toutes les 12 h depuis hier à 8h', errors: ['qe_ivDuration'] },
  {
    say: 'vancomycine 1 g IV en 1 h toutes les 12 h depuis le 4/12 à 8h',
    times: [
      at(2026, 12, 4, 8),
      at(2026, 12, 4, 20),
      at(2026, 12, 5, 8),
      at(2026, 12, 5, 20),
      at(2026, 12, 6, 8),
    ],
    amount: 1,
    unit: 'g',
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
  },
  // 15 mg/kg × 82 kg = 1230 mg, shown as a note.
  {
    say: 'vancomycine 15 mg/kg IV en 60 min toutes les 12 h depuis hier à 8h',
    weightKg: 82,
    times: [at(2026, 12, 5, 8), at(2026, 12, 5, 20), at(2026, 12, 6, 8)],
    amount: 1230,
    unit: 'mg',
    route: 'infusion',
    duration: { value: 60, unit: 'min' },
    notes: ['qe_perKg'],
  },
  {
    say: 'vancomycine 15 mg/kg IV en 1 h toutes les 12 h depuis hier à 8h',
    weightKg: null,
    errors: ['qe_noWeight'],
  },
  // Continuous infusion: 2 g over 24 h, every 24 h, from yesterday 08:00.
  {
    say: 'vancomycine 2 g/24 h en continu depuis hier à 8h',
    times: [at(2026, 12, 5, 8), at(2026, 12, 6, 8)],
    amount: 2,
    unit: 'g',
    route: 'infusion',
    duration: { value: 24, unit: 'h' },
    notes: ['qe_continuous'],
  },
  {
    say: 'vancomycin 2 g continuous over 24 h since yesterday at 08:00',
    times: [at(2026, 12, 5, 8), at(2026, 12, 6, 8)],
    duration: { value: 24, unit: 'h' },
    route: 'infusion',
    notes: ['qe_continuous'],
  },
  { say: 'vancomycine 2 g en continu depuis hier à 8h', errors: ['qe_continuousPeriod'] },
  // "hier", "à 8h": one dose yesterday at 08:00.
  { say: 'Prograf 5 mg PO hier à 8h', times: [at(2026, 12, 5, 8)], route: 'oral' },
  { say: 'X 100 mg IV directe à 8h hier', times: [at(2026, 12, 5, 8)], route: 'bolus', duration: undefined },
  { say: 'Advagraf 500 µg PO à 8h le 5 déc', times: [at(2026, 12, 5, 8)], amount: 500, unit: 'ug' },
  // Impossible and future dates.
  { say: 'Prograf 5 mg PO à 8h et 20h depuis le 30 février', errors: ['qe_impossibleDate'] },
  { say: 'Prograf 5 mg PO at 08:00 since 31/11', errors: ['qe_impossibleDate'] },
  { say: 'Prograf 5 mg PO à 8h depuis le 20/12/2026', errors: ['qe_futureDate'] },
  // No year and ahead of today: last year's, once confirmed (and 352 doses: confirmed too).
  {
    say: 'Prograf 5 mg PO à 8h depuis le 20 déc',
    confirm: ['qe_confirmLastYear', 'qe_confirmLong'],
    route: 'oral',
  },
  // 1 Nov → 6 Dec 08:00 twice a day: 71 doses, more than 60: confirmed.
  { say: 'Prograf 5 mg PO à 8h et 20h depuis le 1 nov', confirm: ['qe_confirmLong'] },
  // Routes the models do not describe, no route, contradictions, bad times.
  { say: 'enoxaparine 40 mg SC à 8h depuis hier', errors: ['qe_routeUnsupported'] },
  { say: 'amikacine 1 g IM à 8h hier', errors: ['qe_routeUnsupported'] },
  { say: 'Prograf 5 mg à 8h depuis hier', errors: ['qe_noRoute'] },
  { say: 'X 1 g per os en 1 h à 8h hier', errors: ['qe_routeConflict'] },
  { say: 'Prograf 5 mg PO at 25:00 since yesterday', errors: ['qe_badTime'] },
  { say: 'Prograf PO at 08:00 since yesterday', errors: ['qe_noAmount'] },
  { say: 'Prograf 5 mg PO since yesterday', errors: ['qe_noTimes'] },
  { say: 'Prograf 5 mg PO at 08:00', errors: ['qe_noStart'] },
  { say: 'Prograf 5 mg PO at 08:00 and 20:00 every 12 h since yesterday', errors: ['qe_timesAndEvery'] },
  {
    say: 'vancomycin 1 g IV over 1 h every 12 h from 4/12 10:00 to 5/12',
    times: [at(2026, 12, 4, 10), at(2026, 12, 4, 22), at(2026, 12, 5, 10), at(2026, 12, 5, 22)],
  },
];

for (const c of CASES)
  test(`quick entry: ${c.say}`, () => {
    const r = parseQuickEntry(c.say, { now: NOW, weightKg: 'weightKg' in c ? c.weightKg : 82 });
    if (c.errors) {
      for (const e of c.errors) assert.ok(keys(r, 'errors').includes(e), `${keys(r, 'errors')} lacks ${e}`);
      assert.deepEqual(r.doses, []);
      return;
    }
    assert.deepEqual(r.errors, []);
    if (c.times)
      assert.deepEqual(
        r.doses.map((d) => Date.parse(d.at)),
        c.times,
      );
    for (const d of r.doses) {
      if (c.amount !== undefined) assert.equal(d.amount, c.amount);
      if (c.unit !== undefined) assert.equal(d.unit, c.unit);
      if (c.route !== undefined) assert.equal(d.route, c.route);
      if ('duration' in c) assert.deepEqual(d.duration, c.duration);
      assert.match(d.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    }
    assert.deepEqual(keys(r, 'confirm'), c.confirm ?? []);
    assert.deepEqual(keys(r, 'notes'), c.notes ?? []);
  });

test('the values behind confirmations and notes: last year is 20/12/2025 (20 Dec 2025 → 6 Dec 2026: 12 + 334 + 6 = 352 daily doses), 71 doses since 1 Nov, 15 mg/kg × 82 kg = 1230 mg', () => {
  const last = parseQuickEntry('Prograf 5 mg PO à 8h depuis le 20 déc', { now: NOW });
  assert.equal(Date.parse(last.doses[0].at), at(2025, 12, 20, 8));
  assert.equal(last.doses.length, 352);
  assert.deepEqual(last.confirm[0].vars, { date: '20/12/2025' });
  const long = parseQuickEntry('Prograf 5 mg PO à 8h et 20h depuis le 1 nov', { now: NOW });
  assert.equal(long.doses.length, 71);
  assert.ok(long.doses.length > MAX_UNCONFIRMED);
  assert.deepEqual(long.confirm[0].vars, { n: 71 });
  const kg = parseQuickEntry('vancomycine 15 mg/kg IV en 1 h toutes les 12 h depuis hier à 8h', {
    now: NOW,
    weightKg: 82,
  });
  assert.deepEqual(kg.notes[0].vars, { dose: '15 mg/kg', weight: '82 kg', amount: '1230 mg' });
});

test('every message renders in English and French with its values filled', () => {
  for (const c of CASES) {
    const r = parseQuickEntry(c.say, { now: NOW, weightKg: 'weightKg' in c ? c.weightKg : 82 });
    for (const m of [...r.errors, ...r.confirm, ...r.notes])
      for (const lang of ['en', 'fr'] as const) {
        const text = translate(lang, m.key, m.vars);
        assert.doesNotMatch(text, /\{\w+\}/, `${lang} ${m.key}: ${text}`);
      }
  }
  assert.equal(
    translate('fr', 'qe_perKg', { dose: '15 mg/kg', weight: '82 kg', amount: '1230 mg' }),
    '15 mg/kg × 82 kg (poids saisi) = 1230 mg.',
  );
});
