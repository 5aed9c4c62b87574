// Ciclosporin: Neoral capsules and which models describe them. No guideline target is stated in the
// library: each model keeps its own study's AUC0-12 target as an override (see its file), as well as
// its study's starting dose; press2010 also its study's once-daily regimen.
import type { DrugFile } from '../src/drug.ts';

export const ciclosporin: DrugFile = {
  drug: 'ciclosporin',
  targets: [],
  formulations: [
    {
      id: 'neoral-capsule',
      brand: 'Neoral',
      form: 'capsule',
      description: 'Neoral soft capsules',
      routes: ['oral'],
      strengths: { values: [10, 25, 50, 100], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [],
        maxDailyDose: [{ value: 15, unit: 'mg/kg' }],
        maxLoadingDose: [],
        source:
          'Neoral SmPC 4.2, solid organ transplantation: 10-15 mg/kg/day in two doses around surgery, then 2-6 mg/kg/day adjusted to blood levels: 15 mg/kg/day is the most it gives',
      },
      usual: null,
      source:
        'Neoral EU SmPC (strengths); every 12 h as both ciclosporin model files offered it; no usual dose of its own in the library (each model states its study starting dose)',
    },
  ],
  models: {
    'ciclosporin/press2010': {
      formulations: ['neoral-capsule'],
      formulationSpecific: true,
      why: 'oral Neoral in the study (8 mg/kg/day once or twice daily); absorption and F are those of the product',
    },
    'ciclosporin/woillard2014': {
      formulations: ['neoral-capsule'],
      formulationSpecific: true,
      why: 'oral ciclosporin twice daily in the study; the model file offered Neoral capsules (the brand is not stated in its population line); not for intravenous ciclosporin',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 1, hi: 2000 },
      soft: { lo: 10, hi: 600 },
      why: '25-400 mg per administration',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 0.1, hi: 30 },
      soft: { lo: 0.5, hi: 8 },
      why: '1-5 mg/kg twice daily',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 3000 },
      soft: { lo: 0, hi: 1200 },
      why: '10 mg/kg/day of a 120 kg patient',
    },
    level: {
      unit: 'ug/L',
      hard: { lo: 0, hi: 10000 },
      soft: { lo: 10, hi: 3000 },
      why: 'troughs 50-400 µg/L, levels 2 h after the dose 600-1700 µg/L',
    },
    interval: {
      unit: 'h',
      hard: { lo: 4, hi: 168 },
      soft: { lo: 8, hi: 24 },
      why: 'every 12 h',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '3520-4',
        display: 'Cyclosporine [Mass/volume] in Blood',
        matrix: 'whole blood',
        assay: null,
        timing: null,
      },
      {
        loinc: '14978-1',
        display: 'Cyclosporine [Mass/volume] in Blood by Immunoassay',
        matrix: 'whole blood',
        assay: 'immunoassay',
        timing: null,
      },
      {
        loinc: '55805-6',
        display: 'Cyclosporine [Mass/volume] in Blood by LC/MS/MS',
        matrix: 'whole blood',
        assay: 'LC-MS/MS',
        timing: null,
      },
      {
        loinc: '53828-0',
        display: 'Cyclosporine [Mass/volume] in Blood --trough',
        matrix: 'whole blood',
        assay: null,
        timing: 'trough',
      },
    ],
    medication: { atc: ['L04AD01'], rxnorm: [] },
    source:
      'LOINC (Regenstrief): cyclosporine in blood (3520-4), by immunoassay and LC-MS/MS, trough; ATC L04AD01 (WHO); RxNorm not listed yet',
  },
};
