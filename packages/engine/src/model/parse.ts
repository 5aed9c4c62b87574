import { DosetwinError, type Issue } from '../errors.ts';
import { TokenParser } from './expr-parser.ts';
import type {
  CovariateDef,
  DeriveRule,
  Expr,
  ErrorModel,
  EtaDef,
  ModelIR,
  ParameterDef,
  PkStructure,
  PkStructureName,
  Pos,
  Stmt,
  TargetDef,
} from './ir.ts';
import { tokenize, type Token } from './lexer.ts';

/**
 * Parse a `.dtm` model file into the IR. The file is a sequence of blocks; a block starts with a
 * keyword at the first column and owns the indented lines below it:
 *
 *     model bench/run001  version 1.0.0
 *     cite  Le Louedec F et al. CPT Pharmacometrics Syst Pharmacol 2021. doi:10.1002/psp4.12689
 *     units dose mg | time h | conc mg/L
 *     parameters   value  unit  label
 *       TVCL       4      L/h   "clearance"
 *     random
 *       eta_CL ~ 0.2
 *     equations
 *       CL = TVCL * exp(eta_CL)
 *       pk one_cmt(cl = CL, v = V, ka = KA)
 *       CP = central / V
 *     error
 *       CP ~ prop(var = 0.05)
 *
 * All problems found are collected and thrown together as one {@link DosetwinError}.
 */
export function parseModel(source: string, file = 'model.dtm'): ModelIR {
  const issues: Issue[] = [];
  const err = (pos: Pos, message: string, hint?: string, field = 'model'): void => {
    issues.push({
      code: 'DT_MODEL_SYNTAX',
      severity: 'error',
      field,
      message,
      file,
      line: pos.line,
      column: pos.column,
      ...(hint ? { hint } : {}),
    });
  };
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof DosetwinError) issues.push(...e.issues);
      else throw e;
    }
  };

  const ir: ModelIR = {
    id: '',
    version: '',
    drug: '',
    citation: null,
    units: { dose: '', time: '', conc: '' },
    measured: '',
    population: '',
    description: '',
    covariates: [],
    parameters: [],
    etas: [],
    omega: [],
    compartments: [],
    pk: null,
    statements: [],
    errors: [],
    targets: [],
    verified: [],
    file,
  };
  const omegaEntries: { a: string; b: string; v: number; pos: Pos }[] = [];
  let compartmentsDeclared: { names: string[]; pos: Pos } | null = null;

  // ---- split into blocks ----
  const rawLines = source.split('\n');
  interface Block {
    keyword: string;
    pos: Pos;
    /** Text after the keyword on the header line. */
    inline: string;
    inlineCol: number;
    body: { text: string; line: number }[];
  }
  const blocks: Block[] = [];
  rawLines.forEach((raw, idx) => {
    const line = idx + 1;
    const text = raw.replace(/\r$/, '');
    const stripped = stripComment(text);
    if (stripped.trim() === '') return;
    if (/^\s/.test(text)) {
      if (!blocks.length) {
        err({ line, column: 1 }, 'indented line before any block', "start the file with 'model <id>'");
        return;
      }
      blocks[blocks.length - 1].body.push({ text, line });
      return;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*/.exec(text);
    if (!m) {
      err({ line, column: 1 }, `expected a block keyword, found '${text.trim().slice(0, 20)}'`);
      return;
    }
    blocks.push({
      keyword: m[1],
      pos: { line, column: 1 },
      inline: text.slice(m[0].length),
      inlineCol: m[0].length + 1,
      body: [],
    });
  });

  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(b.keyword) && b.keyword !== 'verified') err(b.pos, `block '${b.keyword}' appears twice`);
    seen.add(b.keyword);
    const inlineText = stripComment(b.inline).trim();
    switch (b.keyword) {
      case 'model': {
        const parts = inlineText.split(/\s+/);
        ir.id = parts[0] ?? '';
        if (!ir.id) err(b.pos, "'model' needs an id, e.g. 'model vancomycin/goti2018'");
        if (parts[1] === 'version') ir.version = parts[2] ?? '';
        else if (parts.length > 1)
          err(b.pos, `unexpected '${parts[1]}' after the model id`, "write 'model ID version X.Y.Z'");
        break;
      }
      case 'version':
        ir.version = inlineText;
        break;
      case 'drug':
        ir.drug = inlineText;
        break;
      case 'cite': {
        const text = [inlineText, ...b.body.map((l) => stripComment(l.text).trim())].join(' ').trim();
        const doi = /doi:\s*(\S+)/i.exec(text);
        ir.citation = { text, ...(doi ? { doi: doi[1].replace(/[.,;]$/, '') } : {}) };
        break;
      }
      case 'measured':
        ir.measured = inlineText;
        break;
      case 'population':
        ir.population = [inlineText, ...b.body.map((l) => stripComment(l.text).trim())].join(' ').trim();
        break;
      case 'description':
        ir.description = [inlineText, ...b.body.map((l) => stripComment(l.text).trim())].join(' ').trim();
        break;
      case 'units': {
        for (const part of inlineText.split('|')) {
          const [k, u, extra] = part.trim().split(/\s+/);
          if ((k === 'dose' || k === 'time' || k === 'conc') && u && !extra) ir.units[k] = u;
          else err(b.pos, `bad units entry '${part.trim()}'`, "write 'units dose mg | time h | conc mg/L'");
        }
        for (const k of ['dose', 'time', 'conc'] as const)
          if (!ir.units[k]) err(b.pos, `units: missing '${k}'`);
        break;
      }
      case 'covariates':
        for (const l of b.body) guard(() => ir.covariates.push(parseCovariateRow(l, file)));
        break;
      case 'parameters':
        for (const l of b.body) guard(() => ir.parameters.push(parseParameterRow(l, file)));
        break;
      case 'random':
        guard(() => parseRandom(tokenize(b.body, file), file, ir.etas, omegaEntries));
        break;
      case 'compartments': {
        // `name (unit)` gives a compartment that is not an amount in the dose unit its unit.
        const units: Record<string, string> = {};
        const names = [inlineText, ...b.body.map((l) => stripComment(l.text).trim())]
          .join(',')
          .replace(/([A-Za-z_][A-Za-z0-9_]*)\s*\(([^()]*)\)/g, (_, name: string, unit: string) => {
            if (!unit.trim())
              err(b.pos, `compartment '${name}': empty unit in ()`, "write e.g. 'effect (mg/L)' or 'a1 (-)'");
            units[name] = unit.trim();
            return name;
          })
          .split(/[\s,]+/)
          .filter(Boolean);
        if (Object.keys(units).length) ir.compartmentUnits = units;
        for (const n of names)
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) err(b.pos, `bad compartment name '${n}'`);
        compartmentsDeclared = { names, pos: b.pos };
        break;
      }
      case 'equations':
        guard(() => {
          const { statements, pk } = parseEquations(tokenize(b.body, file), file);
          ir.statements = statements;
          ir.pk = pk;
        });
        break;
      case 'error':
        guard(() => ir.errors.push(...parseErrors(tokenize(b.body, file), file)));
        break;
      case 'targets':
        for (const l of b.body) guard(() => ir.targets.push(parseTargetRow(l, file)));
        break;
      case 'verified':
        ir.verified.push(...b.body.map((l) => stripComment(l.text).trim()));
        break;
      case 'products':
        ir.products = [inlineText, ...b.body.map((l) => stripComment(l.text).trim())].filter(Boolean);
        break;
      default:
        err(
          b.pos,
          `unknown block '${b.keyword}'`,
          'blocks are: model, drug, cite, units, measured, population, description, covariates, parameters, random, compartments, equations, error, targets, products, verified',
        );
    }
  }
  if (!seen.has('model')) err({ line: 1, column: 1 }, "missing 'model' line");
  if (!seen.has('units'))
    err({ line: 1, column: 1 }, "missing 'units' line", "add 'units dose mg | time h | conc mg/L'");
  if (!seen.has('equations')) err({ line: 1, column: 1 }, "missing 'equations' block");

  // ---- compartments: from the built-in structure, or declared for explicit ODEs ----
  if (ir.pk) {
    ir.compartments = structureCompartments(ir.pk);
    if (compartmentsDeclared) {
      const d = compartmentsDeclared as { names: string[]; pos: Pos };
      err(
        d.pos,
        "'compartments' cannot be declared with a built-in 'pk' structure",
        `its compartments are ${ir.compartments.join(', ')}`,
      );
    }
  } else if (compartmentsDeclared) {
    ir.compartments = (compartmentsDeclared as { names: string[]; pos: Pos }).names;
  }

  // ---- Ω from the collected entries ----
  const idx = new Map(ir.etas.map((e, i) => [e.name, i]));
  const n = ir.etas.length;
  ir.omega = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const set = new Set<string>();
  for (const e of omegaEntries) {
    const i = idx.get(e.a);
    const j = idx.get(e.b);
    if (i === undefined || j === undefined) {
      err(
        e.pos,
        `cov(${e.a}, ${e.b}): '${i === undefined ? e.a : e.b}' is not a declared eta`,
        undefined,
        'random',
      );
      continue;
    }
    const key = `${Math.min(i, j)},${Math.max(i, j)}`;
    if (set.has(key)) err(e.pos, `variance/covariance of (${e.a}, ${e.b}) given twice`, undefined, 'random');
    set.add(key);
    ir.omega[i][j] = e.v;
    ir.omega[j][i] = e.v;
  }

  if (issues.length) throw new DosetwinError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return ir;
}

function stripComment(s: string): string {
  // '#' starts a comment unless inside a quoted label.
  let q = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') q = !q;
    else if (s[i] === '#' && !q) return s.slice(0, i);
  }
  return s;
}

/** Split a table row on whitespace, keeping "quoted labels" whole; returns words with columns. */
function words(l: { text: string; line: number }): { w: string; col: number; quoted: boolean }[] {
  const s = stripComment(l.text);
  const out: { w: string; col: number; quoted: boolean }[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i])) {
      i++;
      continue;
    }
    if (s[i] === '"') {
      const j = s.indexOf('"', i + 1);
      const end = j < 0 ? s.length : j;
      out.push({ w: s.slice(i + 1, end), col: i + 1, quoted: true });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j])) j++;
    out.push({ w: s.slice(i, j), col: i + 1, quoted: false });
    i = j;
  }
  return out;
}

function rowError(
  l: { line: number },
  col: number,
  field: string,
  message: string,
  hint?: string,
  file = '',
): never {
  throw new DosetwinError([
    {
      code: 'DT_MODEL_SYNTAX',
      severity: 'error',
      field,
      message,
      file,
      line: l.line,
      column: col,
      ...(hint ? { hint } : {}),
    },
  ]);
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseNumberWord(s: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

function parseRange(s: string): { lo: number | null; hi: number | null } | null | 'bad' {
  if (s === '-') return null;
  const m = /^(.*)\.\.(.*)$/.exec(s);
  if (!m) return 'bad';
  const lo = m[1] === '' ? null : parseNumberWord(m[1]);
  const hi = m[2] === '' ? null : parseNumberWord(m[2]);
  if ((m[1] !== '' && lo === null) || (m[2] !== '' && hi === null)) return 'bad';
  if (lo !== null && hi !== null && lo > hi) return 'bad';
  return { lo, hi };
}

function parseCovariateRow(l: { text: string; line: number }, file: string): CovariateDef {
  const w = words(l);
  const pos = { line: l.line, column: w[0]?.col ?? 1 };
  const hint = 'write: NAME  unit  lo..hi  "label"  required | default VALUE | derive fn(ARG unit, ...)';
  if (w.length < 5)
    rowError(l, pos.column, 'covariates', `covariate row needs 5 fields, found ${w.length}`, hint, file);
  const [name, unit, valid, label, ...rest] = w;
  if (!NAME_RE.test(name.w))
    rowError(l, name.col, 'covariates', `bad covariate name '${name.w}'`, hint, file);
  const range = parseRange(valid.w);
  if (range === 'bad')
    rowError(
      l,
      valid.col,
      `covariates.${name.w}`,
      `bad validity range '${valid.w}'`,
      "write 'lo..hi' (lo ≤ hi) or '-'",
      file,
    );
  if (!label.quoted) rowError(l, label.col, `covariates.${name.w}`, 'the label must be "quoted"', hint, file);
  let handling: CovariateDef['handling'];
  if (rest[0]?.w === 'derive') {
    const text = stripComment(l.text)
      .slice(rest[0].col - 1)
      .trim();
    const derive = parseDeriveRule(text);
    if (typeof derive === 'string') rowError(l, rest[0].col, `covariates.${name.w}`, derive, hint, file);
    return {
      name: name.w,
      unit: unit.w,
      valid: range,
      label: label.w,
      handling: { kind: 'required' },
      derive,
      pos,
    };
  }
  if (rest[0]?.w === 'required' && rest.length === 1) handling = { kind: 'required' };
  else if (rest[0]?.w === 'default' && rest.length === 2 && parseNumberWord(rest[1].w) !== null)
    handling = { kind: 'default', value: parseNumberWord(rest[1].w)! };
  else rowError(l, rest[0].col, `covariates.${name.w}`, `expected 'required' or 'default VALUE'`, hint, file);
  return { name: name.w, unit: unit.w, valid: range, label: label.w, handling, pos };
}

/**
 * `derive fn(ARG [unit], ...) [key value [unit]]...` → the rule, or a message saying what is wrong.
 * A token after an option's value is its unit unless a number follows it (then it is the next key).
 */
function parseDeriveRule(text: string): DeriveRule | string {
  const m = /^derive\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*(.*)$/.exec(text);
  if (!m) return `bad derivation '${text}'`;
  const args: DeriveRule['args'] = [];
  for (const part of m[2].split(',')) {
    const [argName, argUnit, extra] = part.trim().split(/\s+/);
    if (!argName || !NAME_RE.test(argName) || extra !== undefined)
      return `bad argument '${part.trim()}' in ${m[1]}(): write 'NAME' or 'NAME unit'`;
    args.push({ name: argName, unit: argUnit ?? null });
  }
  const toks = m[3].split(/\s+/).filter(Boolean);
  const options: DeriveRule['options'] = [];
  for (let i = 0; i < toks.length;) {
    const key = toks[i];
    const value = i + 1 < toks.length ? parseNumberWord(toks[i + 1]) : null;
    if (!NAME_RE.test(key) || value === null)
      return `bad option '${toks.slice(i, i + 2).join(' ')}' after ${m[1]}(): write 'key number [unit]'`;
    i += 2;
    let optUnit: string | null = null;
    if (i < toks.length && (i + 1 >= toks.length || parseNumberWord(toks[i + 1]) === null))
      optUnit = toks[i++];
    options.push({ key, value, unit: optUnit });
  }
  return { fn: m[1], args, options, text };
}

function parseParameterRow(l: { text: string; line: number }, file: string): ParameterDef {
  const w = words(l);
  const pos = { line: l.line, column: w[0]?.col ?? 1 };
  const hint = 'write: NAME  value  unit  "label"  [source]';
  if (w.length < 4)
    rowError(
      l,
      pos.column,
      'parameters',
      `parameter row needs at least 4 fields, found ${w.length}`,
      hint,
      file,
    );
  const [name, value, unit, label, ...rest] = w;
  if (!NAME_RE.test(name.w))
    rowError(l, name.col, 'parameters', `bad parameter name '${name.w}'`, hint, file);
  const v = parseNumberWord(value.w);
  if (v === null)
    rowError(l, value.col, `parameters.${name.w}`, `value '${value.w}' is not a number`, hint, file);
  if (!label.quoted) rowError(l, label.col, `parameters.${name.w}`, 'the label must be "quoted"', hint, file);
  return {
    name: name.w,
    value: v,
    unit: unit.w,
    label: label.w,
    source: rest.map((r) => r.w).join(' '),
    pos,
  };
}

function parseTargetRow(l: { text: string; line: number }, file: string): TargetDef {
  const w = words(l);
  if (w.length < 3)
    rowError(l, w[0]?.col ?? 1, 'targets', 'target row: METRIC lo..hi unit [note]', undefined, file);
  const range = parseRange(w[1].w);
  if (range === 'bad' || range === null)
    rowError(l, w[1].col, `targets.${w[0].w}`, `bad target range '${w[1].w}'`, undefined, file);
  return {
    metric: w[0].w,
    lo: range.lo,
    hi: range.hi,
    unit: w[2].w,
    note: w
      .slice(3)
      .map((x) => x.w)
      .join(' '),
  };
}

function parseRandom(
  toks: Token[],
  file: string,
  etas: EtaDef[],
  entries: { a: string; b: string; v: number; pos: Pos }[],
): void {
  const p = new TokenParser(toks, file);
  for (;;) {
    p.skipNewlines();
    if (p.atEnd()) return;
    const t = p.peek();
    if (p.isIdent('cov') && p.isOp('(', 1)) {
      p.next();
      p.next();
      const a = p.expectIdent('an eta name').text;
      p.expectOp(',');
      const b = p.expectIdent('an eta name').text;
      p.expectOp(')');
      p.expectOp('=', `after 'cov(${a}, ${b})'`);
      const v = p.expectNumber('a covariance');
      if (a === b) p.error(t, `cov(${a}, ${a}) is a variance: write '${a} ~ value'`);
      entries.push({ a, b, v, pos: t.pos });
      continue;
    }
    let iov = false;
    if (p.isIdent('iov') && p.isIdent(undefined, 1)) {
      p.next();
      iov = true;
    }
    const nameTok = p.expectIdent("an eta declaration 'eta_CL ~ 0.09' (a variance)");
    const name = nameTok.text;
    p.expectOp('~', `after '${name}'`);
    let v: number;
    if (p.isIdent('sd') && p.isOp('(', 1)) {
      p.next();
      p.next();
      const sd = p.expectNumber('a standard deviation');
      p.expectOp(')');
      v = sd * sd;
    } else if (p.isIdent('var') && p.isOp('(', 1)) {
      p.next();
      p.next();
      v = p.expectNumber('a variance');
      p.expectOp(')');
    } else {
      v = p.expectNumber('a variance');
    }
    if (!(v >= 0)) p.error(nameTok, `variance of ${name} must be ≥ 0, found ${v}`);
    if (etas.some((e) => e.name === name)) p.error(nameTok, `eta '${name}' declared twice`);
    etas.push({ name, iov, pos: nameTok.pos });
    entries.push({ a: name, b: name, v, pos: nameTok.pos });
  }
}

const STRUCTURES: Record<PkStructureName, { required: string[]; optional: string[] }> = {
  one_cmt: { required: ['cl', 'v'], optional: ['ka', 'ntr', 'ktr'] },
  two_cmt: { required: ['cl', 'v1', 'q', 'v2'], optional: ['ka', 'ntr', 'ktr'] },
  three_cmt: { required: ['cl', 'v1', 'q2', 'v2', 'q3', 'v3'], optional: ['ka', 'ntr', 'ktr'] },
};

/** Compartments of a built-in structure, in NONMEM ADVAN order (ADVAN1/2/3/4/11/12). */
export function structureCompartments(pk: PkStructure): string[] {
  const depot =
    'ka' in pk.args ? ['depot', ...Array.from({ length: pk.transit }, (_, i) => `transit${i + 1}`)] : [];
  if (pk.name === 'one_cmt') return [...depot, 'central'];
  if (pk.name === 'two_cmt') return [...depot, 'central', 'peripheral'];
  return [...depot, 'central', 'periph1', 'periph2'];
}

function parseEquations(toks: Token[], file: string): { statements: Stmt[]; pk: PkStructure | null } {
  const p = new TokenParser(toks, file);
  const statements: Stmt[] = [];
  let pk: PkStructure | null = null;
  for (;;) {
    p.skipNewlines();
    if (p.atEnd()) break;
    if (p.isIdent('pk') && p.isIdent(undefined, 1)) {
      const t = p.next();
      const nameTok = p.next();
      const spec = STRUCTURES[nameTok.text as PkStructureName];
      if (!spec)
        p.error(
          nameTok,
          `unknown structure '${nameTok.text}'`,
          `built-in structures: ${Object.keys(STRUCTURES).join(', ')}; or write d/dt() equations`,
        );
      if (pk) p.error(t, "only one 'pk' structure per model");
      p.expectOp('(', `after 'pk ${nameTok.text}'`);
      const args: PkStructure['args'] = {};
      while (!p.isOp(')')) {
        const a = p.expectIdent('an argument name (e.g. cl = CL)');
        if (!spec.required.includes(a.text) && !spec.optional.includes(a.text))
          p.error(
            a,
            `'${nameTok.text}' has no argument '${a.text}'`,
            `arguments: ${[...spec.required, ...spec.optional].join(', ')}`,
          );
        if (a.text in args) p.error(a, `argument '${a.text}' given twice`);
        p.expectOp('=', `after '${a.text}'`);
        args[a.text] = p.expr();
        if (p.isOp(',')) p.next();
        else if (!p.isOp(')')) p.error(p.peek(), `expected ',' or ')', found ${p.describe(p.peek())}`);
      }
      p.next();
      const missing = spec.required.filter((r) => !(r in args));
      if (missing.length) p.error(nameTok, `'${nameTok.text}' needs ${missing.join(', ')}`);
      let transit = 0;
      if ('ntr' in args || 'ktr' in args) {
        const n = args.ntr;
        if (!n || !('ktr' in args) || !('ka' in args))
          p.error(nameTok, 'a transit chain needs ntr (number of transit compartments), ktr and ka');
        transit = n && n.k === 'num' ? n.v : NaN;
        if (!Number.isInteger(transit) || transit < 1 || transit > 30)
          p.error(
            nameTok,
            'ntr must be a whole number from 1 to 30, written as a number',
            'it sets the number of compartments',
          );
        delete args.ntr;
      }
      p.endStatement();
      pk = { name: nameTok.text as PkStructureName, args, transit, pos: t.pos };
      continue;
    }
    if (p.isIdent('transit') && p.isOp('(', 1)) statements.push(...p.transitChain());
    else statements.push(p.statement());
  }
  return { statements, pk };
}

function parseErrors(toks: Token[], file: string): ErrorModel[] {
  const p = new TokenParser(toks, file);
  const out: ErrorModel[] = [];
  for (;;) {
    p.skipNewlines();
    if (p.atEnd()) return out;
    const nameTok = p.expectIdent("an output name, e.g. 'CP ~ prop(0.1) + add(0.5)'");
    p.expectOp('~', `after '${nameTok.text}'`);
    let addSd: number | null = null;
    let propSd: number | null = null;
    let expSd: number | null = null;
    let ifZero: number | null = null;
    let variance: Expr | null = null;
    for (;;) {
      if (p.isIdent('variance') && p.isOp('(', 1)) {
        p.next();
        p.next();
        variance = p.expr();
        p.expectOp(')', 'to close variance(');
        break;
      }
      const f = p.expectIdent('add(...), prop(...), exp(...) or variance(...)');
      if (!['add', 'prop', 'exp'].includes(f.text))
        p.error(
          f,
          `unknown residual error term '${f.text}'`,
          'use add(sd), prop(sd), exp(sd); sd = ... or var = ... inside',
        );
      p.expectOp('(', `after '${f.text}'`);
      let sd: number | null = null;
      while (!p.isOp(')')) {
        if (p.peek().kind === 'num' || p.isOp('-')) {
          sd = p.expectNumber('a standard deviation');
        } else {
          const key = p.expectIdent("'sd = ...', 'var = ...' or 'if_zero = ...'");
          p.expectOp('=', `after '${key.text}'`);
          const v = p.expectNumber(key.text);
          if (key.text === 'sd') sd = v;
          else if (key.text === 'var') {
            if (!(v >= 0)) p.error(key, `variance must be ≥ 0, found ${v}`);
            sd = Math.sqrt(v);
          } else if (key.text === 'if_zero' && f.text === 'prop') ifZero = v;
          else p.error(key, `unknown option '${key.text}' for ${f.text}()`);
        }
        if (p.isOp(',')) p.next();
      }
      p.next();
      if (sd === null || !(sd >= 0)) p.error(f, `${f.text}() needs a standard deviation ≥ 0`);
      if (f.text === 'add') addSd = sd;
      else if (f.text === 'prop') propSd = sd;
      else expSd = sd;
      if (p.isOp('+')) {
        p.next();
        continue;
      }
      break;
    }
    let sum: 'variance' | 'sd' = 'variance';
    const cmts: number[] = [];
    const dvids: number[] = [];
    let unit: string | null = null;
    while (p.isIdent()) {
      const kw = p.next();
      if (kw.text === 'combine') {
        const how = p.expectIdent("'variance' or 'sd'");
        if (how.text !== 'variance' && how.text !== 'sd')
          p.error(how, "combine must be 'variance' (var = a² + (b·F)²) or 'sd' (SD = a + b·F)");
        sum = how.text as 'variance' | 'sd';
      } else if (kw.text === 'unit') {
        // The rest of the statement is the unit: mg/L, ng/mL, -, %.
        let text = '';
        while (!['nl', 'eof'].includes(p.peek().kind) && !p.isOp(';')) text += p.next().text;
        if (!text) p.error(kw, "unit needs a unit, e.g. 'unit -' for an INR");
        unit = text;
      } else if (kw.text === 'cmt') {
        for (;;) {
          const c = p.expectNumber('a compartment number');
          if (!Number.isInteger(c) || c < 1) p.error(kw, `cmt must be a positive integer, found ${c}`);
          cmts.push(c);
          if (p.isOp(',')) p.next();
          else break;
        }
      } else if (kw.text === 'dvid') {
        for (;;) {
          const c = p.expectNumber("an observation type (the data's DVID)");
          if (!Number.isInteger(c) || c < 1) p.error(kw, `dvid must be a positive integer, found ${c}`);
          dvids.push(c);
          if (p.isOp(',')) p.next();
          else break;
        }
      } else
        p.error(
          kw,
          `unexpected '${kw.text}'`,
          "after the error terms: 'combine sd|variance', 'cmt N', 'dvid N', 'unit U'",
        );
    }
    p.endStatement();
    let kind: ErrorModel['kind'];
    if (variance) kind = 'variance';
    else if (expSd !== null) {
      if (addSd !== null || propSd !== null)
        p.error(nameTok, 'exp() (log-transformed) cannot be combined with add() or prop()');
      kind = 'exp';
      propSd = expSd;
    } else if (addSd !== null && propSd !== null) kind = 'combined';
    else if (propSd !== null) kind = 'prop';
    else kind = 'add';
    out.push({
      output: nameTok.text,
      kind,
      addSd: addSd ?? 0,
      propSd: propSd ?? 0,
      sum,
      ifZero,
      variance,
      cmts,
      ...(dvids.length ? { dvids } : {}),
      ...(unit !== null ? { unit } : {}),
      pos: nameTok.pos,
    });
  }
}
