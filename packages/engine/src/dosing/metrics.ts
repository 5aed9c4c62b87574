/**
 * The target-metric registry: every exposure metric a target can name, described once. The
 * target parser (names, units), the regimen search (which window, refined extremes, MIC, exact
 * dose solve), the probability of target attainment, the forecast's exposure windows, unit
 * conversion between models and the web chart's target bands all read this table; a new metric
 * is one entry here.
 *
 * How to add a metric: give it a canonical name (snake case), its aliases, what it measures
 * (`dimension`: an exposure conc·time, a concentration, a ratio or a percentage), the window it is
 * read over (the dosing interval or the first 24 h), whether it needs the window's extremes
 * located precisely (`extremes`) or a MIC (`mic`), whether it is affine in the dose for linear
 * kinetics (integrals and values at fixed times are; extremes of a profile with a lag are not
 * guaranteed to be, so say no when unsure), and how it is read from the exposure. A concentration
 * at a fixed time after the end of the infusion states its offset (`afterInfusionH`): the
 * exposure is then computed at that time too. Add a test with a value known in closed form.
 */
import { convert } from '../units.ts';
import type { Exposure } from './exposure.ts';

/** The quantity a metric measures, for unit conversion. */
export type MetricDimension = 'exposure' | 'conc' | 'ratio' | 'percent';

/** The exposures a metric is read from: over the dosing interval, and over the first 24 h. */
export interface ExposurePair {
  interval: Exposure;
  day: Exposure;
}

export interface MetricDef {
  name: string;
  aliases: readonly string[];
  /** What it is, for messages and documentation. */
  label: string;
  dimension: MetricDimension;
  /** The window read: the dosing interval or the first 24 h from its start. */
  window: 'interval' | 'day';
  /** Needs the window's extremes (Cmin, Cmax) located on refined grids. */
  extremes: boolean;
  /** Needs a MIC (the exposure is then computed with one). */
  mic: boolean;
  /** Affine in the dose for linear kinetics: the dose search solves it from two evaluations. */
  affine: boolean;
  /** Reported in a forecast's exposure windows (the window statistics auc, cavg, cmin, cmax are always). */
  forecast: boolean;
  /** For a concentration at a fixed time after the end of the infusion: that time, hours. */
  afterInfusionH?: number;
  read(e: ExposurePair): number;
  /**
   * For a metric read from its window's AUC alone: its value from that AUC and the window, the
   * same operations as `read` on the window's exposure (so the same number to the last digit).
   * The probability of attainment then simulates one integral run per draw, not the window's grid.
   */
  fromAuc?(auc: number, from: number, to: number): number;
}

/** The MIC block of an exposure (computed when a MIC is given). */
function micOf(e: Exposure): NonNullable<Exposure['mic']> {
  if (!e.mic) throw new Error('internal: a MIC-based metric read from an exposure computed without a MIC');
  return e.mic;
}

const atIndex = (h: number): number => AFTER_INFUSION_H.indexOf(h);

export const METRIC_DEFS: readonly MetricDef[] = [
  {
    name: 'auc24',
    aliases: [],
    label: 'AUC over 24 h',
    dimension: 'exposure',
    window: 'day',
    extremes: false,
    mic: false,
    affine: true,
    forecast: false,
    read: (e) => e.day.auc,
    fromAuc: (auc) => auc,
  },
  {
    name: 'auctau',
    aliases: [],
    label: 'AUC over one dosing interval',
    dimension: 'exposure',
    window: 'interval',
    extremes: false,
    mic: false,
    affine: true,
    forecast: false,
    read: (e) => e.interval.auc,
    fromAuc: (auc) => auc,
  },
  {
    name: 'cavg',
    aliases: [],
    label: 'average concentration over the interval',
    dimension: 'conc',
    window: 'interval',
    extremes: false,
    mic: false,
    affine: true,
    forecast: false,
    read: (e) => e.interval.cavg,
    fromAuc: (auc, from, to) => auc / (to - from),
  },
  {
    name: 'trough',
    aliases: ['cmin', 'c0', 'ctrough'],
    label: 'lowest concentration over the interval (trough, C0)',
    dimension: 'conc',
    window: 'interval',
    extremes: true,
    mic: false,
    affine: false,
    forecast: false,
    read: (e) => e.interval.cmin,
  },
  {
    name: 'peak',
    aliases: ['cmax'],
    label: 'highest concentration over the interval',
    dimension: 'conc',
    window: 'interval',
    extremes: true,
    mic: false,
    affine: false,
    forecast: false,
    read: (e) => e.interval.cmax,
  },
  {
    name: 'c_eoi_1h',
    aliases: [],
    label: 'concentration 1 h after the end of the infusion',
    dimension: 'conc',
    window: 'interval',
    extremes: false,
    mic: false,
    affine: true,
    forecast: true,
    afterInfusionH: 1,
    read: (e) => e.interval.cAt[atIndex(1)],
  },
  {
    name: 'c_eoi_30min',
    aliases: [],
    label: 'concentration 30 min after the end of the infusion (aminoglycoside peak)',
    dimension: 'conc',
    window: 'interval',
    extremes: false,
    mic: false,
    affine: true,
    forecast: true,
    afterInfusionH: 0.5,
    read: (e) => e.interval.cAt[atIndex(0.5)],
  },
  {
    name: 'ft_mic',
    aliases: [],
    label: '% of the interval with the unbound concentration above the MIC',
    dimension: 'percent',
    window: 'interval',
    extremes: false,
    mic: true,
    affine: false,
    forecast: true,
    read: (e) => micOf(e.interval).fTAbovePct,
  },
  {
    name: 'fauc_mic',
    aliases: [],
    label: 'unbound AUC over 24 h divided by the MIC',
    dimension: 'ratio',
    window: 'day',
    extremes: false,
    mic: true,
    affine: true,
    forecast: true,
    read: (e) => micOf(e.day).fAucOverMic,
  },
  {
    name: 'cmax_mic',
    aliases: [],
    label: 'highest concentration over the interval divided by the MIC',
    dimension: 'ratio',
    window: 'interval',
    extremes: true,
    mic: true,
    affine: false,
    forecast: true,
    read: (e) => micOf(e.interval).cmaxOverMic,
  },
  {
    // The beta-lactam target of critically ill patients: a free trough above the MIC (fCmin/MIC ≥ 1),
    // or above 4×MIC for maximal killing (Abdul-Aziz MH et al. Intensive Care Med 2020;46:1127-1153).
    name: 'fcmin_mic',
    aliases: [],
    label: 'unbound trough over the interval divided by the MIC',
    dimension: 'ratio',
    window: 'interval',
    extremes: true,
    mic: true,
    affine: false,
    forecast: true,
    read: (e) => {
      const m = micOf(e.interval);
      return (m.fu * e.interval.cmin) / m.mic;
    },
  },
];

/**
 * The times after the end of the infusion at which an exposure reports concentrations (its `at`
 * list, in this order): one per registry entry that reads such a time.
 */
export const AFTER_INFUSION_H: readonly number[] = METRIC_DEFS.filter(
  (d) => d.afterInfusionH !== undefined,
).map((d) => d.afterInfusionH!);

const BY_NAME = new Map<string, MetricDef>();
for (const d of METRIC_DEFS) for (const n of [d.name, ...d.aliases]) BY_NAME.set(n, d);

/** Every name a target may use (canonical names and aliases). */
export const METRIC_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The registry entry of a metric name or alias, or undefined. */
export function findMetric(name: string): MetricDef | undefined {
  return BY_NAME.get(name);
}

/** The registry entry of a metric name or alias (an internal error for an unknown one: names are checked when parsed). */
export function metricDef(name: string): MetricDef {
  const d = BY_NAME.get(name);
  if (!d) throw new Error(`internal: unknown metric '${name}'`);
  return d;
}

/** Model units of the quantities a metric is expressed in. */
export interface MetricUnits {
  conc: string;
  time: string;
}

/** Factor from a metric's value in `from` units to its value in `to` units (by its dimension). */
export function metricUnitFactor(name: string, from: MetricUnits, to: MetricUnits): number {
  const d = metricDef(name);
  if (d.dimension === 'exposure')
    return convert(1, from.conc, to.conc, 'conc') * convert(1, from.time, to.time, 'time');
  if (d.dimension === 'conc') return convert(1, from.conc, to.conc, 'conc');
  return 1;
}
