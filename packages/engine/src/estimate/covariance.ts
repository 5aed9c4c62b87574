import { cholesky, cholInverse, logDetChol } from './linalg.ts';
import type { JacobianMethod } from './jacobian.ts';
import type { MapObjective } from './objective.ts';

/** The posterior at a point x, FOCE-I style. */
export interface ConditionalCovariance {
  /** MAP objective f(x) = Σ φ_j + w·xᵀΩₓ⁻¹x. */
  objective: number;
  /** ∇f(x). */
  gradient: Float64Array;
  /** Expected information I(x) (n×n, row-major). */
  information: Float64Array;
  /** ETC = I(x)⁻¹ (n×n, row-major); NaN-free: all Infinity when I is not positive definite. */
  cov: Float64Array;
  /** ln|ETC|. */
  logDetCov: number;
  /**
   * The objective function value as NONMEM reports it per patient:
   * OBJ = f(x) + ln|Ωₓ/w| − ln|ETC| (shared/reference/map-benchmark/README.md).
   */
  obj: number;
  /** Predictions at the observations. */
  F: Float64Array;
}

/**
 * Conditional covariance of x at x (normally the mode): the inverse of the expected information
 *
 *     ETC⁻¹ = w·Ωₓ⁻¹ + Σ_j g_j g_jᵀ/var_j + ½ Σ_j d_j d_jᵀ/var_j²,   g = ∂F/∂x, d = ∂var/∂x,
 *
 * which is NONMEM's FOCE-I approximation of the posterior covariance (the `ETC` table; the ½ d dᵀ
 * term is the INTERACTION part), and NONMEM's per-patient OBJ. Returns null when the simulation at
 * x fails.
 */
export function conditionalCovariance(
  obj: MapObjective,
  x: Float64Array,
  jacobian: JacobianMethod,
): ConditionalCovariance | null {
  const F = new Float64Array(obj.nPred);
  const J = new Float64Array(obj.nPred * obj.n);
  if (!jacobian.compute(obj, x, F, J)) return null;
  return covarianceFromJacobian(obj, x, F, J);
}

/** Cholesky factor's scratch of {@link covarianceFromJacobian} (read only within a call). */
let scratchL = new Float64Array(0);

/** As {@link conditionalCovariance}, from predictions F and their Jacobian J already at x. */
export function covarianceFromJacobian(
  obj: MapObjective,
  x: Float64Array,
  F: Float64Array,
  J: Float64Array,
): ConditionalCovariance {
  const n = obj.n;
  const gradient = new Float64Array(n);
  const information = new Float64Array(n * n);
  const objective = obj.assemble(x, F, J, gradient, information);
  if (scratchL.length < n * n) scratchL = new Float64Array(n * n);
  const L = scratchL;
  const cov = new Float64Array(n * n);
  let logDetCov = -Infinity;
  if (cholesky(n, information, L)) {
    cholInverse(n, L, cov);
    logDetCov = -logDetChol(n, L);
  } else cov.fill(Infinity);
  const obj_ = objective + obj.logDetPrior - logDetCov;
  return {
    objective,
    gradient,
    information,
    cov,
    logDetCov,
    obj: Number.isFinite(obj_) ? obj_ : Infinity,
    F,
  };
}
