import {
  DosetwinError,
  type CovariateDef,
  type DeriveRule,
  type Issue,
  type ModelIR,
} from '@dosetwin/engine';
import { convertCovariate, DERIVATIONS, IMPLICIT, quantityOf } from './covariates.ts';

/** A patient value: a number in the unit the model (or its derivation rule) states, or a value with its unit. */
export type CovariateInput = number | { value: number; unit: string };
/** Patient data by name (case-sensitive, as the model names them): WT, AGE, SCR, HT, SEX, ... */
export type PatientCovariates = Readonly<Record<string, CovariateInput | null | undefined>>;

export interface ResolvedCovariates {
  /** The model's covariates in model order and in their declared units; NaN where unknown. */
  values: number[];
  byName: Record<string, number>;
  /** Errors (missing, unconvertible, bad derivation) and warnings (outside the domain, default used). */
  issues: Issue[];
  /** What was done on the way: unit conversions and derivations, one line each. */
  notes: string[];
}

type Model = ModelIR | { ir: ModelIR };
const irOf = (m: Model): ModelIR => ('ir' in m ? m.ir : m);

/** `lo..hi unit`, `≥ lo unit`, `≤ hi unit` — the validity range as the messages print it. */
export function formatRange(valid: CovariateDef['valid'], unit: string): string {
  if (!valid) return 'any value';
  const u = unit === '-' ? '' : ` ${unit}`;
  if (valid.lo !== null && valid.hi !== null) return `${valid.lo}..${valid.hi}${u}`;
  if (valid.lo !== null) return `≥ ${valid.lo}${u}`;
  return `≤ ${valid.hi}${u}`;
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/**
 * Resolve a model's covariates for one patient: take each from the patient's data (converting
 * units), or derive it by the model's `derive` rule (recursively, and through the standard
 * derivations IBW, ABW, PMA), or use the model's default. Every problem becomes an Issue built
 * from the same data as its check (range, unit, rule).
 */
export function resolveCovariates(model: Model, patient: PatientCovariates): ResolvedCovariates {
  const ir = irOf(model);
  const issues: Issue[] = [];
  const notes: string[] = [];
  const covByName = new Map(ir.covariates.map((c) => [c.name, c]));
  const cache = new Map<string, number>();
  const file = ir.file;

  const modelError = (c: CovariateDef, message: string): void => {
    issues.push({
      code: 'DT_MODEL_DERIVE',
      severity: 'error',
      field: `covariates.${c.name}`,
      message,
      file,
      line: c.pos.line,
      column: c.pos.column,
    });
  };

  /** Value of `name` in unit `unit` (null: as declared / as given), or NaN; `missing` collects leaves. */
  const get = (name: string, unit: string | null, missing: Set<string>, stack: string[]): number => {
    const q = quantityOf(name);
    const given = patient[name];
    if (given !== undefined && given !== null) {
      if (typeof given === 'number') return Number.isFinite(given) ? given : (missing.add(name), NaN);
      if (!Number.isFinite(given.value)) return (missing.add(name), NaN);
      const target = unit ?? covByName.get(name)?.unit ?? given.unit;
      const v = convertCovariate(given.value, given.unit, target === '-' ? given.unit : target, q);
      if (v === null) {
        issues.push({
          code: 'DT_COVARIATE_UNIT',
          severity: 'error',
          field: `covariates.${name}`,
          message: `${name} is given in ${given.unit}; it cannot be converted to ${target}`,
          hint: `give ${name} in ${target}`,
        });
        return NaN;
      }
      if (given.unit !== target && target !== '-')
        notes.push(`${name} ${fmt(given.value)} ${given.unit} → ${fmt(v)} ${target}`);
      return v;
    }
    if (stack.includes(name)) return (missing.add(name), NaN);
    const c = covByName.get(name);
    if (c?.derive) {
      const v = derive(c.name, c.derive, c.unit, missing, [...stack, name], c);
      return unit && unit !== c.unit ? (convertCovariate(v, c.unit, unit, q) ?? NaN) : v;
    }
    const imp = IMPLICIT[name];
    if (imp && !c) {
      const spec = DERIVATIONS[imp.fn];
      const rule: DeriveRule = {
        fn: imp.fn,
        args: imp.args.map((a) => ({ name: a, unit: null })),
        options: [],
        text: `${imp.fn}(${imp.args.join(', ')})`,
      };
      const v = derive(name, rule, spec.unit, missing, [...stack, name], null);
      return unit && unit !== spec.unit ? (convertCovariate(v, spec.unit, unit, q) ?? NaN) : v;
    }
    missing.add(name);
    return NaN;
  };

  const derive = (
    name: string,
    rule: DeriveRule,
    resultUnit: string,
    missing: Set<string>,
    stack: string[],
    c: CovariateDef | null,
  ): number => {
    const key = `${name}`;
    if (cache.has(key)) return cache.get(key)!;
    const spec = DERIVATIONS[rule.fn];
    if (!spec) {
      if (c) modelError(c, `unknown derivation '${rule.fn}'; known: ${Object.keys(DERIVATIONS).join(', ')}`);
      return NaN;
    }
    if (rule.args.length !== spec.inputs.length) {
      if (c)
        modelError(
          c,
          `${rule.fn}() takes ${spec.inputs.length} inputs (${spec.inputs.map((i) => i.role).join(', ')}), found ${rule.args.length}`,
        );
      return NaN;
    }
    const opt: Record<string, number> = {};
    for (const o of rule.options) {
      const os = spec.options[o.key];
      if (!os) {
        if (c)
          modelError(
            c,
            `${rule.fn}() has no option '${o.key}'${Object.keys(spec.options).length ? `; options: ${Object.keys(spec.options).join(', ')}` : ''}`,
          );
        return NaN;
      }
      // Option units convert like the inputs they bound (scr_min in µmol/L ↔ mg/dL as creatinine).
      const v =
        o.unit && os.unit
          ? convertCovariate(o.value, o.unit, os.unit, quantityOf(o.key.split('_')[0]))
          : o.value;
      if (v === null) {
        if (c) modelError(c, `option ${o.key} is in ${o.unit}; ${rule.fn}() needs ${os.unit}`);
        return NaN;
      }
      opt[o.key] = v;
    }
    const x: number[] = [];
    const before = missing.size;
    rule.args.forEach((a, i) => {
      const inp = spec.inputs[i];
      const asked = a.unit ?? inp.unit;
      const v = get(a.name, asked === '-' ? null : asked, missing, stack);
      const canon = inp.unit === '-' ? v : convertCovariate(v, asked, inp.unit, inp.quantity);
      if (canon === null && c)
        modelError(c, `${rule.fn}(): input ${a.name} in ${asked} cannot be read as ${inp.unit}`);
      x.push(canon ?? NaN);
    });
    if (missing.size > before || x.some((v) => !Number.isFinite(v))) return NaN;
    let r = spec.compute(x, opt);
    if (resultUnit !== spec.unit) r = convertCovariate(r, spec.unit, resultUnit, 'other') ?? NaN;
    notes.push(`${name} = ${fmt(r)} ${resultUnit} by ${rule.text.replace(/^derive\s+/, '')}`);
    cache.set(key, r);
    return r;
  };

  const values: number[] = [];
  const byName: Record<string, number> = {};
  for (const c of ir.covariates) {
    const missing = new Set<string>();
    const nBefore = issues.length;
    let v = get(c.name, c.unit === '-' ? null : c.unit, missing, []);
    const hadErrors = issues.slice(nBefore).some((i) => i.severity === 'error');
    if (!Number.isFinite(v) && !hadErrors) {
      if (c.handling.kind === 'default') {
        v = c.handling.value;
        issues.push({
          code: 'DT_COVARIATE_DEFAULT',
          severity: 'warning',
          field: `covariates.${c.name}`,
          message: `${c.name} is missing: using the model's default ${c.handling.value}${c.unit === '-' ? '' : ` ${c.unit}`}`,
        });
      } else {
        const leaves = [...missing].filter((m) => m !== c.name);
        const what = c.unit === '-' ? `${c.name} (${c.label})` : `${c.name} (${c.unit}, ${c.label})`;
        issues.push({
          code: 'DT_COVARIATE_MISSING',
          severity: 'error',
          field: `covariates.${c.name}`,
          message: c.derive
            ? `${what} is missing and cannot be derived by ${c.derive.fn}() without ${leaves.join(', ')}`
            : `${what} is required and missing`,
          hint: c.derive
            ? `give ${c.name}${c.unit === '-' ? '' : ` in ${c.unit}`}, or ${leaves.join(', ')} to derive it (${c.derive.text.replace(/^derive\s+/, '')})`
            : `give ${c.name}${c.unit === '-' ? '' : ` in ${c.unit}`}`,
        });
      }
    }
    if (Number.isFinite(v) && c.valid) {
      const { lo, hi } = c.valid;
      if ((lo !== null && v < lo) || (hi !== null && v > hi))
        issues.push({
          code: 'DT_DOMAIN_OUTSIDE',
          severity: 'warning',
          field: `covariates.${c.name}`,
          message: `${c.name} is ${fmt(v)}${c.unit === '-' ? '' : ` ${c.unit}`}; the model was developed for ${formatRange(c.valid, c.unit)}`,
          hint: 'predictions outside the validity domain are extrapolations; prefer a model developed for this patient',
        });
    }
    values.push(v);
    byName[c.name] = v;
  }
  return { values, byName, issues, notes };
}

/**
 * Issues for one patient against one model: warning `DT_DOMAIN_OUTSIDE` for each covariate
 * outside its validity range, error `DT_COVARIATE_MISSING` naming each required covariate that
 * is neither given nor derivable, warning `DT_COVARIATE_DEFAULT` when a default is used.
 */
export function checkValidity(model: Model, patient: PatientCovariates): Issue[] {
  return resolveCovariates(model, patient).issues;
}

/** The model's covariate values for a patient, or a DosetwinError carrying every error found. */
export function covariateValues(model: Model, patient: PatientCovariates): ResolvedCovariates {
  const r = resolveCovariates(model, patient);
  const errors = r.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new DosetwinError(errors);
  return r;
}
