import { fail } from './errors.ts';

/**
 * The one conversion table. Every unit belongs to a dimension and has a factor to that dimension's
 * base (mass: mg; volume: L; time: h; concentration: mg/L; amount-of-substance concentration is
 * not convertible without a molar mass and is rejected). Conversions happen at the edges only.
 */
const TABLE: Record<string, { dim: string; factor: number }> = {
  kg: { dim: 'mass', factor: 1e6 },
  g: { dim: 'mass', factor: 1000 },
  mg: { dim: 'mass', factor: 1 },
  ug: { dim: 'mass', factor: 1e-3 },
  µg: { dim: 'mass', factor: 1e-3 },
  mcg: { dim: 'mass', factor: 1e-3 },
  ng: { dim: 'mass', factor: 1e-6 },
  L: { dim: 'volume', factor: 1 },
  dL: { dim: 'volume', factor: 0.1 },
  mL: { dim: 'volume', factor: 1e-3 },
  h: { dim: 'time', factor: 1 },
  min: { dim: 'time', factor: 1 / 60 },
  d: { dim: 'time', factor: 24 },
  s: { dim: 'time', factor: 1 / 3600 },
  'g/L': { dim: 'conc', factor: 1000 },
  'mg/L': { dim: 'conc', factor: 1 },
  'ug/mL': { dim: 'conc', factor: 1 },
  'µg/mL': { dim: 'conc', factor: 1 },
  'mg/dL': { dim: 'conc', factor: 10 },
  'ug/L': { dim: 'conc', factor: 1e-3 },
  'µg/L': { dim: 'conc', factor: 1e-3 },
  'ng/mL': { dim: 'conc', factor: 1e-3 },
  'ng/L': { dim: 'conc', factor: 1e-6 },
  'mg*h/L': { dim: 'exposure', factor: 1 },
  'ug*h/mL': { dim: 'exposure', factor: 1 },
  'ug*h/L': { dim: 'exposure', factor: 1e-3 },
  'ng*h/mL': { dim: 'exposure', factor: 1e-3 },
};

export function isKnownUnit(u: string): boolean {
  return u in TABLE;
}

/** Convert `value` from unit `from` to unit `to`; an unknown or incompatible unit is an error naming `field`. */
export function convert(value: number, from: string, to: string, field = 'unit'): number {
  const a = TABLE[from];
  const b = TABLE[to];
  if (!a)
    fail('DT_UNIT_UNKNOWN', field, `unknown unit '${from}'`, {
      hint: `known units: ${Object.keys(TABLE).join(', ')}`,
    });
  if (!b)
    fail('DT_UNIT_UNKNOWN', field, `unknown unit '${to}'`, {
      hint: `known units: ${Object.keys(TABLE).join(', ')}`,
    });
  if (a.dim !== b.dim)
    fail('DT_UNIT_INCOMPATIBLE', field, `cannot convert ${from} (${a.dim}) to ${to} (${b.dim})`);
  return from === to ? value : (value * a.factor) / b.factor;
}
