/**
 * The parameters of each lesson of the playground: name (unit in the name), slider range and step,
 * and the value a lesson opens with (a vancomycin-like adult for the IV lessons, a theophylline-like
 * oral drug, a phenytoin-like Michaelis–Menten drug; orders of magnitude as in Rowland & Tozer,
 * Clinical Pharmacokinetics and Pharmacodynamics, 4th ed., 2011).
 */
import type { LessonId, LessonParams } from './curves.ts';

export interface LessonParamSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  value: number;
}

const p = (
  name: string,
  unit: string,
  min: number,
  max: number,
  step: number,
  value: number,
): LessonParamSpec => ({
  name,
  unit,
  min,
  max,
  step,
  value,
});

const DOSE = p('doseMg', 'mg', 100, 3000, 50, 1000);
const CL = p('clLPerH', 'L/h', 0.5, 12, 0.1, 4);
const V = p('vL', 'L', 10, 120, 1, 50);

export const LESSON_PARAMS: Record<LessonId, readonly LessonParamSpec[]> = {
  'one-cmt': [DOSE, CL, V, p('horizonH', 'h', 6, 72, 1, 24)],
  infusion: [DOSE, p('durationH', 'h', 0.25, 12, 0.25, 1), CL, V, p('horizonH', 'h', 6, 72, 1, 24)],
  oral: [
    p('doseMg', 'mg', 50, 1000, 10, 300),
    p('kaPerH', '1/h', 0.1, 5, 0.05, 1.5),
    p('lagH', 'h', 0, 3, 0.05, 0.5),
    p('f', '', 0.1, 1, 0.01, 0.9),
    p('clLPerH', 'L/h', 0.5, 10, 0.1, 3),
    p('vL', 'L', 10, 80, 1, 35),
    p('horizonH', 'h', 6, 48, 1, 24),
  ],
  multiple: [
    DOSE,
    p('tauH', 'h', 4, 48, 1, 12),
    p('doses', '', 1, 20, 1, 8),
    p('durationH', 'h', 0, 4, 0.25, 1),
    CL,
    V,
    p('horizonH', 'h', 24, 240, 6, 120),
  ],
  loading: [
    p('loadingMg', 'mg', 0, 4000, 50, 2000),
    DOSE,
    p('tauH', 'h', 4, 48, 1, 12),
    p('doses', '', 1, 20, 1, 8),
    CL,
    V,
    p('horizonH', 'h', 24, 240, 6, 96),
  ],
  nonlinear: [
    p('doseMg', 'mg', 100, 2000, 50, 600),
    p('vmaxMgPerH', 'mg/h', 5, 60, 1, 20),
    p('kmMgPerL', 'mg/L', 1, 20, 0.5, 6),
    p('vL', 'L', 20, 80, 1, 45),
    p('horizonH', 'h', 12, 240, 6, 96),
  ],
  covariates: [
    DOSE,
    p('wtKg', 'kg', 30, 150, 1, 70),
    p('crclMlPerMin', 'mL/min', 10, 180, 1, 100),
    p('tvclLPerH', 'L/h', 1, 10, 0.1, 4),
    p('tvvL', 'L', 20, 100, 1, 50),
    p('crclExponent', '', 0, 1.5, 0.05, 0.75),
    p('tauH', 'h', 6, 48, 1, 12),
    p('doses', '', 1, 20, 1, 8),
    p('durationH', 'h', 0.25, 4, 0.25, 1),
    p('horizonH', 'h', 24, 240, 6, 120),
  ],
  variability: [
    DOSE,
    CL,
    V,
    p('omegaCl', '', 0, 1, 0.01, 0.3),
    p('tauH', 'h', 6, 48, 1, 12),
    p('doses', '', 1, 20, 1, 8),
    p('durationH', 'h', 0.25, 4, 0.25, 1),
    p('horizonH', 'h', 24, 240, 6, 120),
  ],
};

/** Each lesson's opening parameters. */
export const LESSON_DEFAULTS = Object.fromEntries(
  Object.entries(LESSON_PARAMS).map(([id, specs]) => [
    id,
    Object.fromEntries(specs.map((s) => [s.name, s.value])),
  ]),
) as Record<LessonId, LessonParams>;
