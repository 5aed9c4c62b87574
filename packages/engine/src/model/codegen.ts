/**
 * Straight-line JavaScript for the model's blocks (individual parameters, ODE right-hand side,
 * outputs, Jacobians, sensitivity equations), generated from the validated IR.
 *
 * Why generated code: a block compiled to nested closures (`compile.ts`) pays one indirect call
 * per operation, and V8 cannot inline them (every call site sees many closures), which made the
 * closures 30 % of the time of a Michaelis–Menten fit. The same operations written out as one
 * function are compiled by the JIT to straight-line machine code.
 *
 * Why it is safe: the source is assembled only from slot indices (integers), numbers printed by
 * {@link literal}, a fixed set of operators and `Math` functions, and local names the generator
 * makes up (`s`, `a3`, `v12`…). No name, string or comment from the model file ever reaches it, so
 * the text a model author writes cannot become code. This module is the only place in the engine
 * that builds a function from source (`Function`, never `eval`), which is why the lint rule
 * against it is lifted here alone.
 *
 * Where `Function` is not allowed (a Content-Security-Policy without 'unsafe-eval', as the clinical
 * web app sets), {@link codegenAvailable} is false and callers keep the closures: same operations in
 * the same order, hence the same results, only slower.
 */
import type { Expr, Stmt } from './ir.ts';

/** How a block refers to one name: a slot of `s`, or a local variable of the generated function. */
export type NameRef = (name: string) => string;

let available: boolean | null = null;
let allowed = true;

/**
 * Turn generated code off (or back on) for models compiled from now on: for hosts that must not
 * build functions, and for tests that compare both paths.
 */
export function setCodegen(on: boolean): void {
  allowed = on;
}

/** Whether functions can be built from source here (false under a CSP without 'unsafe-eval'). */
export function codegenAvailable(): boolean {
  if (!allowed) return false;
  if (available === null) {
    try {
      available = build<() => number>([], 'return 1;')() === 1;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * A function from generated parameters and body. The body comes from the generators of this module
 * (see the module comment for why that text is safe).
 */
export function build<F>(params: readonly string[], body: string): F {
  // eslint-disable-next-line no-new-func -- the one place the engine builds code: from the IR, never from user text (module comment)
  return new Function(...params, `'use strict';\n${body}`) as F;
}

/** A number as a JavaScript literal that reads back as the same double. */
export function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  const t = String(v); // shortest round-trip representation
  return v < 0 ? `(${t})` : t;
}

const MATH1: Record<string, string> = {
  exp: 'Math.exp',
  log: 'Math.log',
  log10: 'Math.log10',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  floor: 'Math.floor',
  int: 'Math.trunc',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  asin: 'Math.asin',
  acos: 'Math.acos',
  atan: 'Math.atan',
};

/**
 * An expression as JavaScript, with the semantics of `compileExpr` (booleans are 1/0, `^` is
 * Math.pow, `mod` is the Fortran remainder) and its operations in the same order, so both give the
 * same double.
 */
export function exprCode(e: Expr, ref: NameRef): string {
  switch (e.k) {
    case 'num':
      return literal(e.v);
    case 'ref':
      return ref(e.name);
    case 'neg':
      return `(-${exprCode(e.a, ref)})`;
    case 'not':
      return `(${exprCode(e.a, ref)} === 0 ? 1 : 0)`;
    case 'bin': {
      const a = exprCode(e.a, ref);
      const b = exprCode(e.b, ref);
      switch (e.op) {
        case '+':
        case '-':
        case '*':
        case '/':
          return `(${a} ${e.op} ${b})`;
        case '^':
          return `Math.pow(${a}, ${b})`;
        case '==':
          return `(${a} === ${b} ? 1 : 0)`;
        case '!=':
          return `(${a} !== ${b} ? 1 : 0)`;
        case '<':
        case '<=':
        case '>':
        case '>=':
          return `(${a} ${e.op} ${b} ? 1 : 0)`;
        case '&&':
          return `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`;
        case '||':
          return `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`;
      }
      throw new Error(`internal: operator ${String(e.op)}`);
    }
    case 'call': {
      const args = e.args.map((x) => exprCode(x, ref));
      if (e.fn === 'ifelse') return `(${args[0]} !== 0 ? ${args[1]} : ${args[2]})`;
      if (e.fn === 'mod') return `(${args[0]} % ${args[1]})`;
      if (e.fn === 'pow') return `Math.pow(${args[0]}, ${args[1]})`;
      if (e.fn === 'min' || e.fn === 'max') return `Math.${e.fn}(${args.join(', ')})`;
      const f = MATH1[e.fn];
      if (!f) throw new Error(`internal: no code for function ${e.fn}`);
      return `${f}(${args[0]})`;
    }
  }
}

/** Statements (assignments and `if`, as `compileStmt` runs them) as JavaScript lines. */
export function stmtsCode(list: readonly Stmt[], ref: NameRef, out: string[] = [], indent = '  '): string[] {
  for (const st of list) {
    if (st.k === 'assign') out.push(`${indent}${ref(st.name)} = ${exprCode(st.expr, ref)};`);
    else if (st.k === 'if') {
      st.branches.forEach((b, i) => {
        out.push(`${indent}${i === 0 ? 'if' : '} else if'} (${exprCode(b.cond, ref)} !== 0) {`);
        stmtsCode(b.body, ref, out, indent + '  ');
      });
      if (st.otherwise) {
        out.push(`${indent}} else {`);
        stmtsCode(st.otherwise, ref, out, indent + '  ');
      }
      out.push(`${indent}}`);
    } else throw new Error(`internal: statement kind ${st.k} should have been desugared`);
  }
  return out;
}

/** Names a list of statements assigns (also inside `if`). */
export function assigned(list: readonly Stmt[], into = new Set<string>()): Set<string> {
  for (const st of list)
    if (st.k === 'assign') into.add(st.name);
    else if (st.k === 'if') {
      st.branches.forEach((b) => assigned(b.body, into));
      if (st.otherwise) assigned(st.otherwise, into);
    }
  return into;
}

/** The slot reference `s[k]` of a name. */
export function slotRef(slotOf: ReadonlyMap<string, number>): NameRef {
  return (name) => {
    const k = slotOf.get(name);
    if (k === undefined) throw new Error(`internal: no slot for '${name}'`);
    return `s[${k}]`;
  };
}

/**
 * A block as one generated function `(s) => void` reading and writing the slots, equivalent to
 * `compileBlock`; null when code cannot be generated here.
 */
export function generateRun(
  list: readonly Stmt[],
  slotOf: ReadonlyMap<string, number>,
): ((s: Float64Array) => void) | null {
  if (!codegenAvailable()) return null;
  return build<(s: Float64Array) => void>(['s'], stmtsCode(list, slotRef(slotOf)).join('\n'));
}

/**
 * Expressions evaluated into consecutive entries of an output array: `(s, out) => void` with
 * out[offset + k] = exprs[k] (null entries are skipped), after `prelude` statements whose
 * variables are kept in locals. Null when code cannot be generated here.
 */
export function generateVector(
  prelude: readonly Stmt[],
  exprs: readonly (Expr | null)[],
  slotOf: ReadonlyMap<string, number>,
): ((s: Float64Array, out: Float64Array) => void) | null {
  if (!codegenAvailable()) return null;
  const locals = new Map<string, string>();
  for (const name of assigned(prelude)) locals.set(name, `v${locals.size}`);
  const slot = slotRef(slotOf);
  const ref: NameRef = (name) => locals.get(name) ?? slot(name);
  const lines: string[] = [];
  // Locals start from the slots: a variable assigned in some branches only keeps its last value.
  // (Names without a slot are the generator's own, always assigned before they are read.)
  for (const [name, local] of locals) lines.push(`  let ${local} = ${slotOf.has(name) ? slot(name) : '0'};`);
  stmtsCode(prelude, ref, lines);
  exprs.forEach((e, k) => {
    if (e) lines.push(`  out[${k}] = ${exprCode(e, ref)};`);
  });
  return build<(s: Float64Array, out: Float64Array) => void>(['s', 'out'], lines.join('\n'));
}

/** dy/dt of a generated right-hand side: `(s, t, y, dydt, input)`, see {@link generateRhs}. */
export type RhsKernel = (
  s: Float64Array,
  t: number,
  y: Float64Array,
  dydt: Float64Array,
  input: Float64Array,
) => void;

/**
 * The ODE right-hand side as one generated function: the states are read from `y` (not copied into
 * the slots), intermediates live in locals, and dydt_i = f_i + input_i is written directly — what
 * the simulator's copy-in, `derivatives`, copy-out did, without the copies. `states` are the state
 * names in order, `ddt[i]` the name holding f_i after `list`. `tail` lines (generated by the caller
 * from the same `ref`) may follow before the dydt writes. Null where code cannot be generated here.
 */
export function generateRhs(
  list: readonly Stmt[],
  states: readonly string[],
  ddt: readonly string[],
  slotOf: ReadonlyMap<string, number>,
  tail?: (ref: NameRef) => { lines: string[]; dydt: string[] },
): RhsKernel | null {
  if (!codegenAvailable()) return null;
  const slot = slotRef(slotOf);
  const locals = new Map<string, string>();
  states.forEach((c, i) => locals.set(c, `a${i}`));
  locals.set('t', 't');
  const intermediates = [...assigned(list)].filter((x) => !locals.has(x));
  for (const name of intermediates) locals.set(name, `v${locals.size}`);
  const ref: NameRef = (name) => locals.get(name) ?? slot(name);
  const lines: string[] = [];
  states.forEach((_, i) => lines.push(`  const a${i} = y[${i}];`));
  for (const name of intermediates) lines.push(`  let ${locals.get(name)} = ${slot(name)};`);
  stmtsCode(list, ref, lines);
  const more = tail ? tail(ref) : { lines: [], dydt: [] };
  lines.push(...more.lines);
  ddt.forEach((d, i) => lines.push(`  dydt[${i}] = ${ref(d)} + input[${i}];`));
  more.dydt.forEach((e, k) => lines.push(`  dydt[${ddt.length + k}] = ${e} + input[${ddt.length + k}];`));
  return build<RhsKernel>(['s', 't', 'y', 'dydt', 'input'], lines.join('\n'));
}
