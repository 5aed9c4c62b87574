import type { Issue } from '../errors.ts';
import type { Expr, ModelIR, Pos, Stmt } from './ir.ts';

/**
 * Dimensional analysis of a model, once, at compile time (as nlmixr2lib's checkUnits does): every
 * parameter and covariate carries its unit, amounts are in the dose unit and time in the time
 * unit; units are propagated through the equations and checked where they must agree (sums,
 * exponents, function arguments) and where the structure fixes them (clearances, volumes, rate
 * constants, lag times, d/dt, outputs). Findings are warnings naming the line, the units found
 * and, when only a scale differs, the conversion factor; nothing is converted silently.
 *
 * Conventions: a bare number is unit-free and adapts — `WT/70` divides by a reference weight
 * (dimensionless), `2*CL` is a plain factor; etas and `-` are dimensionless; `%` is 0.01.
 */
export function checkUnits(ir: ModelIR): Issue[] {
  return analyseUnits(ir).issues;
}

/**
 * The unit of each variable the equations assign (`CL` → `L/h`, `V1` → `L`, `KA` → `1/h`), as
 * the unit checker infers it from the parameters', covariates' and model's units; `-` for a
 * dimensionless one. A variable whose unit cannot be inferred, or has no readable name, is left
 * out rather than guessed. The report prints individual parameters with these.
 */
export function variableUnits(ir: ModelIR): Record<string, string> {
  const { env, assigned } = analyseUnits(ir);
  const out: Record<string, string> = {};
  for (const name of assigned) {
    const u = env.get(name);
    if (!u) continue;
    if (isDimensionless(u)) {
      if (u.scale === 1) out[name] = '-';
      continue;
    }
    const text = show(u);
    if (parseUnit(text) && sameUnit(parseUnit(text)!, u)) out[name] = text;
  }
  return out;
}

function analyseUnits(ir: ModelIR): { issues: Issue[]; env: Map<string, Unit>; assigned: Set<string> } {
  const issues: Issue[] = [];
  const assigned = new Set<string>();
  const warn = (pos: Pos, message: string, hint?: string): void => {
    if (issues.some((i) => i.line === pos.line && i.message === message)) return;
    issues.push({
      code: 'DT_MODEL_UNIT',
      severity: 'warning',
      field: 'units',
      message,
      file: ir.file,
      line: pos.line,
      column: pos.column,
      ...(hint ? { hint } : {}),
    });
  };
  const env = new Map<string, Unit>();
  const declare = (name: string, text: string, pos: Pos): void => {
    const u = parseUnit(text);
    if (!u) warn(pos, `unit '${text}' of ${name} is not known to the unit checker`);
    else env.set(name, u);
  };
  ir.parameters.forEach((p) => declare(p.name, p.unit, p.pos));
  ir.covariates.forEach((c) => declare(c.name, c.unit, c.pos));
  const covariateNames = new Set(ir.covariates.map((c) => c.name));
  ir.etas.forEach((e) => env.set(e.name, DIMENSIONLESS));
  const dose = parseUnit(ir.units.dose);
  const time = parseUnit(ir.units.time);
  const conc = parseUnit(ir.units.conc);
  const origin = { line: 1, column: 1 };
  if (!dose || !time || !conc) {
    warn(
      origin,
      `the model's units (${ir.units.dose}, ${ir.units.time}, ${ir.units.conc}) are not all known to the unit checker`,
    );
    return { issues, env, assigned };
  }
  // A compartment holds an amount in the dose unit unless its unit is declared (a response, an
  // effect-site concentration): its d/dt is then in its unit per time, its init in its unit.
  const cmtUnit = new Map<string, Unit>();
  for (const c of ir.compartments) {
    const text = ir.compartmentUnits?.[c];
    const u = text === undefined ? dose : parseUnit(text);
    if (!u) warn(origin, `unit '${text}' of compartment ${c} is not known to the unit checker`);
    cmtUnit.set(c, u ?? dose);
    env.set(c, u ?? dose);
  }
  env.set('t', time);
  env.set('CMT', DIMENSIONLESS);

  const infer = (e: Expr): Inferred => {
    switch (e.k) {
      case 'num':
        return { u: DIMENSIONLESS, free: true, value: e.v };
      case 'ref': {
        const u = env.get(e.name);
        if (u && covariateNames.has(e.name)) return { u, free: false, covs: [u] };
        return u ? { u, free: false } : { u: null, free: false };
      }
      case 'neg':
        return infer(e.a);
      case 'not':
        infer(e.a);
        return { u: DIMENSIONLESS, free: false };
      case 'bin': {
        const a = infer(e.a);
        const b = infer(e.b);
        switch (e.op) {
          case '+':
          case '-':
          case '==':
          case '!=':
          case '<':
          case '<=':
          case '>':
          case '>=': {
            if (a.u && b.u && !a.free && !b.free) {
              if (!sameDims(a.u, b.u))
                warn(
                  e.pos,
                  `'${e.op}' between ${show(a.u)} and ${show(b.u)}`,
                  'both sides must have the same dimension',
                );
              else if (!sameScale(a.u, b.u))
                warn(
                  e.pos,
                  `'${e.op}' between ${show(a.u)} and ${show(b.u)} (factor ${factor(a.u, b.u)})`,
                  'convert one side explicitly',
                );
            }
            const cmp = e.op !== '+' && e.op !== '-';
            if (cmp) return { u: DIMENSIONLESS, free: false };
            if (a.free) return b;
            return a;
          }
          case '&&':
          case '||':
            return { u: DIMENSIONLESS, free: false };
          case '*':
            if (!a.u || !b.u) return { u: null, free: false };
            return {
              u: mul(a.u, b.u, 1),
              free: a.free && b.free,
              covs: [...(a.covs ?? []), ...(b.covs ?? [])],
            };
          case '/':
            if (!a.u || !b.u) return { u: null, free: false };
            // WT / 70, TVV * WT / 70: a bare number dividing a covariate is its reference value, in
            // the covariate's unit (normalisation); dividing anything else it is a plain factor.
            if (b.free && !a.free) {
              if (a.covs?.length)
                return { u: mul(a.u, a.covs[a.covs.length - 1], -1), free: false, covs: a.covs.slice(0, -1) };
              return { u: a.u, free: false };
            }
            if (a.free && b.covs?.length === 1 && sameUnit(b.u, b.covs[0]))
              return { u: DIMENSIONLESS, free: false };
            return { u: mul(a.u, b.u, -1), free: a.free && b.free, covs: a.covs };
          case '^': {
            if (b.u && !b.free && !isDimensionless(b.u))
              warn(e.pos, `exponent in ${show(b.u)}; it must be dimensionless`);
            if (!a.u) return { u: null, free: false };
            if (isDimensionless(a.u) || a.free) return { u: DIMENSIONLESS, free: a.free };
            if (b.free && b.value !== undefined) {
              if (!Number.isInteger(b.value * 2))
                warn(
                  e.pos,
                  `${show(a.u)} raised to ${b.value}`,
                  'normalise by a reference value first, e.g. (WT/70)^0.75',
                );
              return { u: pow(a.u, b.value), free: false };
            }
            warn(
              e.pos,
              `${show(a.u)} raised to a non-constant power`,
              'normalise by a reference value first',
            );
            return { u: null, free: false };
          }
        }
        return { u: null, free: false };
      }
      case 'call': {
        const args = e.args.map(infer);
        const a = args[0];
        switch (e.fn) {
          case 'exp':
          case 'log':
          case 'log10':
            if (a.u && !a.free && !isDimensionless(a.u))
              warn(e.pos, `${e.fn}() of ${show(a.u)}; its argument must be dimensionless`);
            return { u: DIMENSIONLESS, free: false };
          case 'sqrt':
            return a.u ? { u: pow(a.u, 0.5), free: a.free } : a;
          case 'pow': {
            const b = args[1];
            if (!a.u || isDimensionless(a.u) || a.free) return { u: DIMENSIONLESS, free: a.free };
            if (b.free && b.value !== undefined) return { u: pow(a.u, b.value), free: false };
            return { u: null, free: false };
          }
          case 'ifelse':
            return args[1].free ? args[2] : args[1];
          default:
            return args.find((x) => !x.free) ?? a;
        }
      }
    }
  };

  const expect = (what: string, e: Expr, want: Unit, pos: Pos): void => {
    const got = infer(e);
    if (!got.u || got.free) return;
    if (!sameDims(got.u, want)) warn(pos, `${what} is in ${show(got.u)}; expected ${show(want)}`);
    else if (!sameScale(got.u, want))
      warn(
        pos,
        `${what} is in ${show(got.u)}; the model computes in ${show(want)} (factor ${factor(got.u, want)})`,
        'declare the units the model computes in, or convert explicitly',
      );
  };
  const rateUnit = mul(DIMENSIONLESS, time, -1);
  const volume = mul(dose, conc, -1);
  const flow = mul(volume, time, -1);
  const walk = (list: Stmt[]): void => {
    for (const st of list) {
      if (st.k === 'assign') {
        const r = infer(st.expr);
        if (r.u && !r.free) {
          const prev = env.get(st.name);
          if (prev && !sameUnit(prev, r.u) && !ir.parameters.some((p) => p.name === st.name))
            warn(st.pos, `${st.name} is assigned ${show(r.u)} here and ${show(prev)} elsewhere`);
          env.set(st.name, r.u);
          assigned.add(st.name);
        }
      } else if (st.k === 'if') {
        st.branches.forEach((b) => {
          infer(b.cond);
          walk(b.body);
        });
        if (st.otherwise) walk(st.otherwise);
      } else if (st.k === 'ddt')
        expect(`d/dt(${st.cmt})`, st.expr, mul(cmtUnit.get(st.cmt) ?? dose, time, -1), st.pos);
      else if (st.prop === 'lag' || st.prop === 'duration')
        expect(`${st.prop}(${st.cmt})`, st.expr, time, st.pos);
      else if (st.prop === 'rate') expect(`rate(${st.cmt})`, st.expr, mul(dose, time, -1), st.pos);
      else if (st.prop === 'bioav') expect(`bioav(${st.cmt})`, st.expr, DIMENSIONLESS, st.pos);
      else if (st.prop === 'init') expect(`init(${st.cmt})`, st.expr, cmtUnit.get(st.cmt) ?? dose, st.pos);
    }
  };
  walk(ir.statements);
  if (ir.pk) {
    const want: Record<string, Unit> = {
      cl: flow,
      q: flow,
      q2: flow,
      q3: flow,
      v: volume,
      v1: volume,
      v2: volume,
      v3: volume,
      ka: rateUnit,
      ktr: rateUnit,
    };
    for (const [arg, expr] of Object.entries(ir.pk.args))
      if (want[arg]) expect(`${arg} of ${ir.pk.name}`, expr, want[arg], expr.pos);
  }
  for (const e of ir.errors) {
    const u = env.get(e.output);
    // An output with its own unit (an INR, an effect) is checked against it, others against the
    // model's concentration unit.
    const wantText = e.unit ?? ir.units.conc;
    const want = e.unit === undefined ? conc : parseUnit(e.unit);
    if (!want) {
      warn(e.pos, `unit '${e.unit}' of output ${e.output} is not known to the unit checker`);
      continue;
    }
    const whose = e.unit === undefined ? "the model's concentration unit" : 'its declared unit';
    if (u && !sameDims(u, want)) warn(e.pos, `output ${e.output} is in ${show(u)}; ${whose} is ${wantText}`);
    else if (u && !sameScale(u, want))
      warn(
        e.pos,
        `output ${e.output} is in ${show(u)}; ${whose} is ${wantText} (factor ${factor(u, want)})`,
        'declare the units the equations compute in',
      );
  }
  return { issues, env, assigned };
}

// ---- units as dimension vectors with a scale to SI-like bases (g, L, h, mol, m) ----

const BASES = ['g', 'L', 'h', 'mol', 'm'] as const;
type Dims = [number, number, number, number, number];
interface Unit {
  dims: Dims;
  scale: number;
}
interface Inferred {
  u: Unit | null;
  /** A bare number: adapts to its context. */
  free: boolean;
  value?: number;
  /** Units of the covariates multiplied into this product, which a reference value may normalise. */
  covs?: Unit[];
}

const DIMENSIONLESS: Unit = { dims: [0, 0, 0, 0, 0], scale: 1 };
const SYMBOLS: Record<string, { base: number; scale: number }> = {
  kg: { base: 0, scale: 1000 },
  g: { base: 0, scale: 1 },
  mg: { base: 0, scale: 1e-3 },
  ug: { base: 0, scale: 1e-6 },
  µg: { base: 0, scale: 1e-6 },
  mcg: { base: 0, scale: 1e-6 },
  ng: { base: 0, scale: 1e-9 },
  L: { base: 1, scale: 1 },
  dL: { base: 1, scale: 0.1 },
  mL: { base: 1, scale: 1e-3 },
  uL: { base: 1, scale: 1e-6 },
  h: { base: 2, scale: 1 },
  min: { base: 2, scale: 1 / 60 },
  s: { base: 2, scale: 1 / 3600 },
  d: { base: 2, scale: 24 },
  day: { base: 2, scale: 24 },
  wk: { base: 2, scale: 168 },
  week: { base: 2, scale: 168 },
  y: { base: 2, scale: 8766 },
  year: { base: 2, scale: 8766 },
  mol: { base: 3, scale: 1 },
  mmol: { base: 3, scale: 1e-3 },
  umol: { base: 3, scale: 1e-6 },
  µmol: { base: 3, scale: 1e-6 },
  nmol: { base: 3, scale: 1e-9 },
  m: { base: 4, scale: 1 },
  cm: { base: 4, scale: 0.01 },
};

/** Parse `mg*h/L`, `L/h`, `1/h`, `m2`, `m^2`, `1/(mL/min)`, `mL/min/1.73m2`, `-`, `%`; null if unknown. */
export function parseUnit(text: string): Unit | null {
  const t = text.trim();
  if (t === '-' || t === '' || t === '1') return DIMENSIONLESS;
  if (t === '%') return { dims: [0, 0, 0, 0, 0], scale: 0.01 };
  let i = 0;
  // unit := factor (('*' | '/') factor)* ; factor := '(' unit ')' | [number] [symbol [^]exponent]
  const unit = (): Unit | null => {
    let u = factorTerm();
    while (u && (t[i] === '*' || t[i] === '/' || t[i] === '·')) {
      const op = t[i++];
      const f = factorTerm();
      if (!f) return null;
      u = mul(u, f, op === '/' ? -1 : 1);
    }
    return u;
  };
  const factorTerm = (): Unit | null => {
    if (t[i] === '(') {
      i++;
      const u = unit();
      if (t[i] !== ')') return null;
      i++;
      return u;
    }
    const m = /^(\d+(?:\.\d+)?)?([A-Za-zµ]+)?(?:\^?(-?\d+(?:\.\d+)?))?/.exec(t.slice(i));
    if (!m || m[0] === '') return null;
    i += m[0].length;
    const k = m[1] ? Number(m[1]) : 1;
    if (!m[2]) return m[3] ? null : { dims: [0, 0, 0, 0, 0], scale: k };
    const sym = SYMBOLS[m[2]];
    if (!sym) return null;
    const e = m[3] ? Number(m[3]) : 1;
    const dims: Dims = [0, 0, 0, 0, 0];
    dims[sym.base] = e;
    return { dims, scale: k * Math.pow(sym.scale, e) };
  };
  const u = unit();
  return u && i === t.length ? u : null;
}

function mul(a: Unit, b: Unit, sign: 1 | -1): Unit {
  return {
    dims: a.dims.map((d, i) => d + sign * b.dims[i]) as Dims,
    scale: a.scale * Math.pow(b.scale, sign),
  };
}
function pow(a: Unit, e: number): Unit {
  return { dims: a.dims.map((d) => d * e) as Dims, scale: Math.pow(a.scale, e) };
}
function isDimensionless(u: Unit): boolean {
  return u.dims.every((d) => Math.abs(d) < 1e-12);
}
function sameDims(a: Unit, b: Unit): boolean {
  return a.dims.every((d, i) => Math.abs(d - b.dims[i]) < 1e-12);
}
function sameScale(a: Unit, b: Unit): boolean {
  return Math.abs(a.scale / b.scale - 1) < 1e-9;
}
function sameUnit(a: Unit, b: Unit): boolean {
  return sameDims(a, b) && sameScale(a, b);
}
function factor(a: Unit, b: Unit): string {
  return Number((a.scale / b.scale).toPrecision(6)).toString();
}
/** Readable form in the bases g, L, h, mol, m, with the scale when not 1. */
const DISPLAY = [
  'mg/L',
  'mg/dL',
  'ug/L',
  'ng/mL',
  'g/L',
  'umol/L',
  'L/h',
  'mL/min',
  'mg/h',
  '1/h',
  'mg*h/L',
  'L/kg',
  'L/h/kg',
];

function show(u: Unit): string {
  for (const d of DISPLAY) {
    const known = parseUnit(d);
    if (known && sameUnit(u, known)) return d;
  }
  for (const [sym, d] of Object.entries(SYMBOLS)) {
    const one: Dims = [0, 0, 0, 0, 0];
    one[d.base] = 1;
    if (sameUnit(u, { dims: one, scale: d.scale })) return sym;
  }
  if (isDimensionless(u))
    return u.scale === 1 ? 'no unit' : `a pure number ×${Number(u.scale.toPrecision(6))}`;
  const num: string[] = [];
  const den: string[] = [];
  u.dims.forEach((d, i) => {
    if (Math.abs(d) < 1e-12) return;
    const a = Math.abs(d);
    const s = `${BASES[i]}${a === 1 ? '' : `^${Number(a.toPrecision(6))}`}`;
    (d > 0 ? num : den).push(s);
  });
  const body = `${num.join('·') || '1'}${den.length ? '/' + den.join('/') : ''}`;
  return u.scale === 1 ? body : `${body} ×${Number(u.scale.toPrecision(6))}`;
}
