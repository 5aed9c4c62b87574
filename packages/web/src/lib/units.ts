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
 * A number for display: 4 significant digits, no trailing zeros, French or English decimal mark;
 * with `group`, thousands separated as each language writes them (`1,234.5`; `1 234,5` with the
 * narrow no-break space of `toLocaleString('fr-FR')`), as the charts' axes and tooltips show them.
 */
export function fmt(x: number, lang: 'en' | 'fr' = 'en', digits = 4, group = false): string {
  if (!Number.isFinite(x)) return '–';
  const [whole, fraction] = String(Number(x.toPrecision(digits))).split('.');
  const int = group ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? '\u202f' : ',') : whole;
  return fraction === undefined ? int : `${int}${lang === 'fr' ? ',' : '.'}${fraction}`;
}

/** Display form of a unit (µ for the ASCII u the engine stores). */
export function unitLabel(u: string, lang: 'en' | 'fr' = 'en'): string {
  // Years and days as a French reader writes them (ans, j); the other symbols are international.
  if (lang === 'fr' && (u === 'y' || u === 'd')) return u === 'y' ? 'ans' : 'j';
  return u.replace(/^u(?=g|mol|L)/, 'µ').replace(/\/u(?=g|L)/, '/µ');
}
