import type { Expr, Pos } from './ir.ts';

/**
 * Symbolic differentiation of IR expressions, with the light simplification (0·x = 0, 1·x = x,
 * x + 0 = x) that keeps results small and makes "does ∂f/∂A still contain A?" answerable by a
 * plain reference scan. Returns null where the derivative is not smooth or not defined
 * symbolically (comparisons, abs, min, max, ifelse of the variable): callers then treat the
 * expression as non-linear / fall back to finite differences.
 */
export function differentiate(e: Expr, x: string): Expr | null {
  const P = e.pos;
  switch (e.k) {
    case 'num':
      return num(0, P);
    case 'ref':
      return num(e.name === x ? 1 : 0, P);
    case 'neg': {
      const d = differentiate(e.a, x);
      return d && neg(d);
    }
    case 'not':
      return dependsOn(e.a, x) ? null : num(0, P);
    case 'bin': {
      const { a, b } = e;
      if (['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(e.op))
        return dependsOn(e, x) ? null : num(0, P);
      const da = differentiate(a, x);
      const db = differentiate(b, x);
      if (!da || !db) return null;
      switch (e.op) {
        case '+':
          return add(da, db);
        case '-':
          return sub(da, db);
        case '*':
          return add(mul(da, b), mul(a, db));
        case '/':
          // (a/b)' = a'/b − a·b'/b²
          return sub(div(da, b), div(mul(a, db), mul(b, b)));
        case '^':
          if (isZero(db)) return mul(mul(b, pow(a, sub(b, num(1, P)))), da);
          // d(a^b) = a^b·(b'·ln a + b·a'/a)
          return mul(e, add(mul(db, call('log', [a], P)), div(mul(b, da), a)));
      }
      return null;
    }
    case 'call': {
      if (!e.args.some((a) => dependsOn(a, x))) return num(0, P);
      const a = e.args[0];
      const da = differentiate(a, x);
      if (!da) return null;
      switch (e.fn) {
        case 'exp':
          return mul(e, da);
        case 'log':
          return div(da, a);
        case 'log10':
          return div(da, mul(a, num(Math.LN10, P)));
        case 'sqrt':
          return div(da, mul(num(2, P), e));
        case 'pow': {
          const b = e.args[1];
          return differentiate({ k: 'bin', op: '^', a, b, pos: P }, x);
        }
      }
      return null;
    }
  }
}

/** True when `e` references `x` (directly; callers inline intermediates first). */
export function dependsOn(e: Expr, x: string): boolean {
  switch (e.k) {
    case 'num':
      return false;
    case 'ref':
      return e.name === x;
    case 'neg':
    case 'not':
      return dependsOn(e.a, x);
    case 'bin':
      return dependsOn(e.a, x) || dependsOn(e.b, x);
    case 'call':
      return e.args.some((a) => dependsOn(a, x));
  }
}

/** Replace references by expressions (used to inline intermediate variables). */
export function substitute(e: Expr, env: ReadonlyMap<string, Expr>): Expr {
  switch (e.k) {
    case 'num':
      return e;
    case 'ref':
      return env.get(e.name) ?? e;
    case 'neg':
      return { ...e, a: substitute(e.a, env) };
    case 'not':
      return { ...e, a: substitute(e.a, env) };
    case 'bin':
      return { ...e, a: substitute(e.a, env), b: substitute(e.b, env) };
    case 'call':
      return { ...e, args: e.args.map((a) => substitute(a, env)) };
  }
}

const num = (v: number, pos: Pos): Expr => ({ k: 'num', v, pos });
const isZero = (e: Expr): boolean => e.k === 'num' && e.v === 0;
const isOne = (e: Expr): boolean => e.k === 'num' && e.v === 1;
function neg(a: Expr): Expr {
  if (a.k === 'num') return num(-a.v, a.pos);
  return { k: 'neg', a, pos: a.pos };
}
function add(a: Expr, b: Expr): Expr {
  if (isZero(a)) return b;
  if (isZero(b)) return a;
  if (a.k === 'num' && b.k === 'num') return num(a.v + b.v, a.pos);
  return { k: 'bin', op: '+', a, b, pos: a.pos };
}
function sub(a: Expr, b: Expr): Expr {
  if (isZero(b)) return a;
  if (isZero(a)) return neg(b);
  if (a.k === 'num' && b.k === 'num') return num(a.v - b.v, a.pos);
  return { k: 'bin', op: '-', a, b, pos: a.pos };
}
function mul(a: Expr, b: Expr): Expr {
  if (isZero(a) || isZero(b)) return num(0, a.pos);
  if (isOne(a)) return b;
  if (isOne(b)) return a;
  if (a.k === 'num' && b.k === 'num') return num(a.v * b.v, a.pos);
  return { k: 'bin', op: '*', a, b, pos: a.pos };
}
function div(a: Expr, b: Expr): Expr {
  if (isZero(a)) return num(0, a.pos);
  if (isOne(b)) return a;
  return { k: 'bin', op: '/', a, b, pos: a.pos };
}
function pow(a: Expr, b: Expr): Expr {
  if (isZero(b)) return num(1, a.pos);
  if (isOne(b)) return a;
  return { k: 'bin', op: '^', a, b, pos: a.pos };
}
function call(fn: string, args: Expr[], pos: Pos): Expr {
  return { k: 'call', fn, args, pos };
}
