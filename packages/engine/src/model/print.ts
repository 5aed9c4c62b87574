import type { CovariateDef, ErrorModel, Expr, ModelIR, ParameterDef, Stmt } from './ir.ts';

/**
 * Write a model IR as a model file (`.dtm`) that parses back to the same IR: same statements
 * (expression trees included, so the same floating-point operations in the same order), same
 * parameters, Ω, structure and residual error. Used by `dosetwin convert` to turn a NONMEM
 * control stream into a file a user can read and curate. Comments of the source are not kept;
 * free text loses what the model language cannot hold (`#` starts a comment, `"` ends a label).
 */
export function printModel(ir: ModelIR): string {
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s.replace(/\s+$/, ''));
  };
  const text = (s: string): string => s.replace(/#/g, 'no.').replace(/\s+/g, ' ').trim();
  /** A line kept as written (verified, products): only what would start a comment goes. */
  const keep = (s: string): string =>
    s
      .replace(/#/g, 'no.')
      .replace(/[\r\n]+/g, ' ')
      .trim();

  line(`model    ${ir.id || 'unnamed/model'}${ir.version ? `   version ${ir.version}` : ''}`);
  if (ir.drug) line(`drug     ${text(ir.drug)}`);
  if (ir.citation) line(`cite     ${text(ir.citation.text)}`);
  line(`units    dose ${word(ir.units.dose)} | time ${word(ir.units.time)} | conc ${word(ir.units.conc)}`);
  if (ir.measured) line(`measured ${text(ir.measured)}`);
  if (ir.population) line(`population  ${text(ir.population)}`);
  if (ir.description) {
    line('description');
    for (const l of wrap(text(ir.description), 96)) line(`  ${l}`);
  }

  if (ir.covariates.length) {
    line();
    line('covariates   unit     valid      label   handling');
    const rows = ir.covariates.map((c) => [
      c.name,
      word(c.unit),
      range(c.valid),
      quote(c.label),
      handling(c),
    ]);
    for (const r of align(rows)) line(`  ${r}`);
  }
  if (ir.parameters.length) {
    line();
    line('parameters   value    unit     label   source');
    const rows = ir.parameters.map((p: ParameterDef) => [
      p.name,
      String(p.value),
      word(p.unit),
      quote(p.label),
      text(p.source),
    ]);
    for (const r of align(rows)) line(`  ${r}`);
  }
  if (ir.etas.length) {
    line();
    line('random                                   # variances and covariances (Ω)');
    ir.etas.forEach((e, i) => line(`  ${e.iov ? 'iov ' : ''}${e.name} ~ ${numText(ir.omega[i]?.[i] ?? 0)}`));
    for (let i = 0; i < ir.etas.length; i++)
      for (let j = 0; j < i; j++) {
        const v = ir.omega[i]?.[j] ?? 0;
        if (v !== 0) line(`  cov(${ir.etas[j].name}, ${ir.etas[i].name}) = ${numText(v)}`);
      }
  }
  if (!ir.pk && ir.compartments.length) {
    line();
    const unitOf = (c: string): string => (ir.compartmentUnits?.[c] ? ` (${ir.compartmentUnits[c]})` : '');
    line(`compartments  ${ir.compartments.map((c) => c + unitOf(c)).join(', ')}`);
  }

  line();
  line('equations');
  const dynamic = new Set<string>(['t', 'CMT', ...ir.compartments]);
  const isDynamic = (st: Stmt): boolean => {
    if (st.k === 'ddt') return true;
    let d = false;
    forExprs(st, (e) => {
      if (mentions(e, dynamic)) d = true;
    });
    return d;
  };
  const pkAt = ir.pk ? firstIndex(ir.statements, isDynamic) : -1;
  const pkLine = (): void => {
    const pk = ir.pk!;
    const args = Object.entries(pk.args).map(([k, v]) => `${k} = ${printExpr(v)}`);
    if (pk.transit) args.push(`ntr = ${pk.transit}`);
    line(`  pk ${pk.name}(${args.join(', ')})`);
  };
  ir.statements.forEach((st, i) => {
    if (i === pkAt) pkLine();
    printStmt(st, '  ', line);
  });
  if (ir.pk && pkAt < 0) pkLine();

  if (ir.errors.length) {
    line();
    line('error');
    for (const e of ir.errors) line(`  ${printError(e)}`);
  }
  if (ir.targets.length) {
    line();
    line('targets');
    for (const t of ir.targets)
      line(`  ${t.metric}    ${range({ lo: t.lo, hi: t.hi })}    ${word(t.unit)}    ${text(t.note)}`);
  }
  if (ir.products?.length) {
    line();
    line('products');
    for (const p of ir.products) line(`  ${keep(p)}`);
  }
  if (ir.verified.length) {
    line();
    line('verified');
    for (const v of ir.verified) line(`  ${keep(v)}`);
  }
  return out.join('\n') + '\n';
}

function printError(e: ErrorModel): string {
  let s: string;
  const prop = (): string =>
    `prop(sd = ${numText(e.propSd)}${e.ifZero !== null ? `, if_zero = ${numText(e.ifZero)}` : ''})`;
  switch (e.kind) {
    case 'add':
      s = `add(sd = ${numText(e.addSd)})`;
      break;
    case 'prop':
      s = prop();
      break;
    case 'combined':
      s = `add(sd = ${numText(e.addSd)}) + ${prop()}${e.sum === 'sd' ? '  combine sd' : ''}`;
      break;
    case 'exp':
      s = `exp(sd = ${numText(e.propSd)})`;
      break;
    case 'variance':
      s = `variance(${printExpr(e.variance!)})`;
      break;
  }
  return `${e.output} ~ ${s}${e.cmts.length ? `   cmt ${e.cmts.join(', ')}` : ''}${e.dvids?.length ? `   dvid ${e.dvids.join(', ')}` : ''}${e.unit ? `   unit ${e.unit}` : ''}`;
}

function printStmt(st: Stmt, ind: string, line: (s: string) => void): void {
  switch (st.k) {
    case 'assign':
      line(`${ind}${st.name} = ${printExpr(st.expr)}`);
      return;
    case 'ddt':
      line(`${ind}d/dt(${st.cmt}) = ${printExpr(st.expr)}`);
      return;
    case 'cmtprop':
      line(`${ind}${st.prop}(${st.cmt}) = ${printExpr(st.expr)}`);
      return;
    case 'if':
      st.branches.forEach((b, i) => {
        line(`${ind}${i ? '} else if' : 'if'} (${printExpr(b.cond)}) {`);
        b.body.forEach((x) => printStmt(x, ind + '  ', line));
      });
      if (st.otherwise) {
        line(`${ind}} else {`);
        st.otherwise.forEach((x) => printStmt(x, ind + '  ', line));
      }
      line(`${ind}}`);
  }
}

// Precedence levels of the model language's parser (expr-parser.ts): || < && < comparison <
// + - < * / < unary < ^ (right-associative; its base is a primary).
const LEVEL: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
};
const UNARY = 6;
const POW = 7;
const PRIMARY = 8;

function levelOf(e: Expr): number {
  switch (e.k) {
    case 'num':
      return e.v < 0 || Object.is(e.v, -0) || !Number.isFinite(e.v) ? UNARY : PRIMARY;
    case 'ref':
    case 'call':
      return PRIMARY;
    case 'neg':
    case 'not':
      return UNARY;
    case 'bin':
      return e.op === '^' ? POW : LEVEL[e.op];
  }
}

/** An expression in the model language, with the parentheses its tree needs and no others. */
export function printExpr(e: Expr): string {
  const wrap = (x: Expr, min: number): string => (levelOf(x) >= min ? printExpr(x) : `(${printExpr(x)})`);
  switch (e.k) {
    case 'num':
      return numText(e.v);
    case 'ref':
      return e.name;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'neg':
      return `-${wrap(e.a, UNARY)}`;
    case 'not':
      return `!${wrap(e.a, UNARY)}`;
    case 'bin': {
      if (e.op === '^') return `${wrap(e.a, PRIMARY)}^${wrap(e.b, UNARY)}`;
      const l = LEVEL[e.op];
      // Comparisons do not chain: both sides one level up. Others are left-associative.
      const left = l === 3 ? l + 1 : l;
      return `${wrap(e.a, left)} ${e.op} ${wrap(e.b, l + 1)}`;
    }
  }
}

function numText(v: number): string {
  if (Number.isNaN(v)) return '(0 / 0)';
  if (v === Infinity) return '(1 / 0)';
  if (v === -Infinity) return '(-1 / 0)';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function word(s: string): string {
  const w = s.replace(/\s+/g, '').replace(/#/g, '');
  return w || '-';
}
function quote(s: string): string {
  return `"${s.replace(/"/g, "'").replace(/\s+/g, ' ').trim()}"`;
}
function range(r: { lo: number | null; hi: number | null } | null): string {
  if (!r || (r.lo === null && r.hi === null)) return '-';
  return `${r.lo === null ? '' : numText(r.lo)}..${r.hi === null ? '' : numText(r.hi)}`;
}
function handling(c: CovariateDef): string {
  if (c.derive) return c.derive.text;
  return c.handling.kind === 'required' ? 'required' : `default ${numText(c.handling.value)}`;
}

/** Columns padded to a common width (labels and sources keep their spaces). */
function align(rows: string[][]): string[] {
  const n = Math.max(...rows.map((r) => r.length));
  const width = Array.from({ length: n - 1 }, (_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) =>
    r.map((c, j) => (j < n - 1 && j < r.length - 1 ? c.padEnd(width[j]) : c)).join('  '),
  );
}

function wrap(s: string, width: number): string[] {
  const words = s.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

function forExprs(st: Stmt, f: (e: Expr) => void): void {
  if (st.k === 'if') {
    st.branches.forEach((b) => {
      f(b.cond);
      b.body.forEach((x) => forExprs(x, f));
    });
    st.otherwise?.forEach((x) => forExprs(x, f));
  } else f(st.expr);
}

function mentions(e: Expr, names: Set<string>): boolean {
  switch (e.k) {
    case 'num':
      return false;
    case 'ref':
      return names.has(e.name);
    case 'neg':
    case 'not':
      return mentions(e.a, names);
    case 'bin':
      return mentions(e.a, names) || mentions(e.b, names);
    case 'call':
      return e.args.some((a) => mentions(a, names));
  }
}

function firstIndex<T>(xs: readonly T[], f: (x: T) => boolean): number {
  for (let i = 0; i < xs.length; i++) if (f(xs[i])) return i;
  return -1;
}
