/**
 * How much one more level would teach about a patient's parameters, by when it is drawn: the
 * expected posterior SD of each eta after one sample at time t, relative to its SD now, from the
 * linearised model (the Fisher information of one observation added to the precision of the
 * current distribution, as Bayesian optimal designs do, e.g. Mentré, Mallet & Baccar 1997,
 * Biometrika 84:429–442). Linearised at `eta` (the
 * typical patient a priori, the MAP point a posteriori) with the residual error of the model's
 * first output; `exp` error works on ln F, others on F.
 */
import { fail } from '../errors.ts';
import { cholesky, cholInverse } from '../estimate/linalg.ts';
import type { PatientData } from '../events/records.ts';
import { predictedLevels } from '../dosing/next-dose.ts';
import { residualVariance } from '../simulate/residual.ts';
import type { Simulator } from '../simulate/simulator.ts';

export interface SamplingInformation {
  /** Candidate sampling times (model time), ascending. */
  times: number[];
  /** The model's etas, model order. */
  etas: string[];
  /** Predicted level at each time (at `eta`). */
  predicted: number[];
  /** ratio[k][i]: expected SD of eta i after a level at times[k], over its SD before (1 = nothing learnt). */
  ratio: number[][];
}

/** Finite-difference step on the eta scale (central differences: error O(h²) ≈ 1e-8 relative). */
const H = 1e-4;

/**
 * The expected SD ratio of each eta after one level at each of `times`, starting from covariance
 * `cov` (Ω a priori; the posterior covariance a posteriori), linearised at `eta`.
 */
export function samplingInformation(
  sim: Simulator,
  history: PatientData,
  times: readonly number[],
  eta: ArrayLike<number> | null,
  cov: readonly (readonly number[])[],
): SamplingInformation {
  const ir = sim.model.ir;
  if (ir.etas.some((e) => e.iov))
    fail(
      'DT_PARAM_DOMAIN',
      'random',
      `${ir.id} has inter-occasion variability; the information of a level is computed for models without it`,
    );
  const n = ir.etas.length;
  if (cov.length !== n || cov.some((r) => r.length !== n))
    fail('DT_PARAM_DOMAIN', 'cov', `the covariance must be ${n}×${n} (the model's etas)`);
  const err = ir.errors[0];
  if (err.kind === 'variance')
    fail(
      'DT_PARAM_DOMAIN',
      'error',
      `${ir.id} states its residual error as an expression; the information of a level needs add, prop, combined or exp`,
    );
  const sorted = [...times].sort((a, b) => a - b);
  const base = Float64Array.from({ length: n }, (_, i) => (eta ? eta[i] : 0));
  const f0 = predictedLevels(sim, history, base, sorted);
  const logScale = err.kind === 'exp';
  const g: number[][] = sorted.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const up = Float64Array.from(base);
    const down = Float64Array.from(base);
    up[i] += H;
    down[i] -= H;
    const fu = predictedLevels(sim, history, up, sorted);
    const fd = predictedLevels(sim, history, down, sorted);
    for (let k = 0; k < sorted.length; k++)
      g[k][i] = logScale ? (Math.log(fu[k]) - Math.log(fd[k])) / (2 * H) : (fu[k] - fd[k]) / (2 * H);
  }
  // Precision before: the inverse of `cov`.
  const L = new Float64Array(n * n);
  if (!cholesky(n, cov.flat(), L))
    fail('DT_OMEGA', 'cov', 'the covariance of the etas is not positive definite');
  const prec = cholInverse(n, L, new Float64Array(n * n));
  const after = new Float64Array(n * n);
  const Lp = new Float64Array(n * n);
  const post = new Float64Array(n * n);
  const ratio = sorted.map((_, k) => {
    const r = residualVariance(err, f0[k]);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) after[a * n + b] = prec[a * n + b] + (g[k][a] * g[k][b]) / r;
    // A level before any dose (F = 0 on the log scale) teaches nothing: keep the SD.
    if (!cholesky(n, after, Lp) || !Number.isFinite(r) || r <= 0) return new Array<number>(n).fill(1);
    cholInverse(n, Lp, post);
    return Array.from({ length: n }, (_, i) => Math.sqrt(post[i * n + i] / cov[i][i]));
  });
  return { times: sorted, etas: ir.etas.map((e) => e.name), predicted: f0, ratio };
}
