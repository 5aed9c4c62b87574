// `dosetwin missed`: the options after a forgotten Prograf dose for a CYP3A5 expresser, from a
// clinical record in JSON: the patient's sheet (French), the ranked table with the label's option
// and the double dose it forbids; a delay of a whole interval refused (exit 2, naming `now`).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../test-support.ts';
import { registerMissed } from './missed.ts';

const dir = mkdtempSync(join(tmpdir(), 'dosetwin-missed-'));
const record = join(dir, 'record.json');
writeFileSync(
  record,
  JSON.stringify({
    administrations: Array.from({ length: 13 }, (_, i) => ({
      at: `2026-12-0${1 + Math.floor(i / 2)}T${i % 2 ? '20' : '08'}:00+01:00`,
      amount: 8,
      unit: 'mg',
      route: 'oral',
      duration: null,
      product: 'Prograf',
    })),
    samples: [],
    covariates: [
      { at: '2026-12-01T07:00+01:00', name: 'HCT', value: 35, unit: '%' },
      { at: '2026-12-01T07:00+01:00', name: 'CYP3A5', value: 1, unit: '-' },
    ],
  }),
);

const run = (...args: string[]) => runCommand(registerMissed, 'missed', ...args);

const ARGS = [
  '--model',
  'tacrolimus/woillard2011-prograf',
  '--record',
  record,
  '--due',
  '2026-12-07T20:00+01:00',
];

test('dosetwin missed: 3 h late, the French sheet, the five options ranked with the label’s and the forbidden one marked', async () => {
  const r = await run(...ARGS, '--at', '2026-12-07T23:00+01:00', '--lang', 'fr');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'Votre dose prévue à 20:00 n’a pas été prise (3 h de retard).');
  assert.match(lines[1], /^Ce que nous vous conseillons : /);
  assert.match(r.out, /^La notice dit : Si vous oubliez une dose, prenez-la dès que vous vous en apercevez/m);
  const rows = lines.filter((l) => /^ {2}(\d|-) /.test(l));
  assert.equal(rows.length, 6);
  assert.deepEqual(
    rows.map((l) => l.trim().split(/\s+/)[0]),
    ['1', '2', '3', '4', '5', '-'],
  );
  assert.match(
    rows.find((l) => l.includes('take the dose now'))!,
    /label$/,
  );
  assert.match(
    rows.find((l) => l.includes('double the next'))!,
    /forbidden by the label$/,
  );
  assert.match(r.out, /window 5-10 ng\/mL on the troughs/);
});

test('dosetwin missed: a whole interval late is refused naming now (exit 2)', async () => {
  const r = await run(...ARGS, '--at', '2026-12-08T08:00+01:00');
  assert.equal(r.code, 2);
  assert.match(r.err, /DT_MISSED_DOSE.*now/);
});
