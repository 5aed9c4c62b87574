/** How the analysis cards write regimens and probabilities (display only; units converted by the engine's table). */
import type { Regimen } from '@dosetwin/models';
import type { Key, Lang } from '../i18n/index.ts';
import { convertUnit, fmt, unitLabel } from '../lib/units.ts';

/** A probability as a whole percentage: `34 %`. */
export const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** A quantity in hours, for the forms and lines that show hours. */
export const hours = (q: { value: number; unit: string } | null): number =>
  q ? convertUnit(q.value, q.unit, 'h') : 0;

/**
 * A regimen as one line, hours for the interval and infusion: `1000 mg / 12 h (over 1 h)`, with a
 * loading dose `2500 mg (over 2.5 h), then 1000 mg / 12 h (over 1 h)`.
 */
export function regimenLine(r: Regimen, lang: Lang, t: (k: Key) => string): string {
  const h = (q: { value: number; unit: string }): string => fmt(hours(q), lang);
  const dose = (q: { value: number; unit: string }): string => `${fmt(q.value, lang)} ${unitLabel(q.unit)}`;
  const over = (d: { value: number; unit: string } | null): string => (d ? ` (${t('over')} ${h(d)} h)` : '');
  const loading = r.loading ? `${dose(r.loading.dose)}${over(r.loading.duration)}, ${t('then')} ` : '';
  return `${loading}${dose(r.dose)} / ${h(r.interval)} h${over(r.duration)}`;
}
