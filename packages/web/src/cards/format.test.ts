// Infusion durations as a pump is set: vancomycin 2000 mg at 10 mg/min = 200 min = 3 h 20 min.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clinicalDose, durationText, metMark, ptaMark, regimenLine } from './format.ts';

test('durations: 200 min = 3 h 20 min, 3.3333 h = 3 h 20 min, 1.5 h = 1 h 30 min (fr 1 h 30 min), 30 min, 2 h', () => {
  assert.equal(durationText({ value: 200, unit: 'min' }, 'en'), '3 h 20 min');
  assert.equal(durationText({ value: 10 / 3, unit: 'h' }, 'en'), '3 h 20 min');
  assert.equal(durationText({ value: 1.5, unit: 'h' }, 'fr'), '1 h 30 min');
  assert.equal(durationText({ value: 0.5, unit: 'h' }, 'en'), '30 min');
  assert.equal(durationText({ value: 2, unit: 'h' }, 'en'), '2 h');
});

test('doses in the clinicians’ unit: tacrolimus 2500 µg (the model’s unit) is 2.5 mg, 50 µg stays µg, 1250 mg stays mg', () => {
  assert.deepEqual(clinicalDose({ value: 2500, unit: 'ug' }), { value: 2.5, unit: 'mg' });
  assert.deepEqual(clinicalDose({ value: 50, unit: 'ug' }), { value: 50, unit: 'ug' });
  assert.deepEqual(clinicalDose({ value: 1250, unit: 'mg' }), { value: 1250, unit: 'mg' });
  const tacrolimus = {
    dose: { value: 3000, unit: 'ug' },
    interval: { value: 12, unit: 'h' },
    route: 'oral' as const,
    duration: null,
    start: null,
    loading: null,
  };
  assert.equal(
    regimenLine(tacrolimus, 'fr', (k) => k),
    '3 mg / 12 h',
  );
});

test('a ✓ never alone beside a PTA below 50 %: met at 34 % reads ✓ ⚠, at 50 % and 60 % ✓, without draws ✓; not met ✗; the PTA 34 % ⚠, 60 % plain', () => {
  assert.equal(metMark(true, { all: 0.34 }), '✓ ⚠');
  assert.equal(metMark(true, { all: 0.5 }), '✓');
  assert.equal(metMark(true, { all: 0.6 }), '✓');
  assert.equal(metMark(true, null), '✓');
  assert.equal(metMark(false, { all: 0.34 }), '✗');
  assert.equal(ptaMark({ all: 0.34 }), '34 % ⚠');
  assert.equal(ptaMark({ all: 0.6 }), '60 %');
});
