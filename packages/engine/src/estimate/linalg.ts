/**
 * Dense linear algebra for the small symmetric matrices of MAP estimation (n = number of etas,
 * typically 1–20): Cholesky factorisation, solves, inverse, log-determinant. Row-major
 * `Float64Array`s, caller-owned outputs, no allocation — these run inside every optimiser
 * iteration, where ml-matrix's object-per-operation API would dominate the cost at this size.
 */

/**
 * Cholesky factor L (lower triangle, row-major; the upper triangle is zeroed) of the symmetric
 * matrix A, A = L·Lᵀ. Returns false if A is not (numerically) positive definite.
 */
export function cholesky(n: number, A: ArrayLike<number>, L: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j];
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return false;
        L[i * n + i] = Math.sqrt(sum);
      } else L[i * n + j] = sum / L[j * n + j];
    }
    for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  }
  return true;
}

/** Solve (L·Lᵀ)·x = b given the Cholesky factor L. `x` may alias `b`. */
export function cholSolve(n: number, L: Float64Array, b: ArrayLike<number>, x: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Solve L·y = b (forward substitution only): ‖y‖² = bᵀA⁻¹b. */
export function forwardSolve(
  n: number,
  L: Float64Array,
  b: ArrayLike<number>,
  y: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  return y;
}

/** ln|A| from the Cholesky factor of A. */
export function logDetChol(n: number, L: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/** A⁻¹ from the Cholesky factor of A (symmetric result, full storage). */
export function cholInverse(n: number, L: Float64Array, out: Float64Array): Float64Array {
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    cholSolve(n, L, e, e);
    for (let i = 0; i < n; i++) out[i * n + j] = e[i];
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (out[i * n + j] + out[j * n + i]);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  return out;
}

/**
 * Cholesky factor of A + τI with the smallest τ = 0, τ₀, 2τ₀, 4τ₀ … (τ₀ = 1e-3·max|diag|) that
 * makes it positive definite: "Cholesky with added multiple of the identity", Nocedal & Wright,
 * Numerical Optimization, 2nd ed., Algorithm 3.3. Returns τ (Infinity if A is not finite).
 */
export function choleskyShifted(n: number, A: Float64Array, L: Float64Array, work: Float64Array): number {
  if (cholesky(n, A, L)) return 0;
  let dmax = 0;
  for (let i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(A[i * n + i]));
  if (!Number.isFinite(dmax)) return Infinity;
  let tau = 1e-3 * (dmax > 0 ? dmax : 1);
  for (let it = 0; it < 60; it++) {
    work.set(A.subarray(0, n * n));
    for (let i = 0; i < n; i++) work[i * n + i] += tau;
    if (cholesky(n, work, L)) return tau;
    tau *= 2;
  }
  return Infinity;
}

/** Whether two vectors hold the same values (same length, element by element, no tolerance). */
export function sameVector(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
