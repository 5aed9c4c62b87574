// Regimens from clinical time stamps: times with zones, unit conversions (reported), covariates
// measured over time, and errors that name the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { compileModel } from '../model/compile.ts';
import { parseModel } from '../model/parse.ts';
import { Simulator } from '../simulate/simulator.ts';
import { buildPatient } from './regimen.ts';

const model = compileModel(
  parseModel(
    `model t/vanco version 1\nunits dose mg | time h | conc mg/L\ncovariates unit valid label handling\n  WT kg 30..200 "weight" required\nparameters value unit label\n  CL70 4 L/h "cl"\n  V 50 L "v"\nequations\n  CL = CL70 * WT / 70\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
    'vanco.dtm',
  ),
);

test('clock times across a time-zone change become hours since the first dose (exact)', () => {
  const { patient, conversions } = buildPatient(model.ir, {
    id: 'p1',
    doses: [
      {
        at: '2026-10-24T20:00+02:00',
        amount: 1,
        unit: 'g',
        route: 'infusion',
        duration: { value: 60, unit: 'min' },
      },
      // Daylight saving ends on 25 Oct 2026 in Europe: 08:00+01:00 is 13 h after 20:00+02:00.
      {
        at: '2026-10-25T08:00+01:00',
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
      },
    ],
    samples: [{ at: '2026-10-25T07:30+01:00', value: 12000, unit: 'ng/mL' }],
    covariates: [
      { at: '2026-10-24T08:00Z', name: 'WT', value: 70, unit: 'kg' },
      { at: '2026-10-25T00:00Z', name: 'WT', value: 70000, unit: 'g' },
    ],
  });
  assert.deepEqual(Array.from(patient.time), [0, 12.5, 13]);
  assert.deepEqual(Array.from(patient.evid), [1, 0, 1]);
  assert.deepEqual(Array.from(patient.amt), [1000, 0, 1000]);
  assert.deepEqual(Array.from(patient.rate), [1000, 0, 1000]);
  assert.equal(patient.dv[1], 12);
  assert.deepEqual(Array.from(patient.cov), [70, 70, 70]);
  assert.ok(conversions.includes('samples[0].unit: 12000 ng/mL → 12 mg/L'));
  assert.ok(conversions.includes('doses[0].unit: 1 g → 1000 mg'));
});

test('the simulated trough from clock times equals the closed form (rel 1e-12)', () => {
  const { patient } = buildPatient(model.ir, {
    id: 'p1',
    doses: [{ at: '2026-11-12T08:00+01:00', amount: 500, unit: 'mg', route: 'bolus' }],
    samples: [{ at: '2026-11-12T20:00+01:00', value: 3, unit: 'mg/L' }],
    covariates: [{ at: '2026-11-12T08:00+01:00', name: 'WT', value: 70, unit: 'kg' }],
  });
  const out = new Float64Array(patient.n);
  new Simulator(model).run(patient, null, out);
  const expected = (500 / 50) * Math.exp((-4 / 50) * 12);
  assert.ok(Math.abs(out[1] - expected) <= 1e-12 * expected);
});

test('bad input names each field', () => {
  try {
    buildPatient(model.ir, {
      id: 'p1',
      doses: [
        { at: '2026-11-12 08:00', amount: 500, unit: 'mg', route: 'bolus' },
        { at: '2026-11-12T08:00Z', amount: -5, unit: 'mL', route: 'bolus' },
      ],
      samples: [{ at: '2026-11-12T20:00Z', value: 3, unit: 'mmol/L' }],
    });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof DosetwinError);
    const fields = e.issues.map((i) => i.field).sort();
    assert.deepEqual(fields, [
      'covariates.WT',
      'doses[0].at',
      'doses[1].amount',
      'doses[1].unit',
      'samples[0].unit',
    ]);
  }
});
