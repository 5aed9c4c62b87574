import { fail } from '../errors.ts';
import type { MapObjective } from './objective.ts';

/**
 * Model averaging and selection across the candidate models of one drug for one patient, after
 * each model's MAP fit (Uster DW, Stocker SL, Carland JE, Brett J, Marriott DJE, Day RO, Wicha SG.
 * A model averaging/selection approach improves the predictive performance of model-informed
 * precision dosing: vancomycin as a case study. Clin Pharmacol Ther 2021;109(1):175-183,
 * doi:10.1002/cpt.2065). As in that work, and as mapbayr's `compute_weights` implements it (its
 * documentation cites the paper), each model's weight is its likelihood given the patient's data,
 * read from the objective of the individual MAP fit (−2 ln of the posterior density at the mode):
 *
 *     likelihood:  w_m ∝ exp(−½·OFV_m)
 *     aic:         w_m ∝ exp(−½·(OFV_m + 2·k_m)),  k_m = number of estimated etas
 *
 * normalised to sum to 1; model selection keeps the model of largest weight. The weights are
 * computed with the log-sum-exp shift (OFV − min OFV), so objectives of thousands do not
 * underflow. Objectives are comparable only when they are −2 ln densities of the same
 * observations on the same scale: {@link dataScaleObjective} puts them there.
 */
export type WeightScheme = 'likelihood' | 'aic';

/** One candidate's score: its objective (−2 ln, data scale) and its number of estimated parameters. */
export interface ModelScore {
  /** Names the model in messages. */
  label: string;
  objective: number;
  /** Estimated parameters (etas), for the AIC scheme. */
  parameters?: number;
}

export interface ModelWeights {
  scheme: WeightScheme;
  /** Weights in input order, summing to 1. */
  weights: Float64Array;
  /** The criterion each weight comes from: OFV (likelihood) or OFV + 2k (aic). */
  criterion: Float64Array;
  /** Index of the largest weight (model selection); the first one on ties. */
  selected: number;
}

/** Weights from the models' objectives (see the module documentation for the formulas). */
export function modelWeights(
  scores: readonly ModelScore[],
  scheme: WeightScheme = 'likelihood',
): ModelWeights {
  if (!scores.length) fail('DT_AVERAGE_EMPTY', 'models', 'model averaging needs at least one model');
  if (scheme !== 'likelihood' && scheme !== 'aic')
    fail('DT_AVERAGE_SCHEME', 'scheme', `weight scheme '${String(scheme)}' is not 'likelihood' or 'aic'`);
  const n = scores.length;
  const criterion = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    const s = scores[m];
    if (!Number.isFinite(s.objective))
      fail(
        'DT_AVERAGE_OBJECTIVE',
        `models.${s.label}.objective`,
        `the objective of ${s.label} is ${s.objective}: its fit failed, so it has no weight`,
        { hint: 'leave the model out of the average, or check its fit (data, covariates)' },
      );
    let c = s.objective;
    if (scheme === 'aic') {
      const k = s.parameters;
      if (k === undefined || !Number.isInteger(k) || k < 0)
        fail(
          'DT_AVERAGE_PARAMETERS',
          `models.${s.label}.parameters`,
          `the AIC scheme needs the number of estimated parameters of ${s.label} (a whole number ≥ 0), got ${k}`,
        );
      c += 2 * k;
    }
    criterion[m] = c;
  }
  let min = Infinity;
  for (let m = 0; m < n; m++) if (criterion[m] < min) min = criterion[m];
  const weights = new Float64Array(n);
  let sum = 0;
  for (let m = 0; m < n; m++) {
    weights[m] = Math.exp(-0.5 * (criterion[m] - min));
    sum += weights[m];
  }
  // sum ≥ 1 (the best model contributes exp(0) = 1): no division by zero.
  for (let m = 0; m < n; m++) weights[m] /= sum;
  return { scheme, weights, criterion, selected: selectModel(weights) };
}

/** Index of the largest weight (the first on ties). */
export function selectModel(weights: ArrayLike<number>): number {
  if (!weights.length) fail('DT_AVERAGE_EMPTY', 'weights', 'no weights to select from');
  let best = 0;
  for (let m = 1; m < weights.length; m++) if (weights[m] > weights[best]) best = m;
  return best;
}

function checkWeights(weights: ArrayLike<number>, count: number, what: string): void {
  if (weights.length !== count)
    fail('DT_AVERAGE_SHAPE', what, `${weights.length} weights for ${count} models`);
  let sum = 0;
  for (let m = 0; m < weights.length; m++) {
    const w = weights[m];
    if (!(w >= 0 && w <= 1)) fail('DT_AVERAGE_WEIGHT', `weights[${m}]`, `weight ${w} is not in [0, 1]`);
    sum += w;
  }
  if (Math.abs(sum - 1) > 1e-9) fail('DT_AVERAGE_WEIGHT', 'weights', `weights sum to ${sum}, not 1`);
}

/**
 * The model-averaged prediction: the mean of the mixture Σ_m w_m·p_m, i.e. Σ_m w_m·ŷ_m at each
 * point, from each model's individual prediction at the same times (concentrations, an exposure
 * metric). A model of weight 0 is skipped; a non-finite prediction of a model with weight > 0 is
 * an error naming the model (`labels`) and the point. Returns `out` (allocated when absent).
 */
export function averagePredictions(
  weights: ArrayLike<number>,
  predictions: readonly ArrayLike<number>[],
  labels: readonly string[] = [],
  out?: Float64Array,
): Float64Array {
  checkWeights(weights, predictions.length, 'predictions');
  const len = predictions[0].length;
  for (let m = 1; m < predictions.length; m++)
    if (predictions[m].length !== len)
      fail(
        'DT_AVERAGE_SHAPE',
        `predictions.${labels[m] ?? m}`,
        `${labels[m] ?? `model ${m}`} has ${predictions[m].length} predictions, ${labels[0] ?? 'model 0'} has ${len}: average over the same times`,
      );
  const res = out ?? new Float64Array(len);
  if (res.length !== len) fail('DT_AVERAGE_SHAPE', 'out', `output length ${res.length}, predictions ${len}`);
  res.fill(0);
  for (let m = 0; m < predictions.length; m++) {
    const w = weights[m];
    if (w === 0) continue;
    const p = predictions[m];
    for (let i = 0; i < len; i++) {
      if (!Number.isFinite(p[i]))
        fail(
          'DT_AVERAGE_PREDICTION',
          `predictions.${labels[m] ?? m}[${i}]`,
          `${labels[m] ?? `model ${m}`} predicts ${p[i]} at point ${i}; it cannot enter the average`,
        );
      res[i] += w * p[i];
    }
  }
  return res;
}

/**
 * Probability of an event under the mixture of the models: Σ_m w_m·P_m (e.g. the probability of
 * target attainment of a regimen, each P_m over that model's posterior draws).
 */
export function mixtureProbability(weights: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  checkWeights(weights, probabilities.length, 'probabilities');
  let p = 0;
  for (let m = 0; m < probabilities.length; m++) {
    const q = probabilities[m];
    if (!(q >= 0 && q <= 1))
      fail('DT_AVERAGE_PROBABILITY', `probabilities[${m}]`, `probability ${q} is not in [0, 1]`);
    p += weights[m] * q;
  }
  return Math.min(1, p);
}

/**
 * A MAP objective (or NONMEM OBJ) as −2 ln density of the observations in the *data's* units on
 * the linear scale, so that models with other concentration units or a log-transformed residual
 * error can be compared (change of variables; censored observations are probabilities and need
 * none):
 *
 * - the model reads y_model = c·y_data (`factor` c, e.g. 1000 for data in mg/L and a model in
 *   µg/L): p_data(y) = c·p_model(c·y), so each quantified observation adds −2 ln c;
 * - a log-transformed (`exp`) output models ln y: p(y) = p(ln y)/y, so each quantified observation
 *   adds +2 ln y_model (then −2 ln c as above: 2 ln y_data in all).
 *
 * Refuses an objective built with `logDv` (DV already ln; pass the option the objective was built
 * with): the linear scale cannot be recovered.
 */
export function dataScaleObjective(
  objective: number,
  obj: MapObjective,
  factor: number,
  logDv = false,
): number {
  if (!(factor > 0) || !Number.isFinite(factor))
    fail('DT_AVERAGE_SCALE', 'factor', `unit conversion factor ${factor} must be a finite number > 0`);
  if (logDv)
    fail(
      'DT_AVERAGE_SCALE',
      'logDv',
      'objectives with DV already on the log scale (logDv) cannot be compared across models',
    );
  const errors = obj.sim.model.ir.errors;
  const lnc = Math.log(factor);
  let add = 0;
  for (let j = 0; j < obj.nObs; j++) {
    if (obj.obsCens[j]) continue;
    add -= 2 * lnc;
    if (errors[obj.obsOutput[j]].kind === 'exp') add += 2 * obj.obsY[j];
  }
  return objective + add;
}
