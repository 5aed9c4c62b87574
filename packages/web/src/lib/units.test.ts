// Unit lists offered in the forms: each converts through the engine's table; known factors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONC_UNITS, convertUnit, fmt, fmtSigned, MASS_UNITS, TIME_UNITS, unitLabel } from './units.ts';

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

test('fmt with decimals: Intl’s maximumFractionDigits (the Diary and adherence card before), grouped with U+202F in French', () => {
  // Values whose shortest decimal form does not end in a tie at the rounding place (there Intl
  // rounds the decimal text and fmt the double, as toPrecision and toFixed do).
  const xs = [
    0, 4, 4.25, 4.3, 0.125, 0.0004, 12.345678, 62.5, 1234.5678, 1250, 1000000.25, -3.75, -1234.5678,
  ];
  for (const d of [0, 1, 2, 3])
    for (const x of xs) {
      assert.equal(
        fmt(x, 'en', { decimals: d }, true),
        x.toLocaleString('en-GB', { maximumFractionDigits: d }),
      );
      assert.equal(
        fmt(x, 'fr', { decimals: d }, true),
        x.toLocaleString('fr-FR', { maximumFractionDigits: d }),
      );
    }
  assert.equal(fmt(1234.5678, 'fr', { decimals: 2 }, true), '1\u202f234,57');
  assert.equal(fmt(1234.5678, 'en', { decimals: 2 }, true), '1,234.57');
  assert.equal(fmt(4.3, 'fr', { decimals: 2 }), '4,3');
  assert.equal(fmt(4.001, 'fr', { decimals: 2 }), '4');
  // A tie in the decimal text only: 1.005 is the double 1.00499999999999989…
  assert.equal(fmt(1.005, 'en', { decimals: 2 }), '1');
});

test('fmt with fixed decimals keeps trailing zeros: a PTA 95.0 % ± 0.7, the trial page and the ML card before', () => {
  assert.equal(fmt(95, 'en', { decimals: 1, fixed: true }), '95.0');
  assert.equal(fmt(95, 'fr', { decimals: 1, fixed: true }), '95,0');
  assert.equal(fmt(0.6845, 'fr', { decimals: 1, fixed: true }), '0,7');
  assert.equal(fmt(1234, 'fr', { decimals: 1, fixed: true }, true), '1\u202f234,0');
  // The trial page's toFixed(1) and the local model page's Intl percentages, on 2000 PTAs and biases.
  for (let k = 0; k <= 2000; k++) {
    const p = (k * 0.7919) % 1;
    assert.equal(fmt(100 * p, 'en', { decimals: 1, fixed: true }), (100 * p).toFixed(1));
    assert.equal(fmt(100 * p, 'fr', { decimals: 1, fixed: true }), (100 * p).toFixed(1).replace('.', ','));
  }
});

test('fmt writes 0 for a value that rounds to zero, never -0 (a change of -0.4 % reads 0 %)', () => {
  assert.equal(fmt(-0.4, 'en', { decimals: 0 }), '0');
  assert.equal(fmt(-0.04, 'fr', { decimals: 1, fixed: true }), '0,0');
  assert.equal(fmt(-0.0001, 'en', { decimals: 3 }), '0');
  assert.equal(fmt(-0.6, 'en', { decimals: 0 }), '-1');
  assert.equal(fmt(-0.05, 'fr', { decimals: 2, fixed: true }), '-0,05');
});

test('fmtSigned: + for a rise, a true minus (U+2212, not the hyphen) for a fall, no sign when it rounds to 0', () => {
  assert.equal(fmtSigned(-71.4, 'fr', { decimals: 0 }, true), '\u221271');
  assert.equal(fmtSigned(12.5, 'en', { decimals: 1, fixed: true }), '+12.5');
  assert.equal(fmtSigned(-1234.5, 'fr', { decimals: 1, fixed: true }, true), '\u22121\u202f234,5');
  assert.equal(fmtSigned(-0.4, 'en', { decimals: 0 }), '0');
  assert.equal(fmtSigned(0.04, 'fr', { decimals: 1, fixed: true }), '0,0');
  assert.equal(fmtSigned(Number.NaN, 'en'), '–');
  assert.ok(!fmtSigned(-3, 'en').includes('-'));
});

test('fmt with significant digits and grouping: the trial’s exposure 1 110 (3 digits), the local model’s 4 digits', () => {
  assert.equal(fmt(1114.2, 'fr', 3, true), '1\u202f110');
  assert.equal(fmt(1114.2, 'en', 3, true), '1,110');
  assert.equal(fmt(1428.7, 'fr', 3, true), '1\u202f430');
  assert.equal(fmt(987.65, 'fr', 3, true), '988');
  assert.equal(fmt(45.678, 'fr', 3, true), '45,7');
  // The local model page before: 4 significant digits, then Intl.
  for (const x of [2.99, 2.4567, 1234.5, -1234.5, 12345.6, 0.0012345, 987.65, -4567.891]) {
    for (const [lang, loc] of [
      ['en', 'en-GB'],
      ['fr', 'fr-FR'],
    ] as const)
      assert.equal(
        fmt(x, lang, 4, true),
        Number(x.toPrecision(4)).toLocaleString(loc, { maximumSignificantDigits: 4 }),
      );
  }
});

test('fmt with one decimal equals the playground’s scores before (toFixed(1), then 4 significant digits) on 0–100', () => {
  for (let k = 0; k <= 10000; k++) {
    const x = (k * 0.0173) % 100;
    assert.equal(fmt(x, 'fr', { decimals: 1 }), fmt(Number(x.toFixed(1)), 'fr', 4));
  }
  assert.equal(fmt(99.96, 'en', { decimals: 1 }), '100');
});
