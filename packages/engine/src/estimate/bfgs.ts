import { choleskyShifted, cholSolve } from './linalg.ts';

/** A smooth function to minimise, with a gradient and (optionally) a curvature model. */
export interface Minimizable {
  readonly n: number;
  /** f(x); +Infinity where f is undefined (never NaN). */
  value(x: Float64Array): number;
  /**
   * f(x) and ∇f(x) into `g`; if `H` is given, a symmetric positive-definite model of ∇²f(x) into
   * it (for MAP: twice the expected information, the Gauss–Newton/Fisher-scoring matrix).
   */
  gradient(x: Float64Array, g: Float64Array, H: Float64Array | null): number;
}

export interface MinimizeOptions {
  /** Iteration limit (default 100). */
  maxIterations?: number;
  /**
   * Stop when the Newton decrement δ² = gᵀB⁻¹g (≈ 2·(f − f*) for a quadratic) is below this
   * (default 1e-10, in units of f).
   */
  decrementTolerance?: number;
  /** Per-component scale of x (default 1): bounds steps and defines "tiny" steps. */
  scale?: ArrayLike<number>;
  /** Largest step per iteration, in units of `scale` (default 3). */
  maxStep?: number;
  /**
   * Curvature model B of the quasi-Newton step p = −B⁻¹g:
   * - `bfgs` (default): B₀ = the curvature model at x₀, then damped BFGS updates (Nocedal & Wright 2006,
   *   Procedure 18.2 — keeps B positive definite when sᵀy ≤ 0.2·sᵀBs, so backtracking line search
   *   suffices);
   * - `structured`: B_k = H(x_k) + S_k, the curvature model at the current point (exact
   *   in the Gauss–Newton part) plus a secant estimate S_k of the remaining second-order term,
   *   updated so that B_{k+1}s = y (Dennis, Gay & Welsch, ACM TOMS 1981;7:348–368, the NL2SOL
   *   "augmented" model; Nocedal & Wright §10.3, hybrid methods for large residuals), with the PSB
   *   update for S, and Cholesky with an added multiple of I when B is not positive definite.
   */
  method?: 'bfgs' | 'structured';
  /** Components held at their starting value (1 = fixed): the minimisation is over the others. */
  fixed?: Uint8Array | null;
  /**
   * Called with each accepted iterate and f there, before the gradient there is computed;
   * returning true stops the minimisation (not converged, reason `stopped by the caller`; `g` and
   * `B` are then those of the previous iterate), e.g. once the iterate has entered the basin of a
   * minimum already known.
   */
  stop?: (x: Float64Array, f: number) => boolean;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  g: Float64Array;
  /** Curvature model at x (the last B). */
  B: Float64Array;
  iterations: number;
  valueEvals: number;
  gradientEvals: number;
  /** Newton decrement gᵀB⁻¹g at x. */
  decrement: number;
  converged: boolean;
  reason: string;
}

const C1 = 1e-4; // Armijo sufficient-decrease constant (Nocedal & Wright §3.1)

/**
 * Quasi-Newton minimisation with a backtracking line search (Armijo condition, safeguarded
 * quadratic interpolation: Nocedal & Wright, Numerical Optimization, 2nd ed. 2006, §3.5; steps
 * shrink to 0.1–0.5 of the previous, ×0.1 after a non-finite value). The first trial step is the
 * full quasi-Newton step, capped to `maxStep` scaled units.
 *
 * Stops (converged) when the Newton decrement gᵀB⁻¹g ≤ `decrementTolerance`, or when a step
 * changes no component by more than 1e-10 scaled units and f by at most 1e-12·(1 + |f|) while
 * the decrement is ≤ 1e-6 (f is then flat to its rounding noise). Not converged: iteration limit,
 * line search failing to decrease f, non-finite f at x₀.
 */
export function minimize(
  obj: Minimizable,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  // Scratch arrays from a pool (a MAP fit runs several minimisations, a population fit nests them:
  // each call takes its own and gives it back), since allocating a dozen typed arrays per call was a
  // visible share of a closed-form MAP fit.
  const n = obj.n;
  let pool = pools.get(n);
  if (!pool) {
    pool = [];
    pools.set(n, pool);
  }
  const w = pool.pop() ?? newWorkspace(n);
  try {
    return minimizeIn(obj, x0, options, w);
  } finally {
    if (pool.length < 8) pool.push(w);
  }
}

/** Scratch of one {@link minimize} call (all but the result's x, g and B). */
interface Workspace {
  scale: Float64Array;
  H: Float64Array;
  S: Float64Array;
  L: Float64Array;
  work: Float64Array;
  p: Float64Array;
  xt: Float64Array;
  gt: Float64Array;
  s: Float64Array;
  yv: Float64Array;
  Bs: Float64Array;
}

const pools = new Map<number, Workspace[]>();

function newWorkspace(n: number): Workspace {
  const v = (): Float64Array => new Float64Array(n);
  const m = (): Float64Array => new Float64Array(n * n);
  return {
    scale: v(),
    H: m(),
    S: m(),
    L: m(),
    work: m(),
    p: v(),
    xt: v(),
    gt: v(),
    s: v(),
    yv: v(),
    Bs: v(),
  };
}

function minimizeIn(
  obj: Minimizable,
  x0: ArrayLike<number>,
  options: MinimizeOptions,
  w: Workspace,
): MinimizeResult {
  const n = obj.n;
  const maxIt = options.maxIterations ?? 100;
  const tolDec = options.decrementTolerance ?? 1e-10;
  const maxStep = options.maxStep ?? 3;
  const method = options.method ?? 'bfgs';
  // Plain loops: `Float64Array.from` with a map function or an array-like goes through the
  // iterator protocol, and this runs for every start of every MAP fit.
  const { scale, H, S, L, work, p, xt, gt, s, yv, Bs } = w;
  S.fill(0);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = options.scale?.[i] ?? 1;
    x[i] = x0[i];
  }
  const g = new Float64Array(n);
  const B = new Float64Array(n * n);
  let valueEvals = 0;
  let gradientEvals = 1;
  const fixed = options.fixed ?? null;
  let f = obj.gradient(x, g, H);
  B.set(H);
  mask(n, fixed, g, B);
  // No closures here (results and masking are module functions): a closure over f would keep f
  // in a heap context, one boxed number per assignment, at every iteration of every MAP fit.
  if (!Number.isFinite(f))
    return resultOf(
      x,
      f,
      g,
      B,
      valueEvals,
      gradientEvals,
      false,
      'objective not finite at the starting point',
      0,
      Infinity,
    );
  let decrement = Infinity;
  let resetDone = false;
  for (let it = 0; it < maxIt; it++) {
    // ---- direction ----
    const tau = choleskyShifted(n, B, L, work);
    if (!Number.isFinite(tau))
      return resultOf(
        x,
        f,
        g,
        B,
        valueEvals,
        gradientEvals,
        false,
        'curvature model not finite',
        it,
        Infinity,
      );
    cholSolve(n, L, g, p);
    let slope = 0;
    for (let i = 0; i < n; i++) {
      p[i] = -p[i];
      slope += g[i] * p[i];
    }
    decrement = -slope;
    if (decrement <= tolDec && tau === 0)
      return resultOf(
        x,
        f,
        g,
        B,
        valueEvals,
        gradientEvals,
        true,
        'Newton decrement below tolerance',
        it,
        decrement,
      );
    if (!(slope < 0))
      return resultOf(x, f, g, B, valueEvals, gradientEvals, false, 'no descent direction', it, decrement);
    let pmax = 0;
    for (let i = 0; i < n; i++) pmax = Math.max(pmax, Math.abs(p[i]) / scale[i]);
    if (pmax > maxStep) {
      const r = maxStep / pmax;
      for (let i = 0; i < n; i++) p[i] *= r;
      slope *= r;
      pmax = maxStep;
    }
    // ---- backtracking line search ----
    let alpha = 1;
    let ft = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xt[i] = x[i] + alpha * p[i];
      ft = obj.value(xt);
      valueEvals++;
      if (ft <= f + C1 * alpha * slope) {
        accepted = true;
        break;
      }
      if (!Number.isFinite(ft)) alpha *= 0.1;
      else {
        const aq = (-slope * alpha * alpha) / (2 * (ft - f - alpha * slope));
        alpha = Math.min(0.5 * alpha, Math.max(0.1 * alpha, aq));
      }
      if (alpha * pmax < 1e-12) break;
    }
    if (!accepted) {
      // The model may be stale (BFGS) or the secant part misleading: retry once from the plain
      // curvature model at x before giving up.
      if (!resetDone) {
        resetDone = true;
        f = obj.gradient(x, g, H);
        gradientEvals++;
        B.set(H);
        S.fill(0);
        mask(n, fixed, g, B);
        continue;
      }
      const flat = decrement <= 1e-6;
      return resultOf(
        x,
        f,
        g,
        B,
        valueEvals,
        gradientEvals,
        flat,
        flat ? 'line search stalled at a flat optimum' : 'line search failed',
        it,
        decrement,
      );
    }
    // ---- new point ----
    // Asked before the gradient there, which would cost the caller n simulations to no use.
    if (options.stop && options.stop(xt, ft)) {
      x.set(xt);
      f = ft;
      return resultOf(
        x,
        f,
        g,
        B,
        valueEvals,
        gradientEvals,
        false,
        'stopped by the caller',
        it + 1,
        decrement,
      );
    }
    const fOld = f;
    // BFGS reads the curvature model only at the start and on a reset: none asked here (for MAP,
    // the information matrix is then not assembled at every iterate).
    f = obj.gradient(xt, gt, method === 'bfgs' ? null : H);
    gradientEvals++;
    let smax = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      yv[i] = gt[i] - g[i];
      smax = Math.max(smax, Math.abs(s[i]) / scale[i]);
    }
    x.set(xt);
    g.set(gt);
    if (fixed) for (let i = 0; i < n; i++) if (fixed[i]) yv[i] = 0;
    if (!Number.isFinite(f))
      return resultOf(x, f, g, B, valueEvals, gradientEvals, false, 'gradient not finite', it + 1, Infinity);
    if (method === 'bfgs') dampedBfgs(n, B, s, yv, Bs);
    else {
      // y♯ = y − H(x₊)s: the curvature the Gauss–Newton part does not explain; S s ≈ y♯ (PSB).
      for (let i = 0; i < n; i++) {
        let hs = 0;
        for (let j = 0; j < n; j++) hs += H[i * n + j] * s[j];
        yv[i] -= hs;
      }
      psb(n, S, s, yv, Bs);
      for (let i = 0; i < n * n; i++) B[i] = H[i] + S[i];
    }
    mask(n, fixed, g, B);
    resetDone = false;
    if (smax <= 1e-10 && Math.abs(fOld - f) <= 1e-12 * (1 + Math.abs(f)) && decrement <= 1e-6)
      return resultOf(
        x,
        f,
        g,
        B,
        valueEvals,
        gradientEvals,
        true,
        'step and change of objective below rounding',
        it + 1,
        decrement,
      );
  }
  return resultOf(x, f, g, B, valueEvals, gradientEvals, false, 'iteration limit reached', maxIt, decrement);
}

/** Zero the gradient and decouple the curvature of fixed components (so p_i = 0 there). */
function mask(n: number, fixed: Uint8Array | null, g: Float64Array, B: Float64Array): void {
  if (!fixed) return;
  for (let i = 0; i < n; i++)
    if (fixed[i]) {
      g[i] = 0;
      for (let j = 0; j < n; j++) {
        B[i * n + j] = 0;
        B[j * n + i] = 0;
      }
      B[i * n + i] = 1;
    }
}

function resultOf(
  x: Float64Array,
  f: number,
  g: Float64Array,
  B: Float64Array,
  valueEvals: number,
  gradientEvals: number,
  converged: boolean,
  reason: string,
  iterations: number,
  decrement: number,
): MinimizeResult {
  return { x, f, g, B, iterations, valueEvals, gradientEvals, decrement, converged, reason };
}

/** Damped BFGS update of B with pair (s, y): Nocedal & Wright 2006, Procedure 18.2. */
function dampedBfgs(n: number, B: Float64Array, s: Float64Array, y: Float64Array, Bs: Float64Array): void {
  let sBs = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += B[i * n + j] * s[j];
    Bs[i] = v;
    sBs += s[i] * v;
    sy += s[i] * y[i];
  }
  if (!(sBs > 0)) return;
  const theta = sy >= 0.2 * sBs ? 1 : (0.8 * sBs) / (sBs - sy);
  let sr = 0;
  for (let i = 0; i < n; i++) {
    y[i] = theta * y[i] + (1 - theta) * Bs[i]; // r
    sr += s[i] * y[i];
  }
  if (!(sr > 0)) return;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) B[i * n + j] += -(Bs[i] * Bs[j]) / sBs + (y[i] * y[j]) / sr;
}

/**
 * Powell-symmetric-Broyden update: the symmetric S₊ closest to S (Frobenius) with S₊s = y♯
 * (Dennis & Schnabel, Numerical Methods for Unconstrained Optimization, 1983, §8.2).
 */
function psb(n: number, S: Float64Array, s: Float64Array, ys: Float64Array, r: Float64Array): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += s[i] * s[i];
  if (!(ss > 0)) return;
  let rs = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += S[i * n + j] * s[j];
    r[i] = ys[i] - v;
    rs += r[i] * s[i];
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      S[i * n + j] += (r[i] * s[j] + s[i] * r[j]) / ss - (rs * s[i] * s[j]) / (ss * ss);
}
