// From a clinical record to a model's covariate columns (the service's analysis and the browser's
// twin read the record this way): values by hand (Cockcroft–Gault), the latest value at each
// record, a value recorded before another one held back to the first record, errors naming the
// covariate; and a model file's own targets as target text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '@dosetwin/engine';
import { clinicalPatient, modelPatient } from './patient.ts';
import { modelTargetTexts } from './policy.ts';
import { getModel } from './registry.ts';

const goti = getModel('vancomycin/goti2018');
const rec = (at: string, name: string, value: number, unit: string) => ({ at, name, value, unit });
const D_1 = '2026-11-19T06:00:00Z';
const D0 = '2026-11-20T06:00:00Z';
const D1 = '2026-11-21T06:00:00Z';
const dose = (at: string) => ({
  at,
  amount: 1000,
  unit: 'mg',
  route: 'infusion' as const,
  duration: { value: 1, unit: 'h' },
  product: 'vial 1 g',
});

test('CRCL over time by hand: (140 − age)·WT/(72·SCr mg/dL), SCr 95 µmol/L then 1.5 mg/dL (rel. 1e-12); the latest value of each name at each record', () => {
  const recorded = [
    rec(D1, 'SCR', 1.5, 'mg/dL'),
    rec(D_1, 'WT', 80, 'kg'), // before SCr was measured: held until the next weight
    rec(D0, 'WT', 82, 'kg'),
    rec(D0, 'AGE', 58, 'y'),
    rec(D0, 'SCR', 95, 'umol/L'),
    rec(D0, 'SEX', 0, '-'),
    rec(D0, 'DIAL', 0, '-'),
  ];
  const cp = clinicalPatient({
    patientId: 'p1',
    administrations: [dose(D0), dose(D1)],
    samples: [],
    covariates: recorded,
  });
  // The record's covariates at each dose: those recorded since the previous record.
  assert.deepEqual(cp.patient.records[0].covariates, {
    WT: { value: 82, unit: 'kg' },
    AGE: { value: 58, unit: 'y' },
    SCR: { value: 95, unit: 'umol/L' },
    SEX: 0,
    DIAL: 0,
  });
  assert.deepEqual(cp.patient.records[1].covariates, { SCR: { value: 1.5, unit: 'mg/dL' } });
  const mp = modelPatient(goti, cp.patient);
  assert.ok(mp.patient, mp.errors.map((e) => e.message).join());
  const k = goti.ir.covariates.findIndex((c) => c.name === 'CRCL');
  const crcl = [0, 1].map((i) => mp.patient!.cov[i * mp.patient!.nCov + k]);
  const rel = (a: number, b: number): number => Math.abs(a - b) / b;
  assert.ok(rel(crcl[0], ((140 - 58) * 82) / (72 * (95 / 88.4))) < 1e-12, String(crcl[0]));
  assert.ok(rel(crcl[1], ((140 - 58) * 82) / (72 * 1.5)) < 1e-12, String(crcl[1]));
  assert.ok(mp.notes.length > 0, 'the derivation is reported');
});

test('a required covariate never recorded: an error naming the covariate', () => {
  const cp = clinicalPatient({
    patientId: 'p1',
    administrations: [dose(D0)],
    samples: [],
    covariates: [rec(D0, 'WT', 82, 'kg')],
  });
  const mp = modelPatient(goti, cp.patient);
  assert.equal(mp.patient, null);
  assert.ok(mp.errors.some((i) => i.field === 'covariates.CRCL'));
  const none = modelPatient(
    goti,
    clinicalPatient({ patientId: 'p1', administrations: [dose(D0)], samples: [], covariates: [] }).patient,
  );
  assert.ok(none.errors.some((i) => i.field.startsWith('covariates.')));
});

test('a model file’s own targets as text parse back to its bounds (trough for c0)', () => {
  for (const id of ['vancomycin/thomson2009', 'tacrolimus/andrews2019']) {
    const ir = getModel(id).ir;
    const texts = modelTargetTexts(ir);
    assert.equal(texts.length, ir.targets.length);
    texts.forEach((t, k) => {
      const p = parseTarget(t, ir.units.conc, ir.units.time, k + 1);
      assert.equal(p.lo, ir.targets[k].lo, t);
      assert.equal(p.hi, ir.targets[k].hi, t);
      assert.notEqual(p.metric, 'c0');
    });
  }
});
