import { FUNCTIONS } from '../model/compile.ts';
import type { Expr, Pos, Stmt } from '../model/ir.ts';

/** Small expression helpers shared by the NONMEM translation. */

export const num = (v: number, pos: Pos): Expr => ({ k: 'num', v, pos });
export const ref = (name: string, pos: Pos): Expr => ({ k: 'ref', name, pos });

/** Value of an expression made of numbers only (arithmetic, comparisons, logic, functions), else null. */
export function constValue(e: Expr): number | null {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'ref':
      return null;
    case 'neg': {
      const a = constValue(e.a);
      return a === null ? null : -a;
    }
    case 'not': {
      const a = constValue(e.a);
      return a === null ? null : a === 0 ? 1 : 0;
    }
    case 'bin': {
      const a = constValue(e.a);
      const b = constValue(e.b);
      if (a === null || b === null) return null;
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '^':
          return Math.pow(a, b);
        case '==':
          return a === b ? 1 : 0;
        case '!=':
          return a !== b ? 1 : 0;
        case '<':
          return a < b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '>':
          return a > b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '&&':
          return a !== 0 && b !== 0 ? 1 : 0;
        case '||':
          return a !== 0 || b !== 0 ? 1 : 0;
      }
      return null;
    }
    case 'call': {
      const args = e.args.map(constValue);
      if (args.some((a) => a === null)) return null;
      if (e.fn === 'ifelse') return args[0] !== 0 ? args[1] : args[2];
      const f = FUNCTIONS[e.fn]?.f;
      return f ? f(...(args as number[])) : null;
    }
  }
}

const isNum = (e: Expr, v: number): boolean => e.k === 'num' && e.v === v;

/** A constant as the model language's parser writes it: a negative value is −(literal). */
export function constant(v: number, pos: Pos): Expr {
  return v < 0 || Object.is(v, -0) ? { k: 'neg', a: num(-v, pos), pos } : num(v, pos);
}

/**
 * Fold constants and drop neutral terms (x + 0, x·1, x·0 → 0, x^1, exp(0) → 1), so that
 * `IPRED + W*EPS(1)` at EPS = 0 reads `IPRED` and its derivative `W`.
 */
export function simplify(e: Expr): Expr {
  switch (e.k) {
    case 'num':
    case 'ref':
      return e;
    case 'neg': {
      const a = simplify(e.a);
      if (a.k === 'neg') return a.a;
      return { ...e, a };
    }
    case 'not': {
      const a = simplify(e.a);
      const c = constValue(a);
      return c === null ? { ...e, a } : constant(c === 0 ? 1 : 0, e.pos);
    }
    case 'bin': {
      const a = simplify(e.a);
      const b = simplify(e.b);
      const r: Expr = { ...e, a, b };
      const c = constValue(r);
      if (c !== null && Number.isFinite(c)) return constant(c, e.pos);
      switch (e.op) {
        case '+':
          if (isNum(a, 0)) return b;
          if (isNum(b, 0)) return a;
          break;
        case '-':
          if (isNum(b, 0)) return a;
          if (isNum(a, 0)) return simplify({ k: 'neg', a: b, pos: e.pos });
          break;
        case '*':
          if (isNum(a, 0) || isNum(b, 0)) return num(0, e.pos);
          if (isNum(a, 1)) return b;
          if (isNum(b, 1)) return a;
          break;
        case '/':
          if (isNum(a, 0) && !(b.k === 'num' && b.v === 0)) return num(0, e.pos);
          if (isNum(b, 1)) return a;
          break;
        case '^':
          if (isNum(b, 1)) return a;
          if (isNum(b, 0)) return num(1, e.pos);
          break;
      }
      return r;
    }
    case 'call': {
      const args = e.args.map(simplify);
      const r: Expr = { ...e, args };
      const c = constValue(r);
      if (c !== null && Number.isFinite(c)) return constant(c, e.pos);
      if (e.fn === 'ifelse' && args.length === 3) {
        const k = constValue(args[0]);
        if (k !== null) return k !== 0 ? args[1] : args[2];
      }
      return r;
    }
  }
}

/** Names referenced by an expression. */
export function refsOf(e: Expr, into: Set<string> = new Set()): Set<string> {
  switch (e.k) {
    case 'num':
      break;
    case 'ref':
      into.add(e.name);
      break;
    case 'neg':
    case 'not':
      refsOf(e.a, into);
      break;
    case 'bin':
      refsOf(e.a, into);
      refsOf(e.b, into);
      break;
    case 'call':
      e.args.forEach((a) => refsOf(a, into));
      break;
  }
  return into;
}

/** Visit every expression of a statement list (conditions, right-hand sides). */
export function forEachExpr(list: readonly Stmt[], f: (e: Expr, st: Stmt) => void): void {
  for (const st of list) {
    if (st.k === 'if') {
      st.branches.forEach((b) => {
        f(b.cond, st);
        forEachExpr(b.body, f);
      });
      if (st.otherwise) forEachExpr(st.otherwise, f);
    } else f(st.expr, st);
  }
}

/** Every assignment (also nested in IF blocks). */
export function forEachAssign(
  list: readonly Stmt[],
  f: (st: Extract<Stmt, { k: 'assign' }>, depth: number) => void,
  depth = 0,
): void {
  for (const st of list) {
    if (st.k === 'assign') f(st, depth);
    else if (st.k === 'if') {
      st.branches.forEach((b) => forEachAssign(b.body, f, depth + 1));
      if (st.otherwise) forEachAssign(st.otherwise, f, depth + 1);
    }
  }
}

/** Rename references (not assignment targets) in an expression. */
export function renameRefs(e: Expr, map: ReadonlyMap<string, string>): Expr {
  switch (e.k) {
    case 'num':
      return e;
    case 'ref':
      return map.has(e.name) ? { ...e, name: map.get(e.name)! } : e;
    case 'neg':
    case 'not':
      return { ...e, a: renameRefs(e.a, map) };
    case 'bin':
      return { ...e, a: renameRefs(e.a, map), b: renameRefs(e.b, map) };
    case 'call':
      return { ...e, args: e.args.map((a) => renameRefs(a, map)) };
  }
}
