/**
 * General adaptive ODE integrator for PK models whose right-hand side has no closed form
 * (Michaelis–Menten elimination, transit chains, parent/metabolite, voriconazole-type models).
 *
 * Two methods, both with an embedded error estimate and step-size control:
 *
 * - **Non-stiff: DOPRI5**, the Dormand–Prince 5(4) pair with FSAL, the PI ("Lund-stabilised")
 *   step-size controller and Hairer's initial-step algorithm, as in Hairer, Nørsett & Wanner,
 *   *Solving Ordinary Differential Equations I*, 2nd ed. (Springer 1993), §II.4–II.5 and the
 *   Fortran code dopri5.f. Stiffness is detected with dopri5.f's `hlamb` test (Hairer & Wanner,
 *   *Solving ODEs II*, 2nd ed. 1996, §IV.2): h·‖f(y₇) − f(y₆)‖/‖y₇ − y₆‖ estimates h·|λ| of the
 *   dominant eigenvalue, and DOPRI5's stability region reaches ≈ 3.3 on the negative real axis.
 *
 * - **Stiff: RODAS4**, the 6-stage, order 4(3), L-stable, stiffly accurate Rosenbrock method of
 *   Hairer & Wanner, *Solving ODEs II*, §IV.7, coefficients and step-size control (with
 *   Gustafsson's predictive controller) from rodas.f (ROCOEF, METH=1). Chosen over ROS3P because
 *   MAP estimation runs at rtol ≈ 1e-8, where an order-3 method needs several times more steps;
 *   chosen over Rodas5 because RODAS4 is the long-established reference code whose coefficients
 *   and controller are published together, and order 4 is ample at n ≤ 20 with one LU per step.
 *   Linear algebra is a small in-place LU with partial pivoting (n is 1–20).
 *
 * - **auto**: start with DOPRI5; switch to RODAS4 when the `hlamb` test (h·|λ| > 2, see
 *   {@link HLAMB_STIFF} for why not dopri5.f's 3.25) fires 15 times (dopri5.f warns at 15; a run of
 *   6 negative tests resets the count, as in dopri5.f, but unlike dopri5.f the test runs on every
 *   accepted step, since it costs 2n flops and no rhs evaluation). Switch back
 *   to DOPRI5 when h·‖J‖∞ < 1 on 15 consecutive accepted RODAS4 steps: ‖J‖∞ bounds the spectral
 *   radius, so DOPRI5 would then be stable at the step RODAS4 is already taking, and it is cheaper
 *   per step (6 rhs evaluations, no Jacobian, no LU). The gap between 1 and 3.25 is hysteresis
 *   against ping-pong. The mode is kept between `integrate` calls, because the caller restarts at
 *   every dose and a stiff model stays stiff across doses.
 *
 * The engine is pure: all workspace is allocated once in the constructor; `integrate` and the
 * step loops allocate nothing.
 */
import { fail } from '../errors.ts';

/** dy/dt = f(t, y). Writes into dydt; must not allocate. t in model time units, y in state units. */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;
/**
 * Jacobian ∂f/∂y at (t, y), row-major n×n into J (J[i*n+j] = ∂f_i/∂y_j). Optional; finite differences
 * otherwise. J is zeroed before each call, so writing only the non-zero entries is enough.
 */
export type OdeJacobian = (t: number, y: Float64Array, J: Float64Array) => void;

export interface OdeOptions {
  /** Relative tolerance, default 1e-8. */
  rtol?: number;
  /**
   * Absolute tolerance in the units of y. Given: used as is, for every component and time.
   * Not given (default): component i gets max(1e-12, {@link DEFAULT_PEAK_FRACTION}·rtol·peak_i),
   * peak_i = the largest |y_i| since the last {@link OdeSolver.resetScale} (the simulator resets it
   * at each patient), see {@link OdeOptions.atolPeakFraction}.
   */
  atol?: number;
  /**
   * Absolute tolerance of component i relative to its peak: atol_i = max(atol, f·rtol·peak_i).
   * Default {@link DEFAULT_PEAK_FRACTION} when `atol` is not given, else 0 (atol purely absolute).
   */
  atolPeakFraction?: number;
  /**
   * Only the first `errorComponents` states enter the error test and the step-size control (default
   * all n). The others are carried along on the same steps: e.g. forward sensitivities with their
   * error excluded from the control, CVODES's `errconS = false` (Hindmarsh et al., ACM TOMS 2005).
   */
  errorComponents?: number;
  /** Maximum number of attempted steps (accepted + rejected) per `integrate` call, default 100000. */
  maxSteps?: number;
  /** `nonstiff` = DOPRI5, `stiff` = RODAS4, `auto` (default) = DOPRI5 with switching to RODAS4. */
  method?: 'auto' | 'nonstiff' | 'stiff';
  /** Largest step, in time units (default unbounded: steps never cross the `integrate` span anyway). */
  hmax?: number;
  /**
   * The rhs does not depend on t (default false). RODAS4 then skips the finite-difference ∂f/∂t,
   * saving one rhs evaluation per step. Wrong if f depends on t (e.g. a time-varying forcing).
   */
  autonomous?: boolean;
}

/** Counters since construction (or since {@link OdeSolver.resetStats}). */
export interface OdeStats {
  /** Accepted steps, both methods. */
  steps: number;
  /** Rejected steps (error test failed, non-finite trial, or singular iteration matrix). */
  rejected: number;
  /** Calls of the rhs, including those for finite-difference Jacobians and initial steps. */
  rhsEvals: number;
  /** Jacobian evaluations (callback or finite differences). */
  jacEvals: number;
  /** Accepted steps taken by the stiff method (RODAS4). */
  stiffSteps: number;
}

const UROUND = 2.220446049250313e-16;

/**
 * Default absolute tolerance of a component, as a fraction of rtol × its peak magnitude so far.
 *
 * A fixed atol of 1e-12 (in mg, for doses of 1e4 mg) asks for 1e-16 of the dose: DOPRI5 then
 * resolves each absorbing depot to full relative accuracy until it has decayed by 16 orders of
 * magnitude, which set the step count of the Michaelis–Menten benchmark model (run201). With
 * atol_i = 1e-4·rtol·peak_i the error allowed on a state is 1e-4 of what rtol allows at its peak.
 * Evidence, run201, 500 patients at NONMEM's etas, rtol 1e-8 (2026-11-23):
 * - steps per patient 1098 (atol 1e-12) → 711 (this default); 0.01 would give 512, 1e-3 613;
 * - max relative error of IPRED vs NONMEM 1.25e-8 → 1.47e-8 (p99.9 7.4e-9 → 9.3e-9); the exact
 *   solution (rtol 1e-13, atol 1e-16) itself differs from NONMEM by 1.59e-8 (p99.9 9.0e-9), so
 *   agreement is at NONMEM's own precision either way (0.01 gave 6.5e-8: rejected);
 * - max relative error vs that exact solution 9.2e-9 → 1.4e-8 (p99 6.8e-10 → 3.7e-9);
 * - MAP with the default tolerances, first 100 patients vs NONMEM: max |Δη| 1.01e-5 and ETC
 *   1.16e-8 unchanged, OBJ max rel. error 5.4e-10 → 6.7e-10.
 * These figures predate the exact solution of absorption depots (`ExactCompartments` in
 * model/compile.ts), since which the depot is no longer integrated: run201's plain solve takes
 * about 100 steps per patient, and IPRED is within 6.4e-8 of NONMEM (PRED 2.3e-8).
 */
export const DEFAULT_PEAK_FRACTION = 1e-4;

// ---- DOPRI5 tableau (Hairer–Nørsett–Wanner I, Table II.5.2; dopri5.f) ----
const C2 = 0.2;
const C3 = 0.3;
const C4 = 0.8;
const C5 = 8 / 9;
const A21 = 0.2;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const A71 = 35 / 384;
const A73 = 500 / 1113;
const A74 = 125 / 192;
const A75 = -2187 / 6784;
const A76 = 11 / 84;
// Error coefficients: 5th-order weights minus the embedded 4th-order ones.
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// dopri5.f defaults: SAFE=0.9, 0.2 <= hnew/hold <= 10, BETA=0.04 (PI controller).
const DP_SAFE = 0.9;
const DP_FACC1 = 5; // 1/0.2: largest shrink
const DP_FACC2 = 0.1; // 1/10: largest growth
const DP_BETA = 0.04;
const DP_EXPO1 = 0.2 - DP_BETA * 0.75;
/** Largest shrink of a rejected first trial of an `integrate` call (see `dopri`). */
const DP_FIRST_SHRINK = 1e4;
/**
 * h·|λ| above this on an accepted DOPRI5 step means the step is limited by stability, not accuracy.
 * dopri5.f warns at 3.25 (the edge of the stability region), but the PI controller settles a
 * stability-limited DOPRI5 at h·|λ| ≈ 3.0–3.2 (seen on Robertson at rtol 1e-10: 40 000 steps, never
 * above 3.25). An accuracy-limited step on a mode that is still active has h·|λ| < 1 for any
 * rtol ≤ 1e-3 (the local error of that mode grows like (h·λ)⁶/720), so 2 separates the two cases.
 */
const HLAMB_STIFF = 2;
const STIFF_HITS = 15;
const NONSTIFF_RESET = 6;

// ---- RODAS4 coefficients (rodas.f, ROCOEF METH=1) ----
const RG = 0.25; // gamma
const RC2 = 0.386;
const RC3 = 0.21;
const RC4 = 0.63;
const RD1 = 0.25;
const RD2 = -0.1043;
const RD3 = 0.1035;
const RD4 = -0.03620000000000023;
const RA21 = 1.544;
const RA31 = 0.9466785280815826;
const RA32 = 0.2557011698983284;
const RA41 = 3.314825187068521;
const RA42 = 2.896124015972201;
const RA43 = 0.9986419139977817;
const RA51 = 1.221224509226641;
const RA52 = 6.019134481288629;
const RA53 = 12.53708332932087;
const RA54 = -0.687886036105895;
const RC21 = -5.6688;
const RC31 = -2.430093356833875;
const RC32 = -0.2063599157091915;
const RC41 = -0.1073529058151375;
const RC42 = -9.594562251023355;
const RC43 = -20.47028614809616;
const RC51 = 7.496443313967647;
const RC52 = -10.24680431464352;
const RC53 = -33.99990352819905;
const RC54 = 11.7089089320616;
const RC61 = 8.083246795921522;
const RC62 = -7.981132988064893;
const RC63 = -31.52159432874371;
const RC64 = 16.31930543123136;
const RC65 = -6.058818238834054;
// rodas.f defaults: SAFE=0.9, 0.2 <= hnew/hold <= 6.
const RO_SAFE = 0.9;
const RO_FAC1 = 5;
const RO_FAC2 = 1 / 6;
/** auto mode: h·‖J‖∞ below this on SWITCH_BACK_HITS consecutive steps → back to DOPRI5. */
const SWITCH_BACK_HJ = 1;
const SWITCH_BACK_HITS = 15;

/**
 * Adaptive integrator for dy/dt = f(t, y) with y ∈ ℝⁿ. One instance per model structure; reuse it
 * for every `integrate` call (and every subject/parameter vector) so no workspace is reallocated.
 *
 * Not re-entrant: one `integrate` at a time per instance.
 */
export class OdeSolver {
  /** Number of state variables. */
  readonly n: number;
  /** Counters since construction: steps, rejected, rhs evaluations, jacobian evaluations, stiff steps. */
  readonly stats: OdeStats = { steps: 0, rejected: 0, rhsEvals: 0, jacEvals: 0, stiffSteps: 0 };

  private readonly rhs: OdeRhs;
  private readonly jac: OdeJacobian | undefined;
  private readonly rtol: number;
  private readonly atol: number;
  private readonly peakFrac: number;
  /** Number of leading components in the error norm. */
  private readonly nErr: number;
  /** Largest |y_i| since {@link resetScale}. */
  private readonly peak: Float64Array;
  /** Absolute tolerance per component: max(atol, peakFrac·rtol·peak_i). */
  private readonly atolv: Float64Array;
  private readonly maxSteps: number;
  private readonly method: 'auto' | 'nonstiff' | 'stiff';
  private readonly hmax: number;
  private readonly autonomous: boolean;

  /** Last accepted (or controller-proposed) step, reused as the first trial of the next call; 0 = none. */
  private hGuess = 0;
  private stiffMode: boolean;
  /** Attempted steps in the current `integrate` call. */
  private callSteps = 0;

  // DOPRI5 workspace; k1 and k7 swap roles each accepted step (FSAL).
  private k1: Float64Array;
  private k2: Float64Array;
  private k3: Float64Array;
  private k4: Float64Array;
  private k5: Float64Array;
  private k6: Float64Array;
  private k7: Float64Array;
  private readonly yTmp: Float64Array;
  private readonly ySti: Float64Array;
  private readonly yNew: Float64Array;
  // RODAS4 workspace.
  private readonly r1: Float64Array;
  private readonly r2: Float64Array;
  private readonly r3: Float64Array;
  private readonly r4: Float64Array;
  private readonly r5: Float64Array;
  private readonly r6: Float64Array;
  private readonly dy0: Float64Array;
  private readonly dy: Float64Array;
  private readonly fx: Float64Array;
  private readonly J: Float64Array;
  private readonly E: Float64Array;
  private readonly piv: Int32Array;

  /**
   * @param n number of states (≥ 1)
   * @param rhs f(t, y) → dydt, must not allocate
   * @param options tolerances and method, see {@link OdeOptions}
   * @param jacobian analytic ∂f/∂y; when absent RODAS4 uses forward differences (n extra rhs calls per step)
   */
  constructor(n: number, rhs: OdeRhs, options: OdeOptions = {}, jacobian?: OdeJacobian) {
    if (!Number.isInteger(n) || n < 1)
      fail('DT_ODE_ARGS', 'n', `state size must be a positive integer, got ${n}`);
    const rtol = options.rtol ?? 1e-8;
    const atol = options.atol ?? 1e-12;
    const peakFrac = options.atolPeakFraction ?? (options.atol === undefined ? DEFAULT_PEAK_FRACTION : 0);
    if (!(peakFrac >= 0 && Number.isFinite(peakFrac)))
      fail('DT_ODE_ARGS', 'atolPeakFraction', `atolPeakFraction must be finite and >= 0, got ${peakFrac}`);
    const maxSteps = options.maxSteps ?? 100000;
    const hmax = options.hmax ?? Infinity;
    if (!(rtol > 0 && rtol < 1)) fail('DT_ODE_ARGS', 'rtol', `rtol must be in (0, 1), got ${rtol}`);
    if (!(atol > 0 && Number.isFinite(atol))) fail('DT_ODE_ARGS', 'atol', `atol must be > 0, got ${atol}`);
    if (!(maxSteps >= 1)) fail('DT_ODE_ARGS', 'maxSteps', `maxSteps must be >= 1, got ${maxSteps}`);
    if (!(hmax > 0)) fail('DT_ODE_ARGS', 'hmax', `hmax must be > 0, got ${hmax}`);
    this.n = n;
    this.rhs = rhs;
    this.jac = jacobian;
    // Tolerances near machine precision make the error test unsatisfiable; clamp like dopri5.f's users do.
    this.rtol = Math.max(rtol, 10 * UROUND);
    this.atol = atol;
    this.peakFrac = peakFrac;
    const nErr = options.errorComponents ?? n;
    if (!(Number.isInteger(nErr) && nErr >= 1 && nErr <= n))
      fail('DT_ODE_ARGS', 'errorComponents', `errorComponents must be an integer in [1, ${n}], got ${nErr}`);
    this.nErr = nErr;
    this.peak = new Float64Array(n);
    this.atolv = new Float64Array(n).fill(atol);
    this.maxSteps = maxSteps;
    this.method = options.method ?? 'auto';
    this.hmax = hmax;
    this.autonomous = options.autonomous ?? false;
    this.stiffMode = this.method === 'stiff';
    const v = (): Float64Array => new Float64Array(n);
    this.k1 = v();
    this.k2 = v();
    this.k3 = v();
    this.k4 = v();
    this.k5 = v();
    this.k6 = v();
    this.k7 = v();
    this.yTmp = v();
    this.ySti = v();
    this.yNew = v();
    this.r1 = v();
    this.r2 = v();
    this.r3 = v();
    this.r4 = v();
    this.r5 = v();
    this.r6 = v();
    this.dy0 = v();
    this.dy = v();
    this.fx = v();
    this.J = new Float64Array(n * n);
    this.E = new Float64Array(n * n);
    this.piv = new Int32Array(n);
  }

  /** Which method the next step will use (`auto` may have switched). */
  get currentMethod(): 'nonstiff' | 'stiff' {
    return this.stiffMode ? 'stiff' : 'nonstiff';
  }

  /**
   * Forget the step-size guess and, in `auto`, the detected stiffness, e.g. before integrating a
   * different subject whose dynamics may differ a lot. Counters are kept.
   */
  reset(): void {
    this.hGuess = 0;
    this.stiffMode = this.method === 'stiff';
  }

  /**
   * Forget the peak magnitudes that scale the default absolute tolerance (see
   * {@link OdeOptions.atol}), e.g. at the start of each patient so that a prediction does not
   * depend on the patients simulated before.
   */
  resetScale(): void {
    this.peak.fill(0);
    this.atolv.fill(this.atol);
  }

  /** Raise the peaks with y (accepted state) and update the per-component absolute tolerances. */
  private updateScale(y: Float64Array): void {
    if (this.peakFrac === 0) return;
    const { peak, atolv, n } = this;
    const f = this.peakFrac * this.rtol;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(y[i]);
      if (a > peak[i]) {
        peak[i] = a;
        atolv[i] = Math.max(this.atol, f * a);
      }
    }
  }

  /** Zero the counters in {@link stats}. */
  resetStats(): void {
    const s = this.stats;
    s.steps = 0;
    s.rejected = 0;
    s.rhsEvals = 0;
    s.jacEvals = 0;
    s.stiffSteps = 0;
  }

  /**
   * Advance y (in place) from t0 to t1 (t1 >= t0; t1 === t0 is a no-op). The rhs must be smooth on
   * [t0, t1]: put every dose, infusion start/stop and lag time at a call boundary. Lands exactly on t1.
   * Throws DosetwinError (code DT_ODE_STEPS / DT_ODE_NONFINITE) on failure; never returns NaN silently.
   * Bad arguments (t1 < t0, non-finite times, wrong y length) throw DT_ODE_ARGS.
   */
  integrate(t0: number, y: Float64Array, t1: number): void {
    if (!(Number.isFinite(t0) && Number.isFinite(t1)) || t1 < t0) {
      fail('DT_ODE_ARGS', 't1', `integrate needs finite t0 <= t1, got t0=${t0}, t1=${t1}`);
    }
    if (y.length !== this.n)
      fail('DT_ODE_ARGS', 'y', `y has length ${y.length}, solver was built for ${this.n}`);
    if (t1 === t0) return;
    for (let i = 0; i < this.n; i++) {
      if (!Number.isFinite(y[i]))
        fail('DT_ODE_NONFINITE', `y[${i}]`, `initial state y[${i}]=${y[i]} at t=${t0}`);
    }
    this.callSteps = 0;
    this.updateScale(y);
    if (t1 - t0 <= 16 * UROUND * Math.abs(t0)) {
      // A span at the rounding level of t (two events a few ulps apart): no step size is resolvable,
      // and one explicit Euler step is exact to rounding.
      const d = this.k2;
      this.rhs(t0, y, d);
      this.stats.rhsEvals++;
      this.checkFinite(d, t0, 'dydt');
      for (let i = 0; i < this.n; i++) y[i] += (t1 - t0) * d[i];
      return;
    }
    let t = t0;
    // Each run returns t1, or an earlier t where `auto` switched method.
    while (t < t1) t = this.stiffMode ? this.rodas(t, y, t1) : this.dopri(t, y, t1);
  }

  private checkFinite(v: Float64Array, t: number, what: string): void {
    for (let i = 0; i < this.n; i++) {
      if (!Number.isFinite(v[i])) {
        fail('DT_ODE_NONFINITE', `${what}[${i}]`, `${what}[${i}]=${v[i]} at t=${t}`, {
          hint: 'the model equations produce NaN/Infinity here (division by zero, log of a negative, overflow?)',
        });
      }
    }
  }

  private tooManySteps(t: number): never {
    return fail('DT_ODE_STEPS', 'maxSteps', `more than ${this.maxSteps} steps before t=${t}`, {
      hint: 'loosen rtol/atol, raise maxSteps, or use method "stiff" if the model is stiff',
    });
  }

  private stepUnderflow(t: number, h: number, nonFinite: boolean): never {
    if (nonFinite) {
      return fail('DT_ODE_NONFINITE', 'rhs', `rhs gives NaN/Infinity for every step size tried near t=${t}`, {
        hint: 'the solution probably blows up or leaves the domain of the model equations',
      });
    }
    return fail('DT_ODE_STEPS', 'h', `step size ${h} too small at t=${t}`, {
      hint: 'the solution may be singular here, or the tolerances are too tight for double precision',
    });
  }

  /** Hairer's starting step (dopri5.f HINIT), for a method of the given order. Uses yTmp, f1 as scratch. */
  private hinit(
    t: number,
    y: Float64Array,
    f0: Float64Array,
    f1: Float64Array,
    span: number,
    order: number,
  ): number {
    const n = this.n;
    const { rtol, atolv, yTmp } = this;
    let dnf = 0;
    let dny = 0;
    for (let i = 0; i < n; i++) {
      const sk = atolv[i] + rtol * Math.abs(y[i]);
      const a = f0[i] / sk;
      const b = y[i] / sk;
      dnf += a * a;
      dny += b * b;
    }
    let h = dnf <= 1e-10 || dny <= 1e-10 ? 1e-6 : Math.sqrt(dny / dnf) * 0.01;
    h = Math.min(h, this.hmax, span);
    for (let i = 0; i < n; i++) yTmp[i] = y[i] + h * f0[i];
    this.rhs(t + h, yTmp, f1);
    this.stats.rhsEvals++;
    let der2 = 0;
    for (let i = 0; i < n; i++) {
      const sk = atolv[i] + rtol * Math.abs(y[i]);
      const a = (f1[i] - f0[i]) / sk;
      der2 += a * a;
    }
    der2 = Math.sqrt(der2) / h;
    const der12 = Math.max(der2, Math.sqrt(dnf));
    let h1 = der12 <= 1e-15 ? Math.max(1e-6, h * 1e-3) : Math.pow(0.01 / der12, 1 / order);
    if (!(h1 > 0)) h1 = h * 1e-3; // f1 non-finite: be cautious, the step loop sorts it out
    return Math.min(100 * h, h1, this.hmax, span);
  }

  /** DOPRI5 from t towards t1. Returns t1, or the t at which `auto` switched to RODAS4. */
  private dopri(t: number, y: Float64Array, t1: number): number {
    const n = this.n;
    const { rhs, rtol, atolv, nErr, hmax, yTmp, ySti, yNew, k2, k3, k4, k5, k6, stats } = this;
    const detect = this.method === 'auto';
    let k1 = this.k1;
    let k7 = this.k7;
    rhs(t, y, k1);
    stats.rhsEvals++;
    this.checkFinite(k1, t, 'dydt');
    let h = this.hGuess > 0 ? this.hGuess : this.hinit(t, y, k1, k2, t1 - t, 5);
    h = Math.min(h, hmax, t1 - t);
    let facOld = 1e-4;
    let firstTrial = true;
    let reject = false;
    let sawNaN = false;
    let iasti = 0;
    let nonsti = 0;
    let switchNow = false;
    for (;;) {
      if (this.callSteps >= this.maxSteps) this.tooManySteps(t);
      if (!(h > 16 * UROUND * Math.abs(t)) || h < 1e-300) this.stepUnderflow(t, h, sawNaN);
      // Land exactly on t1: stretch/shrink the last step rather than leave a sliver (dopri5.f's 1.01 rule).
      let hUnclipped = 0;
      let last = false;
      if (t + 1.01 * h >= t1) {
        hUnclipped = h;
        h = t1 - t;
        last = true;
      }
      this.callSteps++;
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + h * A21 * k1[i];
      rhs(t + C2 * h, yTmp, k2);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
      rhs(t + C3 * h, yTmp, k3);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      rhs(t + C4 * h, yTmp, k4);
      for (let i = 0; i < n; i++)
        yTmp[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      rhs(t + C5 * h, yTmp, k5);
      for (let i = 0; i < n; i++) {
        ySti[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      }
      // t + (t1 − t) can round one ulp past t1; the rhs must never see t > t1.
      const th = last ? t1 : t + h;
      rhs(th, ySti, k6);
      for (let i = 0; i < n; i++) {
        yNew[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
      }
      rhs(th, yNew, k7);
      stats.rhsEvals += 6;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const yn = yNew[i];
        if (!Number.isFinite(yn)) {
          sum = NaN;
          break;
        }
        if (i >= nErr) continue;
        const sk = atolv[i] + rtol * Math.max(Math.abs(y[i]), Math.abs(yn));
        const e = (h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i])) / sk;
        sum += e * e;
      }
      const err = Math.sqrt(sum / nErr);
      if (!(err <= Infinity)) {
        // NaN/Inf in a trial (e.g. overflow in exp for a too-long step): retry much shorter.
        sawNaN = true;
        stats.rejected++;
        reject = true;
        h *= 0.1;
        continue;
      }
      const fac11 = Math.pow(err, DP_EXPO1);
      // PI controller (HNW I, §IV.2 eq. 2.43c as implemented in dopri5.f).
      let fac = fac11 / Math.pow(facOld, DP_BETA);
      fac = Math.max(DP_FACC2, Math.min(DP_FACC1, fac / DP_SAFE));
      let hNew = h / fac;
      if (err <= 1) {
        facOld = Math.max(err, 1e-4);
        stats.steps++;
        sawNaN = false;
        if (detect) {
          let stnum = 0;
          let stden = 0;
          for (let i = 0; i < n; i++) {
            const a = k7[i] - k6[i];
            const b = yNew[i] - ySti[i];
            stnum += a * a;
            stden += b * b;
          }
          if (stden > 0 && h * Math.sqrt(stnum / stden) > HLAMB_STIFF) {
            nonsti = 0;
            if (++iasti >= STIFF_HITS) switchNow = true;
          } else if (++nonsti === NONSTIFF_RESET) {
            iasti = 0;
          }
        }
        const swap = k1;
        k1 = k7;
        k7 = swap;
        for (let i = 0; i < n; i++) y[i] = yNew[i];
        this.updateScale(y);
        t = th;
        hNew = Math.min(hNew, hmax);
        if (reject) hNew = Math.min(hNew, h);
        reject = false;
        if (last) {
          this.hGuess = Math.max(hNew, hUnclipped);
          break;
        }
        if (switchNow) {
          this.stiffMode = true;
          this.hGuess = hNew;
          break;
        }
        h = hNew;
      } else {
        // The first trial of a call starts from the last call's step, which a dose in between
        // can make far too long: shrink by what the error asks for at once (err^(1/5), the
        // order's rate) instead of at most 5× per rejection (dopri5.f's bound, kept afterwards).
        hNew = h / Math.min(firstTrial ? DP_FIRST_SHRINK : DP_FACC1, fac11 / DP_SAFE);
        stats.rejected++;
        reject = true;
        h = hNew;
      }
      firstTrial = false;
    }
    this.k1 = k1;
    this.k7 = k7;
    return t;
  }

  /** ∂f/∂y into J (callback or forward differences around dy0 = f(t, y)), and ∂f/∂t into fx if needed. */
  private jacobian(t: number, y: Float64Array, t1: number): void {
    const n = this.n;
    const { J, dy0, dy, yTmp, rhs, stats } = this;
    if (this.jac) {
      J.fill(0); // so a callback may write only the structural non-zeros
      this.jac(t, y, J);
    } else {
      // rodas.f's increment: sqrt(uround·max(1e-5, |y_j|)).
      for (let i = 0; i < n; i++) yTmp[i] = y[i];
      for (let j = 0; j < n; j++) {
        const ys = y[j];
        const delt = Math.sqrt(UROUND * Math.max(1e-5, Math.abs(ys)));
        yTmp[j] = ys + delt;
        rhs(t, yTmp, dy);
        yTmp[j] = ys;
        for (let i = 0; i < n; i++) J[i * n + j] = (dy[i] - dy0[i]) / delt;
      }
      stats.rhsEvals += n;
    }
    stats.jacEvals++;
    for (let k = 0; k < n * n; k++) {
      if (!Number.isFinite(J[k])) {
        fail('DT_ODE_NONFINITE', 'jacobian', `J[${Math.floor(k / n)},${k % n}]=${J[k]} at t=${t}`);
      }
    }
    const fx = this.fx;
    if (this.autonomous) {
      fx.fill(0);
    } else {
      let delt = Math.sqrt(UROUND * Math.max(1e-5, Math.abs(t)));
      // Stay inside [t0, t1]: the rhs is only promised smooth there (an infusion may stop at t1).
      if (t + delt > t1) delt = -delt;
      rhs(t + delt, y, dy);
      stats.rhsEvals++;
      for (let i = 0; i < n; i++) fx[i] = (dy[i] - dy0[i]) / delt;
      this.checkFinite(fx, t, 'dfdt');
    }
  }

  /** E = I/(hγ) − J, LU-factorised in place with partial pivoting. False if singular. */
  private decompose(h: number): boolean {
    const n = this.n;
    const { J, E, piv } = this;
    const fac = 1 / (h * RG);
    for (let k = 0; k < n * n; k++) E[k] = -J[k];
    for (let i = 0; i < n; i++) E[i * n + i] += fac;
    for (let k = 0; k < n; k++) {
      let p = k;
      let amax = Math.abs(E[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const a = Math.abs(E[i * n + k]);
        if (a > amax) {
          amax = a;
          p = i;
        }
      }
      piv[k] = p;
      if (!(amax > 0) || !Number.isFinite(amax)) return false;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const s = E[k * n + j];
          E[k * n + j] = E[p * n + j];
          E[p * n + j] = s;
        }
      }
      const inv = 1 / E[k * n + k];
      for (let i = k + 1; i < n; i++) {
        const l = (E[i * n + k] *= inv);
        if (l !== 0) for (let j = k + 1; j < n; j++) E[i * n + j] -= l * E[k * n + j];
      }
    }
    return true;
  }

  /** Solve E x = b in place (b ← x) with the factors from {@link decompose}. */
  private solve(b: Float64Array): void {
    const n = this.n;
    const { E, piv } = this;
    for (let k = 0; k < n; k++) {
      const p = piv[k];
      if (p !== k) {
        const s = b[k];
        b[k] = b[p];
        b[p] = s;
      }
    }
    for (let i = 1; i < n; i++) {
      let s = b[i];
      for (let j = 0; j < i; j++) s -= E[i * n + j] * b[j];
      b[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i];
      for (let j = i + 1; j < n; j++) s -= E[i * n + j] * b[j];
      b[i] = s / E[i * n + i];
    }
  }

  /** RODAS4 from t towards t1. Returns t1, or the t at which `auto` switched back to DOPRI5. */
  private rodas(t: number, y: Float64Array, t1: number): number {
    const n = this.n;
    const { rhs, rtol, atolv, nErr, hmax, yTmp, yNew, dy0, dy, fx, J, r1, r2, r3, r4, r5, r6, stats } = this;
    const detect = this.method === 'auto';
    rhs(t, y, dy0);
    stats.rhsEvals++;
    this.checkFinite(dy0, t, 'dydt');
    let h = this.hGuess > 0 ? this.hGuess : this.hinit(t, y, dy0, dy, t1 - t, 4);
    h = Math.min(h, hmax, t1 - t);
    let needJac = true;
    let normJ = 0;
    let first = true;
    let reject = false;
    let sawNaN = false;
    let hAcc = 0;
    let errAcc = 0;
    let singular = 0;
    let nonstiffHits = 0;
    for (;;) {
      if (this.callSteps >= this.maxSteps) this.tooManySteps(t);
      if (!(h > 16 * UROUND * Math.abs(t)) || h < 1e-300) this.stepUnderflow(t, h, sawNaN);
      let hUnclipped = 0;
      let last = false;
      if (t + 1.01 * h >= t1) {
        hUnclipped = h;
        h = t1 - t;
        last = true;
      }
      if (needJac) {
        this.jacobian(t, y, t1);
        needJac = false;
        if (detect) {
          normJ = 0;
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += Math.abs(J[i * n + j]);
            if (s > normJ) normJ = s;
          }
        }
      }
      this.callSteps++;
      if (!this.decompose(h)) {
        // rodas.f halves h on a singular iteration matrix; give up after a few tries.
        if (++singular > 5) {
          fail('DT_ODE_STEPS', 'jacobian', `iteration matrix singular at t=${t} for every step size tried`);
        }
        stats.rejected++;
        reject = true;
        h *= 0.5;
        continue;
      }
      const hd1 = h * RD1;
      const hd2 = h * RD2;
      const hd3 = h * RD3;
      const hd4 = h * RD4;
      const hc21 = RC21 / h;
      const hc31 = RC31 / h;
      const hc32 = RC32 / h;
      const hc41 = RC41 / h;
      const hc42 = RC42 / h;
      const hc43 = RC43 / h;
      const hc51 = RC51 / h;
      const hc52 = RC52 / h;
      const hc53 = RC53 / h;
      const hc54 = RC54 / h;
      const hc61 = RC61 / h;
      const hc62 = RC62 / h;
      const hc63 = RC63 / h;
      const hc64 = RC64 / h;
      const hc65 = RC65 / h;
      for (let i = 0; i < n; i++) r1[i] = dy0[i] + hd1 * fx[i];
      this.solve(r1);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + RA21 * r1[i];
      rhs(t + RC2 * h, yTmp, dy);
      for (let i = 0; i < n; i++) r2[i] = dy[i] + hc21 * r1[i] + hd2 * fx[i];
      this.solve(r2);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + RA31 * r1[i] + RA32 * r2[i];
      rhs(t + RC3 * h, yTmp, dy);
      for (let i = 0; i < n; i++) r3[i] = dy[i] + hc31 * r1[i] + hc32 * r2[i] + hd3 * fx[i];
      this.solve(r3);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + RA41 * r1[i] + RA42 * r2[i] + RA43 * r3[i];
      rhs(t + RC4 * h, yTmp, dy);
      for (let i = 0; i < n; i++) r4[i] = dy[i] + hc41 * r1[i] + hc42 * r2[i] + hc43 * r3[i] + hd4 * fx[i];
      this.solve(r4);
      for (let i = 0; i < n; i++) yTmp[i] = y[i] + RA51 * r1[i] + RA52 * r2[i] + RA53 * r3[i] + RA54 * r4[i];
      // t + (t1 − t) can round one ulp past t1; the rhs must never see t > t1.
      const th = last ? t1 : t + h;
      rhs(th, yTmp, dy);
      for (let i = 0; i < n; i++) r5[i] = dy[i] + hc51 * r1[i] + hc52 * r2[i] + hc53 * r3[i] + hc54 * r4[i];
      this.solve(r5);
      // Stiffly accurate: the embedded (order-3) solution is stage 6's argument, and r6 is the error.
      for (let i = 0; i < n; i++) yTmp[i] += r5[i];
      rhs(th, yTmp, dy);
      for (let i = 0; i < n; i++) {
        r6[i] = dy[i] + hc61 * r1[i] + hc62 * r2[i] + hc63 * r3[i] + hc64 * r4[i] + hc65 * r5[i];
      }
      this.solve(r6);
      stats.rhsEvals += 5;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const yn = yTmp[i] + r6[i];
        yNew[i] = yn;
        if (!Number.isFinite(yn)) {
          sum = NaN;
          break;
        }
        if (i >= nErr) continue;
        const e = r6[i] / (atolv[i] + rtol * Math.max(Math.abs(y[i]), Math.abs(yn)));
        sum += e * e;
      }
      let err = Math.sqrt(sum / nErr);
      if (err <= 1) {
        // f at the new point is the next step's dy0; evaluating it before accepting lets a step that
        // leaves the rhs's domain (NaN) be retried shorter, as DOPRI5's FSAL stage does.
        rhs(th, yNew, dy);
        stats.rhsEvals++;
        for (let i = 0; i < n; i++) {
          if (!Number.isFinite(dy[i])) {
            err = NaN;
            break;
          }
        }
      }
      if (!(err <= Infinity)) {
        sawNaN = true;
        stats.rejected++;
        reject = true;
        h *= 0.1;
        continue;
      }
      let fac = Math.max(RO_FAC2, Math.min(RO_FAC1, Math.pow(err, 0.25) / RO_SAFE));
      let hNew = h / fac;
      if (err <= 1) {
        stats.steps++;
        stats.stiffSteps++;
        sawNaN = false;
        singular = 0;
        if (!first) {
          // Gustafsson's predictive controller (HW II §IV.8, rodas.f PRED=.TRUE.).
          let facGus = ((hAcc / h) * Math.pow((err * err) / errAcc, 0.25)) / RO_SAFE;
          facGus = Math.max(RO_FAC2, Math.min(RO_FAC1, facGus));
          fac = Math.max(fac, facGus);
          hNew = h / fac;
        }
        hAcc = h;
        errAcc = Math.max(1e-2, err);
        first = false;
        for (let i = 0; i < n; i++) y[i] = yNew[i];
        this.updateScale(y);
        t = th;
        hNew = Math.min(hNew, hmax);
        if (reject) hNew = Math.min(hNew, h);
        reject = false;
        if (last) {
          this.hGuess = Math.max(hNew, hUnclipped);
          return t;
        }
        if (detect) {
          if (h * normJ < SWITCH_BACK_HJ) {
            if (++nonstiffHits >= SWITCH_BACK_HITS) {
              this.stiffMode = false;
              this.hGuess = hNew;
              return t;
            }
          } else {
            nonstiffHits = 0;
          }
        }
        for (let i = 0; i < n; i++) dy0[i] = dy[i];
        needJac = true;
        h = hNew;
      } else {
        stats.rejected++;
        reject = true;
        h = hNew;
      }
    }
  }
}
