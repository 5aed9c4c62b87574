// dosetwin warfarin end to end: run as a user runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dosetwin } from '../test-support.ts';
import { nextWarfarinDose } from '@dosetwin/models';

const dir = mkdtempSync(join(tmpdir(), 'dosetwin-warfarin-'));
const history = join(dir, 'history.csv');
const days = Array.from({ length: 7 }, (_, d) => `2026-12-0${d + 1}T08:00:00Z,5,`);
writeFileSync(history, ['datetime,dose_mg,inr', ...days, '2026-12-08T07:30:00Z,,3.4'].join('\n') + '\n');

test('warfarin: 5 mg/day for 7 days and an INR of 3.4 → the library’s next dose (same seed), as JSON', () => {
  const r = dosetwin(
    'warfarin',
    '--age',
    '72',
    '--cyp2c9',
    '*1/*3',
    '--vkorc1',
    'G/A',
    '--history',
    history,
    '--draws',
    '30',
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const want = nextWarfarinDose({
    ageY: 72,
    cyp2c9: '*1/*3',
    vkorc1: 'G/A',
    doses: Array.from({ length: 7 }, (_, d) => ({ timeH: 24 * d, doseMg: 5 })),
    inrs: [{ timeH: 7 * 24 - 0.5, inr: 3.4 }],
    nextDoseH: 7 * 24,
    days: 14,
    draws: 30,
  });
  assert.equal(out.nextDoseAt, '2026-12-08T08:00:00.000Z');
  assert.equal(out.doseMg, want.doseMg);
  assert.equal(out.probabilityInRange, want.probabilityInRange);
  assert.ok(out.doseMg < 5);
});

test('warfarin: a genotype the model does not know is DT_WARFARIN_INPUT on --cyp2c9’s field, exit 2', () => {
  const r = dosetwin('warfarin', '--age', '72', '--cyp2c9', '*1/*4', '--vkorc1', 'G/A', '--history', history);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DT_WARFARIN_INPUT/);
  assert.match(r.stderr, /cyp2c9/);
});

test('warfarin: a history without the dose unit in its header is refused (DT_DATA), not guessed', () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'datetime,dose,inr\n2026-12-01T08:00:00Z,5,\n');
  const r = dosetwin('warfarin', '--age', '72', '--cyp2c9', '*1/*1', '--vkorc1', 'G/G', '--history', bad);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DT_DATA/);
  assert.match(r.stderr, /dose_mg/);
});
