/**
 * The limits of administration a library model is used with: each product's maximum single, daily
 * and loading dose and its infusion limits, from the drug file (with their sources), and their
 * reading for one patient in a model's units (the engine's {@link AdministrationLimits}). A
 * maximum per kg needs the patient's weight; without it that maximum cannot be applied, and a
 * warning (DT_LIMIT_WEIGHT) says which.
 *
 * Several products of one model (two vial strengths are one product; CellCept capsules and
 * tablets, Certican and Afinitor are several): a regimen is allowed when one product's label
 * allows it, so each maximum is the largest over the products (none when a product states none),
 * the shortest infusion the shortest, and so on.
 */
import {
  type AdministrationLimits,
  convert,
  DosetwinError,
  type Issue,
  type ModelIR,
  type PatientData,
} from '@dosetwin/engine';
import type { Formulation } from './drug.ts';
import { covariatesPerRecord, type DrugPatient } from './patient.ts';
import type { Quantity } from './regimen.ts';

/** One product's limits, as its drug file states them (masses, masses per kg, rates with their units). */
export interface ProductLimits {
  /** The drug file's formulation id. */
  formulation: string;
  /** Each list: every entry applies (the smallest wins); []: none stated. */
  maxDose: Quantity[];
  maxDailyDose: Quantity[];
  /** []: the single-dose maximum applies to the loading dose. */
  maxLoadingDose: Quantity[];
  /** `mg/min`, `mg/h` or per kg `mg/kg/h`; null: none. */
  maxRate: Quantity | null;
  minDuration: Quantity | null;
  maxDuration: Quantity | null;
  /** Durations the rate asks for are rounded up to a multiple of this. */
  durationStep: Quantity | null;
  source: string;
}

/** The limits of one formulation of a drug file. */
export function productLimits(f: Formulation): ProductLimits {
  const inf = f.infusion;
  return {
    formulation: f.id,
    maxDose: f.limits.maxDose,
    maxDailyDose: f.limits.maxDailyDose,
    maxLoadingDose: f.limits.maxLoadingDose,
    maxRate: inf?.maxRate ?? null,
    minDuration: inf ? { value: inf.duration.lo, unit: inf.duration.unit } : null,
    maxDuration: inf?.maxDuration ?? null,
    durationStep: inf?.step ?? null,
    source: [f.limits.source, inf?.note].filter(Boolean).join('; '),
  };
}

/** A unit `mg`, `mg/kg`, `mg/min`, `mg/kg/h` read as its mass, per kg or not, and time (rates). */
function readUnit(unit: string): { mass: string; perKg: boolean; time: string | null } {
  const [mass, ...rest] = unit.split('/');
  const perKg = rest[0] === 'kg';
  if (perKg) rest.shift();
  return { mass, perKg, time: rest[0] ?? null };
}

/** What a limit is called in messages. */
const NAMES = {
  maxDose: 'maximum single dose',
  maxDailyDose: 'maximum daily dose',
  maxLoadingDose: 'maximum loading dose',
  maxRate: 'maximum infusion rate',
} as const;

/**
 * The limits for one patient in a model's units: per-kg maxima times the weight (kg), masses in the
 * dose unit, rates in dose unit per time unit, durations in the time unit; merged over the products
 * (see the module documentation). A per-kg maximum without a weight is left out with a warning.
 */
export function resolveLimits(
  products: readonly ProductLimits[],
  units: { dose: string; time: string },
  weightKg: number | null,
): { limits: AdministrationLimits; warnings: Issue[] } {
  const warnings: Issue[] = [];
  if (!products.length) return { limits: {}, warnings };
  const missing = new Set<string>();
  /** One quantity in model units (a mass, or a rate when `rate`), null when it is per kg and no weight is known. */
  const value = (q: Quantity, rate: boolean, what: keyof typeof NAMES): number | null => {
    const u = readUnit(q.unit);
    if (u.perKg && !(weightKg! > 0)) {
      missing.add(`${NAMES[what]} ${q.value} ${q.unit}`);
      return null;
    }
    let v = convert(q.value * (u.perKg ? weightKg! : 1), u.mass, units.dose, `limits.${what}`);
    if (rate) {
      if (!u.time)
        throw new DosetwinError([
          {
            code: 'DT_DRUG_FILE',
            severity: 'error',
            field: `limits.${what}`,
            message: `the infusion rate '${q.value} ${q.unit}' has no time unit (mg/min, mg/kg/h)`,
          },
        ]);
      v /= convert(1, u.time, units.time, `limits.${what}`);
    } else if (u.time)
      throw new DosetwinError([
        {
          code: 'DT_DRUG_FILE',
          severity: 'error',
          field: `limits.${what}`,
          message: `the dose limit '${q.value} ${q.unit}' is a rate: write a mass (mg) or a mass per kg (mg/kg)`,
        },
      ]);
    return v;
  };
  /** The smallest of a product's list; Infinity when it states none or none could be read. */
  const smallest = (qs: readonly Quantity[], what: keyof typeof NAMES): number => {
    const vs = qs.map((q) => value(q, false, what)).filter((v): v is number => v !== null);
    return vs.length ? Math.min(...vs) : Infinity;
  };
  const time = (q: Quantity | null): number | null =>
    q ? convert(q.value, q.unit, units.time, 'limits.duration') : null;
  const largest = (vs: number[]): number | undefined => {
    const m = Math.max(...vs);
    return Number.isFinite(m) ? m : undefined;
  };
  const maxDose = products.map((p) => smallest(p.maxDose, 'maxDose'));
  const limits: AdministrationLimits = {};
  const set = <K extends keyof AdministrationLimits>(k: K, v: AdministrationLimits[K] | undefined): void => {
    if (v !== undefined) limits[k] = v;
  };
  set('maxDose', largest(maxDose));
  set('maxDailyDose', largest(products.map((p) => smallest(p.maxDailyDose, 'maxDailyDose'))));
  set(
    'maxLoadingDose',
    largest(
      products.map((p, i) =>
        p.maxLoadingDose.length ? smallest(p.maxLoadingDose, 'maxLoadingDose') : maxDose[i],
      ),
    ),
  );
  set(
    'maxRate',
    largest(products.map((p) => (p.maxRate ? (value(p.maxRate, true, 'maxRate') ?? Infinity) : Infinity))),
  );
  const mins = products.map((p) => time(p.minDuration) ?? 0);
  if (Math.min(...mins) > 0) limits.minDuration = Math.min(...mins);
  set('maxDuration', largest(products.map((p) => time(p.maxDuration) ?? Infinity)));
  const steps = products.map((p) => time(p.durationStep)).filter((v): v is number => v !== null && v > 0);
  if (steps.length && limits.maxRate !== undefined) limits.durationStep = Math.min(...steps);
  if (missing.size)
    warnings.push({
      code: 'DT_LIMIT_WEIGHT',
      severity: 'warning',
      field: 'WT',
      message: `no body weight recorded: the ${[...missing].join(', ')} cannot be applied to the regimens proposed`,
      hint: 'record the weight (WT) and analyse again',
    });
  return { limits, warnings };
}

/**
 * The limits a regimen search applies: each maximum the smaller of the one asked (an option, a
 * pinned regimen) and the label's, the shortest infusion the longer of the two.
 */
export function tightened(asked: AdministrationLimits, label: AdministrationLimits): AdministrationLimits {
  const min = (a?: number, b?: number): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  const max = (a?: number, b?: number): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  const out: AdministrationLimits = {};
  const put = (k: keyof AdministrationLimits, v: number | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  put('maxDose', min(asked.maxDose, label.maxDose));
  put('maxDailyDose', min(asked.maxDailyDose, label.maxDailyDose));
  put('maxLoadingDose', min(asked.maxLoadingDose, label.maxLoadingDose));
  put('maxRate', min(asked.maxRate, label.maxRate));
  put('minDuration', max(asked.minDuration, label.minDuration));
  put('maxDuration', min(asked.maxDuration, label.maxDuration));
  put('durationStep', asked.durationStep ?? label.durationStep);
  return out;
}

/** The body weight (kg) last recorded in a drug-level patient, when recorded with its unit; else null. */
export function recordedWeightKg(p: DrugPatient): number | null {
  const values = covariatesPerRecord(p).values;
  const wt = values[values.length - 1]?.WT;
  if (wt === undefined || wt === null || typeof wt === 'number') return null;
  return convert(wt.value, wt.unit, 'kg', 'WT.unit');
}

/** The body weight (kg) at a model patient's last record, when the model has a weight covariate (WT); else null. */
export function modelWeightKg(ir: ModelIR, h: PatientData): number | null {
  const k = ir.covariates.findIndex((c) => c.name === 'WT');
  if (k < 0 || h.n === 0) return null;
  const v = h.cov[(h.n - 1) * h.nCov + k];
  if (!Number.isFinite(v)) return null;
  const unit = ir.covariates[k].unit;
  return unit === 'kg' ? v : convert(v, unit, 'kg', 'WT.unit');
}
