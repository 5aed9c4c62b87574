// The ML estimate beside the twin's MAP one: when a shipped estimator applies (table of designs
// that match and that do not), its number = the engine's scorer on the same levels, dose and
// covariates (exactly), and the MAP number = the twin's AUC of the interval, which for a linear
// model at steady state is Dose/CL at the MAP parameters (closed form, 1e-6).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scoreEstimator, validateEstimator } from '@dosetwin/engine';
import { type AnalysisInputs as TwinInputs, clinicalTwin } from './analysis.ts';
import { crclCockcroftGault } from './covariates.ts';
import { individualParameters } from './evaluate.ts';
import { getModel } from './registry.ts';
import {
  type LoadedEstimator,
  externalModelOf,
  matchEstimator,
  ML_STEADY_STATE_DOSES,
  mlEstimate,
  sampleToleranceH,
} from './ml-estimate.ts';
import { hoursAfter, vancoCovariates } from './test-support.ts';

const DIR = new URL('../estimators/', import.meta.url);
const entry = (id: string): LoadedEstimator => ({
  est: validateEstimator(JSON.parse(readFileSync(new URL(`${id}/estimator.json`, DIR), 'utf8'))),
  metrics: JSON.parse(readFileSync(new URL(`${id}/metrics.json`, DIR), 'utf8')) as LoadedEstimator['metrics'],
  externalModel: externalModelOf(readFileSync(new URL(`${id}/report.md`, DIR), 'utf8')),
});
const TAC = entry('tacrolimus-woillard2011-prograf-0-1-3h');
const VAN = entry('vancomycin-goti2018+thomson2009-2-12h');

const T0 = Date.parse('2026-10-01T08:00:00Z');
const at = hoursAfter(T0);
const N = 60;
const LAST = (N - 1) * 12;

/** Prograf 5 mg every 12 h for 30 days; levels 5 min before, 1 h 04 and 2 h 50 after the last dose. */
function tacrolimus(
  o: { every?: number; product?: string; modelId?: string; levelsH?: number[] } = {},
): TwinInputs {
  const every = o.every ?? 12;
  const last = (N - 1) * every;
  const levelsH = o.levelsH ?? [-5 / 60, 1 + 4 / 60, 2 + 50 / 60];
  return {
    patientId: 'ktx1',
    modelId: o.modelId ?? 'tacrolimus/woillard2011-prograf',
    administrations: Array.from({ length: N }, (_, i) => ({
      at: at(i * every),
      amount: 5,
      unit: 'mg',
      route: 'oral' as const,
      duration: null,
      product: o.product ?? 'Prograf 5 mg capsule',
    })),
    samples: levelsH.map((h, j) => ({
      at: at(last + h),
      value: [8.2, 24.6, 15.1][j],
      unit: 'ug/L',
      matrix: 'whole blood',
      assay: 'LC-MS/MS',
      lloq: 0.5,
    })),
    covariates: [
      { at: at(-24), name: 'HCT', value: 35, unit: '%' },
      { at: at(-24), name: 'CYP3A5', value: 0, unit: '-' },
    ],
    targets: [],
    start: null,
  };
}

/** Vancomycin 1 g over 1 h every 12 h × 3 (−30, −18, −6 h) with levels at the given hours. */
function vancomycin(levels: [number, number][]): TwinInputs {
  return {
    patientId: 'icu1',
    modelId: 'vancomycin/goti2018',
    administrations: [0, 12, 24].map((h) => ({
      at: at(h),
      amount: 1,
      unit: 'g',
      route: 'infusion' as const,
      duration: { value: 1, unit: 'h' },
      product: 'vancomycin 1 g vial',
    })),
    samples: levels.map(([h, v]) => ({
      at: at(h),
      value: v,
      unit: 'mg/L',
      matrix: 'plasma',
      assay: 'PETINIA',
      lloq: 2,
    })),
    covariates: vancoCovariates(at),
    targets: [],
    start: null,
  };
}

test('sampling-time tolerance: ±15 min, or ±2 SD of the training jitter when wider', () => {
  assert.equal(sampleToleranceH(TAC.est, 0), 0.25);
  assert.equal(sampleToleranceH(TAC.est, 1), 0.25);
  assert.ok(Math.abs(sampleToleranceH(TAC.est, 3) - 2 * (0.05 + 0.05 * 3)) < 1e-12);
  assert.ok(Math.abs(sampleToleranceH(VAN.est, 12) - 2 * (0.05 + 0.02 * 12)) < 1e-12);
  assert.equal(TAC.externalModel, 'tacrolimus/andrews2019');
  assert.equal(VAN.externalModel, 'vancomycin/buelga2005');
});

const noHCT = tacrolimus();
noHCT.covariates = noHCT.covariates.filter((c) => c.name !== 'HCT');
const cases: { name: string; est: LoadedEstimator; inputs: TwinInputs; key: string | null; vars?: object }[] =
  [
    {
      name: 'tacrolimus: Prograf q12h, levels at −5 min, 1 h 04, 2 h 50',
      est: TAC,
      inputs: tacrolimus(),
      key: null,
    },
    {
      name: 'tacrolimus: Prograf model, product not named → the model’s formulation',
      est: TAC,
      inputs: tacrolimus({ product: 'capsule 5 mg' }),
      key: null,
    },
    {
      name: 'tacrolimus: every 8 h',
      est: TAC,
      inputs: tacrolimus({ every: 8 }),
      key: 'mlWrongInterval',
      vars: { given: 8 },
    },
    {
      name: 'tacrolimus: the 1-h level at 1 h 30 (off by 30 min > 15 min)',
      est: TAC,
      inputs: tacrolimus({ levelsH: [-5 / 60, 1.5, 3] }),
      key: 'mlNoSampleAt',
      vars: { t: 1, tol: 15 },
    },
    {
      name: 'tacrolimus: the 3-h level at 3 h 30 (off by 30 min > 24 min)',
      est: TAC,
      inputs: tacrolimus({ levelsH: [0, 1, 3.5] }),
      key: 'mlNoSampleAt',
      vars: { t: 3, tol: 24 },
    },
    {
      name: 'tacrolimus: the "0 h" level 10 min after the dose (not pre-dose)',
      est: TAC,
      inputs: tacrolimus({ levelsH: [10 / 60, 1, 3] }),
      key: 'mlNoSampleAt',
      vars: { t: 0 },
    },
    {
      name: 'tacrolimus: Advagraf given (product), Prograf model',
      est: TAC,
      inputs: tacrolimus({ product: 'Advagraf 5 mg prolonged-release capsule' }),
      key: 'mlWrongFormulation',
      vars: { formulation: 'Prograf', given: 'Advagraf' },
    },
    {
      name: 'tacrolimus: Advagraf model, product not named',
      est: TAC,
      inputs: tacrolimus({ product: 'capsule', modelId: 'tacrolimus/woillard2011-advagraf' }),
      key: 'mlWrongFormulation',
      vars: { given: 'Advagraf' },
    },
    { name: 'tacrolimus: haematocrit not recorded', est: TAC, inputs: noHCT, key: 'mlMissingCovariate' },
    {
      name: 'vancomycin: levels at 2 h and 11 h 45 after the first dose',
      est: VAN,
      inputs: vancomycin([
        [2, 27.4],
        [11.75, 9.8],
      ]),
      key: 'mlFirstDose',
    },
    {
      name: 'vancomycin (e2e scenario): trough 11.5 h after dose 1, level 2.5 h after dose 3',
      est: VAN,
      inputs: vancomycin([
        [11.5, 9.8],
        [26.5, 27.4],
      ]),
      key: 'mlNoSampleAt',
      vars: { t: 2, found: '2.5' },
    },
    {
      name: 'vancomycin: 2 h after dose 2 and a trough 15 min before dose 3',
      est: VAN,
      inputs: vancomycin([
        [14, 27.4],
        [23.75, 9.8],
      ]),
      key: null,
    },
    {
      name: 'vancomycin: the trough 15 min after dose 3 started (past the next dose)',
      est: VAN,
      inputs: vancomycin([
        [14, 27.4],
        [24.25, 9.8],
      ]),
      key: 'mlNoSampleAt',
      vars: { t: 2 },
    },
    {
      name: 'vancomycin: infusions over 2 h',
      est: VAN,
      inputs: (() => {
        const v = vancomycin([
          [14, 27.4],
          [23.75, 9.8],
        ]);
        v.administrations = v.administrations.map((a) => ({ ...a, duration: { value: 120, unit: 'min' } }));
        return v;
      })(),
      key: 'mlWrongInfusion',
      vars: { infusion: 1, given: 2 },
    },
  ];

for (const c of cases)
  test(`applicability: ${c.name} → ${c.key ?? 'applies'}`, () => {
    const r = matchEstimator(c.est.est, c.inputs, getModel(c.inputs.modelId).ir.drug);
    if (c.key === null) {
      assert.ok(r.ok, r.ok ? '' : `${r.reason.key} ${JSON.stringify(r.reason.vars)}`);
      return;
    }
    assert.ok(!r.ok, 'expected not to apply');
    assert.equal(r.reason.key, c.key, JSON.stringify(r.reason.vars));
    for (const [k, v] of Object.entries(c.vars ?? {})) assert.equal(r.reason.vars[k], v, k);
  });

test('vancomycin match: actual times after dose 2, dose in g, CRCL = Cockcroft-Gault from SCr 95 µmol/L, uncapped', () => {
  const r = matchEstimator(
    VAN.est,
    vancomycin([
      [14, 27.4],
      [23.75, 9.8],
    ]),
    'vancomycin',
  );
  assert.ok(r.ok);
  assert.equal(r.match.doseIndex, 1);
  assert.equal(r.match.dosesAtTau, 2);
  assert.deepEqual(
    r.match.input.samples.map((s) => s.timeH),
    [2, 11.75],
  );
  assert.deepEqual(r.match.input.dose, { value: 1, unit: 'g' });
  const crcl = crclCockcroftGault({ ageY: 58, weightKg: 82, scrMgPerDl: 95 / 88.4, female: false });
  assert.ok(Math.abs((r.match.input.covariates.CRCL as number) / crcl - 1) < 1e-12);
  assert.equal(r.match.input.covariates.WT, 82);
});

test('tacrolimus panel: ML = scoreEstimator on the same inputs (exact); MAP = Dose/CL at the MAP etas of the sampled occasion (1e-6)', () => {
  const inputs = tacrolimus();
  const twin = clinicalTwin(inputs, { samples: 0 });
  assert.equal(twin.twin.method, 'a posteriori (MAP)');
  const { panel, reasons } = mlEstimate(twin, inputs, [VAN, TAC]);
  assert.deepEqual(reasons, []);
  assert.ok(panel);
  // The same inputs written by hand: actual times after the last dose, ug/L, 5 mg, HCT 35 %, CYP3A5 0.
  const ml = scoreEstimator(TAC.est, {
    samples: [
      { timeH: -5 / 60, conc: { value: 8.2, unit: 'ug/L' } },
      { timeH: 1 + 4 / 60, conc: { value: 24.6, unit: 'ug/L' } },
      { timeH: 2 + 50 / 60, conc: { value: 15.1, unit: 'ug/L' } },
    ],
    dose: { value: 5, unit: 'mg' },
    covariates: { HCT: { value: 35, unit: '%' }, CYP3A5: 0 },
  });
  assert.equal(panel.mlAuc, ml.auc);
  assert.equal(panel.unit, 'ug*h/L');
  assert.equal(panel.doseMs, Date.parse(at(LAST)));
  assert.equal(panel.dosesAtTau, N);
  assert.equal(panel.fewDoses, false, `${N} doses ≥ ${ML_STEADY_STATE_DOSES}: steady state`);
  // 30 days of the same dose: steady state; AUC0-12 = F·Dose/CL (apparent CL/F, dose in ug).
  // The sampled interval's etas: the model-order ones plus the occasion's inter-occasion ones
  // (the point's block after the model order, one value per IOV eta).
  const etas = twin.model.ir.etas;
  const point = twin.twin.point!;
  let block = etas.length;
  const occasion = etas.map((e, k) => point[k] + (e.iov ? point[block++] : 0));
  const p = individualParameters(
    twin.model.compiled(),
    { HCT: { value: 35, unit: '%' }, CYP3A5: 0 },
    occasion,
  );
  const expected = 5000 / p.CL;
  assert.ok(Math.abs(panel.mapAuc / expected - 1) < 1e-6, `${panel.mapAuc} vs ${expected}`);
  assert.equal(panel.diffPct, 100 * (ml.auc / panel.mapAuc - 1));
  // The validated accuracy shown is metrics.json's ML row.
  const m = TAC.metrics;
  assert.deepEqual(panel.heldOut, {
    n: m.internal['ML (GBDT)'].n,
    biasPct: m.internal['ML (GBDT)'].relBiasPct,
    rmsePct: m.internal['ML (GBDT)'].relRmsePct,
  });
  assert.equal(panel.external?.model, 'tacrolimus/andrews2019');
  assert.equal(panel.external?.rmsePct, m.external['ML (GBDT)'].relRmsePct);
});

test('no estimator of the drug: no panel and no reason (the panel is not shown)', () => {
  const inputs = tacrolimus();
  const twin = clinicalTwin(inputs, { samples: 0 });
  assert.deepEqual(mlEstimate(twin, inputs, [VAN]), { panel: null, reasons: [] });
});
