// Voriconazole: the BSMM trough range, tablets and the vial (moved from friberg2012-adult.dtm, the
// library's one voriconazole model).
import type { DrugFile } from '../src/drug.ts';

export const voriconazole: DrugFile = {
  drug: 'voriconazole',
  targets: [
    {
      text: 'trough=1..5.5 mg/L',
      citation:
        'British Society for Medical Mycology TDM guideline (Ashbee HR et al. J Antimicrob Chemother 2014;69:1162-1176)',
      population: 'patients on voriconazole',
      note: 'trough 1-5.5 mg/L',
    },
  ],
  formulations: [
    {
      id: 'tablet',
      brand: null,
      form: 'tablet',
      description: 'film-coated tablets',
      routes: ['oral'],
      strengths: { values: [50, 200], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [{ value: 300, unit: 'mg' }],
        maxDailyDose: [{ value: 600, unit: 'mg' }],
        maxLoadingDose: [{ value: 400, unit: 'mg' }],
        source:
          'Vfend EU SmPC 4.2, patients of 40 kg and more: 400 mg every 12 h for the first 24 h, then 200 mg every 12 h, increased to 300 mg every 12 h when the response is inadequate (below 40 kg: half, not encoded, the model being for adults); more only beside phenytoin, rifabutin or efavirenz',
      },
      usual: {
        dose: { value: 200, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: 'oral maintenance, adults >= 40 kg, after a 400 mg loading day (EU SmPC)',
      },
      source: 'Vfend EU SmPC',
    },
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'powder for solution for infusion',
      routes: ['infusion'],
      strengths: { values: [200], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: {
        duration: { lo: 1, hi: 2, unit: 'h' },
        maxDuration: null,
        maxRate: { value: 3, unit: 'mg/kg/h' },
        step: { value: 10, unit: 'min' },
        note: 'at most 3 mg/kg per hour, over 1 to 2 h; not as a bolus (Vfend EU SmPC 4.2)',
      },
      limits: {
        maxDose: [{ value: 4, unit: 'mg/kg' }],
        maxDailyDose: [{ value: 8, unit: 'mg/kg' }],
        maxLoadingDose: [{ value: 6, unit: 'mg/kg' }],
        source:
          'Vfend EU SmPC 4.2: 6 mg/kg every 12 h for the first 24 h, then 4 mg/kg every 12 h (5 mg/kg only beside phenytoin or rifabutin)',
      },
      usual: null,
      source: 'Vfend EU SmPC (strengths, infusion rate and duration, doses)',
    },
  ],
  models: {
    'voriconazole/friberg2012-adult': {
      formulations: ['tablet', 'vial'],
      formulationSpecific: false,
      why: 'oral and intravenous voriconazole in one model (bioavailability F 0.642); no product effect modelled',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 5, hi: 2000 },
      soft: { lo: 50, hi: 800 },
      why: '100-400 mg per administration, up to 6 mg/kg intravenously',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 0.5, hi: 30 },
      soft: { lo: 1.5, hi: 10 },
      why: '3-6 mg/kg, children up to 9 mg/kg',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 3000 },
      soft: { lo: 0, hi: 1200 },
      why: '6 mg/kg twice of a 100 kg patient is 1200 mg',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 100 },
      soft: { lo: 0.05, hi: 15 },
      why: 'troughs 1-5.5 mg/L; levels above 10 mg/L are rare',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 8, hi: 24 },
      why: 'every 12 h',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '38370-3',
        display: 'Voriconazole [Mass/volume] in Serum or Plasma',
        matrix: 'serum or plasma',
        assay: null,
        timing: null,
      },
    ],
    medication: { atc: ['J02AC03'], rxnorm: [] },
    source: 'LOINC (Regenstrief) for the level; ATC J02AC03 (WHO ATC index); RxNorm not listed yet',
  },
};
