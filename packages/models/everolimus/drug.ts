// Everolimus: the trough target of calcineurin-inhibitor-free transplant regimens, Certican and
// Afinitor tablets, and the one model, which the paper fitted on both (moved from terheine2018.dtm).
import type { DrugFile } from '../src/drug.ts';

export const everolimus: DrugFile = {
  drug: 'everolimus',
  targets: [
    {
      text: 'trough=6..10 ng/mL',
      citation: 'Shipkova M et al. Ther Drug Monit 2016;38:143-169',
      population:
        "kidney transplant recipients on calcineurin-inhibitor-free regimens, as in the ter Heine 2018 paper's transplant cohort",
      note: 'whole-blood trough; 3-8 ng/mL with reduced-exposure calcineurin inhibitor',
    },
  ],
  formulations: [
    {
      id: 'certican-tablet',
      brand: 'Certican',
      form: 'tablet',
      description: 'Certican tablets (transplantation)',
      routes: ['oral'],
      strengths: { values: [0.25, 0.5, 0.75, 1], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [],
        maxDailyDose: [],
        maxLoadingDose: [],
        source:
          'Certican EU SmPC 4.2: 0.75 mg twice daily (kidney, heart) or 1 mg twice daily (liver) to start, then adjusted to the whole-blood trough: no maximum stated',
      },
      usual: {
        dose: { value: 0.75, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: 'kidney transplantation starting dose (Certican EU SmPC)',
      },
      source: 'Certican EU SmPC',
    },
    {
      id: 'afinitor-tablet',
      brand: 'Afinitor',
      form: 'tablet',
      description: 'Afinitor tablets (oncology)',
      routes: ['oral'],
      strengths: { values: [2.5, 5, 10], unit: 'mg' },
      intervals: { values: [24], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [{ value: 10, unit: 'mg' }],
        maxDailyDose: [{ value: 10, unit: 'mg' }],
        maxLoadingDose: [],
        source: 'Afinitor EU SmPC 4.2: 10 mg once daily, reduced to 5 mg for adverse reactions',
      },
      usual: {
        dose: { value: 10, unit: 'mg' },
        every: { value: 24, unit: 'h' },
        note: 'oncology: 10 mg every 24 h (Afinitor EU SmPC)',
      },
      source: 'Afinitor EU SmPC',
    },
  ],
  models: {
    'everolimus/terheine2018': {
      formulations: ['certican-tablet', 'afinitor-tablet'],
      formulationSpecific: false,
      why: 'the paper pooled Certican (transplant) and Afinitor (oncology) patients and found no formulation effect on F',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 0.05, hi: 100 },
      soft: { lo: 0.25, hi: 20 },
      why: '0.25-10 mg per administration',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 0.0005, hi: 2 },
      soft: { lo: 0.002, hi: 0.3 },
      why: '0.01-0.15 mg/kg per administration',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 200 },
      soft: { lo: 0, hi: 20 },
      why: '10 mg/day at most on the oncology label',
    },
    level: {
      unit: 'ug/L',
      hard: { lo: 0, hi: 1000 },
      soft: { lo: 0.5, hi: 100 },
      why: 'troughs 3-15 µg/L, peaks up to 60-70 µg/L after 10 mg',
    },
    interval: {
      unit: 'h',
      hard: { lo: 4, hi: 168 },
      soft: { lo: 12, hi: 24 },
      why: 'every 12 h or every 24 h',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '50544-6',
        display: 'Everolimus [Mass/volume] in Blood',
        matrix: 'whole blood',
        assay: null,
        timing: null,
      },
    ],
    medication: { atc: ['L04AH02', 'L04AA18'], rxnorm: [] },
    source:
      'LOINC (Regenstrief) for the level; ATC L04AH02 since 2024, L04AA18 before (WHO ATC index); RxNorm not listed yet',
  },
};
