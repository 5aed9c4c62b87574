import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModel } from '@dosetwin/engine';
import { productSpace } from './policy.ts';
import { parseProducts } from './products.ts';
import { getModel } from './registry.ts';

// Expected spaces read off each model's `products` block by hand (exact: unit conversions by
// powers of ten only, compared with deepEqual).
const cases = [
  {
    id: 'vancomycin/goti2018', // vial 500, 1000 mg | infusion 1..2 h | interval 8, 12, 24 h; dose mg, time h
    space: { strengths: [500, 1000], intervals: [8, 12, 24], durations: [1, 2] },
  },
  {
    id: 'tacrolimus/woillard2011-prograf', // capsule 0.5, 1, 5 mg | interval 12 h; dose ug, oral (depot)
    space: { strengths: [500, 1000, 5000], intervals: [12], durations: [0] },
  },
  {
    id: 'amikacin/delattre2010', // vial 500, 1000 mg | infusion 0.5..1 h | interval 24, 36, 48 h
    space: { strengths: [500, 1000], intervals: [24, 36, 48], durations: [0.5, 1] },
  },
];

for (const c of cases)
  test(`productSpace(${c.id}) is the products block in the model's units (exact)`, () => {
    assert.deepEqual(productSpace(getModel(c.id)), c.space);
  });

// A model without interval or infusion lines, in minutes: the defaults 12 and 24 h and a 1-h
// infusion, converted to the model's time unit (720, 1440, 60 min); a single-value infusion gives
// one duration; a line in an unknown unit (a tablet counted in 'tab') is no strength.
const SOURCE = `model test/minutes version 1.0.0
units dose mg | time min | conc mg/L
parameters value unit label source
  CL 0.05 L/min "clearance" none
  V 20 L "volume" none
equations
  pk one_cmt(cl = CL, v = V)
  CP = central / V
error
  CP ~ prop(0.1)
`;

test('productSpace without interval/infusion lines: 12, 24 h and 1 h in minutes; unknown units skipped (exact)', () => {
  const ir = parseModel(SOURCE, 'minutes.dtm');
  const none = parseProducts(['vial 1, 2 g', 'pack 3 tab']);
  assert.deepEqual(none.problems, []);
  assert.deepEqual(productSpace({ ir, products: none.products }), {
    strengths: [1000, 2000],
    intervals: [720, 1440],
    durations: [60],
  });
  const single = parseProducts(['infusion 0.5 h', 'interval 6 h']);
  assert.deepEqual(productSpace({ ir, products: single.products }), {
    strengths: [],
    intervals: [360],
    durations: [30],
  });
});
