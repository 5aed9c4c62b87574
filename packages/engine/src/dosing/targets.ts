import { DosetwinError } from '../errors.ts';
import { convert, isKnownUnit } from '../units.ts';
import type { Exposure } from './exposure.ts';
import { findMetric, METRIC_DEFS, METRIC_NAMES, metricDef } from './metrics.ts';

/** Every metric name a target may use (the registry's names and aliases, see metrics.ts). */
export const METRICS: readonly string[] = METRIC_NAMES;
/** A metric name or alias of the registry. */
export type Metric = string;

export interface Target {
  metric: Metric;
  /** Range in the model's units (exposure: conc·time; concentrations: conc); null = open. */
  lo: number | null;
  hi: number | null;
  /** 1 = most important. */
  priority: number;
  /** The text it came from, for reports. */
  text: string;
}

/**
 * Parse `auc24=400..600`, `trough=5..10 ug/L`, `ft_mic>=100`, `cmax_mic>=8` into a target in the
 * model's units (`concUnit`, `timeUnit`); a unit, when given, is converted and must be compatible.
 */
export function parseTarget(text: string, concUnit: string, timeUnit: string, priority = 1): Target {
  const bad = (message: string, hint?: string): never => {
    throw new DosetwinError([
      {
        code: 'DT_TARGET',
        severity: 'error',
        field: 'target',
        message: `'${text}': ${message}`,
        ...(hint ? { hint } : {}),
      },
    ]);
  };
  const NUM = '[-+]?(?:\\d+(?:\\.(?!\\.)\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?';
  const m = new RegExp(`^\\s*([a-z0-9_]+)\\s*(=|>=|<=)\\s*(${NUM})?(?:\\.\\.(${NUM})?)?\\s*(.*?)\\s*$`).exec(
    text,
  );
  if (!m) bad('not a target', "write e.g. 'auc24=400..600', 'trough=5..10 ug/L', 'ft_mic>=100'");
  const [, name, op, a, b, unit] = m!;
  const def = findMetric(name);
  if (!def)
    bad(
      `unknown metric '${name}'`,
      `metrics: ${METRIC_DEFS.map((d) => [d.name, ...d.aliases].join(' | ')).join(', ')}`,
    );
  const metric = name;
  const num = (s: string | undefined): number | null => {
    if (s === undefined || s === '') return null;
    const v = Number(s);
    if (!Number.isFinite(v)) bad(`'${s}' is not a number`);
    return v;
  };
  let lo: number | null;
  let hi: number | null;
  if (op === '=') {
    if (b === undefined) {
      lo = num(a);
      hi = lo;
    } else {
      lo = num(a);
      hi = num(b);
    }
  } else if (op === '>=') {
    if (b !== undefined) bad("use either '>=' or a range");
    lo = num(a);
    hi = null;
  } else {
    if (b !== undefined) bad("use either '<=' or a range");
    lo = null;
    hi = num(a);
  }
  if (lo === null && hi === null) bad('no bound given');
  if (lo !== null && hi !== null && lo > hi) bad(`lower bound ${lo} is above upper bound ${hi}`);
  const dim = def!.dimension;
  if (unit) {
    let factor: number;
    if (dim === 'exposure') {
      const parts = /^(.+?)\*(\w+)\/(\w+)$/.exec(unit.replace(/·/g, '*'));
      // mg*h/L-style: mass·time/volume → model conc·time.
      if (!parts) bad(`unit '${unit}' is not an exposure unit like mg*h/L`);
      const [, mass, t, vol] = parts!;
      const conc = `${mass}/${vol}`;
      if (!isKnownUnit(conc)) bad(`unknown concentration '${conc}' in '${unit}'`);
      factor = convert(1, conc, concUnit, 'target') * convert(1, t, timeUnit, 'target');
    } else if (dim === 'conc') factor = convert(1, unit, concUnit, 'target');
    else if (dim === 'percent' && unit === '%') factor = 1;
    else return bad(`metric ${metric} takes no unit`);
    if (lo !== null) lo *= factor;
    if (hi !== null) hi *= factor;
  }
  return { metric, lo, hi, priority, text };
}

/** The value of a target's metric from an exposure (window = the dosing interval or 24 h as the metric says). */
export function metricValue(t: Target, interval: Exposure, day: Exposure): number {
  return metricDef(t.metric).read({ interval, day });
}

export function inTarget(t: Target, v: number): boolean {
  return (t.lo === null || v >= t.lo * (1 - 1e-12)) && (t.hi === null || v <= t.hi * (1 + 1e-12));
}

/** The value aimed at: the middle of the range (what a clinician means by "aim for 500"), or the bound of a one-sided target. */
export function targetCentre(t: Target): number {
  if (t.lo !== null && t.hi !== null) return (t.lo + t.hi) / 2;
  return (t.lo ?? t.hi)!;
}

export function needsMic(t: Target): boolean {
  return metricDef(t.metric).mic;
}
