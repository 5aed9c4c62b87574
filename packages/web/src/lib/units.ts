/**
 * Units offered in the dose, level and what-if forms (chosen from lists, never typed) and the
 * conversions the UI shows. Every list entry is a unit the engine's conversion table knows, so a
 * value entered in it reaches the model converted and reported (`12 ng/mL → 0.012 mg/L`), never
 * guessed. Covariate units are the covariate register's (lib/covariate-labels.ts).
 */
import { convert } from '@dosetwin/engine';

/** Dose amounts. */
export const MASS_UNITS = ['mg', 'g', 'ug', 'ng'] as const;
/** Drug concentrations (mass per volume; molar units need the molar mass and are refused by the API). */
export const CONC_UNITS = ['mg/L', 'ug/mL', 'ug/L', 'ng/mL'] as const;
/** Durations and intervals. */
export const TIME_UNITS = ['h', 'min'] as const;

/** `value` from unit `from` to `to` through the engine's one table; throws a DosetwinError naming `field`. */
export function convertUnit(value: number, from: string, to: string, field = 'unit'): number {
  return convert(value, from, to, field);
}

/**
 * How many digits `fmt` writes: significant digits (a number), or decimals, trailing zeros
 * dropped (`{ decimals: 2 }`: 4.25, 4.3, 4) or, `fixed`, kept (`{ decimals: 1, fixed: true }`:
 * 95.0, as a PTA with its Monte Carlo SE reads).
 */
export type Digits = number | { decimals: number; fixed?: boolean };

/**
 * A number for display, the app's one number format: 4 significant digits unless `digits` says
 * otherwise, no trailing zeros, French or English decimal mark; with `group`, thousands separated
 * as each language writes them (`1,234.5`; `1 234,5` with the narrow no-break space of
 * `toLocaleString('fr-FR')`), as the charts' axes and tooltips show them. A value that rounds to
 * zero is written 0, never -0.
 */
export function fmt(x: number, lang: 'en' | 'fr' = 'en', digits: Digits = 4, group = false): string {
  if (!Number.isFinite(x)) return '–';
  const text =
    typeof digits === 'number'
      ? String(Number(x.toPrecision(digits)))
      : x.toFixed(digits.decimals).replace(/^-(?=[0.]+$)/, '');
  const [whole, all] = text.split('.');
  const fraction = typeof digits === 'number' || digits.fixed ? all : all?.replace(/0+$/, '') || undefined;
  const int = group ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? '\u202f' : ',') : whole;
  return fraction === undefined ? int : `${int}${lang === 'fr' ? ',' : '.'}${fraction}`;
}

/**
 * A change for display: `fmt` of its size after its sign, + when it rises and a true minus (−,
 * U+2212, as typeset text writes it, not the hyphen) when it falls; no sign when it rounds to 0.
 */
export function fmtSigned(x: number, lang: 'en' | 'fr' = 'en', digits: Digits = 4, group = false): string {
  const size = fmt(Math.abs(x), lang, digits, group);
  if (size === '–' || /^0(?:[.,]0*)?$/.test(size)) return size;
  return `${x > 0 ? '+' : '−'}${size}`;
}

/** Display form of a unit (µ for the ASCII u the engine stores). */
export function unitLabel(u: string, lang: 'en' | 'fr' = 'en'): string {
  // Years and days as a French reader writes them (ans, j); the other symbols are international.
  if (lang === 'fr' && (u === 'y' || u === 'd')) return u === 'y' ? 'ans' : 'j';
  return u.replace(/^u(?=g|mol|L)/, 'µ').replace(/\/u(?=g|L)/, '/µ');
}
