/**
 * The playground's example case, the one its Bayesian lesson opens on and instructors start from:
 * an adult on vancomycin 1000 mg every 12 h (1-h infusions) under Thomson 2009, whose true
 * clearance is 42 % above the typical patient's of his weight and CrCL (eta_CL = 0.35), judged on
 * the AUC24 target of the 2020 consensus guideline (400–600 mg·h/L; Rybak et al., Am J Health Syst
 * Pharm 2020;77:835–864).
 */
import { CASE_FORMAT, type TeachingCase } from './teaching-case.ts';

export const EXAMPLE_CASE: TeachingCase = {
  format: CASE_FORMAT,
  id: 'vanco-thomson-1',
  title: 'Vancomycin, 80 kg, CrCL 60 mL/min: 1000 mg q12h since this morning',
  modelId: 'vancomycin/thomson2009',
  covariates: [
    { name: 'WT', value: 80, unit: 'kg' },
    { name: 'CRCL', value: 60, unit: 'mL/min' },
  ],
  given: {
    dose: { value: 1000, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
    count: 4,
  },
  truth: { etas: { eta_CL: 0.35, eta_V1: -0.1, eta_V2: 0.3, eta_Q: -0.2 } },
  sampling: { timesH: [1.5, 3, 6, 11.5, 13.5, 18, 23.5, 25.5, 30, 35.5, 47.5], budget: 3 },
  target: 'auc24=400..600 mg*h/L',
  seed: 2026,
  scoring: { pointsPerSample: 5 },
};
