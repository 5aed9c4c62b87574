/**
 * Virtual populations: clinical covariates drawn from a declarative joint distribution (each
 * variable may depend on a binary one drawn before it, e.g. sex, and scale with another, e.g.
 * weight with height²), or resampled from a user's table. Pure data in, numbers out: the spec is
 * JSON and is recorded in a trained estimator's recipe.
 */
import { fail } from '../errors.ts';
import type { Rng } from '../simulate/rng.ts';

export interface VariableSpec {
  name: string;
  unit: string;
  /**
   * normal: a = mean, b = SD; lognormal: a = median, b = SD of ln; uniform: a = low, b = high;
   * bernoulli: a = P(value = 1); categorical: `values` drawn with probabilities `p` (genotype
   * frequencies, renal function classes), a unused.
   */
  dist: 'normal' | 'lognormal' | 'uniform' | 'bernoulli' | 'categorical';
  /**
   * A number, or one value per value of `given` ([value if `given` = 0, value if `given` = 1, …]:
   * a categorical `given` with values 0..k−1 takes k values).
   */
  a?: number | number[];
  b?: number | number[];
  /** Categorical: the values (e.g. 0, 1, 2 copies of an allele; renal class 0..3). */
  values?: number[];
  /** Categorical: their probabilities (summing to 1), or one list per value of `given`. */
  p?: number[] | number[][];
  /** A variable drawn earlier, taking values 0..k−1, on which a, b, p and scale.ref depend. */
  given?: string;
  /** Multiply the draw by (by/ref)^power (e.g. weight ∝ height² at a fixed BMI). */
  scale?: { by: string; ref: number | number[]; power: number };
  /** Truncation: values outside [lo, hi] are redrawn (at most 1000 times). */
  lo?: number;
  hi?: number;
  label?: string;
}

export type PopulationSpec =
  | { kind: 'distribution'; label: string; variables: VariableSpec[] }
  | { kind: 'table'; label: string; columns: { name: string; unit: string }[]; rows: number[][] };

/** Check a population spec; every problem names its field. */
export function checkPopulation(spec: PopulationSpec): void {
  if (spec.kind === 'table') {
    if (spec.rows.length === 0)
      fail('DT_ML_POPULATION', 'population.rows', 'the covariate table has no rows');
    spec.rows.forEach((r, i) => {
      if (r.length !== spec.columns.length)
        fail(
          'DT_ML_POPULATION',
          `population.rows[${i}]`,
          `row has ${r.length} values for ${spec.columns.length} columns`,
        );
      r.forEach((v, j) => {
        if (!Number.isFinite(v))
          fail(
            'DT_ML_POPULATION',
            `population.rows[${i}].${spec.columns[j].name}`,
            `value ${v} is not a finite number`,
          );
      });
    });
    return;
  }
  const seen = new Set<string>();
  spec.variables.forEach((v, i) => {
    const field = `population.variables[${i}] (${v.name})`;
    const pick = (x: number | number[] | undefined): number[] =>
      x === undefined ? [] : Array.isArray(x) ? x : [x];
    const nested = Array.isArray(v.p) && v.p.some((q) => Array.isArray(q));
    if ((Array.isArray(v.a) || Array.isArray(v.b) || Array.isArray(v.scale?.ref) || nested) && !v.given)
      fail('DT_ML_POPULATION', field, 'per-group values need `given` (a variable drawn earlier)');
    if (v.dist === 'categorical') {
      const values = v.values ?? [];
      if (values.length === 0 || values.some((x) => !Number.isFinite(x)))
        fail('DT_ML_POPULATION', field, 'categorical needs `values`, a list of finite numbers');
      const lists = (nested ? (v.p as number[][]) : [(v.p ?? []) as number[]]) as number[][];
      lists.forEach((q) => {
        if (q.length !== values.length || q.some((x) => !(x >= 0)))
          fail(
            'DT_ML_POPULATION',
            field,
            `probabilities ${q.join(', ')}: one ≥ 0 per value (${values.length})`,
          );
        const sum = q.reduce((s, x) => s + x, 0);
        if (Math.abs(sum - 1) > 1e-9)
          fail('DT_ML_POPULATION', field, `probabilities ${q.join(', ')} sum to ${sum}, not 1`);
      });
    }
    if (v.given && !seen.has(v.given))
      fail('DT_ML_POPULATION', field, `given '${v.given}' must be drawn before ${v.name}`);
    if (v.scale && !seen.has(v.scale.by))
      fail('DT_ML_POPULATION', field, `scale.by '${v.scale.by}' must be drawn before ${v.name}`);
    const a = pick(v.a);
    const b = pick(v.b);
    if (v.dist === 'bernoulli' && (a.length === 0 || a.some((p) => !(p >= 0 && p <= 1))))
      fail('DT_ML_POPULATION', field, `probability ${a.join(', ')} must be in [0, 1]`);
    if (v.dist !== 'categorical' && a.length === 0) fail('DT_ML_POPULATION', field, `${v.dist} needs a`);
    if (v.dist !== 'bernoulli' && v.dist !== 'categorical' && b.length === 0)
      fail('DT_ML_POPULATION', field, `${v.dist} needs b`);
    if ((v.dist === 'normal' || v.dist === 'lognormal') && b.some((s) => !(s >= 0)))
      fail('DT_ML_POPULATION', field, `SD ${b.join(', ')} must be ≥ 0`);
    if (v.dist === 'lognormal' && a.some((m) => !(m > 0)))
      fail('DT_ML_POPULATION', field, `median ${a.join(', ')} must be > 0`);
    if (v.lo !== undefined && v.hi !== undefined && !(v.lo < v.hi))
      fail('DT_ML_POPULATION', field, `truncation lo ${v.lo} must be < hi ${v.hi}`);
    seen.add(v.name);
  });
}

/** The entry of a per-group list for the value `grp` of the variable's `given`. */
function groupOf<T>(v: VariableSpec, x: T[], grp: number): T {
  const g = x[grp];
  if (g === undefined)
    fail(
      'DT_ML_POPULATION',
      `population.variables.${v.name}`,
      `${v.given} = ${grp} has no value in the per-group list (${x.length} values)`,
    );
  return g;
}

function groupValue(v: VariableSpec, x: number | number[] | undefined, grp: number): number {
  return x === undefined ? NaN : Array.isArray(x) ? groupOf(v, x, grp) : x;
}

/** Draw one patient's clinical covariates. */
export function drawClinical(spec: PopulationSpec, rng: Rng): Record<string, number> {
  const out: Record<string, number> = {};
  if (spec.kind === 'table') {
    const row = spec.rows[Math.floor(rng.uniform() * spec.rows.length)];
    spec.columns.forEach((c, j) => (out[c.name] = row[j]));
    return out;
  }
  // No closures per variable: this runs for every virtual patient of a trial.
  for (const v of spec.variables) {
    const grp = v.given ? out[v.given] : 0;
    const a = groupValue(v, v.a, grp);
    const b = groupValue(v, v.b, grp);
    const f = v.scale ? Math.pow(out[v.scale.by] / groupValue(v, v.scale.ref, grp), v.scale.power) : 1;
    let x = NaN;
    for (let tries = 0; tries < 1000; tries++) {
      if (v.dist === 'categorical') {
        const q = (Array.isArray(v.p![0]) ? groupOf(v, v.p as number[][], grp) : v.p) as number[];
        const u = rng.uniform();
        let acc = 0;
        let k = 0;
        while (k < q.length - 1 && u >= (acc += q[k])) k++;
        x = v.values![k];
      } else if (v.dist === 'bernoulli') x = rng.uniform() < a ? 1 : 0;
      else if (v.dist === 'uniform') x = a + (b - a) * rng.uniform();
      else if (v.dist === 'normal') x = a + b * rng.normal();
      else x = a * Math.exp(b * rng.normal());
      x *= f;
      if ((v.lo === undefined || x >= v.lo) && (v.hi === undefined || x <= v.hi)) break;
      if (tries === 999)
        fail(
          'DT_ML_POPULATION',
          `population.variables.${v.name}`,
          `1000 draws fell outside ${v.lo}..${v.hi}`,
        );
    }
    out[v.name] = x;
  }
  return out;
}
