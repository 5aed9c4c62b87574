// Helpers for the model tests: typical individual parameters straight from the compiled model's
// slots, and textbook closed forms to check simulated profiles by hand.
import type { CompiledModel } from '@dosetwin/engine';

/**
 * Individual parameters of the typical patient (etas 0): covariates in the model's units, set
 * by name through `slotOf`, then the model's individual statements. Returns the named slots.
 */
export function typicalSlots(
  m: CompiledModel,
  covariates: Readonly<Record<string, number>>,
  names: readonly string[],
): Record<string, number> {
  const s = m.newSlots();
  for (const c of m.ir.covariates) {
    const v = covariates[c.name];
    if (v === undefined) throw new Error(`test: covariate ${c.name} not given`);
    s[m.slotOf.get(c.name)!] = v;
  }
  m.individual(s);
  return Object.fromEntries(names.map((n) => [n, s[m.slotOf.get(n)!]]));
}

/** 1-compartment IV infusion at rate R (amount/h) for tInf h: C(t) = R/CL·(1 − e^(−k·t)) then decay. */
export function oneCmtInfusion(cl: number, v: number, rate: number, tInf: number, t: number): number {
  const k = cl / v;
  const cEnd = (rate / cl) * (1 - Math.exp(-k * Math.min(t, tInf)));
  return t <= tInf ? cEnd : cEnd * Math.exp(-k * (t - tInf));
}

/**
 * 2-compartment IV infusion (Gibaldi & Perrier): with k10 = CL/V1, k12 = Q/V1, k21 = Q/V2, α, β the
 * roots of s² − (k10+k12+k21)s + k10·k21, C(t) = Σ R·A_i/λ_i·(1 − e^(−λ_i·min(t,T)))·e^(−λ_i·max(t−T,0)),
 * A_α = (α − k21)/(V1(α − β)), A_β = (k21 − β)/(V1(α − β)).
 */
export function twoCmtInfusion(
  cl: number,
  v1: number,
  q: number,
  v2: number,
  rate: number,
  tInf: number,
  t: number,
): number {
  const k10 = cl / v1;
  const k12 = q / v1;
  const k21 = q / v2;
  const sum = k10 + k12 + k21;
  const disc = Math.sqrt(sum * sum - 4 * k10 * k21);
  const a = (sum + disc) / 2;
  const b = (sum - disc) / 2;
  const A = (a - k21) / (v1 * (a - b));
  const B = (k21 - b) / (v1 * (a - b));
  const part = (lam: number, coef: number): number =>
    ((rate * coef) / lam) * (1 - Math.exp(-lam * Math.min(t, tInf))) * Math.exp(-lam * Math.max(t - tInf, 0));
  return part(a, A) + part(b, B);
}

export const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/**
 * Exponents α > β of the 2-compartment model, the roots of s² − (k10 + k12 + k21)s + k10·k21
 * (k10 = CL/V1, k12 = Q/V1, k21 = Q/V2), and its unit response Σ A_i·e^(−λ_i t) to a bolus,
 * A_α = (α − k21)/(V1(α − β)), A_β = (k21 − β)/(V1(α − β)) (Gibaldi & Perrier).
 */
export function twoCmtUnitResponse(
  cl: number,
  v1: number,
  q: number,
  v2: number,
): { alpha: number; beta: number; k21: number; terms: [number, number][] } {
  const k10 = cl / v1;
  const k21 = q / v2;
  const sum = k10 + q / v1 + k21;
  const disc = Math.sqrt(sum * sum - 4 * k10 * k21);
  const alpha = (sum + disc) / 2;
  const beta = (sum - disc) / 2;
  return {
    alpha,
    beta,
    k21,
    terms: [
      [alpha, (alpha - k21) / (v1 * (alpha - beta))],
      [beta, (k21 - beta) / (v1 * (alpha - beta))],
    ],
  };
}

/**
 * One dose D (bioavailable amount) at t = 0 through n first-order steps at rate k (a depot and
 * n − 1 transit compartments) into a 2-compartment model: the input is the Erlang(n, k) density
 * D·kⁿ·s^(n−1)·e^(−ks)/(n−1)!, and its convolution with the unit response gives
 * C(t) = D·Σ A_i·e^(−λ_i t)·(k/d_i)ⁿ·(1 − e^(−d_i t)·Σ_{j<n} (d_i t)^j/j!), d_i = k − λ_i.
 */
export function erlangTwoCmt(
  cl: number,
  v1: number,
  q: number,
  v2: number,
  k: number,
  steps: number,
  dose: number,
  t: number,
): number {
  if (t <= 0) return 0;
  let c = 0;
  for (const [lam, A] of twoCmtUnitResponse(cl, v1, q, v2).terms) {
    const d = k - lam;
    let partial = 0;
    let term = 1;
    for (let j = 0; j < steps; j++) {
      partial += term;
      term *= (d * t) / (j + 1);
    }
    c += A * Math.exp(-lam * t) * Math.pow(k / d, steps) * (1 - Math.exp(-d * t) * partial);
  }
  return dose * c;
}

/**
 * 2-compartment first-order absorption, single dose D at time 0 with lag tLag (Gibaldi & Perrier):
 * C(τ) = D·ka/V1 · Σ_{r ∈ {α, β, ka}} (k21 − r)/Π_{s ≠ r}(s − r) · e^(−r·τ), τ = t − tLag ≥ 0.
 */
export function twoCmtOral(
  cl: number,
  v1: number,
  q: number,
  v2: number,
  ka: number,
  dose: number,
  tLag: number,
  t: number,
): number {
  const tau = t - tLag;
  if (tau <= 0) return 0;
  const k10 = cl / v1;
  const k21 = q / v2;
  const sum = k10 + q / v1 + k21;
  const disc = Math.sqrt(sum * sum - 4 * k10 * k21);
  const rates = [(sum + disc) / 2, (sum - disc) / 2, ka];
  let c = 0;
  for (const r of rates) {
    let den = 1;
    for (const s of rates) if (s !== r) den *= s - r;
    c += ((k21 - r) / den) * Math.exp(-r * tau);
  }
  return ((dose * ka) / v1) * c;
}

/** ISO time `h` hours after `t0` (ms since the epoch). */
export const hoursAfter =
  (t0: number) =>
  (h: number): string =>
    new Date(t0 + h * 3_600_000).toISOString();

/** The ICU vancomycin patient's baseline covariates (82-kg man of 58, SCr 95 µmol/L, no dialysis), recorded at −2 h. */
export function vancoCovariates(at: (h: number) => string): {
  at: string;
  name: string;
  value: number;
  unit: string;
}[] {
  return (
    [
      ['WT', 82, 'kg'],
      ['AGE', 58, 'y'],
      ['SCR', 95, 'umol/L'],
      ['SEX', 0, '-'],
      ['DIAL', 0, '-'],
    ] as const
  ).map(([name, value, unit]) => ({ at: at(-2), name, value, unit }));
}

// The products' limits of administration, written out from the drug files' sources independently
// of the code that reads them: the property tests check candidates against these numbers.
export type Mass = [number, 'mg' | 'mg/kg'];
/**
 * What each drug's label (or the guideline the library follows) allows for the products its
 * models are searched with, keyed by the drug's folder: vancomycin EU SmPC 2017 (2 g a dose, 10 mg/min, at least 60 min; loading
 * 30 mg/kg and 3000 mg, Rybak 2020); piperacillin/tazobactam EU SmPC (4 g piperacillin a dose,
 * 16 g a day, at least 30 min); gentamicin (7 mg/kg a dose and a day in neonates, at least 3 min);
 * amikacin (30 mg/kg a dose and a day, Afssaps 2011, 30-60 min); meropenem (2 g a dose, 6 g a
 * day, 30 min to 3 h); ciclosporin Neoral (15 mg/kg a day); CellCept (1.5 g a dose, 3 g a day);
 * Vfend tablets (300 mg a dose, 600 mg a day, loading 400 mg).
 */
export const LABEL_LIMITS: Record<
  string,
  {
    maxDose?: Mass;
    maxDaily?: Mass;
    maxLoading?: Mass[];
    mgPerMin?: number;
    minMin?: number;
    maxMin?: number;
  }
> = {
  vancomycin: {
    maxDose: [2000, 'mg'],
    maxLoading: [
      [30, 'mg/kg'],
      [3000, 'mg'],
    ],
    mgPerMin: 10,
    minMin: 60,
  },
  piperacillin: { maxDose: [4000, 'mg'], maxDaily: [16000, 'mg'], minMin: 30 },
  gentamicin: { maxDose: [7, 'mg/kg'], maxDaily: [7, 'mg/kg'], minMin: 3 },
  amikacin: { maxDose: [30, 'mg/kg'], maxDaily: [30, 'mg/kg'], minMin: 30, maxMin: 60 },
  meropenem: { maxDose: [2000, 'mg'], maxDaily: [6000, 'mg'], minMin: 30, maxMin: 180 },
  ciclosporin: { maxDaily: [15, 'mg/kg'] },
  'mycophenolic-acid': { maxDose: [1500, 'mg'], maxDaily: [3000, 'mg'] },
  voriconazole: { maxDose: [300, 'mg'], maxDaily: [600, 'mg'], maxLoading: [[400, 'mg']] },
};
