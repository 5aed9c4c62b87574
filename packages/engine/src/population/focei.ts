import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { minimize, type Minimizable } from '../estimate/bfgs.ts';
import { conditionalCovariance } from '../estimate/covariance.ts';
import { FiniteDifferences, type JacobianMethod } from '../estimate/jacobian.ts';
import { cholesky, cholInverse, logDetChol } from '../estimate/linalg.ts';
import { Problem } from '../estimate/map.ts';
import { MapObjective, withVarianceTap } from '../estimate/objective.ts';
import { Simulator, type SimulatorOptions } from '../simulate/simulator.ts';
import { modelWith, type ParameterSpace, type PopulationParameters } from './parameters.ts';

/** One subject at given population parameters: its conditional mode and FOCE-I contribution. */
export interface SubjectMode {
  id: string;
  /** Conditional mode of x (between-subject etas with Ω > 0, then IOV etas per occasion). */
  x: Float64Array;
  /** Etas in model order at the mode (IOV etas 0). */
  eta: Float64Array;
  /** MAP objective at the mode. */
  objective: number;
  /** The subject's FOCE-I objective (NONMEM's OBJ): objective + ln|Ω| − ln|ETC|. */
  obj: number;
  /** Conditional covariance ETC at the mode (n×n row-major). */
  cov: Float64Array;
  converged: boolean;
}

/** The FOCE-I objective at one point of the parameter space. */
export interface FoceiEvaluation {
  /** −2 ln L without the constant N·ln 2π, as NONMEM and nlmixr2 report it; +Infinity if undefined. */
  ofv: number;
  subjects: SubjectMode[];
  parameters: PopulationParameters;
  /** −2 ln of the prior density included in `ofv` (0 without a prior). */
  prior: number;
}

/**
 * A prior on the population parameters (NONMEM's `$PRIOR NWPRI`): the fit then maximises the
 * posterior of the population parameters, e.g. to adapt a published model to a hospital's patients
 * with the published estimates as the prior.
 */
export interface PopulationPrior {
  /** The prior's centre (the published estimates). */
  parameters: PopulationParameters;
  /**
   * SD of the normal prior of each estimated θ on the optimiser's scale (ln θ for a positive θ, so
   * 0.2 ≈ 20 %): one number for all, or per parameter name (others unconstrained).
   */
  thetaSd: number | Readonly<Record<string, number>>;
  /**
   * Degrees of freedom ν of the inverse-Wishart prior on each estimated block of Ω, centred on the
   * published block (scale ν·Ω₀: NONMEM's `$OMEGAPD`); 0 = no prior on Ω. Residual SDs have none.
   */
  omegaDf: number;
}

/** Options of the FOCE-I objective. */
export interface FoceiOptions {
  /** A prior on the population parameters (the OFV then includes its −2 ln density). */
  prior?: PopulationPrior;
  simulator?: SimulatorOptions;
  /** Inner (conditional mode) iteration limit per subject (default 100). */
  innerIterations?: number;
  /**
   * Who computes the subjects' conditional modes (default: this thread, {@link LocalModes}). A front
   * end may spread the subjects over threads (each running {@link conditionalModes} on a contiguous
   * chunk with its own warm starts); the OFV is summed here in subject order, so the result does not
   * depend on how the subjects were split.
   */
  modes?: (patients: readonly PatientData[]) => ModesEvaluator;
}

/**
 * Where each subject's inner minimisation starts ({@link WarmStarts}):
 * - `last`: its mode at the previous evaluation;
 * - `center`: its mode at the evaluation marked as the centre (`markCenter`), e.g. the point whose
 *   gradient is being differenced;
 * - `mirror`: 2·centre − last, the centre's reflection of the previous mode: after an evaluation at
 *   P + h, the mode at P − h to O(h²) (the modes are smooth in P), where `center` is O(h) away.
 */
export type WarmStart = 'last' | 'center' | 'mirror';

/** Computes every subject's conditional mode at given population parameters, in subject order. */
export interface ModesEvaluator {
  modes(p: PopulationParameters, start?: WarmStart): SubjectMode[];
  /** The modes of the last evaluation become the centre of the `center` and `mirror` starts. */
  markCenter(): void;
  /** Forget the warm starts. */
  reset(): void;
}

/**
 * The warm starts of a set of subjects: each one's last mode and the centre's. Whoever holds a
 * chunk of subjects holds theirs; a subject's start depends only on its own history, so the same
 * sequence of evaluations gives the same starts however the subjects are split.
 */
export class WarmStarts {
  private readonly last: (Float64Array | null)[];
  private readonly center: (Float64Array | null)[];
  constructor(n: number) {
    this.last = Array.from({ length: n }, () => null);
    this.center = Array.from({ length: n }, () => null);
  }
  /** The starting points of an evaluation (null: from η = 0). */
  starts(kind: WarmStart = 'last'): (Float64Array | null)[] {
    if (kind === 'last') return this.last.slice();
    if (kind === 'center') return this.center.map((c, i) => c ?? this.last[i]);
    return this.center.map((c, i) => {
      const l = this.last[i];
      if (!c || !l || c.length !== l.length) return l ?? c;
      return Float64Array.from(c, (v, k) => 2 * v - l[k]);
    });
  }
  /** The modes just computed become the last ones (where the subject's objective was finite). */
  update(modes: readonly SubjectMode[]): void {
    modes.forEach((m, i) => {
      if (Number.isFinite(m.obj)) this.last[i] = m.x;
    });
  }
  markCenter(): void {
    for (let i = 0; i < this.last.length; i++) this.center[i] = this.last[i];
  }
  reset(): void {
    this.last.fill(null);
    this.center.fill(null);
  }
}

/** What {@link conditionalModes} needs besides the subjects: the FOCE-I options a worker can receive. */
export type ModesOptions = Pick<FoceiOptions, 'simulator' | 'innerIterations'>;

/**
 * The conditional mode and FOCE-I term of each subject at p, its minimisation started at
 * `starts[i]` (null: η = 0; a failed warm start is retried from η = 0). Each subject's result depends
 * only on p and its own start, so any split of the subjects gives the same modes.
 */
export function conditionalModes(
  model: CompiledModel,
  patients: readonly PatientData[],
  p: PopulationParameters,
  starts: readonly (Float64Array | null)[],
  options: ModesOptions = {},
): SubjectMode[] {
  const m = modelWith(model, p);
  const sim = new Simulator(
    m.ir.errors.some((e) => e.kind === 'variance') ? withVarianceTap(m) : m,
    options.simulator,
  );
  const jac: JacobianMethod = sim.advancer.exact
    ? new FiniteDifferences('forward', 1e-7)
    : new FiniteDifferences('central', 1e-3);
  const subjects: SubjectMode[] = [];
  const nEta = m.ir.etas.length;
  for (let i = 0; i < patients.length; i++) {
    const obj = new MapObjective(sim, patients[i]);
    const n = obj.n;
    const problem = new Problem(obj, jac);
    // A tight inner tolerance: ln|ETC| depends on the mode to first order (f does not), so the
    // mode's error would be noise in the OFV, and in the outer gradient.
    const opts = {
      maxIterations: options.innerIterations ?? 100,
      scale: obj.priorSd,
      maxStep: 2,
      decrementTolerance: 1e-14,
    };
    const w = starts[i];
    let r = minimize(problem, w && w.length === n ? w : new Float64Array(n), opts);
    if ((!r.converged || !Number.isFinite(r.f)) && w) {
      const r0 = minimize(problem, new Float64Array(n), opts);
      if (Number.isFinite(r0.f) && (r0.f < r.f || !Number.isFinite(r.f))) r = r0;
    }
    const cc = Number.isFinite(r.f)
      ? (problem.covarianceAt(r.x) ?? conditionalCovariance(obj, r.x, jac))
      : null;
    const objI = cc ? cc.obj : Infinity;
    const eta = new Float64Array(nEta);
    for (let a = 0; a < n; a++) if (obj.occasion[a] === 0) eta[obj.etaIndex[a]] = r.x[a];
    subjects.push({
      id: patients[i].id,
      x: Float64Array.from(r.x),
      eta,
      objective: r.f,
      obj: objI,
      cov: cc ? cc.cov : new Float64Array(n * n).fill(Infinity),
      converged: r.converged,
    });
  }
  return subjects;
}

/** The subjects' modes computed in this thread, with their warm starts. */
export class LocalModes implements ModesEvaluator {
  private readonly warm: WarmStarts;
  constructor(
    readonly model: CompiledModel,
    readonly patients: readonly PatientData[],
    readonly options: ModesOptions = {},
  ) {
    this.warm = new WarmStarts(patients.length);
  }
  modes(p: PopulationParameters, start: WarmStart = 'last'): SubjectMode[] {
    const out = conditionalModes(this.model, this.patients, p, this.warm.starts(start), this.options);
    this.warm.update(out);
    return out;
  }
  markCenter(): void {
    this.warm.markCenter();
  }
  reset(): void {
    this.warm.reset();
  }
}

/**
 * NONMEM's FOCE-I objective function: for population parameters P,
 *
 *     OFV(P) = Σ_i [ f_i(η̂_i) + ln|Ω| + ln|ETC_i⁻¹| ],
 *     f_i(η) = Σ_j [ln var_ij + (y_ij − F_ij)²/var_ij] + ηᵀΩ⁻¹η,
 *
 * η̂_i the conditional mode (the MAP estimate with P as the prior) and ETC_i⁻¹ = Ω⁻¹ + Σ_j g gᵀ/var
 * + ½ Σ_j d dᵀ/var² the expected information at η̂_i, the residual variance evaluated at η̂_i
 * (interaction): the Laplace approximation of −2 ln ∫ p(y_i | η) p(η) dη with the Gauss–Newton
 * Hessian (Wang Y, J Pharmacokinet Pharmacodyn 2007;34:575–593, eq. 20; NONMEM's "FOCE with
 * INTERACTION"). Observations below the LLOQ enter by Beal's M3 likelihood. Each subject's term
 * is exactly the MAP machinery's per-patient OBJ (`MapObjective`, `covarianceFromJacobian`),
 * so the population OFV is the sum of what `evaluateAt` reports per patient.
 *
 * The conditional modes are found by the same quasi-Newton minimisation as a MAP fit, started
 * from each subject's previous mode (the outer optimiser moves P a little at a time), and from
 * η = 0 again if that fails.
 */
export class FoceiObjective {
  readonly model: CompiledModel;
  readonly patients: readonly PatientData[];
  readonly space: ParameterSpace;
  /** Objective evaluations so far. */
  evaluations = 0;
  private readonly options: FoceiOptions;
  private readonly evaluator: ModesEvaluator;

  constructor(
    model: CompiledModel,
    patients: readonly PatientData[],
    space: ParameterSpace,
    options: FoceiOptions = {},
  ) {
    this.model = model;
    this.patients = patients;
    this.space = space;
    this.options = options;
    this.evaluator = options.modes
      ? options.modes(patients)
      : new LocalModes(model, patients, {
          simulator: options.simulator,
          innerIterations: options.innerIterations,
        });
  }

  /** OFV at u (the parameter space's vector). */
  evaluate(u: ArrayLike<number>, start?: WarmStart): FoceiEvaluation {
    return this.evaluateParameters(this.space.toParameters(u), start);
  }

  /** OFV at given population parameters, the inner minimisations started as `start` says. */
  evaluateParameters(p: PopulationParameters, start: WarmStart = 'last'): FoceiEvaluation {
    this.evaluations++;
    const subjects = this.evaluator.modes(p, start);
    // Summed in subject order whoever computed the terms: the same OFV for any split of the subjects.
    let ofv = 0;
    for (const s of subjects) ofv += s.obj;
    const prior = this.options.prior ? this.priorTerm(p, this.options.prior) : 0;
    ofv += prior;
    return { ofv: Number.isFinite(ofv) ? ofv : Infinity, subjects, parameters: p, prior };
  }

  /**
   * −2 ln of the prior density, 0 at its centre: Σ ((u_k − u₀_k)/s_k)² over the θ with a prior SD,
   * plus per Ω block (dimension d) (ν + d + 1)(ln|Ω| − ln|Ω₀|) + ν(tr(Ω₀Ω⁻¹) − d).
   */
  private priorTerm(p: PopulationParameters, prior: PopulationPrior): number {
    const space = this.space;
    const u = space.toU(p);
    const u0 = space.toU(prior.parameters);
    let t = 0;
    space.thetaFree.forEach((k, a) => {
      const name = space.ir.parameters[k].name;
      const sd = typeof prior.thetaSd === 'number' ? prior.thetaSd : prior.thetaSd[name];
      if (sd !== undefined && sd > 0) t += ((u[a] - u0[a]) / sd) ** 2;
    });
    const nu = prior.omegaDf;
    if (nu > 0) {
      const nEta = space.ir.etas.length;
      for (const b of space.blocks) {
        const d = b.length;
        const O = new Float64Array(d * d);
        const O0 = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) {
            O[i * d + j] = p.omega[b[i] * nEta + b[j]];
            O0[i * d + j] = prior.parameters.omega[b[i] * nEta + b[j]];
          }
        const L = new Float64Array(d * d);
        const L0 = new Float64Array(d * d);
        if (!cholesky(d, O, L) || !cholesky(d, O0, L0)) return Infinity;
        const Oi = cholInverse(d, L, new Float64Array(d * d));
        let tr = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) tr += O0[i * d + j] * Oi[j * d + i];
        t += (nu + d + 1) * (logDetChol(d, L) - logDetChol(d, L0)) + nu * (tr - d);
      }
    }
    return t;
  }

  /** Forget the warm starts (next evaluation starts every subject from η = 0). */
  reset(): void {
    this.evaluator.reset();
  }

  /** The modes of the last evaluation become the centre of the next `center` and `mirror` starts. */
  markCenter(): void {
    this.evaluator.markCenter();
  }
}

/** Progress of a population fit, for a progress bar. */
export interface FitProgress {
  phase: string;
  iteration: number;
  /** Iterations planned in this phase (an upper bound for an optimiser). */
  of: number;
  ofv: number;
}

/**
 * The outer problem: OFV as a function of u, with central-difference gradients (2n evaluations;
 * the inner modes converge to a Newton decrement of 1e-14, so OFV is smooth to ~1e-9 and a step
 * of 1e-3 on u — log scale for positive quantities — gives gradients to ~1e-6 relative) and, when the
 * optimiser asks for a starting curvature, the diagonal of the Hessian from the same evaluations.
 */
export class OuterProblem implements Minimizable {
  readonly n: number;
  last: FoceiEvaluation | null = null;
  constructor(
    readonly objective: FoceiObjective,
    readonly h = 1e-3,
  ) {
    this.n = objective.space.n;
  }

  /** The last point `value` evaluated, its evaluation, and the objective's count after it. */
  private valued: { u: Float64Array; e: FoceiEvaluation; count: number } | null = null;

  value(u: Float64Array): number {
    // A line search's trial point starts from the modes at the current iterate.
    const e = this.objective.evaluate(u, 'center');
    if (!this.last || e.ofv <= this.last.ofv) this.last = e;
    this.valued = { u: Float64Array.from(u), e, count: this.objective.evaluations };
    return e.ofv;
  }

  /**
   * The evaluation at u, made last: the one `value` has just made when the optimiser asks for the
   * gradient at the point its line search accepted (every iteration), else a new one.
   */
  at(u: ArrayLike<number>): FoceiEvaluation {
    const v = this.valued;
    if (
      v &&
      v.count === this.objective.evaluations &&
      v.u.length === u.length &&
      v.u.every((x, k) => x === u[k])
    )
      return v.e;
    return this.objective.evaluate(u, 'center');
  }

  gradient(u: Float64Array, g: Float64Array, H: Float64Array | null): number {
    const n = this.n;
    const e0 = this.at(u);
    // Each difference starts from the modes at u (u + h) and their reflection (u − h).
    this.objective.markCenter();
    const f0 = e0.ofv;
    if (!this.last || f0 <= this.last.ofv) this.last = e0;
    if (!Number.isFinite(f0)) return Infinity;
    if (H) H.fill(0);
    const up = Float64Array.from(u);
    for (let a = 0; a < n; a++) {
      const h = this.h;
      up[a] = u[a] + h;
      const fp = this.objective.evaluate(up, 'center').ofv;
      up[a] = u[a] - h;
      const fm = this.objective.evaluate(up, 'mirror').ofv;
      up[a] = u[a];
      if (Number.isFinite(fp) && Number.isFinite(fm)) {
        g[a] = (fp - fm) / (2 * h);
        if (H) H[a * n + a] = Math.max((fp - 2 * f0 + fm) / (h * h), 1e-2);
      } else if (Number.isFinite(fp)) {
        g[a] = (fp - f0) / h;
        if (H) H[a * n + a] = 1;
      } else if (Number.isFinite(fm)) {
        g[a] = (f0 - fm) / h;
        if (H) H[a * n + a] = 1;
      } else return Infinity;
    }
    return f0;
  }
}
