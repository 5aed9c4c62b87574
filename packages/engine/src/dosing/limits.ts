/**
 * What a product's label allows, as numbers in a model's units, and the one reading of it the
 * regimen search and every check share: the largest single, daily and loading dose, the fastest
 * infusion rate and the shortest and longest infusion. The search builds its candidates inside
 * these limits (a dose's infusion is lengthened to respect the rate, the dose capped at what the
 * interval allows) rather than filtering candidates afterwards, so that it can always propose the
 * best regimen within them and say when the target lies beyond.
 */
import { convert } from '../units.ts';

/** Limits of administration, in a model's dose and time units (absent = no limit). */
export interface AdministrationLimits {
  /** Largest single maintenance dose. */
  maxDose?: number;
  /** Largest amount per 24 h (dose × 24 h / interval). */
  maxDailyDose?: number;
  /** Largest loading dose (the first administration); absent: `maxDose`. */
  maxLoadingDose?: number;
  /**
   * Fastest infusion, dose unit per time unit (vancomycin: 10 mg/min = 600 mg/h): a dose d runs
   * over at least d / maxRate, rounded up to `durationStep`.
   */
  maxRate?: number;
  /** Shortest infusion (vancomycin: 60 min); listed durations below it are lengthened to it. */
  minDuration?: number;
  /** Longest infusion; absent: the interval (an infusion never runs into the next dose). */
  maxDuration?: number;
  /** Durations derived from the rate are rounded up to a multiple of this (10 min: what a pump is set to). */
  durationStep?: number;
}

/** Relative slack for comparisons with limits (doses carry 12 significant digits). */
const TOL = 1e-9;

/** The shortest infusion a dose may run over: the minimum duration, and dose / rate rounded up to the step. */
export function shortestInfusion(dose: number, l: AdministrationLimits): number {
  let d = l.minDuration ?? 0;
  if (l.maxRate !== undefined && l.maxRate > 0 && dose > 0) {
    let byRate = dose / l.maxRate;
    if (l.durationStep !== undefined && l.durationStep > 0)
      byRate = Math.ceil(byRate / l.durationStep - TOL) * l.durationStep;
    d = Math.max(d, byRate);
  }
  return d;
}

/**
 * The infusion duration a dose is given over when `listed` is offered: the listed one, lengthened
 * to the dose's shortest infusion; null when that exceeds the longest allowed or the interval (the
 * dose cannot be given at that interval). A bolus or oral dose (listed 0) stays 0 unless the
 * limits require an infusion.
 */
export function infusionFor(
  dose: number,
  listed: number,
  interval: number,
  l: AdministrationLimits,
): number | null {
  const d = Math.max(listed, shortestInfusion(dose, l));
  const longest = Math.min(interval, l.maxDuration ?? Infinity);
  return d <= longest * (1 + TOL) ? d : null;
}

/** Which limit caps a dose: the single-dose maximum, the daily maximum, or the infusion rate over the longest infusion. */
export type CappedBy = 'maxDose' | 'maxDailyDose' | 'maxRate';

/**
 * The largest maintenance dose at an interval (model time unit) and the limit that sets it:
 * min(maxDose, maxDailyDose·24 h/τ, maxRate·min(τ, maxDuration)); Infinity and null without limits.
 */
export function doseCeiling(
  interval: number,
  l: AdministrationLimits,
  timeUnit: string,
): { dose: number; by: CappedBy | null } {
  let best: { dose: number; by: CappedBy | null } = { dose: Infinity, by: null };
  const take = (dose: number, by: CappedBy): void => {
    if (dose < best.dose) best = { dose, by };
  };
  if (l.maxDose !== undefined) take(l.maxDose, 'maxDose');
  if (l.maxDailyDose !== undefined)
    take((l.maxDailyDose * interval) / convert(24, 'h', timeUnit, 'time'), 'maxDailyDose');
  if (l.maxRate !== undefined) take(l.maxRate * Math.min(interval, l.maxDuration ?? Infinity), 'maxRate');
  return best;
}

/** The largest loading dose before maintenance at an interval: its maximum, and what its infusion allows within the interval. */
export function loadingCeiling(interval: number, l: AdministrationLimits, explicit?: number): number {
  const max = explicit ?? l.maxLoadingDose ?? l.maxDose ?? Infinity;
  return l.maxRate !== undefined
    ? Math.min(max, l.maxRate * Math.min(interval, l.maxDuration ?? Infinity))
    : max;
}

/** One limit a regimen breaks, with the values compared (model units). */
export interface LimitBreach {
  limit:
    'maxDose' | 'maxDailyDose' | 'maxLoadingDose' | 'maxRate' | 'minDuration' | 'maxDuration' | 'interval';
  /** Which administration: the maintenance dose or the loading dose. */
  of: 'dose' | 'loading';
  value: number;
  allowed: number;
}

/**
 * The limits a regimen breaks (none: []). Infusion limits apply to infused administrations
 * (duration > 0) and to any administration when a rate is set; a maintenance or loading infusion
 * longer than the interval is a breach too.
 */
export function limitBreaches(
  r: { dose: number; interval: number; duration: number; loadingDose?: number; loadingDuration?: number },
  l: AdministrationLimits,
  timeUnit: string,
): LimitBreach[] {
  const out: LimitBreach[] = [];
  const above = (v: number, max: number | undefined): boolean => max !== undefined && v > max * (1 + TOL);
  if (above(r.dose, l.maxDose))
    out.push({ limit: 'maxDose', of: 'dose', value: r.dose, allowed: l.maxDose! });
  const daily = (r.dose * convert(24, 'h', timeUnit, 'time')) / r.interval;
  if (above(daily, l.maxDailyDose))
    out.push({ limit: 'maxDailyDose', of: 'dose', value: daily, allowed: l.maxDailyDose! });
  const infusion = (dose: number, duration: number, of: 'dose' | 'loading'): void => {
    if (!(dose > 0)) return;
    if (l.maxRate !== undefined && (duration <= 0 || above(dose / duration, l.maxRate)))
      out.push({
        limit: 'maxRate',
        of,
        value: duration > 0 ? dose / duration : Infinity,
        allowed: l.maxRate,
      });
    if (duration > 0 && l.minDuration !== undefined && duration < l.minDuration * (1 - TOL))
      out.push({ limit: 'minDuration', of, value: duration, allowed: l.minDuration });
    if (above(duration, l.maxDuration))
      out.push({ limit: 'maxDuration', of, value: duration, allowed: l.maxDuration! });
    if (above(duration, r.interval))
      out.push({ limit: 'interval', of, value: duration, allowed: r.interval });
  };
  infusion(r.dose, r.duration, 'dose');
  if (r.loadingDose !== undefined && r.loadingDose > 0) {
    const max = l.maxLoadingDose ?? l.maxDose;
    if (above(r.loadingDose, max))
      out.push({ limit: 'maxLoadingDose', of: 'loading', value: r.loadingDose, allowed: max! });
    infusion(r.loadingDose, r.loadingDuration ?? r.duration, 'loading');
  }
  return out;
}
