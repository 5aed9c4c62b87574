import { DosetwinError } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import { compileBlockFast, type CompiledModel, compileModel } from '../model/compile.ts';
import {
  dependentNames,
  derivativeAssignments,
  etaDerivativeName as d,
  withEtaDerivatives,
} from '../model/eta-derivatives.ts';
import type { ModelIR, Stmt } from '../model/ir.ts';
import { type RunTracker, Simulator, type SimulatorOptions } from '../simulate/simulator.ts';
import type { LinearCmt } from '../solve/linear-cmt.ts';
import { OneCmtSensitivity } from '../solve/one-cmt-sensitivity.ts';
import type { JacobianMethod } from './jacobian.ts';
import type { MapObjective } from './objective.ts';

/**
 * Analytic derivatives of the predictions of a one-compartment closed-form model (with or without
 * a first-order depot) with respect to the etas, for the MAP fit's gradient: one run of the
 * simulator gives the predictions and all their derivatives, where forward differences take one
 * run per eta more.
 *
 * - The individual parameters' derivatives (∂CL/∂η, ∂lag/∂η, ∂F/∂η, …) come from derivative
 *   statements generated from the model's IR (`model/eta-derivatives.ts`) and compiled with it.
 * - Between records the amounts' sensitivities S = ∂A/∂η move by the derivative of the closed
 *   form (`solve/one-cmt-sensitivity.ts`).
 * - A bolus of F·AMT entering at τ = record time + lag adds AMT·∂F/∂η to S of its compartment,
 *   and −(∂τ/∂η)·K·(F·AMT·e_c) for the move of its time (K the system matrix there: the amounts
 *   at t > τ hold Φ(t − τ)·F·AMT·e_c, whose derivative in τ is −Φ(t − τ)·K·F·AMT·e_c). Where a
 *   dose's entry coincides with a record time the objective has a kink; the derivative given
 *   there is that of the side on which the dose has entered before the record (the simulator's
 *   order), a one-sided derivative.
 * - The outputs' derivatives are the outputs' statements differentiated the same way, with the
 *   amounts' derivatives read from S.
 *
 * Applies to one-compartment closed forms without inter-occasion etas or `variance(...)` errors,
 * whose derivative statements exist (no abs/min/max of the etas) and whose compartment
 * properties are not set inside an `if`; per patient, to bolus doses without steady state (an
 * infusion, or SS, goes to the fallback, finite differences).
 */
export interface ClosedFormSensitivity {
  /** The model with the derivative statements, and slots for the amounts' derivatives. */
  model: CompiledModel;
  /** Model indices of the etas differentiated (columns of S). */
  etas: number[];
  /** The outputs' derivatives: evaluated at an observation after `model.outputs`. */
  outputDerivatives: (s: Float64Array) => void;
  /** Slot of ∂output_k/∂η_etas[j]: dOut[k·nEta + j]. */
  dOut: Int32Array;
  /** Slots the amounts' derivatives are written to before `outputDerivatives`: [state·nEta + j]. */
  sSlot: Int32Array;
  /** Slots of ∂CL/∂η_j, ∂V/∂η_j, ∂ka/∂η_j (a slot holding 0 where the parameter has no eta). */
  dCl: Int32Array;
  dV: Int32Array;
  dKa: Int32Array;
  /** Per compartment c, per eta j: slot of ∂lag_c/∂η_j and of ∂F_c/∂η_j ([c·nEta + j]). */
  dLag: Int32Array;
  dBioav: Int32Array;
  /** Per compartment: 1 where its lag, or its F, depends on the etas. */
  lagEta: Uint8Array;
  bioavEta: Uint8Array;
}

/** Built sensitivity models per compiled model and eta set (a twin, a fit builds one each). */
const built = new WeakMap<CompiledModel, Map<string, ClosedFormSensitivity | null>>();

/**
 * The sensitivity model of `model` for the etas `etaIdx`, or null outside the cases above; built
 * once per compiled model and eta set (compiling it costs milliseconds, a fit a tenth of one).
 */
export function buildClosedFormSensitivity(
  model: CompiledModel,
  etaIdx: readonly number[],
): ClosedFormSensitivity | null {
  let byEtas = built.get(model);
  if (!byEtas) built.set(model, (byEtas = new Map()));
  const key = etaIdx.join(',');
  let cf = byEtas.get(key);
  if (cf === undefined) byEtas.set(key, (cf = build(model, etaIdx)));
  return cf;
}

function build(model: CompiledModel, etaIdx: readonly number[]): ClosedFormSensitivity | null {
  const ir = model.ir;
  const st = model.structure;
  if (st.kind !== 'closed' || st.nDisp !== 1 || !ir.pk || ir.pk.transit > 0 || !etaIdx.length) return null;
  if (ir.etas.some((e) => e.iov) || ir.errors.some((e) => e.kind === 'variance' || e.variance)) return null;
  const etaNames = etaIdx.map((k) => ir.etas[k].name);
  const dynamic = model.dynamicNames;
  const writes = (s: Stmt, out: Set<string>): Set<string> => {
    if (s.k === 'assign') out.add(s.name);
    else if (s.k === 'cmtprop') out.add(`@${s.prop}:${s.cmt}`);
    else if (s.k === 'if') {
      s.branches.forEach((b) => b.body.forEach((x) => writes(x, out)));
      s.otherwise?.forEach((x) => writes(x, out));
    }
    return out;
  };
  // The compiler's split: statements writing a name computed from the amounts or time are the
  // outputs' (differentiated with the amounts below); the others, the individual parameters'.
  const isDynamic = (s: Stmt): boolean => [...writes(s, new Set())].some((x) => dynamic.has(x));
  const individual = ir.statements.filter((s) => !isDynamic(s));
  const outputs = ir.statements.filter(isDynamic);
  const dep = dependentNames(individual, etaNames);
  // Initial amounts moved by the etas would start S away from 0.
  if (ir.compartments.some((c) => dep.has(`@init:${c}`))) return null;
  const augmented = withEtaDerivatives(individual, dep, etaNames);
  if (!augmented) return null;
  // The structure's arguments are evaluated after the statements: their derivatives too.
  const pos = ir.pk.pos;
  const argDerivs: Stmt[] = [];
  for (const [a, e] of Object.entries(ir.pk.args)) {
    const ds = derivativeAssignments(`@pk:${a}`, e, dep, etaNames, pos);
    if (!ds) return null;
    argDerivs.push(...ds);
  }
  let compiled: CompiledModel;
  try {
    compiled = compileModel({ ...ir, statements: [...augmented, ...argDerivs, ...outputs] } as ModelIR);
  } catch {
    return null;
  }
  // The outputs' statements with their derivatives, over extra slots: the amounts' derivatives
  // (filled from S at each observation), the intermediates' derivatives and a slot holding 0.
  const slotOf = new Map(compiled.slotOf);
  let nSlots = compiled.nSlots;
  const alloc = (name: string): number => {
    let k = slotOf.get(name);
    if (k === undefined) slotOf.set(name, (k = nSlots++));
    return k;
  };
  const zero = alloc('@zero');
  const nEta = etaNames.length;
  const sSlot = new Int32Array(ir.compartments.length * nEta);
  ir.compartments.forEach((c, q) => etaNames.forEach((eta, j) => (sSlot[q * nEta + j] = alloc(d(c, eta)))));
  const outDep = dependentNames(outputs, [...dep, ...ir.compartments]);
  const outStmts = withEtaDerivatives(outputs, outDep, etaNames);
  if (!outStmts) return null;
  const assigned = (list: readonly Stmt[]): void =>
    list.forEach((s) => {
      if (s.k === 'assign') alloc(s.name);
      else if (s.k === 'if') {
        s.branches.forEach((b) => assigned(b.body));
        if (s.otherwise) assigned(s.otherwise);
      }
    });
  assigned(outStmts);
  let outputDerivatives: (s: Float64Array) => void;
  try {
    outputDerivatives = compileBlockFast(outStmts, slotOf);
  } catch {
    return null;
  }
  const slotOr0 = (name: string): number => slotOf.get(name) ?? zero;
  const perEta = (name: string): Int32Array => Int32Array.from(etaNames, (eta) => slotOr0(d(name, eta)));
  const perCmtEta = (prop: string): Int32Array =>
    Int32Array.from(ir.compartments.flatMap((c) => etaNames.map((eta) => slotOr0(d(`@${prop}:${c}`, eta)))));
  const dOut = Int32Array.from(ir.errors.flatMap((e) => etaNames.map((eta) => slotOr0(d(e.output, eta)))));
  const base = compiled;
  const total = nSlots;
  return {
    model: {
      ...compiled,
      nSlots: total,
      slotOf,
      newSlots() {
        const s = new Float64Array(total);
        s.set(base.newSlots());
        return s;
      },
    },
    etas: [...etaIdx],
    outputDerivatives,
    dOut,
    sSlot,
    dCl: perEta('@pk:cl'),
    dV: perEta('@pk:v'),
    dKa: perEta('@pk:ka'),
    dLag: perCmtEta('lag'),
    dBioav: perCmtEta('bioav'),
    lagEta: Uint8Array.from(ir.compartments, (c) => (dep.has(`@lag:${c}`) ? 1 : 0)),
    bioavEta: Uint8Array.from(ir.compartments, (c) => (dep.has(`@bioav:${c}`) ? 1 : 0)),
  };
}

/** Carries S = ∂A/∂η through a run of the sensitivity model (the simulator's {@link RunTracker}). */
class SensitivityTracker implements RunTracker {
  step = 0;
  readonly nEta: number;
  private readonly kernel: OneCmtSensitivity;
  private readonly S: Float64Array;
  private readonly dRate: Float64Array;
  /** ∂τ/∂η_j of each dose record's entry (its lag's derivative): [record·nEta + j]. */
  private lagD = new Float64Array(0);
  /** ∂prediction/∂η_j of each EVID 0/2 record: [record·nEta + j]. */
  dY = new Float64Array(0);
  private p: PatientData | null = null;

  /** The amounts and inputs at the start of the step being taken. */
  private readonly a0: Float64Array;
  private readonly r0: Float64Array;

  constructor(
    private readonly cf: ClosedFormSensitivity,
    private readonly s: Float64Array,
    lin: LinearCmt,
  ) {
    const st = cf.model.structure;
    const depot = st.kind === 'closed' && st.depot;
    this.nEta = cf.etas.length;
    this.kernel = new OneCmtSensitivity(this.nEta, depot, lin);
    const n = cf.model.nStates;
    this.a0 = new Float64Array(n);
    this.r0 = new Float64Array(n);
    this.S = new Float64Array(n * this.nEta);
    this.dRate = new Float64Array(n * this.nEta);
  }

  start(p: PatientData): void {
    this.p = p;
    const need = p.n * this.nEta;
    if (this.lagD.length < need) {
      this.lagD = new Float64Array(need);
      this.dY = new Float64Array(need);
    }
    this.reset();
  }

  parameters(): void {
    const s = this.s;
    const m = this.cf.model;
    const st = m.structure;
    if (st.kind !== 'closed') return;
    const kern = this.kernel;
    const V = s[st.args.v1];
    const k = s[st.args.cl] / V;
    kern.k = k;
    kern.ka = st.depot ? s[st.args.ka] : 0;
    const { dCl, dV, dKa } = this.cf;
    for (let j = 0; j < this.nEta; j++) {
      kern.dk[j] = (s[dCl[j]] - k * s[dV[j]]) / V;
      kern.dka[j] = st.depot ? s[dKa[j]] : 0;
    }
  }

  before(a: Float64Array, rate: Float64Array): void {
    for (let q = 0; q < a.length; q++) {
      this.a0[q] = a[q];
      this.r0[q] = rate[q];
    }
  }

  after(): void {
    this.kernel.step = this.step;
    this.kernel.advance(this.a0, this.r0, this.S, this.dRate);
  }

  reset(): void {
    // Loops: TypedArray fill costs more than the work for a few entries, at every run.
    const S = this.S;
    const dRate = this.dRate;
    for (let q = 0; q < S.length; q++) {
      S[q] = 0;
      dRate[q] = 0;
    }
  }

  still(): boolean {
    const S = this.S;
    const dRate = this.dRate;
    for (let q = 0; q < S.length; q++) if (S[q] !== 0 || dRate[q] !== 0) return false;
    return true;
  }

  doseRecord(i: number, c: number): void {
    if (!this.cf.lagEta[c]) return;
    const s = this.s;
    const nEta = this.nEta;
    const dLag = this.cf.dLag;
    for (let j = 0; j < nEta; j++) this.lagD[i * nEta + j] = s[dLag[c * nEta + j]];
  }

  bolus(c: number, i: number): void {
    const lagEta = this.cf.lagEta[c] === 1;
    // A dose whose amount and time do not depend on the etas moves no derivative.
    if (!lagEta && !this.cf.bioavEta[c]) return;
    const s = this.s;
    const nEta = this.nEta;
    const bioav = this.cf.model.cmtProps.bioav[c];
    const amt = this.p!.amt[i];
    const amount = bioav >= 0 ? s[bioav] * amt : amt;
    const dF = this.cf.dBioav;
    const S = this.S;
    const kern = this.kernel;
    const depot = kern.depot;
    for (let j = 0; j < nEta; j++) {
      S[c * nEta + j] += amt * s[dF[c * nEta + j]];
      const dTau = lagEta ? this.lagD[i * nEta + j] : 0;
      if (dTau === 0) continue;
      // −∂τ/∂η·K·(amount·e_c): K's column of the depot is (−ka, ka), of the central compartment −k.
      if (depot && c === 0) {
        S[j] += dTau * kern.ka * amount;
        S[nEta + j] -= dTau * kern.ka * amount;
      } else S[c * nEta + j] += dTau * kern.k * amount;
    }
  }

  observe(i: number, k: number): void {
    const s = this.s;
    const nEta = this.nEta;
    const S = this.S;
    const sSlot = this.cf.sSlot;
    for (let q = 0; q < S.length; q++) s[sSlot[q]] = S[q];
    this.cf.outputDerivatives(s);
    const dOut = this.cf.dOut;
    for (let j = 0; j < nEta; j++) this.dY[i * nEta + j] = s[dOut[k * nEta + j]];
  }
}

/**
 * ∂F/∂x from one run of the sensitivity model ({@link buildClosedFormSensitivity}); patients
 * with doses it does not carry (infusions, steady state) go to the fallback.
 */
export class ClosedFormJacobian implements JacobianMethod {
  readonly name = 'analytic closed-form sensitivities';
  /** The simulator of the sensitivity model and its tracker, made at the first patient. */
  private sim: Simulator | null = null;
  private tracker: SensitivityTracker | null = null;
  /**
   * The analytic derivatives of `model` for the etas `etaIdx` (model indices), with `fallback`
   * for the patients they do not apply to; null when the model has none.
   */
  static of(
    model: CompiledModel,
    etaIdx: readonly number[],
    options: SimulatorOptions,
    fallback: JacobianMethod,
  ): ClosedFormJacobian | null {
    const st = model.structure;
    if (st.kind !== 'closed' || st.nDisp !== 1) return null;
    const cf = buildClosedFormSensitivity(model, etaIdx);
    return cf && new ClosedFormJacobian(cf, options, fallback);
  }

  private patient: PatientData | null = null;
  private unsupported = false;
  /** Sensitivity column of each component of x. */
  private col = new Int32Array(0);
  private out = new Float64Array(0);
  private readonly eta: Float64Array;

  constructor(
    private readonly cf: ClosedFormSensitivity,
    private readonly options: SimulatorOptions,
    private readonly fallback: JacobianMethod,
  ) {
    this.eta = new Float64Array(cf.model.ir.etas.length);
  }

  singleRun(obj: MapObjective): boolean {
    if (this.patient !== obj.patient) this.prepare(obj);
    return !this.unsupported;
  }

  compute(
    obj: MapObjective,
    x: Float64Array,
    F: Float64Array,
    J: Float64Array,
    skip: Uint8Array | null = null,
    haveF = false,
  ): boolean {
    if (this.patient !== obj.patient) this.prepare(obj);
    if (this.unsupported) return this.fallback.compute(obj, x, F, J, skip, haveF);
    const n = obj.n;
    const sim = this.sim!;
    const tracker = this.tracker!;
    const nEta = tracker.nEta;
    const p = obj.patient;
    obj.simulatorEta(x, this.eta);
    obj.runs++;
    try {
      sim.run(p, this.eta, this.out, undefined, obj.needed);
    } catch (e) {
      if (e instanceof DosetwinError && !e.issues.some((i) => i.code === 'DT_DATA')) {
        obj.lastIssue = e.issues[0] ?? null;
        return false;
      }
      throw e;
    }
    const dY = tracker.dY;
    const col = this.col;
    const rec = obj.obsRecord;
    for (let j = 0; j < obj.nObs; j++) {
      const r = rec[j];
      const v = this.out[r];
      if (!Number.isFinite(v)) return false;
      F[j] = v;
      for (let i = 0; i < n; i++) J[j * n + i] = skip && skip[i] ? 0 : dY[r * nEta + col[i]];
    }
    return true;
  }

  private prepare(obj: MapObjective): void {
    if (!this.sim) {
      const sim = new Simulator(this.cf.model, this.options);
      const lin = sim.advancer.closed;
      if (!lin) throw new Error('internal: a closed-form model without its closed form');
      this.tracker = new SensitivityTracker(this.cf, sim.s, lin);
      sim.tracker = this.tracker;
      this.sim = sim;
    }
    const p = obj.patient;
    this.patient = p;
    this.unsupported = false;
    for (let i = 0; i < p.n; i++)
      if ((p.evid[i] === 1 || p.evid[i] === 4) && (p.ss[i] > 0 || (p.amt[i] > 0 && p.rate[i] !== 0)))
        this.unsupported = true;
    // Plain loops: Int32Array.from with a map function goes through the iterator protocol, once
    // per fit.
    const n = obj.n;
    if (this.col.length !== n) this.col = new Int32Array(n);
    const etas = this.cf.etas;
    for (let i = 0; i < n; i++) {
      this.col[i] = etas.indexOf(obj.etaIndex[i]);
      if (this.col[i] < 0) this.unsupported = true;
    }
    if (this.out.length < p.n) this.out = new Float64Array(p.n);
  }
}
