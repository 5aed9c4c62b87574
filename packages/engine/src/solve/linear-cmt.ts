/**
 * Exact closed-form state advancement for linear mammillary 1/2/3-compartment models with optional
 * first-order absorption (NONMEM ADVAN1/2, ADVAN3/4, ADVAN11/12).
 *
 * The engine processes event records one interval at a time; between two records the micro-constants
 * and the zero-order input rates are constant, so the amounts obey the linear ODE
 *
 *   depot' = −ka·depot + r_d,        x' = D·x + ka·depot·e_c + r,
 *
 * with `x` the disposition amounts, `e_c` the unit vector of the central compartment and `D` the
 * disposition matrix (rows = d/dt of central, peripheral 1, peripheral 2):
 *
 *   1-cpt: [−k10]
 *   2-cpt: [[−(k10+k12), k21], [k12, −k21]]
 *   3-cpt: [[−(k10+k12+k13), k21, k31], [k12, −k21, 0], [k13, 0, −k31]]
 *
 * This is the state-transition form of the analytical solutions (Abuhelwa, Foster & Upton 2015,
 * J Pharmacol Toxicol Methods 73:42–48): advancing the state interval by interval handles multiple
 * doses, infusions and time-varying parameters exactly.
 *
 * ## How e^{Dt} is evaluated (and why not Sylvester's projector formula verbatim)
 *
 * With eigenvalues −λ_i of D (λ_i ≥ 0 decay rates, closed form), the textbook solution is
 * e^{Dt} = Σ_i e^{−λ_i t} P_i with spectral projectors P_i = Π_{j≠i} (D + λ_j I)/(λ_j − λ_i). That
 * formula divides by eigenvalue gaps, which vanish when a peripheral compartment is (nearly)
 * disconnected (Q → 0 with k10 ≈ k21, or Q = 0 and k10 = 0) — D may then even be a Jordan block
 * with no projectors at all — and the depot adds the ka ≈ λ_i resonance that MAP estimation hits.
 * We therefore use the same interpolation polynomial written in Newton form
 *
 *   e^{Dt} = Σ_j f[−λ_0, …, −λ_j] · M_j,      M_j = Π_{i<j} (D + λ_i I),    f(z) = e^{z t},
 *
 * (Cayley–Hamilton: this equals Σ_i e^{−λ_i t} P_i whenever the eigenvalues are distinct, and it stays
 * exact in the confluent limits), with the λ_i sorted fastest first, which keeps the terms from
 * cancelling. The matrices M_j depend only on the rates and are computed once in `setRates`. Inputs
 * are the same sums with one or two extra interpolation points, because convolving with an
 * exponential adds a point to a divided difference of exp:
 *
 *   ∫_0^t e^{D(t−s)} r ds                      = Σ_j f[0, −λ_0..−λ_j] M_j r
 *      (for one eigenvalue this is (1 − e^{−λt})/λ = −expm1(−λt)/λ, → t as λ → 0)
 *   ∫_0^t e^{D(t−s)} e_c ka A_d e^{−ka s} ds   = ka·A_d Σ_j f[−ka, −λ_0..−λ_j] M_j e_c
 *      (for one eigenvalue this is e^{−min(λ,ka)t}·(−expm1(−|λ−ka|t))/|λ−ka|, → t e^{−λt})
 *   ∫_0^t e^{D(t−s)} e_c r_d (1 − e^{−ka s}) ds = ka·r_d Σ_j f[0, −ka, −λ_0..−λ_j] M_j e_c
 *
 * Divided differences of exp are computed without cancellation (McCurdy, Ng & Parlett 1984,
 * Math Comp 43:501–528): on point sets whose spread·t is < 1 by the positive Taylor series in complete
 * homogeneous symmetric polynomials, otherwise by the standard recursion, whose subtraction then
 * loses at most a few bits. All of this is exact to rounding for every non-negative set of rates,
 * including k10 = 0 (λ = 0: linear accumulation of inputs, total mass conserved), Q = 0 (the
 * peripheral keeps its amount, or drains into the central when only k12 = 0), ka = 0 (the depot
 * keeps its amount) and ka = λ_i.
 *
 * Pure and isomorphic: no I/O, no allocation in {@link LinearCmt.advance}.
 */

import { fail } from '../errors.ts';

/** Spread (in units of the dimensionless points z = −λt) below which the Taylor series is used. */
const SERIES_SPREAD = 1;

/**
 * Exact linear 1/2/3-compartment state advancement, NONMEM compartment numbering (state index =
 * CMT − 1): ADVAN1 `[central]`, ADVAN2 `[depot, central]`, ADVAN3 `[central, peripheral]`, ADVAN4
 * `[depot, central, peripheral]`, ADVAN11 `[central, periph1, periph2]`, ADVAN12
 * `[depot, central, periph1, periph2]`. Amounts in mg, time in h, rates in 1/h, inputs in mg/h.
 */
export class LinearCmt {
  /** Number of states (disposition compartments, plus one if there is a depot). */
  readonly n: number;
  /** Number of disposition compartments. */
  readonly nDisp: 1 | 2 | 3;
  /** Whether state 0 is a first-order absorption depot. */
  readonly depot: boolean;

  /** Disposition decay rates λ_i ≥ 0 (1/h), sorted descending (fastest first). */
  readonly lambda: Float64Array;
  private ka = 0;
  private ratesSet = false;
  /** Arguments of {@link setRates} on their way to {@link setRateVector}. */
  private readonly rateArgs = new Float64Array(6);
  /** Last accepted (k10, k12, k21, k13, k31, ka), to make repeated `setRates` calls free. */
  private readonly lastRates = new Float64Array(6);
  /** Disposition matrix D, row-major m×m. */
  private readonly dMat: Float64Array;
  /** Newton-form matrices M_1..M_{m−1} (M_0 = I is implicit), row-major, M_j at offset (j−1)·m². */
  private readonly mMat: Float64Array;

  // Per-dt coefficients, reused when advance() is called again with the same dt and rates.
  private cachedDt = NaN;
  /** Per-dt coefficients of the last advance (read by the sensitivities of the one-compartment form). */
  readonly fE: Float64Array; // f[−λ0..−λj]
  readonly fR: Float64Array; // f[0, −λ0..−λj]
  readonly fA: Float64Array; // ka·f[−ka, −λ0..−λj]
  private readonly fB: Float64Array; // ka·f[0, −ka, −λ0..−λj]
  private fBdt = NaN; // dt of fB
  eKa = 1; // e^{−ka t}
  private gKa = 0; // (1 − e^{−ka t})/ka
  /** ka and t of eKa and gKa (one compartment; NaN: none yet, or set by another path). */
  private kaStepKa = NaN;
  private kaStepT = NaN;

  // Scratch: sorted points z = p·t of one divided difference, their exponentials, and a memo of the
  // divided differences over contiguous ranges z[lo..hi] (valid where memoStamp === stamp).
  private readonly z = new Float64Array(5);
  private readonly ez = new Float64Array(5);
  private readonly expLam: Float64Array;
  private readonly memo = new Float64Array(25);
  private readonly memoStamp = new Uint32Array(25);
  private stamp = 0;
  private readonly h = new Float64Array(5);
  private readonly w: Float64Array;
  private readonly xNew: Float64Array;

  /**
   * @param nDisp number of disposition compartments (1, 2 or 3).
   * @param depot whether a first-order absorption compartment precedes the central one.
   */
  constructor(nDisp: 1 | 2 | 3, depot: boolean) {
    if (nDisp !== 1 && nDisp !== 2 && nDisp !== 3) {
      fail('DT_PARAM_DOMAIN', 'nDisp', `number of disposition compartments must be 1, 2 or 3, got ${nDisp}`);
    }
    this.nDisp = nDisp;
    this.depot = depot;
    this.n = nDisp + (depot ? 1 : 0);
    const m = nDisp;
    this.lambda = new Float64Array(m);
    this.dMat = new Float64Array(m * m);
    this.mMat = new Float64Array(Math.max(1, (m - 1) * m * m));
    this.fE = new Float64Array(m);
    this.fR = new Float64Array(m);
    this.fA = new Float64Array(m);
    this.fB = new Float64Array(m);
    this.w = new Float64Array(m * m);
    this.xNew = new Float64Array(m);
    this.expLam = new Float64Array(m);
  }

  /**
   * Set the micro-constants (1/h): k10 = CL/V1, k12 = Q2/V1, k21 = Q2/V2, k13 = Q3/V1, k31 = Q3/V3,
   * ka = absorption rate. Constants the model does not use (k12/k21 for 1-cpt, k13/k31 below 3-cpt,
   * ka without depot) are ignored and not validated. Precomputes the eigenvalues and the Newton-form
   * matrices; a call with the same values as the previous one returns immediately.
   *
   * @throws DosetwinError `DT_PARAM_DOMAIN`, field = the constant's name, if a used rate is negative
   *   or not finite.
   */
  setRates(k10: number, k12: number, k21: number, k13: number, k31: number, ka: number): void {
    const r = this.rateArgs;
    r[0] = k10;
    r[1] = k12;
    r[2] = k21;
    r[3] = k13;
    r[4] = k31;
    r[5] = ka;
    this.setRateVector(r);
  }

  /**
   * {@link setRates} from a vector (k10, k12, k21, k13, k31, ka), read before anything is stored:
   * the simulator's path, since six doubles passed to a call that is not inlined are six
   * allocations, at every record with time-varying covariates.
   */
  setRateVector(r: ArrayLike<number>): void {
    const k10 = r[0];
    let k12 = r[1];
    let k21 = r[2];
    let k13 = r[3];
    let k31 = r[4];
    let ka = r[5];
    const m = this.nDisp;
    if (m < 2) k12 = k21 = 0;
    if (m < 3) k13 = k31 = 0;
    if (!this.depot) ka = 0;
    const last = this.lastRates;
    if (
      this.ratesSet &&
      k10 === last[0] &&
      k12 === last[1] &&
      k21 === last[2] &&
      k13 === last[3] &&
      k31 === last[4] &&
      ka === last[5]
    ) {
      return;
    }
    // Invalidate first so that a throw below leaves the object unusable rather than silently stale.
    this.ratesSet = false;
    this.cachedDt = NaN;
    checkRate('k10', k10);
    if (m >= 2) {
      checkRate('k12', k12);
      checkRate('k21', k21);
    }
    if (m >= 3) {
      checkRate('k13', k13);
      checkRate('k31', k31);
    }
    if (this.depot) checkRate('ka', ka);

    const lam = this.lambda;
    const d = this.dMat;
    if (m === 1) {
      lam[0] = k10;
      d[0] = -k10;
    } else if (m === 2) {
      // Roots of λ² − sλ + p = 0. The discriminant s² − 4p is written as (k10+k12−k21)² + 4·k12·k21,
      // a sum of non-negative terms (no cancellation, never negative); the smaller root is taken as
      // p/α rather than (s − √disc)/2, which would cancel when β ≪ α.
      const s = k10 + k12 + k21;
      const p = k10 * k21;
      const u = k10 + k12 - k21;
      const alpha = 0.5 * (s + Math.sqrt(u * u + 4 * k12 * k21));
      lam[0] = alpha;
      lam[1] = alpha > 0 ? p / alpha : 0;
      d[0] = -(k10 + k12);
      d[1] = k21;
      d[2] = k12;
      d[3] = -k21;
    } else {
      cubicRoots(k10, k12, k21, k13, k31, lam);
      d[0] = -(k10 + k12 + k13);
      d[1] = k21;
      d[2] = k31;
      d[3] = k12;
      d[4] = -k21;
      d[5] = 0;
      d[6] = k13;
      d[7] = 0;
      d[8] = -k31;
    }

    // M_1 = D + λ0·I; M_2 = M_1·(D + λ1·I).
    if (m >= 2) {
      const mm = this.mMat;
      const mm2 = m * m;
      for (let i = 0; i < mm2; i++) mm[i] = d[i];
      for (let i = 0; i < m; i++) mm[i * m + i] += lam[0];
      if (m === 3) {
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            let acc = 0;
            for (let k = 0; k < 3; k++) acc += mm[i * 3 + k] * (d[k * 3 + j] + (k === j ? lam[1] : 0));
            mm[mm2 + i * 3 + j] = acc;
          }
        }
      }
    }
    this.ka = ka;
    last[0] = k10;
    last[1] = k12;
    last[2] = k21;
    last[3] = k13;
    last[4] = k31;
    last[5] = ka;
    this.ratesSet = true;
  }

  /**
   * Advance the amounts `a` (length n, mg, in place) over `dt` ≥ 0 hours with constant zero-order
   * input `rate` (length n, mg/h per compartment; the depot may receive one too). Allocates nothing.
   * Coefficients are cached, so consecutive calls with the same dt (and rates) are cheaper.
   */
  advance(a: Float64Array, rate: Float64Array, dt: number): void {
    this.step = dt;
    this.advanceStep(a, rate);
  }

  /**
   * Time step of the next {@link advanceStep}: the simulator's path, which sets it before the call
   * (a double passed to a call that is not inlined is boxed, here at every interval of every run).
   */
  step = 0;

  /** {@link advance} over `this.step`. */
  advanceStep(a: Float64Array, rate: Float64Array): void {
    const dt = this.step;
    if (!this.ratesSet) fail('DT_PARAM_DOMAIN', 'rates', 'LinearCmt.advance() called before setRates()');
    if (!(dt >= 0) || dt === Infinity)
      fail('DT_PARAM_DOMAIN', 'dt', `time step must be finite and ≥ 0, got ${dt}`);
    if (dt === 0) return;
    if (dt !== this.cachedDt) {
      // dt travels in a field: a double argument of a call that is not inlined is boxed.
      this.cachedDt = dt;
      this.computeCoefficients();
    }

    const m = this.nDisp;
    const c = this.depot ? 1 : 0;
    const ad = this.depot ? a[0] : 0;
    const rd = this.depot ? rate[0] : 0;
    if (rd !== 0 && this.fBdt !== dt) this.depotInputCoefficients(dt);
    const { fE, fR, fA, fB, w, xNew } = this;
    if (m === 1) {
      // One disposition compartment: the sum below has a single term; skip the matrix machinery.
      a[c] = fE[0] * a[c] + fR[0] * rate[c] + fA[0] * ad + fB[0] * rd;
      if (c === 1) a[0] = this.eKa * ad + this.gKa * rd;
      return;
    }

    // w_j = f_j-weighted combination of state and inputs; x' = Σ_j M_j w_j.
    for (let j = 0; j < m; j++) {
      const o = j * m;
      for (let i = 0; i < m; i++) w[o + i] = fE[j] * a[c + i] + fR[j] * rate[c + i];
      w[o] += fA[j] * ad + fB[j] * rd;
    }
    for (let i = 0; i < m; i++) xNew[i] = w[i];
    if (m >= 2) {
      const mm = this.mMat;
      for (let j = 1; j < m; j++) {
        const mo = (j - 1) * m * m;
        const wo = j * m;
        for (let i = 0; i < m; i++) {
          let acc = 0;
          for (let k = 0; k < m; k++) acc += mm[mo + i * m + k] * w[wo + k];
          xNew[i] += acc;
        }
      }
    }
    for (let i = 0; i < m; i++) a[c + i] = xNew[i];
    if (this.depot) a[0] = this.eKa * ad + this.gKa * rd;
  }

  /** Divided differences of f(z) = e^{zt} needed by advance(), for one dt. */
  private computeCoefficients(): void {
    const t = this.cachedDt;
    const m = this.nDisp;
    const lam = this.lambda;
    const z = this.z;
    const ez = this.ez;
    const expLam = this.expLam;
    const kat = this.ka * t;
    if (m === 1) {
      // One disposition compartment: the divided differences have one or two points, each in
      // closed form (see ddRange): e^{−λt}, (1 − e^{−λt})/λ and ka·t·exp[−ka t, −λt]. One
      // transcendental call per rate and at most one for the pair (this runs for every interval
      // of every simulation of a MAP fit): below x = 1, e^{−x} = 1 + expm1(−x) is as accurate as
      // Math.exp (within an ulp, e^{−x} > 0.36); above, 1 − e^{−x} and e^{−a} − e^{−b} (b − a ≥ 1)
      // lose at most a bit to the subtraction (e^{−x}/(1 − e^{−x}) < 0.6).
      const lt = lam[0] * t;
      let eLam: number;
      if (lt < 1) {
        const em = Math.expm1(-lt);
        eLam = 1 + em;
        this.fR[0] = lt > 0 ? -em / lam[0] : t;
      } else {
        eLam = Math.exp(-lt);
        this.fR[0] = (1 - eLam) / lam[0];
      }
      expLam[0] = eLam;
      this.fE[0] = eLam;
      if (this.depot) {
        // e^{−ka t} and (1 − e^{−ka t})/ka depend on ka and t alone: kept while both are those of
        // the last step (time-varying covariates change k at every record, rarely ka, and doses
        // every 24 h make steps of equal length).
        if (this.ka !== this.kaStepKa || t !== this.kaStepT) {
          let eKa: number;
          if (kat < 1) {
            const em = Math.expm1(-kat);
            eKa = 1 + em;
            this.gKa = kat > 0 ? -em / this.ka : t;
          } else {
            eKa = Math.exp(-kat);
            this.gKa = (1 - eKa) / this.ka;
          }
          this.eKa = eKa;
          this.kaStepKa = this.ka;
          this.kaStepT = t;
        }
        const eKa = this.eKa;
        const d = Math.abs(lt - kat);
        const eLo = -lt <= -kat ? eLam : eKa;
        const eHi = -lt <= -kat ? eKa : eLam;
        this.fA[0] = this.ka * t * (d === 0 ? eHi : d >= 1 ? (eHi - eLo) / d : (eLo * Math.expm1(d)) / d);
      } else this.eKa = 1; // no depot: ka = 0
      this.fBdt = NaN;
      return;
    }
    // Each distinct point's exponential is computed once per dt and shared by all divided differences.
    for (let i = 0; i < m; i++) expLam[i] = Math.exp(-lam[i] * t);
    this.eKa = Math.exp(-kat);
    for (let j = 0; j < m; j++) {
      const tj = t ** j;
      // Points −λ_0 t ≤ … ≤ −λ_j t are already ascending (λ sorted descending).
      for (let i = 0; i <= j; i++) {
        z[i] = -lam[i] * t;
        ez[i] = expLam[i];
      }
      this.fE[j] = tj * this.dd(j + 1);
      z[j + 1] = 0; // 0 ≥ every −λt: stays sorted
      ez[j + 1] = 1;
      this.fR[j] = tj * t * this.dd(j + 2);
      if (this.depot) {
        this.fillWithKa(j, t, kat, false);
        this.fA[j] = this.ka * tj * t * this.dd(j + 2);
      }
    }
    this.fBdt = NaN;
    if (this.depot) {
      this.gKa = kat >= 1 ? (1 - this.eKa) / this.ka : this.ka > 0 ? -Math.expm1(-kat) / this.ka : t;
    }
  }

  /**
   * The coefficients of a zero-order input into the depot (an infusion into it, rare), computed
   * for dt only when one runs: f[0, −ka, −λ_0..−λ_j]·ka·t^{j+2}.
   */
  private depotInputCoefficients(t: number): void {
    const kat = this.ka * t;
    for (let j = 0; j < this.nDisp; j++) {
      this.fillWithKa(j, t, kat, true);
      this.fB[j] = this.ka * t ** j * t * t * this.dd(j + 3);
    }
    this.fBdt = t;
  }

  /** z ← sorted {−λ_0 t, …, −λ_j t, −ka t} (and 0 if `withZero`). */
  private fillWithKa(j: number, t: number, kat: number, withZero: boolean): void {
    const { z, ez, expLam } = this;
    const lam = this.lambda;
    let k = 0;
    let placed = false;
    for (let i = 0; i <= j; i++) {
      const v = -lam[i] * t;
      if (!placed && -kat <= v) {
        z[k] = -kat;
        ez[k++] = this.eKa;
        placed = true;
      }
      z[k] = v;
      ez[k++] = expLam[i];
    }
    if (!placed) {
      z[k] = -kat;
      ez[k++] = this.eKa;
    }
    if (withZero) {
      z[k] = 0;
      ez[k] = 1;
    }
  }

  /**
   * Divided difference exp[z_0, …, z_{cnt−1}] of the exponential at the sorted points in `this.z`
   * (all ≤ 0). For f(x) = e^{xt} at points p: f[p_0..p_n] = t^n·exp[p_0 t, …, p_n t].
   */
  private dd(cnt: number): number {
    // A new stamp empties the memo in O(1); on wrap-around (after 2^32 calls) clear it for real.
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.memoStamp.fill(0);
      this.stamp = 1;
    }
    return this.ddRange(0, cnt - 1);
  }

  private ddRange(lo: number, hi: number): number {
    if (lo === hi) return this.ez[lo];
    if (hi === lo + 1) {
      // Two points: exp[z0, z1] = e^{z0}·expm1(d)/d, d = z1 − z0 ≥ 0 — no cancellation at any d
      // (→ e^{z0} as d → 0), without the series or the memo.
      const d = this.z[hi] - this.z[lo];
      if (d === 0) return this.ez[lo];
      // From d = 1 the plain difference loses at most a bit (e^{z0}/e^{z1} ≤ e⁻¹) and needs no
      // transcendental call.
      if (d >= 1) return (this.ez[hi] - this.ez[lo]) / d;
      return (this.ez[lo] * Math.expm1(d)) / d;
    }
    const key = lo * 5 + hi;
    if (this.memoStamp[key] === this.stamp) return this.memo[key];
    const z = this.z;
    const spread = z[hi] - z[lo];
    // Standard recursion when spread ≥ 1: the two terms then differ by at least a fixed fraction, so
    // the subtraction amplifies rounding by at most a small constant. Otherwise the series.
    const v =
      spread < SERIES_SPREAD
        ? this.ddSeries(lo, hi)
        : (this.ddRange(lo + 1, hi) - this.ddRange(lo, hi - 1)) / spread;
    this.memo[key] = v;
    this.memoStamp[key] = this.stamp;
    return v;
  }

  /**
   * exp[z_lo..z_hi] = e^{z_lo} Σ_{k≥0} h_k(d)/(n+k)!, d_i = z_i − z_lo ≥ 0, n = hi − lo, where h_k is
   * the complete homogeneous symmetric polynomial (all terms positive: no cancellation; with spread < 1
   * the terms fall faster than 1/k!). h_k over prefixes d_0..d_i obeys
   * h_k(d_0..d_i) = h_k(d_0..d_{i−1}) + d_i·h_{k−1}(d_0..d_i).
   */
  private ddSeries(lo: number, hi: number): number {
    const z = this.z;
    const h = this.h;
    const n = hi - lo;
    const z0 = z[lo];
    for (let i = 0; i <= n; i++) h[i] = 1;
    let invFact = 1;
    for (let i = 2; i <= n; i++) invFact /= i;
    let sum = invFact;
    for (let k = 1; k < 60; k++) {
      let prev = 0;
      for (let i = 0; i <= n; i++) {
        prev = prev + (z[lo + i] - z0) * h[i];
        h[i] = prev;
      }
      invFact /= n + k;
      const term = h[n] * invFact;
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    return this.ez[lo] * sum;
  }
}

function checkRate(field: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) {
    fail('DT_PARAM_DOMAIN', field, `rate constant ${field} must be finite and ≥ 0 (1/h), got ${v}`);
  }
}

/**
 * Eigen-decay rates of the 3-compartment mammillary model, descending, written into `out`. They are
 * the roots of λ³ − a2 λ² + a1 λ − a0 = 0 with a2 = k10+k12+k13+k21+k31,
 * a1 = k10 k21 + k10 k31 + k21 k31 + k13 k21 + k12 k31, a0 = k10 k21 k31 (NONMEM ADVAN11). The
 * trigonometric (Viète) solution gives starting values (three real roots: the matrix is similar to a
 * symmetric one); the smallest is recomputed from the product a0/(λ0 λ1), which does not cancel, and
 * each root is then polished by safeguarded Newton steps on the cubic.
 */
function cubicRoots(
  k10: number,
  k12: number,
  k21: number,
  k13: number,
  k31: number,
  out: Float64Array,
): void {
  const a2 = k10 + k12 + k13 + k21 + k31;
  const a1 = k10 * k21 + k10 * k31 + k21 * k31 + k13 * k21 + k12 * k31;
  const a0 = k10 * k21 * k31;
  // Depressed cubic in y = λ − a2/3: y³ + p y + q = 0.
  const p = a1 - (a2 * a2) / 3;
  const q = (a1 * a2) / 3 - (2 * a2 * a2 * a2) / 27 - a0;
  const third = a2 / 3;
  let r0: number;
  let r1: number;
  let r2: number;
  if (p >= 0) {
    // p ≤ 0 always holds in exact arithmetic (three real roots); p ≥ 0 means a triple root.
    r0 = r1 = r2 = third;
  } else {
    const rr = Math.sqrt(-p / 3);
    let cosArg = -q / 2 / (rr * rr * rr);
    cosArg = Math.min(1, Math.max(-1, cosArg));
    const phi = Math.acos(cosArg) / 3;
    const twoR = 2 * rr;
    r0 = third + twoR * Math.cos(phi); // largest (phi ∈ [0, π/3])
    r1 = third + twoR * Math.cos(phi - (2 * Math.PI) / 3);
    r2 = third + twoR * Math.cos(phi + (2 * Math.PI) / 3); // smallest
  }
  r0 = Math.max(0, r0);
  r1 = Math.max(0, Math.min(r0, r1));
  r2 = r0 * r1 > 0 ? a0 / (r0 * r1) : Math.max(0, Math.min(r1, r2));
  out[0] = polish(r0, a2, a1, a0);
  out[1] = polish(r1, a2, a1, a0);
  out[2] = polish(r2, a2, a1, a0);
  // Keep the order (polishing cannot swap distinct roots, but rounding might equalise them).
  if (out[1] > out[0]) out[1] = out[0];
  if (out[2] > out[1]) out[2] = out[1];
}

/** Newton steps on λ³ − a2 λ² + a1 λ − a0, accepted only while |residual| decreases. */
function polish(x: number, a2: number, a1: number, a0: number): number {
  let f = ((x - a2) * x + a1) * x - a0;
  for (let it = 0; it < 4 && f !== 0; it++) {
    const df = (3 * x - 2 * a2) * x + a1;
    if (df === 0) break;
    const xn = Math.max(0, x - f / df);
    const fn = ((xn - a2) * xn + a1) * xn - a0;
    if (!(Math.abs(fn) < Math.abs(f))) break;
    x = xn;
    f = fn;
  }
  return x;
}

/**
 * Periodic steady state: the state x at the start of a period such that advancing one period
 * reproduces it, given the one-period map x ↦ Φx + u, i.e. the solution of (I − Φ)x = u. Solved by
 * Gaussian elimination with partial pivoting.
 *
 * The caller builds Φ (row-major n×n, Φ[i·n + j] = amount in state i after one period starting from a
 * unit amount in state j, i.e. column j = advance(e_j)) and u (= advance(0) with the period's doses
 * and inputs). Allocates one n×(n+1) working matrix per call.
 *
 * @returns `out`, filled with x (mg).
 * @throws DosetwinError `DT_SS_SINGULAR` if I − Φ is singular to working precision (a pivot below
 *   64·n·ε·max(1, ‖Φ‖∞)), e.g. a model without elimination, where no steady state exists.
 */
export function solvePeriodicSteadyState(
  n: number,
  Phi: Float64Array,
  u: Float64Array,
  out: Float64Array,
): Float64Array {
  const w = n + 1;
  const A = new Float64Array(n * w);
  let normPhi = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      const phi = Phi[i * n + j];
      rowSum += Math.abs(phi);
      A[i * w + j] = (i === j ? 1 : 0) - phi;
    }
    A[i * w + n] = u[i];
    normPhi = Math.max(normPhi, rowSum);
  }
  if (!Number.isFinite(normPhi))
    fail('DT_SS_SINGULAR', 'Phi', 'steady-state transition matrix is not finite');
  const tol = 64 * n * Number.EPSILON * Math.max(1, normPhi);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * w + col]) > Math.abs(A[piv * w + col])) piv = r;
    const pv = A[piv * w + col];
    if (!(Math.abs(pv) > tol)) {
      fail(
        'DT_SS_SINGULAR',
        'Phi',
        `I − Φ is singular (pivot ${pv} in column ${col}): no periodic steady state exists, e.g. no elimination`,
      );
    }
    if (piv !== col) {
      for (let j = col; j < w; j++) {
        const tmp = A[col * w + j];
        A[col * w + j] = A[piv * w + j];
        A[piv * w + j] = tmp;
      }
    }
    for (let r = col + 1; r < n; r++) {
      const f = A[r * w + col] / pv;
      if (f === 0) continue;
      for (let j = col; j < w; j++) A[r * w + j] -= f * A[col * w + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let acc = A[i * w + n];
    for (let j = i + 1; j < n; j++) acc -= A[i * w + j] * out[j];
    out[i] = acc / A[i * w + i];
  }
  return out;
}
