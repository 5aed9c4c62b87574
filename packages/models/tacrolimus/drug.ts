// Tacrolimus: the consensus trough target, the three oral products (twice-daily Prograf capsules,
// once-daily Advagraf capsules, Modigraf granules), which product each model describes, the ML
// preset for adult kidney transplantation and the shipped Prograf estimator. Moved from the four
// model files; andrews2017 and andrews2019 keep their studies' early-phase troughs and andrews2017
// its study's starting dose as overrides (see those files).
import type { DrugFile, MlPreset } from '../src/drug.ts';
import { bsaDuBois, CREATININE_UMOL_PER_MG_DL, lbwJanmahasatian } from '../src/covariates.ts';
import { crclOf, renalStratum, sexStratum } from '../src/ml-strata.ts';

/**
 * Adult kidney-transplant recipients in the first months (the Woillard 2011 and Andrews 2019
 * cohorts): sex ratio, age, body size, creatinine, haematocrit, albumin, CYP3A5 expresser and
 * CYP3A4*22 carrier frequencies in Europeans. Assumed distributions, centred on the cohorts' Table 1
 * medians where the model files quote them (Andrews: age 15-79 y, haematocrit 0.15-0.80 L/L,
 * albumin 12-57 g/L); CYP3A5 expressers ≈ 15 %, CYP3A4*22 ≈ 8 % (European genotype frequencies).
 */
const TACROLIMUS_KTX: MlPreset = {
  name: 'tacrolimus-ktx',
  drug: 'tacrolimus',
  description:
    'tacrolimus twice daily (Prograf), adult kidney transplant, steady state; AUC0-12 from samples at 0 (pre-dose), 1 and 3 h',
  population: {
    kind: 'distribution',
    label: 'adult kidney-transplant recipients, first months (assumed distributions)',
    variables: [
      { name: 'SEX', unit: '-', dist: 'bernoulli', a: 0.37, label: '1 = female' },
      { name: 'AGE', unit: 'y', dist: 'normal', a: [52, 50], b: [13, 13], given: 'SEX', lo: 18, hi: 78 },
      { name: 'HT', unit: 'cm', dist: 'normal', a: [176, 163], b: [7, 6.5], given: 'SEX', lo: 145, hi: 205 },
      {
        name: 'WT',
        unit: 'kg',
        dist: 'lognormal',
        a: [80, 67],
        b: [0.17, 0.19],
        given: 'SEX',
        scale: { by: 'HT', ref: [176, 163], power: 2 },
        lo: 40,
        hi: 140,
      },
      {
        name: 'SCR',
        unit: 'umol/L',
        dist: 'lognormal',
        a: [140, 115],
        b: [0.4, 0.4],
        given: 'SEX',
        lo: 45,
        hi: 800,
      },
      { name: 'HCT', unit: '%', dist: 'normal', a: [33, 31], b: [4.5, 4.5], given: 'SEX', lo: 20, hi: 50 },
      { name: 'ALB', unit: 'g/L', dist: 'normal', a: 40, b: 5, lo: 25, hi: 52 },
      {
        name: 'CYP3A5',
        unit: '-',
        dist: 'bernoulli',
        a: 0.15,
        label: '1 = expresser (at least one *1 allele)',
      },
      { name: 'CYP3A4_22', unit: '-', dist: 'bernoulli', a: 0.08, label: '1 = CYP3A4*22 carrier' },
    ],
  },
  derive(c) {
    c.CRCL = crclOf(c, c.SCR / CREATININE_UMOL_PER_MG_DL);
    c.BSA = bsaDuBois({ weightKg: c.WT, heightCm: c.HT });
    c.LBW = lbwJanmahasatian({ weightKg: c.WT, heightCm: c.HT, female: c.SEX === 1 });
  },
  derived: [
    { name: 'CRCL', unit: 'mL/min', label: 'Cockcroft-Gault, total body weight' },
    { name: 'BSA', unit: 'm2', label: 'Du Bois' },
    { name: 'LBW', unit: 'kg', label: 'Janmahasatian' },
  ],
  modelCovariates: {
    'tacrolimus/woillard2011-prograf': { HCT: (c) => c.HCT, CYP3A5: (c) => c.CYP3A5 },
    'tacrolimus/andrews2019': {
      CYP3A5: (c) => c.CYP3A5,
      CYP3A4_22: (c) => c.CYP3A4_22,
      AGE: (c) => c.AGE,
      ALB: (c) => c.ALB,
      BSA: (c) => c.BSA,
      SCR: (c) => c.SCR,
      HCT: (c) => c.HCT / 100,
      LBW: (c) => c.LBW,
      ASSAY: () => 0,
    },
  },
  models: ['tacrolimus/woillard2011-prograf'],
  external: 'tacrolimus/andrews2019',
  design: {
    timesH: [0, 1, 3],
    tauH: 12,
    route: 'oral',
    doses: Array.from({ length: 19 }, (_, i) => 1000 + 500 * i),
    jitter: { sdH: 0.05, fraction: 0.05 },
    lloq: 0.5,
  },
  units: { dose: 'ug', conc: 'ug/L', target: 'ug*h/L' },
  target: { name: 'auc0-12', label: 'AUC0–12 at steady state' },
  covariates: [
    { name: 'HCT', unit: '%', label: 'haematocrit' },
    { name: 'CYP3A5', unit: '-', label: 'CYP3A5 expresser (1) or not (0)' },
  ],
  strata: [
    sexStratum,
    { name: 'CYP3A5', label: (c) => (c.CYP3A5 === 1 ? 'expresser' : 'non-expresser') },
    renalStratum,
  ],
};

export const tacrolimus: DrugFile = {
  drug: 'tacrolimus',
  targets: [
    {
      text: 'trough=5..10 ng/mL',
      citation: 'IATDMCT second consensus (Brunet M et al. Ther Drug Monit 2019;41:261-307)',
      population:
        'kidney transplant recipients after the first post-transplant months, with MPA and steroids',
      note: 'whole-blood trough; the range as the consensus report is commonly cited (report text not read, as the Woillard 2011 model files record)',
    },
  ],
  formulations: [
    {
      id: 'prograf-capsule',
      brand: 'Prograf',
      form: 'capsule',
      description: 'Prograf hard capsules (Astellas), immediate release',
      routes: ['oral'],
      strengths: { values: [0.5, 1, 5], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [],
        maxDailyDose: [],
        maxLoadingDose: [],
        source:
          'Prograf EU SmPC 4.2 gives starting doses (kidney 0.2-0.3 mg/kg/day) and adjusts the dose to the whole-blood trough: no maximum stated',
      },
      usual: {
        dose: { value: 0.1, unit: 'mg/kg' },
        every: { value: 12, unit: 'h' },
        note: '0.2-0.3 mg/kg/day in two doses after kidney transplantation (Prograf EU SmPC)',
      },
      source: 'Prograf EU SmPC',
    },
    {
      id: 'advagraf-capsule',
      brand: 'Advagraf',
      form: 'capsule',
      description: 'Advagraf prolonged-release hard capsules (Astellas)',
      routes: ['oral'],
      strengths: { values: [0.5, 1, 3, 5], unit: 'mg' },
      intervals: { values: [24], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [],
        maxDailyDose: [],
        maxLoadingDose: [],
        source:
          'Advagraf EU SmPC 4.2 gives starting doses (kidney 0.20-0.30 mg/kg/day) and adjusts the dose to the whole-blood trough: no maximum stated',
      },
      usual: {
        dose: { value: 0.2, unit: 'mg/kg' },
        every: { value: 24, unit: 'h' },
        note: '0.20-0.30 mg/kg/day once daily after kidney transplantation (Advagraf EU SmPC)',
      },
      source: 'Advagraf EU SmPC',
    },
    {
      id: 'modigraf-granules',
      brand: 'Modigraf',
      form: 'granules',
      description: 'Modigraf granules for oral suspension',
      routes: ['oral'],
      strengths: { values: [0.2, 1], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      limits: {
        maxDose: [],
        maxDailyDose: [],
        maxLoadingDose: [],
        source:
          'Modigraf EU SmPC 4.2 gives starting doses and adjusts the dose to the whole-blood trough: no maximum stated',
      },
      usual: null,
      source:
        'Modigraf EU SmPC (strengths); every 12 h as the Andrews 2017 model file offered it; no usual dose of its own in the library (Andrews 2017 states its study starting dose)',
    },
  ],
  models: {
    'tacrolimus/andrews2017': {
      formulations: ['prograf-capsule', 'modigraf-granules'],
      formulationSpecific: true,
      why: 'children on immediate-release tacrolimus twice daily (TWIST protocol); not for once-daily formulations',
    },
    'tacrolimus/andrews2019': {
      formulations: ['prograf-capsule'],
      formulationSpecific: true,
      why: 'adults on immediate-release tacrolimus twice daily; not for once-daily formulations',
    },
    'tacrolimus/woillard2011-advagraf': {
      formulations: ['advagraf-capsule'],
      formulationSpecific: true,
      why: 'the Advagraf arm of the two-formulation model (formulation factors on Ktr and V1/F, Table 4)',
    },
    'tacrolimus/woillard2011-prograf': {
      formulations: ['prograf-capsule'],
      formulationSpecific: true,
      why: 'the Prograf arm of the two-formulation model (formulation factors on Ktr and V1/F, Table 4)',
    },
  },
  mlPresets: [TACROLIMUS_KTX],
  estimators: [
    {
      id: 'tacrolimus-woillard2011-prograf-0-1-3h',
      preset: 'tacrolimus-ktx',
      models: ['tacrolimus/woillard2011-prograf'],
      external: 'tacrolimus/andrews2019',
      formulations: ['prograf-capsule'],
      design: { timesH: [0, 1, 3], tauH: 12, route: 'oral' },
      target: { name: 'auc0-12', unit: 'ug*h/L' },
      description:
        'tacrolimus twice daily (Prograf), adult kidney transplant, steady state; AUC0-12 from samples at 0 (pre-dose), 1 and 3 h',
    },
  ],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 0.01, hi: 100 },
      soft: { lo: 0.2, hi: 25 },
      why: '0.5-20 mg per administration',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 0.001, hi: 2 },
      soft: { lo: 0.005, hi: 0.3 },
      why: '0.05-0.15 mg/kg twice daily, 0.2-0.3 mg/kg once daily',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 200 },
      soft: { lo: 0, hi: 50 },
      why: 'CYP3A5 expressers may need 30-40 mg/day',
    },
    level: {
      unit: 'ug/L',
      hard: { lo: 0, hi: 1000 },
      soft: { lo: 0.5, hi: 80 },
      why: 'whole-blood troughs 3-20 µg/L, peaks up to 50-60 µg/L; a level in mg/L read as µg/L falls below 0.5',
    },
    interval: {
      unit: 'h',
      hard: { lo: 4, hi: 168 },
      soft: { lo: 12, hi: 24 },
      why: 'every 12 h (Prograf, Envarsus is 24 h) or every 24 h (Advagraf)',
    },
  },
  missedDose: {
    rules: [
      {
        formulations: ['prograf-capsule', 'modigraf-granules'],
        rule: {
          en: 'If you forget a dose, take it as soon as you remember. If it is almost time for the next dose, leave out the forgotten one and take the next at its usual time. Never take two doses at once.',
          fr: 'Si vous oubliez une dose, prenez-la dès que vous vous en apercevez. S’il est presque l’heure de la dose suivante, ne prenez pas la dose oubliée et prenez la suivante à l’heure habituelle. Ne prenez jamais deux doses à la fois.',
        },
        takeWithin: { value: 6, unit: 'h' },
        forbids: ['double-next'],
        citation:
          'immediate-release tacrolimus patient monographs (FDB monograph for Prograf; Prograf patient leaflet as distributed by pharmacies): take as soon as remembered, skip when almost time for the next dose, never a double dose; the EU Prograf leaflet itself was not read here. "Almost time" is read as more than half the 12-h interval late (dosetwin’s reading)',
      },
      {
        formulations: ['advagraf-capsule'],
        rule: {
          en: 'If you forget your morning dose, take it as soon as possible on the same day. Do not take a double dose the next morning.',
          fr: 'Si vous oubliez votre dose du matin, prenez-la le plus tôt possible dans la journée. Ne prenez pas de double dose le lendemain matin.',
        },
        takeWithin: { value: 16, unit: 'h' },
        forbids: ['double-next'],
        citation:
          'Advagraf EU SmPC 4.2: "A forgotten morning dose should be taken as soon as possible on the same day. A double dose should not be taken on the next morning." "The same day" is read as up to 16 h after a morning dose at 08:00 (midnight; dosetwin’s reading)',
      },
    ],
    efficacy: { value: 5, unit: 'ng/mL' },
    toxicity: { value: 10, unit: 'ng/mL' },
    reads: 'troughs',
    why: 'the IATDMCT consensus trough range after the first months (5-10 ng/mL, the drug file’s target): a trough below it is under-exposure, above it over-exposure; the consensus states no separate toxicity threshold, and tacrolimus targets and toxicity are stated as whole-blood troughs',
  },
  fhir: {
    levels: [
      {
        loinc: '11253-2',
        display: 'Tacrolimus [Mass/volume] in Blood',
        matrix: 'whole blood',
        assay: null,
        timing: null,
      },
      {
        loinc: '74097-7',
        display: 'Tacrolimus [Mass/volume] in Blood by LC/MS/MS',
        matrix: 'whole blood',
        assay: 'LC-MS/MS',
        timing: null,
      },
      {
        loinc: '74096-9',
        display: 'Tacrolimus [Mass/volume] in Blood by Immunoassay',
        matrix: 'whole blood',
        assay: 'immunoassay',
        timing: null,
      },
      {
        loinc: '77348-1',
        display: 'Tacrolimus [Mass/volume] in Blood --trough',
        matrix: 'whole blood',
        assay: null,
        timing: 'trough',
      },
    ],
    medication: { atc: ['L04AD02'], rxnorm: ['42316'] },
    source:
      'LOINC (Regenstrief): 11253-2 and its method and trough variants (11253-4 is not tacrolimus); ATC L04AD02 (WHO); RxNorm ingredient 42316',
  },
};
