import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { ModelIR } from '../model/ir.ts';
import { estimateMap } from '../estimate/map.ts';
import { fitFocei, type PopFit, type PopFitOptions } from './fit.ts';
import { modelParameters, withParameters } from './parameters.ts';

/** A library model adapted to local patients, with where it came from. */
export interface ModelUpdate {
  /** The updated model: the published one with the fitted θ, Ω and residual SDs, a new version. */
  ir: ModelIR;
  fit: PopFit;
  provenance: {
    /** The published model it was adapted from (id, version). */
    from: string;
    fromVersion: string;
    patients: number;
    /** Date of the update (given by the caller: the engine has no clock). */
    date: string;
    /** The prior: SD of each θ on its log scale and Ω's inverse-Wishart degrees of freedom. */
    thetaSd: number;
    omegaDf: number;
  };
}

/**
 * Adapt a published model to local patients (NONMEM's `$PRIOR NWPRI` idea): FOCE-I with the
 * published estimates as the prior — a normal prior of SD `thetaSd` on each ln θ, an
 * inverse-Wishart prior with `omegaDf` degrees of freedom on Ω — so that what the local data do not
 * inform stays published. The result is a new version of the model (`<version>+local.<date>`)
 * whose description says what it was adapted from; a pharmacologist approves it before any use.
 */
export function updateModel(
  model: CompiledModel,
  patients: readonly PatientData[],
  options: { date: string; thetaSd?: number; omegaDf?: number } & PopFitOptions,
): ModelUpdate {
  const ir = model.ir;
  const published = modelParameters(ir);
  const thetaSd = options.thetaSd ?? 0.5;
  const omegaDf = options.omegaDf ?? 5;
  const fit = fitFocei(model, patients, {
    ...options,
    prior: { parameters: published, thetaSd, omegaDf },
  });
  const updated = withParameters(ir, fit.parameters);
  const note = `Adapted on ${options.date} from ${ir.id} ${ir.version} to ${patients.length} local patients by FOCE-I with the published estimates as the prior (ln θ SD ${thetaSd}, Ω inverse-Wishart ν = ${omegaDf}); OFV ${fit.ofv.toFixed(2)}.`;
  return {
    ir: {
      ...updated,
      version: `${ir.version || '0'}+local.${options.date.replace(/[^0-9]/g, '')}`,
      description: `${ir.description} ${note}`.trim(),
    },
    fit,
    provenance: {
      from: ir.id,
      fromVersion: ir.version,
      patients: patients.length,
      date: options.date,
      thetaSd,
      omegaDf,
    },
  };
}

/** One patient's last level forecast from the earlier ones. */
export interface NextLevelForecast {
  id: string;
  time: number;
  observed: number;
  predicted: number;
}

/**
 * The predictive check of a model on patients with two levels or more: each patient's last level
 * is forecast from the earlier ones (MAP fit without it, prediction at its time) and set beside the
 * measured value.
 */
export function nextLevelForecasts(
  model: CompiledModel,
  patients: readonly PatientData[],
): NextLevelForecast[] {
  const out: NextLevelForecast[] = [];
  for (const p of patients) {
    const obs: number[] = [];
    for (let i = 0; i < p.n; i++) if (p.evid[i] === 0 && p.mdv[i] === 0 && p.cens?.[i] !== 1) obs.push(i);
    if (obs.length < 2) continue;
    const last = obs[obs.length - 1];
    const mdv = Int8Array.from(p.mdv);
    mdv[last] = 1;
    const fit = estimateMap(model, { ...p, mdv });
    const r = fit.ipred.find((q) => q.record === last);
    out.push({ id: p.id, time: p.time[last], observed: p.dv[last], predicted: r ? r.ipred : NaN });
  }
  return out;
}

/**
 * Bias and imprecision of forecasts, %, on the log scale (the relative error's plain mean is biased
 * upwards by the spread of the measured values): bias = 100·(exp(mean ln(pred/obs)) − 1),
 * imprecision = 100·√mean(ln(pred/obs)²). Forecasts or levels ≤ 0 are left out.
 */
export function forecastSummary(f: readonly NextLevelForecast[]): {
  biasPct: number;
  imprecisionPct: number;
  n: number;
} {
  const e = f.filter((x) => x.predicted > 0 && x.observed > 0).map((x) => Math.log(x.predicted / x.observed));
  const mean = e.reduce((s, v) => s + v, 0) / e.length;
  const rms = Math.sqrt(e.reduce((s, v) => s + v * v, 0) / e.length);
  return { biasPct: 100 * (Math.exp(mean) - 1), imprecisionPct: 100 * rms, n: e.length };
}

/** One subgroup of a bias audit. */
export interface AuditGroup {
  /** The grouping (e.g. `sex`, `renal function`) and the subgroup's value. */
  by: string;
  group: string;
  n: number;
  biasPct: number;
  imprecisionPct: number;
  /** |bias| above the threshold. */
  flagged: boolean;
}

/**
 * Bias audit of a model on a hospital's patients: each patient's next level forecast from the
 * earlier ones ({@link nextLevelForecasts}), bias and imprecision overall and per subgroup of each
 * grouping (`groupings`: name → a patient's subgroup label, e.g. by sex, age band, renal function
 * class, weight band, genotype, ward); subgroups whose bias exceeds ±`thresholdPct` (default 10 %)
 * are flagged. The overall row has `by` = `all`.
 */
export function biasAudit(
  model: CompiledModel,
  patients: readonly PatientData[],
  groupings: Readonly<Record<string, (p: PatientData) => string>>,
  thresholdPct = 10,
): AuditGroup[] {
  const forecasts = nextLevelForecasts(model, patients);
  const byId = new Map(patients.map((p) => [p.id, p]));
  const row = (by: string, group: string, f: NextLevelForecast[]): AuditGroup => {
    const s = forecastSummary(f);
    return {
      by,
      group,
      n: s.n,
      biasPct: s.biasPct,
      imprecisionPct: s.imprecisionPct,
      flagged: Math.abs(s.biasPct) > thresholdPct,
    };
  };
  const out = [row('all', 'all', forecasts)];
  for (const [by, label] of Object.entries(groupings)) {
    const groups = new Map<string, NextLevelForecast[]>();
    for (const f of forecasts) {
      const g = label(byId.get(f.id)!);
      groups.set(g, [...(groups.get(g) ?? []), f]);
    }
    for (const [g, f] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) out.push(row(by, g, f));
  }
  return out;
}
