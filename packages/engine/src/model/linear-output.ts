import type { Expr, ModelIR, Stmt } from './ir.ts';

/**
 * How an expression depends on the amounts and time: not at all (`const`), as a constant multiple
 * of one compartment's amount (`lin`, the compartment's name), or any other way.
 */
type Dependence = { k: 'const' } | { k: 'lin'; cmt: string } | { k: 'other' };

const CONST: Dependence = { k: 'const' };
const OTHER: Dependence = { k: 'other' };

function dependence(
  e: Expr,
  dynamic: ReadonlySet<string>,
  known: ReadonlyMap<string, Dependence>,
  cmts: ReadonlySet<string>,
): Dependence {
  const of = (x: Expr): Dependence => dependence(x, dynamic, known, cmts);
  switch (e.k) {
    case 'num':
      return CONST;
    case 'ref':
      if (cmts.has(e.name)) return { k: 'lin', cmt: e.name };
      // Time, CMT, and a dynamic name not (yet) assigned a known form: anything.
      if (dynamic.has(e.name)) return known.get(e.name) ?? OTHER;
      return CONST;
    case 'neg':
      return of(e.a);
    case 'not':
      return of(e.a).k === 'const' ? CONST : OTHER;
    case 'call':
      return e.args.every((a) => of(a).k === 'const') ? CONST : OTHER;
    case 'bin': {
      const a = of(e.a);
      const b = of(e.b);
      if (a.k === 'const' && b.k === 'const') return CONST;
      if (a.k === 'other' || b.k === 'other') return OTHER;
      if (e.op === '+' || e.op === '-') return a.k === 'lin' && b.k === 'lin' && a.cmt === b.cmt ? a : OTHER;
      if (e.op === '*') return a.k === 'lin' && b.k === 'const' ? a : a.k === 'const' ? b : OTHER;
      if (e.op === '/') return a.k === 'lin' && b.k === 'const' ? a : OTHER;
      return OTHER;
    }
  }
}

/** Names an `if` assigns, in any branch. */
function assignedIn(st: Stmt, out: Set<string>): Set<string> {
  if (st.k === 'assign') out.add(st.name);
  else if (st.k === 'if') {
    for (const b of st.branches) for (const x of b.body) assignedIn(x, out);
    for (const x of st.otherwise ?? []) assignedIn(x, out);
  }
  return out;
}

/**
 * The compartment (state index) whose amount output `output` is a constant multiple of between
 * records (`CP = central / V`: the factor may depend on parameters and covariates, not on the
 * amounts or time), or −1 when it is any other function of them (an offset, a log, a branch, two
 * compartments, time). Its time integral is then that multiple of the amount's integral, which a
 * closed form gives exactly. Read from the model's statements in order; `dynamic` = the compiler's
 * names computed from the amounts or time (`CompiledModel.dynamicNames`).
 */
export function linearOutputCompartment(ir: ModelIR, dynamic: ReadonlySet<string>, output: number): number {
  const err = ir.errors[output];
  if (!err) return -1;
  const cmts = new Set(ir.compartments);
  const known = new Map<string, Dependence>();
  for (const st of ir.statements) {
    if (st.k === 'assign') {
      if (dynamic.has(st.name)) known.set(st.name, dependence(st.expr, dynamic, known, cmts));
    } else if (st.k === 'if') {
      // A branch may assign a dynamic name differently from the others: any form.
      for (const name of assignedIn(st, new Set())) if (dynamic.has(name)) known.set(name, OTHER);
    }
  }
  const d = known.get(err.output);
  return d?.k === 'lin' ? ir.compartments.indexOf(d.cmt) : -1;
}
