// The regimen search computes the PTA over the draws only for the regimens that can still be
// listed, under one model and under model averaging. Asking for more candidates than the search
// holds settles every one of them (the exhaustive search): the pruned search must give the same
// first regimens with the same metrics and PTA, on the three synthetic patients of the FHIR
// fixtures (vancomycin ICU a posteriori, tacrolimus kidney transplant, amikacin first dose a priori)
// and on targets read from the AUC alone and from the full exposure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyse } from './analysis.ts';
import { analyseDrug, type DrugAnalysisInputs } from './drug-analysis.ts';
import { drugFile } from './drugs.ts';
import { importedRecord, importFhir } from './fhir/import.ts';

const record = (fixture: string, drug: string): DrugAnalysisInputs => {
  const bundle = JSON.parse(
    readFileSync(new URL(`./fhir/fixtures/${fixture}.json`, import.meta.url), 'utf8'),
  );
  return {
    ...importedRecord(fixture, importFhir(bundle, drugFile(drug)!)),
    drug,
    formulation: null,
    targets: [],
    start: null,
  };
};

const vanco = record('vancomycin-icu', 'vancomycin');
const CASES: [string, DrugAnalysisInputs][] = [
  ['vancomycin ICU, AUC24 (the AUC-only PTA)', vanco],
  ['vancomycin ICU, loading dose for AUC24', { ...vanco, loadingTarget: 'auc24=400..600 mg*h/L' }],
  [
    'vancomycin ICU, trough then AUC24 (the full exposure)',
    { ...vanco, targets: ['trough=10..15 mg/L', 'auc24=400..700 mg*h/L'] },
  ],
  ['tacrolimus kidney transplant, trough', record('tacrolimus-kidney', 'tacrolimus')],
  [
    'amikacin first dose, Cmax/MIC (a priori)',
    {
      ...record('amikacin-first-dose', 'amikacin'),
      mic: { value: 4, unit: 'mg/L' },
      targets: ['cmax_mic>=8'],
    },
  ],
];
const SAMPLES = 60;

for (const [name, inputs] of CASES)
  test(`pruned = exhaustive, same regimens, metrics and PTA to the last digit: ${name}`, () => {
    // Drug level: each model proposes its first 5; the averaged list settled to the end is exhaustive.
    const all = analyseDrug(inputs, { samples: SAMPLES, listed: 1000 });
    assert.ok(all.candidates.length >= 3, `${all.candidates.length} averaged regimens`);
    assert.ok(all.candidates.every((c) => c.pta !== null));
    const five = analyseDrug(inputs, { samples: SAMPLES });
    assert.deepEqual(five.candidates, all.candidates.slice(0, 5));
    const first = analyseDrug(inputs, { samples: SAMPLES, listed: 1 });
    assert.deepEqual(first.candidates, all.candidates.slice(0, 1));
    assert.deepEqual(first.warnings, all.warnings);
    // One model (the drug's selected one): its search settled to the end is exhaustive.
    const one = { ...inputs, modelId: all.selected };
    const every = analyse(one, { samples: SAMPLES, maxCandidates: 1000 });
    const top = analyse(one, { samples: SAMPLES, maxCandidates: 1 });
    assert.ok(every.candidates.length >= 3, `${every.candidates.length} regimens under ${all.selected}`);
    assert.deepEqual(top.candidates[0], every.candidates[0]);
  });
