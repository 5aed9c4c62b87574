/**
 * The fast path of a course for closed-form linear models (one_cmt, two_cmt, three_cmt, with or
 * without a depot) whose output is a constant multiple of one compartment (`CP = central / V`):
 * amounts advanced exactly from event to event (the engine's LinearCmt), concentrations as
 * gain × amount, and the AUC between events exactly by mass balance. With elimination only from
 * the central compartment at rate k10, d(Σ amounts)/dt = Σ inputs − k10·central, so
 * ∫ central dt = (Σ inputs·Δt − ΔΣ amounts)/k10 over an interval without events: no quadrature.
 * Where k10·Δt < 10⁻³ the subtraction would lose digits (about 1e-16·Σ/(k10·Δt·central)), and the interval is integrated by
 * 10-point Gauss–Legendre (exact to rounding for the few-hour pieces between events).
 *
 * A model outside these conditions (ODEs, an output not proportional to one compartment, an `if`
 * in what the output reads, lag times, modelled rates or durations, inter-occasion variability)
 * goes through the general simulator; both paths give the same numbers (tested to 1e-10).
 */
import { isZeroExpr, compileExpr, type CompiledModel } from '../model/compile.ts';
import { dependsOn, differentiate, substitute } from '../model/derivative.ts';
import type { Expr } from '../model/ir.ts';
import { LinearCmt } from '../solve/linear-cmt.ts';
import type { CourseLayout, CourseRun } from './course.ts';

/** Propagators kept, one per recent interval length. */
const LINS = 4;

const GL_X = [
  -0.9739065285171717, -0.8650633666889845, -0.6794095682990244, -0.4333953941292472, -0.1488743389816312,
  0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717,
];
const GL_W = [
  0.0666713443086881, 0.1494513491505806, 0.219086362515982, 0.2692667193099963, 0.2955242247147529,
  0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881,
];

/** Output 0 as gain × one compartment, or null when it is not that (symbolically). */
export function proportionalOutput(
  model: CompiledModel,
): { cmt: number; gain: (s: Float64Array) => number } | null {
  const ir = model.ir;
  if (ir.errors.length === 0) return null;
  const env = new Map<string, Expr>();
  const opaque = new Set<string>();
  const assignedIn = (list: typeof ir.statements, into: Set<string>): void => {
    for (const st of list)
      if (st.k === 'assign') into.add(st.name);
      else if (st.k === 'if') {
        for (const b of st.branches) assignedIn(b.body, into);
        if (st.otherwise) assignedIn(st.otherwise, into);
      }
  };
  for (const st of ir.statements) {
    if (st.k === 'assign') {
      env.set(st.name, substitute(st.expr, env));
      opaque.delete(st.name);
    } else if (st.k === 'if') {
      const names = new Set<string>();
      assignedIn([st], names);
      for (const n of names) {
        env.delete(n);
        opaque.add(n);
      }
    }
  }
  const e = env.get(ir.errors[0].output);
  if (!e) return null;
  if ([...opaque, 't', 'CMT'].some((n) => dependsOn(e, n))) return null;
  const used = ir.compartments.map((c, i) => [c, i] as const).filter(([c]) => dependsOn(e, c));
  if (used.length !== 1) return null;
  const [name, cmt] = used[0];
  const g = differentiate(e, name);
  if (!g || ir.compartments.some((c) => dependsOn(g, c)) || dependsOn(g, 't')) return null;
  const zero = new Map<string, Expr>([[name, { k: 'num', v: 0, pos: { line: 0, column: 0 } } as Expr]]);
  if (!isZeroExpr(substitute(e, zero))) return null;
  return { cmt, gain: compileExpr(g, model.slotOf) };
}

/** Runs courses of a closed-form model exactly, or says it cannot (`usable` false). */
export class ClosedFormCourse {
  readonly usable: boolean;
  private readonly model: CompiledModel;
  /**
   * Propagators per interval length: a course alternates a few lengths (an infusion, the rest of
   * the interval), and each LinearCmt keeps the coefficients of its last length only.
   */
  private readonly lins: LinearCmt[] = [];
  private readonly linDt = new Float64Array(LINS).fill(NaN);
  private readonly linUsed = new Float64Array(LINS);
  private tick = 0;
  private readonly s: Float64Array;
  private readonly a: Float64Array;
  private readonly a0: Float64Array;
  private readonly tmp: Float64Array;
  private readonly rate: Float64Array;
  private readonly gain: ((s: Float64Array) => number) | null = null;
  private readonly outCmt: number = 0;
  private readonly central: number = 0;

  constructor(model: CompiledModel) {
    this.model = model;
    const st = model.structure;
    const out = proportionalOutput(model);
    const props = model.cmtProps;
    const noProps = (['lag', 'rate', 'duration', 'init'] as const).every((p) => props[p].every((x) => x < 0));
    const iov = model.ir.etas.some((e, k) => e.iov && model.ir.omega[k][k] > 0);
    this.s = model.newSlots();
    const n = model.nStates;
    this.a = new Float64Array(n);
    this.a0 = new Float64Array(n);
    this.tmp = new Float64Array(n);
    this.rate = new Float64Array(n);
    const central = st.kind === 'closed' && st.depot ? 1 : 0;
    this.usable = st.kind === 'closed' && out !== null && out.cmt === central && noProps && !iov;
    if (this.usable && st.kind === 'closed' && out) {
      for (let i = 0; i < LINS; i++) this.lins.push(new LinearCmt(st.nDisp, st.depot));
      this.gain = out.gain;
      this.outCmt = out.cmt;
      this.central = central;
    }
  }

  /**
   * Sets the patient's parameters; false when they are outside the closed form's domain (the
   * caller then uses the simulator, which reports the problem).
   */
  private setup(cov: readonly number[], eta: ArrayLike<number>): boolean {
    const m = this.model;
    const s = this.s;
    for (let k = 0; k < m.covariateSlots.length; k++) s[m.covariateSlots[k]] = cov[k];
    for (let k = 0; k < m.etaSlots.length; k++) s[m.etaSlots[k]] = eta[k];
    m.individual(s);
    const st = m.structure;
    if (st.kind !== 'closed') return false;
    const { cl, v1, q2, v2, q3, v3, ka } = st.args;
    const V1 = s[v1];
    const CL = s[cl];
    let k12 = 0;
    let k21 = 0;
    let k13 = 0;
    let k31 = 0;
    if (q2 >= 0) {
      k12 = s[q2] / V1;
      k21 = s[q2] / s[v2];
    }
    if (q3 >= 0) {
      k13 = s[q3] / V1;
      k31 = s[q3] / s[v3];
    }
    const KA = ka >= 0 ? s[ka] : 0;
    const k10 = CL / V1;
    const ok = [V1, k10, k12, k21, k13, k31, KA].every((x) => Number.isFinite(x) && x >= 0) && V1 > 0;
    if (!ok || (q2 >= 0 && !(s[v2] > 0)) || (q3 >= 0 && !(s[v3] > 0))) return false;
    for (const lin of this.lins) lin.setRates(k10, k12, k21, k13, k31, KA);
    // New rates: the propagators' coefficients are recomputed at their next use.
    this.linDt.fill(NaN);
    this.k10 = k10;
    this.g = this.gain!(s);
    this.bioav = m.cmtProps.bioav;
    return Number.isFinite(this.g);
  }

  private k10 = 0;
  private g = 0;
  private bioav: Int32Array = new Int32Array(0);

  /** Advances amounts by dt with the propagator that last served that length. */
  private advance(x: Float64Array, dt: number): void {
    let k = -1;
    for (let i = 0; i < LINS; i++) if (this.linDt[i] === dt) k = i;
    if (k < 0) {
      k = 0;
      for (let i = 1; i < LINS; i++) if (this.linUsed[i] < this.linUsed[k]) k = i;
      this.linDt[k] = dt;
    }
    this.linUsed[k] = ++this.tick;
    this.lins[k].advance(x, this.rate, dt);
  }

  /** ∫ central over [0, dt] from this.a0 with this.rate (the state after is this.a). */
  private segmentIntegral(dt: number): number {
    const n = this.a.length;
    let sumR = 0;
    let before = 0;
    let after = 0;
    for (let j = 0; j < n; j++) {
      sumR += this.rate[j];
      before += this.a0[j];
      after += this.a[j];
    }
    if (this.k10 * dt >= 1e-3) return (sumR * dt - (after - before)) / this.k10;
    // Short piece or slow elimination: Gauss–Legendre from a0.
    const half = 0.5 * dt;
    let sum = 0;
    let t = 0;
    for (let j = 0; j < this.a.length; j++) this.tmp[j] = this.a0[j];
    for (let i = 0; i < GL_X.length; i++) {
      const node = half + half * GL_X[i];
      this.advance(this.tmp, node - t);
      t = node;
      sum += GL_W[i] * this.tmp[this.central];
    }
    return half * sum;
  }

  /**
   * Runs a course: concentrations and cumulative AUC at its records into `r`; false when this
   * patient needs the simulator.
   */
  run(l: CourseLayout, cov: readonly number[], eta: ArrayLike<number>, r: CourseRun): boolean {
    if (!this.usable || !this.setup(cov, eta)) return false;
    const p = l.patient;
    const a = this.a;
    const rate = this.rate;
    a.fill(0);
    rate.fill(0);
    const stops = l.stops;
    let nextStop = 0;
    let t = p.n ? p.time[0] : 0;
    let cum = 0;
    const s = this.s;
    for (let i = 0; i < p.n; i++) {
      const ti = p.time[i];
      if (ti > t) {
        for (let j = 0; j < a.length; j++) this.a0[j] = a[j];
        this.advance(a, ti - t);
        cum += this.segmentIntegral(ti - t);
        t = ti;
      }
      // Infusions ending now stop before what happens at this time.
      while (nextStop < stops.time.length && stops.time[nextStop] <= ti + 1e-12) {
        const c = stops.cmt[nextStop];
        rate[c] -= stops.rate[nextStop];
        if (Math.abs(rate[c]) < 1e-12 * stops.rate[nextStop]) rate[c] = 0;
        nextStop++;
      }
      const evid = p.evid[i];
      if (evid === 1) {
        const c = p.cmt[i] > 0 ? p.cmt[i] - 1 : 0;
        const F = this.bioav[c] >= 0 ? s[this.bioav[c]] : 1;
        if (!(F >= 0 && Number.isFinite(F))) return false;
        if (p.rate[i] > 0) rate[c] += p.rate[i];
        else a[c] += F * p.amt[i];
        if (p.rate[i] > 0 && F !== 1) return false;
      } else {
        r.c[i] = this.g * a[this.outCmt];
        r.cum[i] = this.g * cum;
      }
    }
    r.layout = l;
    return true;
  }
}
