import { DosetwinError, type Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { Simulator, type SimulatorOptions } from '../simulate/simulator.ts';
import { type Minimizable, minimize, type MinimizeOptions, type MinimizeResult } from './bfgs.ts';
import { type ConditionalCovariance, conditionalCovariance, covarianceFromJacobian } from './covariance.ts';
import { FiniteDifferences, type JacobianMethod } from './jacobian.ts';
import { cholesky, forwardSolve, sameVector } from './linalg.ts';
import { normalQuantile } from './normal.ts';
import { ClosedFormJacobian } from './closed-form-sensitivity.ts';
import { buildSensitivityModel, etasAffectingDoseTiming, SensitivityJacobian } from './sensitivity.ts';
import { LagScan } from './lag-scan.ts';
import { MapObjective, type ObjectiveOptions, withVarianceTap } from './objective.ts';

export interface MapOptions extends ObjectiveOptions {
  /** Simulator options (ODE tolerances for non-linear models). */
  simulator?: SimulatorOptions;
  /** Iteration limit of each quasi-Newton run (default 100). */
  maxIterations?: number;
  /**
   * Extra starting points always tried besides the prior mode, for multimodal posteriors
   * (default 0); see {@link MapEstimator.fit} for the restart rules that apply regardless.
   */
  starts?: number;
  /**
   * Curvature model of the optimiser (see `minimize`): `bfgs` (default; B₀ = the Gauss–Newton
   * matrix 2·I(η = 0)) or `structured`. On the benchmark, `bfgs` needs 10–30 % fewer simulator
   * runs per fit.
   */
  method?: 'structured' | 'bfgs';
  /**
   * Largest quasi-Newton step per iteration, in prior SDs (default 2). With 3, the first step from
   * the prior mode of run921's patient 407 left the basin of NONMEM's mode for one 27 objective
   * units worse; 2 needs no more simulator runs on the benchmark.
   */
  maxStep?: number;
  /**
   * Global search (rule 7 of {@link MapEstimator.fit}): quasi-random points over the prior whose
   * objective is evaluated after the local search, to find other modes (default 2n + 2; 0 = off).
   */
  screen?: number;
  /**
   * ∂F/∂η: `auto` (default) = forward sensitivity equations for non-linear ODE models where they
   * apply (`sensitivity.ts`), analytic derivatives of one-compartment closed forms
   * (`closed-form-sensitivity.ts`), finite differences otherwise; `finite-differences` = always.
   */
  derivatives?: 'auto' | 'finite-differences';
}

/** One patient's MAP fit. */
export interface MapFit {
  id: string;
  /**
   * Etas in model order at the mode. Inter-occasion etas are 0 here (the forecast convention:
   * a future occasion has IOV = 0); their fitted values per occasion are in `x`.
   */
  eta: Float64Array;
  etaNames: string[];
  /** The estimated vector: between-subject etas with non-zero variance, then IOV etas per occasion. */
  x: Float64Array;
  xNames: string[];
  /** MAP objective at the mode: Σ_j [ln var_j + (y_j − G_j)²/var_j] (+ M3 terms) + w·ηᵀΩ⁻¹η. */
  objective: number;
  /** NONMEM's OBJ for the patient: objective + ln|Ω/w| − ln|ETC|. */
  obj: number;
  /** Conditional covariance of x at the mode (ETC), n×n row-major. */
  cov: Float64Array;
  /** True when the optimiser met its convergence test and the checks at the mode passed. */
  converged: boolean;
  /** Why the optimiser stopped (of the start kept). */
  message: string;
  /** Quasi-Newton iterations, summed over starts. */
  iterations: number;
  /** Starting points tried. */
  starts: number;
  /** Simulator runs used. */
  runs: number;
  /** Newton decrement gᵀ(2I)⁻¹g at the mode (free components), in objective units. */
  decrement: number;
  /** Record index, time, CMT, DV (NaN if none) and IPRED (at the mode, fitted IOV) of each EVID 0 record. */
  ipred: { record: number; time: number; cmt: number; dv: number; ipred: number }[];
  /**
   * Other modes of the posterior found by the search whose MAP objective is within
   * {@link CLOSE_MODES} of this fit's (a density at least e⁻³ ≈ 5 % of the mode's), best first:
   * the twin is then genuinely uncertain between them. Empty when none was found.
   */
  otherModes: OtherMode[];
  /** Warnings about the fit (`DT_MAP_MULTIMODAL` when `otherModes` is not empty). */
  warnings: Issue[];
}

/** A second mode of a patient's posterior (see {@link MapFit.otherModes}). */
export interface OtherMode {
  /** Etas in model order (inter-occasion etas 0, as in {@link MapFit.eta}). */
  eta: Float64Array;
  /** The estimated vector at this mode (order of {@link MapFit.xNames}). */
  x: Float64Array;
  /** MAP objective at this mode. */
  objective: number;
  /** NONMEM's OBJ at this mode (objective + ln|Ω/w| − ln|ETC| with this mode's ETC). */
  obj: number;
  /**
   * Share of the posterior mass in this mode, by the Laplace approximation of each reported mode
   * (weights ∝ exp(−OBJ/2), summing to 1 with the fit's own mode).
   */
  weight: number;
}

/**
 * Modes whose MAP objective is within this of the best are reported (density ratio ≥ e⁻³ ≈ 5 %,
 * as the likelihood-ratio scale reads it).
 */
export const CLOSE_MODES = 6;

/** Result of evaluating the MAP objective at given etas (e.g. NONMEM's). */
export interface MapEvaluation extends ConditionalCovariance {
  x: Float64Array;
}

/**
 * One patient at given etas, not optimised (NONMEM's `MAXEVAL=0` with `$ETAS`, mapbayr's
 * fixed-eta evaluation): what {@link MapEstimator.evaluateAt} returns.
 */
export interface FixedEtaEvaluation {
  id: string;
  /** The etas evaluated at, model order. */
  eta: Float64Array;
  etaNames: string[];
  /** The estimated vector at those etas (between-subject etas with Ω > 0, then IOV per occasion). */
  x: Float64Array;
  xNames: string[];
  /** MAP objective Σ_j [ln var_j + (y_j − G_j)²/var_j] + w·ηᵀΩ⁻¹η; +Infinity if the simulation fails. */
  objective: number;
  /** NONMEM's OBJ: objective + ln|Ω/w| − ln|ETC|. */
  obj: number;
  /** ETC of x (n×n row-major): the inverse expected information, FOCE-I. */
  cov: Float64Array;
  /** ETC in model eta order (nEta×nEta; rows and columns of etas not estimated are 0). */
  etaCov: Float64Array;
  /** Gradient of the MAP objective at x. */
  gradient: Float64Array;
  /**
   * Newton decrement gᵀ(2I)⁻¹g at x, in objective units (≈ how far f can still fall): ≈ 0 at a
   * mode of dosetwin's objective.
   */
  decrement: number;
  /**
   * Components of x where the objective is not differentiable (a lag time or a modelled duration
   * equal to an observation time): ETC is one-sided there.
   */
  kinks: string[];
  /** Record index, time, CMT, DV (NaN if none) and IPRED at the etas of each EVID 0 record. */
  ipred: { record: number; time: number; cmt: number; dv: number; ipred: number }[];
  /** `DT_AT_IOV` when the model has inter-occasion etas: they are evaluated at 0. */
  warnings: Issue[];
}

/**
 * MAP estimation of individual random effects, for many patients of one model: holds one
 * simulator (all workspace allocated once) and the derivative methods.
 *
 * Derivatives: ∂F/∂η by forward differences (n runs per gradient, the run at the point itself
 * shared with the line search), by forward sensitivity equations for non-linear ODE models
 * (`sensitivity.ts`), or analytically for one-compartment closed forms, one run per gradient
 * (`closed-form-sensitivity.ts`); the objective's gradient and Gauss–Newton curvature follow analytically from
 * ∂F/∂η through the residual-error model (`MapObjective.assemble`). The conditional covariance at
 * the mode reuses the optimiser's last derivatives; `evaluate` (given etas) uses central
 * differences (2n + 1 runs).
 */
export class MapEstimator {
  readonly model: CompiledModel;
  readonly sim: Simulator;
  readonly options: MapOptions;
  private readonly forward: JacobianMethod;
  /** Model indices of the etas that move dose timing (lag, modelled rate/duration). */
  private readonly timingEtas: number[];
  private readonly central: JacobianMethod;
  /** Rule 6's scan by superposition, where it applies (buffers kept between fits). */
  private readonly lagScan: LagScan;
  /** The optimiser's view of the patient being fitted, rebound at each fit (buffers kept). */
  private problem: Problem | null = null;
  /** Scratch of rule 7's screen. */
  private screenX = new Float64Array(0);
  private screenF = new Float64Array(0);
  private screenTaken = new Uint8Array(0);
  /** Scratch of `check`. */
  private checkFree = new Int32Array(0);
  private checkG = new Float64Array(0);
  private checkY = new Float64Array(0);
  private checkI = new Float64Array(0);
  private checkL = new Float64Array(0);

  constructor(model: CompiledModel, options: MapOptions = {}) {
    this.model = model;
    this.options = options;
    // Models with `variance(...)` residual errors: the simulator also records each observation's
    // variance (see withVarianceTap).
    this.sim = new Simulator(
      model.ir.errors.some((e) => e.kind === 'variance') ? withVarianceTap(model) : model,
      options.simulator,
    );
    this.timingEtas = etasAffectingDoseTiming(model.ir);
    this.lagScan = new LagScan(this.sim);
    const adaptive = !this.sim.advancer.exact;
    const ir = model.ir;
    const estimated = ir.etas.map((_, k) => k).filter((k) => !ir.etas[k].iov && ir.omega[k][k] > 0);
    const sens =
      adaptive && options.derivatives !== 'finite-differences'
        ? buildSensitivityModel(model, estimated)
        : null;
    const closed =
      !adaptive && options.derivatives !== 'finite-differences'
        ? ClosedFormJacobian.of(
            model,
            estimated,
            options.simulator ?? {},
            new FiniteDifferences('forward', 1e-7),
          )
        : null;
    if (sens) {
      this.forward = new SensitivityJacobian(sens, options.simulator, new FiniteDifferences('central', 1e-3));
      this.central = this.forward;
    } else if (closed) {
      this.forward = closed;
      this.central = new FiniteDifferences('central', 1e-4);
    } else {
      this.forward = adaptive
        ? new FiniteDifferences('central', 1e-3)
        : new FiniteDifferences('forward', 1e-7);
      this.central = new FiniteDifferences('central', adaptive ? 1e-3 : 1e-4);
    }
  }

  /** How ∂F/∂η is computed. */
  get derivativeMethod(): string {
    return this.forward.name;
  }

  /** The objective of one patient (for custom use: profiles, samplers). */
  objective(patient: PatientData): MapObjective {
    return new MapObjective(this.sim, patient, this.options);
  }

  /** Objective, ETC and OBJ at given etas (model order; IOV etas: see `MapObjective`). */
  evaluate(patient: PatientData, x: ArrayLike<number>): MapEvaluation | null {
    const obj = this.objective(patient);
    const xv = Float64Array.from(x);
    const c = conditionalCovariance(obj, xv, this.central);
    return c && { ...c, x: xv };
  }

  /**
   * The MAP objective, NONMEM's OBJ and ETC of one patient at given etas (model order), without
   * optimising: NONMEM's `$ESTIMATION MAXEVAL=0` with `$ETAS`, mapbayr's fixed-eta evaluation.
   * Derivatives by central differences (2n + 1 runs; sensitivities for non-linear ODE models), as
   * for {@link evaluate}. Inter-occasion etas, which a table of model-order etas cannot hold per
   * occasion, are taken as 0 (the forecast convention), with a warning.
   */
  evaluateAt(patient: PatientData, eta: ArrayLike<number>): FixedEtaEvaluation {
    const ir = this.model.ir;
    const nEta = ir.etas.length;
    if (eta.length !== nEta)
      throw new DosetwinError([
        {
          code: 'DT_DATA',
          severity: 'error',
          field: 'eta',
          message: `ID ${patient.id}: ${eta.length} eta value(s) given, the model has ${nEta} (${ir.etas.map((e) => e.name).join(', ')})`,
        },
      ]);
    const obj = this.objective(patient);
    const n = obj.n;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) if (obj.occasion[i] === 0) x[i] = eta[obj.etaIndex[i]];
    const warnings: Issue[] = obj.occasion.some((o) => o > 0)
      ? [
          {
            code: 'DT_AT_IOV',
            severity: 'warning',
            field: 'eta',
            message: `ID ${patient.id}: the inter-occasion etas (${ir.etas
              .filter((e) => e.iov)
              .map((e) => e.name)
              .join(', ')}) are evaluated at 0`,
          },
        ]
      : [];
    const c = conditionalCovariance(obj, x, this.central);
    const cov = c ? c.cov : new Float64Array(n * n).fill(Infinity);
    const etaCov = new Float64Array(nEta * nEta);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        if (obj.occasion[a] === 0 && obj.occasion[b] === 0)
          etaCov[obj.etaIndex[a] * nEta + obj.etaIndex[b]] = cov[a * n + b];
    let decrement = Infinity;
    if (c && Number.isFinite(c.objective)) {
      const L = new Float64Array(n * n);
      if (cholesky(n, c.information, L)) {
        const y = forwardSolve(n, L, c.gradient, new Float64Array(n));
        decrement = 0;
        for (let a = 0; a < n; a++) decrement += 0.5 * y[a] * y[a];
      }
    }
    const rec = new Float64Array(patient.n);
    const okPred = c !== null && Number.isFinite(c.objective) && obj.predictRecords(x, rec);
    const ipred: FixedEtaEvaluation['ipred'] = [];
    for (let i = 0; i < patient.n; i++)
      if (patient.evid[i] === 0)
        ipred.push({
          record: i,
          time: patient.time[i],
          cmt: patient.cmt[i],
          dv: patient.mdv[i] === 0 ? patient.dv[i] : NaN,
          ipred: okPred ? rec[i] : NaN,
        });
    return {
      id: patient.id,
      eta: Float64Array.from(eta),
      etaNames: ir.etas.map((e) => e.name),
      x,
      xNames: obj.names,
      objective: c ? c.objective : Infinity,
      obj: c ? c.obj : Infinity,
      cov,
      etaCov,
      gradient: c ? c.gradient : new Float64Array(n).fill(NaN),
      decrement,
      kinks: c && Number.isFinite(c.objective) ? this.kinks(patient, x) : [],
      ipred,
      warnings,
    };
  }

  /**
   * Components of x along which the objective is not differentiable at x (one-sided slopes jump,
   * see rule 5 of {@link MapEstimator.fit}), e.g. a lag time equal to an observation time. There
   * the conditional covariance depends on the side of the derivative and is not defined.
   */
  kinks(patient: PatientData, x: ArrayLike<number>): string[] {
    const obj = this.objective(patient);
    const xv = Float64Array.from(x);
    const c = conditionalCovariance(obj, xv, this.central);
    if (!c || !Number.isFinite(c.objective)) return [];
    const B = c.information.map((v) => 2 * v);
    const mask = findKinks(obj, xv, c.objective, B, this.kinkCandidates(obj), true, false);
    return mask ? obj.names.filter((_, i) => mask[i]) : [];
  }

  /**
   * MAP estimate of one patient's etas. Restart rules (each start is a quasi-Newton run, see
   * `minimize`; the lowest objective wins, a converged start over a non-converged one):
   *
   * 1. start at the prior mode η = 0;
   * 2. if it did not converge, or the check at its end fails (objective not finite, conditional
   *    information not positive definite, or Newton decrement gᵀ(2I)⁻¹g above 1e-6 with the
   *    derivatives at the end point), restart once from its end point with fresh curvature;
   * 3. if still not converged, or the mode is implausible (Σ (y − F)²/var beyond the 1 − 1e-6
   *    quantile of χ²(number of observations), Wilson–Hilferty approximation — typically a mode
   *    where the lag time puts an observed concentration at F = 0): up to 2n + 2 starts from
   *    deterministic points spread over the prior (Halton sequence mapped through Φ⁻¹ and the
   *    Cholesky factor of Ω), stopping at the first that converges to an objective not above the
   *    best so far;
   * 4. `options.starts` = k > 0 adds k such starts always (multimodal posteriors: flip-flop
   *    absorption, lag times), keeping the lowest converged objective;
   * 5. kinks: when a start ends without convergence, each component is probed with one-sided
   *    differences of f (step 1e-6·(|x_i| + sd_i)); a component whose one-sided slopes jump
   *    (more than curvature explains) around zero — f has a V-shaped minimum along it, as when a
   *    lag time or a modelled infusion duration equals an observation time, where F is not
   *    differentiable — is held fixed and the others are optimised; the fit is converged when that
   *    reduced problem is (the message names the held components);
   * 6. for etas that move dose timing (lag, modelled rate or duration), whose kinks separate local
   *    optima: f is scanned along each such eta from the mode (offsets ±0.005·2^k prior SD up
   *    to 3 SD, the other components fixed) and a start is made from the two lowest scan points
   *    that are local minima away from the mode's basin, if within 8 objective units of the mode;
   * 7. global search (`options.screen` = m, default 2n + 2; 0 = off): f is evaluated at m
   *    quasi-random points around the best mode so far (Halton draws from the prior, centred
   *    there), and the best two are polished by a local search that stops as soon as it comes
   *    within 3 posterior SDs of a mode already found ((x − x*)ᵀI(x − x*) ≤ 9 and f ≤ f* + 9) —
   *    in a unimodal posterior after a few steps. Posterior modes of PK models that are not the
   *    one reached from η = 0 (flip-flop absorption, a first step into a remote basin) lie at about
   *    a prior SD from it; on the benchmark this costs about a quarter more simulator runs.
   *    Modes found within {@link CLOSE_MODES} of the best are reported (`otherModes`, and the
   *    warning `DT_MAP_MULTIMODAL`).
   *
   * Never returns NaN: when no start gives a finite objective the fit is the prior mode with
   * objective +Infinity and `converged` false.
   *
   * `objective`: the patient's objective from this estimator's {@link objective}, when the caller
   * has built it already (to check the data before fitting): building it again costs as much as a
   * few simulator runs of a closed form. The fit is the same either way.
   */
  fit(patient: PatientData, objective?: MapObjective): MapFit {
    if (objective !== undefined && (objective.patient !== patient || objective.sim !== this.sim))
      throw new Error("internal: MapEstimator.fit was given another patient's or estimator's objective");
    const obj = objective ?? this.objective(patient);
    const n = obj.n;
    const problem = this.problem ? this.problem.bind(obj) : (this.problem = new Problem(obj, this.forward));
    problem.speculate = true;
    const runs0 = obj.runs;
    // The fit's state in one object, and the starts as methods over it rather than closures (each
    // closure made per fit was an allocation, and a named one more under the test runner's loader).
    const st: FitState = {
      obj,
      problem,
      options: {
        maxIterations: this.options.maxIterations ?? 100,
        scale: obj.priorSd,
        method: this.options.method ?? 'bfgs',
        maxStep: this.options.maxStep ?? 2,
      },
      best: null,
      found: [],
      iterations: 0,
      starts: 0,
    };
    let first = this.tryStart(st, new Float64Array(n));
    if (!first.ok && Number.isFinite(first.f)) first = this.tryStart(st, first.x);
    // Rule 6: along each eta that moves dose timing, scan for the basins on the other side of kinks.
    if (first.ok && this.timingEtas.length)
      for (let i = 0; i < n; i++)
        if (obj.occasion[i] === 0 && this.timingEtas.includes(obj.etaIndex[i]))
          if (doseTimingKinks(obj, st.best!.x, i, this.lagScan))
            for (const x0 of profileStarts(obj, st.best!.x, st.best!.f, i, this.lagScan))
              this.tryStart(st, x0);
    const implausible = first.ok && !plausible(obj, st.best!);
    const extra = this.options.starts ?? 0;
    const halton = !first.ok || implausible || extra > 0 ? haltonStarts(obj, 2 * n + 2 + extra) : [];
    let h = 0;
    if (!first.ok || implausible)
      for (let k = 0; k < 2 * n + 2 && h < halton.length; k++) {
        const c = this.tryStart(st, halton[h++]);
        if (c.ok && c.f <= st.best!.f) break;
      }
    for (let k = 0; k < extra && h < halton.length; k++) this.tryStart(st, halton[h++]);
    // Rule 7: global search.
    const nScreen = this.options.screen ?? 2 * n + 2;
    if (nScreen > 0 && Number.isFinite(st.best!.f)) {
      const centre = st.best!.x;
      // The screened points, centre + the k-th prior draw, are built in one array as they are
      // evaluated; only those polished get an array of their own.
      const base = haltonBase(obj, nScreen);
      // Scratch kept by the estimator (grown as needed).
      if (this.screenF.length < nScreen) {
        this.screenF = new Float64Array(nScreen);
        this.screenTaken = new Uint8Array(nScreen);
      }
      if (this.screenX.length !== n) this.screenX = new Float64Array(n);
      const xs = this.screenX;
      const fs = this.screenF;
      // Screened points get no gradient: their values alone.
      problem.speculate = false;
      for (let k = 0; k < nScreen; k++) fs[k] = problem.value(screenPoint(base, k, centre, xs));
      problem.speculate = true;
      // The SCREEN_POLISH lowest, in the order of a stable sort by value (lowest index first on a
      // tie), picked without sorting them all.
      // The polish's options, made once (an object spread and a closure per polish otherwise).
      let polish: MinimizeOptions | null = null;
      const taken = this.screenTaken;
      for (let q = 0; q < nScreen; q++) taken[q] = 0;
      for (let r = 0; r < SCREEN_POLISH && r < nScreen; r++) {
        let k = -1;
        for (let q = 0; q < nScreen; q++) if (!taken[q] && (k < 0 || fs[q] < fs[k])) k = q;
        taken[k] = 1;
        if (!Number.isFinite(fs[k])) break;
        const x0 = screenPoint(base, k, centre, new Float64Array(n));
        if (knownMode(st.found, x0, fs[k])) continue;
        st.starts++;
        polish ??= { ...st.options, stop: (x, f) => knownMode(st.found, x, f) };
        const rr = minimize(problem, x0, polish);
        st.iterations += rr.iterations;
        if (rr.reason === 'stopped by the caller') continue;
        const c = this.check(obj, rr, null, problem);
        keepBest(st, c);
        st.found.push(c);
      }
    }
    const found = st.found;
    const iterations = st.iterations;
    const starts = st.starts;
    const b: Candidate = st.best!;
    const eta = new Float64Array(this.model.ir.etas.length);
    for (let i = 0; i < n; i++) if (obj.occasion[i] === 0) eta[obj.etaIndex[i]] = b.x[i];
    const rec = new Float64Array(patient.n);
    const okPred = Number.isFinite(b.f) && obj.predictRecords(b.x, rec);
    const ipred: MapFit['ipred'] = [];
    for (let i = 0; i < patient.n; i++)
      if (patient.evid[i] === 0)
        ipred.push({
          record: i,
          time: patient.time[i],
          cmt: patient.cmt[i],
          dv: patient.mdv[i] === 0 ? patient.dv[i] : NaN,
          ipred: okPred ? rec[i] : NaN,
        });
    const cc = b.cc;
    const { otherModes, warnings } = this.modes(obj, patient.id, b, found);
    return {
      id: patient.id,
      eta,
      etaNames: this.model.ir.etas.map((e) => e.name),
      x: b.x,
      xNames: obj.names,
      objective: b.f,
      obj: cc ? cc.obj : Infinity,
      cov: cc ? cc.cov : new Float64Array(n * n).fill(Infinity),
      converged: b.ok,
      message: b.message,
      iterations,
      starts,
      runs: obj.runs - runs0,
      decrement: b.decrement,
      ipred,
      otherModes,
      warnings,
    };
  }

  /** One local search from x0 (rules 1–5), its result kept in the fit's state. */
  private tryStart(st: FitState, x0: Float64Array): Candidate {
    const { obj, problem, options } = st;
    st.starts++;
    const r = minimize(problem, x0, options);
    st.iterations += r.iterations;
    let c = this.check(obj, r, null, problem);
    keepBest(st, c);
    st.found.push(c);
    if (!c.ok && Number.isFinite(r.f)) {
      // Kinks (rule 5): hold the components at a non-differentiable minimum, optimise the rest.
      const fixed = findKinks(obj, r.x, r.f, r.B, this.kinkCandidates(obj));
      if (fixed) {
        problem.skip = fixed;
        const r2 = minimize(problem, r.x, { ...options, fixed });
        problem.skip = null;
        st.iterations += r2.iterations;
        const c2 = this.check(obj, r2, fixed);
        const which = obj.names.filter((_, i) => fixed[i]).join(', ');
        c2.message = `${c2.message}; optimum at a non-differentiable point in ${which} (held there)`;
        keepBest(st, c2);
        st.found.push(c2);
        if (c2.ok || c2.f < c.f) c = c2;
      }
    }
    return c;
  }

  /**
   * The distinct converged modes among the starts' results within {@link CLOSE_MODES} of the best
   * (two results are the same mode when no component differs by more than 1e-3 prior SD), with
   * their Laplace weights, and the warning that says so.
   */
  private modes(
    obj: MapObjective,
    id: string,
    b: Candidate,
    found: Candidate[],
  ): { otherModes: OtherMode[]; warnings: Issue[] } {
    const n = obj.n;
    const sd = obj.priorSd;
    // Most fits have no other converged result close to the best: nothing to sort then.
    let any = false;
    for (const c of found)
      if (c !== b && c.ok && c.cc && c.f <= b.f + CLOSE_MODES && !sameMode(c, b, sd)) any = true;
    if (!any || !b.ok || !b.cc) return { otherModes: [], warnings: [] };
    const distinct: Candidate[] = [];
    for (const c of [...found].sort((u, v) => u.f - v.f))
      if (
        c !== b &&
        c.ok &&
        c.cc &&
        c.f <= b.f + CLOSE_MODES &&
        !sameMode(c, b, sd) &&
        !distinct.some((d) => sameMode(c, d, sd))
      )
        distinct.push(c);
    if (!distinct.length) return { otherModes: [], warnings: [] };
    const obj0 = b.cc.obj;
    let total = 1;
    for (const c of distinct) total += Math.exp(-0.5 * (c.cc!.obj - obj0));
    const etaOf = (x: Float64Array): Float64Array => {
      const eta = new Float64Array(this.model.ir.etas.length);
      for (let i = 0; i < n; i++) if (obj.occasion[i] === 0) eta[obj.etaIndex[i]] = x[i];
      return eta;
    };
    const otherModes = distinct.map((c) => ({
      eta: etaOf(c.x),
      x: Float64Array.from(c.x),
      objective: c.f,
      obj: c.cc!.obj,
      weight: Math.exp(-0.5 * (c.cc!.obj - obj0)) / total,
    }));
    const m = otherModes[0];
    const names = this.model.ir.etas.map((e) => e.name);
    const show = (eta: Float64Array): string => names.map((nm, k) => `${nm} ${eta[k].toFixed(3)}`).join(', ');
    const warnings: Issue[] = [
      {
        code: 'DT_MAP_MULTIMODAL',
        severity: 'warning',
        field: 'eta',
        message:
          `ID ${id}: the posterior has ${otherModes.length === 1 ? 'another mode' : `${otherModes.length} other modes`} ` +
          `within ${CLOSE_MODES} objective units of the fit: the nearest at +${(m.objective - b.f).toFixed(3)} ` +
          `(${show(m.eta)}; posterior share ≈ ${(100 * m.weight).toFixed(0)} % by the Laplace approximation) ` +
          `against ${show(etaOf(b.x))}: the individual parameters are uncertain between them`,
        hint: 'compare the forecasts at both modes, or add a level that separates them',
      },
    ];
    return { otherModes, warnings };
  }

  /**
   * Components probed for kinks: all for exact solvers; for adaptive ODE solvers (whose rounding
   * noise would pass for kinks at the probe's step) only the etas that move dose timing.
   */
  private kinkCandidates(obj: MapObjective): Uint8Array {
    return Uint8Array.from(obj.etaIndex, (k, i) =>
      this.sim.advancer.exact || (obj.occasion[i] === 0 && this.timingEtas.includes(k)) ? 1 : 0,
    );
  }

  /**
   * Verify a quasi-Newton result at its end point with central differences (rule 2). `fixed`
   * components (kinks) are left out of the decrement.
   */
  private check(
    obj: MapObjective,
    r: MinimizeResult,
    fixed: Uint8Array | null,
    problem: Problem | null = null,
  ): Candidate {
    // The result's own array (a minimisation allocates it for its caller).
    const x = r.x;
    if (!Number.isFinite(r.f))
      return { x, f: Infinity, ok: false, cc: null, decrement: Infinity, message: r.reason };
    // The optimiser's last gradient is normally at its end point: reuse those derivatives (forward
    // differences, error ≈ 1e-7 relative, or sensitivities) rather than simulate 2n + 1 times more.
    const cc = problem?.covarianceAt(x) ?? conditionalCovariance(obj, x, this.central);
    if (!cc || !Number.isFinite(cc.objective))
      return {
        x,
        f: r.f,
        ok: false,
        cc: null,
        decrement: Infinity,
        message: 'objective not finite at the end point',
      };
    // Scratch kept by the estimator (sized for all components; the free ones use the start).
    const n = obj.n;
    if (this.checkG.length !== n) {
      this.checkFree = new Int32Array(n);
      this.checkG = new Float64Array(n);
      this.checkY = new Float64Array(n);
      this.checkI = new Float64Array(n * n);
      this.checkL = new Float64Array(n * n);
    }
    const free = this.checkFree;
    let m = 0;
    for (let i = 0; i < n; i++) if (!fixed || !fixed[i]) free[m++] = i;
    const I = this.checkI;
    const g = this.checkG;
    for (let a = 0; a < m; a++) {
      g[a] = cc.gradient[free[a]];
      for (let b = 0; b < m; b++) I[a * m + b] = cc.information[free[a] * n + free[b]];
    }
    const L = this.checkL;
    if (!cholesky(m, I, L))
      return {
        x,
        f: cc.objective,
        ok: false,
        cc,
        decrement: Infinity,
        message: 'information not positive definite',
      };
    // δ = gᵀ(2I)⁻¹g over the free components.
    const y = forwardSolve(m, L, g, this.checkY);
    let dec = 0;
    for (let a = 0; a < m; a++) dec += 0.5 * y[a] * y[a];
    const ok = r.converged && dec <= 1e-6;
    return {
      x,
      f: cc.objective,
      ok,
      cc,
      decrement: dec,
      message:
        ok || !r.converged
          ? r.reason
          : `gradient at the end point too large (decrement ${dec.toExponential(2)})`,
    };
  }
}

/**
 * Components of x at which f has a V-shaped kink (rule 5 of `MapEstimator.fit`): one-sided
 * slopes d₊ = (f(x + h·e_i) − f)/h and d₋ = (f − f(x − h·e_i))/h with d₊ > d₋ by more than the
 * curvature B_ii and rounding explain, and (if `vShaped`) d₋ ≤ ε ≤ d₊ (ε = 1 % of the jump).
 * Null if none, or
 * (unless `all`) if every component is a kink (nothing left to optimise).
 */
function findKinks(
  obj: MapObjective,
  x: Float64Array,
  f: number,
  B: Float64Array,
  candidates: Uint8Array,
  all = false,
  vShaped = true,
): Uint8Array | null {
  const n = obj.n;
  const mask = new Uint8Array(n);
  const xp = x.slice();
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!candidates[i]) continue;
    const h = x[i] + 1e-6 * (Math.abs(x[i]) + obj.priorSd[i]) - x[i];
    xp[i] = x[i] + h;
    const fp = obj.value(xp);
    xp[i] = x[i] - h;
    const fm = obj.value(xp);
    xp[i] = x[i];
    const dp = (fp - f) / h;
    const dm = (f - fm) / h;
    const jump = dp - dm;
    const smooth = jump <= 10 * h * Math.abs(B[i * n + i]) + 1e-3 * (1 + Math.abs(dp) + Math.abs(dm));
    if (!smooth && (!vShaped || (dp >= -0.01 * jump && dm <= 0.01 * jump))) {
      mask[i] = 1;
      count++;
    }
  }
  return count > 0 && (all || count < n) ? mask : null;
}
interface Candidate {
  x: Float64Array;
  f: number;
  ok: boolean;
  cc: ConditionalCovariance | null;
  decrement: number;
  message: string;
}

/** Two results are the same mode when no component differs by more than 1e-3 prior SD. */
function sameMode(c: Candidate, d: Candidate, sd: Float64Array): boolean {
  for (let i = 0; i < sd.length; i++) if (Math.abs(c.x[i] - d.x[i]) > 1e-3 * sd[i]) return false;
  return true;
}

/** The state of one {@link MapEstimator.fit}. */
interface FitState {
  obj: MapObjective;
  problem: Problem;
  options: MinimizeOptions;
  /** The best result so far (a converged one over any other, then the lowest objective). */
  best: Candidate | null;
  /** Every start's result. */
  found: Candidate[];
  iterations: number;
  starts: number;
}

function keepBest(st: FitState, c: Candidate): void {
  const best = st.best;
  if (
    best === null ||
    (c.ok && !best.ok) ||
    (c.ok === best.ok && c.f < best.f) ||
    (!Number.isFinite(best.f) && Number.isFinite(c.f))
  )
    st.best = c;
}

/** The k-th screened point of rule 7, centre + the k-th prior draw, into x. */
function screenPoint(base: Float64Array, k: number, centre: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  for (let i = 0; i < n; i++) x[i] = base[k * n + i] + centre[i];
  return x;
}

/**
 * Rule 7: whether x is within 3 posterior SDs of a mode already found (the quadratic model there,
 * f ≈ f* + (x − x*)ᵀI(x − x*), then holds and a polish would only converge to it).
 */
function knownMode(found: Candidate[], x: Float64Array, f: number): boolean {
  for (const c of found)
    if (c.ok && c.cc !== null && f - c.f <= MERGE_RADIUS2 && mahalanobis2(c, x) <= MERGE_RADIUS2) return true;
  return false;
}

/**
 * Adapts a patient's objective and a Jacobian method to the optimiser's interface. One instance can
 * serve patient after patient ({@link bind}): its buffers are kept and only grown, since building
 * them for every fit was a visible share of a closed-form MAP fit.
 */
export class Problem implements Minimizable {
  n: number;
  /** Components whose derivatives are not needed (held fixed). */
  skip: Uint8Array | null = null;
  private obj: MapObjective;
  private F = new Float64Array(0);
  private J = new Float64Array(0);
  private info = new Float64Array(0);
  /**
   * Whether `value` also computes the derivatives where they cost one run (the Jacobian method's
   * `singleRun`): a minimiser asks for the gradient at each point its line search accepts, which
   * is usually the first one tried, and the run at that point is then not done twice.
   */
  speculate = false;
  /** The last point f was evaluated at and its predictions (reused by the next gradient there). */
  private vx = new Float64Array(0);
  private vF = new Float64Array(0);
  private vOk = false;
  /** The derivatives at vx, when `value` computed them, and the components they skipped. */
  private vJ = new Float64Array(0);
  private vJOk = false;
  private vSkip: Uint8Array | null = null;
  /** The last point the gradient was computed at (all components), with F and J there. */
  lastX = new Float64Array(0);
  private lastOk = false;

  constructor(
    obj: MapObjective,
    private readonly jac: JacobianMethod,
  ) {
    this.obj = obj;
    this.n = obj.n;
    this.bind(obj);
  }

  /**
   * Points the problem at another objective (same Jacobian method), forgetting all it computed
   * for the previous one. Buffers are reused when large enough: F and J hold nPred (× n) values
   * at their start, whatever their length.
   */
  bind(obj: MapObjective): this {
    const n = obj.n;
    const m = obj.nPred;
    this.obj = obj;
    this.skip = null;
    this.speculate = false;
    this.vOk = this.vJOk = this.lastOk = false;
    this.vSkip = null;
    if (n !== this.n || this.vx.length !== n) {
      this.n = n;
      this.vx = new Float64Array(n);
      this.lastX = new Float64Array(n);
      this.info = new Float64Array(n * n);
      this.F = new Float64Array(0);
      this.vF = new Float64Array(0);
    }
    if (this.F.length < m || this.J.length < m * n) {
      const cap = Math.max(m, 2 * this.F.length);
      this.F = new Float64Array(cap);
      this.vF = new Float64Array(cap);
      this.J = new Float64Array(cap * n);
      this.vJ = new Float64Array(cap * n);
    }
    return this;
  }

  value(x: Float64Array): number {
    this.vJOk = this.speculate && this.jac.singleRun !== undefined && this.jac.singleRun(this.obj);
    if (this.vJOk) {
      this.vOk = this.jac.compute(this.obj, x, this.vF, this.vJ, this.skip, false);
      this.vJOk = this.vOk;
      this.vSkip = this.skip;
    } else this.vOk = this.obj.predict(x, this.vF);
    // A loop: TypedArray.prototype.set costs more than copying a few components.
    for (let i = 0; i < x.length; i++) this.vx[i] = x[i];
    if (!this.vOk) return Infinity;
    return this.obj.dataTerm(this.vF) + this.obj.prior(x);
  }

  gradient(x: Float64Array, g: Float64Array, H: Float64Array | null): number {
    // The line search has just evaluated f at the accepted point: reuse its predictions.
    const haveF = this.vOk && sameVector(this.vx, x);
    this.lastOk = false;
    if (haveF && this.vJOk && this.vSkip === this.skip) {
      // The derivatives came with the value: take its buffers (the value's are then stale).
      const F = this.F;
      const J = this.J;
      this.F = this.vF;
      this.J = this.vJ;
      this.vF = F;
      this.vJ = J;
      this.vOk = this.vJOk = false;
    } else {
      if (haveF) this.F.set(this.vF);
      if (!this.jac.compute(this.obj, x, this.F, this.J, this.skip, haveF)) return Infinity;
    }
    // The information only when the optimiser asks for a curvature model (covarianceAt assembles
    // its own from F and J).
    const f = this.obj.assemble(x, this.F, this.J, g, H ? this.info : null);
    if (H) for (let i = 0; i < this.info.length; i++) H[i] = 2 * this.info[i];
    this.lastX.set(x);
    this.lastOk = this.skip === null;
    return f;
  }

  /** ETC and OBJ at x from the last gradient evaluation, if it was at x with all components. */
  covarianceAt(x: Float64Array): ConditionalCovariance | null {
    if (!this.lastOk || !sameVector(this.lastX, x)) return null;
    // F is kept by the result; x and J are only read.
    return covarianceFromJacobian(this.obj, x, this.F.slice(0, this.obj.nPred), this.J);
  }
}

/** Rule 3: is the mode's weighted residual sum of squares plausible under χ²(nObs)? */
function plausible(obj: MapObjective, c: Candidate): boolean {
  const k = obj.nObs;
  if (k === 0) return true;
  // Wilson–Hilferty: χ²_k quantile ≈ k·(1 − 2/(9k) + z·√(2/(9k)))³, z = Φ⁻¹(1 − 1e-6) = 4.753.
  const a = 2 / (9 * k);
  const q = k * Math.pow(1 - a + 4.753 * Math.sqrt(a), 3);
  return (c.cc ? obj.chiSquareOf(c.cc.F) : obj.chiSquare(c.x)) <= q;
}

/**
 * Rule 6: starting points from a scan of f along component i: offsets ±0.005·2^k prior SD up to
 * 3 SD (fine near the mode, where the basin across a nearby kink can be narrow), the other
 * components fixed; the two lowest scan points that are local minima outside the mode's basin and
 * within PROFILE_MARGIN of f at the mode.
 */
/**
 * A scan minimum more than this above f at the mode (a likelihood ratio of e⁻⁴ before the other
 * components adapt) is not worth a start.
 */
const PROFILE_MARGIN = 8;

/**
 * Offsets of the rule-6 scan in prior SDs. Doubling: 1.5 as a ratio found the same optimum for all
 * 1000 patients of run003 and run004 (objective within 5e-11) with 12 more runs per fit.
 */
const PROFILE_OFFSETS: readonly number[] = (() => {
  const offsets: number[] = [0];
  for (let o = 0.005; o <= 3; o *= 2) offsets.push(o, -o);
  return offsets.sort((a, b) => a - b);
})();

/**
 * Whether the rule-6 scan along x_i can meet a kink: false only when every dose the objective
 * simulates is a bolus without SS (no infusion end, no modelled rate or duration) and, with the lag
 * of each dose at each scan point (parameters only, no simulation), no dose's entry time (its
 * time, or that of an ADDL repetition, plus the lag) can move across the time of a record the
 * objective simulates. The objective is then smooth along x_i over the scan: the dose enters
 * between the same records, with the same F, whatever the lag, and its profile has no kink to
 * hide another basin behind. On run003 this leaves out the scan for 257 of the 500 patients
 * (93 → 83 runs per fit), with the same etas for all; without the scan at all, 14 end elsewhere.
 */
const timingScratch = {
  lo: new Float64Array(0),
  hi: new Float64Array(0),
  lag: new Float64Array(0),
  x: new Float64Array(0),
  eta: new Float64Array(0),
  /** f at the scan's offsets (profileStarts). */
  f: new Float64Array(PROFILE_OFFSETS.length),
};
function doseTimingKinks(obj: MapObjective, x: Float64Array, i: number, lagScan: LagScan): boolean {
  lagScan.endPoints();
  const p = obj.patient;
  const nRec = obj.needed;
  for (let r = 0; r < nRec; r++)
    if ((p.evid[r] === 1 || p.evid[r] === 4) && p.amt[r] > 0 && (p.rate[r] !== 0 || p.ss[r] !== 0))
      return true;
  // Scratch kept between calls (grown as needed): this runs once per fit on lag models.
  if (timingScratch.lo.length < nRec) {
    const cap = Math.max(nRec, 2 * timingScratch.lo.length);
    timingScratch.lo = new Float64Array(cap);
    timingScratch.hi = new Float64Array(cap);
    timingScratch.lag = new Float64Array(cap);
  }
  const { lo, hi, lag } = timingScratch;
  lo.fill(Infinity, 0, nRec);
  hi.fill(-Infinity, 0, nRec);
  lag.fill(0, 0, nRec);
  if (timingScratch.x.length !== x.length) timingScratch.x = new Float64Array(x.length);
  const xs = timingScratch.x;
  xs.set(x);
  const nEta = obj.simulatorEta(xs).length;
  if (timingScratch.eta.length !== nEta) timingScratch.eta = new Float64Array(nEta);
  const eta = timingScratch.eta;
  // The points' lags and parameters are kept for the scan that follows when there is a kink.
  lagScan.startPoints(obj, x, i, PROFILE_OFFSETS.length);
  for (let g = 0; g < PROFILE_OFFSETS.length; g++) {
    xs[i] = x[i] + PROFILE_OFFSETS[g] * obj.priorSd[i];
    if (!obj.sim.doseLags(p, obj.simulatorEta(xs, eta), lag, nRec)) return true;
    lagScan.keepPoint(g, xs[i], lag);
    for (let r = 0; r < nRec; r++) {
      if (lag[r] < lo[r]) lo[r] = lag[r];
      if (lag[r] > hi[r]) hi[r] = lag[r];
    }
  }
  for (let d = 0; d < nRec; d++) {
    // A dose whose lag does not move with x_i enters at the same time all along the scan.
    if (!((p.evid[d] === 1 || p.evid[d] === 4) && p.amt[d] > 0) || hi[d] === lo[d]) continue;
    // The lag between scan points is not evaluated: widen its range by a tenth of its width.
    const pad = 0.1 * (hi[d] - lo[d]);
    for (let j = 0; j <= p.addl[d]; j++) {
      const t = p.time[d] + j * p.ii[d];
      const a = t + lo[d] - pad;
      const b = t + hi[d] + pad;
      for (let r = 0; r < nRec; r++) if (p.time[r] >= a && p.time[r] <= b) return true;
    }
  }
  return false;
}

function profileStarts(
  obj: MapObjective,
  x: Float64Array,
  f: number,
  i: number,
  lagScan: LagScan,
): Float64Array[] {
  const offsets = PROFILE_OFFSETS;
  const m = offsets.length;
  const sd = obj.priorSd[i];
  // Scratch shared with doseTimingKinks, which has finished with it.
  if (timingScratch.x.length !== x.length) timingScratch.x = new Float64Array(x.length);
  const xs = timingScratch.x;
  xs.set(x);
  // Where the model and the patient allow, the points' amounts by superposition (a run's values
  // to rounding, for a fraction of a run each), else runs.
  const scan = lagScan.prepare(obj, x) ? lagScan : null;
  const fs = timingScratch.f;
  for (let g = 0; g < m; g++) {
    const o = offsets[g];
    if (o === 0) fs[g] = f;
    else {
      xs[i] = x[i] + o * sd;
      const v = scan ? scan.value(xs, g) : NaN;
      fs[g] = v === v ? v : obj.value(xs);
    }
  }
  lagScan.endPoints();
  const zero = offsets.indexOf(0);
  // The mode's basin: the points reached from the mode while f keeps increasing.
  let lo = zero;
  while (lo > 0 && fs[lo - 1] >= fs[lo]) lo--;
  let hi = zero;
  while (hi < m - 1 && fs[hi + 1] >= fs[hi]) hi++;
  const cands: number[] = [];
  for (let g = 0; g < m; g++) {
    if (g >= lo && g <= hi) continue;
    const left = g === 0 ? Infinity : fs[g - 1];
    const right = g === m - 1 ? Infinity : fs[g + 1];
    if (Number.isFinite(fs[g]) && fs[g] <= left && fs[g] <= right && fs[g] < f + PROFILE_MARGIN)
      cands.push(g);
  }
  cands.sort((a, b) => fs[a] - fs[b]);
  return cands.slice(0, 2).map((g) => {
    const x0 = Float64Array.from(x);
    x0[i] = x[i] + offsets[g] * sd;
    return x0;
  });
}

/** Rule 7: the best screened points polished by a local search. */
const SCREEN_POLISH = 2;
/** Rule 7: squared posterior distance (and objective margin) within which a polish joins a known mode. */
const MERGE_RADIUS2 = 9;

/** (x − x*)ᵀ I (x − x*) at the candidate's mode x* with its information I. */
function mahalanobis2(c: Candidate, x: Float64Array): number {
  const n = x.length;
  const I = c.cc!.information;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += I[i * n + j] * (x[j] - c.x[j]);
    d2 += (x[i] - c.x[i]) * r;
  }
  return d2;
}

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
];

/** Radical inverse of k in base b (van der Corput). */
function radicalInverse(k: number, b: number): number {
  let f = 1;
  let r = 0;
  while (k > 0) {
    f /= b;
    r += f * (k % b);
    k = Math.floor(k / b);
  }
  return r;
}

/**
 * Deterministic starting points spread over the prior: Halton points u_k (bases 2, 3, 5, …),
 * z = Φ⁻¹(u_k), x = L·z with LLᵀ = Ωₓ/w — quasi-random draws from the prior.
 */
function haltonStarts(obj: MapObjective, count = 64): Float64Array[] {
  const n = obj.n;
  const base = haltonBase(obj, count);
  return Array.from({ length: count }, (_, k) => base.slice(k * n, (k + 1) * n));
}

/**
 * The points of {@link haltonStarts} in one array (count × n, row-major), computed once per prior
 * (objectives of one model and occasion set share their prior's arrays, see `layoutOf`) and count.
 */
const haltonBases = new WeakMap<Float64Array, Map<number, Float64Array>>();
function haltonBase(obj: MapObjective, count: number): Float64Array {
  let byCount = haltonBases.get(obj.priorCov);
  if (!byCount) {
    byCount = new Map();
    haltonBases.set(obj.priorCov, byCount);
  }
  let out = byCount.get(count);
  if (out) return out;
  const n = obj.n;
  const L = new Float64Array(n * n);
  cholesky(n, obj.priorCov, L);
  const z = haltonNormals(n, count);
  out = new Float64Array(count * n);
  for (let k = 0; k < count; k++)
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j <= i; j++) v += L[i * n + j] * z[k * n + j];
      out[k * n + i] = v;
    }
  if (byCount.size > 16) byCount.clear();
  byCount.set(count, out);
  return out;
}

/** Φ⁻¹ of the Halton points 1…count in n dimensions (row k − 1), computed once per n and count. */
const haltonCache = new Map<string, Float64Array>();
function haltonNormals(n: number, count: number): Float64Array {
  const key = `${n}:${count}`;
  let z = haltonCache.get(key);
  if (!z) {
    z = new Float64Array(n * count);
    for (let k = 1; k <= count; k++)
      for (let i = 0; i < n; i++)
        z[(k - 1) * n + i] = normalQuantile(radicalInverse(k, PRIMES[i % PRIMES.length]));
    if (haltonCache.size > 64) haltonCache.clear();
    haltonCache.set(key, z);
  }
  return z;
}

/** MAP fit of one patient (convenience: builds a {@link MapEstimator}; reuse one for many patients). */
export function estimateMap(model: CompiledModel, patient: PatientData, options: MapOptions = {}): MapFit {
  return new MapEstimator(model, options).fit(patient);
}
