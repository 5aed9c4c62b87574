// Candidates that read alike ("1500 mg / 24 h" twice) told apart by what differs, and the PTA
// threshold beside a target met at the individual prediction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alikeDifferences, ptaBelowThreshold } from './ranking.ts';
import type { Regimen } from './regimen.ts';

const r = (mg: number, tau: number, min: number | null, start: string | null, loading = 0): Regimen => ({
  dose: { value: mg, unit: 'mg' },
  interval: { value: tau, unit: 'h' },
  route: min === null ? 'oral' : 'infusion',
  duration: min === null ? null : { value: min, unit: 'min' },
  start,
  loading: loading ? { dose: { value: loading, unit: 'mg' }, duration: { value: 180, unit: 'min' } } : null,
});

test('alike regimens: 1500 mg / 24 h over 150 and 180 min differ by duration; the same at 08:00 and 20:00 by start; with and without a loading dose; a regimen alone has none', () => {
  const a = '2026-03-04T08:00:00Z';
  const b = '2026-03-03T20:00:00Z';
  assert.deepEqual(alikeDifferences([r(1500, 24, 150, a), r(1500, 24, 180, a), r(1000, 12, 100, a)]), [
    ['duration'],
    ['duration'],
    [],
  ]);
  assert.deepEqual(alikeDifferences([r(1500, 24, 150, a), r(1500, 24, 150, b)]), [['start'], ['start']]);
  assert.deepEqual(alikeDifferences([r(1500, 24, 150, a, 2500), r(1500, 24, 150, a)]), [
    ['loading'],
    ['loading'],
  ]);
  assert.deepEqual(alikeDifferences([r(1500, 24, null, a), r(1500, 24, 60, b)]), [
    ['duration', 'start', 'route'],
    ['duration', 'start', 'route'],
  ]);
  // 1500 mg / 24 h and 1.5 g / 24 h are not compared as alike here: the service writes one unit per analysis.
  assert.deepEqual(alikeDifferences([r(1500, 24, 150, a)]), [[]]);
});

test('the PTA threshold: 35 % beside a ✓ is below it (⚠), 50 % and 60 % are not, no draws is not', () => {
  assert.equal(ptaBelowThreshold({ all: 0.35 }), true);
  assert.equal(ptaBelowThreshold({ all: 0.5 }), false);
  assert.equal(ptaBelowThreshold({ all: 0.6 }), false);
  assert.equal(ptaBelowThreshold(null), false);
});
