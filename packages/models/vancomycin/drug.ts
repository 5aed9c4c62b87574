// Vancomycin: the AUC-guided target, the vial and its infusion limits, the models' use of it, the
// ML preset for adults and the shipped two-sample estimator. Targets and products moved from the
// four model files, which repeated them (thomson2009 keeps the trough target its paper designed
// its guidelines for; colin2019 keeps the 6-hourly interval of its paediatric range).
import type { DrugFile, MlPreset } from '../src/drug.ts';
import { crclOf, renalStratum, sexStratum } from '../src/ml-strata.ts';

const RYBAK_2020 =
  'ASHP/IDSA/PIDS/SIDP consensus 2020 (Rybak MJ et al. Am J Health Syst Pharm 2020;77:835-864)';

/**
 * Adult hospital patients on intermittent vancomycin (no dialysis): assumed distributions of
 * sex, age, body size and serum creatinine (mg/dL, enzymatic), covering the pooled models'
 * domains (Goti 2018: CrCL 4-150 mL/min, weight 33-255 kg; Thomson 2009: weight ≥ 40 kg).
 */
const VANCOMYCIN_ADULT: MlPreset = {
  name: 'vancomycin-adult',
  drug: 'vancomycin',
  description:
    'vancomycin every 12 h, 1-h infusion, adults, steady state; AUC0-12 (×2 = AUC24) from a peak 1 h after the end of infusion (2 h) and a pre-dose trough (12 h)',
  population: {
    kind: 'distribution',
    label: 'adult inpatients, no dialysis (assumed distributions)',
    variables: [
      { name: 'SEX', unit: '-', dist: 'bernoulli', a: 0.42, label: '1 = female' },
      { name: 'AGE', unit: 'y', dist: 'normal', a: [60, 62], b: [16, 17], given: 'SEX', lo: 18, hi: 92 },
      { name: 'HT', unit: 'cm', dist: 'normal', a: [175, 162], b: [7, 6.5], given: 'SEX', lo: 145, hi: 205 },
      {
        name: 'WT',
        unit: 'kg',
        dist: 'lognormal',
        a: [82, 70],
        b: [0.2, 0.22],
        given: 'SEX',
        scale: { by: 'HT', ref: [175, 162], power: 2 },
        lo: 40,
        hi: 160,
      },
      {
        name: 'SCR',
        unit: 'mg/dL',
        dist: 'lognormal',
        a: [1.0, 0.8],
        b: [0.45, 0.45],
        given: 'SEX',
        lo: 0.3,
        hi: 5,
      },
    ],
  },
  derive(c) {
    c.CRCL = crclOf(c, c.SCR);
  },
  derived: [{ name: 'CRCL', unit: 'mL/min', label: 'Cockcroft-Gault, total body weight, uncapped' }],
  modelCovariates: {
    // Goti 2018's derive rule: SCr < 1 mg/dL set to 1 above 65 y, CrCL capped at 150 mL/min; no dialysis.
    'vancomycin/goti2018': {
      WT: (c) => c.WT,
      CRCL: (c) => Math.min(150, crclOf(c, c.AGE > 65 ? Math.max(c.SCR, 1) : c.SCR)),
      DIAL: () => 0,
    },
    'vancomycin/thomson2009': { WT: (c) => c.WT, CRCL: (c) => c.CRCL },
    // Buelga 2005: CrCL in L/h (1 mL/min = 0.06 L/h).
    'vancomycin/buelga2005': { WT: (c) => c.WT, CRCL: (c) => c.CRCL * 0.06 },
  },
  models: ['vancomycin/goti2018', 'vancomycin/thomson2009'],
  external: 'vancomycin/buelga2005',
  design: {
    timesH: [2, 12],
    tauH: 12,
    route: 'infusion',
    infusionH: 1,
    doses: Array.from({ length: 7 }, (_, i) => 500 + 250 * i),
    jitter: { sdH: 0.05, fraction: 0.02 },
    lloq: 1,
  },
  units: { dose: 'mg', conc: 'mg/L', target: 'mg*h/L' },
  target: { name: 'auc0-12', label: 'AUC0–12 at steady state (AUC24 = 2 × AUC0–12)' },
  covariates: [
    { name: 'WT', unit: 'kg', label: 'total body weight' },
    {
      name: 'CRCL',
      unit: 'mL/min',
      label: 'Cockcroft-Gault creatinine clearance, total body weight, uncapped',
    },
  ],
  strata: [sexStratum, renalStratum],
};

const INTRAVENOUS = 'intravenous vancomycin: the model describes the drug in the body, whatever the vial';

export const vancomycin: DrugFile = {
  drug: 'vancomycin',
  targets: [
    {
      text: 'auc24=400..600 mg*h/L',
      citation: RYBAK_2020,
      population: 'adults and children',
      note: 'AUC24/MIC 400-600 with MIC 1 mg/L',
    },
  ],
  formulations: [
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'powder for solution for infusion',
      routes: ['infusion'],
      strengths: { values: [500, 1000], unit: 'mg' },
      intervals: { values: [8, 12, 24], unit: 'h' },
      infusion: {
        duration: { lo: 1, hi: 2, unit: 'h' },
        maxDuration: null,
        maxRate: { value: 10, unit: 'mg/min' },
        step: { value: 10, unit: 'min' },
        note: 'over at least 60 min and at most 10 mg/min, whichever is longer: 1000 mg over at least 100 min, 2000 mg over at least 200 min (EU SmPC 4.2, harmonised 2017); no longest infusion stated (continuous infusion is allowed)',
      },
      limits: {
        maxDose: [{ value: 2000, unit: 'mg' }],
        maxDailyDose: [],
        maxLoadingDose: [
          { value: 30, unit: 'mg/kg' },
          { value: 3000, unit: 'mg' },
        ],
        source:
          'EU SmPC 4.2 (harmonised 2017): 15-20 mg/kg every 8-12 h, not to exceed 2 g per dose; a loading dose of 25-30 mg/kg in the seriously ill; loading doses capped at 3000 mg by the consensus (Rybak 2020); no daily maximum stated',
      },
      usual: {
        dose: { value: 15, unit: 'mg/kg' },
        every: { value: 12, unit: 'h' },
        note: '15-20 mg/kg every 8-12 h in normal renal function (Rybak 2020)',
      },
      source:
        'EU SmPC (strengths, infusion rate); the intervals 8, 12, 24 h are those the adult model files offered, with no source stated there',
    },
  ],
  models: {
    'vancomycin/buelga2005': { formulations: ['vial'], formulationSpecific: false, why: INTRAVENOUS },
    'vancomycin/colin2019': { formulations: ['vial'], formulationSpecific: false, why: INTRAVENOUS },
    'vancomycin/goti2018': { formulations: ['vial'], formulationSpecific: false, why: INTRAVENOUS },
    'vancomycin/thomson2009': { formulations: ['vial'], formulationSpecific: false, why: INTRAVENOUS },
  },
  mlPresets: [VANCOMYCIN_ADULT],
  estimators: [
    {
      id: 'vancomycin-goti2018+thomson2009-2-12h',
      preset: 'vancomycin-adult',
      models: ['vancomycin/goti2018', 'vancomycin/thomson2009'],
      external: 'vancomycin/buelga2005',
      formulations: ['vial'],
      design: { timesH: [2, 12], tauH: 12, route: 'infusion', infusionH: 1 },
      target: { name: 'auc0-12', unit: 'mg*h/L' },
      description:
        'vancomycin every 12 h, 1-h infusion, adults, steady state; AUC0-12 (×2 = AUC24) from a peak 1 h after the end of infusion (2 h) and a pre-dose trough (12 h)',
    },
  ],
  // Plausibility bounds for entries, not dosing guidance (the targets and products above are that):
  // soft bounds wider than the consensus doses (Rybak 2020: 15-20 mg/kg every 8-12 h, loading
  // 20-35 mg/kg up to 3 g, neonates from 10 mg/kg; continuous infusion up to 60 mg/kg/day), hard
  // bounds beyond any reported dose or level.
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 1, hi: 6000 },
      soft: { lo: 250, hi: 3000 },
      why: 'adults 500-3000 mg per administration (loading doses capped at 3 g); without a recorded weight a neonatal dose asks for one',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 2, hi: 60 },
      soft: { lo: 5, hi: 35 },
      why: '10-20 mg/kg maintenance, 20-35 mg/kg loading, 60 mg/kg/day at most by continuous infusion',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 12000 },
      soft: { lo: 0, hi: 6000 },
      why: 'daily doses above 4.5 g are rare; 6 g only in the heaviest patients',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 300 },
      soft: { lo: 0.5, hi: 100 },
      why: 'troughs 5-20 mg/L, peaks up to 60-80 mg/L after a loading dose; assays quantify from about 2 mg/L; a level in ng/mL read as mg/L falls below 0.5',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 6, hi: 72 },
      why: 'every 6 h (children) to every 48-72 h (renal failure); 24 h for a continuous infusion',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '20578-1',
        display: 'Vancomycin [Mass/volume] in Serum or Plasma',
        matrix: 'serum or plasma',
        assay: null,
        timing: null,
      },
      {
        loinc: '4092-3',
        display: 'Vancomycin [Mass/volume] in Serum or Plasma --trough',
        matrix: 'serum or plasma',
        assay: null,
        timing: 'trough',
      },
      {
        loinc: '4090-7',
        display: 'Vancomycin [Mass/volume] in Serum or Plasma --peak',
        matrix: 'serum or plasma',
        assay: null,
        timing: 'peak',
      },
    ],
    medication: { atc: ['J01XA01'], rxnorm: ['11124'] },
    source:
      'LOINC (Regenstrief): 20578-1 and its trough and peak variants; ATC J01XA01 (WHO); RxNorm ingredient 11124',
  },
};
