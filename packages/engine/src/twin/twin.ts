/**
 * The patient's pharmacological twin: one model, one patient's history (doses given, levels
 * measured, covariates over time, in the model's units), and what the data say about the
 * patient's own parameters — the MAP estimate and draws from the posterior (a posteriori), or the
 * typical patient and draws from the prior (a priori, no level). Everything a clinician asks of
 * the twin is answered here, once, for the CLI, the service and the browser alike: forecasts with
 * credible bands, the exposure of a regimen against targets, the probability of attaining them,
 * the ranked candidate regimens, the time of the next dose.
 *
 * Etas are held in the simulator's layout: the model's etas in model order, then one block of the
 * inter-occasion etas per occasion of the history (their fitted values a posteriori), so that a
 * past, sampled interval is predicted with its own occasion's variability and every new
 * administration (occasion 0) with none.
 */
import { DosetwinError, type Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import { cholesky } from '../estimate/linalg.ts';
import { MapEstimator, type MapFit, type MapOptions } from '../estimate/map.ts';
import type { MapObjective } from '../estimate/objective.ts';
import { samplePosterior } from '../estimate/posterior.ts';
import type { CompiledModel } from '../model/compile.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { attainment, evaluateRegimen, type Evaluation, type Horizon } from '../dosing/evaluate.ts';
import {
  type Forecast,
  type ForecastInput,
  forecastHistory,
  forecastRegimen,
  type HistoryForecast,
  type HistoryForecastInput,
} from '../dosing/forecast.ts';
import { type MissedDoseGuidance, type MissedDoseQuery, missedDoseGuidance } from '../dosing/missed-dose.ts';
import { type NextDoseTime, nextDoseTime } from '../dosing/next-dose.ts';
import { type RecommendInput, type Recommendation, recommend } from '../dosing/recommend.ts';
import type { FutureRegimen } from '../dosing/regimen.ts';
import { type SampledExposure, sampledExposure } from '../dosing/sampled-intervals.ts';
import type { Target } from '../dosing/targets.ts';
import { twinChecks } from './checks.ts';

export interface TwinOptions {
  /** Posterior draws a posteriori, prior draws a priori (default 200); 0 = none. */
  samples?: number;
  /** Seed of the draws (default 1): the same seed gives the same draws everywhere. */
  seed?: number;
  /** Options of the MAP estimator. */
  map?: MapOptions;
}

export type TwinMethod = 'a posteriori (MAP)' | 'a priori (typical patient)';

/** What a regimen is evaluated with: targets, horizon, MIC. */
export interface EvaluateOptions {
  horizon?: Horizon;
  mic?: number;
  fu?: number;
  /** A loading target for the regimen's first administration. */
  loadingTarget?: Target;
  /** Leave the approach to steady state out (it costs a few simulations). */
  skipSteadyState?: boolean;
  /** Leave the probability of target attainment out (the caller asks for it apart, e.g. after drawing). */
  skipAttainment?: boolean;
}

export interface Twin {
  readonly model: CompiledModel;
  readonly sim: Simulator;
  /** The patient's records (model units). */
  readonly history: PatientData;
  readonly method: TwinMethod;
  /** Point estimate in the simulator's layout (MAP), or null for the typical patient (a priori). */
  readonly point: Float64Array | null;
  /** Posterior (a posteriori) or prior (a priori) draws, simulator layout. */
  readonly draws: readonly Float64Array[];
  /** The MAP fit (a posteriori). */
  readonly fit: MapFit | null;
  /** Acceptance rate of the posterior sampler (a posteriori with draws). */
  readonly acceptance: number | null;
  /**
   * What the clinician must know before using the twin: covariates outside the model's validity
   * domain, a priori dosing, MAP non-convergence, levels far from the fit.
   */
  readonly warnings: readonly Issue[];
  /** The model's named individual values (parameters, derived quantities) at the last record, at the point estimate. */
  parameters(): Record<string, number>;
  /** Curves, credible bands and exposure windows of a future regimen (the history alone: `forecastHistory`). */
  forecast(q: TwinForecastInput): Forecast;
  /**
   * Curves, credible bands and exposure windows of the doses already given, with no new regimen
   * (e.g. the AUC of a past, sampled interval with its occasion's inter-occasion etas).
   */
  forecastHistory(q: TwinHistoryForecastInput): HistoryForecast;
  /** AUC, Cmin and Cmax of each dosing interval of the history that holds a level, at the point estimate. */
  sampledExposure(output?: number): SampledExposure[];
  /** One regimen against targets: metrics at the point estimate, PTA over the draws, loading target, steady state. */
  evaluate(regimen: FutureRegimen, targets: readonly Target[], o?: EvaluateOptions): Evaluation;
  /** The probability over the draws of attaining each target and all of them with a regimen. */
  attainment(
    regimen: FutureRegimen,
    targets: readonly Target[],
    o?: Omit<EvaluateOptions, 'loadingTarget'>,
  ): { each: number[]; all: number; draws: number };
  /** The ranked candidate regimens reaching the targets (the engine's regimen search). */
  recommend(q: TwinRecommendInput): Recommendation;
  /** When the predicted level (point estimate, history only) falls to `threshold` for good, from `after`. */
  nextDose(threshold: number, after?: number): NextDoseTime;
  /** After a missed or late dose of the regimen the patient is on: the options, simulated over the draws and ranked. */
  missedDose(q: MissedDoseQuery): MissedDoseGuidance;
}

export type TwinForecastInput = Omit<ForecastInput, 'sim' | 'history' | 'point' | 'draws'>;
export type TwinHistoryForecastInput = Omit<HistoryForecastInput, 'sim' | 'history' | 'point' | 'draws'>;
export type TwinRecommendInput = Omit<RecommendInput, 'sim' | 'history' | 'point' | 'draws'>;

const hasLevels = (p: PatientData): boolean => {
  for (let i = 0; i < p.n; i++) if (p.evid[i] === 0 && p.mdv[i] === 0) return true;
  return false;
};

/** Draws of the model's etas from the prior N(0, Ω) (model order). */
export function priorDraws(model: CompiledModel, samples: number, seed: number): Float64Array[] {
  const ir = model.ir;
  const nEta = ir.etas.length;
  const L = new Float64Array(nEta * nEta);
  if (!cholesky(nEta, ir.omega.flat(), L))
    throw new DosetwinError([
      { code: 'DT_OMEGA', severity: 'error', field: 'random', message: 'Ω is not positive definite' },
    ]);
  const rng = createRng(seed);
  const out: Float64Array[] = [];
  const z = new Float64Array(nEta);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < nEta; i++) z[i] = rng.normal();
    const d = new Float64Array(nEta);
    for (let i = 0; i < nEta; i++) {
      let v = 0;
      for (let j = 0; j <= i; j++) v += L[i * nEta + j] * z[j];
      d[i] = v;
    }
    out.push(d);
  }
  return out;
}

/**
 * Build a patient's twin: with levels, the MAP fit and posterior draws (adaptive Metropolis from
 * the mode, seeded); without, the typical patient and prior draws.
 */
export function createTwin(model: CompiledModel, history: PatientData, options: TwinOptions = {}): Twin {
  if (history.n === 0)
    throw new DosetwinError([
      { code: 'DT_TWIN_EMPTY', severity: 'error', field: 'history', message: 'the patient has no record' },
    ]);
  const samples = options.samples ?? 200;
  const seed = options.seed ?? 1;
  const sim = new Simulator(model);
  let fit: MapFit | null = null;
  let objective: MapObjective | null = null;
  let point: Float64Array | null = null;
  let draws: Float64Array[] = [];
  let acceptance: number | null = null;
  if (hasLevels(history)) {
    const est = new MapEstimator(model, options.map ?? {});
    objective = est.objective(history);
    fit = est.fit(history);
    point = Float64Array.from(objective.simulatorEta(fit.x));
    if (samples > 0) {
      const post = samplePosterior(objective, fit.x, fit.cov, { samples, seed });
      acceptance = post.acceptance;
      const x = new Float64Array(post.n);
      for (let s = 0; s < post.size; s++) {
        for (let i = 0; i < post.n; i++) x[i] = post.draws[s * post.n + i];
        draws.push(Float64Array.from(objective.simulatorEta(x)));
      }
    }
  } else if (samples > 0) draws = priorDraws(model, samples, seed);
  const method: TwinMethod = fit ? 'a posteriori (MAP)' : 'a priori (typical patient)';
  const warnings = twinChecks(model, sim, history, fit);
  const evalInput = (regimen: FutureRegimen, targets: readonly Target[], o: EvaluateOptions) => {
    const { skipAttainment, ...rest } = o;
    return { sim, history, point, draws: skipAttainment ? undefined : draws, targets, regimen, ...rest };
  };
  return {
    model,
    sim,
    history,
    method,
    point,
    draws,
    fit,
    acceptance,
    warnings,
    parameters: () => individualValues(model, history, point),
    forecast: (q) => forecastRegimen({ ...q, sim, history, point, draws }),
    forecastHistory: (q) => forecastHistory({ ...q, sim, history, point, draws }),
    sampledExposure: (output = 0) => sampledExposure(sim, history, point, output),
    evaluate: (regimen, targets, o = {}) => evaluateRegimen(evalInput(regimen, targets, o)),
    attainment: (regimen, targets, o = {}) => ({
      ...(draws.length
        ? attainment(sim, history, regimen, draws, { targets, ...o })
        : { each: targets.map(() => NaN), all: NaN }),
      draws: draws.length,
    }),
    recommend: (q) => recommend({ ...q, sim, history, point, draws: draws.length ? draws : undefined }),
    nextDose: (threshold, after = history.time[history.n - 1]) =>
      nextDoseTime(sim, history, point, { threshold, after }, draws.length ? draws : undefined),
    missedDose: (q) => missedDoseGuidance({ ...q, sim, history, point, draws }),
  };
}

/**
 * The model's named values at the last record at `eta` (model order; the simulator's layout is
 * read in model order): parameters and what is computed from them, not the thetas, etas,
 * compartment amounts or values that depend on amounts or time (0 outside the solver).
 */
export function individualValues(
  model: CompiledModel,
  p: PatientData,
  eta: ArrayLike<number> | null,
): Record<string, number> {
  const s = model.newSlots();
  const last = p.n - 1;
  model.covariateSlots.forEach((slot, k) => (s[slot] = p.cov[last * p.nCov + k]));
  model.etaSlots.forEach((slot, k) => (s[slot] = eta ? eta[k] : 0));
  model.individual(s);
  const out: Record<string, number> = {};
  const { names, slots } = reportedValues(model);
  for (let k = 0; k < names.length; k++) if (Number.isFinite(s[slots[k]])) out[names[k]] = s[slots[k]];
  return out;
}

/** The names {@link individualValues} reports and their slots, in slot-map order, per model. */
const REPORTED = new WeakMap<CompiledModel, { names: string[]; slots: number[] }>();

function reportedValues(model: CompiledModel): { names: string[]; slots: number[] } {
  let r = REPORTED.get(model);
  if (r) return r;
  const skip = new Set([
    ...model.ir.parameters.map((x) => x.name),
    ...model.ir.etas.map((x) => x.name),
    ...model.ir.compartments,
    ...model.dynamicNames,
    ...model.ir.errors.map((e) => e.output),
  ]);
  r = { names: [], slots: [] };
  for (const [name, slot] of model.slotOf)
    if (!name.startsWith('@') && name !== 't' && name !== 'CMT' && !skip.has(name)) {
      r.names.push(name);
      r.slots.push(slot);
    }
  REPORTED.set(model, r);
  return r;
}
