/**
 * The machine-learning exposure estimate beside the twin's MAP one: when a shipped
 * limited-sampling estimator applies to the patient (same drug and formulation, doses every τ h by
 * the estimator's route, and levels of the last sampled dosing interval at the design's times), its
 * AUC over that interval from those levels, dose and covariates, and the twin's MAP AUC of the same
 * interval (the exact integral of the individual curve over the real dose history).
 * Pure: the browser's worker calls it after loading the estimator lazily; node tests call it on
 * the artefacts read from disk. The levels and covariates are read by the clinical policy (levels
 * before the first dose or below the LLOQ are not values; a covariate recorded after the dose
 * holds back to it).
 */
import {
  computeExposure,
  convert,
  DosetwinError,
  type MlEstimator,
  type Metrics,
  type ScoreInput,
  scoreEstimator,
} from '@dosetwin/engine';
import type { AnalysisInputs, ClinicalTwin } from './analysis.ts';
import { convertCovariate, DERIVATIONS, quantityOf } from './covariates.ts';
import { formulationsOf } from './drug-models.ts';
import { getModel, modelsForDrug } from './registry.ts';

type TwinInputs = AnalysisInputs;

/** Why an estimator does not apply (the web app's dictionary has a message for each). */
export type MlReasonCode =
  | 'mlWrongDrug'
  | 'mlNoLevel'
  | 'mlWrongFormulation'
  | 'mlWrongRoute'
  | 'mlWrongInfusion'
  | 'mlNoSampleAt'
  | 'mlFirstDose'
  | 'mlWrongInterval'
  | 'mlMissingCovariate'
  | 'mlScoreError';

/** The levels that are values: at or after the first dose, not below their LLOQ. */
function usedSamples(inputs: TwinInputs): TwinInputs['samples'] {
  const firstDoseMs = Math.min(...inputs.administrations.map((a) => Date.parse(a.at)));
  return inputs.samples.filter(
    (s) => Date.parse(s.at) >= firstDoseMs && !(s.lloq !== null && s.value < s.lloq),
  );
}

/** A shipped estimator with its evaluation (metrics.json) and its external-validation model. */
export interface LoadedEstimator {
  est: MlEstimator;
  metrics: Record<string, Record<string, Metrics>>;
  /** Library model the external-validation patients were simulated from (report.md), or null. */
  externalModel: string | null;
}

/** Why an estimator does not apply: a dictionary key and its placeholders. */
export interface MlReason {
  key: MlReasonCode;
  vars: Record<string, string | number>;
}

/** How close a dose interval must be to the estimator's τ, and an infusion to its duration (h). */
export const INTERVAL_TOLERANCE_H = 0.5;
export const INFUSION_TOLERANCE_H = 5 / 60;
/** Least sampling-time tolerance (h), whatever the estimator's training jitter. */
export const MIN_SAMPLE_TOLERANCE_H = 0.25;

/**
 * Tolerance around nominal time `tH` after the dose: ±15 min, or the estimator's training range
 * (±2 SD of its sampling-time jitter, SD = sdH + fraction·t) when wider.
 */
export function sampleToleranceH(est: MlEstimator, tH: number): number {
  const j = est.design.jitter;
  return Math.max(MIN_SAMPLE_TOLERANCE_H, 2 * (j.sdH + j.fraction * tH));
}

/** Brand names of the estimator's formulation (from its training models' products); [] = any. */
export function estimatorFormulations(est: MlEstimator): string[] {
  return [...new Set(est.models.flatMap((m) => formulationsOf(getModel(m.id))))];
}

/** The external-validation model named in an evaluation report's heading, or null. */
export function externalModelOf(reportMd: string): string | null {
  return /^## External validation: patients simulated from (\S+)/m.exec(reportMd)?.[1] ?? null;
}

export interface MlMatch {
  /** Index (time order) of the sampled dose in the administrations. */
  doseIndex: number;
  doseMs: number;
  /** Doses at interval τ up to and including the sampled one (1 = first dose). */
  dosesAtTau: number;
  /** The levels used, in the design's order: actual time after the dose (h), value, unit. */
  samples: { timeH: number; value: number; unit: string; ms: number }[];
  input: ScoreInput;
}

type Admin = TwinInputs['administrations'][number];

const hours = (ms: number): number => ms / 3_600_000;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const durationH = (a: Admin): number =>
  a.duration ? convert(a.duration.value, a.duration.unit, 'h', 'administrations.duration') : 0;

/**
 * The estimator's covariates from the patient's record at `ms`: the latest recorded value of the
 * same name (its unit converted by the scorer; the first one when it was recorded only later), else for CRCL the Cockcroft-Gault clearance from the
 * recorded SCr, age, weight and sex (total body weight, no cap: the estimators' definition).
 */
export function estimatorCovariates(
  est: MlEstimator,
  recorded: TwinInputs['covariates'],
  ms: number,
): { covariates: ScoreInput['covariates']; missing: string[] } {
  const sorted = [...recorded].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const latest = new Map<string, { value: number; unit: string }>();
  for (const c of sorted) if (Date.parse(c.at) <= ms) latest.set(c.name, { value: c.value, unit: c.unit });
  // A covariate first recorded after `ms` holds back to it (the clinical policy).
  for (const c of sorted) if (!latest.has(c.name)) latest.set(c.name, { value: c.value, unit: c.unit });
  const canonical = (name: string, unit: string): number | null => {
    const v = latest.get(name);
    if (!v) return null;
    if (v.unit === unit) return v.value;
    return convertCovariate(v.value, v.unit, unit, quantityOf(name));
  };
  const covariates: ScoreInput['covariates'] = {};
  const missing: string[] = [];
  for (const c of est.covariates) {
    const v = latest.get(c.name);
    if (v) {
      covariates[c.name] = v.unit === c.unit || v.unit === '-' ? v.value : { value: v.value, unit: v.unit };
      continue;
    }
    if (c.name === 'CRCL' && c.unit === 'mL/min') {
      const cg = DERIVATIONS.crcl_cg;
      const x = cg.inputs.map((i) => canonical(i.role, i.unit));
      if (x.every((y): y is number => y !== null && Number.isFinite(y))) {
        covariates[c.name] = cg.compute(x, {});
        continue;
      }
    }
    missing.push(c.label ? `${c.name} (${c.label})` : c.name);
  }
  return { covariates, missing };
}

/**
 * Does the estimator apply to the patient? The sampled interval is the one of the latest dose with
 * a level at or after it (a pre-dose level within tolerance before a dose counts for that dose when
 * the design has a 0-h sample). Checks, in order: drug; formulation (the sampled dose's product, or
 * else the analysis model, must be the estimator's brand when it names one); route and infusion
 * duration; each nominal time matched by a level within {@link sampleToleranceH} (a 0-h level at
 * or before the dose, no level past the next dose); the dose interval (previous dose, and next
 * one if given) equal to τ within {@link INTERVAL_TOLERANCE_H}; the covariates recorded.
 */
export function matchEstimator(
  est: MlEstimator,
  inputs: TwinInputs,
  modelDrug: string,
): { ok: true; match: MlMatch } | { ok: false; reason: MlReason } {
  const no = (key: MlReasonCode, vars: MlReason['vars'] = {}) => ({
    ok: false as const,
    reason: { key, vars },
  });
  const d = est.design;
  const design = {
    times: d.timesH.join(', '),
    tau: d.tauH,
    id: est.id,
  };
  if (est.drug !== modelDrug) return no('mlWrongDrug', { ...design, drug: est.drug });
  const admins = [...inputs.administrations].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const levels = usedSamples(inputs)
    .map((s) => ({ ...s, ms: Date.parse(s.at) }))
    .sort((a, b) => a.ms - b.ms);
  if (!admins.length || !levels.length) return no('mlNoLevel', design);
  const preTol = d.timesH.includes(0) ? sampleToleranceH(est, 0) * 3_600_000 : 0;
  // The sampled dose: the latest one with a level at or after it (pre-dose window included).
  const lastLevelMs = levels[levels.length - 1].ms;
  let k = -1;
  for (let i = admins.length - 1; i >= 0; i--)
    if (lastLevelMs >= Date.parse(admins[i].at) - preTol) {
      k = i;
      break;
    }
  if (k < 0) return no('mlNoLevel', design);
  const dose = admins[k];
  const doseMs = Date.parse(dose.at);
  // Formulation.
  const brands = estimatorFormulations(est);
  if (brands.length) {
    const modelBrands = formulationsOf(getModel(inputs.modelId));
    const drugBrands = new Set([...modelsForDrug(est.drug).flatMap((x) => formulationsOf(x)), ...brands]);
    const named = [...drugBrands].filter((b) => new RegExp(`\\b${b}\\b`, 'i').test(dose.product));
    const given = named.length ? named : modelBrands;
    if (!given.some((b) => brands.includes(b)))
      return no('mlWrongFormulation', {
        ...design,
        formulation: brands.join(', '),
        given: given.length ? given.join(', ') : dose.product || inputs.modelId,
      });
  }
  // Route.
  if (dose.route !== d.route) return no('mlWrongRoute', { ...design, route: d.route, given: dose.route });
  if (d.route === 'infusion' && d.infusionH !== undefined) {
    const dur = durationH(dose);
    if (Math.abs(dur - d.infusionH) > INFUSION_TOLERANCE_H)
      return no('mlWrongInfusion', { ...design, infusion: d.infusionH, given: round2(dur) });
  }
  // Levels of the interval at the design's times.
  const nextMs = k + 1 < admins.length ? Date.parse(admins[k + 1].at) : Infinity;
  const inInterval = levels.filter((s) => s.ms >= doseMs - preTol && s.ms <= nextMs);
  const samples: MlMatch['samples'] = [];
  for (const t of d.timesH) {
    const tol = sampleToleranceH(est, t);
    let best: (typeof inInterval)[number] | null = null;
    for (const s of inInterval) {
      const h = hours(s.ms - doseMs);
      const ok = t === 0 ? h <= 0 && h >= -tol : Math.abs(h - t) <= tol;
      if (ok && (!best || Math.abs(h - t) < Math.abs(hours(best.ms - doseMs) - t))) best = s;
    }
    if (!best)
      return no('mlNoSampleAt', {
        ...design,
        t,
        tol: Math.round(tol * 60),
        found: inInterval.length ? inInterval.map((s) => round2(hours(s.ms - doseMs))).join(', ') : '—',
      });
    samples.push({ timeH: hours(best.ms - doseMs), value: best.value, unit: best.unit, ms: best.ms });
  }
  // Dosing interval: the previous dose (steady state needs one), and the next one if given.
  if (k === 0) return no('mlFirstDose', design);
  const prevH = hours(doseMs - Date.parse(admins[k - 1].at));
  const nextH = hours(nextMs - doseMs);
  for (const h of [prevH, ...(Number.isFinite(nextH) ? [nextH] : [])])
    if (Math.abs(h - d.tauH) > INTERVAL_TOLERANCE_H)
      return no('mlWrongInterval', { ...design, given: round2(h) });
  let dosesAtTau = 1;
  for (let i = k; i > 0; i--) {
    const h = hours(Date.parse(admins[i].at) - Date.parse(admins[i - 1].at));
    if (Math.abs(h - d.tauH) > INTERVAL_TOLERANCE_H) break;
    dosesAtTau++;
  }
  const cov = estimatorCovariates(est, inputs.covariates, doseMs);
  if (cov.missing.length) return no('mlMissingCovariate', { ...design, names: cov.missing.join(', ') });
  return {
    ok: true,
    match: {
      doseIndex: k,
      doseMs,
      dosesAtTau,
      samples,
      input: {
        samples: samples.map((s) => ({ timeH: s.timeH, conc: { value: s.value, unit: s.unit } })),
        dose: { value: dose.amount, unit: dose.unit },
        covariates: cov.covariates,
      },
    },
  };
}

/** Doses at the estimator's interval below which steady state (what the ML estimate assumes) is doubtful. */
export const ML_STEADY_STATE_DOSES = 4;

/** The panel's content: ML and MAP AUC of the sampled interval, and the estimator's validated accuracy. */
export interface MlPanel {
  estimatorId: string;
  label: string;
  unit: string;
  tauH: number;
  timesH: number[];
  doseMs: number;
  dosesAtTau: number;
  /** Fewer than {@link ML_STEADY_STATE_DOSES} doses at τ: probably not at steady state, which the ML estimate assumes. */
  fewDoses: boolean;
  /** Actual sampling times after the dose (h). */
  sampleTimesH: number[];
  mlAuc: number;
  mapAuc: number;
  /** 100·(ML/MAP − 1). */
  diffPct: number;
  /** The twin is a MAP fit (false: a priori, the MAP AUC is the typical patient's). */
  map: boolean;
  /** The estimator's ML accuracy on held-out virtual patients and on external validation. */
  heldOut: { n: number; biasPct: number; rmsePct: number } | null;
  external: { n: number; biasPct: number; rmsePct: number; model: string | null } | null;
  notes: string[];
}

/** The twin's AUC between two clinical times (exact integral of the point-estimate curve), model units. */
export function twinAuc(ct: ClinicalTwin, fromMs: number, toMs: number): number {
  return computeExposure(ct.twin.sim, ct.twin.history, ct.twin.point, {
    from: ct.toTime(fromMs),
    to: ct.toTime(toMs),
    gridPoints: 24,
    refineExtremes: false,
  }).auc;
}

/** An AUC in model units (conc·time) in `unit` (e.g. ug*h/L). */
export function aucIn(auc: number, units: { conc: string; time: string }, unit: string): number {
  const [mass, vol] = units.conc.split('/');
  const perH = auc * convert(1, units.time, 'h', 'time');
  return convert(perH, `${mass}*h/${vol}`, unit, 'AUC');
}

const mlOf = (
  m: Record<string, Metrics> | undefined,
): { n: number; biasPct: number; rmsePct: number } | null => {
  const x = m?.['ML (GBDT)'];
  return x ? { n: x.n, biasPct: x.relBiasPct, rmsePct: x.relRmsePct } : null;
};

/**
 * The first shipped estimator of the twin's drug that applies, as a panel; else the reasons each
 * one does not (null when the library has no estimator for the drug).
 */
export function mlEstimate(
  ct: ClinicalTwin,
  inputs: TwinInputs,
  entries: readonly LoadedEstimator[],
): { panel: MlPanel | null; reasons: { id: string; reason: MlReason }[] } {
  const reasons: { id: string; reason: MlReason }[] = [];
  for (const e of entries) {
    const est = e.est;
    const ir = ct.model.ir;
    if (est.drug !== ir.drug) continue;
    const m = matchEstimator(est, inputs, ir.drug);
    if (!m.ok) {
      reasons.push({ id: est.id, reason: m.reason });
      continue;
    }
    let score;
    try {
      score = scoreEstimator(est, m.match.input);
    } catch (err) {
      const msg = err instanceof DosetwinError ? err.issues.map((i) => i.message).join('; ') : String(err);
      reasons.push({ id: est.id, reason: { key: 'mlScoreError', vars: { id: est.id, message: msg } } });
      continue;
    }
    const mapModel = twinAuc(ct, m.match.doseMs, m.match.doseMs + est.design.tauH * 3_600_000);
    const mapAuc = aucIn(mapModel, ir.units, score.unit);
    return {
      panel: {
        estimatorId: est.id,
        label: est.target.label,
        unit: score.unit,
        tauH: est.design.tauH,
        timesH: est.design.timesH,
        doseMs: m.match.doseMs,
        dosesAtTau: m.match.dosesAtTau,
        fewDoses: m.match.dosesAtTau < ML_STEADY_STATE_DOSES,
        sampleTimesH: m.match.samples.map((s) => s.timeH),
        mlAuc: score.auc,
        mapAuc,
        diffPct: 100 * (score.auc / mapAuc - 1),
        map: ct.twin.fit !== null,
        heldOut: mlOf(e.metrics.internal),
        external: e.metrics.external ? { ...mlOf(e.metrics.external)!, model: e.externalModel } : null,
        notes: score.notes,
      },
      reasons,
    };
  }
  return { panel: null, reasons };
}
