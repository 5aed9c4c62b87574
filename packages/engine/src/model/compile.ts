import { DosetwinError, type Issue } from '../errors.ts';
import { generateRhs, generateRun, generateVector, type RhsKernel } from './codegen.ts';
import { dependsOn, differentiate, substitute } from './derivative.ts';
import type { CmtProperty, Expr, ModelIR, Pos, Stmt } from './ir.ts';

/** A compiled expression: reads numbered slots, returns a number. */
export type Fn = (s: Float64Array) => number;
type Run = (s: Float64Array) => void;

export const FUNCTIONS: Record<string, { arity: number | [number, number]; f?: (...x: number[]) => number }> =
  {
    exp: { arity: 1, f: Math.exp },
    log: { arity: 1, f: Math.log },
    log10: { arity: 1, f: Math.log10 },
    sqrt: { arity: 1, f: Math.sqrt },
    abs: { arity: 1, f: Math.abs },
    floor: { arity: 1, f: Math.floor },
    // Fortran intrinsics of NONMEM's abbreviated code: INT truncates toward 0, MOD(a, b) = a − INT(a/b)·b.
    int: { arity: 1, f: Math.trunc },
    mod: { arity: 2, f: (a, b) => a % b },
    sin: { arity: 1, f: Math.sin },
    cos: { arity: 1, f: Math.cos },
    tan: { arity: 1, f: Math.tan },
    asin: { arity: 1, f: Math.asin },
    acos: { arity: 1, f: Math.acos },
    atan: { arity: 1, f: Math.atan },
    pow: { arity: 2, f: Math.pow },
    min: { arity: [2, 8], f: Math.min },
    max: { arity: [2, 8], f: Math.max },
    ifelse: { arity: 3 },
  };

const CMT_PROPS: readonly CmtProperty[] = ['lag', 'bioav', 'rate', 'duration', 'init'];
/** Value a compartment property takes when the model does not set it. NaN = "not modelled". */
const CMT_PROP_DEFAULT: Record<CmtProperty, number> = { lag: 0, bioav: 1, rate: NaN, duration: NaN, init: 0 };

export type Structure =
  | {
      kind: 'closed';
      /** Disposition compartments. */
      nDisp: 1 | 2 | 3;
      depot: boolean;
      /** Slots of the structure's arguments: cl, v|v1, q|q2, v2, q3, v3, ka (−1 if absent). */
      args: { cl: number; v1: number; q2: number; v2: number; q3: number; v3: number; ka: number };
    }
  | {
      kind: 'linear-ode';
      /** Fills K (row-major n×n) from the individual slots: dA/dt = K·A + r0. */
      matrix: (s: Float64Array, K: Float64Array) => void;
      /** Constant part of the right-hand side (A = 0), without dosing inputs. */
      constant: (s: Float64Array, r0: Float64Array) => void;
    }
  | {
      kind: 'ode';
      /** ∂f/∂A (row-major), symbolic where possible; null = use finite differences. */
      jacobian: ((s: Float64Array, J: Float64Array) => void) | null;
      /** Compartments solved exactly rather than integrated (absorption depots), or null. */
      exact: ExactCompartments | null;
    };

/**
 * Compartments whose amount A obeys dA/dt = −k·A + input with k free of the amounts and of time,
 * and into which no other amount flows (first-order absorption depots): between events
 * A(t0 + τ) = A0·e^{−kτ} + r·(1 − e^{−kτ})/k, so the integrator leaves them out and the
 * right-hand side of the others reads them from that formula. Besides saving work, this removes
 * the depot from the error control, whose tail (and, for fast absorption, whose stability limit
 * h·k ≲ 3.3) otherwise set the step size long after the dose was absorbed. For a forward
 * sensitivity S = ∂A/∂η of such a compartment (`parent` ≥ 0),
 * dS/dt = −k·S − (∂k/∂η)·A(t) + input, whose solution is
 * S(τ) = S0·e^{−kτ} + r_S·(1 − e^{−kτ})/k − (∂k/∂η)·(A0·τ·e^{−kτ} + r_A·(1 − e^{−kτ} − kτ·e^{−kτ})/k²).
 */
export interface ExactCompartments {
  /** State indices of the compartments solved exactly. */
  index: Int32Array;
  /** For each: −1, or the position in `index` of the compartment it is the sensitivity of. */
  parent: Int32Array;
  /** Writes, for each, k (its decay rate) or, for a sensitivity, ∂k/∂η, from the slots. */
  rates: (s: Float64Array, out: Float64Array) => void;
}

export interface CompiledModel {
  ir: ModelIR;
  nSlots: number;
  slotOf: ReadonlyMap<string, number>;
  tSlot: number;
  /** Slot holding the observed compartment (CMT, 1-based) while outputs are evaluated. */
  cmtSlot: number;
  thetaSlots: Int32Array;
  etaSlots: Int32Array;
  covariateSlots: Int32Array;
  stateSlots: Int32Array;
  nStates: number;
  /** Slots of dA/dt results, per compartment (explicit ODE models). */
  ddtSlots: Int32Array;
  /** Per compartment property, per compartment: slot, or −1 when the model leaves it at its default. */
  cmtProps: Record<CmtProperty, Int32Array>;
  /** Output slot per error model (same order as `ir.errors`). */
  outputSlots: Int32Array;
  /** Residual-variance slot per error model of kind `variance` (computed by `outputs`), else −1. */
  varianceSlots: Int32Array;
  /** Evaluates the statements that depend only on parameters, etas and covariates. */
  individual: Run;
  /**
   * `individual` in stages (null if nothing to split): `perRun` once the etas are loaded (the
   * function calls of parameters and between-subject etas only); at each record
   * `recordConstant` (those of parameters and covariates only, into `recordConstantSlots`: the
   * same at a record with the same covariates and parameters, so they may be kept) then
   * `perRecord`; together equal to `individual`. Valid only while `individual === of` (a model
   * whose `individual` is replaced, e.g. by the sensitivity equations, evaluates it whole).
   */
  individualStages: {
    of: Run;
    perRun: Run;
    recordConstant: Run;
    recordConstantSlots: Int32Array;
    perRecord: Run;
  } | null;
  /**
   * Names computed from the amounts or time (concentrations, ODE terms; and `t`, `CMT`, the
   * compartments): not set by `individual`, so not individual parameters.
   */
  dynamicNames: ReadonlySet<string>;
  /** Evaluates the right-hand side at the state slots into the ddt slots (explicit ODE models). */
  derivatives: Run;
  /**
   * The same right-hand side as generated code reading the states from y and writing
   * dydt = f + input (`codegen.ts`), for the numerical integrator; null when the model has none
   * or code cannot be generated here (then `derivatives` is used).
   */
  rhs: RhsKernel | null;
  /** Evaluates the outputs at the current state slots and time. */
  outputs: Run;
  structure: Structure;
  /**
   * What the compiler accepted but the author should know (e.g. a compartment without d/dt, taken
   * as 0); for control streams, also the translator's warnings.
   */
  warnings: readonly Issue[];
  /** Fresh slot array with thetas set. */
  newSlots(): Float64Array;
}

/**
 * Check the IR (names, definite assignment, where each statement belongs) and compile it to
 * closures over a flat `Float64Array` of slots. Statements are split by dependency: those that
 * depend only on parameters/etas/covariates run once per record ("individual", NONMEM's $PK);
 * those that depend on amounts or time run inside the ODE right-hand side ($DES) or at
 * observations ($ERROR). Never evaluates user text as JavaScript.
 */
export function compileModel(ir: ModelIR): CompiledModel {
  const issues: Issue[] = [];
  const err = (pos: Pos, message: string, hint?: string, field = 'equations'): void => {
    issues.push({
      code: 'DT_MODEL_SEMANTIC',
      severity: 'error',
      field,
      message,
      file: ir.file,
      line: pos.line,
      column: pos.column,
      ...(hint ? { hint } : {}),
    });
  };

  // ---- namespaces ----
  const kinds = new Map<string, string>();
  const declare = (name: string, kind: string, pos: Pos): void => {
    const prev = kinds.get(name);
    if (prev)
      err(
        pos,
        `'${name}' is declared as ${prev} and as ${kind}`,
        'names must be unique across parameters, etas, covariates and compartments',
      );
    else if (name === 't' || name === 'CMT' || name in FUNCTIONS) err(pos, `'${name}' is reserved`);
    else kinds.set(name, kind);
  };
  const origin: Pos = { line: 1, column: 1 };
  ir.parameters.forEach((p) => declare(p.name, 'a parameter', p.pos));
  ir.etas.forEach((e) => declare(e.name, 'an eta', e.pos));
  ir.covariates.forEach((c) => declare(c.name, 'a covariate', c.pos));
  ir.compartments.forEach((c) => declare(c, 'a compartment', ir.pk?.pos ?? origin));
  const isState = new Set(ir.compartments);
  if (!ir.compartments.length)
    err(
      origin,
      'the model has no compartments',
      "use 'pk one_cmt(...)' or declare 'compartments' and write d/dt() equations",
    );

  // ---- slots ----
  const slotOf = new Map<string, number>();
  let nSlots = 0;
  const alloc = (name: string): number => {
    let k = slotOf.get(name);
    if (k === undefined) {
      k = nSlots++;
      slotOf.set(name, k);
    }
    return k;
  };
  const tSlot = alloc('t');
  // CMT = the compartment of the observation being predicted (NONMEM's data item), for outputs
  // that depend on which compartment is observed.
  const cmtSlot = alloc('CMT');
  const thetaSlots = Int32Array.from(ir.parameters.map((p) => alloc(p.name)));
  const etaSlots = Int32Array.from(ir.etas.map((e) => alloc(e.name)));
  const covariateSlots = Int32Array.from(ir.covariates.map((c) => alloc(c.name)));
  const stateSlots = Int32Array.from(ir.compartments.map((c) => alloc(c)));

  // ---- desugar: pk args, compartment properties and d/dt into hidden assignments ----
  const hidden = (name: string): string => `@${name}`;
  const desugar = (list: Stmt[]): Stmt[] =>
    list.map((st): Stmt => {
      if (st.k === 'cmtprop') {
        if (!isState.has(st.cmt))
          err(
            st.pos,
            `${st.prop}(${st.cmt}): '${st.cmt}' is not a compartment`,
            `compartments: ${ir.compartments.join(', ')}`,
          );
        return { k: 'assign', name: hidden(`${st.prop}:${st.cmt}`), expr: st.expr, pos: st.pos };
      }
      if (st.k === 'ddt') {
        if (ir.pk)
          err(st.pos, `d/dt(${st.cmt}) cannot be combined with the built-in '${ir.pk.name}' structure`);
        else if (!isState.has(st.cmt))
          err(
            st.pos,
            `d/dt(${st.cmt}): '${st.cmt}' is not a declared compartment`,
            `compartments: ${ir.compartments.join(', ')}`,
          );
        return { k: 'assign', name: hidden(`ddt:${st.cmt}`), expr: st.expr, pos: st.pos };
      }
      if (st.k === 'if')
        return {
          ...st,
          branches: st.branches.map((b) => ({ cond: b.cond, body: desugar(b.body) })),
          otherwise: st.otherwise && desugar(st.otherwise),
        };
      return st;
    });
  const pkStmts: Stmt[] = ir.pk
    ? Object.entries(ir.pk.args).map(
        ([a, expr]) => ({ k: 'assign', name: hidden(`pk:${a}`), expr, pos: expr.pos }) as Stmt,
      )
    : [];
  const varianceStmts: Stmt[] = ir.errors
    .filter((e) => e.variance)
    .map((e) => ({ k: 'assign', name: hidden(`var:${e.output}`), expr: e.variance!, pos: e.pos }) as Stmt);
  const stmts: Stmt[] = [
    ...desugar(ir.statements),
    ...pkStmts,
    ...(ir.pk?.transit ? transitEquations(ir.pk, ir.compartments) : []),
    ...varianceStmts,
  ];

  // ---- definite assignment and reads ----
  const known = new Set<string>(['t', 'CMT', ...kinds.keys()]);
  const checkExpr = (e: Expr, defined: Set<string>, maybe: Map<string, Pos>): void => {
    switch (e.k) {
      case 'num':
        return;
      case 'ref':
        if (defined.has(e.name) || known.has(e.name)) return;
        if (maybe.has(e.name)) {
          const p = maybe.get(e.name)!;
          err(
            e.pos,
            `'${e.name}' may be undefined here: it is assigned only in some branches of the 'if' at line ${p.line}`,
            "assign it before the 'if' or in an 'else' branch",
          );
        } else err(e.pos, `'${e.name}' is not defined`, suggest(e.name, [...known, ...defined]));
        return;
      case 'neg':
      case 'not':
        return checkExpr(e.a, defined, maybe);
      case 'bin':
        checkExpr(e.a, defined, maybe);
        checkExpr(e.b, defined, maybe);
        return;
      case 'call': {
        const f = FUNCTIONS[e.fn];
        if (!f) err(e.pos, `unknown function '${e.fn}'`, `functions: ${Object.keys(FUNCTIONS).join(', ')}`);
        else {
          const [lo, hi] = typeof f.arity === 'number' ? [f.arity, f.arity] : f.arity;
          if (e.args.length < lo || e.args.length > hi)
            err(
              e.pos,
              `${e.fn}() takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s), found ${e.args.length}`,
            );
        }
        e.args.forEach((a) => checkExpr(a, defined, maybe));
        return;
      }
    }
  };
  const checkBlock = (list: Stmt[], defined: Set<string>, maybe: Map<string, Pos>): void => {
    for (const st of list) {
      if (st.k === 'assign') {
        checkExpr(st.expr, defined, maybe);
        if (kinds.has(st.name)) err(st.pos, `cannot assign to '${st.name}': it is ${kinds.get(st.name)}`);
        if (st.name === 't' || st.name === 'CMT') err(st.pos, `cannot assign to '${st.name}'`);
        defined.add(st.name);
        maybe.delete(st.name);
      } else if (st.k === 'if') {
        const outs: Set<string>[] = [];
        for (const b of st.branches) {
          checkExpr(b.cond, defined, maybe);
          const d = new Set(defined);
          checkBlock(b.body, d, new Map(maybe));
          outs.push(d);
        }
        if (st.otherwise) {
          const d = new Set(defined);
          checkBlock(st.otherwise, d, new Map(maybe));
          outs.push(d);
        }
        const all = new Set<string>();
        outs.forEach((o) => o.forEach((x) => all.add(x)));
        for (const x of all) {
          if (defined.has(x)) continue;
          if (st.otherwise && outs.every((o) => o.has(x))) defined.add(x);
          else maybe.set(x, st.pos);
        }
      }
    }
  };
  const defined = new Set<string>();
  checkBlock(stmts, defined, new Map());

  // Explicit ODEs: a compartment without d/dt keeps its amount (derivative 0), as NONMEM takes an
  // unset DADT(n); doses into it accumulate. Said as a warning, since it is more often a slip.
  const warnings: Issue[] = [];
  if (!ir.pk)
    for (const c of ir.compartments)
      if (!defined.has(hidden(`ddt:${c}`))) {
        warnings.push({
          code: 'DT_MODEL_DDT_MISSING',
          severity: 'warning',
          field: 'equations',
          message: `compartment '${c}' has no d/dt(${c}) equation: its derivative is taken as 0 (its amount only changes by doses)`,
          hint: `write 'd/dt(${c}) = ...' if the compartment has inflow or outflow`,
          file: ir.file,
          line: origin.line,
          column: origin.column,
        });
        stmts.push({
          k: 'assign',
          name: hidden(`ddt:${c}`),
          expr: { k: 'num', v: 0, pos: origin },
          pos: origin,
        });
        defined.add(hidden(`ddt:${c}`));
      }

  // Outputs named in the error block must be computed.
  if (!ir.errors.length)
    err(
      origin,
      "the model has no 'error' block: which outputs are observed, with which residual error?",
      undefined,
      'error',
    );
  for (const e of ir.errors) {
    if (!defined.has(e.output))
      err(
        e.pos,
        `output '${e.output}' is not computed in 'equations'`,
        `add e.g. '${e.output} = central / V'`,
        'error',
      );
    for (const c of e.cmts)
      if (c > ir.compartments.length)
        err(
          e.pos,
          `cmt ${c} does not exist (the model has ${ir.compartments.length} compartments)`,
          undefined,
          'error',
        );
  }
  if (ir.errors.length > 1 && ir.errors.some((e) => !e.cmts.length && !e.dvids?.length))
    err(
      ir.errors[0].pos,
      'with several outputs, each needs the observation compartments it reads (e.g. cmt 2) or its observation type (e.g. dvid 2)',
      undefined,
      'error',
    );
  const dvidOwner = new Map<number, string>();
  for (const e of ir.errors)
    for (const v of e.dvids ?? []) {
      const other = dvidOwner.get(v);
      if (other !== undefined)
        err(
          e.pos,
          `dvid ${v} is read by two outputs (${other} and ${e.output})`,
          'give each output its own DVID',
          'error',
        );
      dvidOwner.set(v, e.output);
    }

  if (issues.length) throw new DosetwinError(issues);

  // ---- split: individual vs dynamic statements ----
  const reads = (st: Stmt, into: Set<string>): void => {
    const visit = (e: Expr): void => {
      if (e.k === 'ref') into.add(e.name);
      else if (e.k === 'neg' || e.k === 'not') visit(e.a);
      else if (e.k === 'bin') {
        visit(e.a);
        visit(e.b);
      } else if (e.k === 'call') e.args.forEach(visit);
    };
    if (st.k === 'assign') visit(st.expr);
    else if (st.k === 'if') {
      st.branches.forEach((b) => {
        visit(b.cond);
        b.body.forEach((x) => reads(x, into));
      });
      st.otherwise?.forEach((x) => reads(x, into));
    }
  };
  const writes = (st: Stmt, into: Set<string>): void => {
    if (st.k === 'assign') into.add(st.name);
    else if (st.k === 'if') {
      st.branches.forEach((b) => b.body.forEach((x) => writes(x, into)));
      st.otherwise?.forEach((x) => writes(x, into));
    }
  };
  // A variable assigned by a statement that depends on the amounts or time is time-varying from
  // its first assignment on: an earlier assignment (`IPRED = 0` before `if (F > 0) { IPRED = log(F) }`,
  // NONMEM's usual $ERROR guard) runs with the dynamic statements too, so each evaluation starts
  // from it. Found as a fixed point (forcing one statement can force others).
  const forced = new Set<string>();
  let dynamicNames: Set<string>;
  let individualStmts: Stmt[];
  let dynamicStmts: { st: Stmt; reads: Set<string>; writes: Set<string> }[];
  for (;;) {
    dynamicNames = new Set<string>(['t', 'CMT', ...ir.compartments]);
    individualStmts = [];
    dynamicStmts = [];
    const individualWrites = new Set<string>();
    for (const st of stmts) {
      const r = new Set<string>();
      const w = new Set<string>();
      reads(st, r);
      writes(st, w);
      const isDdt = [...w].some((x) => x.startsWith('@ddt:'));
      if (isDdt || [...r].some((x) => dynamicNames.has(x)) || [...w].some((x) => forced.has(x))) {
        w.forEach((x) => dynamicNames.add(x));
        dynamicStmts.push({ st, reads: r, writes: w });
      } else {
        w.forEach((x) => individualWrites.add(x));
        individualStmts.push(st);
      }
    }
    const clash = [...individualWrites].filter((x) => dynamicNames.has(x) && !forced.has(x));
    if (!clash.length) break;
    clash.forEach((x) => forced.add(x));
  }
  for (const d of dynamicStmts)
    for (const x of d.writes)
      if (
        x.startsWith('@pk:') ||
        x.startsWith('@lag:') ||
        x.startsWith('@bioav:') ||
        x.startsWith('@rate:') ||
        x.startsWith('@duration:') ||
        x.startsWith('@init:')
      )
        err(
          d.st.pos,
          `${x.slice(1).replace(':', '(')}) depends on the amounts or on time; it must depend only on parameters, etas and covariates`,
        );
  if (issues.length) throw new DosetwinError(issues);

  /** Dynamic statements needed to compute `targets`, in order (backward slice). */
  const slice = (targets: Set<string>): Stmt[] => {
    const need = new Set(targets);
    const out: Stmt[] = [];
    for (let i = dynamicStmts.length - 1; i >= 0; i--) {
      const d = dynamicStmts[i];
      if ([...d.writes].some((x) => need.has(x))) {
        out.push(d.st);
        d.reads.forEach((x) => need.add(x));
      }
    }
    return out.reverse();
  };

  // ---- allocate variable slots, then compile ----
  for (const name of defined) alloc(name);
  for (const p of CMT_PROPS) for (const c of ir.compartments) alloc(hidden(`${p}:${c}`));
  // A property is modelled when any statement writes it, on every path or only inside an `if`
  // (`if (X > 1) { bioav(depot) = 0.5 }`): where no branch sets it, it keeps its default (F 1,
  // lag 0…), restored below before each evaluation. (Reading only the properties assigned on
  // every path dropped such a conditional one altogether.) Control streams reach here with the
  // translator's explicit default before the IF, as NONMEM's memory of the previous record is
  // not reproduced (nonmem/translate.ts).
  const written = new Set<string>();
  for (const st of stmts) writes(st, written);
  const cmtProps = Object.fromEntries(
    CMT_PROPS.map((p) => [
      p,
      Int32Array.from(
        ir.compartments.map((c) =>
          written.has(hidden(`${p}:${c}`)) ? slotOf.get(hidden(`${p}:${c}`))! : -1,
        ),
      ),
    ]),
  ) as Record<CmtProperty, Int32Array>;
  // Every property slot holds its default from `newSlots` on; the individual block restores the
  // default of those a statement writes (an assignment inside an `if` may not run at the next
  // evaluation: then the default, not the value of the previous record or patient), and only
  // those: no statement writes the others, and storing all of them again at every record with
  // time-varying covariates was a tenth of such a run.
  const propDefaults: [number, number][] = [];
  const rewritten: [number, number][] = [];
  for (const p of CMT_PROPS)
    for (const c of ir.compartments) {
      const name = hidden(`${p}:${c}`);
      const d: [number, number] = [slotOf.get(name)!, CMT_PROP_DEFAULT[p]];
      propDefaults.push(d);
      if (written.has(name)) rewritten.push(d);
    }

  const runIndividual = compileBlockFast(individualStmts, slotOf);
  // Flat typed arrays: this runs at every record with time-varying covariates.
  const defaultSlots = Int32Array.from(rewritten, (d) => d[0]);
  const defaultValues = Float64Array.from(rewritten, (d) => d[1]);
  const nDefaults = defaultSlots.length;
  const individual: Run = (s) => {
    for (let i = 0; i < nDefaults; i++) s[defaultSlots[i]] = defaultValues[i];
    runIndividual(s);
  };
  // The same statements in two stages for the simulator, which re-evaluates them at every record
  // when covariates vary with time: the function calls (exp, pow, …) of only parameters, numbers
  // and between-subject etas — `exp(eta_CL)`, `TVCL * exp(eta_CL)` — are the same at every
  // record of a run, so they are computed once per run into slots of their own and read at each
  // record. The same operations in the same order: the results are identical.
  const hoist = hoistRunConstants(
    individualStmts,
    new Set(
      [...ir.parameters.map((p) => p.name), ...ir.etas.filter((e) => !e.iov).map((e) => e.name)].filter(
        (x) => !written.has(x),
      ),
    ),
    (k) => hidden(`run:${k}`),
  );
  // Likewise the function calls of only parameters, numbers and covariates (`(BW / 75)^1.5`):
  // the same at a record in every run of a patient, so the simulator may keep them per record.
  const byRecord = hoistRunConstants(
    hoist.perRecord,
    new Set(
      [...ir.parameters.map((p) => p.name), ...ir.covariates.map((c) => c.name)].filter(
        (x) => !written.has(x),
      ),
    ),
    (k) => hidden(`record:${k}`),
  );
  let individualStages: CompiledModel['individualStages'] = null;
  if (hoist.perRun.length || byRecord.perRun.length) {
    for (const st of [...hoist.perRun, ...byRecord.perRun]) if (st.k === 'assign') alloc(st.name);
    const runPerRun = compileBlockFast(hoist.perRun, slotOf);
    const runRecordConstant = compileBlockFast(byRecord.perRun, slotOf);
    const runPerRecord = compileBlockFast(byRecord.perRecord, slotOf);
    individualStages = {
      of: individual,
      perRun: runPerRun,
      recordConstant: runRecordConstant,
      recordConstantSlots: Int32Array.from(byRecord.perRun, (st) =>
        slotOf.get((st as { name: string }).name)!,
      ),
      perRecord: (s) => {
        for (let i = 0; i < nDefaults; i++) s[defaultSlots[i]] = defaultValues[i];
        runPerRecord(s);
      },
    };
  }
  // A transit chain makes the built-in structure an ODE system (linear: solved exactly).
  const asOde = !ir.pk || ir.pk.transit > 0;
  const ddtNames = asOde ? ir.compartments.map((c) => hidden(`ddt:${c}`)) : [];
  const derivatives = compileBlockFast(slice(new Set(ddtNames)), slotOf);
  const outputs = compileBlockFast(
    slice(
      new Set([
        ...ir.errors.map((e) => e.output),
        ...ir.errors.filter((e) => e.variance).map((e) => hidden(`var:${e.output}`)),
      ]),
    ),
    slotOf,
  );
  const ddtSlots = Int32Array.from(ddtNames.map((n) => slotOf.get(n)!));

  // ---- structure ----
  let structure: Structure;
  if (ir.pk && !asOde) {
    const a = (name: string): number => (name in ir.pk!.args ? slotOf.get(hidden(`pk:${name}`))! : -1);
    const nDisp = ir.pk.name === 'one_cmt' ? 1 : ir.pk.name === 'two_cmt' ? 2 : 3;
    structure = {
      kind: 'closed',
      nDisp,
      depot: 'ka' in ir.pk.args,
      args: {
        cl: a('cl'),
        v1: nDisp === 1 ? a('v') : a('v1'),
        q2: nDisp === 2 ? a('q') : a('q2'),
        v2: a('v2'),
        q3: a('q3'),
        v3: a('v3'),
        ka: a('ka'),
      },
    };
  } else {
    structure = analyseOde(ir.compartments, ddtNames, slice(new Set(ddtNames)), slotOf);
  }
  const rhs = asOde ? generateRhs(slice(new Set(ddtNames)), ir.compartments, ddtNames, slotOf) : null;

  return {
    ir,
    nSlots,
    slotOf,
    tSlot,
    cmtSlot,
    thetaSlots,
    etaSlots,
    covariateSlots,
    stateSlots,
    nStates: ir.compartments.length,
    ddtSlots,
    cmtProps,
    outputSlots: Int32Array.from(ir.errors.map((e) => slotOf.get(e.output)!)),
    varianceSlots: Int32Array.from(
      ir.errors.map((e) => (e.variance ? slotOf.get(hidden(`var:${e.output}`))! : -1)),
    ),
    individual,
    individualStages,
    dynamicNames,
    derivatives,
    rhs,
    outputs,
    structure,
    warnings,
    newSlots() {
      const s = new Float64Array(nSlots);
      ir.parameters.forEach((p, i) => (s[thetaSlots[i]] = p.value));
      for (const [k, v] of propDefaults) s[k] = v;
      return s;
    },
  };
}

/**
 * The equations of a built-in structure with a transit chain (Savic et al., J Pharmacokinet
 * Pharmacodyn 2007;34:711-726): depot →ktr→ transit1 … transitN →ka→ central, then the usual
 * mammillary disposition. Written as d/dt statements over the structure's argument slots.
 */
function transitEquations(pk: NonNullable<ModelIR['pk']>, cmts: string[]): Stmt[] {
  const pos = pk.pos;
  const ref = (name: string): Expr => ({ k: 'ref', name, pos });
  const arg = (a: string): Expr => ref(`@pk:${a}`);
  const bin = (op: '+' | '-' | '*' | '/', a: Expr, b: Expr): Expr => ({ k: 'bin', op, a, b, pos });
  const ddt = (c: string, expr: Expr): Stmt => ({ k: 'assign', name: `@ddt:${c}`, expr, pos });
  const n = pk.transit;
  const out: Stmt[] = [ddt('depot', bin('*', { k: 'neg', a: arg('ktr'), pos }, ref('depot')))];
  for (let i = 1; i <= n; i++) {
    const prev = i === 1 ? 'depot' : `transit${i - 1}`;
    const outRate = i === n ? arg('ka') : arg('ktr');
    out.push(
      ddt(`transit${i}`, bin('-', bin('*', arg('ktr'), ref(prev)), bin('*', outRate, ref(`transit${i}`)))),
    );
  }
  const v1 = arg(pk.name === 'one_cmt' ? 'v' : 'v1');
  const periph =
    pk.name === 'one_cmt'
      ? []
      : pk.name === 'two_cmt'
        ? [{ c: 'peripheral', q: arg('q'), v: arg('v2') }]
        : [
            { c: 'periph1', q: arg('q2'), v: arg('v2') },
            { c: 'periph2', q: arg('q3'), v: arg('v3') },
          ];
  let central = bin(
    '-',
    bin('*', arg('ka'), ref(`transit${n}`)),
    bin('*', bin('/', arg('cl'), v1), ref('central')),
  );
  for (const p of periph) {
    central = bin('-', central, bin('*', bin('/', p.q, v1), ref('central')));
    central = bin('+', central, bin('*', bin('/', p.q, p.v), ref(p.c)));
    out.push(
      ddt(p.c, bin('-', bin('*', bin('/', p.q, v1), ref('central')), bin('*', bin('/', p.q, p.v), ref(p.c)))),
    );
  }
  out.push(ddt('central', central));
  if (out.length !== cmts.length)
    throw new Error('internal: transit equations do not cover the compartments');
  return out;
}

/**
 * Explicit ODEs: inline the right-hand sides over the amounts; if every ∂f_i/∂A_j is free of
 * amounts and time, the system is linear with constant coefficients between events and is solved
 * exactly (matrix exponential); otherwise the symbolic Jacobian feeds the stiff integrator.
 */
function analyseOde(
  cmts: string[],
  ddtNames: string[],
  dyn: Stmt[],
  slotOf: ReadonlyMap<string, number>,
): Structure {
  const n = cmts.length;
  const env = new Map<string, Expr>();
  let straight = true;
  for (const st of dyn) {
    if (st.k !== 'assign') {
      straight = false;
      break;
    }
    env.set(st.name, substitute(st.expr, env));
  }
  if (!straight) return { kind: 'ode', jacobian: null, exact: null };
  const rhs = ddtNames.map((d) => env.get(d)!);
  const jac: (Expr | null)[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) jac.push(differentiate(rhs[i], cmts[j]));
  const complete = jac.every((e) => e !== null);
  // Generated: the entries share the right-hand side's intermediates (written once, as in `dyn`)
  // rather than each repeating its inlined expression.
  const over = complete ? jacobianOver(dyn, cmts, ddtNames) : null;
  const jacobian = complete
    ? (generateVector(over ? over.prelude : [], over ? over.entries : jac, slotOf) ??
      (() => {
        const fns = jac.map((e) => compileExpr(e!, slotOf));
        return (s: Float64Array, J: Float64Array): void => {
          for (let k = 0; k < fns.length; k++) J[k] = fns[k](s);
        };
      })())
    : null;
  const jacFns = complete ? jac.map((e) => compileExpr(e!, slotOf)) : [];
  const linear =
    jac.every((e) => e !== null && !cmts.some((c) => dependsOn(e, c)) && !dependsOn(e, 't')) &&
    !rhs.some((e) => dependsOn(e, 't'));
  if (!linear) return { kind: 'ode', jacobian, exact: exactCompartments(cmts, rhs, jac, slotOf) };
  const zero = new Map<string, Expr>(
    cmts.map((c) => [c, { k: 'num', v: 0, pos: { line: 0, column: 0 } } as Expr]),
  );
  const constExprs = rhs.map((e) => substitute(e, zero));
  const constFns = constExprs.map((e) => compileExpr(e, slotOf));
  const kFns = jacFns;
  return {
    kind: 'linear-ode',
    matrix:
      generateVector([], jac, slotOf) ??
      ((s, K) => {
        for (let k = 0; k < kFns.length; k++) K[k] = kFns[k](s);
      }),
    constant:
      generateVector([], constExprs, slotOf) ??
      ((s, r0) => {
        for (let i = 0; i < n; i++) r0[i] = constFns[i](s);
      }),
  };
}

/**
 * The first-order decay compartments of a non-linear system (see {@link ExactCompartments}): f_i
 * with ∂f_i/∂A_j = 0 for j ≠ i, ∂f_i/∂A_i free of the amounts and of time, f_i = 0 at A_i = 0, and
 * f_i free of time. Null if there is none.
 */
function exactCompartments(
  cmts: string[],
  rhs: Expr[],
  jac: (Expr | null)[],
  slotOf: ReadonlyMap<string, number>,
): ExactCompartments | null {
  const n = cmts.length;
  const index: number[] = [];
  const rates: Expr[] = [];
  for (let i = 0; i < n; i++) {
    const dii = jac[i * n + i];
    if (!dii || dependsOn(rhs[i], 't') || dependsOn(dii, 't') || cmts.some((c) => dependsOn(dii, c)))
      continue;
    let ok = true;
    for (let j = 0; j < n && ok; j++) if (j !== i && !isZeroExpr(jac[i * n + j])) ok = false;
    if (!ok) continue;
    const atZero = substitute(
      rhs[i],
      new Map([[cmts[i], { k: 'num', v: 0, pos: { line: 0, column: 0 } } as Expr]]),
    );
    if (!isZeroExpr(atZero)) continue;
    index.push(i);
    rates.push({ k: 'neg', a: dii, pos: dii.pos });
  }
  if (!index.length) return null;
  const fns = rates.map((e) => compileExpr(e, slotOf));
  return {
    index: Int32Array.from(index),
    parent: new Int32Array(index.length).fill(-1),
    rates:
      generateVector([], rates, slotOf) ??
      ((s, out) => {
        for (let k = 0; k < fns.length; k++) out[k] = fns[k](s);
      }),
  };
}

/** True when the expression is 0 for any values (0, 0·x, 0/x, −0, 0 ± 0). Conservative. */
export function isZeroExpr(e: Expr | null): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'num':
      return e.v === 0;
    case 'neg':
      return isZeroExpr(e.a);
    case 'bin':
      if (e.op === '*') return isZeroExpr(e.a) || isZeroExpr(e.b);
      if (e.op === '/') return isZeroExpr(e.a);
      if (e.op === '+' || e.op === '-') return isZeroExpr(e.a) && isZeroExpr(e.b);
      return false;
    default:
      return false;
  }
}

/**
 * ∂f/∂A written over the right-hand side's own statements: each statement `v = e` gets
 * `∂v/∂A_j = Σ_u ∂e/∂u·∂u/∂A_j` (forward mode), so the Jacobian reads the intermediates instead of
 * repeating them inlined. Returns those statements after `dyn`'s and the n×n entries as
 * references to the derivative variables; null if some statement is not differentiable
 * symbolically (the inlined Jacobian is used then).
 */
function jacobianOver(
  dyn: Stmt[],
  cmts: string[],
  ddtNames: string[],
): { prelude: Stmt[]; entries: Expr[] } | null {
  const P0: Pos = { line: 0, column: 0 };
  const dname = (v: string, c: string): string => `@d:${v}/${c}`;
  const have = new Set<string>(); // names with derivative variables
  const extra: Stmt[] = [];
  for (const st of dyn) {
    if (st.k !== 'assign') return null;
    for (const c of cmts) {
      let sum: Expr | null = null;
      const vars = new Set<string>();
      collectRefs(st.expr, vars);
      for (const u of vars) {
        const du =
          u === c
            ? ({ k: 'num', v: 1, pos: P0 } as Expr)
            : have.has(u)
              ? ({ k: 'ref', name: dname(u, c), pos: P0 } as Expr)
              : null;
        if (!du) continue;
        const de = differentiate(st.expr, u);
        if (!de) return null;
        if (de.k === 'num' && de.v === 0) continue;
        const term: Expr = du.k === 'num' ? de : { k: 'bin', op: '*', a: de, b: du, pos: P0 };
        sum = sum ? { k: 'bin', op: '+', a: sum, b: term, pos: P0 } : term;
      }
      extra.push({ k: 'assign', name: dname(st.name, c), expr: sum ?? { k: 'num', v: 0, pos: P0 }, pos: P0 });
    }
    have.add(st.name);
  }
  const entries: Expr[] = [];
  for (const d of ddtNames) for (const c of cmts) entries.push({ k: 'ref', name: dname(d, c), pos: P0 });
  return { prelude: [...dyn, ...extra], entries };
}

function collectRefs(e: Expr, into: Set<string>): void {
  if (e.k === 'ref') into.add(e.name);
  else if (e.k === 'neg' || e.k === 'not') collectRefs(e.a, into);
  else if (e.k === 'bin') {
    collectRefs(e.a, into);
    collectRefs(e.b, into);
  } else if (e.k === 'call') e.args.forEach((a) => collectRefs(a, into));
}

/** {@link compileBlock} as generated code where possible (same operations, same results). */
export function compileBlockFast(list: Stmt[], slotOf: ReadonlyMap<string, number>): Run {
  return generateRun(list, slotOf) ?? compileBlock(list, slotOf);
}

/**
 * Compile a list of statements (assignments, `if`; `ddt`/`cmtprop` desugared to assignments) to
 * one closure over slots.
 */
export function compileBlock(list: Stmt[], slotOf: ReadonlyMap<string, number>): Run {
  const runs = list.map((st) => compileStmt(st, slotOf));
  if (runs.length === 0) return () => {};
  if (runs.length === 1) return runs[0];
  const n = runs.length;
  return (s) => {
    for (let i = 0; i < n; i++) runs[i](s);
  };
}

function compileStmt(st: Stmt, slotOf: ReadonlyMap<string, number>): Run {
  if (st.k === 'assign') {
    const k = slotOf.get(st.name)!;
    // The commonest statement shapes (`C = central / V`, `x = y`) write their slot directly: one
    // closure call fewer per statement in the ODE right-hand side (same operations, same result).
    const e = st.expr;
    if (e.k === 'ref') {
      const a = slotOf.get(e.name);
      if (a === undefined) throw new Error(`internal: no slot for '${e.name}'`);
      return (s) => {
        s[k] = s[a];
      };
    }
    if (e.k === 'bin' && e.a.k === 'ref' && e.b.k === 'ref') {
      const a = slotOf.get(e.a.name)!;
      const b = slotOf.get(e.b.name)!;
      if (e.op === '*')
        return (s) => {
          s[k] = s[a] * s[b];
        };
      if (e.op === '/')
        return (s) => {
          s[k] = s[a] / s[b];
        };
      if (e.op === '+')
        return (s) => {
          s[k] = s[a] + s[b];
        };
      if (e.op === '-')
        return (s) => {
          s[k] = s[a] - s[b];
        };
    }
    const f = compileExpr(e, slotOf);
    return (s) => {
      s[k] = f(s);
    };
  }
  if (st.k === 'if') {
    const conds = st.branches.map((b) => compileExpr(b.cond, slotOf));
    const bodies = st.branches.map((b) => compileBlock(b.body, slotOf));
    const otherwise = st.otherwise ? compileBlock(st.otherwise, slotOf) : null;
    const n = conds.length;
    return (s) => {
      for (let i = 0; i < n; i++)
        if (conds[i](s) !== 0) {
          bodies[i](s);
          return;
        }
      if (otherwise) otherwise(s);
    };
  }
  throw new Error(`internal: statement kind ${st.k} should have been desugared`);
}

/** Compile an expression to a closure over slots. Booleans are 1/0, as in NONMEM. */
export function compileExpr(e: Expr, slotOf: ReadonlyMap<string, number>): Fn {
  switch (e.k) {
    case 'num': {
      const v = e.v;
      return () => v;
    }
    case 'ref': {
      const k = slotOf.get(e.name);
      if (k === undefined) throw new Error(`internal: no slot for '${e.name}'`);
      return (s) => s[k];
    }
    case 'neg': {
      if (e.a.k === 'ref') {
        const k = slotOf.get(e.a.name);
        if (k === undefined) throw new Error(`internal: no slot for '${e.a.name}'`);
        return (s) => -s[k];
      }
      const a = compileExpr(e.a, slotOf);
      return (s) => -a(s);
    }
    case 'not': {
      const a = compileExpr(e.a, slotOf);
      return (s) => (a(s) === 0 ? 1 : 0);
    }
    case 'bin':
      return compileBin(e.op, e.a, e.b, slotOf);
    case 'call': {
      const args = e.args.map((a) => compileExpr(a, slotOf));
      if (e.fn === 'ifelse') {
        const [c, a, b] = args;
        return (s) => (c(s) !== 0 ? a(s) : b(s));
      }
      const f = FUNCTIONS[e.fn].f!;
      if (args.length === 1) {
        const a = args[0];
        return (s) => f(a(s));
      }
      if (args.length === 2) {
        const [a, b] = args;
        return (s) => f(a(s), b(s));
      }
      return (s) => f(...args.map((a) => a(s)));
    }
  }
}

function compileBin(op: string, ea: Expr, eb: Expr, slotOf: ReadonlyMap<string, number>): Fn {
  // Specialise the commonest leaf shapes (slot ∘ slot, slot ∘ constant) to save closure calls.
  const sa = ea.k === 'ref' ? slotOf.get(ea.name)! : -1;
  const sb = eb.k === 'ref' ? slotOf.get(eb.name)! : -1;
  const cb = eb.k === 'num' ? eb.v : NaN;
  if (sa >= 0 && sb >= 0) {
    if (op === '*') return (s) => s[sa] * s[sb];
    if (op === '/') return (s) => s[sa] / s[sb];
    if (op === '+') return (s) => s[sa] + s[sb];
    if (op === '-') return (s) => s[sa] - s[sb];
  }
  if (sa >= 0 && eb.k === 'num') {
    if (op === '*') return (s) => s[sa] * cb;
    if (op === '/') return (s) => s[sa] / cb;
    if (op === '^') return (s) => Math.pow(s[sa], cb);
  }
  const ca = ea.k === 'num' ? ea.v : NaN;
  if (ea.k === 'num' && sb >= 0) {
    if (op === '*') return (s) => ca * s[sb];
    if (op === '/') return (s) => ca / s[sb];
    if (op === '+') return (s) => ca + s[sb];
    if (op === '-') return (s) => ca - s[sb];
  }
  if (sa >= 0 && eb.k === 'num') {
    if (op === '+') return (s) => s[sa] + cb;
    if (op === '-') return (s) => s[sa] - cb;
  }
  // One side a slot: one closure call fewer.
  if (sb >= 0 && (op === '*' || op === '/' || op === '+' || op === '-')) {
    const a = compileExpr(ea, slotOf);
    if (op === '*') return (s) => a(s) * s[sb];
    if (op === '/') return (s) => a(s) / s[sb];
    if (op === '+') return (s) => a(s) + s[sb];
    return (s) => a(s) - s[sb];
  }
  if (sa >= 0 && (op === '*' || op === '/' || op === '+' || op === '-')) {
    const b = compileExpr(eb, slotOf);
    if (op === '*') return (s) => s[sa] * b(s);
    if (op === '/') return (s) => s[sa] / b(s);
    if (op === '+') return (s) => s[sa] + b(s);
    return (s) => s[sa] - b(s);
  }
  const a = compileExpr(ea, slotOf);
  const b = compileExpr(eb, slotOf);
  switch (op) {
    case '+':
      return (s) => a(s) + b(s);
    case '-':
      return (s) => a(s) - b(s);
    case '*':
      return (s) => a(s) * b(s);
    case '/':
      return (s) => a(s) / b(s);
    case '^':
      return (s) => Math.pow(a(s), b(s));
    case '==':
      return (s) => (a(s) === b(s) ? 1 : 0);
    case '!=':
      return (s) => (a(s) !== b(s) ? 1 : 0);
    case '<':
      return (s) => (a(s) < b(s) ? 1 : 0);
    case '<=':
      return (s) => (a(s) <= b(s) ? 1 : 0);
    case '>':
      return (s) => (a(s) > b(s) ? 1 : 0);
    case '>=':
      return (s) => (a(s) >= b(s) ? 1 : 0);
    case '&&':
      return (s) => (a(s) !== 0 && b(s) !== 0 ? 1 : 0);
    case '||':
      return (s) => (a(s) !== 0 || b(s) !== 0 ? 1 : 0);
  }
  throw new Error(`internal: operator ${op}`);
}

function suggest(name: string, candidates: string[]): string | undefined {
  const low = name.toLowerCase();
  const hit = candidates.find(
    (c) => !c.startsWith('@') && (c.toLowerCase() === low || editDistance(c.toLowerCase(), low) <= 2),
  );
  return hit ? `did you mean '${hit}'?` : undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/**
 * Splits statements into the maximal subexpressions that read only `constant` names and numbers
 * and contain a function call or a power (assigned to fresh names `name(k)`, to be evaluated first),
 * and the statements with those subexpressions replaced by references to the fresh names.
 */
function hoistRunConstants(
  list: Stmt[],
  constant: ReadonlySet<string>,
  name: (k: number) => string,
): { perRun: Stmt[]; perRecord: Stmt[] } {
  const perRun: Stmt[] = [];
  const isConstant = (e: Expr): boolean =>
    e.k === 'num' ||
    (e.k === 'ref' && constant.has(e.name)) ||
    ((e.k === 'neg' || e.k === 'not') && isConstant(e.a)) ||
    (e.k === 'bin' && isConstant(e.a) && isConstant(e.b)) ||
    (e.k === 'call' && e.args.every(isConstant));
  const costly = (e: Expr): boolean =>
    e.k === 'call' ||
    (e.k === 'bin' && (e.op === '^' || costly(e.a) || costly(e.b))) ||
    ((e.k === 'neg' || e.k === 'not') && costly(e.a));
  const expr = (e: Expr): Expr => {
    if (costly(e) && isConstant(e)) {
      const n = name(perRun.length);
      perRun.push({ k: 'assign', name: n, expr: e, pos: e.pos });
      return { k: 'ref', name: n, pos: e.pos };
    }
    if (e.k === 'neg' || e.k === 'not') return { ...e, a: expr(e.a) };
    if (e.k === 'bin') return { ...e, a: expr(e.a), b: expr(e.b) };
    if (e.k === 'call') return { ...e, args: e.args.map(expr) };
    return e;
  };
  const stmt = (st: Stmt): Stmt => {
    if (st.k === 'assign' || st.k === 'ddt' || st.k === 'cmtprop') return { ...st, expr: expr(st.expr) };
    return {
      ...st,
      branches: st.branches.map((b) => ({ cond: expr(b.cond), body: b.body.map(stmt) })),
      otherwise: st.otherwise ? st.otherwise.map(stmt) : null,
    };
  };
  const perRecord = list.map(stmt);
  return { perRun, perRecord };
}
