/**
 * Exact solution of linear constant-coefficient ODE systems dA/dt = K·A + r between events.
 *
 * PK models written as explicit ODEs are often linear in the amounts with constant coefficients
 * between two events (transit/Erlang absorption chains into 2-compartment disposition,
 * parent→metabolite). Over an interval of length dt with a constant zero-order input r (running
 * infusions) the solution is
 *
 *   A(t + dt) = e^{K dt} A(t) + (∫_0^dt e^{K s} ds) r,
 *
 * which we evaluate exactly (to rounding) instead of integrating numerically.
 *
 * Eigen-decomposition is deliberately not used: an Erlang chain has equal rates, so K is defective
 * (Jordan blocks) and an eigenbasis does not exist or is arbitrarily ill-conditioned near it. The
 * matrix exponential is computed by scaling and squaring with diagonal Padé approximants:
 *
 *   N. J. Higham, "The scaling and squaring method for the matrix exponential revisited",
 *   SIAM J. Matrix Anal. Appl. 2005;26(4):1179–1193, Algorithm 2.3 (m ∈ {3, 5, 7, 9, 13}, θ_m from
 *   its Table 2.3, 1-norm).
 *
 * The input integral comes from the exponential of a block matrix (C. F. Van Loan, "Computing
 * integrals involving the matrix exponential", IEEE Trans. Autom. Control 1978;23(3):395–404; see
 * also Al-Mohy & Higham, SIAM J. Sci. Comput. 2011;33(2):488–511, §2):
 *
 *   exp([[K, I], [0, 0]] · dt) = [[e^{K dt}, ∫_0^dt e^{K s} ds], [0, I]].
 *
 * Taking the n×n integral (rather than the (n+1)×(n+1) augmented [[K, r], [0, 0]] form, which bakes
 * one r in) lets one cached propagator serve every input vector: dosing regimens recur with the same
 * dt but the running infusion rates change from interval to interval.
 *
 * All matrices are row-major Float64Array. Rates are 1/h, times h, amounts in model units.
 *
 * @module
 */
import { fail } from '../errors.ts';

/** Largest 1-norm for which the [m/m] Padé approximant is accurate to unit roundoff (Higham 2005, Table 2.3). */
const THETA_3 = 1.495585217958292e-2;
const THETA_5 = 2.53939833006323e-1;
const THETA_7 = 9.504178996162932e-1;
const THETA_9 = 2.097847961257068;
const THETA_13 = 5.371920351148152;

/** Coefficients b_0..b_m of the [m/m] Padé numerator p_m(x) = Σ b_j x^j (Higham 2005, eq. 2.11 / Algorithm 2.3). */
const B3 = [120, 60, 12, 1] as const;
const B5 = [30240, 15120, 3360, 420, 30, 1] as const;
const B7 = [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1] as const;
const B9 = [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1] as const;
const B13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
  670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
] as const;

/** True when K holds n·n entries, all finite. For the model compiler's checks before solving. */
export function isFiniteMatrix(n: number, K: Float64Array): boolean {
  const nn = n * n;
  if (K.length !== nn) return false;
  for (let i = 0; i < nn; i++) if (!Number.isFinite(K[i])) return false;
  return true;
}

/** Maximum absolute column sum ‖A‖₁: the norm in which Higham's θ_m bounds are stated. */
function norm1(n: number, A: Float64Array): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(A[i * n + j]);
    if (s > best) best = s;
  }
  return best;
}

/** C = A·B (n×n, row-major); C must not alias A or B. i-k-j order keeps the inner loop contiguous. */
function matmul(n: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  C.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < n; k++) {
      const aik = A[ri + k];
      if (aik === 0) continue; // compartmental matrices are sparse; exact zeros contribute nothing
      const rk = k * n;
      for (let j = 0; j < n; j++) C[ri + j] += aik * B[rk + j];
    }
  }
}

/**
 * Reusable scratch for {@link expm} on matrices up to `capacity`×`capacity`, so repeated
 * exponentials (e.g. in {@link LinearOde}) allocate nothing.
 */
export class ExpmWorkspace {
  readonly capacity: number;
  private readonly a: Float64Array;
  private readonly a2: Float64Array;
  private readonly a4: Float64Array;
  private readonly a6: Float64Array;
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly t: Float64Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer`);
    this.capacity = capacity;
    const nn = capacity * capacity;
    this.a = new Float64Array(nn);
    this.a2 = new Float64Array(nn);
    this.a4 = new Float64Array(nn);
    this.a6 = new Float64Array(nn);
    this.u = new Float64Array(nn);
    this.v = new Float64Array(nn);
    this.t = new Float64Array(nn);
  }

  /**
   * e^A for a row-major n×n matrix A into `out` (Higham 2005, Algorithm 2.3). `out` may alias `A`.
   * Entries must be finite (checked by callers that face user input; here a NaN simply propagates).
   */
  expm(n: number, A: Float64Array, out: Float64Array): Float64Array {
    if (n > this.capacity) throw new RangeError(`n = ${n} exceeds workspace capacity ${this.capacity}`);
    const nn = n * n;
    if (A.length < nn || out.length < nn) throw new RangeError(`expm: arrays must hold n·n = ${nn} entries`);
    const { a, a2, a4, a6, u, v, t } = this;
    for (let i = 0; i < nn; i++) a[i] = A[i];
    const norm = norm1(n, a);

    matmul(n, a, a, a2);
    if (norm <= THETA_3) return this.pade(n, B3, 1, out);
    matmul(n, a2, a2, a4);
    if (norm <= THETA_5) return this.pade(n, B5, 2, out);
    matmul(n, a4, a2, a6);
    if (norm <= THETA_7) return this.pade(n, B7, 3, out);
    if (norm <= THETA_9) return this.pade(n, B9, 4, out);

    // Scale so that ‖A/2^s‖₁ ≤ θ_13. Powers of two keep the scaling exact; the powers already formed
    // are rescaled by 2^{-2s}, 2^{-4s}, 2^{-6s} instead of being recomputed.
    let s = Math.max(0, Math.ceil(Math.log2(norm / THETA_13)));
    // log2 can land a hair on the wrong side of an integer; make the bound hold exactly.
    while (norm / 2 ** s > THETA_13) s++;
    if (s > 0) {
      const f1 = 2 ** -s;
      const f2 = f1 * f1;
      const f4 = f2 * f2;
      const f6 = f4 * f2;
      for (let i = 0; i < nn; i++) {
        a[i] *= f1;
        a2[i] *= f2;
        a4[i] *= f4;
        a6[i] *= f6;
      }
    }
    const b = B13;
    // U = A[A6(b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I]
    for (let i = 0; i < nn; i++) t[i] = b[13] * a6[i] + b[11] * a4[i] + b[9] * a2[i];
    matmul(n, a6, t, u);
    for (let i = 0; i < nn; i++) u[i] += b[7] * a6[i] + b[5] * a4[i] + b[3] * a2[i];
    for (let i = 0; i < n; i++) u[i * n + i] += b[1];
    matmul(n, a, u, t);
    // V = A6(b12 A6 + b10 A4 + b8 A2) + b6 A6 + b4 A4 + b2 A2 + b0 I
    for (let i = 0; i < nn; i++) u[i] = b[12] * a6[i] + b[10] * a4[i] + b[8] * a2[i];
    matmul(n, a6, u, v);
    for (let i = 0; i < nn; i++) v[i] += b[6] * a6[i] + b[4] * a4[i] + b[2] * a2[i];
    for (let i = 0; i < n; i++) v[i * n + i] += b[0];
    // t = U; solve (V − U) R = (V + U) into out, then square s times.
    let r = this.solvePade(n, t, v, out);
    for (let k = 0; k < s; k++) {
      const next = r === out ? t : out;
      matmul(n, r, r, next);
      r = next;
    }
    if (r !== out) for (let i = 0; i < nn; i++) out[i] = r[i];
    return out;
  }

  /** [m/m] Padé approximant for m = 2q+1 ∈ {3,5,7,9} from the powers A², A⁴, A⁶ already formed. */
  private pade(n: number, b: readonly number[], q: number, out: Float64Array): Float64Array {
    const { a, a2, a4, a6, u, v, t } = this;
    const nn = n * n;
    // A^8 is needed only for m = 9; v is free scratch until it is filled below.
    if (q === 4) matmul(n, a4, a4, v);
    // Odd part (before the final multiplication by A) into u, even part into v.
    for (let i = 0; i < nn; i++) {
      let odd = b[3] * a2[i];
      let even = b[2] * a2[i];
      if (q >= 2) {
        odd += b[5] * a4[i];
        even += b[4] * a4[i];
      }
      if (q >= 3) {
        odd += b[7] * a6[i];
        even += b[6] * a6[i];
      }
      if (q >= 4) {
        odd += b[9] * v[i];
        even += b[8] * v[i];
      }
      u[i] = odd;
      t[i] = even;
    }
    for (let i = 0; i < n; i++) {
      u[i * n + i] += b[1];
      t[i * n + i] += b[0];
    }
    matmul(n, a, u, v); // v = U
    // solvePade wants (U, V): U is in v, V is in t.
    return this.solvePade(n, v, t, out);
  }

  /**
   * R = (V − U)⁻¹(V + U) by Gaussian elimination with partial pivoting on [V − U | V + U].
   * Overwrites `U` and `V` (they become the factor and the right-hand sides); result into `out`.
   */
  private solvePade(n: number, U: Float64Array, V: Float64Array, out: Float64Array): Float64Array {
    const nn = n * n;
    for (let i = 0; i < nn; i++) {
      const p = V[i] - U[i];
      const q = V[i] + U[i];
      U[i] = p; // coefficient matrix P = V − U
      V[i] = q; // right-hand sides Q = V + U
    }
    const P = U;
    const Q = V;
    for (let k = 0; k < n; k++) {
      let piv = k;
      let best = Math.abs(P[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const x = Math.abs(P[i * n + k]);
        if (x > best) {
          best = x;
          piv = i;
        }
      }
      if (piv !== k) {
        for (let j = 0; j < n; j++) {
          const x = P[k * n + j];
          P[k * n + j] = P[piv * n + j];
          P[piv * n + j] = x;
          const y = Q[k * n + j];
          Q[k * n + j] = Q[piv * n + j];
          Q[piv * n + j] = y;
        }
      }
      // Higham 2005 §2 bounds cond(V − U) for ‖A‖₁ ≤ θ_13, so a zero pivot means NaN/Inf input.
      const d = P[k * n + k];
      for (let i = k + 1; i < n; i++) {
        const l = P[i * n + k] / d;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) P[i * n + j] -= l * P[k * n + j];
        for (let j = 0; j < n; j++) Q[i * n + j] -= l * Q[k * n + j];
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      const d = P[i * n + i];
      for (let j = 0; j < n; j++) {
        let x = Q[i * n + j];
        for (let k = i + 1; k < n; k++) x -= P[i * n + k] * out[k * n + j];
        out[i * n + j] = x / d;
      }
    }
    return out;
  }
}

/**
 * Matrix exponential e^A of a row-major n×n matrix into `out` (length ≥ n·n; may alias A), by
 * scaling and squaring with Padé approximants (Higham 2005, Algorithm 2.3). Allocates a workspace
 * per call; hot paths should hold an {@link ExpmWorkspace} or use {@link LinearOde}.
 * @throws DosetwinError DT_PARAM_DOMAIN when an entry of A is not finite (field `A[i][j]`).
 */
export function expm(n: number, A: Float64Array, out: Float64Array): Float64Array {
  checkFinite(n, A, 'A');
  return new ExpmWorkspace(n).expm(n, A, out);
}

function checkFinite(n: number, K: Float64Array, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (K.length !== n * n) throw new RangeError(`${name} must hold n·n = ${n * n} entries, got ${K.length}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(K[i])) {
      const row = Math.floor(i / n);
      const col = i % n;
      fail('DT_PARAM_DOMAIN', `${name}[${row}][${col}]`, `${name}[${row}][${col}] = ${K[i]} is not finite`, {
        hint: 'check the rate constants (e.g. CL/V with V = 0) feeding the linear ODE system',
      });
    }
  }
}

/** Number of distinct dt values whose propagators are kept; covers dosing interval + a few event gaps. */
const CACHE_SIZE = 4;

/**
 * Workspace for dA/dt = K·A + r of one size n: all scratch and the propagator cache are allocated
 * in the constructor, so {@link LinearOde.advance} allocates nothing.
 */
export class LinearOde {
  readonly n: number;
  private readonly K: Float64Array;
  /** 2n×2n block matrix [[K dt, I dt], [0, 0]] and its exponential. */
  private readonly block: Float64Array;
  private readonly blockExp: Float64Array;
  private readonly ws: ExpmWorkspace;
  private readonly cacheDt: Float64Array;
  /** Per slot: e^{K dt} (n×n) then ∫_0^dt e^{K s} ds (n×n, h), back to back. */
  private readonly cacheProp: Float64Array[];
  /** Per slot: whether the integral half is there (it is computed only when an input needs it). */
  private readonly cacheHasIntegral: Uint8Array;
  private readonly small: Float64Array;
  private cacheCount = 0;
  private cacheNext = 0;
  private readonly tmp: Float64Array;
  private computed = 0;

  /** @param n number of compartments (state amounts), ≥ 1. */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
    this.n = n;
    this.K = new Float64Array(n * n); // K = 0 until set: A stays constant apart from input
    const m = 2 * n;
    this.block = new Float64Array(m * m);
    this.blockExp = new Float64Array(m * m);
    this.ws = new ExpmWorkspace(m);
    this.cacheDt = new Float64Array(CACHE_SIZE);
    this.cacheProp = Array.from({ length: CACHE_SIZE }, () => new Float64Array(2 * n * n));
    this.cacheHasIntegral = new Uint8Array(CACHE_SIZE);
    this.small = new Float64Array(n * n);
    this.tmp = new Float64Array(n);
  }

  /** How many propagators have been computed (cache misses); for tests and diagnostics. */
  get propagatorsComputed(): number {
    return this.computed;
  }

  /**
   * Set K (row-major n×n, 1/h): K[i][j] is the rate of flow into compartment i per unit amount in j.
   * Clears the cache of propagators.
   * @throws DosetwinError DT_PARAM_DOMAIN naming `K[i][j]` when an entry is not finite.
   */
  setMatrix(K: Float64Array): void {
    checkFinite(this.n, K, 'K');
    this.K.set(K);
    this.cacheCount = 0;
    this.cacheNext = 0;
    const n = this.n;
    let diagonal = true;
    for (let i = 0; i < n && diagonal; i++)
      for (let j = 0; j < n; j++) if (i !== j && K[i * n + j] !== 0) diagonal = false;
    this.diagonal = diagonal;
  }

  /** K has no off-diagonal entry (uncoupled compartments): the propagator is then elementwise. */
  private diagonal = true;

  /**
   * Advance amounts `a` (length n, in place) over `dt` ≥ 0 h with constant input rate `r`
   * (length n, amount/h): a ← e^{K dt} a + (∫_0^dt e^{K s} ds) r.
   * @throws DosetwinError DT_PARAM_DOMAIN naming `dt` or `r[i]` when not finite (or dt < 0).
   */
  advance(a: Float64Array, r: Float64Array, dt: number): void {
    const n = this.n;
    if (!Number.isFinite(dt) || dt < 0) fail('DT_PARAM_DOMAIN', 'dt', `dt = ${dt} h must be finite and ≥ 0`);
    if (a.length !== n || r.length !== n) throw new RangeError(`a and r must have length n = ${n}`);
    let hasInput = false;
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      if (!Number.isFinite(ri))
        fail('DT_PARAM_DOMAIN', `r[${i}]`, `input rate r[${i}] = ${ri} is not finite`);
      if (ri !== 0) hasInput = true;
    }
    if (dt === 0) return;
    const prop = this.propagator(dt, hasInput);
    const nn = n * n;
    const tmp = this.tmp;
    for (let i = 0; i < n; i++) {
      let x = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) x += prop[row + j] * a[j];
      if (hasInput) for (let j = 0; j < n; j++) x += prop[nn + row + j] * r[j];
      tmp[i] = x;
    }
    for (let i = 0; i < n; i++) a[i] = tmp[i];
  }

  /**
   * Cached [e^{K dt} | ∫_0^dt e^{K s} ds] for this dt, computing it on a miss (round-robin
   * eviction). Without input only e^{K dt} is needed: it is then the exponential of the n×n
   * matrix K·dt, 8 times less work than the 2n×2n block, and the integral is added when an
   * interval of that length with an input comes.
   */
  private propagator(dt: number, integral: boolean): Float64Array {
    for (let c = 0; c < this.cacheCount; c++)
      if (this.cacheDt[c] === dt) {
        if (integral && !this.cacheHasIntegral[c]) {
          this.computePropagator(dt, this.cacheProp[c]);
          this.cacheHasIntegral[c] = 1;
          this.computed++;
        }
        return this.cacheProp[c];
      }
    const slot = this.cacheNext;
    this.cacheNext = (slot + 1) % CACHE_SIZE;
    if (this.cacheCount < CACHE_SIZE) this.cacheCount++;
    this.cacheDt[slot] = dt;
    const out = this.cacheProp[slot];
    if (this.diagonal) {
      // e^{k dt} and ∫_0^dt e^{k s} ds = expm1(k dt)/k (→ dt as k → 0), entry by entry.
      const n = this.n;
      const nn = n * n;
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const k = this.K[i * n + i];
        const kt = k * dt;
        out[i * n + i] = Math.exp(kt);
        out[nn + i * n + i] = kt === 0 ? dt : Math.expm1(kt) / k;
      }
      integral = true;
    } else if (integral) this.computePropagator(dt, out);
    else {
      const n = this.n;
      const A = this.small;
      for (let i = 0; i < n * n; i++) A[i] = this.K[i] * dt;
      this.ws.expm(n, A, out); // first n·n entries: e^{K dt}
    }
    this.cacheHasIntegral[slot] = integral ? 1 : 0;
    this.computed++;
    return out;
  }

  private computePropagator(dt: number, out: Float64Array): void {
    const n = this.n;
    const m = 2 * n;
    const B = this.block;
    B.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) B[i * m + j] = this.K[i * n + j] * dt;
      B[i * m + n + i] = dt;
    }
    const E = this.ws.expm(m, B, this.blockExp);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        out[i * n + j] = E[i * m + j];
        out[n * n + i * n + j] = E[i * m + n + j];
      }
    }
  }
}
