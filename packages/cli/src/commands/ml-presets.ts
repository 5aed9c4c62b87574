// Training presets of `dosetwin ml`: for a drug, the clinical population (a joint covariate
// distribution), the derived variables, how each library model's covariates come from the clinical
// ones, the sampling design, the estimator's covariate features and the subgroups of the report.
// Values are stated with their source or as assumptions; they are recorded in each estimator.
import { DosetwinError, type PopulationSpec, type SamplingDesign, type VirtualModel } from '@dosetwin/engine';
import {
  bsaDuBois,
  CREATININE_UMOL_PER_MG_DL,
  crclCockcroftGault,
  getModel,
  lbwJanmahasatian,
} from '@dosetwin/models';

export interface MlPreset {
  name: string;
  drug: string;
  description: string;
  population: PopulationSpec;
  /** Derived clinical variables, in place (same units as named in `derived`). */
  derive: (c: Record<string, number>) => void;
  derived: { name: string; unit: string; label: string }[];
  /** Model covariate (by name) from the clinical variables, per library model id. */
  modelCovariates: Record<string, Record<string, (c: Record<string, number>) => number>>;
  /** Default training models (pooled when several) and external-validation model. */
  models: string[];
  external: string;
  design: SamplingDesign;
  units: { dose: string; conc: string; target: string };
  target: { name: string; label: string };
  /** Clinical variables used as estimator features, with units. */
  covariates: { name: string; unit: string; label: string }[];
  /** Subgroups of the evaluation report. */
  strata: { name: string; label: (c: Record<string, number>) => string; order?: string[] }[];
}

const sex = { name: 'sex', label: (c: Record<string, number>): string => (c.SEX === 1 ? 'female' : 'male') };
const RENAL = ['CrCL < 30 mL/min', 'CrCL 30-60 mL/min', 'CrCL 60-90 mL/min', 'CrCL ≥ 90 mL/min'];
const renal = {
  name: 'renal function (Cockcroft-Gault CrCL)',
  label: (c: Record<string, number>): string =>
    RENAL[c.CRCL < 30 ? 0 : c.CRCL < 60 ? 1 : c.CRCL < 90 ? 2 : 3],
  order: RENAL,
};
const crcl = (c: Record<string, number>, scrMgPerDl: number): number =>
  crclCockcroftGault({ ageY: c.AGE, weightKg: c.WT, scrMgPerDl, female: c.SEX === 1 });

/**
 * Adult kidney-transplant recipients in the first months (the Woillard 2011 and Andrews 2019
 * cohorts): sex ratio, age, body size, creatinine, haematocrit, albumin, CYP3A5 expresser and
 * CYP3A4*22 carrier frequencies in Europeans. Assumed distributions, centred on the cohorts' Table 1
 * medians where the model files quote them (Andrews: age 15-79 y, haematocrit 0.15-0.80 L/L,
 * albumin 12-57 g/L); CYP3A5 expressers ≈ 15 %, CYP3A4*22 ≈ 8 % (European genotype frequencies).
 */
const TACROLIMUS: MlPreset = {
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
    c.CRCL = crcl(c, c.SCR / CREATININE_UMOL_PER_MG_DL);
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
  strata: [sex, { name: 'CYP3A5', label: (c) => (c.CYP3A5 === 1 ? 'expresser' : 'non-expresser') }, renal],
};

/**
 * Adult hospital patients on intermittent vancomycin (no dialysis): assumed distributions of
 * sex, age, body size and serum creatinine (mg/dL, enzymatic), covering the pooled models'
 * domains (Goti 2018: CrCL 4-150 mL/min, weight 33-255 kg; Thomson 2009: weight ≥ 40 kg).
 */
const VANCOMYCIN: MlPreset = {
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
    c.CRCL = crcl(c, c.SCR);
  },
  derived: [{ name: 'CRCL', unit: 'mL/min', label: 'Cockcroft-Gault, total body weight, uncapped' }],
  modelCovariates: {
    // Goti 2018's derive rule: SCr < 1 mg/dL set to 1 above 65 y, CrCL capped at 150 mL/min; no dialysis.
    'vancomycin/goti2018': {
      WT: (c) => c.WT,
      CRCL: (c) => Math.min(150, crcl(c, c.AGE > 65 ? Math.max(c.SCR, 1) : c.SCR)),
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
  strata: [sex, renal],
};

export const PRESETS: Record<string, MlPreset> = {
  [TACROLIMUS.name]: TACROLIMUS,
  [VANCOMYCIN.name]: VANCOMYCIN,
};

/** The preset for a drug name or preset name. */
export function presetFor(nameOrDrug: string): MlPreset | undefined {
  return PRESETS[nameOrDrug] ?? Object.values(PRESETS).find((p) => p.drug === nameOrDrug);
}

/** A library model with its clinical → model covariate mapping (every model covariate covered). */
const presetError = (message: string, hint?: string): never => {
  throw new DosetwinError([
    { code: 'DT_ML_PRESET', severity: 'error', field: 'model', message, ...(hint ? { hint } : {}) },
  ]);
};

export function virtualModel(preset: MlPreset, id: string): VirtualModel & { id: string; source: string } {
  const lib = getModel(id);
  const map = preset.modelCovariates[id];
  if (!map)
    presetError(
      `preset ${preset.name} has no covariate mapping for ${id}`,
      `models of this preset: ${Object.keys(preset.modelCovariates).join(', ')}`,
    );
  const names = lib.ir.covariates.map((c) => c.name);
  const missing = names.filter((n) => !map[n]);
  if (missing.length)
    presetError(`preset ${preset.name}: ${id} covariates without a mapping: ${missing.join(', ')}`);
  const fns = names.map((n) => map[n]);
  const units = lib.ir.units;
  if (units.dose !== preset.units.dose || units.conc !== preset.units.conc)
    presetError(
      `${id} computes in ${units.dose}, ${units.conc}; preset ${preset.name} in ${preset.units.dose}, ${preset.units.conc}`,
    );
  return { id, source: lib.source, model: lib.compiled(), covariates: (c) => fns.map((f) => f(c)) };
}
