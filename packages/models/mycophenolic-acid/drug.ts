// Mycophenolic acid (MPA) given as mycophenolate mofetil: the consensus AUC target and the CellCept
// products (moved from vanhest2005.dtm, the library's one MPA model; doses are MMF mg).
import type { DrugFile } from '../src/drug.ts';

export const mycophenolicAcid: DrugFile = {
  drug: 'mycophenolic acid',
  targets: [
    {
      text: 'auctau=30..60 mg*h/L',
      citation:
        'second consensus report on MPA therapeutic drug monitoring (Bergan S et al. Ther Drug Monit 2021;43:150-200)',
      population: 'patients on mycophenolate mofetil (MMF)',
      note: 'MPA AUC0-12 with MMF',
    },
  ],
  formulations: [
    {
      id: 'cellcept-capsule',
      brand: 'CellCept',
      form: 'capsule',
      description: 'CellCept (mycophenolate mofetil) hard capsules',
      routes: ['oral'],
      strengths: { values: [250], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [{ value: 1500, unit: 'mg' }],
        maxDailyDose: [{ value: 3000, unit: 'mg' }],
        maxLoadingDose: [],
        source:
          'CellCept EU SmPC 4.2: 1 g twice daily after renal transplantation, 1.5 g twice daily (3 g a day) after cardiac and hepatic transplantation, the most it gives',
      },
      usual: {
        dose: { value: 1000, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: '1 g twice daily after renal transplantation (CellCept EU SmPC)',
      },
      source: 'CellCept EU SmPC',
    },
    {
      id: 'cellcept-tablet',
      brand: 'CellCept',
      form: 'tablet',
      description: 'CellCept (mycophenolate mofetil) film-coated tablets',
      routes: ['oral'],
      strengths: { values: [500], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [{ value: 1500, unit: 'mg' }],
        maxDailyDose: [{ value: 3000, unit: 'mg' }],
        maxLoadingDose: [],
        source:
          'CellCept EU SmPC 4.2: 1 g twice daily after renal transplantation, 1.5 g twice daily (3 g a day) after cardiac and hepatic transplantation, the most it gives',
      },
      usual: {
        dose: { value: 1000, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: '1 g twice daily after renal transplantation (CellCept EU SmPC)',
      },
      source: 'CellCept EU SmPC',
    },
  ],
  models: {
    'mycophenolic-acid/vanhest2005': {
      formulations: ['cellcept-capsule', 'cellcept-tablet'],
      formulationSpecific: true,
      why: 'MPA after oral mycophenolate mofetil (doses as MMF mg); not for enteric-coated mycophenolate sodium',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 10, hi: 10000 },
      soft: { lo: 100, hi: 2000 },
      why: '500-1500 mg per administration',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 1, hi: 150 },
      soft: { lo: 5, hi: 40 },
      why: '10-25 mg/kg per administration',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 15000 },
      soft: { lo: 0, hi: 4000 },
      why: '3 g/day at most on the label',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 500 },
      soft: { lo: 0.1, hi: 80 },
      why: 'troughs 1-3.5 mg/L, peaks up to 30-40 mg/L',
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
        loinc: '23905-3',
        display: 'Mycophenolate [Mass/volume] in Serum or Plasma',
        matrix: 'serum or plasma',
        assay: null,
        timing: null,
      },
    ],
    medication: { atc: ['L04AA06'], rxnorm: [] },
    source: 'LOINC (Regenstrief) for the level; ATC L04AA06 (WHO ATC index); RxNorm not listed yet',
  },
};
