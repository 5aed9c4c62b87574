/**
 * Pieces the drug files' ML presets share: the report's subgroups by sex and by renal function, and
 * Cockcroft–Gault creatinine clearance from a virtual patient's clinical variables.
 */
import { crclCockcroftGault } from './covariates.ts';
import type { MlPreset } from './drug.ts';

type Clinical = Record<string, number>;

/** Subgroups by sex (SEX: 0 = male, 1 = female). */
export const sexStratum: MlPreset['strata'][number] = {
  name: 'sex',
  label: (c: Clinical): string => (c.SEX === 1 ? 'female' : 'male'),
};

const RENAL = ['CrCL < 30 mL/min', 'CrCL 30-60 mL/min', 'CrCL 60-90 mL/min', 'CrCL ≥ 90 mL/min'];

/** Subgroups by Cockcroft–Gault CrCL (the clinical variable CRCL, mL/min). */
export const renalStratum: MlPreset['strata'][number] = {
  name: 'renal function (Cockcroft-Gault CrCL)',
  label: (c: Clinical): string => RENAL[c.CRCL < 30 ? 0 : c.CRCL < 60 ? 1 : c.CRCL < 90 ? 2 : 3],
  order: RENAL,
};

/** Cockcroft–Gault CrCL (mL/min) on total body weight from AGE (y), WT (kg), SEX and an SCr in mg/dL. */
export const crclOf = (c: Clinical, scrMgPerDl: number): number =>
  crclCockcroftGault({ ageY: c.AGE, weightKg: c.WT, scrMgPerDl, female: c.SEX === 1 });
