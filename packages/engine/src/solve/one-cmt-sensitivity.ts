import type { LinearCmt } from './linear-cmt.ts';

/**
 * Forward sensitivities of the one-compartment closed form (NONMEM ADVAN1/ADVAN2) over one
 * interval with constant parameters: the derivatives of the amounts after the step with respect to
 * the random effects, given those before it, by differentiating the closed form itself.
 *
 * Over a step t with elimination rate k = CL/V, absorption rate ka, a central zero-order input r
 * and no input into the depot (the amounts a_d, a_c at the start):
 *
 *   a_d(t) = e^{−ka t}·a_d,
 *   a_c(t) = e^{−k t}·a_c + fR·r + fA·a_d,   fR = (1 − e^{−kt})/k,
 *   fA = ka·(e^{−kt} − e^{−ka t})/(ka − k) = ka·t·exp[−ka t, −k t],
 *
 * exp[·] being divided differences of the exponential. Their derivatives with respect to a point
 * are confluent divided differences (∂/∂z₀ exp[z₀, z₁] = exp[z₀, z₀, z₁]), so, for
 * S = ∂a/∂η, dk = ∂k/∂η, dka = ∂ka/∂η and dr = ∂r/∂η:
 *
 *   S_d(t) = e^{−ka t}·S_d − t·e^{−ka t}·a_d·dka,
 *   S_c(t) = e^{−kt}·S_c + fA·S_d + fR·dr
 *            + (−t·e^{−kt}·a_c + ∂fA/∂k·a_d + ∂fR/∂k·r)·dk + ∂fA/∂ka·a_d·dka,
 *   ∂fR/∂k = −t²·exp[−kt, −kt, 0],
 *   ∂fA/∂k = −ka·t²·exp[−ka t, −kt, −kt],   ∂fA/∂ka = fA/ka − ka·t²·exp[−ka t, −ka t, −kt].
 *
 * e^{−kt}, e^{−ka t}, fR and fA are the closed form's own coefficients for the step
 * ({@link LinearCmt}, read after it has advanced the amounts), so no transcendental function is
 * called here. The confluent divided differences follow from them by the recursion
 * exp[p, p, q] = (exp[p, q] − e^p)/(q − p), exp[p, q, q] = (e^q − exp[p, q])/(q − p), whose
 * subtraction loses about 4ε/(q − p) relative (≤ 4e-13 from q − p = 1e-3), and below that by their
 * positive series (this covers ka ≈ k, where the textbook form of fA divides 0 by 0). Allocates
 * nothing.
 */
export class OneCmtSensitivity {
  /** Number of random effects (columns of S). */
  readonly nEta: number;
  /** Whether state 0 is a first-order absorption depot (state 1 then the central compartment). */
  readonly depot: boolean;
  /** Elimination rate k = CL/V and absorption rate ka (1/h), those of the closed form's step. */
  k = 0;
  ka = 0;
  /** ∂k/∂η_j and ∂ka/∂η_j. */
  readonly dk: Float64Array;
  readonly dka: Float64Array;
  /** Length of the step (h): a field, since a double argument of a call that is not inlined is boxed. */
  step = 0;
  /**
   * Arguments of {@link divided} (points p ≤ q, e^p, e^q, exp[p, q]), then its results
   * exp[p, p, q], exp[p, q, q]: fields, for the same reason.
   */
  private p = 0;
  private q = 0;
  private ep = 0;
  private eq = 0;
  private e1 = 0;
  private epp = 0;
  private eqq = 0;

  constructor(
    nEta: number,
    depot: boolean,
    private readonly lin: LinearCmt,
  ) {
    this.nEta = nEta;
    this.depot = depot;
    this.dk = new Float64Array(nEta);
    this.dka = new Float64Array(nEta);
  }

  /**
   * Moves the sensitivities S (state × nEta, row-major) over {@link step}, given the amounts `a`
   * and inputs `rate` at the start of the step and the inputs' derivatives dRate (same layout as
   * S), once the closed form has advanced the amounts over the same step with rates k and ka.
   */
  advance(a: Float64Array, rate: Float64Array, S: Float64Array, dRate: Float64Array): void {
    const t = this.step;
    if (t === 0) return;
    const lin = this.lin;
    const nEta = this.nEta;
    const x = this.k * t;
    const eK = lin.fE[0];
    const fR = lin.fR[0];
    // ∂fR/∂k = −t²·exp[−x, −x, 0], with exp[−x, 0] = fR/t.
    this.p = -x;
    this.ep = eK;
    this.q = 0;
    this.eq = 1;
    this.e1 = fR / t;
    this.divided();
    const dfRk = -t * t * this.epp;
    const c = this.depot ? 1 : 0;
    const ac = a[c];
    const rc = rate[c];
    if (!this.depot) {
      for (let j = 0; j < nEta; j++)
        S[j] = eK * S[j] + fR * dRate[j] + (-t * eK * ac + dfRk * rc) * this.dk[j];
      return;
    }
    if (rate[0] !== 0)
      throw new Error('internal: an input into the depot has no closed-form sensitivity here');
    const ka = this.ka;
    const y = ka * t;
    const eA = lin.eKa;
    const fA = lin.fA[0];
    const ad = a[0];
    // g = t·exp[−ka t, −k t] = fA/ka; ∂g/∂ka = −t²·exp[za, za, zb], ∂g/∂k = −t²·exp[za, zb, zb].
    const g = ka > 0 ? fA / ka : fR;
    const ka1 = y >= x;
    this.p = ka1 ? -y : -x;
    this.ep = ka1 ? eA : eK;
    this.q = ka1 ? -x : -y;
    this.eq = ka1 ? eK : eA;
    this.e1 = g / t;
    this.divided();
    const eAAB = ka1 ? this.epp : this.eqq;
    const eABB = ka1 ? this.eqq : this.epp;
    const dfAka = g - ka * t * t * eAAB;
    const dfAk = -ka * t * t * eABB;
    const ck = -t * eK * ac + dfAk * ad + dfRk * rc;
    const cka = dfAka * ad;
    const dd = -t * eA * ad;
    for (let j = 0; j < nEta; j++) {
      const sd = S[j];
      S[nEta + j] = eK * S[nEta + j] + fA * sd + fR * dRate[nEta + j] + ck * this.dk[j] + cka * this.dka[j];
      S[j] = eA * sd + dd * this.dka[j];
    }
  }

  /**
   * exp[p, p, q] and exp[p, q, q] into epp, eqq, for the points p ≤ q in the fields, with
   * ep = e^p, eq = e^q and e1 = exp[p, q].
   */
  private divided(): void {
    const ep = this.ep;
    const d = this.q - this.p;
    if (d < 1e-3) {
      // e^p·Σ d^k/(k+2)! and e^p·Σ (k+1)·d^k/(k+2)!: positive terms, below 1e-17 by k = 5.
      let term = 0.5;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < 8; i++) {
        s2 += term;
        s3 += (i + 1) * term;
        term *= d / (i + 3);
      }
      this.epp = ep * s2;
      this.eqq = ep * s3;
      return;
    }
    const e1 = this.e1;
    this.epp = (e1 - ep) / d;
    this.eqq = (this.eq - e1) / d;
  }
}
