// Unit lists offered in the forms: each converts through the engine's table; known factors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONC_UNITS, convertUnit, fmt, MASS_UNITS, TIME_UNITS, unitLabel } from './units.ts';

test('every listed dose, concentration and time unit converts to the base unit (exact factors)', () => {
  assert.deepEqual(
    MASS_UNITS.map((u) => convertUnit(1, u, 'mg')),
    [1, 1000, 1e-3, 1e-6],
  );
  assert.deepEqual(
    CONC_UNITS.map((u) => convertUnit(1, u, 'mg/L')),
    [1, 1, 1e-3, 1e-3],
  );
  assert.deepEqual(
    TIME_UNITS.map((u) => convertUnit(60, u, 'h')),
    [60, 1],
  );
  // 12 ng/mL is 12 µg/L (tacrolimus reports).
  assert.equal(convertUnit(12, 'ng/mL', 'ug/L'), 12);
  assert.throws(() => convertUnit(1, 'mg', 'mg/L', 'dose.unit'), /dose.unit|cannot convert/);
});

test('display forms of units and numbers', () => {
  assert.equal(unitLabel('ug/L'), 'µg/L');
  assert.equal(unitLabel('ug'), 'µg');
  assert.equal(unitLabel('umol/L'), 'µmol/L');
  assert.equal(fmt(535.4321, 'fr'), '535,4');
  assert.equal(fmt(0.012345, 'en'), '0.01235');
});
