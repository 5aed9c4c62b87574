import type { Issue } from '../errors.ts';
import { differentiate, substitute } from '../model/derivative.ts';
import type { Expr, Pos, Stmt } from '../model/ir.ts';
import { forEachAssign, num, ref, refsOf, simplify } from './simplify.ts';

/** Name of the placeholder for EPS(k) in translated $ERROR code. */
export const epsName = (k: number): string => `@eps${k}`;
const EPS_RE = /^@eps(\d+)$/;

export interface Linearised {
  /** $ERROR statements at ε = 0, with the derivative statements ∂X/∂ε_k inserted. */
  stmts: Stmt[];
  /** var(Y | η) = Σ_k Σ_l (∂Y/∂ε_k)(∂Y/∂ε_l) Σ_kl at ε = 0, over $SIGMA parameters; null if Y is free of ε. */
  variance: Expr | null;
  /** $SIGMA elements the variance reads: [k, l] (1-based, k ≤ l) with their parameter names. */
  sigmaUsed: { k: number; l: number; name: string }[];
  /** Names of the derivative variables created (∂X/∂ε_k). */
  generated: Set<string>;
}

export const sigmaName = (k: number, l: number): string => (k === l ? `SIGMA${k}` : `SIGMA${k}_${l}`);

/**
 * NONMEM's residual model from $ERROR as written: Y's dependence on the EPS terms is analysed
 * symbolically, statement by statement (forward mode through intermediate variables and IF
 * blocks, conditions taken at ε = 0), and the variance of Y given η is NONMEM's first-order
 * linearisation in ε at ε = 0: Σ_kl (∂Y/∂ε_k)(∂Y/∂ε_l) Σ_kl. Y itself at ε = 0 is the prediction.
 * So `Y = IPRED + W*EPS(1)` gives prediction IPRED and variance W²σ₁₁ (W keeps its guards, such
 * as `IF (W.EQ.0) W = 1`), `Y = F*EXP(EPS(1))` gives F and F²σ₁₁, `Y = LOG(F) + EPS(1)` gives
 * log F and σ₁₁, `Y = F + F*EPS(1) + EPS(2)` gives F and F²σ₁₁ + σ₂₂ (+ 2F·σ₁₂).
 */
export function linearise(
  stmts: Stmt[],
  output: string,
  pos: Pos,
  sigma: number[][],
  taken: Set<string>,
  file: string,
  issues: Issue[],
): Linearised {
  // Variables that depend on ε, directly or through other such variables.
  const D = new Set<string>();
  const dependsOnEps = (e: Expr): boolean => [...refsOf(e)].some((n) => EPS_RE.test(n) || D.has(n));
  for (let changed = true; changed;) {
    changed = false;
    forEachAssign(stmts, (st) => {
      if (!D.has(st.name) && dependsOnEps(st.expr)) {
        D.add(st.name);
        changed = true;
      }
    });
  }
  const K = new Set<number>();
  forEachAssign(stmts, (st) => {
    if (!D.has(st.name)) return;
    for (const n of refsOf(st.expr)) {
      const m = EPS_RE.exec(n);
      if (m) K.add(Number(m[1]));
    }
  });
  const ks = [...K].sort((a, b) => a - b);
  const zero = new Map<string, Expr>();
  for (let k = 1; k <= Math.max(sigma.length, ...ks, 0); k++) zero.set(epsName(k), num(0, pos));
  const at0 = (e: Expr): Expr => simplify(substitute(e, zero));

  // Fresh names for ∂X/∂ε_k.
  const dName = new Map<string, string>();
  const nameOf = (x: string, k: number): string => {
    const key = `${x}|${k}`;
    let n = dName.get(key);
    if (!n) {
      n = `D${x}_EPS${k}`;
      while (taken.has(n)) n += '_';
      taken.add(n);
      dName.set(key, n);
    }
    return n;
  };

  let bad = false;
  const derivative = (e: Expr, k: number, pos: Pos): Expr => {
    let total = differentiate(e, epsName(k));
    if (total === null) return notSmooth(pos, k);
    for (const v of refsOf(e)) {
      if (!D.has(v)) continue;
      const dv = differentiate(e, v);
      if (dv === null) return notSmooth(pos, k, v);
      total = {
        k: 'bin',
        op: '+',
        a: total,
        b: { k: 'bin', op: '*', a: dv, b: ref(nameOf(v, k), pos), pos },
        pos,
      };
    }
    return at0(total);
  };
  const notSmooth = (pos: Pos, k: number, via?: string): Expr => {
    if (!bad)
      issues.push({
        code: 'DT_NONMEM_ERROR',
        severity: 'error',
        field: '$ERROR',
        message: `this statement is not differentiable in EPS(${k})${via ? ` through ${via}` : ''} at EPS = 0, so NONMEM's linearised residual variance is not defined`,
        hint: 'EPS may not appear inside ABS, MIN, MAX, INT, MOD or a comparison',
        file,
        line: pos.line,
        column: pos.column,
      });
    bad = true;
    return num(0, pos);
  };

  const transform = (list: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const st of list) {
      if (st.k === 'assign') {
        if (D.has(st.name))
          for (const k of ks)
            out.push({
              k: 'assign',
              name: nameOf(st.name, k),
              expr: derivative(st.expr, k, st.pos),
              pos: st.pos,
            });
        out.push({ ...st, expr: at0(st.expr) });
      } else if (st.k === 'if') {
        out.push({
          ...st,
          branches: st.branches.map((b) => ({ cond: at0(b.cond), body: transform(b.body) })),
          otherwise: st.otherwise && transform(st.otherwise),
        });
      } else out.push(st);
    }
    return out;
  };
  const out = transform(stmts);
  if (!D.has(output) || bad)
    return { stmts: out, variance: null, sigmaUsed: [], generated: new Set(dName.values()) };

  // var = Σ_k Σ_l dY_k dY_l Σ_kl.
  let dY = new Map<number, Expr>(ks.map((k) => [k, ref(nameOf(output, k), pos)]));
  // Readability: when Y is assigned once, at the top level, and nothing its derivatives read is
  // reassigned after it, write the derivatives into the variance instead of as statements.
  const yAssigns: number[] = [];
  out.forEach((st, i) => st.k === 'assign' && st.name === output && yAssigns.push(i));
  let nestedY = false;
  forEachAssign(out, (st, depth) => {
    if (st.name === output && depth > 0) nestedY = true;
  });
  let stmtsOut = out;
  if (yAssigns.length === 1 && !nestedY) {
    const yi = yAssigns[0];
    const derivIdx = ks.map((_, j) => yi - ks.length + j);
    const exprs = derivIdx.map((i) => (out[i] as Extract<Stmt, { k: 'assign' }>).expr);
    const reads = new Set<string>();
    exprs.forEach((e) => refsOf(e, reads));
    const derivNames = new Set(dName.values());
    let reassigned = [...reads].some((n) => derivNames.has(n));
    forEachAssign(out.slice(yi + 1), (st) => {
      if (reads.has(st.name)) reassigned = true;
    });
    if (!reassigned) {
      dY = new Map(ks.map((k, j) => [k, exprs[j]]));
      stmtsOut = out.filter((_, i) => !derivIdx.includes(i));
    }
  }
  const sigmaUsed: Linearised['sigmaUsed'] = [];
  const terms: Expr[] = [];
  const mul = (a: Expr, b: Expr): Expr => ({ k: 'bin', op: '*', a, b, pos });
  const square = (a: Expr): Expr =>
    a.k === 'num' ? num(a.v * a.v, pos) : { k: 'bin', op: '^', a, b: num(2, pos), pos };
  for (const k of ks)
    for (const l of ks) {
      if (l < k) continue;
      const s = sigma[k - 1]?.[l - 1] ?? 0;
      if (s === 0) continue;
      const name = sigmaName(k, l);
      sigmaUsed.push({ k, l, name });
      const dk = dY.get(k)!;
      const dl = dY.get(l)!;
      if (k === l) terms.push(isOne(dk) ? ref(name, pos) : mul(ref(name, pos), square(dk)));
      else terms.push(mul(mul(num(2, pos), ref(name, pos)), mul(dk, dl)));
    }
  const variance = terms.length
    ? terms.reduce((a, b) => ({ k: 'bin', op: '+', a, b, pos }) as Expr)
    : num(0, pos);
  return { stmts: stmtsOut, variance: simplify(variance), sigmaUsed, generated: new Set(dName.values()) };
}

const isOne = (e: Expr): boolean => e.k === 'num' && e.v === 1;
