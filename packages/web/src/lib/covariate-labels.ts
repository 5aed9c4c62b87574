/**
 * How the app writes a covariate: its register name with its label in the UI language, and a
 * value with its unit or, for a coded covariate, with what the code means (`SEX = 0 (male)`).
 * Everything comes from the model library's covariate register; nothing is listed here.
 */
import { COVARIATE_REGISTER, type CovariateEntry } from '@dosetwin/models';
import type { Lang } from '../i18n/index.ts';
import { fmt, unitLabel } from './units.ts';

/** Every register entry, in the register's order (body size, kidney, blood, genotypes, treatment). */
export const COVARIATES: readonly CovariateEntry[] = Object.values(COVARIATE_REGISTER);

/** The register's entry of a name, or null for a name it does not know. */
export const covariateOf = (name: string): CovariateEntry | null => COVARIATE_REGISTER[name] ?? null;

/** `WT — Body weight` (`WT — Poids`). */
export function covariateLabel(name: string, lang: Lang): string {
  const e = covariateOf(name);
  return e ? `${name} — ${e.label[lang]}` : name;
}

/** `0 = male` for a code of a binary or coded covariate. */
export const codeLabel = (c: { value: number; en: string; fr: string }, lang: Lang): string =>
  `${c.value} = ${c[lang]}`;

/** A recorded value as written in the timeline: `82 kg`, `95 µmol/L`, `0 (male)`. */
export function covariateValue(c: { name: string; value: number; unit: string }, lang: Lang): string {
  const code = covariateOf(c.name)?.codes?.find((k) => k.value === c.value);
  if (code) return `${c.value} (${code[lang]})`;
  return c.unit === '-' ? fmt(c.value, lang, 6) : `${fmt(c.value, lang, 6)} ${unitLabel(c.unit, lang)}`;
}
