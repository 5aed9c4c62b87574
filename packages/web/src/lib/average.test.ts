// Model averaging in the browser = the library's fitDrug on the same patient written by hand in
// other units (weights and objectives 1e-9), each model's exposure against the steady-state law
// AUC24 = daily dose / CL, and the reasons a model is left out (covariate, formulation, route).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitDrug, type DrugPatient } from '@dosetwin/models';
import { averageModels, drugPatientOf } from './average.ts';
import { buildTwin, regimenMetrics, type TwinInputs } from './twin.ts';
import { hoursAfter, vancoCovariates } from './test-patients.ts';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = hoursAfter(T0);
const cov = (h: number, name: string, value: number, unit: string) => ({ at: at(h), name, value, unit });
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

// ICU vancomycin patient: 1 g over 60 min every 12 h × 4; levels at 11.5 h and 37.5 h, a BLQ one
// at 40 h (not fitted); SCr rises from 95 to 130 µmol/L at 20 h.
const vanco: TwinInputs = {
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

// The same patient by hand, in minutes, mg and µg/mL (= mg/L), SCr per record.
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
      covariates: scr(t),
    })),
    { time: 690, evid: 0, dv: 9.8, covariates: scr(690) },
    { time: 2250, evid: 0, dv: 29.5, covariates: scr(2250) },
  ].sort((a, b) => a.time - b.time),
};
const regimen = { dose: 1000, doseUnit: 'mg', intervalH: 12, durationH: 1, start: at(48) };

test('vancomycin: browser weights and data-scale objectives = fitDrug on the hand-written patient (1e-9); same exclusions', () => {
  const tw = buildTwin(vanco, { samples: 0 });
  const rows = averageModels(vanco, tw, regimen);
  const ref = fitDrug('vancomycin', byHand);
  assert.deepEqual(
    rows.map((r) => r.modelId),
    ['vancomycin/buelga2005', 'vancomycin/colin2019', 'vancomycin/goti2018', 'vancomycin/thomson2009'],
  );
  for (const m of ref.models) {
    const r = rows.find((x) => x.modelId === m.id)!;
    assert.ok(Math.abs(r.weight! - m.weight) < 1e-9, `${m.id}: weight ${r.weight} vs ${m.weight}`);
    assert.ok(
      Math.abs(r.objective! - m.objective) < 1e-9,
      `${m.id}: objective ${r.objective} vs ${m.objective}`,
    );
  }
  assert.ok(ref.models.length >= 2);
  assert.ok(Math.abs(rows.reduce((s, r) => s + (r.weight ?? 0), 0) - 1) < 1e-12);
  for (const x of ref.excluded) {
    const r = rows.find((y) => y.modelId === x.id)!;
    assert.equal(r.weight, null);
    assert.equal(r.error, x.reason);
  }
  assert.match(rows.find((r) => r.modelId === 'vancomycin/colin2019')!.error!, /PMA/);
  // The converted patient itself: 1 g → 1000 mg over 1 h; the BLQ level left out.
  const p = drugPatientOf(vanco).patient;
  assert.deepEqual(p.units, { dose: 'g', time: 'h', conc: 'mg/L' });
  assert.deepEqual(
    p.records.map((r) => [r.time, r.amt ?? r.dv, r.rate ?? null]),
    [
      [0, 1, 1],
      [11.5, 9.8, null],
      [12, 1, 1],
      [24, 1, 1],
      [36, 1, 1],
      [37.5, 29.5, null],
    ],
  );
});

test('each model’s exposure: AUC24 = 24·dose/(τ·CL at its MAP etas) (1e-6); the current model’s = the twin’s (1e-9)', () => {
  const tw = buildTwin(vanco, { samples: 0 });
  const rows = averageModels(vanco, tw, regimen);
  const ref = fitDrug('vancomycin', byHand);
  for (const m of ref.models) {
    const r = rows.find((x) => x.modelId === m.id)!;
    assert.equal(r.metrics[0].target, tw.targets[0].text);
    const auc = r.metrics[0].value;
    assert.ok(rel(auc, 2000 / m.individual.CL) < 1e-6, `${m.id}: AUC24 ${auc} vs ${2000 / m.individual.CL}`);
  }
  const own = regimenMetrics(tw, regimen).metrics[0].value;
  const goti = rows.find((r) => r.modelId === 'vancomycin/goti2018')!.metrics[0].value;
  assert.ok(rel(goti, own) < 1e-9, `${goti} vs ${own}`);
});

test('tacrolimus Prograf: the Advagraf model left out as another formulation; weights = fitDrug(formulation Prograf)', () => {
  const tac: TwinInputs = {
    patientId: 'ktx2',
    modelId: 'tacrolimus/woillard2011-prograf',
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
    targets: [],
    start: null,
  };
  const tw = buildTwin(tac, { samples: 0 });
  const rows = averageModels(tac, tw, { ...regimen, dose: 5, durationH: 0 });
  const ref = fitDrug('tacrolimus', drugPatientOf(tac).patient, { formulation: 'Prograf' });
  assert.match(
    rows.find((r) => r.modelId === 'tacrolimus/woillard2011-advagraf')!.error!,
    /Advagraf, not Prograf/,
  );
  for (const m of ref.models)
    assert.ok(Math.abs(rows.find((r) => r.modelId === m.id)!.weight! - m.weight) < 1e-9, m.id);
  assert.equal(rows.filter((r) => r.weight !== null).length, ref.models.length);
});

test('intravenous doses and a model whose first compartment is the depot: left out with the reason', () => {
  const vori: TwinInputs = {
    patientId: 'hem1',
    modelId: 'voriconazole/friberg2012-adult',
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
    targets: [],
    start: null,
  };
  const tw = buildTwin(vori, { samples: 0 });
  const rows = averageModels(vori, tw, { ...regimen, dose: 200, durationH: 2 });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].weight, null);
  assert.match(rows[0].error!, /infusion doses go to the central compartment/);
});
