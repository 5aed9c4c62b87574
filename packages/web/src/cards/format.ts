/** How the analysis cards write regimens and probabilities (display only; units converted by the engine's table). */
import { ptaBelowThreshold, type Regimen } from '@dosetwin/models';
import type { Key, Lang } from '../i18n/index.ts';
import { convertUnit, fmt, unitLabel } from '../lib/units.ts';

/** The colon before a value: French typography puts a space before it (`Schéma retenu : …`). */
export const colon = (lang: Lang): string => (lang === 'fr' ? ' : ' : ': ');

/** A probability as a whole percentage: `34 %`. */
export const pct = (x: number): string => `${Math.round(x * 100)} %`;

/**
 * A target's mark: ✓ met at the individual prediction, ✗ not; `✓ ⚠` when met but the PTA is below
 * the threshold (more likely missed than met), so that a ✓ never stands alone beside a low PTA.
 */
export const metMark = (met: boolean, pta: { all: number } | null | undefined): string =>
  met ? (ptaBelowThreshold(pta) ? '✓ ⚠' : '✓') : '✗';

/** A PTA as shown beside the targets: `34 % ⚠` below the threshold. */
export const ptaMark = (pta: { all: number }): string =>
  `${pct(pta.all)}${ptaBelowThreshold(pta) ? ' ⚠' : ''}`;

/** A quantity in hours, for the forms and lines that show hours. */
export const hours = (q: { value: number; unit: string } | null): number =>
  q ? convertUnit(q.value, q.unit, 'h') : 0;

/** A duration as a pump is set: whole hours `2 h`, else hours and minutes `3 h 20 min`, `30 min`. */
export function durationText(q: { value: number; unit: string }, lang: Lang): string {
  const min = Math.round(hours(q) * 60 * 1000) / 1000;
  const h = Math.floor(min / 60 + 1e-9);
  const rest = Math.round((min - h * 60) * 1000) / 1000;
  if (rest === 0) return `${fmt(h, lang)} h`;
  return h > 0 ? `${fmt(h, lang)} h ${fmt(rest, lang)} min` : `${fmt(rest, lang)} min`;
}

/**
 * A dose in the unit clinicians prescribe it in: from 100 µg up, in mg (tacrolimus's 2500 µg, the
 * model's unit, is written 2.5 mg, as its capsules' strengths are); other doses as they are.
 */
export function clinicalDose(q: { value: number; unit: string }): { value: number; unit: string } {
  if (q.unit === 'ug' && q.value >= 100) return { value: convertUnit(q.value, 'ug', 'mg'), unit: 'mg' };
  return q;
}

/**
 * A regimen as one line, hours for the interval, hours and minutes for the infusion:
 * `1000 mg / 12 h (over 1 h 40 min)`, with a loading dose `2500 mg (over 4 h 10 min), then …`.
 */
export function regimenLine(r: Regimen, lang: Lang, t: (k: Key) => string): string {
  const h = (q: { value: number; unit: string }): string => fmt(hours(q), lang);
  const dose = (x: { value: number; unit: string }): string => {
    const q = clinicalDose(x);
    return `${fmt(q.value, lang)} ${unitLabel(q.unit)}`;
  };
  const over = (d: { value: number; unit: string } | null): string =>
    d ? ` (${t('over')} ${durationText(d, lang)})` : '';
  const loading = r.loading ? `${dose(r.loading.dose)}${over(r.loading.duration)}, ${t('then')} ` : '';
  return `${loading}${dose(r.dose)} / ${h(r.interval)} h${over(r.duration)}`;
}
