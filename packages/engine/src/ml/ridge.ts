/**
 * Ridge regression (OLS when λ = 0), the baseline linear model: columns standardised on the
 * training rows (mean 0, SD 1; a constant column gets SD 1), intercept unpenalised, coefficients
 * from the normal equations (ZᵀZ + λI)β = Zᵀ(y − ȳ) by Cholesky.
 */
import { fail } from '../errors.ts';
import { cholesky, cholSolve } from '../estimate/linalg.ts';

export interface Ridge {
  lambda: number;
  mean: number[];
  sd: number[];
  /** Coefficients of the standardised columns. */
  coef: number[];
  intercept: number;
}

export function trainRidge(X: Float64Array, y: Float64Array, n: number, p: number, lambda: number): Ridge {
  if (!(lambda >= 0)) fail('DT_ML_PARAMS', 'ridge.lambda', `lambda ${lambda} must be ≥ 0`);
  if (n < 2) fail('DT_ML_DATA', 'X', `ridge regression needs at least 2 rows; got ${n}`);
  const mean = new Array<number>(p).fill(0);
  const sd = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += X[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) {
      const d = X[i * p + j] - mean[j];
      sd[j] += d * d;
    }
  for (let j = 0; j < p; j++) sd[j] = sd[j] > 0 ? Math.sqrt(sd[j] / n) : 1;
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i];
  ybar /= n;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const z = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) z[j] = (X[i * p + j] - mean[j]) / sd[j];
    const r = y[i] - ybar;
    for (let j = 0; j < p; j++) {
      b[j] += z[j] * r;
      for (let k = 0; k <= j; k++) A[j * p + k] += z[j] * z[k];
    }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < j; k++) A[k * p + j] = A[j * p + k];
    A[j * p + j] += lambda;
  }
  const L = new Float64Array(p * p);
  if (!cholesky(p, A, L))
    fail('DT_ML_SINGULAR', 'ridge', 'the features are collinear (ZᵀZ + λI is singular)', {
      hint: 'use a ridge penalty λ > 0 or drop a redundant feature',
    });
  const coef = Array.from(cholSolve(p, L, b, new Float64Array(p)));
  return { lambda, mean, sd, coef, intercept: ybar };
}

export function predictRidge(m: Ridge, x: ArrayLike<number>, at = 0): number {
  let s = m.intercept;
  for (let j = 0; j < m.coef.length; j++) s += (m.coef[j] * (x[at + j] - m.mean[j])) / m.sd[j];
  return s;
}
