import { differentiate } from './derivative.ts';
import type { Expr, Pos, Stmt } from './ir.ts';

/**
 * Forward-mode differentiation of a statement list with respect to the random effects, written as
 * more statements of the IR (so they compile, and run, as the model's own code; never from the
 * model's text): before each assignment `v = e` whose value depends on the etas come, for each
 * eta η_j, the statements
 *
 *     ∂v/∂η_j = Σ_u (∂e/∂u)·∂u/∂η_j       (u = η_j: ∂e/∂η_j itself; another eta: 0),
 *
 * with ∂e/∂u symbolic (`derivative.ts`), evaluated with the values before the assignment. An `if`
 * keeps its conditions and has its branches differentiated: the derivative is that of the branch
 * taken (the one-sided derivative where a condition switches). Compartment properties (lag,
 * bioavailability, …) are written as assignments to `@prop:cmt`, their slots' names.
 */

/** The name of ∂v/∂η. */
export const etaDerivativeName = (v: string, eta: string): string => `∂${v}/∂${eta}`;

function reads(e: Expr, out: Set<string>): Set<string> {
  if (e.k === 'ref') out.add(e.name);
  else if (e.k === 'neg' || e.k === 'not') reads(e.a, out);
  else if (e.k === 'bin') {
    reads(e.a, out);
    reads(e.b, out);
  } else if (e.k === 'call') e.args.forEach((a) => reads(a, out));
  return out;
}

/** Target name of an assignment or compartment property. */
const target = (st: Stmt): string | null =>
  st.k === 'assign' ? st.name : st.k === 'cmtprop' ? `@${st.prop}:${st.cmt}` : null;

/**
 * Names whose value depends on any of `seeds` through the statements (assignment order; a name
 * stays dependent once one of its assignments reads a dependent name).
 */
export function dependentNames(stmts: readonly Stmt[], seeds: Iterable<string>): Set<string> {
  const dep = new Set(seeds);
  const walk = (list: readonly Stmt[]): void => {
    for (const st of list) {
      if (st.k === 'if') {
        st.branches.forEach((b) => walk(b.body));
        if (st.otherwise) walk(st.otherwise);
        continue;
      }
      const name = target(st);
      if (name && [...reads(st.expr, new Set())].some((x) => dep.has(x))) dep.add(name);
    }
  };
  // Twice: a name made dependent late is then seen by the assignments before it (a list run again).
  walk(stmts);
  walk(stmts);
  return dep;
}

/**
 * The derivative statements of one assignment `name = e` (one per eta), null where e is not
 * differentiable (abs, min, max, a comparison of a dependent value).
 */
export function derivativeAssignments(
  name: string,
  e: Expr,
  dep: ReadonlySet<string>,
  etas: readonly string[],
  pos: Pos,
): Stmt[] | null {
  const us = [...reads(e, new Set())].filter((u) => dep.has(u));
  const partials: { u: string; de: Expr }[] = [];
  for (const u of us) {
    const de = differentiate(e, u);
    if (!de) return null;
    if (!(de.k === 'num' && de.v === 0)) partials.push({ u, de });
  }
  const etaSet = new Set(etas);
  return etas.map((eta) => {
    let sum: Expr | null = null;
    for (const { u, de } of partials) {
      let term: Expr;
      if (u === eta) term = de;
      else if (etaSet.has(u)) continue;
      else {
        const du: Expr = { k: 'ref', name: etaDerivativeName(u, eta), pos };
        term = de.k === 'num' && de.v === 1 ? du : { k: 'bin', op: '*', a: de, b: du, pos };
      }
      sum = sum ? { k: 'bin', op: '+', a: sum, b: term, pos } : term;
    }
    return { k: 'assign', name: etaDerivativeName(name, eta), expr: sum ?? { k: 'num', v: 0, pos }, pos };
  });
}

/**
 * `stmts` with the derivative statements of every assignment to a name in `dep` inserted before
 * it; null where a dependent expression is not differentiable. A compartment property set inside
 * an `if` takes its default (a constant) where no branch sets it, so its derivatives start at 0,
 * written first, and the branch taken overwrites them.
 */
export function withEtaDerivatives(
  stmts: readonly Stmt[],
  dep: ReadonlySet<string>,
  etas: readonly string[],
): Stmt[] | null {
  const conditional = new Map<string, Pos>();
  const out = augment(stmts, dep, etas, false, conditional);
  if (!out) return null;
  const zeros: Stmt[] = [];
  for (const [name, pos] of conditional)
    for (const eta of etas)
      zeros.push({ k: 'assign', name: etaDerivativeName(name, eta), expr: { k: 'num', v: 0, pos }, pos });
  return [...zeros, ...out];
}

function augment(
  stmts: readonly Stmt[],
  dep: ReadonlySet<string>,
  etas: readonly string[],
  nested: boolean,
  conditional: Map<string, Pos>,
): Stmt[] | null {
  const out: Stmt[] = [];
  for (const st of stmts) {
    if (st.k === 'if') {
      const branches: { cond: Expr; body: Stmt[] }[] = [];
      for (const b of st.branches) {
        const body = augment(b.body, dep, etas, true, conditional);
        if (!body) return null;
        branches.push({ cond: b.cond, body });
      }
      let otherwise: Stmt[] | null = null;
      if (st.otherwise) {
        otherwise = augment(st.otherwise, dep, etas, true, conditional);
        if (!otherwise) return null;
      }
      out.push({ ...st, branches, otherwise });
      continue;
    }
    if (st.k === 'ddt') return null;
    const name = target(st)!;
    if (dep.has(name)) {
      if (st.k === 'cmtprop' && nested && !conditional.has(name)) conditional.set(name, st.pos);
      const ds = derivativeAssignments(name, st.expr, dep, etas, st.pos);
      if (!ds) return null;
      out.push(...ds);
    }
    out.push(st);
  }
  return out;
}
