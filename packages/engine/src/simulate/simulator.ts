import { DosetwinError, fail } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { linearOutputCompartment } from '../model/linear-output.ts';
import { solvePeriodicSteadyState } from '../solve/linear-cmt.ts';
import type { OdeOptions } from '../solve/ode.ts';
import { type Advancer, makeAdvancer } from './advancer.ts';
import * as events from './event-queue.ts';
import { EventQueue } from './event-queue.ts';

// Event kinds as local constants: read in the hot loop, and an imported binding can cost a getter
// call per read where modules are transpiled to CommonJS (as the TypeScript loader does).
const BOLUS = events.BOLUS;
const DOSE = events.DOSE;
const INFUSION_START = events.INFUSION_START;
const INFUSION_STOP = events.INFUSION_STOP;

/** 10-point Gauss–Legendre nodes (ascending) and weights on [−1, 1] (Abramowitz & Stegun, Table 25.4). */
const GL_X = [
  -0.9739065285171717, -0.8650633666889845, -0.6794095682990244, -0.4333953941292472, -0.1488743389816312,
  0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717,
];
const GL_W = [
  0.0666713443086881, 0.1494513491505806, 0.219086362515982, 0.2692667193099963, 0.2955242247147529,
  0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881,
];

export interface SimulatorOptions {
  /** Tolerances of the numerical ODE path (non-linear models). */
  ode?: OdeOptions;
  /**
   * `auto` (default): closed form, matrix exponential for linear ODEs, numerical integration
   * otherwise. `numerical`: integrate explicit ODEs numerically even when they are linear (used to
   * cross-check the exact paths).
   */
  solver?: 'auto' | 'numerical';
  /** Relative change at which steady-state iteration (non-linear models) stops. Default 1e-12. */
  ssTolerance?: number;
  /** Maximum dosing intervals iterated to reach steady state (non-linear models). Default 10000. */
  ssMaxIterations?: number;
}

/**
 * Follows a run's events to carry derivatives of the amounts alongside them (the closed forms'
 * sensitivities, `estimate/closed-form-sensitivity.ts`). Numbers travel in fields, not
 * arguments, as elsewhere in the run.
 */
export interface RunTracker {
  /** A run of patient p begins (derivatives zero). */
  start(p: PatientData): void;
  /** The individual parameters of a record are in the slots. */
  parameters(): void;
  /** Length of the step the amounts are about to take. */
  step: number;
  /** The amounts `a` and inputs `rate` at the start of the step, before they move. */
  before(a: Float64Array, rate: Float64Array): void;
  /** The amounts have moved over the step. */
  after(): void;
  /** EVID 3 or 4 has reset the amounts. */
  reset(): void;
  /** Dose record i into compartment c is processed (its lag time is in the slots). */
  doseRecord(i: number, c: number): void;
  /** Dose record i's administration enters compartment c now as a bolus. */
  bolus(c: number, i: number): void;
  /** The prediction of record i (output k) has just been computed from the slots. */
  observe(i: number, k: number): void;
  /** Whether every derivative carried is zero (then a step of empty compartments moves none). */
  still(): boolean;
}

/**
 * Runs NONMEM-style records through a compiled model, the way PREDPP does:
 * - parameters are evaluated at each record with that record's covariates and apply over
 *   (t_prev, t] ("next record" rule), so time-varying covariates are exact;
 * - doses: bolus, infusion (RATE > 0, −1 modelled rate, −2 modelled duration), bioavailability
 *   (F scales the amount; a fixed RATE then lasts F·AMT/RATE), lag time, ADDL/II, SS = 1/2;
 * - a dose that enters after its record's time (a lag, an ADDL dose) takes F, and a modelled rate
 *   or duration, from the parameters in effect when it enters, i.e. those of the first record at
 *   or after that time (the same next-record rule: PREDPP calls PK only at records, and the values
 *   of the record that ends an interval hold over it). NONMEM's run921 of the MAP benchmark shows
 *   it for F (shared/reference/map-benchmark/README.md); the lag itself is the dose record's;
 * - EVID 3 resets, EVID 4 resets and doses;
 * - pending events at a record's time (an ADDL dose, an infusion end) happen before the record.
 *
 * One instance per model and thread: all workspace is allocated once and reused across patients.
 */
export class Simulator {
  readonly model: CompiledModel;
  /** Slot array (parameters, etas, covariates, variables, amounts). */
  readonly s: Float64Array;
  /** Compartment amounts. */
  readonly a: Float64Array;
  private readonly rate: Float64Array;
  private readonly active: Int32Array;
  private readonly q = new EventQueue();
  readonly advancer: Advancer;
  /** Whether the advancer is a closed form (exact: empty compartments without input stay empty). */
  private readonly closed: boolean;
  private tcur = 0;
  private readonly outIndexOfCmt: Int32Array;
  /** Output read by an observation of each DVID (−1 none); empty when no output declares one. */
  private readonly outIndexOfDvid: Int32Array;
  /** CMT seen by the outputs for an observation with CMT 0: the first output's, else central's. */
  private readonly defaultObsCmt: number;
  private readonly ssTol: number;
  private readonly ssMaxIter: number;
  private patient: PatientData | null = null;
  /**
   * Index of the output (error model) whose time integral `run` accumulates into its optional
   * `cumulative` array (AUC from the first record); −1 = none.
   */
  integrateOutput = -1;
  private cumulative: Float64Array | null = null;
  private integrateCmt = 0;
  private integral = 0;
  /**
   * Per output: the state whose amount it is a constant multiple of when the closed form integrates
   * it exactly (−1: Gauss–Legendre), found on first use; and the run's, with its scratch state.
   */
  private exactState: Int32Array | null = null;
  private integrateState = -1;
  private readonly unitState: Float64Array;
  private readonly integralState: Float64Array;
  private record = 0;
  /** Follows the events of each run (null: none). */
  tracker: RunTracker | null = null;
  /** Dose record whose administration {@link schedule} schedules. */
  private dRecord = 0;

  constructor(model: CompiledModel, options: SimulatorOptions = {}) {
    this.model = model;
    this.s = model.newSlots();
    const n = model.nStates;
    this.a = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.active = new Int32Array(n);
    this.unitState = new Float64Array(n);
    this.integralState = new Float64Array(n);
    this.advancer = makeAdvancer(model, this.s, options.ode, options.solver ?? 'auto');
    this.closed = this.advancer.closed !== undefined;
    this.ssTol = options.ssTolerance ?? 1e-12;
    this.ssMaxIter = options.ssMaxIterations ?? 10000;
    const errs = model.ir.errors;
    // Outputs chosen by DVID alone: a record without one (a prediction, EVID 2) reads the first.
    const byCmt = errs.length > 1 && errs.some((e) => e.cmts.length);
    this.outIndexOfCmt = new Int32Array(n + 1).fill(byCmt ? -1 : 0);
    this.outIndexOfCmt[0] = 0;
    errs.forEach((e, k) => e.cmts.forEach((c) => (this.outIndexOfCmt[c] = k)));
    const dvids = errs.flatMap((e) => e.dvids ?? []);
    this.outIndexOfDvid = new Int32Array(dvids.length ? Math.max(...dvids) + 1 : 0).fill(-1);
    errs.forEach((e, k) => e.dvids?.forEach((v) => (this.outIndexOfDvid[v] = k)));
    const central = model.ir.compartments.indexOf('central');
    this.defaultObsCmt = errs[0]?.cmts[0] ?? (central >= 0 ? central + 1 : 1);
  }

  /**
   * Index of the error model (output) read by an observation record on compartment `cmt` (0 =
   * default) with observation type `dvid` (0 = none): by DVID when the model's outputs declare
   * DVIDs and the record has one, else by CMT; −1 when no output reads it.
   */
  outputIndex(cmt: number, dvid = 0): number {
    const od = this.outIndexOfDvid;
    if (dvid > 0 && od.length) return dvid < od.length ? od[dvid] : -1;
    return cmt >= 0 && cmt < this.outIndexOfCmt.length ? this.outIndexOfCmt[cmt] : -1;
  }

  /**
   * Simulate one patient. Writes the model prediction of each EVID 0 and EVID 2 record i into
   * `out[i]` (other entries are left untouched).
   * @param eta random effects in model order (length = number of etas); null = population (all 0).
   * @param records only the first `records` records are processed (default: all), e.g. up to the
   *   last observation a likelihood needs: later records cannot change earlier predictions.
   */
  run(
    p: PatientData,
    eta: ArrayLike<number> | null,
    out: Float64Array,
    cumulative?: Float64Array,
    records: number = p.n,
  ): void {
    this.cumulative = this.integrateOutput >= 0 && cumulative ? cumulative : null;
    // Only when integrating: `errors[-1]` would be a slow keyed lookup on every run.
    if (this.cumulative) {
      this.integrateCmt = this.model.ir.errors[this.integrateOutput]?.cmts[0] ?? this.defaultObsCmt;
      this.integrateState = this.exactStateOf(this.integrateOutput);
    }
    this.integral = 0;
    try {
      this.runRecords(p, eta, out, Math.min(records, p.n));
    } catch (e) {
      // Solver and parameter errors get the patient and record they happened at.
      throw this.annotate(e);
    } finally {
      this.patient = null;
    }
  }

  /**
   * Lag time of each dose record (EVID 1 or 4, AMT > 0) among the first `records`, at these etas,
   * into `out[i]` (other entries untouched), from the parameters at that record as a run computes
   * them, without simulating. False when a parameter or the lag cannot be computed (the run would
   * raise the error).
   */
  doseLags(p: PatientData, eta: ArrayLike<number> | null, out: Float64Array, records: number = p.n): boolean {
    const nRec = Math.min(records, p.n);
    try {
      for (let i = 0; i < nRec; i++) {
        if (i === 0 || p.timeVarying) {
          this.load(p, i, eta);
          this.model.individual(this.s);
        }
        if ((p.evid[i] === 1 || p.evid[i] === 4) && p.amt[i] > 0) {
          this.lagOf(p, i);
          out[i] = this.dLag;
        }
      }
      return true;
    } catch {
      return false;
    }
  }

  private runRecords(p: PatientData, eta: ArrayLike<number> | null, out: Float64Array, nRec: number): void {
    const m = this.model;
    const s = this.s;
    // What depends only on parameters and between-subject etas once per run (see compileModel).
    const stages = m.individualStages?.of === m.individual ? m.individualStages : null;
    this.patient = p;
    // The default ODE absolute tolerance scales with each state's peak: per patient, from zero.
    this.advancer.ode?.resetScale();
    this.q.clear();
    // Plain loops: TypedArray fill/set cost more than the work for a few compartments.
    for (let j = 0; j < this.rate.length; j++) {
      this.rate[j] = 0;
      this.active[j] = 0;
    }
    this.tcur = p.n ? p.time[0] : 0;
    const tr = this.tracker;
    if (tr) tr.start(p);
    for (let i = 0; i < nRec; i++) {
      this.record = i;
      const ti = p.time[i];
      if (i === 0 || p.timeVarying) {
        // The etas are the same at every record of a run, unless occasions add their IOV.
        if (i === 0 || this.iovIn(eta)) this.load(p, i, eta);
        else this.loadCovariates(p, i);
        if (stages) {
          if (i === 0) stages.perRun(s);
          if (stages.recordConstantSlots.length) this.recordConstants(stages, i);
          stages.perRecord(s);
        } else m.individual(s);
        this.setup();
        if (tr) tr.parameters();
        if (i === 0) this.initState();
      }
      const q = this.q;
      while (q.size > 0 && q.time[0] <= ti) {
        q.pop();
        this.advanceTo(q.topTime);
        this.applyTop();
      }
      this.advanceTo(ti);
      const evid = p.evid[i];
      if (evid === 3 || evid === 4) {
        this.q.clear();
        this.rate.fill(0);
        this.active.fill(0);
        this.initState();
        if (tr) tr.reset();
      }
      if (evid === 1 || evid === 4) this.dose(p, i);
      else if (evid === 0 || evid === 2) this.observe(p.cmt[i], out, i);
      if (this.cumulative) this.cumulative[i] = this.integral;
    }
  }

  /**
   * The subexpressions of parameters and covariates only (`individualStages.recordConstant`) at
   * record i, kept per record index with the covariates and parameters they were computed from:
   * a MAP fit simulates the same records some fifty times, and a power of a covariate costs more
   * than the rest of a record. Reused only when all covariates and parameters are equal to those
   * kept (so another patient, or changed parameters, recompute).
   */
  private recordConstants(stages: NonNullable<CompiledModel['individualStages']>, i: number): void {
    const s = this.s;
    const out = stages.recordConstantSlots;
    const cs = this.model.covariateSlots;
    const ts = this.model.thetaSlots;
    const nOut = out.length;
    // The parameters cannot change during a run: compared at its first record, where a change
    // forgets every record's values; each record's covariates are compared at that record.
    if (i === 0) {
      if (this.rcTheta.length !== ts.length) this.rcTheta = new Float64Array(ts.length).fill(NaN);
      let same = true;
      for (let k = 0; k < ts.length; k++)
        if (this.rcTheta[k] !== s[ts[k]]) {
          this.rcTheta[k] = s[ts[k]];
          same = false;
        }
      if (!same) this.rcValid.fill(0);
    }
    const nKey = cs.length;
    if ((i + 1) * nKey > this.rcKey.length || i >= this.rcValid.length) {
      const grow = (a: Float64Array, per: number): Float64Array => {
        const b = new Float64Array(Math.max(2 * a.length, (i + 1) * per));
        b.set(a);
        return b;
      };
      this.rcKey = grow(this.rcKey, nKey);
      this.rcValue = grow(this.rcValue, nOut);
      const v = new Uint8Array(Math.max(2 * this.rcValid.length, i + 1));
      v.set(this.rcValid.subarray(0, Math.min(v.length, this.rcValid.length)));
      this.rcValid = v;
    }
    const key = this.rcKey;
    const val = this.rcValue;
    let hit = this.rcValid[i] === 1;
    const k0 = i * nKey;
    for (let k = 0; hit && k < cs.length; k++) if (key[k0 + k] !== s[cs[k]]) hit = false;
    const v0 = i * nOut;
    if (hit) {
      for (let k = 0; k < nOut; k++) s[out[k]] = val[v0 + k];
      return;
    }
    stages.recordConstant(s);
    for (let k = 0; k < cs.length; k++) key[k0 + k] = s[cs[k]];
    for (let k = 0; k < nOut; k++) val[v0 + k] = s[out[k]];
    this.rcValid[i] = 1;
  }
  private rcTheta: Float64Array = new Float64Array(0);
  private rcKey: Float64Array = new Float64Array(0);
  private rcValue: Float64Array = new Float64Array(0);
  private rcValid: Uint8Array = new Uint8Array(0);

  /** Whether the eta vector carries inter-occasion blocks (see {@link load}). */
  private iovIn(eta: ArrayLike<number> | null): boolean {
    return eta !== null && eta.length > this.model.etaSlots.length;
  }

  private loadCovariates(p: PatientData, i: number): void {
    const s = this.s;
    const cs = this.model.covariateSlots;
    const nc = p.nCov;
    for (let k = 0; k < cs.length; k++) s[cs[k]] = p.cov[i * nc + k];
  }

  private load(p: PatientData, i: number, eta: ArrayLike<number> | null): void {
    const s = this.s;
    const m = this.model;
    this.loadCovariates(p, i);
    const es = m.etaSlots;
    for (let k = 0; k < es.length; k++) s[es[k]] = eta ? eta[k] : 0;
    // Inter-occasion variability: an eta vector longer than the model's carries, after the model
    // order, one block per occasion 1, 2, … of the IOV etas (`iov eta_X ~ v`, in model order). The
    // record's occasion (OCC) selects its block, added to the model-order value; an occasion
    // without a block gets IOV = 0 (forecasts).
    if (eta && eta.length > es.length) {
      const etas = m.ir.etas;
      let nIov = 0;
      for (let k = 0; k < etas.length; k++) if (etas[k].iov) nIov++;
      let at = es.length + (p.occ[i] - 1) * nIov;
      if (nIov > 0 && p.occ[i] >= 1 && at + nIov <= eta.length)
        for (let k = 0; k < etas.length; k++) if (etas[k].iov) s[es[k]] += eta[at++];
    }
  }

  private setup(): void {
    this.advancer.setup(this.s);
  }

  /** Add the record's place (patient, line) to an error raised while processing it. */
  private annotate(e: unknown): unknown {
    if (!(e instanceof DosetwinError) || !this.patient) return e;
    const p = this.patient;
    return new DosetwinError(
      e.issues.map((x) =>
        x.message.startsWith(`ID ${p.id}`)
          ? x
          : {
              ...x,
              message: `ID ${p.id}, record at TIME ${p.time[this.record]}: ${x.message}`,
              line: x.line ?? p.line[this.record],
            },
      ),
    );
  }

  private initState(): void {
    const init = this.model.cmtProps.init;
    for (let j = 0; j < this.a.length; j++) this.a[j] = init[j] >= 0 ? this.s[init[j]] : 0;
  }

  /**
   * The state whose amount output k is a constant multiple of, when the solver is a closed form
   * (which then integrates it exactly), else −1.
   */
  private exactStateOf(k: number): number {
    const m = this.model;
    if (!this.advancer.closed) return -1;
    if (!this.exactState) this.exactState = new Int32Array(m.ir.errors.length).fill(-2);
    if (this.exactState[k] === -2) this.exactState[k] = linearOutputCompartment(m.ir, m.dynamicNames, k);
    return this.exactState[k];
  }

  /**
   * ∫ output dt over the step [tcur, tcur + dt] from the amounts `a` with no zero-order input, for
   * an output c·A_j (exactStateOf): c read from the outputs at the unit amount of state j, and
   * ∫_0^dt e^{Ks}·a ds, which is the closed form's state after dt from zero amounts under the
   * constant input `a` (∫_0^dt e^{K(dt−u)}·a du): the same exact, rounding-level coefficients as a
   * step, no quadrature.
   */
  private exactIntegral(dt: number): number {
    const m = this.model;
    const s = this.s;
    const j = this.integrateState;
    const unit = this.unitState;
    unit[j] = 1;
    s[m.tSlot] = this.tcur;
    s[m.cmtSlot] = this.integrateCmt;
    for (let i = 0; i < unit.length; i++) s[m.stateSlots[i]] = unit[i];
    m.outputs(s);
    unit[j] = 0;
    const c = s[m.outputSlots[this.integrateOutput]];
    const x = this.integralState;
    x.fill(0);
    const lin = this.advancer.closed!;
    lin.step = dt;
    lin.advanceStep(x, this.a);
    return c * x[j];
  }

  /** Whether a zero-order input runs (an infusion): its integral is then Gauss–Legendre's. */
  private infusing(): boolean {
    for (let j = 0; j < this.rate.length; j++) if (this.rate[j] !== 0) return true;
    return false;
  }

  private advanceTo(t: number): void {
    if (t > this.tcur) {
      if (this.cumulative)
        this.integral +=
          this.integrateState >= 0 && !this.infusing()
            ? this.exactIntegral(t - this.tcur)
            : this.integrate(this.a, this.tcur, t, 0);
      const tr = this.tracker;
      // A closed form whose compartments are empty, with nothing entering, stays empty: no step
      // (before a lagged first dose enters, in every run of a MAP fit of such a model).
      if (this.closed && this.still() && (tr === null || tr.still())) {
        this.tcur = t;
        return;
      }
      if (tr) {
        tr.step = t - this.tcur;
        tr.before(this.a, this.rate);
      }
      this.advancer.advance(this.a, this.rate, this.tcur, t);
      if (tr) tr.after();
      this.tcur = t;
    }
  }

  /** All amounts and inputs zero. */
  private still(): boolean {
    const a = this.a;
    const rate = this.rate;
    for (let j = 0; j < a.length; j++) if (a[j] !== 0 || rate[j] !== 0) return false;
    return true;
  }

  /**
   * ∫ output dt over [ta, tb] from state `x` at ta (x is not changed). Between events the solution
   * is smooth, so 10-point Gauss–Legendre is near-exact; it is checked against the sum over the
   * two halves and bisected until they agree to 1e-13 relative (at most 2^20 pieces).
   */
  private integrate(x: Float64Array, ta: number, tb: number, depth: number): number {
    const whole = this.gaussLegendre(x, ta, tb);
    const mid = 0.5 * (ta + tb);
    const xm = new Float64Array(x);
    this.advancer.advance(xm, this.rate, ta, mid);
    const left = this.gaussLegendre(x, ta, mid);
    const right = this.gaussLegendre(xm, mid, tb);
    const halves = left + right;
    if (Math.abs(halves - whole) <= 1e-13 * Math.abs(halves) + 1e-300 || depth >= 20) return halves;
    return this.integrate(x, ta, mid, depth + 1) + this.integrate(xm, mid, tb, depth + 1);
  }

  private gaussLegendre(x: Float64Array, ta: number, tb: number): number {
    const m = this.model;
    const s = this.s;
    const k = this.integrateOutput;
    const tmp = new Float64Array(x);
    const half = 0.5 * (tb - ta);
    const centre = 0.5 * (ta + tb);
    let t = ta;
    let sum = 0;
    for (let i = 0; i < GL_X.length; i++) {
      const node = centre + half * GL_X[i];
      this.advancer.advance(tmp, this.rate, t, node);
      t = node;
      s[m.tSlot] = node;
      s[m.cmtSlot] = this.integrateCmt;
      for (let j = 0; j < tmp.length; j++) s[m.stateSlots[j]] = tmp[j];
      m.outputs(s);
      sum += GL_W[i] * s[m.outputSlots[k]];
    }
    return half * sum;
  }

  /**
   * The event just popped from the queue (its fields read there: doubles passed to a call that is
   * not inlined are boxed, and this runs for every lagged, ADDL or infusion event of every run).
   */
  private applyTop(): void {
    const q = this.q;
    const kind = q.topKind;
    const c = q.topCmt;
    const value = q.topValue;
    if (kind === DOSE) this.enter(q.topDuration | 0);
    else if (kind === BOLUS) this.a[c] += value;
    else if (kind === INFUSION_START) this.startInfusion(c, value, q.topDuration);
    else if (kind === INFUSION_STOP) {
      // Exact zero when the last infusion ends, so no rounding residue keeps "infusing".
      if (--this.active[c] === 0) this.rate[c] = 0;
      else this.rate[c] -= value;
    }
  }

  private startInfusion(c: number, R: number, D: number): void {
    this.rate[c] += R;
    this.active[c]++;
    this.q.push(this.tcur + D, INFUSION_STOP, c, R, 0);
  }

  /**
   * Schedule one administration into compartment c effective at time dTime, of dAmount, at rate dR
   * over dD (a bolus if dR = 0): the fields, not arguments, for the reason given at applyTop.
   */
  private schedule(c: number): void {
    const te = this.dTime;
    const amount = this.dAmount;
    const R = this.dR;
    const D = this.dD;
    if (amount === 0 && R === 0) return;
    if (R > 0 && D > 0) {
      if (te === this.tcur) this.startInfusion(c, R, D);
      else this.q.push(te, INFUSION_START, c, R, D);
    } else if (te === this.tcur) {
      this.a[c] += amount;
      if (this.tracker) this.tracker.bolus(c, this.dRecord);
    } else this.q.push(te, BOLUS, c, amount, 0);
  }

  /** Time of the administration {@link schedule} schedules. */
  private dTime = 0;

  /** {@link schedule} with the values given (steady state: not a hot path). */
  private scheduleAt(te: number, c: number, amount: number, R: number, D: number): void {
    this.dTime = te;
    this.dAmount = amount;
    this.dR = R;
    this.dD = D;
    this.schedule(c);
  }

  /** Results of {@link doseParameters} (fields, so that a dose allocates nothing). */
  private dAmount = 0;
  private dR = 0;
  private dD = 0;

  /**
   * Amount (F·AMT), rate and duration of dose record i's administration, from the parameters in
   * the slots, into dAmount, dR, dD (R = D = 0: a bolus). Throws naming the record when a dose
   * modifier is out of its domain.
   */
  private doseParameters(p: PatientData, i: number): void {
    const s = this.s;
    const props = this.model.cmtProps;
    const c = p.cmt[i] > 0 ? p.cmt[i] - 1 : 0;
    // Messages are built only on failure (where, cname): this runs for every dose of every simulation.
    if (c >= this.model.nStates) fail('DT_DATA', `${this.where(p, i)}.CMT`, `CMT ${c + 1} does not exist`);
    const F = props.bioav[c] >= 0 ? s[props.bioav[c]] : 1;
    if (!(F >= 0) || !Number.isFinite(F))
      fail(
        'DT_PARAM_DOMAIN',
        `${this.where(p, i)}.F`,
        `ID ${p.id}: bioavailability bioav(${this.cname(c)}) is ${F}; it must be finite and ≥ 0`,
      );
    const amount = F * p.amt[i];
    const rr = p.rate[i];
    let R = 0;
    let D = 0;
    if (rr > 0) {
      R = rr;
      D = amount / R;
    } else if (rr === -1) {
      if (props.rate[c] < 0)
        fail(
          'DT_DATA',
          `${this.where(p, i)}.RATE`,
          `ID ${p.id}: RATE = −1 asks for a modelled rate but the model has no rate(${this.cname(c)})`,
        );
      R = s[props.rate[c]];
      if (!(R > 0) || !Number.isFinite(R))
        fail(
          'DT_PARAM_DOMAIN',
          `${this.where(p, i)}.RATE`,
          R !== R
            ? `ID ${p.id}: RATE = −1 asks for a modelled rate but rate(${this.cname(c)}) is not set at this record (the model sets it only under a condition that does not hold here)`
            : `ID ${p.id}: modelled rate(${this.cname(c)}) is ${R}; it must be > 0`,
        );
      D = amount / R;
    } else if (rr === -2) {
      if (props.duration[c] < 0)
        fail(
          'DT_DATA',
          `${this.where(p, i)}.RATE`,
          `ID ${p.id}: RATE = −2 asks for a modelled duration but the model has no duration(${this.cname(c)})`,
        );
      D = s[props.duration[c]];
      if (!(D > 0) || !Number.isFinite(D))
        fail(
          'DT_PARAM_DOMAIN',
          `${this.where(p, i)}.RATE`,
          D !== D
            ? `ID ${p.id}: RATE = −2 asks for a modelled duration but duration(${this.cname(c)}) is not set at this record (the model sets it only under a condition that does not hold here)`
            : `ID ${p.id}: modelled duration(${this.cname(c)}) is ${D}; it must be > 0`,
        );
      R = amount / D;
    }
    this.dAmount = amount;
    this.dR = R;
    this.dD = D;
  }

  private where(p: PatientData, i: number): string {
    return `data[line ${p.line[i]}]`;
  }

  private cname(c: number): string {
    return this.model.ir.compartments[c] ?? String(c + 1);
  }

  /** Result of {@link lagOf} (a field, as for doseParameters). */
  private dLag = 0;

  /** Lag time of dose record i, from the parameters in the slots (those of the dose record), into dLag. */
  private lagOf(p: PatientData, i: number): void {
    const props = this.model.cmtProps;
    const c = p.cmt[i] > 0 ? p.cmt[i] - 1 : 0;
    if (c >= this.model.nStates)
      fail('DT_DATA', `data[line ${p.line[i]}].CMT`, `CMT ${c + 1} does not exist`);
    const lag = props.lag[c] >= 0 ? this.s[props.lag[c]] : 0;
    if (!(lag >= 0) || !Number.isFinite(lag))
      fail(
        'DT_PARAM_DOMAIN',
        `data[line ${p.line[i]}].ALAG`,
        `ID ${p.id}: lag(${this.model.ir.compartments[c]}) is ${lag}; it must be finite and ≥ 0`,
      );
    this.dLag = lag;
  }

  private dose(p: PatientData, i: number): void {
    const ti = p.time[i];
    this.lagOf(p, i);
    const lag = this.dLag;
    const c = p.cmt[i] > 0 ? p.cmt[i] - 1 : 0;
    this.dRecord = i;
    if (this.tracker) this.tracker.doseRecord(i, c);
    if (p.ss[i] > 0 || lag === 0) {
      this.doseParameters(p, i);
      const { dAmount: amount, dR: R, dD: D } = this;
      if (p.ss[i] > 0) this.steadyState(p, i, c, amount, R, D, lag);
      if (p.amt[i] > 0 && lag === 0) {
        this.dTime = ti;
        this.dAmount = amount;
        this.dR = R;
        this.dD = D;
        this.schedule(c);
      }
    }
    if (p.amt[i] > 0) {
      if (lag > 0) this.q.push(ti + lag, DOSE, c, p.amt[i], i);
      const ii = p.ii[i];
      for (let j = 1; j <= p.addl[i]; j++) this.q.push(ti + j * ii + lag, DOSE, c, p.amt[i], i);
    }
  }

  /**
   * The administration of dose record i entering now (after its record's time): amount, rate and
   * duration from the parameters now in the slots, those of the record the simulation has reached.
   */
  private enter(i: number): void {
    const p = this.patient!;
    this.doseParameters(p, i);
    this.dTime = this.tcur;
    this.dRecord = i;
    this.schedule(p.cmt[i] > 0 ? p.cmt[i] - 1 : 0);
  }

  /**
   * Steady state at a dose record, before that record's own dose: the state at t⁻ left by
   * infinitely many earlier doses every II (or by a constant infusion when II = 0). Found as the
   * fixed point of one dosing interval x ↦ W(x): solved directly for linear models (W affine:
   * (I − Φ)x = u) and by iteration otherwise. Inputs of earlier doses still under way at t
   * (long infusions, lags longer than II) are scheduled to continue, so the periodic pattern is
   * exact whatever the lag and duration.
   */
  private steadyState(
    p: PatientData,
    i: number,
    c: number,
    amount: number,
    R: number,
    D: number,
    lag: number,
  ): void {
    const n = this.model.nStates;
    const t = p.time[i];
    const ii = p.ii[i];
    const constantInfusion = !(ii > 0);
    const span = constantInfusion ? 24 : ii;
    // Inputs of the window [t − span, t): breakpoints (time, compartment, bolus, rate change).
    const bps: [number, number, number][] = [];
    const t0 = t - span;
    if (constantInfusion) {
      if (!(R > 0))
        fail(
          'DT_DATA',
          `data[line ${p.line[i]}].SS`,
          `ID ${p.id}: SS with II = 0 needs an infusion (RATE > 0)`,
        );
    } else {
      for (let k = 1; t - k * ii + lag + D >= t0; k++) {
        const start = t - k * ii + lag;
        if (D > 0 && R > 0) {
          const a = Math.max(start, t0);
          const b = Math.min(start + D, t);
          if (b > a) {
            bps.push([a, 0, R], [b, 0, -R]);
          }
        } else if (start >= t0 && start < t) bps.push([start, amount, 0]);
        if (k > 1e6)
          fail(
            'DT_DATA',
            `data[line ${p.line[i]}].II`,
            `ID ${p.id}: II ${ii} is too small for lag ${lag} and duration ${D}`,
          );
      }
      bps.sort((x, y) => x[0] - y[0]);
    }
    const x = new Float64Array(n);
    const wa = new Float64Array(n);
    const wr = new Float64Array(n);
    const window = (from: Float64Array, inputs: boolean, to: Float64Array): void => {
      to.set(from);
      wr.fill(0);
      if (inputs && constantInfusion) wr[c] = R;
      let tw = t0;
      if (inputs)
        for (const [tb, bolus, dr] of bps) {
          if (tb > tw) this.advancer.advance(to, wr, tw, tb);
          tw = Math.max(tw, tb);
          to[c] += bolus;
          wr[c] += dr;
          if (Math.abs(wr[c]) < 1e-12 * R) wr[c] = 0;
        }
      if (t > tw) this.advancer.advance(to, wr, tw, t);
    };
    {
      if (this.advancer.exact) {
        const Phi = new Float64Array(n * n);
        const e = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          e.fill(0);
          e[j] = 1;
          window(e, false, wa);
          for (let r = 0; r < n; r++) Phi[r * n + j] = wa[r];
        }
        const u = new Float64Array(n);
        window(new Float64Array(n), true, u);
        solvePeriodicSteadyState(n, Phi, u, x);
      } else {
        let converged = false;
        for (let it = 0; it < this.ssMaxIter; it++) {
          window(x, true, wa);
          let diff = 0;
          let size = 0;
          for (let j = 0; j < n; j++) {
            diff = Math.max(diff, Math.abs(wa[j] - x[j]));
            size = Math.max(size, Math.abs(wa[j]));
          }
          x.set(wa);
          if (diff <= this.ssTol * size + 1e-300) {
            converged = true;
            break;
          }
        }
        if (!converged)
          fail(
            'DT_SS_NONCONVERGENCE',
            `data[line ${p.line[i]}].SS`,
            `ID ${p.id}: steady state not reached after ${this.ssMaxIter} dosing intervals`,
            {
              hint: 'the dosing rate may exceed the maximal elimination rate (non-linear model), or the half-life is very long',
            },
          );
      }
    }
    if (p.ss[i] === 1) {
      this.q.clear();
      this.rate.fill(0);
      this.active.fill(0);
      this.a.set(x);
    } else for (let j = 0; j < n; j++) this.a[j] += x[j];
    if (constantInfusion) {
      this.rate[c] += R;
      this.active[c]++;
      return;
    }
    // Earlier doses whose inputs reach t or later keep going.
    for (let k = 1; t - k * ii + lag + D >= t; k++) {
      const start = t - k * ii + lag;
      if (D > 0 && R > 0) {
        if (start + D <= t) continue;
        if (start >= t) this.scheduleAt(start, c, amount, R, D);
        else {
          this.rate[c] += R;
          this.active[c]++;
          this.q.push(start + D, INFUSION_STOP, c, R, 0);
        }
      } else if (start >= t) this.scheduleAt(start, c, amount, 0, 0);
    }
  }

  /**
   * The prediction of observation record i of p from the amounts `a` at its time, the slots
   * holding the parameters in effect there, as a run computes it (NaN when it is not finite or no
   * output reads the record): for predictions whose amounts come from elsewhere (a superposition).
   */
  predictionFrom(p: PatientData, i: number, a: ArrayLike<number>): number {
    const m = this.model;
    const s = this.s;
    const cmt = p.cmt[i];
    const k = this.outputIndex(cmt, p.dvid ? p.dvid[i] : 0);
    if (k < 0) return NaN;
    s[m.tSlot] = p.time[i];
    s[m.cmtSlot] = cmt > 0 ? cmt : this.defaultObsCmt;
    const ss = m.stateSlots;
    for (let j = 0; j < ss.length; j++) s[ss[j]] = a[j];
    m.outputs(s);
    const v = s[m.outputSlots[k]];
    return v - v === 0 ? v : NaN;
  }

  /**
   * The prediction at record i into out[i]. Doubles neither passed nor returned: a call that is not
   * inlined boxes them, and this runs at every observation of every simulation.
   */
  private observe(cmt: number, out: Float64Array, i: number): void {
    const t = this.patient!.time[i];
    const m = this.model;
    const s = this.s;
    const dv = this.patient!.dvid;
    const k = this.outputIndex(cmt, dv ? dv[i] : 0);
    if (k < 0) {
      const p = this.patient!;
      if (dv && dv[i] > 0)
        fail(
          'DT_DATA',
          `data[line ${p.line[this.record]}].DVID`,
          `ID ${p.id}: observation of DVID ${dv[i]} but no output of the model reads that DVID`,
        );
      fail(
        'DT_DATA',
        `data[line ${p.line[this.record]}].CMT`,
        `ID ${p.id}: observation on CMT ${cmt} but no output of the model reads that compartment`,
      );
    }
    s[m.tSlot] = t;
    s[m.cmtSlot] = cmt > 0 ? cmt : this.defaultObsCmt;
    const ss = m.stateSlots;
    const a = this.a;
    for (let j = 0; j < ss.length; j++) s[ss[j]] = a[j];
    m.outputs(s);
    const v = s[m.outputSlots[k]];
    if (v - v !== 0) {
      const p = this.patient!;
      fail(
        'DT_PRED_NONFINITE',
        `data[line ${p.line[this.record]}]`,
        `ID ${p.id}, TIME ${t}: the prediction of ${m.ir.errors[k].output} is ${v}`,
        { hint: 'check parameters (a zero volume?) and the equations for a division by zero or log of 0' },
      );
    }
    out[i] = v;
    if (this.tracker) this.tracker.observe(i, k);
  }
}
