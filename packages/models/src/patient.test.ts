// The clinical record as a drug-level patient (the policy), checked against the same patient
// written by hand: the fits and weights of every model (1e-9), each model's exposure against the
// steady-state law AUC24 = daily dose / CL, formulations and routes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisInputs } from './analysis.ts';
import { fitDrug } from './averaging.ts';
import { drugTwins, evaluateDrugRegimen } from './drug-analysis.ts';
import { clinicalPatient, type DrugPatient, modelPatient } from './patient.ts';
import { compileModel, DosetwinError, parseModel, Simulator } from '@dosetwin/engine';
import { getModel } from './registry.ts';
import { hoursAfter, vancoCovariates } from './test-support.ts';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = hoursAfter(T0);
const cov = (h: number, name: string, value: number, unit: string) => ({ at: at(h), name, value, unit });
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

// ICU vancomycin patient: 1 g over 60 min every 12 h × 4; levels at 11.5 h and 37.5 h, a BLQ one
// at 40 h (censored); SCr rises from 95 to 130 µmol/L at 20 h.
const vanco: AnalysisInputs = {
  patientId: 'icu2',
  modelId: 'vancomycin/goti2018',
  administrations: [0, 12, 24, 36].map((h) => ({
    at: at(h),
    amount: 1,
    unit: 'g',
    route: 'infusion' as const,
    duration: { value: 60, unit: 'min' },
    product: 'vial 1 g',
  })),
  samples: [
    { at: at(11.5), value: 9.8, unit: 'mg/L', matrix: 'plasma', assay: 'PETINIA', lloq: 2 },
    { at: at(37.5), value: 29.5, unit: 'mg/L', matrix: 'plasma', assay: 'PETINIA', lloq: 2 },
    { at: at(40), value: 1.2, unit: 'mg/L', matrix: 'plasma', assay: 'PETINIA', lloq: 2 },
  ],
  covariates: [...vancoCovariates(at), cov(20, 'SCR', 130, 'umol/L')],
  targets: [],
  start: null,
};

// The same patient by hand, in minutes, mg and µg/mL (= mg/L), SCr per record (the value recorded
// at 20 h applies from the next record on), the BLQ level censored at its LLOQ.
const scr = (min: number) => ({ SCR: { value: min < 20 * 60 ? 95 : 130, unit: 'umol/L' } });
const byHand: DrugPatient = {
  id: 'icu2',
  units: { dose: 'mg', time: 'min', conc: 'ug/mL' },
  covariates: { WT: { value: 82, unit: 'kg' }, AGE: { value: 58, unit: 'y' }, SEX: 0, DIAL: 0 },
  records: [
    ...[0, 720, 1440, 2160].map((t) => ({
      time: t,
      evid: 1,
      amt: 1000,
      rate: 1000 / 60,
      route: 'infusion' as const,
      covariates: scr(t),
    })),
    { time: 690, evid: 0, dv: 9.8, lloq: 2, covariates: scr(690) },
    { time: 2250, evid: 0, dv: 29.5, lloq: 2, covariates: scr(2250) },
    { time: 2400, evid: 0, dv: 1.2, lloq: 2, cens: 1, covariates: scr(2400) },
  ].sort((a, b) => a.time - b.time),
};

test('the record as a drug-level patient: 1 g over 60 min → rate 1 g/h, levels with their LLOQ, the BLQ one censored', () => {
  const p = clinicalPatient(vanco).patient;
  assert.deepEqual(p.units, { dose: 'g', time: 'h', conc: 'mg/L' });
  assert.deepEqual(
    p.records.map((r) => [r.time, r.amt ?? r.dv, r.rate ?? null, r.cens ?? 0]),
    [
      [0, 1, 1, 0],
      [11.5, 9.8, null, 0],
      [12, 1, 1, 0],
      [24, 1, 1, 0],
      [36, 1, 1, 0],
      [37.5, 29.5, null, 0],
      [40, 1.2, null, 1],
    ],
  );
});

test('vancomycin: fits and weights of the record = fitDrug on the hand-written patient (1e-9); the same models left out', () => {
  const mine = fitDrug('vancomycin', clinicalPatient(vanco).patient);
  const ref = fitDrug('vancomycin', byHand);
  assert.deepEqual(
    mine.models.map((m) => m.id),
    ref.models.map((m) => m.id),
  );
  ref.models.forEach((m, k) => {
    assert.ok(Math.abs(mine.models[k].weight - m.weight) < 1e-9, `${m.id}: weight`);
    assert.ok(Math.abs(mine.models[k].objective - m.objective) < 1e-9, `${m.id}: objective`);
  });
  assert.ok(ref.models.length >= 2);
  assert.deepEqual(mine.excluded, ref.excluded);
  assert.match(mine.excluded.find((x) => x.id === 'vancomycin/colin2019')!.reason, /PMA/);
});

test('each model’s exposure of 1000 mg q12h: AUC24 = 2000/CL at its MAP etas (1e-6)', () => {
  const dt = drugTwins({ ...vanco, drug: 'vancomycin', formulation: null }, { samples: 0 });
  const e = evaluateDrugRegimen(dt, {
    dose: { value: 1000, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
    start: at(48),
    loading: null,
  });
  for (const m of e.models) {
    const cl = dt.models.find((x) => x.id === m.id)!.twin.parameters().CL;
    assert.ok(
      rel(m.metrics[0].value, 2000 / cl) < 1e-6,
      `${m.id}: AUC24 ${m.metrics[0].value} vs ${2000 / cl}`,
    );
  }
});

test('tacrolimus Prograf (the doses name it): the Advagraf model left out as another formulation', () => {
  const tac = {
    ...vanco,
    patientId: 'ktx2',
    administrations: [0, 12, 24, 36, 48, 60].map((h) => ({
      at: at(h),
      amount: 5,
      unit: 'mg',
      route: 'oral' as const,
      duration: null,
      product: 'Prograf 5 mg',
    })),
    samples: [
      { at: at(59.75), value: 12.6, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
      { at: at(62), value: 24.1, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
    ],
    covariates: [cov(-2, 'HCT', 31, '%'), cov(-2, 'CYP3A5', 0, '-')],
  };
  const dt = drugTwins({ ...tac, drug: 'tacrolimus', formulation: null }, { samples: 0 });
  const ref = fitDrug('tacrolimus', clinicalPatient(tac).patient, { formulation: 'Prograf' });
  assert.match(
    dt.fit.excluded.find((x) => x.id === 'tacrolimus/woillard2011-advagraf')!.reason,
    /Advagraf, not Prograf/,
  );
  ref.models.forEach((m, k) => assert.ok(Math.abs(dt.fit.models[k].weight - m.weight) < 1e-9, m.id));
});

test('routes: an infusion on a model with a depot goes to its central compartment; an oral dose on an IV-only model is an error naming the dose', () => {
  const vori = getModel('voriconazole/friberg2012-adult');
  const central = vori.ir.compartments.indexOf('central') + 1;
  const p = clinicalPatient({
    patientId: 'hem1',
    administrations: [0, 12].map((h) => ({
      at: at(h),
      amount: 400,
      unit: 'mg',
      route: 'infusion' as const,
      duration: { value: 2, unit: 'h' },
      product: 'vial 200 mg',
    })),
    samples: [{ at: at(23.5), value: 2.1, unit: 'mg/L', matrix: 'plasma', assay: 'HPLC', lloq: 0.1 }],
    covariates: [cov(-2, 'WT', 70, 'kg')],
  }).patient;
  const mp = modelPatient(vori, p);
  assert.ok(mp.patient, mp.errors.map((e) => e.message).join());
  assert.deepEqual(
    Array.from(mp.patient.cmt).filter((_, i) => mp.patient!.evid[i] === 1),
    [central, central],
  );
  const oral = clinicalPatient({
    ...vanco,
    administrations: [{ ...vanco.administrations[0], route: 'oral', duration: null }],
  }).patient;
  const bad = modelPatient(getModel('vancomycin/goti2018'), oral);
  assert.equal(bad.patient, null);
  assert.equal(bad.errors[0].field, 'administrations[0].route');
});

// A record read for a model with a weight covariate (CL scaled by WT/70), as the engine's tests write models.
const wtModel = {
  id: 't/vanco',
  ir: compileModel(
    parseModel(
      `model t/vanco version 1\nunits dose mg | time h | conc mg/L\ncovariates unit valid label handling\n  WT kg 30..200 "weight" required\nparameters value unit label\n  CL70 4 L/h "cl"\n  V 50 L "v"\nequations\n  CL = CL70 * WT / 70\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
      'vanco.dtm',
    ),
  ).ir,
};
const forModel = (record: Parameters<typeof clinicalPatient>[0]) => {
  const r = modelPatient(wtModel, clinicalPatient(record).patient);
  assert.ok(r.patient, r.errors.map((e) => e.message).join());
  return { patient: r.patient, notes: r.notes };
};

test('clock times across a time-zone change become hours since the first dose (exact); units converted and reported', () => {
  const { patient, notes } = forModel({
    patientId: 'p1',
    administrations: [
      {
        at: '2026-10-24T20:00+02:00',
        amount: 1,
        unit: 'g',
        route: 'infusion',
        duration: { value: 60, unit: 'min' },
        product: 'vial 1 g',
      },
      // Daylight saving ends on 25 Oct 2026 in Europe: 08:00+01:00 is 13 h after 20:00+02:00.
      {
        at: '2026-10-25T08:00+01:00',
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
        product: 'vial 1 g',
      },
    ],
    samples: [
      { at: '2026-10-25T07:30+01:00', value: 12000, unit: 'ng/mL', matrix: 'serum', assay: 'x', lloq: null },
    ],
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
  assert.ok(notes.includes('12000 ng/mL → 12 mg/L'), notes.join('; '));
  assert.ok(notes.includes('1 g → 1000 mg'), notes.join('; '));
});

test('the simulated level from clock times equals the closed form (rel 1e-12)', () => {
  const { patient } = forModel({
    patientId: 'p1',
    administrations: [
      { at: '2026-11-12T08:00+01:00', amount: 500, unit: 'mg', route: 'bolus', duration: null, product: 'x' },
    ],
    samples: [
      { at: '2026-11-12T20:00+01:00', value: 3, unit: 'mg/L', matrix: 'serum', assay: 'x', lloq: null },
    ],
    covariates: [{ at: '2026-11-12T08:00+01:00', name: 'WT', value: 70, unit: 'kg' }],
  });
  const out = new Float64Array(patient.n);
  new Simulator(compileModel(wtModel.ir)).run(patient, null, out);
  const expected = (500 / 50) * Math.exp((-4 / 50) * 12);
  assert.ok(Math.abs(out[1] - expected) <= 1e-12 * expected);
});

test('bad input names each field: the record’s at once, then the model’s covariates', () => {
  const bad = {
    patientId: 'p1',
    administrations: [
      {
        at: '2026-11-12 08:00',
        amount: 500,
        unit: 'mg',
        route: 'bolus' as const,
        duration: null,
        product: 'x',
      },
      {
        at: '2026-11-12T08:00Z',
        amount: -5,
        unit: 'mL',
        route: 'bolus' as const,
        duration: null,
        product: 'x',
      },
    ],
    samples: [{ at: '2026-11-12T20:00Z', value: 3, unit: 'mmol/L', matrix: 'serum', assay: 'x', lloq: null }],
    covariates: [],
  };
  assert.throws(
    () => clinicalPatient(bad),
    (e: unknown) =>
      e instanceof DosetwinError &&
      JSON.stringify(e.issues.map((i) => i.field).sort()) ===
        JSON.stringify([
          'administrations[0].at',
          'administrations[1].amount',
          'administrations[1].unit',
          'samples[0].unit',
        ]),
  );
  const ok = {
    ...bad,
    administrations: [{ ...bad.administrations[1], amount: 500, unit: 'mg' }],
    samples: [{ ...bad.samples[0], unit: 'mg/L' }],
  };
  const r = modelPatient(wtModel, clinicalPatient(ok).patient);
  assert.deepEqual(
    r.errors.map((i) => i.field),
    ['covariates.WT'],
  );
});
