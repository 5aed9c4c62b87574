import {
  convert,
  patientFromRecords,
  Simulator,
  type CompiledModel,
  type RecordInput,
} from '@dosetwin/engine';
import { convertCovariate } from './covariates.ts';
import { modelPolicy } from './policy.ts';
import type { LibraryModel } from './registry.ts';
import { covariateValues, type PatientCovariates } from './resolve.ts';
import type { VerificationCheck } from './verified.ts';

type Compiled = CompiledModel | LibraryModel;
const compiledOf = (m: Compiled): CompiledModel => ('compiled' in m ? m.compiled() : m);

/**
 * Individual parameters for a patient: covariates resolved (derived, converted, defaults), etas
 * as given (default 0: the typical patient), the model's individual statements evaluated.
 * Returns every named variable the statements assign, and the covariates.
 */
export function individualParameters(
  model: Compiled,
  patient: PatientCovariates,
  eta: ArrayLike<number> | null = null,
): Record<string, number> {
  const m = compiledOf(model);
  const { values } = covariateValues(m, patient);
  const s = m.newSlots();
  m.covariateSlots.forEach((slot, k) => (s[slot] = values[k]));
  m.etaSlots.forEach((slot, k) => (s[slot] = eta ? eta[k] : 0));
  m.individual(s);
  const out: Record<string, number> = {};
  for (const [name, slot] of m.slotOf)
    if (!name.startsWith('@') && name !== 't' && name !== 'CMT') out[name] = s[slot];
  return out;
}

/** The patient a verification check lists, as covariate inputs with units. */
export function checkPatient(c: VerificationCheck): PatientCovariates {
  return Object.fromEntries(
    c.at.map((a) => [a.name, a.unit === '-' ? a.value : { value: a.value, unit: a.unit }]),
  );
}

/** Re-compute one `check` line of a model's verified block. */
export function runCheck(model: LibraryModel, c: VerificationCheck): { actual: number; ok: boolean } {
  const p = individualParameters(model, checkPatient(c));
  const actual = p[c.variable];
  return { actual, ok: actual !== undefined && Math.abs(actual - c.value) <= c.tolerance };
}

/**
 * Simulate the typical patient (etas 0) for dosing records; returns the first output at `times`.
 * Records are in the model's units; covariates are resolved once and held constant.
 */
export function simulateTypical(
  model: Compiled,
  patient: PatientCovariates,
  doses: readonly RecordInput[],
  times: readonly number[],
  eta: ArrayLike<number> | null = null,
): number[] {
  const m = compiledOf(model);
  const { values } = covariateValues(m, patient);
  const rows: RecordInput[] = [
    ...doses.map((d) => ({ ...d, evid: d.evid ?? 1, cov: values })),
    ...times.map((t) => ({ time: t, evid: 0, cov: values })),
  ]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time - b.r.time || a.i - b.i)
    .map((x) => x.r);
  const p = patientFromRecords('typical', rows, values.length);
  const out = new Float64Array(p.n);
  new Simulator(m).run(p, eta, out);
  const res: number[] = [];
  for (let i = 0; i < p.n; i++) if (p.evid[i] === 0) res.push(out[i]);
  return res;
}

/**
 * Concentration the model's first usable target (of those it is used with, see `modelPolicy`)
 * implies for the average over a dosing interval, in the model's conc unit.
 */
export function targetReferenceConcentration(model: LibraryModel): { conc: number; from: string } | null {
  const ir = model.ir;
  for (const t of modelPolicy(model).targets) {
    const mid = t.lo !== null && t.hi !== null ? (t.lo + t.hi) / 2 : (t.lo ?? t.hi);
    if (mid === null) continue;
    const metric = t.metric.toLowerCase();
    try {
      if (metric === 'auc24')
        return {
          conc: convert(convert(mid, t.unit, 'mg*h/L', t.metric) / 24, 'mg/L', ir.units.conc),
          from: t.metric,
        };
      if (['trough', 'c0', 'cmin', 'css', 'cavg'].includes(metric))
        return { conc: convert(mid, t.unit, ir.units.conc, t.metric), from: t.metric };
      if (['peak', 'cmax', 'c_eoi_1h', 'c_eoi_30min'].includes(metric))
        return { conc: convert(mid, t.unit, ir.units.conc, t.metric) / 3, from: t.metric };
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Sanity of the products a model is used with (its drug file's formulations with the model's
 * overrides, see `modelPolicy`) against the model and its targets, for a reference patient:
 * strengths are masses convertible to the dose unit; the usual dose is administrable with them;
 * and the usual dose, simulated to steady state, gives an average concentration within a factor
 * 10 of the concentration the targets imply (catches mg vs µg, ng/mL vs mg/L, 100–800 mg
 * tacrolimus capsules; a factor 10 leaves room for label doses that are only starting points,
 * e.g. voriconazole 200 mg twice daily gives 0.6 mg/L on average in healthy adults). Returns the problems found (empty = sane) and the numbers behind them.
 */
export function productSanity(
  model: LibraryModel,
  patient: PatientCovariates,
): { problems: string[]; doseMg: number; cavg: number; reference: number | null } {
  const ir = model.ir;
  const problems: string[] = [];
  const massUnits = ['mg', 'g', 'ug', 'µg', 'mcg', 'kg'];
  const products = modelPolicy(model).products.map((p) => p.line);
  const strengths = products.filter(
    (p) => !['usual', 'interval', 'infusion'].includes(p.form) && massUnits.includes(p.unit),
  );
  if (!strengths.length) problems.push('no product strengths in a mass unit');
  const toDose = (v: number, u: string): number => convert(v, u, ir.units.dose, 'products');
  const all = strengths.flatMap((p) => p.values.map((v) => toDose(v, p.unit)));
  const usual = products.find((p) => p.form === 'usual');
  if (!usual)
    return { problems: [...problems, "no 'usual' dose line"], doseMg: NaN, cavg: NaN, reference: null };
  let dose: number;
  const perKg = /^(.+)\/kg$/.exec(usual.unit);
  if (perKg) {
    const w = patient.WT;
    const wtKg = typeof w === 'number' ? w : w ? convertCovariate(w.value, w.unit, 'kg', 'other') : null;
    dose = wtKg === null ? NaN : toDose(usual.values[0] * wtKg, perKg[1]);
  } else dose = toDose(usual.values[0], usual.unit);
  if (!Number.isFinite(dose))
    problems.push(`usual dose ${usual.text}: cannot compute for the reference patient`);
  if (all.length) {
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const oral = strengths.some((p) => ['capsule', 'tablet', 'granules'].includes(p.form));
    if (oral && dose < lo)
      problems.push(`usual dose ${dose} ${ir.units.dose} is below the smallest strength ${lo}`);
    if (dose > 20 * hi)
      problems.push(`usual dose ${dose} ${ir.units.dose} needs more than 20 units of ${hi}`);
    if (dose < lo / 100)
      problems.push(`usual dose ${dose} ${ir.units.dose} is under 1/100 of the smallest strength ${lo}`);
  }
  const tau = usual.everyH!;
  const infusion = products.find((p) => p.form === 'infusion');
  const hasDepot = ir.compartments[0] === 'depot';
  const durH = !hasDepot && infusion ? infusion.values[0] : 0;
  const n = 48;
  const times = Array.from({ length: n + 1 }, (_, k) => 10 * tau + (k * tau) / n);
  const conc = simulateTypical(
    model,
    patient,
    [{ time: 0, amt: dose, cmt: 1, ii: tau, addl: 12, ...(durH > 0 ? { rate: dose / durH } : {}) }],
    times,
  );
  let auc = 0;
  for (let k = 0; k < n; k++) auc += ((conc[k] + conc[k + 1]) / 2) * (tau / n);
  const cavg = auc / tau;
  const ref = targetReferenceConcentration(model);
  if (ref && !(cavg > ref.conc / 10 && cavg < ref.conc * 10))
    problems.push(
      `usual dose ${dose} ${ir.units.dose} every ${tau} h gives an average ${cavg.toPrecision(3)} ${ir.units.conc}; the ${ref.from} target implies about ${ref.conc.toPrecision(3)}`,
    );
  return { problems, doseMg: dose, cavg, reference: ref?.conc ?? null };
}
