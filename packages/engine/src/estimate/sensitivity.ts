import { DosetwinError } from '../errors.ts';
import { emptyPatient, type PatientData } from '../events/records.ts';
import {
  assigned,
  build,
  codegenAvailable,
  exprCode,
  generateRhs,
  generateVector,
  type NameRef,
  type RhsKernel,
  slotRef,
  stmtsCode,
} from '../model/codegen.ts';
import {
  type CompiledModel,
  compileBlock,
  compileExpr,
  compileModel,
  type ExactCompartments,
} from '../model/compile.ts';
import { differentiate, substitute } from '../model/derivative.ts';
import type { ErrorModel, Expr, ModelIR, ParameterDef, Pos, Stmt } from '../model/ir.ts';
import { Simulator, type SimulatorOptions } from '../simulate/simulator.ts';
import type { JacobianMethod } from './jacobian.ts';
import type { MapObjective } from './objective.ts';

/**
 * Forward sensitivity equations for explicit-ODE models, built by forward-mode differentiation of
 * the model's statements (the "sensitivity-based gradients, no wasted solves" of issue 9; cf. the
 * forward sensitivity analysis of CVODES: Hindmarsh et al., ACM TOMS 2005;31:363–396).
 *
 * For states A with dA/dt = f(A, p(η), η, t) the sensitivities S_j = ∂A/∂η_j obey
 *
 *     dS_j/dt = (∂f/∂A)·S_j + ∂f/∂η_j,  S_j(0) = 0,
 *
 * and an output Y = h(A, p, η, t) has ∂Y/∂η_j = (∂h/∂A)·S_j + ∂h/∂η_j. The transformation writes
 * these as a model in the model language's IR — the original statements, plus for each statement
 * `v = e` of the dynamic part (ODEs and outputs) the statement `∂v/∂η_j = Σ_u (∂e/∂u)·∂u/∂η_j`
 * (symbolic ∂e/∂u, `model/derivative.ts`), plus one compartment per (state, eta) — and compiles it
 * with the ordinary compiler, so the ordinary simulator integrates states and sensitivities in
 * one solve with the same event handling. Derivatives of the individual parameters p(η) (which
 * may involve `if` on covariates) are central differences of the compiled individual block
 * (h = 1e-5, error ≈ 1e-10 relative) at each parameter evaluation — no ODE solve.
 *
 * The derivative outputs are read at extra prediction records (EVID 2) inserted after each
 * observation, one per eta, on pseudo-compartments numbered after the original ones.
 *
 * Applies when: explicit ODEs (no built-in `pk` structure), no `if` among the dynamic statements,
 * every dynamic expression differentiable (no abs/min/max/comparisons of states), dose modifiers
 * (lag, bioavailability, rate, duration, initial amounts) independent of the etas (a dose whose
 * timing or size depends on η makes S jump at the dose, which the simulator does not model), no
 * inter-occasion etas, and as many compartments as outputs. Otherwise {@link buildSensitivityModel}
 * returns null and the estimator uses finite differences.
 */
export interface SensitivityModel {
  model: CompiledModel;
  /** Model eta indices whose sensitivities are computed, in column order. */
  etas: number[];
  /** Pseudo-compartment (1-based CMT) reading ∂Y_k/∂η_etas[c]: cmtOf[k * etas.length + c]. */
  cmtOf: Int32Array;
  /** Number of the model's own states (the first ones; the sensitivities follow). */
  states: number;
  /**
   * Compartments (0-based) whose bioavailability depends on the etas: their doses also go into
   * S_cj, compartment states + c·etas.length + j (0-based), scaled by ∂F/∂η_j.
   */
  bioavCmts: number[];
}

const P0: Pos = { line: 0, column: 0 };
const num = (v: number, pos: Pos = P0): Expr => ({ k: 'num', v, pos });
const ref = (name: string, pos: Pos = P0): Expr => ({ k: 'ref', name, pos });
const d = (v: string, eta: string): string => `∂${v}/∂${eta}`;

function reads(e: Expr, out: Set<string>): Set<string> {
  if (e.k === 'ref') out.add(e.name);
  else if (e.k === 'neg' || e.k === 'not') reads(e.a, out);
  else if (e.k === 'bin') {
    reads(e.a, out);
    reads(e.b, out);
  } else if (e.k === 'call') e.args.forEach((a) => reads(a, out));
  return out;
}

function size(e: Expr): number {
  if (e.k === 'neg' || e.k === 'not') return 1 + size(e.a);
  if (e.k === 'bin') return 1 + size(e.a) + size(e.b);
  if (e.k === 'call') return e.args.reduce((n, a) => n + size(a), 1);
  return 1;
}

/** Structural equality of expressions (positions ignored). */
function same(a: Expr, b: Expr): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'num':
      return Object.is(a.v, (b as typeof a).v);
    case 'ref':
      return a.name === (b as typeof a).name;
    case 'neg':
    case 'not':
      return same(a.a, (b as typeof a).a);
    case 'bin': {
      const c = b as typeof a;
      return a.op === c.op && same(a.a, c.a) && same(a.b, c.b);
    }
    case 'call': {
      const c = b as typeof a;
      return a.fn === c.fn && a.args.length === c.args.length && a.args.every((x, i) => same(x, c.args[i]));
    }
  }
}

function stmtReads(st: Stmt, out: Set<string>): Set<string> {
  if (st.k === 'if') {
    st.branches.forEach((b) => {
      reads(b.cond, out);
      b.body.forEach((x) => stmtReads(x, out));
    });
    st.otherwise?.forEach((x) => stmtReads(x, out));
  } else reads(st.expr, out);
  return out;
}

/** The compartment properties a statement sets (also inside `if`). */
function cmtProps(st: Stmt, out: { prop: string; cmt: string }[]): { prop: string; cmt: string }[] {
  if (st.k === 'cmtprop') out.push({ prop: st.prop, cmt: st.cmt });
  else if (st.k === 'if') {
    st.branches.forEach((b) => b.body.forEach((x) => cmtProps(x, out)));
    st.otherwise?.forEach((x) => cmtProps(x, out));
  }
  return out;
}

function stmtWrites(st: Stmt, out: Set<string>): Set<string> {
  if (st.k === 'assign') out.add(st.name);
  else if (st.k === 'if') {
    st.branches.forEach((b) => b.body.forEach((x) => stmtWrites(x, out)));
    st.otherwise?.forEach((x) => stmtWrites(x, out));
  }
  return out;
}

/**
 * The sensitivity model of `model` for the etas `etaIdx` (model indices), or null when the model
 * is outside the cases above.
 */
export function buildSensitivityModel(
  model: CompiledModel,
  etaIdx: readonly number[],
): SensitivityModel | null {
  const ir = model.ir;
  if (ir.pk || model.structure.kind === 'closed' || !etaIdx.length) return null;
  if (ir.etas.some((e) => e.iov)) return null;
  if (ir.errors.some((e) => e.kind === 'variance')) return null;
  const m = ir.compartments.length;
  const nOut = ir.errors.length;
  if (nOut > m) return null;
  const etaNames = etaIdx.map((k) => ir.etas[k].name);
  const allEtas = new Set(ir.etas.map((e) => e.name));
  const states = new Set(ir.compartments);

  // ---- split statements like the compiler: dynamic = reads states/t (transitively) or d/dt ----
  const dynamicNames = new Set<string>(['t', ...ir.compartments]);
  const etaDependent = new Set<string>(allEtas);
  const individual: Stmt[] = [];
  const dynamic: Stmt[] = [];
  /** Compartments whose bioavailability depends on the etas, and the properties each sets. */
  const bioavEta = new Set<string>();
  const setProps = new Set<string>();
  for (const st of ir.statements) {
    const r = stmtReads(st, new Set());
    const w = stmtWrites(st, new Set());
    const etaDep = [...r].some((x) => etaDependent.has(x));
    if (etaDep) w.forEach((x) => etaDependent.add(x));
    const props = cmtProps(st, []);
    for (const cp of props) {
      // lag, rate, duration, init must not depend on the etas (a dose moved in time, or an
      // infusion lengthened, makes S jump, which is not modelled); bioavailability may: a dose of
      // F·AMT adds AMT·∂F/∂η to S (extra doses into the sensitivity compartments, below).
      if ([...r].some((x) => dynamicNames.has(x))) return null;
      if (etaDep && cp.prop !== 'bioav') return null;
      if (etaDep) bioavEta.add(cp.cmt);
      setProps.add(`${cp.prop}:${cp.cmt}`);
    }
    if (st.k === 'cmtprop') {
      individual.push(st);
      continue;
    }
    if (st.k === 'ddt' || [...r].some((x) => dynamicNames.has(x))) {
      if (st.k === 'if') return null;
      w.forEach((x) => dynamicNames.add(x));
      dynamic.push(st);
    } else individual.push(st);
  }
  const outputs = new Set(ir.errors.map((e) => e.output));
  for (const o of outputs) if (!dynamicNames.has(o)) return null;
  // A compartment without d/dt has derivative 0 (the compiler's rule, NONMEM's unset DADT).
  const hasDdt = new Set(dynamic.flatMap((st) => (st.k === 'ddt' ? [st.cmt] : [])));
  for (const c of ir.compartments)
    if (!hasDdt.has(c)) dynamic.push({ k: 'ddt', cmt: c, expr: num(0), pos: P0 });

  // ---- inline the dynamic intermediates: f_i(A, u, η, t) and outputs h_k(A, u, η, t) ----
  const env = new Map<string, Expr>();
  const ddtOf = new Map<string, Expr>();
  for (const st of dynamic) {
    if (st.k === 'assign') env.set(st.name, substitute(st.expr, env));
    else if (st.k === 'ddt') ddtOf.set(st.cmt, substitute(st.expr, env));
  }
  const needParams = new Set<string>(); // eta-dependent individual variables u with ∂u/∂η needed
  /** Variables of `e` with respect to which it must be differentiated (besides the states). */
  const inputs = (e: Expr): string[] =>
    [...reads(e, new Set())].filter(
      (u) => !states.has(u) && u !== 't' && (allEtas.has(u) ? etaNames.includes(u) : etaDependent.has(u)),
    );
  // Right-hand side: J_ik = ∂f_i/∂A_k and P_iu = ∂f_i/∂u, compiled after the IR (slots).
  const jacExpr: (Expr | null)[] = [];
  const partials: { i: number; u: string; e: Expr }[] = [];
  for (let i = 0; i < m; i++) {
    const f = ddtOf.get(ir.compartments[i]);
    if (!f) return null;
    for (let k = 0; k < m; k++) {
      const e = differentiate(f, ir.compartments[k]);
      if (!e) return null;
      jacExpr.push(e.k === 'num' && e.v === 0 ? null : e);
    }
    for (const u of inputs(f)) {
      const e = differentiate(f, u);
      if (!e) return null;
      if (e.k === 'num' && e.v === 0) continue;
      if (!allEtas.has(u)) needParams.add(u);
      partials.push({ i, u, e });
    }
  }
  // Outputs: ∂h/∂η_j = Σ_k ∂h/∂A_k·S_kj + Σ_u ∂h/∂u·∂u/∂η_j, as statements of the IR (they run
  // only at observation records).
  const outStmts: Stmt[] = [];
  for (const e of ir.errors) {
    const h = env.get(e.output);
    if (!h) return null;
    const terms: { coef: Expr; u: string; state: boolean }[] = [];
    for (const c of ir.compartments) {
      const de = differentiate(h, c);
      if (!de) return null;
      if (!(de.k === 'num' && de.v === 0)) terms.push({ coef: de, u: c, state: true });
    }
    for (const u of inputs(h)) {
      const de = differentiate(h, u);
      if (!de) return null;
      if (de.k === 'num' && de.v === 0) continue;
      if (!allEtas.has(u)) needParams.add(u);
      terms.push({ coef: de, u, state: false });
    }
    etaNames.forEach((eta) => {
      let sum: Expr | null = null;
      for (const t of terms) {
        if (allEtas.has(t.u) && t.u !== eta) continue;
        const term: Expr = allEtas.has(t.u)
          ? t.coef
          : { k: 'bin', op: '*', a: t.coef, b: ref(d(t.u, eta), e.pos), pos: e.pos };
        sum = sum ? { k: 'bin', op: '+', a: sum, b: term, pos: e.pos } : term;
      }
      outStmts.push({ k: 'assign', name: d(e.output, eta), expr: sum ?? num(0, e.pos), pos: e.pos });
    });
  }

  // ---- doses into the sensitivity compartments where F depends on η ----
  // bioav(S_cj) = ∂F_c/∂η_j (by central differences of the individual block, as ∂p/∂η below), the
  // dose's own lag and modelled duration: the same administrations, AMT·∂F/∂η entering S_cj.
  const doseStmts: Stmt[] = [];
  for (const c of bioavEta) {
    needParams.add(`@bioav:${c}`);
    for (const eta of etaNames) {
      const sc = d(c, eta);
      doseStmts.push({ k: 'cmtprop', prop: 'bioav', cmt: sc, expr: ref(d(`@bioav:${c}`, eta)), pos: P0 });
      for (const prop of ['lag', 'duration'] as const)
        if (setProps.has(`${prop}:${c}`))
          doseStmts.push({ k: 'cmtprop', prop, cmt: sc, expr: ref(`@${prop}:${c}`), pos: P0 });
    }
  }

  // ---- the augmented IR ----
  const paramNames: string[] = [];
  for (const p of needParams) for (const eta of etaNames) paramNames.push(d(p, eta));
  const parameters: ParameterDef[] = [
    ...ir.parameters,
    ...paramNames.map((name) => ({ name, value: 0, unit: '-', label: 'sensitivity', source: '', pos: P0 })),
  ];
  const sensCmts: string[] = [];
  for (const c of ir.compartments) for (const eta of etaNames) sensCmts.push(d(c, eta));
  const nEta = etaNames.length;
  const cmtOf = new Int32Array(nOut * nEta);
  const errors: ErrorModel[] = ir.errors.map((e) => ({
    ...e,
    cmts: e.cmts.length ? e.cmts : ir.compartments.map((_, i) => i + 1),
  }));
  ir.errors.forEach((e, k) => {
    for (let j = 0; j < nEta; j++) {
      const cmt = m + 1 + k * nEta + j;
      cmtOf[k * nEta + j] = cmt;
      errors.push({
        ...e,
        output: d(e.output, etaNames[j]),
        kind: 'add',
        variance: null,
        cmts: [cmt],
        dvids: [],
      });
    }
  });
  // d/dt(S) placeholders: the sensitivity right-hand side is computed numerically (below).
  const placeholders: Stmt[] = sensCmts.map((c) => ({ k: 'ddt', cmt: c, expr: num(0), pos: P0 }));
  const aug: ModelIR = {
    ...ir,
    parameters,
    compartments: [...ir.compartments, ...sensCmts],
    statements: [...individual, ...doseStmts, ...dynamic, ...placeholders, ...outStmts],
    errors,
  };
  let compiled: CompiledModel;
  try {
    compiled = compileModel(aug);
  } catch {
    return null;
  }

  // ---- right-hand side: f, then dS_j/dt = J·S_j + Σ_u P_u·∂u/∂η_j ----
  // J_ik = ∂f_i/∂A_k and P_iu = ∂f_i/∂u are the symbolic partials above, each evaluated once per
  // call; the products are plain loops. (Finite-difference directional derivatives of f were
  // tried instead: their rounding noise at 1e-9 makes the step-size controller reject steps at
  // rtol 1e-8, and central ones cost 2n evaluations of f.)
  const slot = (name: string): number => compiled.slotOf.get(name)!;
  // f alone: the compiled model's `derivatives` would also evaluate the placeholders d/dt(S) = 0.
  const fNeed = new Set(ir.compartments.map((c) => `@ddt:${c}`));
  const fStmts: Stmt[] = [];
  for (let q = dynamic.length - 1; q >= 0; q--) {
    const st = dynamic[q];
    const name = st.k === 'ddt' ? `@ddt:${st.cmt}` : st.k === 'assign' ? st.name : null;
    if (name === null || !fNeed.has(name)) continue;
    const expr = st.k === 'ddt' || st.k === 'assign' ? st.expr : null;
    if (!expr) continue;
    fStmts.push({ k: 'assign', name, expr, pos: st.pos });
    reads(expr, fNeed);
  }
  fStmts.reverse();
  // The partials were taken of f with the intermediates inlined (`C` → `central / VC`); where such
  // an inlined intermediate reappears whole, read its slot instead, which `baseDerivatives` (below)
  // has just computed with the same operations: same value, far fewer operations per call.
  // Only the variables f needs (their slots hold, after `baseDerivatives`, their last value there).
  const fEnv = new Map<string, Expr>();
  for (const st of fStmts) if (st.k === 'assign') fEnv.set(st.name, substitute(st.expr, fEnv));
  const shared = [...fEnv]
    .filter(([name, e]) => !name.startsWith('@ddt:') && e.k !== 'ref' && e.k !== 'num')
    .map(([name, e]) => ({ name, e, size: size(e) }))
    .sort((a, b) => b.size - a.size);
  const reuse = (e: Expr): Expr => {
    for (const x of shared) if (same(e, x.e)) return ref(x.name, e.pos);
    if (e.k === 'neg' || e.k === 'not') return { ...e, a: reuse(e.a) };
    if (e.k === 'bin') return { ...e, a: reuse(e.a), b: reuse(e.b) };
    if (e.k === 'call') return { ...e, args: e.args.map(reuse) };
    return e;
  };
  const jacFns = jacExpr.map((e) => (e ? compileExpr(reuse(e), compiled.slotOf) : null));
  const jIdx = Int32Array.from(jacFns.flatMap((f, q) => (f ? [q] : [])));
  const jFns = jacFns.filter((f) => f !== null);
  const pFns = partials.map((p) => compileExpr(reuse(p.e), compiled.slotOf));
  const pRow = Int32Array.from(partials.map((p) => p.i));
  // ∂u/∂η_j slot per partial and eta; −1: u = η_j (derivative 1); −2: another eta (0).
  const pD = Int32Array.from(
    partials.flatMap((p) =>
      etaNames.map((eta) => (allEtas.has(p.u) ? (p.u === eta ? -1 : -2) : slot(d(p.u, eta)))),
    ),
  );
  const sSlot = Int32Array.from(sensCmts.map(slot)); // S[i * nEta + j]
  const ddtS = Int32Array.from(sensCmts.map((c) => compiled.ddtSlots[compiled.ir.compartments.indexOf(c)]));
  const Jm = new Float64Array(m * m);
  const Pv = new Float64Array(pFns.length);
  const baseDerivatives = compileBlock(fStmts, compiled.slotOf);
  const generated = generateSensitivityRhs(
    fStmts,
    ir.compartments,
    sensCmts,
    jacExpr.map((e) => e && reuse(e)),
    partials.map((p) => reuse(p.e)),
    pRow,
    pD,
    sSlot,
    ddtS,
    m,
    nEta,
    compiled.slotOf,
  );
  const derivatives =
    generated?.derivatives ??
    ((s: Float64Array): void => {
      baseDerivatives(s);
      Jm.fill(0);
      for (let q = 0; q < jFns.length; q++) Jm[jIdx[q]] = jFns[q](s);
      for (let q = 0; q < pFns.length; q++) Pv[q] = pFns[q](s);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < nEta; j++) {
          let v = 0;
          for (let k = 0; k < m; k++) v += Jm[i * m + k] * s[sSlot[k * nEta + j]];
          s[ddtS[i * nEta + j]] = v;
        }
      for (let q = 0; q < pFns.length; q++) {
        const row = pRow[q] * nEta;
        for (let j = 0; j < nEta; j++) {
          const ds = pD[q * nEta + j];
          if (ds === -2) continue;
          s[ddtS[row + j]] += ds === -1 ? Pv[q] : Pv[q] * s[ds];
        }
      }
    });

  // ---- individual block + ∂p/∂η by central differences ----
  const baseIndividual = compiled.individual;
  const etaSlots = etaIdx.map((k) => compiled.etaSlots[k]);
  const pSlots = [...needParams].map((p) => compiled.slotOf.get(p)!);
  const dSlots = [...needParams].map((p) => etaNames.map((eta) => compiled.slotOf.get(d(p, eta))!));
  const np = pSlots.length;
  const plus = new Float64Array(np);
  const H = 1e-5;
  const individualWithDerivatives = (s: Float64Array): void => {
    for (let j = 0; j < nEta && np > 0; j++) {
      const e0 = s[etaSlots[j]];
      s[etaSlots[j]] = e0 + H;
      baseIndividual(s);
      for (let q = 0; q < np; q++) plus[q] = s[pSlots[q]];
      s[etaSlots[j]] = e0 - H;
      baseIndividual(s);
      for (let q = 0; q < np; q++) s[dSlots[q][j]] = (plus[q] - s[pSlots[q]]) / (2 * H);
      s[etaSlots[j]] = e0;
    }
    baseIndividual(s);
  };
  return {
    model: {
      ...compiled,
      individual: individualWithDerivatives,
      derivatives,
      rhs: generated?.rhs ?? null,
      // The stiff method's Jacobian of the augmented system by finite differences.
      structure: {
        kind: 'ode',
        jacobian: null,
        exact: exactSensitivities(model, ddtOf, etaNames, allEtas, compiled.slotOf, (c, eta) => d(c, eta)),
      },
    },
    etas: [...etaIdx],
    cmtOf,
    states: m,
    bioavCmts: ir.compartments.flatMap((c, i) => (bioavEta.has(c) ? [i] : [])),
  };
}

/**
 * ∂F/∂x from one solve of the sensitivity model: the patient's records with, after each
 * observation, one prediction record per eta on the pseudo-compartment of ∂Y_k/∂η_j.
 */
export class SensitivityJacobian implements JacobianMethod {
  readonly name = 'forward sensitivity equations';
  private readonly sim: Simulator;
  private patient: PatientData | null = null;
  private augmented: PatientData | null = null;
  /** Index, in the augmented records, of each observation. */
  private obsAt = new Int32Array(0);
  /** Sensitivity column of each component of x. */
  private col = new Int32Array(0);
  private out = new Float64Array(0);
  private eta = new Float64Array(0);
  /** The current patient has doses the sensitivity model cannot carry (see `prepare`). */
  private unsupported = false;

  /**
   * @param fallback used for patients whose doses into a compartment with η-dependent F are not
   *   boluses or modelled-duration infusions (SS, fixed or modelled rates: the end of the infusion
   *   would move with F)
   */
  constructor(
    private readonly sens: SensitivityModel,
    options: SimulatorOptions = {},
    private readonly fallback: JacobianMethod | null = null,
  ) {
    // The sensitivities ride on the states' steps, out of the error control (CVODES's
    // errconS = false): the solve then takes the steps the plain solve takes, so F agrees between
    // the two (fewer line-search steps), at fewer steps. Evidence (2026-12-06): run201, 100
    // patients: max |Δη| vs NONMEM 1.8e-6 (5.2e-5 with the sensitivities in the error test), OBJ
    // 7.6e-9, ETC 9.3e-8, 33 runs per fit instead of 38; voriconazole (sensitivities through F):
    // ETC within 7e-7 of central differences, 27 % fewer sensitivity steps.
    this.sim = new Simulator(sens.model, {
      ...options,
      ode: { ...options.ode, errorComponents: options.ode?.errorComponents ?? sens.states },
    });
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
    if (this.unsupported) {
      if (!this.fallback) throw new Error('internal: sensitivities need a fallback for this patient');
      return this.fallback.compute(obj, x, F, J, skip, haveF);
    }
    const n = obj.n;
    const col = this.col;
    obj.simulatorEta(x, this.eta);
    obj.runs++;
    try {
      this.sim.run(this.augmented!, this.eta, this.out);
    } catch (e) {
      if (e instanceof DosetwinError && !e.issues.some((i) => i.code === 'DT_DATA')) return false;
      throw e;
    }
    for (let j = 0; j < obj.nObs; j++) {
      const at = this.obsAt[j];
      const v = this.out[at];
      if (!Number.isFinite(v)) return false;
      F[j] = v;
      for (let i = 0; i < n; i++) J[j * n + i] = skip && skip[i] ? 0 : this.out[at + 1 + col[i]];
    }
    return true;
  }

  private prepare(obj: MapObjective): void {
    const p = obj.patient;
    const nEta = this.sens.etas.length;
    const isObs = new Uint8Array(p.n);
    for (let j = 0; j < obj.nObs; j++) isObs[obj.obsRecord[j]] = 1;
    const outOfRecord = new Int32Array(p.n).fill(-1);
    for (let j = 0; j < obj.nObs; j++) outOfRecord[obj.obsRecord[j]] = obj.obsOutput[j];
    // Doses into a compartment whose F depends on η also go into its sensitivity compartments.
    const fEta = new Uint8Array(this.sens.states);
    for (const c of this.sens.bioavCmts) fEta[c] = 1;
    const isDose = (i: number): boolean => p.evid[i] === 1 || p.evid[i] === 4;
    const cmtOfDose = (i: number): number => (p.cmt[i] > 0 ? p.cmt[i] - 1 : 0);
    let nDoses = 0;
    this.unsupported = false;
    for (let i = 0; i < p.n; i++)
      if (isDose(i) && fEta[cmtOfDose(i)] && p.amt[i] > 0) {
        nDoses++;
        if (p.ss[i] > 0 || (p.rate[i] !== 0 && p.rate[i] !== -2)) this.unsupported = true;
      }
    const n = p.n + obj.nObs * nEta + nDoses * nEta;
    const nc = p.nCov;
    const q: PatientData = { ...emptyPatient(p.id, n, nc), timeVarying: p.timeVarying };
    // The observations keep their DVID (their output); the derivative records read theirs by CMT.
    if (p.dvid) q.dvid = new Int32Array(n);
    const obsAt = new Int32Array(obj.nObs);
    let r = 0;
    let jObs = 0;
    const copy = (i: number, k: number): void => {
      q.time[k] = p.time[i];
      q.occ[k] = p.occ[i];
      q.line[k] = p.line[i];
      for (let c = 0; c < nc; c++) q.cov[k * nc + c] = p.cov[i * nc + c];
    };
    for (let i = 0; i < p.n; i++) {
      copy(i, r);
      q.evid[r] = p.evid[i];
      q.amt[r] = p.amt[i];
      q.rate[r] = p.rate[i];
      q.cmt[r] = p.cmt[i];
      q.ii[r] = p.ii[i];
      q.addl[r] = p.addl[i];
      q.ss[r] = p.ss[i];
      q.mdv[r] = p.mdv[i];
      q.dv[r] = p.dv[i];
      if (q.dvid) q.dvid[r] = p.dvid![i];
      r++;
      if (isDose(i) && fEta[cmtOfDose(i)] && p.amt[i] > 0)
        for (let j = 0; j < nEta; j++) {
          copy(i, r);
          q.evid[r] = 1;
          q.amt[r] = p.amt[i];
          q.rate[r] = p.rate[i];
          q.cmt[r] = this.sens.states + cmtOfDose(i) * nEta + j + 1;
          q.ii[r] = p.ii[i];
          q.addl[r] = p.addl[i];
          q.mdv[r] = 1;
          r++;
        }
      if (isObs[i]) {
        obsAt[jObs++] = r - 1;
        const k = outOfRecord[i];
        for (let c = 0; c < nEta; c++) {
          copy(i, r);
          q.evid[r] = 2;
          q.mdv[r] = 1;
          q.cmt[r] = this.sens.cmtOf[k * nEta + c];
          r++;
        }
      }
    }
    this.col = Int32Array.from(obj.etaIndex, (k) => this.sens.etas.indexOf(k));
    if (this.col.some((c) => c < 0)) throw new Error('internal: an estimated eta has no sensitivity');
    this.patient = p;
    this.augmented = q;
    this.obsAt = obsAt;
    this.out = new Float64Array(n);
    this.eta = new Float64Array(this.sens.model.ir.etas.length);
  }
}

/**
 * Model indices of the etas on which the timing of doses depends (lag times, modelled rates and
 * durations, through any chain of statements). Such etas make the objective piecewise smooth, with
 * kinks where a dose's start or end crosses an observation time, and often a local optimum on
 * each side (see rule 6 of `MapEstimator.fit`).
 */
export function etasAffectingDoseTiming(ir: ModelIR): number[] {
  const out: number[] = [];
  ir.etas.forEach((eta, k) => {
    const dep = new Set<string>([eta.name]);
    let hit = false;
    const walk = (list: Stmt[], guarded: boolean): void => {
      for (const st of list) {
        if (st.k === 'if') {
          const g = guarded || st.branches.some((b) => [...reads(b.cond, new Set())].some((x) => dep.has(x)));
          st.branches.forEach((b) => walk(b.body, g));
          if (st.otherwise) walk(st.otherwise, g);
          continue;
        }
        const touches = guarded || [...reads(st.expr, new Set())].some((x) => dep.has(x));
        if (!touches) continue;
        if (st.k === 'assign') dep.add(st.name);
        else if (st.k === 'cmtprop' && (st.prop === 'lag' || st.prop === 'rate' || st.prop === 'duration'))
          hit = true;
      }
    };
    walk(ir.statements, false);
    if (hit) out.push(k);
  });
  return out;
}

/**
 * Code for dS_ij/dt = Σ_k (∂f_i/∂A_k)·S_kj + Σ_u (∂f_i/∂u)·∂u/∂η_j (`model/codegen.ts`): each
 * non-zero ∂f_i/∂A_k and ∂f_i/∂u once in a local, then the sums written out term by term (the
 * structural zeros of ∂f/∂A dropped), in the order of the closure version. `sens(k, j)` is the
 * code reading S_kj; the result's `dydt[i·nEta + j]` is the expression of dS_ij/dt.
 */
function sensitivityCode(
  ref: NameRef,
  sens: (k: number, j: number) => string,
  jac: (Expr | null)[],
  partials: Expr[],
  pRow: Int32Array,
  pD: Int32Array,
  m: number,
  nEta: number,
): { lines: string[]; dydt: string[] } {
  const lines: string[] = [];
  jac.forEach((e, q) => {
    if (e) lines.push(`  const j${q} = ${exprCode(e, ref)};`);
  });
  partials.forEach((e, q) => lines.push(`  const p${q} = ${exprCode(e, ref)};`));
  const dydt: string[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < nEta; j++) {
      let sum = '0';
      for (let k = 0; k < m; k++) if (jac[i * m + k]) sum = `(${sum} + j${i * m + k} * ${sens(k, j)})`;
      for (let q = 0; q < partials.length; q++) {
        if (pRow[q] !== i) continue;
        const ds = pD[q * nEta + j];
        if (ds === -2) continue;
        sum = ds === -1 ? `(${sum} + p${q})` : `(${sum} + p${q} * s[${ds}])`;
      }
      dydt.push(sum);
    }
  return { lines, dydt };
}

/**
 * The right-hand side of states and sensitivities as generated code: `derivatives` over the slots
 * (as the closure version) and the integrator's kernel reading y and writing dydt. Null where code
 * cannot be generated.
 */
function generateSensitivityRhs(
  fStmts: Stmt[],
  states: string[],
  sensCmts: string[],
  jac: (Expr | null)[],
  partials: Expr[],
  pRow: Int32Array,
  pD: Int32Array,
  sSlot: Int32Array,
  ddtS: Int32Array,
  m: number,
  nEta: number,
  slotOf: ReadonlyMap<string, number>,
): { derivatives: (s: Float64Array) => void; rhs: RhsKernel } | null {
  if (!codegenAvailable()) return null;
  const slot = slotRef(slotOf);
  const locals = new Map<string, string>();
  for (const name of assigned(fStmts)) locals.set(name, `v${locals.size}`);
  const ref: NameRef = (name) => locals.get(name) ?? slot(name);
  const lines: string[] = [];
  for (const [name, local] of locals) lines.push(`  let ${local} = ${slot(name)};`);
  stmtsCode(fStmts, ref, lines);
  // f into its d/dt slots (the simulator reads them there).
  for (const [name, local] of locals) if (name.startsWith('@ddt:')) lines.push(`  ${slot(name)} = ${local};`);
  const tail = sensitivityCode(ref, (k, j) => `s[${sSlot[k * nEta + j]}]`, jac, partials, pRow, pD, m, nEta);
  lines.push(...tail.lines);
  tail.dydt.forEach((e, q) => lines.push(`  s[${ddtS[q]}] = ${e};`));
  const derivatives = build<(s: Float64Array) => void>(['s'], lines.join('\n'));
  const rhs = generateRhs(
    fStmts,
    [...states, ...sensCmts],
    states.map((c) => `@ddt:${c}`),
    slotOf,
    (r) => sensitivityCode(r, (k, j) => r(sensCmts[k * nEta + j]), jac, partials, pRow, pD, m, nEta),
  );
  return rhs && { derivatives, rhs };
}

/**
 * The first-order decay compartments of the model (solved exactly, see `ExactCompartments` in
 * model/compile.ts) and their sensitivities, in the augmented model's numbering: A_i decays at
 * k_i = −∂f_i/∂A_i and S_ij = ∂A_i/∂η_j obeys dS/dt = −k_i·S − (∂k_i/∂η_j)·A_i, with
 * ∂k/∂η_j = Σ_u (∂k/∂u)·(∂u/∂η_j) over the η-dependent variables u of k (their ∂u/∂η_j are the
 * slots the individual block fills).
 */
function exactSensitivities(
  model: CompiledModel,
  ddtOf: ReadonlyMap<string, Expr>,
  etaNames: string[],
  allEtas: ReadonlySet<string>,
  slotOf: ReadonlyMap<string, number>,
  dname: (v: string, eta: string) => string,
): ExactCompartments | null {
  const st = model.structure;
  if (st.kind !== 'ode' || !st.exact) return null;
  const cmts = model.ir.compartments;
  const m = cmts.length;
  const nEta = etaNames.length;
  const index: number[] = [];
  const parent: number[] = [];
  const rates: Expr[] = [];
  const kOf: Expr[] = [];
  for (const i of st.exact.index) {
    const f = ddtOf.get(cmts[i]);
    const dii = f && differentiate(f, cmts[i]);
    if (!dii) return null;
    const k: Expr = { k: 'neg', a: dii, pos: P0 };
    index.push(i);
    parent.push(-1);
    rates.push(k);
    kOf.push(k);
  }
  kOf.forEach((k, pos) => {
    const i = st.exact!.index[pos];
    const vars = reads(k, new Set());
    etaNames.forEach((eta, j) => {
      let sum: Expr = num(0);
      for (const u of vars) {
        if (allEtas.has(u) && u !== eta) continue;
        if (!allEtas.has(u) && !slotOf.has(dname(u, eta))) continue; // u does not depend on the etas
        const dk = differentiate(k, u);
        if (!dk) return;
        const term: Expr = allEtas.has(u) ? dk : { k: 'bin', op: '*', a: dk, b: ref(dname(u, eta)), pos: P0 };
        sum = { k: 'bin', op: '+', a: sum, b: term, pos: P0 };
      }
      index.push(m + i * nEta + j);
      parent.push(pos);
      rates.push(sum);
    });
  });
  if (rates.length !== index.length) return null;
  const fns = rates.map((e) => compileExpr(e, slotOf));
  return {
    index: Int32Array.from(index),
    parent: Int32Array.from(parent),
    rates:
      generateVector([], rates, slotOf) ??
      ((s, out) => {
        for (let k = 0; k < fns.length; k++) out[k] = fns[k](s);
      }),
  };
}
