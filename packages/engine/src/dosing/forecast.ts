import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { PatientData } from '../events/records.ts';
import { predictionBands, quantileSorted, summarise } from '../estimate/index.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { convert } from '../units.ts';
import { type Exposure, computeExposure } from './exposure.ts';
import { AFTER_INFUSION_H, METRIC_DEFS } from './metrics.ts';
import { type FutureRegimen, checkRegimen, hasIov, regimenPatient } from './regimen.ts';
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
  const nEta = ir.etas.length;
  if (draws.some((d) => d.length !== nEta))
    fail('DT_FORECAST', 'draws', `each draw must have ${nEta} etas (the model's)`);
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
  let bands: number[][] | undefined;
  if (draws.length) {
    const flat = new Float64Array(draws.length * nEta);
    draws.forEach((d, s) => flat.set(d, s * nEta));
    const sample = summarise(
      nEta,
      ir.etas.map((e) => e.name),
      flat,
      1,
    );
    const pb = predictionBands(sim, grid, sample, (x, eta) => eta.set(x), probs);
    const byRecord = new Map(pb.bands.map((b) => [b.record, b.q]));
    bands = gridIdx.map((i) => byRecord.get(i)!);
  }

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
  const summarised = windows.map((w): ForecastWindow => {
    const p = w.steadyState ? patients.ss : patients.run;
    // End of the infusion + 1 h, when the window starts with an infusion (the loading one first).
    const first = !w.steadyState && w.from === regimen.start && regimen.loadingDose !== undefined;
    const d = first ? (regimen.loadingDuration ?? dur) : dur;
    const oneHour = convert(1, 'h', ir.units.time, 'time');
    const at = d > 0 ? AFTER_INFUSION_H.map((h) => w.from + d + h * oneHour) : [];
    const q = { from: w.from, to: w.to, output, at, mic: input.mic, fu: input.fu };
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
    const ind = metricsOf(computeExposure(sim, p, point, { ...q, auc: aucOf(w, aucsAt.point) }));
    const pop = metricsOf(computeExposure(sim, p, null, { ...q, auc: aucOf(w, aucsAt.population) }));
    const perDraw = draws.map((d, s) =>
      metricsOf(computeExposure(sim, p, d, { ...q, auc: aucOf(w, aucsAt.draws[s]) })),
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
