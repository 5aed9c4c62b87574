/**
 * The what-if's regimen, as the analysis page uses it: where it opens (the regimen a signed
 * decision retained, else candidate 1, else the last dose continued at its own interval) and
 * whether the regimen being tried is one of the ranked candidates (a 'modify' decision otherwise).
 */
import { convert } from '@dosetwin/engine';
import type { ClinicalRecord } from './patient.ts';
import type { Quantity, Regimen } from './regimen.ts';

const H = 3_600_000;

/** Relative tolerance of {@link sameRegimen} on doses and times (units converted). */
const REL = 1e-9;

/**
 * The same regimen: dose, interval and infusion duration equal after unit conversion (relative
 * 1e-9), the same route, and the same start when both have one (a start left null matches any).
 * The loading dose is compared the same way.
 */
export function sameRegimen(x: Regimen, y: Regimen): boolean {
  const q = (a: Quantity | null, b: Quantity | null, to: string): boolean =>
    a === null || b === null
      ? a === b
      : Math.abs(convert(a.value, a.unit, to) - convert(b.value, b.unit, to)) <=
        REL * Math.abs(convert(b.value, b.unit, to));
  const loading =
    x.loading === null || y.loading === null
      ? x.loading === y.loading
      : q(x.loading.dose, y.loading.dose, 'mg') && q(x.loading.duration, y.loading.duration, 'h');
  return (
    q(x.dose, y.dose, 'mg') &&
    q(x.interval, y.interval, 'h') &&
    q(x.duration, y.duration, 'h') &&
    x.route === y.route &&
    loading &&
    (x.start === null || y.start === null || Date.parse(x.start) === Date.parse(y.start))
  );
}

/**
 * The regimen the what-if opens on: the one a signed decision retained, else candidate 1, else the
 * current regimen ({@link currentRegimen}; null with a single dose and no candidate: there is no
 * interval to continue). A regimen without a start starts at the analysis's first new dose when it
 * has one, else one interval after the last dose.
 */
export function openingRegimen(
  inputs: Pick<ClinicalRecord, 'administrations'> & { start: string | null },
  candidates: readonly { regimen: Regimen }[],
  retained: Regimen | null,
): Regimen | null {
  const chosen = retained ?? candidates[0]?.regimen ?? null;
  if (!chosen) return currentRegimen(inputs);
  if (chosen.start) return chosen;
  return { ...chosen, start: inputs.start ?? nextDueAfterLast(inputs, chosen) };
}

/** When the regimen's next dose is due after the record's last dose (its interval later); null without a dose. */
function nextDueAfterLast(inputs: Pick<ClinicalRecord, 'administrations'>, r: Regimen): string | null {
  const last = Math.max(...inputs.administrations.map((a) => Date.parse(a.at)));
  if (!Number.isFinite(last)) return null;
  return new Date(last + convert(r.interval.value, r.interval.unit, 'h') * H).toISOString();
}

/**
 * The current regimen: the last dose given again at the interval since the dose before it, from
 * when its next dose is due (or the analysis's first new dose when it has one) — what the patient
 * gets if nothing changes. Null with fewer than two doses (no interval to continue).
 */
export function currentRegimen(
  inputs: Pick<ClinicalRecord, 'administrations'> & { start: string | null },
): Regimen | null {
  const doses = [...inputs.administrations].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = doses.at(-1);
  const before = doses.at(-2);
  if (!last || !before) return null;
  const gapH = (Date.parse(last.at) - Date.parse(before.at)) / H;
  if (!(gapH > 0)) return null;
  const r: Regimen = {
    dose: { value: last.amount, unit: last.unit },
    interval: { value: gapH, unit: 'h' },
    route: last.route,
    duration: last.duration,
    start: null,
    loading: null,
  };
  return { ...r, start: inputs.start ?? nextDueAfterLast(inputs, r) };
}

/**
 * The epoch times (ms) of a regimen's administrations from its first (`startMs`, the loading dose
 * when it has one) to `untilMs`, for the chart's dose marks; at most `max` of them.
 */
export function doseTimes(
  r: Pick<Regimen, 'interval'>,
  startMs: number,
  untilMs: number,
  max = 400,
): number[] {
  const tau = convert(r.interval.value, r.interval.unit, 'h', 'regimen.interval') * H;
  const out: number[] = [];
  if (!(tau > 0) || !Number.isFinite(startMs)) return out;
  for (let k = 0; k < max && startMs + k * tau <= untilMs; k++) out.push(startMs + k * tau);
  return out;
}

/**
 * A what-if edit applied to a regimen: the fields changed, and, when the interval changes while
 * the first new dose is the one the regimen was due at (its interval after the last dose), that
 * first dose moved to the new interval's due time. Changing 1500 mg / 24 h from its due time to
 * 1250 mg / 12 h then starts 12 h after the last dose, not 24 h (a missed dose); a first dose the
 * user set stays where it is.
 */
export function editedRegimen(
  inputs: Pick<ClinicalRecord, 'administrations'>,
  r: Regimen,
  patch: Partial<Regimen>,
): Regimen {
  const next = { ...r, ...patch };
  const changed =
    patch.interval !== undefined &&
    convert(patch.interval.value, patch.interval.unit, 'h') !==
      convert(r.interval.value, r.interval.unit, 'h');
  if (!changed || patch.start !== undefined || !r.start) return next;
  const due = nextDueAfterLast(inputs, r);
  if (due === null || Date.parse(due) !== Date.parse(r.start)) return next;
  return { ...next, start: nextDueAfterLast(inputs, next) };
}
