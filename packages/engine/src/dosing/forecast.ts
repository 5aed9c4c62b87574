import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { PatientData } from '../events/records.ts';
import { quantileSorted } from '../estimate/index.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { convert } from '../units.ts';
import { type Exposure, computeExposure } from './exposure.ts';
import { AFTER_INFUSION_H, METRIC_DEFS } from './metrics.ts';
import { type FutureRegimen, checkRegimen, hasIov, regimenPatient } from './regimen.ts';
import { withoutDosesFrom } from './sampled-intervals.ts';
import { type SteadyStateApproach, aucs, steadyStateApproach } from './steady-state.ts';

/** A window over which exposure is reported. `steadyState`: the regimen already at steady state. */
export interface ForecastWindowSpec {
  label: string;
  from: number;
  to: number;
  steadyState?: boolean;
}

export interface ForecastInput {
  sim: Simulator;
  /** The patient's records so far; covariates of the last record apply to the future. */
  history: PatientData;
  /** Point estimate of the etas (MAP), or null for the typical patient (a priori). */
  point: Float64Array | null;
  /** Draws of the etas (posterior, or prior for a priori), in model order, for the credible bands. */
  draws?: readonly Float64Array[];
  regimen: FutureRegimen;
  /** Times of the curve (model time unit). */
  times: readonly number[];
  /** Quantiles of the bands (default 5, 50, 95 %). */
  probs?: readonly number[];
  /** Output (error model) index; default 0. */
  output?: number;
  /** Exposure windows; default: first interval, first 24 h, and one interval and 24 h at steady state. */
  windows?: ForecastWindowSpec[];
  /** MIC (model concentration unit) and unbound fraction, for %fT>MIC, fAUC/MIC, Cmax/MIC. */
  mic?: number;
  fu?: number;
  /** Fraction of the steady-state AUC per interval that defines "at steady state" (default 0.9). */
  steadyStateFraction?: number;
}

/** A metric at the point estimate, for the typical patient, and its quantiles over the draws. */
export interface MetricForecast {
  individual: number;
  population: number;
  /** Quantiles at `probs`, over the draws (absent without draws). */
  q?: number[];
}

export interface ForecastWindow extends ForecastWindowSpec {
  /**
   * auc, cavg, cmax, tmax, cmin, tmin, and the registry's forecast metrics: concentrations after
   * the end of the infusion (c_eoi_1h, c_eoi_30min) when the window starts with one, and with a
   * MIC the MIC metrics (ft_mic, fauc_mic over the window, cmax_mic).
   */
  metrics: Record<string, MetricForecast>;
}

export interface Forecast {
  regimen: FutureRegimen;
  times: number[];
  /** Prediction at the point estimate (MAP) and for the typical patient (etas 0). */
  individual: number[];
  population: number[];
  /** Cumulative AUC of the individual curve from the first time. */
  cumulativeAuc: number[];
  probs: number[];
  /** bands[i][j]: quantile probs[j] of the prediction at times[i] over the draws. */
  bands?: number[][];
  draws: number;
  windows: ForecastWindow[];
  /** Approach to steady state at the point estimate (from the patient's state at the start). */
  steadyState: SteadyStateApproach;
}

/** First interval, first 24 h, and the same two windows at steady state. */
export function defaultWindows(regimen: FutureRegimen, timeUnit: string): ForecastWindowSpec[] {
  const day = convert(24, 'h', timeUnit, 'time');
  const [a, tau] = [regimen.start, regimen.interval];
  return [
    { label: 'first interval', from: a, to: a + tau },
    { label: 'first 24 h', from: a, to: a + day },
    { label: 'steady-state interval', from: a, to: a + tau, steadyState: true },
    { label: 'steady-state 24 h', from: a, to: a + day, steadyState: true },
  ];
}

/**
 * Forecast a future regimen from the patient's history: the individual (MAP) and population curves,
 * the posterior predictive credible bands (quantiles over the draws, type 7), exposure over the
 * windows with the same quantiles, and the time to steady state. One code path for a priori (point
 * null, prior draws) and a posteriori (MAP, posterior draws).
 */
export function forecastRegimen(input: ForecastInput): Forecast {
  const { sim, history, point, regimen } = input;
  checkRegimen(regimen);
  const output = input.output ?? 0;
  const ir = sim.model.ir;
  if (output < 0 || output >= ir.errors.length)
    fail('DT_FORECAST', 'output', `output ${output} does not exist (model has ${ir.errors.length})`);
  const times = [...input.times];
  if (!times.length || times.some((t) => !Number.isFinite(t)))
    fail('DT_FORECAST', 'times', 'the forecast needs at least one finite time');
  for (let i = 1; i < times.length; i++)
    if (!(times[i] > times[i - 1])) fail('DT_FORECAST', 'times', 'times must be strictly increasing');
  const probs = [...(input.probs ?? [0.05, 0.5, 0.95])];
  if (probs.some((p) => !(p >= 0 && p <= 1))) fail('DT_FORECAST', 'probs', 'quantiles must be in [0, 1]');
  const draws = input.draws ?? [];
  checkLayout(sim, draws);
  const tau = regimen.interval;
  const cmt = ir.errors[output].cmts[0] ?? 0;

  // The curve: history + regimen, covering every asked time (enough administrations).
  const last = Math.max(times[times.length - 1], regimen.start);
  const count = regimen.count ?? Math.max(1, Math.ceil((last - regimen.start) / tau) + 1);
  const future = regimenPatient(history, { ...regimen, count }, { closeOccasion: hasIov(sim) });
  const grid = withPredictionTimes(future, times, cmt);
  const gridIdx: number[] = [];
  for (let i = 0; i < grid.n; i++) if (grid.evid[i] === 2 && grid.line[i] === 0) gridIdx.push(i);
  const curve = (eta: ArrayLike<number> | null, cum?: Float64Array): number[] => {
    const out = new Float64Array(grid.n);
    const prev = sim.integrateOutput;
    sim.integrateOutput = cum ? output : -1;
    try {
      sim.run(grid, eta, out, cum);
    } finally {
      sim.integrateOutput = prev;
    }
    return gridIdx.map((i) => out[i]);
  };
  const cum = new Float64Array(grid.n);
  const individual = curve(point, cum);
  const cumulativeAuc = gridIdx.map((i) => cum[i] - cum[gridIdx[0]]);
  const population = curve(null);
  const bands = draws.length ? drawBands(sim, grid, gridIdx, draws, probs) : undefined;

  // Exposure windows.
  const windows = input.windows ?? defaultWindows(regimen, ir.units.time);
  const dur = regimen.duration ?? 0;
  const horizonEnd = Math.max(...windows.map((w) => w.to));
  // A stated number of administrations holds for the windows too; otherwise they cover every window.
  const longCount = regimen.count ?? Math.max(count, Math.ceil((horizonEnd - regimen.start) / tau) + 1);
  const patients = {
    run: regimenPatient(history, { ...regimen, count: longCount }, { closeOccasion: hasIov(sim) }),
    ss: regimenPatient(history, regimen, {
      steadyState: true,
      count: Math.ceil((horizonEnd - regimen.start) / tau) + 1,
    }),
  };
  for (const w of windows)
    if (!(w.to > w.from)) fail('DT_FORECAST', `windows.${w.label}`, `window [${w.from}, ${w.to}] is empty`);
  // One integral run per profile (run / steady state) and eta gives the AUC of every window.
  const ends = (ss: boolean): number[] =>
    [...new Set(windows.filter((w) => !!w.steadyState === ss).flatMap((w) => [w.from, w.to]))].sort(
      (a, b) => a - b,
    );
  const endTimes = { run: ends(false), ss: ends(true) };
  const windowAucs = (eta: ArrayLike<number> | null): { run: number[]; ss: number[] } => ({
    run: endTimes.run.length ? aucs(sim, patients.run, eta, output, endTimes.run) : [],
    ss: endTimes.ss.length ? aucs(sim, patients.ss, eta, output, endTimes.ss) : [],
  });
  const aucOf = (w: ForecastWindowSpec, a: { run: number[]; ss: number[] }): number => {
    const key = w.steadyState ? 'ss' : 'run';
    return a[key][endTimes[key].indexOf(w.to)] - a[key][endTimes[key].indexOf(w.from)];
  };
  const aucsAt = { point: windowAucs(point), population: windowAucs(null), draws: draws.map(windowAucs) };
  const oneHour = convert(1, 'h', ir.units.time, 'time');
  const summarised = windowForecasts({
    sim,
    output,
    probs,
    point,
    draws,
    mic: input.mic,
    fu: input.fu,
    windows,
    profile: (w) => (w.steadyState ? patients.ss : patients.run),
    auc: (w, who) =>
      aucOf(w, who === 'point' ? aucsAt.point : who === 'population' ? aucsAt.population : aucsAt.draws[who]),
    at: (w) => {
      // End of the infusion + 1 h, when the window starts with an infusion (the loading one first).
      const first = !w.steadyState && w.from === regimen.start && regimen.loadingDose !== undefined;
      const d = first ? (regimen.loadingDuration ?? dur) : dur;
      return d > 0 ? AFTER_INFUSION_H.map((h) => w.from + d + h * oneHour) : [];
    },
  });

  return {
    regimen: { ...regimen, count },
    times,
    individual,
    population,
    cumulativeAuc,
    probs,
    ...(bands ? { bands } : {}),
    draws: draws.length,
    windows: summarised,
    steadyState: steadyStateApproach(sim, history, regimen, point, {
      output,
      ...(input.steadyStateFraction !== undefined ? { fraction: input.steadyStateFraction } : {}),
    }),
  };
}

/**
 * Draws and points are in the simulator's layout: the model's etas in model order, then one block
 * of the inter-occasion etas per occasion of the history (a twin's fitted IOV).
 */
function checkLayout(sim: Simulator, draws: readonly Float64Array[]): void {
  const etas = sim.model.ir.etas;
  const nIov = etas.filter((e) => e.iov).length;
  const fits = (n: number): boolean =>
    n === etas.length || (nIov > 0 && n > etas.length && (n - etas.length) % nIov === 0);
  if (draws.some((d) => !fits(d.length)))
    fail(
      'DT_FORECAST',
      'draws',
      nIov
        ? `each draw must have ${etas.length} etas (the model's), then ${nIov} per occasion`
        : `each draw must have ${etas.length} etas (the model's)`,
    );
}

/**
 * Quantiles `probs` (type 7) of the prediction at each record `idx` of `grid` over the draws; a
 * draw whose simulation fails counts as missing at every record.
 */
function drawBands(
  sim: Simulator,
  grid: PatientData,
  idx: readonly number[],
  draws: readonly Float64Array[],
  probs: readonly number[],
): number[][] {
  const out = new Float64Array(grid.n);
  const values = idx.map(() => new Float64Array(draws.length));
  draws.forEach((d, s) => {
    try {
      sim.run(grid, d, out);
    } catch {
      out.fill(NaN);
    }
    idx.forEach((i, k) => (values[k][s] = out[i]));
  });
  return values.map((v) => {
    const finite = Float64Array.from(v.filter(Number.isFinite)).sort();
    return probs.map((p) => quantileSorted(finite, p));
  });
}

/**
 * Exposure over each window at the point estimate, for the typical patient, and its quantiles over
 * the draws. `profile`: the records a window is read on; `auc`: its AUC at the point (`'point'`),
 * the typical patient or draw s, from the caller's integral runs; `at`: the times of the
 * concentrations after the end of an infusion that starts the window ([] when none does).
 */
function windowForecasts(q: {
  sim: Simulator;
  output: number;
  probs: readonly number[];
  point: Float64Array | null;
  draws: readonly Float64Array[];
  mic?: number;
  fu?: number;
  windows: readonly ForecastWindowSpec[];
  profile: (w: ForecastWindowSpec) => PatientData;
  auc: (w: ForecastWindowSpec, who: 'point' | 'population' | number) => number;
  at: (w: ForecastWindowSpec) => number[];
}): ForecastWindow[] {
  const { sim, output, probs, point, draws } = q;
  return q.windows.map((w): ForecastWindow => {
    const p = q.profile(w);
    const at = q.at(w);
    const query = { from: w.from, to: w.to, output, at, mic: q.mic, fu: q.fu };
    const metricsOf = (e: Exposure): Record<string, number> => {
      const m: Record<string, number> = {
        auc: e.auc,
        cavg: e.cavg,
        cmax: e.cmax,
        tmax: e.tmax,
        cmin: e.cmin,
        tmin: e.tmin,
      };
      // The registry's metrics a window reports: those read after the end of an infusion (when the
      // window starts with one) and the MIC metrics (with a MIC), read over the window itself.
      for (const def of METRIC_DEFS) {
        if (!def.forecast) continue;
        if (def.afterInfusionH !== undefined && !at.length) continue;
        if (def.mic && !e.mic) continue;
        m[def.name] = def.read({ interval: e, day: e });
      }
      return m;
    };
    const ind = metricsOf(computeExposure(sim, p, point, { ...query, auc: q.auc(w, 'point') }));
    const pop = metricsOf(computeExposure(sim, p, null, { ...query, auc: q.auc(w, 'population') }));
    const perDraw = draws.map((d, s) =>
      metricsOf(computeExposure(sim, p, d, { ...query, auc: q.auc(w, s) })),
    );
    const metrics: Record<string, MetricForecast> = {};
    for (const key of Object.keys(ind)) {
      const m: MetricForecast = { individual: ind[key], population: pop[key] };
      if (perDraw.length) {
        const v = Float64Array.from(perDraw, (x) => x[key])
          .filter(Number.isFinite)
          .sort();
        m.q = probs.map((pr) => quantileSorted(v, pr));
      }
      metrics[key] = m;
    }
    return { ...w, metrics };
  });
}

/** What {@link forecastHistory} needs: the forecast's inputs without a regimen, with windows. */
export interface HistoryForecastInput extends Omit<
  ForecastInput,
  'regimen' | 'windows' | 'steadyStateFraction'
> {
  /** The windows to report (at least one; a steady-state window needs a regimen and is refused). */
  windows: ForecastWindowSpec[];
}

/** A forecast of the history alone: curves, bands and exposure windows, no regimen, no steady state. */
export type HistoryForecast = Omit<Forecast, 'regimen' | 'steadyState'>;

/**
 * The exposure of the doses already given, with no new regimen: curves over `times` and exposure
 * over `windows` (past ones, such as a sampled dosing interval, or later ones as the last doses
 * wash out), at the point estimate, for the typical patient, and as quantiles over the draws.
 * Each record keeps its occasion, so a point or draws in the simulator's layout (a twin's) give a
 * past interval its own occasion's inter-occasion etas; times after the last record take the last
 * record's occasion and covariates. A window that starts with an infusion of the history also
 * reports the concentrations after its end (c_eoi_1h, c_eoi_30min).
 */
export function forecastHistory(input: HistoryForecastInput): HistoryForecast {
  const { sim, history, point } = input;
  const ir = sim.model.ir;
  if (history.n === 0) fail('DT_FORECAST', 'history', 'the patient has no record');
  const output = input.output ?? 0;
  if (output < 0 || output >= ir.errors.length)
    fail('DT_FORECAST', 'output', `output ${output} does not exist (model has ${ir.errors.length})`);
  const times = [...input.times];
  if (!times.length || times.some((t) => !Number.isFinite(t)))
    fail('DT_FORECAST', 'times', 'the forecast needs at least one finite time');
  for (let i = 1; i < times.length; i++)
    if (!(times[i] > times[i - 1])) fail('DT_FORECAST', 'times', 'times must be strictly increasing');
  const probs = [...(input.probs ?? [0.05, 0.5, 0.95])];
  if (probs.some((p) => !(p >= 0 && p <= 1))) fail('DT_FORECAST', 'probs', 'quantiles must be in [0, 1]');
  const draws = input.draws ?? [];
  checkLayout(sim, draws);
  const windows = input.windows;
  if (!windows.length)
    fail('DT_FORECAST', 'windows', 'the history alone is reported over windows: give at least one');
  for (const w of windows) {
    if (w.steadyState) fail('DT_FORECAST', `windows.${w.label}`, 'a steady-state window needs a regimen');
    if (!(w.to > w.from) || !Number.isFinite(w.from) || !Number.isFinite(w.to))
      fail('DT_FORECAST', `windows.${w.label}`, `window [${w.from}, ${w.to}] is empty`);
  }
  const cmt = ir.errors[output].cmts[0] ?? 0;

  // The curve on the history itself (its observations are predicted, not used).
  const grid = withPredictionTimes(history, times, cmt);
  const gridIdx: number[] = [];
  for (let i = 0; i < grid.n; i++) if (grid.evid[i] === 2 && grid.line[i] === 0) gridIdx.push(i);
  const curve = (eta: ArrayLike<number> | null, cum?: Float64Array): number[] => {
    const out = new Float64Array(grid.n);
    const prev = sim.integrateOutput;
    sim.integrateOutput = cum ? output : -1;
    try {
      sim.run(grid, eta, out, cum);
    } finally {
      sim.integrateOutput = prev;
    }
    return gridIdx.map((i) => out[i]);
  };
  const cum = new Float64Array(grid.n);
  const individual = curve(point, cum);
  const cumulativeAuc = gridIdx.map((i) => cum[i] - cum[gridIdx[0]]);
  const population = curve(null);
  const bands = draws.length ? drawBands(sim, grid, gridIdx, draws, probs) : undefined;

  // One integral run per eta gives the AUC of every window.
  const ends = [...new Set(windows.flatMap((w) => [w.from, w.to]))].sort((a, b) => a - b);
  const windowAucs = (eta: ArrayLike<number> | null): number[] => aucs(sim, history, eta, output, ends);
  const aucsAt = { point: windowAucs(point), population: windowAucs(null), draws: draws.map(windowAucs) };
  const oneHour = convert(1, 'h', ir.units.time, 'time');
  const infusionAt = (t: number): number => {
    // The longest infusion of the history that starts at t (ADDL repetitions included), or 0.
    let d = 0;
    for (let i = 0; i < history.n; i++) {
      if (
        !(history.evid[i] === 1 || history.evid[i] === 4) ||
        !(history.amt[i] > 0) ||
        !(history.rate[i] > 0)
      )
        continue;
      const k = history.ii[i] > 0 ? (t - history.time[i]) / history.ii[i] : t === history.time[i] ? 0 : -1;
      if (k >= 0 && k <= history.addl[i] && Math.abs(k - Math.round(k)) < 1e-9)
        d = Math.max(d, history.amt[i] / history.rate[i]);
    }
    return d;
  };
  const windowsOut = windowForecasts({
    sim,
    output,
    probs,
    point,
    draws,
    mic: input.mic,
    fu: input.fu,
    windows,
    profile: (w) => withoutDosesFrom(history, w.to),
    auc: (w, who) => {
      const a = who === 'point' ? aucsAt.point : who === 'population' ? aucsAt.population : aucsAt.draws[who];
      return a[ends.indexOf(w.to)] - a[ends.indexOf(w.from)];
    },
    at: (w) => {
      const d = infusionAt(w.from);
      return d > 0 ? AFTER_INFUSION_H.map((h) => w.from + d + h * oneHour) : [];
    },
  });
  return {
    times,
    individual,
    population,
    cumulativeAuc,
    probs,
    ...(bands ? { bands } : {}),
    draws: draws.length,
    windows: windowsOut,
  };
}
