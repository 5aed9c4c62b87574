/**
 * A patient's individual parameters as a clinician reads them: each value with its unit (the
 * unit checker's inference from the model file), the structural ones (clearance, volumes,
 * absorption) first, and the half-lives of the linear compartmental structure (distribution and
 * terminal), from the eigenvalues of its rate matrix. A model without a closed-form linear
 * structure (explicit ODEs, saturable elimination) has no single half-life: none is given, and
 * the reason says so.
 */
import { type Expr, variableUnits } from '@dosetwin/engine';
import type { Quantity } from './regimen.ts';
import { getModel } from './registry.ts';

export interface IndividualParameter {
  name: string;
  value: number;
  /** `L/h`, `L`, `1/h`; `-` dimensionless; null when the unit checker cannot infer it. */
  unit: string | null;
  /** Whether it is an argument of the model's compartmental structure (cl, v, q, ka…). */
  structural: boolean;
}

export interface IndividualSummary {
  parameters: IndividualParameter[];
  /** The terminal half-life (slowest disposition rate), in the model's time unit; null with `halfLifeReason`. */
  halfLife: Quantity | null;
  /** The distribution half-lives (the faster disposition rates), fastest first; [] for one compartment. */
  distributionHalfLives: Quantity[];
  /** Why there is no half-life, else null. */
  halfLifeReason: 'not-linear' | 'not-computable' | null;
}

/** Disposition rates (1/time) of a mammillary model with elimination from the central compartment, slowest last. */
export function dispositionRates(k: {
  k10: number;
  k12?: number;
  k21?: number;
  k13?: number;
  k31?: number;
}): number[] {
  const { k10, k12 = 0, k21 = 0, k13 = 0, k31 = 0 } = k;
  if (!k13 || !k31) {
    if (!k12 || !k21) return [k10];
    // λ² − (k10 + k12 + k21) λ + k10·k21 = 0
    const s = k10 + k12 + k21;
    const d = Math.sqrt(Math.max(0, s * s - 4 * k10 * k21));
    return [(s + d) / 2, (s - d) / 2];
  }
  // λ³ − a2 λ² + a1 λ − a0 = 0; three real positive roots (trigonometric solution).
  const a2 = k10 + k12 + k13 + k21 + k31;
  const a1 = k10 * k21 + k10 * k31 + k12 * k31 + k13 * k21 + k21 * k31;
  const a0 = k10 * k21 * k31;
  const b = -a2;
  const c = a1;
  const dd = -a0;
  const p = c - (b * b) / 3;
  const q = (2 * b * b * b) / 27 - (b * c) / 3 + dd;
  const r = 2 * Math.sqrt(-p / 3);
  const phi = Math.acos(Math.max(-1, Math.min(1, ((3 * q) / (2 * p)) * Math.sqrt(-3 / p)))) / 3;
  const roots = [0, 1, 2].map((j) => r * Math.cos(phi - (2 * Math.PI * j) / 3) - b / 3);
  return roots.sort((x, y) => y - x);
}

const refName = (e: Expr | undefined): string | null => (e && e.k === 'ref' ? e.name : null);

/** The individual parameters of `modelId` (`values`: the twin's, model units), with units and half-lives. */
export function individualSummary(modelId: string, values: Record<string, number>): IndividualSummary {
  const ir = getModel(modelId).ir;
  // Covariates carried in the values keep their declared unit; equation variables the inferred one.
  const units: Record<string, string> = {
    ...Object.fromEntries(ir.covariates.map((c) => [c.name, c.unit])),
    ...variableUnits(ir),
  };
  const args = ir.pk?.args ?? {};
  const structural = new Set(
    Object.values(args)
      .map(refName)
      .filter((x): x is string => x !== null),
  );
  const parameters = Object.entries(values)
    .map(([name, value]) => ({ name, value, unit: units[name] ?? null, structural: structural.has(name) }))
    .sort((a, b) => Number(b.structural) - Number(a.structural));
  const none = (why: IndividualSummary['halfLifeReason']): IndividualSummary => ({
    parameters,
    halfLife: null,
    distributionHalfLives: [],
    halfLifeReason: why,
  });
  // Saturable or time-varying elimination written as ODEs has no single half-life.
  if (!ir.pk) return none('not-linear');
  const get = (...names: string[]): number | undefined => {
    for (const n of names) {
      const ref = refName(args[n]);
      if (ref !== null && Number.isFinite(values[ref])) return values[ref];
    }
    return undefined;
  };
  const cl = get('cl');
  const v1 = get('v1', 'v');
  if (!(cl! > 0 && v1! > 0)) return none('not-computable');
  const q = get('q', 'q2');
  const v2 = get('v2');
  const q3 = get('q3');
  const v3 = get('v3');
  const rates = dispositionRates({
    k10: cl! / v1!,
    ...(ir.pk.name !== 'one_cmt' && q! > 0 && v2! > 0 ? { k12: q! / v1!, k21: q! / v2! } : {}),
    ...(ir.pk.name === 'three_cmt' && q3! > 0 && v3! > 0 ? { k13: q3! / v1!, k31: q3! / v3! } : {}),
  });
  if (!rates.every((x) => x > 0 && Number.isFinite(x))) return none('not-computable');
  const t = (rate: number): Quantity => ({ value: Math.LN2 / rate, unit: ir.units.time });
  return {
    parameters,
    halfLife: t(rates[rates.length - 1]),
    distributionHalfLives: rates.slice(0, -1).map(t),
    halfLifeReason: null,
  };
}
