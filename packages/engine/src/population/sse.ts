import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { type CovarianceMethod, fitFocei, natural, type PopFit, type PopFitOptions } from './fit.ts';
import { modelParameters, parameterSpace, type PopulationParameters } from './parameters.ts';
import { fitSaem } from './saem.ts';
import { simulatePopulation } from './simulate.ts';

/** Bias and coverage of one estimated component over the replicates. */
export interface SseComponent {
  name: string;
  truth: number;
  /** Mean of the estimates. */
  mean: number;
  /** Relative bias of the mean, %: 100·(mean − truth)/truth. */
  biasPct: number;
  /** Root mean squared error relative to the truth, %. */
  rmsePct: number;
  /** Share of the replicates whose estimate ± 1.96 SE holds the truth (NaN without SEs). */
  coverage95: number;
  /**
   * The share whose `ci95` interval holds the truth: for positive components (variances, SDs, θ
   * bounded below by 0), whose sampling distributions are skewed, the interval on the log scale,
   * estimate·exp(±1.96·SE/estimate) (delta method); for others, estimate ± 1.96 SE.
   */
  coverage95Log: number;
  /** Replicates with a standard error for this component. */
  withSe: number;
}

/** A stochastic simulation and estimation study. */
export interface SseResult {
  method: 'focei' | 'saem';
  /** The covariance step's matrix the standard errors came from. */
  covarianceMethod: CovarianceMethod;
  replicates: number;
  /** Replicates whose fit converged (their estimates are the ones summarised). */
  converged: number;
  components: SseComponent[];
}

/** Options of {@link simulationReestimation}. */
export interface SseOptions extends PopFitOptions {
  method: 'focei' | 'saem';
  replicates: number;
  seed?: number;
  /** Called after each replicate's fit. */
  onReplicate?: (done: number, fit: PopFit) => void;
}

/**
 * Simulation–re-estimation: `replicates` data sets simulated from the model at `truth` on the given
 * designs (seeds seed, seed + 1, …), each refitted from the truth by `method` with its covariance
 * step (`covarianceMethod`, default sandwich); per estimated component, the bias and RMSE of the
 * estimates and the coverage of the Wald 95 % intervals (estimate ± 1.96 SE, natural scale) and of
 * the fits' `ci95` intervals, over the converged replicates.
 */
export function simulationReestimation(
  model: CompiledModel,
  designs: readonly PatientData[],
  options: SseOptions,
  truth: PopulationParameters = modelParameters(model.ir),
): SseResult {
  const seed = options.seed ?? 1;
  const space = parameterSpace(model.ir, { fixed: options.fixed, start: truth });
  const names = [...space.names];
  // The true value of each component, as the fit reports it.
  const trueValues = Array.from(natural(space, space.toU(truth)));
  const nEta = model.ir.etas.length;
  const estimates: number[][] = names.map(() => []);
  const covered: number[] = names.map(() => 0);
  const coveredCi: number[] = names.map(() => 0);
  const withSe: number[] = names.map(() => 0);
  let converged = 0;
  // Reported from the fits themselves (what their covariance step used).
  let covarianceMethod: CovarianceMethod = options.covarianceMethod ?? 'sandwich';
  for (let r = 0; r < options.replicates; r++) {
    const data = simulatePopulation(model, designs, seed + r, truth).patients;
    const fitOptions = { ...options, start: truth };
    const fit =
      options.method === 'saem'
        ? fitSaem(model, data, { ...fitOptions, seed: seed + r })
        : fitFocei(model, data, fitOptions);
    options.onReplicate?.(r + 1, fit);
    if (fit.covariance) covarianceMethod = fit.covariance.method;
    if (!fit.converged) continue;
    converged++;
    const est = valuesOf(fit, space.names, nEta, model);
    names.forEach((name, a) => {
      estimates[a].push(est[a]);
      const se = fit.se[name];
      if (se !== undefined && Number.isFinite(se)) {
        withSe[a]++;
        if (Math.abs(est[a] - trueValues[a]) <= 1.96 * se) covered[a]++;
        const ci = fit.ci95[name];
        if (ci && ci[0] <= trueValues[a] && trueValues[a] <= ci[1]) coveredCi[a]++;
      }
    });
  }
  return {
    method: options.method,
    covarianceMethod,
    replicates: options.replicates,
    converged,
    components: names.map((name, a) => {
      const v = estimates[a];
      const t = trueValues[a];
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const mse = v.reduce((s, x) => s + (x - t) ** 2, 0) / v.length;
      return {
        name,
        truth: t,
        mean,
        biasPct: (100 * (mean - t)) / t,
        rmsePct: (100 * Math.sqrt(mse)) / Math.abs(t),
        coverage95: withSe[a] ? covered[a] / withSe[a] : NaN,
        coverage95Log: withSe[a] ? coveredCi[a] / withSe[a] : NaN,
        withSe: withSe[a],
      };
    }),
  };
}

/** A fit's value of each named component (θ, `omega(..)`/`cov(..)`, residual SDs). */
function valuesOf(fit: PopFit, names: readonly string[], nEta: number, model: CompiledModel): number[] {
  const etaIndex = new Map(model.ir.etas.map((e, i) => [e.name, i]));
  return names.map((name) => {
    if (name in fit.theta) return fit.theta[name];
    if (name in fit.sigma) return fit.sigma[name];
    const m = /^(?:omega|cov)\(([^,)]+)(?:,([^)]+))?\)$/.exec(name);
    if (m) {
      const i = etaIndex.get(m[1])!;
      const j = m[2] !== undefined ? etaIndex.get(m[2])! : i;
      return fit.parameters.omega[i * nEta + j];
    }
    return NaN;
  });
}
