// Gentamicin in neonates: the NICE trough and peak targets, the injection, extended intervals
// (moved from germovsek2016.dtm, the library's one gentamicin model).
import type { DrugFile } from '../src/drug.ts';

const NICE = 'NICE NG195 2021 neonatal infection';

export const gentamicin: DrugFile = {
  drug: 'gentamicin',
  targets: [
    {
      text: 'trough<=2 mg/L',
      citation: NICE,
      population: 'neonates',
      note: 'trough below 2 mg/L before the next dose (below 1 mg/L if the course goes beyond 3 doses)',
    },
    {
      text: 'peak>=8 mg/L',
      citation: NICE,
      population: 'neonates',
      note: 'peak at least 8 mg/L when a peak is measured',
    },
  ],
  formulations: [
    {
      id: 'injection',
      brand: null,
      form: 'ampoule',
      description: 'gentamicin injection 10 mg/mL (2 mL paediatric) and 40 mg/mL (2 mL)',
      routes: ['infusion'],
      strengths: { values: [20, 80], unit: 'mg' },
      intervals: { values: [24, 36, 48], unit: 'h' },
      infusion: {
        duration: { lo: 0.05, hi: 0.5, unit: 'h' },
        maxDuration: null,
        maxRate: null,
        step: null,
        note: 'slow intravenous injection over 3-5 min or infusion over 30 min (BNFc)',
      },
      limits: {
        maxDose: [{ value: 7, unit: 'mg/kg' }],
        maxDailyDose: [{ value: 7, unit: 'mg/kg' }],
        maxLoadingDose: [],
        source:
          'gentamicin 40 mg/mL SmPC (Panpharma) 4.2: newborns 4-7 mg/kg/day as a single dose; NICE NG195 starts at 5 mg/kg every 36 h',
      },
      usual: {
        dose: { value: 5, unit: 'mg/kg' },
        every: { value: 36, unit: 'h' },
        note: '5 mg/kg every 36 h in neonates, interval adjusted to the trough (NICE NG195 2021)',
      },
      source: 'BNF for Children',
    },
  ],
  models: {
    'gentamicin/germovsek2016': {
      formulations: ['injection'],
      formulationSpecific: false,
      why: 'intravenous gentamicin: the model describes the drug in the body, whatever the ampoule',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 0.5, hi: 1500 },
      soft: { lo: 20, hi: 800 },
      why: 'adults 80-700 mg per administration; without a recorded weight a neonatal dose asks for one',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 0.3, hi: 15 },
      soft: { lo: 1, hi: 8 },
      why: '1-1.7 mg/kg conventional, 4-7 mg/kg extended interval',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 2000 },
      soft: { lo: 0, hi: 900 },
      why: '7 mg/kg of a 120 kg patient is 840 mg',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 100 },
      soft: { lo: 0.05, hi: 40 },
      why: 'peaks 15-30 mg/L, troughs below 0.5-1 mg/L (assays quantify from about 0.1-0.3 mg/L)',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 6, hi: 72 },
      why: 'every 8 h (conventional) to every 36-48 h (neonates, renal failure)',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '35668-3',
        display: 'Gentamicin [Mass/volume] in Serum or Plasma',
        matrix: 'serum or plasma',
        assay: null,
        timing: null,
      },
    ],
    medication: { atc: ['J01GB03'], rxnorm: [] },
    source: 'LOINC (Regenstrief) for the level; ATC J01GB03 (WHO ATC index); RxNorm not listed yet',
  },
};
