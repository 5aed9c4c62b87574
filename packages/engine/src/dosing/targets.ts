import { DosetwinError } from '../errors.ts';
import { convert, isKnownUnit } from '../units.ts';
import type { Exposure } from './exposure.ts';

/**
 * Exposure metrics a target can name:
 * - `auc24` AUC over 24 h; `auctau` AUC over one dosing interval; `cavg` average concentration;
 * - `cmin` / `trough` / `c0` lowest concentration over the interval; `cmax` / `peak` highest;
 * - `c_eoi_1h`, `c_eoi_30min` concentration 1 h or 30 min after the end of the infusion
 *   (aminoglycoside peaks: 30 min after a 30-min infusion for amikacin and gentamicin);
 * - `ft_mic` % of the interval with unbound concentration above the MIC;
 * - `fauc_mic` fAUC24/MIC; `cmax_mic` Cmax/MIC.
 */
export const METRICS = [
  'auc24',
  'auctau',
  'cavg',
  'cmin',
  'trough',
  'c0',
  'cmax',
  'peak',
  'c_eoi_1h',
  'c_eoi_30min',
  'ft_mic',
  'fauc_mic',
  'cmax_mic',
] as const;
export type Metric = (typeof METRICS)[number];

/** The kind of quantity a metric is, to convert its unit. */
function dimension(m: Metric): 'exposure' | 'conc' | 'ratio' | 'percent' {
  if (m === 'auc24' || m === 'auctau') return 'exposure';
  if (m === 'ft_mic') return 'percent';
  if (m === 'fauc_mic' || m === 'cmax_mic') return 'ratio';
  return 'conc';
}

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
  if (!(METRICS as readonly string[]).includes(name))
    bad(`unknown metric '${name}'`, `metrics: ${METRICS.join(', ')}`);
  const metric = name as Metric;
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
  const dim = dimension(metric);
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
  switch (t.metric) {
    case 'auc24':
      return day.auc;
    case 'auctau':
      return interval.auc;
    case 'cavg':
      return interval.cavg;
    case 'cmin':
    case 'trough':
    case 'c0':
      return interval.cmin;
    case 'cmax':
    case 'peak':
      return interval.cmax;
    case 'c_eoi_1h':
      return interval.cAt[0];
    case 'c_eoi_30min':
      return interval.cAt[1];
    case 'ft_mic':
      return interval.mic!.fTAbovePct;
    case 'fauc_mic':
      return day.mic!.fAucOverMic;
    case 'cmax_mic':
      return interval.mic!.cmaxOverMic;
  }
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
  return t.metric === 'ft_mic' || t.metric === 'fauc_mic' || t.metric === 'cmax_mic';
}
