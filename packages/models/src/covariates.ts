/**
 * Derived covariates: creatinine clearance and eGFR, body size, postmenstrual age. Each function
 * takes its inputs in one stated unit (in its name or documentation); unit conversion happens at
 * the edge, in {@link convertCovariate}, which says what it did. A model's covariates table names
 * the derivation it needs (`derive crcl_cg(SCR mg/dL, AGE, WT, SEX) cap 150`); {@link DERIVATIONS}
 * maps those names to the functions, their canonical input units and the options they accept.
 */

// ---------------------------------------------------------------- creatinine clearance, eGFR

/** Serum creatinine: 1 mg/dL = 88.4 µmol/L (molar mass 113.12 g/mol: 10 mg/L ÷ 113.12 g/mol). */
export const CREATININE_UMOL_PER_MG_DL = 88.4;

export interface CockcroftGaultInput {
  ageY: number;
  /** The weight the model's variant uses: total, ideal or adjusted body weight (kg). */
  weightKg: number;
  scrMgPerDl: number;
  female: boolean;
}

/**
 * Cockcroft–Gault creatinine clearance (Cockcroft DW, Gault MH. Nephron 1976;16:31-41), mL/min:
 * (140 − age) · weight / (72 · SCr[mg/dL]), × 0.85 for women. The SI form
 * (140 − age) · weight / SCr[µmol/L] · 1.23 (men) | 1.04 (women) is the same equation with the
 * constants rounded (88.4 / 72 = 1.228; × 0.85 = 1.044).
 */
export function crclCockcroftGault(x: CockcroftGaultInput): number {
  return (((140 - x.ageY) * x.weightKg) / (72 * x.scrMgPerDl)) * (x.female ? 0.85 : 1);
}

/**
 * eGFR by the race-free CKD-EPI 2021 creatinine equation (Inker LA et al. N Engl J Med
 * 2021;385:1737-1749), mL/min/1.73 m²:
 * 142 · min(SCr/κ, 1)^α · max(SCr/κ, 1)^−1.200 · 0.9938^age · (1.012 if female),
 * κ = 0.7 (F) | 0.9 (M), α = −0.241 (F) | −0.302 (M). For adults (≥ 18 y).
 */
export function egfrCkdEpi2021(x: { ageY: number; scrMgPerDl: number; female: boolean }): number {
  const kappa = x.female ? 0.7 : 0.9;
  const alpha = x.female ? -0.241 : -0.302;
  const r = x.scrMgPerDl / kappa;
  return (
    142 *
    Math.pow(Math.min(r, 1), alpha) *
    Math.pow(Math.max(r, 1), -1.2) *
    Math.pow(0.9938, x.ageY) *
    (x.female ? 1.012 : 1)
  );
}

/**
 * eGFR by the CKD-EPI 2012 cystatin C equation (Inker LA et al. N Engl J Med 2012;367:20-29),
 * mL/min/1.73 m²: 133 · min(Scys/0.8, 1)^−0.499 · max(Scys/0.8, 1)^−1.328 · 0.996^age · (0.932 if female).
 */
export function egfrCkdEpiCystatin2012(x: { ageY: number; cystatinMgPerL: number; female: boolean }): number {
  const r = x.cystatinMgPerL / 0.8;
  return (
    133 *
    Math.pow(Math.min(r, 1), -0.499) *
    Math.pow(Math.max(r, 1), -1.328) *
    Math.pow(0.996, x.ageY) *
    (x.female ? 0.932 : 1)
  );
}

/**
 * Bedside Schwartz eGFR for children (Schwartz GJ et al. J Am Soc Nephrol 2009;20:629-637),
 * mL/min/1.73 m²: 0.413 · height[cm] / SCr[mg/dL] (= 36.5 · height / SCr[µmol/L]).
 */
export function egfrSchwartzBedside(x: { heightCm: number; scrMgPerDl: number }): number {
  return (0.413 * x.heightCm) / x.scrMgPerDl;
}

// ---------------------------------------------------------------- body size

/** Body surface area, Du Bois D, Du Bois EF. Arch Intern Med 1916;17:863-871: 0.007184 · W^0.425 · H^0.725 (m²). */
export function bsaDuBois(x: { weightKg: number; heightCm: number }): number {
  return 0.007184 * Math.pow(x.weightKg, 0.425) * Math.pow(x.heightCm, 0.725);
}

/** Body surface area, Mosteller RD. N Engl J Med 1987;317:1098: √(H[cm] · W[kg] / 3600) (m²). */
export function bsaMosteller(x: { weightKg: number; heightCm: number }): number {
  return Math.sqrt((x.heightCm * x.weightKg) / 3600);
}

/** Body mass index, kg/m². */
export function bmi(x: { weightKg: number; heightCm: number }): number {
  const hM = x.heightCm / 100;
  return x.weightKg / (hM * hM);
}

/**
 * Lean body weight = fat-free mass, Janmahasatian S et al. Clin Pharmacokinet 2005;44:1051-1065
 * (kg): 9270 · W / (6680 + 216 · BMI) for men, 9270 · W / (8780 + 244 · BMI) for women.
 */
export function lbwJanmahasatian(x: { weightKg: number; heightCm: number; female: boolean }): number {
  const b = bmi(x);
  return x.female ? (9270 * x.weightKg) / (8780 + 244 * b) : (9270 * x.weightKg) / (6680 + 216 * b);
}

/**
 * Lean body weight, James WPT. Research on obesity, HMSO 1976 (kg): 1.1 · W − 128 · (W/H)² for
 * men, 1.07 · W − 148 · (W/H)² for women (W kg, H cm). Falls for very high BMI; prefer
 * Janmahasatian unless a model names James.
 */
export function lbwJames(x: { weightKg: number; heightCm: number; female: boolean }): number {
  const r = x.weightKg / x.heightCm;
  return x.female ? 1.07 * x.weightKg - 148 * r * r : 1.1 * x.weightKg - 128 * r * r;
}

/**
 * Ideal body weight, Devine BJ. Drug Intell Clin Pharm 1974;8:650-655 (kg): 50 (men) | 45.5
 * (women) + 2.3 kg per inch over 5 ft, i.e. + (2.3 / 2.54) kg per cm over 152.4 cm.
 */
export function ibwDevine(x: { heightCm: number; female: boolean }): number {
  return (x.female ? 45.5 : 50) + (2.3 / 2.54) * (x.heightCm - 152.4);
}

/** Adjusted body weight (kg): IBW + f · (TBW − IBW), f = 0.4 unless a model says otherwise. */
export function adjustedBodyWeight(x: { weightKg: number; ibwKg: number; factor?: number }): number {
  return x.ibwKg + (x.factor ?? 0.4) * (x.weightKg - x.ibwKg);
}

// ---------------------------------------------------------------- age

/** Postmenstrual age (weeks) = gestational age at birth (weeks) + postnatal age (days) / 7. */
export function postmenstrualAgeWeeks(x: { gestationalAgeWeeks: number; postnatalAgeDays: number }): number {
  return x.gestationalAgeWeeks + x.postnatalAgeDays / 7;
}

// ---------------------------------------------------------------- units at the edge

/** What a covariate measures, when its units cannot be converted by dimension alone. */
export type Quantity = 'creatinine' | 'other';

const UNITS: Record<string, { dim: string; factor: number }> = {
  kg: { dim: 'mass', factor: 1 },
  g: { dim: 'mass', factor: 1e-3 },
  lb: { dim: 'mass', factor: 0.45359237 },
  cm: { dim: 'length', factor: 1 },
  m: { dim: 'length', factor: 100 },
  mm: { dim: 'length', factor: 0.1 },
  in: { dim: 'length', factor: 2.54 },
  y: { dim: 'age', factor: 1 },
  mo: { dim: 'age', factor: 1 / 12 },
  wk: { dim: 'age', factor: 7 / 365.25 },
  d: { dim: 'age', factor: 1 / 365.25 },
  '%': { dim: 'fraction', factor: 0.01 },
  'L/L': { dim: 'fraction', factor: 1 },
  'mL/min': { dim: 'flow', factor: 1 },
  'L/h': { dim: 'flow', factor: 1000 / 60 },
  'g/L': { dim: 'massconc', factor: 1 },
  'g/dL': { dim: 'massconc', factor: 10 },
  'mg/L': { dim: 'massconc', factor: 1e-3 },
  'mg/dL': { dim: 'massconc', factor: 1e-2 },
  m2: { dim: 'area', factor: 1 },
  'mg/day': { dim: 'doserate', factor: 1 },
  'mg/d': { dim: 'doserate', factor: 1 },
};
const CREATININE: Record<string, number> = { 'umol/L': 1, 'µmol/L': 1, 'mg/dL': 88.4, 'mg/L': 8.84 };

/** Covariate names read as serum creatinine (for mg/dL ↔ µmol/L). */
export function quantityOf(name: string): Quantity {
  return /^(S?CR|SCR\w*|CREAT\w*|PCR)$/i.test(name) ? 'creatinine' : 'other';
}

/**
 * Convert a covariate value between units; returns null when the units are not convertible
 * (the caller reports it). `-` and identical units pass through.
 */
export function convertCovariate(value: number, from: string, to: string, quantity: Quantity): number | null {
  if (from === to) return value;
  if (quantity === 'creatinine' && from in CREATININE && to in CREATININE)
    return (value * CREATININE[from]) / CREATININE[to];
  const a = UNITS[from];
  const b = UNITS[to];
  if (!a || !b || a.dim !== b.dim) return null;
  return (value * a.factor) / b.factor;
}

// ---------------------------------------------------------------- the derivation table

/** One input of a derivation: the name it is usually given, and the unit the function expects. */
export interface DerivationInput {
  role: string;
  unit: string;
  quantity: Quantity;
}

export interface Derivation {
  /** What it computes, for model cards and messages. */
  title: string;
  source: string;
  unit: string;
  inputs: DerivationInput[];
  /** Option keys and their units ('' = unitless), with what they do. */
  options: Record<string, { unit: string; doc: string }>;
  /** Compute from inputs (canonical units, in `inputs` order) and options (canonical units). */
  compute(x: number[], opt: Record<string, number>): number;
}

const SEX_DOC = 'SEX: 0 = male, 1 = female';

/** Inputs of the body-size formulas that take weight (kg), height (cm) and sex. */
const WT_HT_SEX: DerivationInput[] = [
  { role: 'WT', unit: 'kg', quantity: 'other' },
  { role: 'HT', unit: 'cm', quantity: 'other' },
  { role: 'SEX', unit: '-', quantity: 'other' },
];
const resultBounds = {
  cap: { unit: '', doc: 'upper bound of the result, in its unit' },
  floor: { unit: '', doc: 'lower bound of the result, in its unit' },
};

/** Apply `cap` / `floor` options to a result. */
function bound(v: number, opt: Record<string, number>): number {
  let r = v;
  if ('cap' in opt) r = Math.min(r, opt.cap);
  if ('floor' in opt) r = Math.max(r, opt.floor);
  return r;
}

export const DERIVATIONS: Record<string, Derivation> = {
  crcl_cg: {
    title: 'creatinine clearance, Cockcroft-Gault (weight as given: total, ideal or adjusted)',
    source: 'Cockcroft DW, Gault MH. Nephron 1976;16:31-41',
    unit: 'mL/min',
    inputs: [
      { role: 'SCR', unit: 'mg/dL', quantity: 'creatinine' },
      { role: 'AGE', unit: 'y', quantity: 'other' },
      { role: 'WT', unit: 'kg', quantity: 'other' },
      { role: 'SEX', unit: '-', quantity: 'other' },
    ],
    options: {
      ...resultBounds,
      scr_min: { unit: 'mg/dL', doc: 'SCr below this is raised to it before computing (low muscle mass)' },
      scr_min_age: { unit: 'y', doc: 'apply scr_min only when AGE is above this' },
    },
    compute([scr, age, wt, sex], opt) {
      let s = scr;
      if ('scr_min' in opt && (!('scr_min_age' in opt) || age > opt.scr_min_age))
        s = Math.max(s, opt.scr_min);
      return bound(crclCockcroftGault({ ageY: age, weightKg: wt, scrMgPerDl: s, female: sex === 1 }), opt);
    },
  },
  egfr_ckdepi2021: {
    title: `eGFR, CKD-EPI 2021 creatinine equation (race-free), mL/min/1.73 m2 (${SEX_DOC})`,
    source: 'Inker LA et al. N Engl J Med 2021;385:1737-1749',
    unit: 'mL/min/1.73m2',
    inputs: [
      { role: 'SCR', unit: 'mg/dL', quantity: 'creatinine' },
      { role: 'AGE', unit: 'y', quantity: 'other' },
      { role: 'SEX', unit: '-', quantity: 'other' },
    ],
    options: { ...resultBounds },
    compute: ([scr, age, sex], opt) =>
      bound(egfrCkdEpi2021({ ageY: age, scrMgPerDl: scr, female: sex === 1 }), opt),
  },
  egfr_ckdepi_cys2012: {
    title: `eGFR, CKD-EPI 2012 cystatin C equation, mL/min/1.73 m2 (${SEX_DOC})`,
    source: 'Inker LA et al. N Engl J Med 2012;367:20-29',
    unit: 'mL/min/1.73m2',
    inputs: [
      { role: 'CYSC', unit: 'mg/L', quantity: 'other' },
      { role: 'AGE', unit: 'y', quantity: 'other' },
      { role: 'SEX', unit: '-', quantity: 'other' },
    ],
    options: { ...resultBounds },
    compute: ([cys, age, sex], opt) =>
      bound(egfrCkdEpiCystatin2012({ ageY: age, cystatinMgPerL: cys, female: sex === 1 }), opt),
  },
  egfr_schwartz: {
    title: 'eGFR, bedside Schwartz (children), mL/min/1.73 m2',
    source: 'Schwartz GJ et al. J Am Soc Nephrol 2009;20:629-637',
    unit: 'mL/min/1.73m2',
    inputs: [
      { role: 'HT', unit: 'cm', quantity: 'other' },
      { role: 'SCR', unit: 'mg/dL', quantity: 'creatinine' },
    ],
    options: { ...resultBounds },
    compute: ([ht, scr], opt) => bound(egfrSchwartzBedside({ heightCm: ht, scrMgPerDl: scr }), opt),
  },
  bsa_dubois: {
    title: 'body surface area, Du Bois',
    source: 'Du Bois D, Du Bois EF. Arch Intern Med 1916;17:863-871',
    unit: 'm2',
    inputs: [
      { role: 'WT', unit: 'kg', quantity: 'other' },
      { role: 'HT', unit: 'cm', quantity: 'other' },
    ],
    options: {},
    compute: ([wt, ht]) => bsaDuBois({ weightKg: wt, heightCm: ht }),
  },
  bsa_mosteller: {
    title: 'body surface area, Mosteller',
    source: 'Mosteller RD. N Engl J Med 1987;317:1098',
    unit: 'm2',
    inputs: [
      { role: 'WT', unit: 'kg', quantity: 'other' },
      { role: 'HT', unit: 'cm', quantity: 'other' },
    ],
    options: {},
    compute: ([wt, ht]) => bsaMosteller({ weightKg: wt, heightCm: ht }),
  },
  lbw_janmahasatian: {
    title: `lean body weight (= fat-free mass), Janmahasatian (${SEX_DOC})`,
    source: 'Janmahasatian S et al. Clin Pharmacokinet 2005;44:1051-1065',
    unit: 'kg',
    inputs: WT_HT_SEX,
    options: {},
    compute: ([wt, ht, sex]) => lbwJanmahasatian({ weightKg: wt, heightCm: ht, female: sex === 1 }),
  },
  ffm_janmahasatian: {
    title: `fat-free mass, Janmahasatian (the same equation as their lean body weight; ${SEX_DOC})`,
    source: 'Janmahasatian S et al. Clin Pharmacokinet 2005;44:1051-1065',
    unit: 'kg',
    inputs: WT_HT_SEX,
    options: {},
    compute: ([wt, ht, sex]) => lbwJanmahasatian({ weightKg: wt, heightCm: ht, female: sex === 1 }),
  },
  lbw_james: {
    title: `lean body weight, James (${SEX_DOC})`,
    source: 'James WPT. Research on obesity. London: HMSO; 1976',
    unit: 'kg',
    inputs: WT_HT_SEX,
    options: {},
    compute: ([wt, ht, sex]) => lbwJames({ weightKg: wt, heightCm: ht, female: sex === 1 }),
  },
  ibw_devine: {
    title: `ideal body weight, Devine (${SEX_DOC})`,
    source: 'Devine BJ. Drug Intell Clin Pharm 1974;8:650-655',
    unit: 'kg',
    inputs: [
      { role: 'HT', unit: 'cm', quantity: 'other' },
      { role: 'SEX', unit: '-', quantity: 'other' },
    ],
    options: {},
    compute: ([ht, sex]) => ibwDevine({ heightCm: ht, female: sex === 1 }),
  },
  abw: {
    title: 'adjusted body weight, IBW + factor · (TBW − IBW)',
    source: 'Bauer LA. Applied clinical pharmacokinetics (factor 0.4)',
    unit: 'kg',
    inputs: [
      { role: 'WT', unit: 'kg', quantity: 'other' },
      { role: 'IBW', unit: 'kg', quantity: 'other' },
    ],
    options: { factor: { unit: '', doc: 'fraction of excess weight added to IBW (default 0.4)' } },
    compute: ([wt, ibw], opt) => adjustedBodyWeight({ weightKg: wt, ibwKg: ibw, factor: opt.factor }),
  },
  pma: {
    title: 'postmenstrual age = gestational age + postnatal age',
    source: 'Engle WA. Pediatrics 2004;114:1362-1364 (terminology)',
    unit: 'wk',
    inputs: [
      { role: 'GA', unit: 'wk', quantity: 'other' },
      { role: 'PNA', unit: 'd', quantity: 'other' },
    ],
    options: {},
    compute: ([ga, pna]) => postmenstrualAgeWeeks({ gestationalAgeWeeks: ga, postnatalAgeDays: pna }),
  },
  pma_from_age: {
    title: 'postmenstrual age from age in years and gestational age at birth',
    source: 'PMA = GA + age (the model states its weeks per year)',
    unit: 'wk',
    inputs: [
      { role: 'AGE', unit: 'y', quantity: 'other' },
      { role: 'GA', unit: 'wk', quantity: 'other' },
    ],
    options: { weeks_per_year: { unit: '', doc: 'weeks per year of age (default 365.25/7 = 52.18)' } },
    compute: ([age, ga], opt) => ga + age * (opt.weeks_per_year ?? 365.25 / 7),
  },
};

/**
 * Standard derivations used when a derivation's input is neither given nor a model covariate:
 * IBW from height and sex, ABW from weight and IBW, PMA from GA and PNA. Ambiguous quantities
 * (BSA, LBW, renal function) are never derived implicitly: a model must name their formula.
 */
export const IMPLICIT: Record<string, { fn: string; args: string[] }> = {
  IBW: { fn: 'ibw_devine', args: ['HT', 'SEX'] },
  ABW: { fn: 'abw', args: ['WT', 'IBW'] },
  PMA: { fn: 'pma', args: ['GA', 'PNA'] },
};
