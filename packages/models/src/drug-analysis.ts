/**
 * The drug-level analysis of a clinical record: a prescriber asks for "vancomycin", not for a
 * model. Every library model of the drug (of the patient's formulation) is fitted and weighed
 * (`fitDrug`), the regimens are proposed, evaluated under every model and ranked on the averaged
 * exposure (`recommendDrug`), and each candidate shows the averaged metrics, the mixture's PTA,
 * and every model's value and weight, so that the pharmacologist may keep one model instead.
 * The what-if evaluates any regimen the same way ({@link evaluateDrugRegimen}).
 */
import {
  convert,
  createTwin,
  DosetwinError,
  type Issue,
  parseTarget,
  type Target,
  type Twin,
} from '@dosetwin/engine';
import type { AnalysisCandidate, AnalysisNextDose, Attainment, MetricValue } from './analysis.ts';
import { type DrugFit, fitDrug, metricFactor, modelAverage } from './averaging.ts';
import { candidateModels, formulationsOf } from './drug-models.ts';
import { drugFile } from './drugs.ts';
import { type ClinicalRecord, clinicalPatient, type DrugPatient } from './patient.ts';
import { checkClinicalRecord } from './plausibility.ts';
import { defaultTargets, productSpace } from './policy.ts';
import { type Quantity, type Regimen, toFutureRegimen } from './regimen.ts';
import { recommendDrug } from './recommendation.ts';
import { modelsForDrug } from './registry.ts';

export interface DrugAnalysisInputs extends ClinicalRecord {
  drug: string;
  /** The formulation (brand) the patient takes, when the drug's models are formulation-specific; default: the one the doses name. */
  formulation: string | null;
  /** Targets as text; empty: the drug's (its first model's policy). */
  targets: string[];
  /** Time of the first new dose (ISO with zone); null: when each interval's next dose is due. */
  start: string | null;
  /** A loading target for the first administration of each candidate, or none. */
  loadingTarget?: string | null;
  /** Start when the model-averaged predicted level has fallen to this concentration, or not. */
  startWhenBelow?: Quantity | null;
  /** The MIC of the pathogen, for MIC-based targets, or none. */
  mic?: Quantity | null;
  /** The unbound fraction the MIC targets apply to (default 1). */
  fu?: number | null;
}

export interface DrugAnalysisModel {
  id: string;
  version: string;
  citation: string;
  /** −2 ln density of the levels in the data's units (the weights' OFV). */
  objective: number;
  weight: number;
  converged: boolean;
  /** Whether the model proposed regimens (weight ≥ the generating weight). */
  proposes: boolean;
}

/** A candidate averaged over the drug's models: the analysis candidate with every model's values. */
export type DrugAnalysisCandidate = AnalysisCandidate;

export interface DrugAnalysis {
  drug: string;
  formulation: string | null;
  /** The data's units: the first dose's, hours, the first level's. */
  units: { dose: string; time: string; conc: string };
  targets: string[];
  models: DrugAnalysisModel[];
  excluded: { id: string; reason: string }[];
  /** The model of largest weight. */
  selected: string;
  candidates: DrugAnalysisCandidate[];
  /** With a start-when-below threshold: when the averaged level has fallen to it. */
  nextDose: AnalysisNextDose | null;
  /** Every model's warnings, the model in the field (`models.<id>.…`). */
  warnings: Issue[];
  method: string;
}

const H = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The formulation the patient takes: the one given, else the brand the doses' products name (the
 * latest dose first) among the drug's formulation-specific models' brands, else none (the drug's
 * models are then all candidates, or the fit asks for it).
 */
export function formulationOfRecord(
  drug: string,
  record: ClinicalRecord,
  given: string | null,
): string | undefined {
  if (given) return given;
  const brands = [...new Set(modelsForDrug(drug).flatMap((m) => formulationsOf(m)))];
  for (const a of [...record.administrations].reverse()) {
    const b = brands.find((x) => a.product.toLowerCase().includes(x.toLowerCase()));
    if (b) return b;
  }
  return undefined;
}

/** The drug's targets: its first candidate model's (the drug file's unless the model overrides them). */
function drugTargets(drug: string, formulation: string | undefined): string[] {
  const cand = candidateModels(drug, formulation ? { formulation } : {});
  return cand.models.length ? defaultTargets(cand.models[0]) : [];
}

/** The drug-level analysis of a clinical record (see the module documentation). */
export function analyseDrug(
  inputs: DrugAnalysisInputs,
  settings: {
    samples?: number;
    seed?: number;
    maxCandidates?: number;
    /** How many of the ranked candidates to return (default maxCandidates; see RecommendSettings.listed). */
    listed?: number;
  } = {},
): DrugAnalysis {
  if (!drugFile(inputs.drug) && !modelsForDrug(inputs.drug).length)
    throw new DosetwinError([
      {
        code: 'DT_DRUG_UNKNOWN',
        severity: 'error',
        field: 'drug',
        message: `the library has no model of '${inputs.drug}'`,
      },
    ]);
  const cp = clinicalPatient(inputs);
  // The record against the drug's plausibility bounds (as a one-model analysis does).
  const plausibility = checkClinicalRecord(inputs.drug, inputs);
  const refused = plausibility.filter((i) => i.severity === 'error');
  if (refused.length) throw new DosetwinError(refused);
  const formulation = formulationOfRecord(inputs.drug, inputs, inputs.formulation);
  const targets = inputs.targets.length ? inputs.targets : drugTargets(inputs.drug, formulation);
  const cand = candidateModels(inputs.drug, formulation ? { formulation } : {});
  // The regimen space of the drug's products (the first candidate's policy), in the data's units.
  const first = cand.models[0];
  const space = productSpace(first);
  const u = cp.patient.units;
  const mu = first.ir.units;
  const time = (x: number): number => convert(x, mu.time, u.time, 'time');
  const dose = (x: number): number => convert(x, mu.dose, u.dose, 'dose');
  let starts: number[] | undefined;
  if (inputs.start !== null) starts = [(Date.parse(inputs.start) - cp.originMs) / H];
  const r = recommendDrug(
    inputs.drug,
    cp.patient,
    {
      targets,
      space: {
        intervals: space.intervals.map(time),
        durations: space.durations.map(time),
        ...(space.strengths.length ? { strengths: space.strengths.map(dose) } : {}),
      },
      ...(starts ? { starts } : {}),
      ...(inputs.startWhenBelow
        ? {
            startWhenBelow: convert(
              inputs.startWhenBelow.value,
              inputs.startWhenBelow.unit,
              u.conc,
              'startWhenBelow.unit',
            ),
          }
        : {}),
      ...(inputs.loadingTarget ? { loadingTarget: inputs.loadingTarget } : {}),
      ...(inputs.mic
        ? { mic: convert(inputs.mic.value, inputs.mic.unit, u.conc, 'mic.unit'), fu: inputs.fu ?? undefined }
        : {}),
      horizon: 'steady-state',
      samples: settings.samples ?? 200,
      seed: settings.seed ?? 1,
      optimiseFor: 'target',
      maxCandidates: settings.maxCandidates ?? 5,
      ...(settings.listed !== undefined ? { listed: settings.listed } : {}),
    },
    formulation ? { formulation } : {},
  );
  const oral = first.ir.compartments.includes('depot');
  const q = (value: number, unit: string): Quantity => ({ value, unit });
  const parsed = r.targets.map((t, k) => parseTarget(t, u.conc, u.time, k + 1));
  const values = (m: Record<string, number>, met: boolean[]): MetricValue[] =>
    parsed.map((t, k) => ({ target: t.text, metric: t.metric, value: m[t.metric], met: met[k] }));
  const draws = (m: { id: string }): number =>
    r.weights.models.find((x) => x.id === m.id)?.posteriorDraws ?? 0;
  // Every model draws the same number from its own posterior; the mixture's PTA weighs them.
  const perModel = settings.samples ?? 200;
  return {
    drug: inputs.drug,
    formulation: formulation ?? null,
    units: u,
    targets: r.targets,
    models: r.weights.models.map((m) => ({
      id: m.id,
      version: m.version,
      citation: m.citation,
      objective: m.objective,
      weight: m.weight,
      converged: m.converged,
      proposes: m.proposes,
    })),
    excluded: r.weights.excluded,
    selected: r.selected,
    nextDose: r.nextDose
      ? {
          threshold: q(r.nextDose.threshold, u.conc),
          at: iso(cp.originMs + r.nextDose.time * H),
          probabilityBelow: r.nextDose.probabilityBelow,
        }
      : null,
    candidates: r.candidates.map((c): DrugAnalysisCandidate => ({
      rank: c.rank,
      regimen: {
        dose: q(c.dose, u.dose),
        interval: q(c.interval, u.time),
        route: oral ? 'oral' : c.duration > 0 ? 'infusion' : 'bolus',
        duration: c.duration > 0 ? q(c.duration, u.time) : null,
        start: iso(cp.originMs + c.start * H),
        loading:
          c.loadingDose > 0
            ? {
                dose: q(c.loadingDose, u.dose),
                duration: c.loadingDuration > 0 ? q(c.loadingDuration, u.time) : null,
              }
            : null,
      },
      composition: [],
      metrics: values(c.metrics, c.met),
      pta: c.pta ? { ...c.pta, draws: perModel } : null,
      exactDose: null,
      timeToSteadyState: null,
      models: c.models.map((m) => ({
        id: m.id,
        weight: m.weight,
        metrics: values(m.metrics, m.met),
        pta: m.pta ? { ...m.pta, draws: draws(m) } : null,
      })),
    })),
    warnings: [
      ...cp.warnings,
      ...plausibility,
      ...r.warnings.map((w): Issue =>
        w.model === ''
          ? {
              code: w.code,
              severity: 'warning',
              field: w.field,
              message: w.message,
              ...(w.fr ? { fr: w.fr } : {}),
            }
          : {
              code: w.code,
              severity: 'warning',
              field: w.field.startsWith('models.') ? w.field : `models.${w.model}.${w.field}`,
              message: `${w.model}: ${w.message}`,
              ...(w.fr ? { fr: { ...w.fr, message: `${w.model} : ${w.fr.message}` } } : {}),
            },
      ),
    ],
    method: r.method,
  };
}

/** The drug's weighted models, each with its twin, for evaluating regimens (the what-if). */
export interface DrugTwins {
  drug: string;
  /** The MIC (data concentration unit) and unbound fraction MIC-based targets are read with. */
  mic: number | undefined;
  fu: number | undefined;
  fit: DrugFit;
  patient: DrugPatient;
  originMs: number;
  /** Targets in the data's units. */
  targets: Target[];
  models: {
    id: string;
    weight: number;
    twin: Twin;
    targets: Target[];
    factors: DrugFit['models'][number]['factors'];
  }[];
}

/** Fit and weigh the drug's models for a record, with a twin for every model of weight > 0. */
export function drugTwins(
  inputs: DrugAnalysisInputs,
  o: { samples?: number; seed?: number } = {},
): DrugTwins {
  const cp = clinicalPatient(inputs);
  const formulation = formulationOfRecord(inputs.drug, inputs, inputs.formulation);
  const fit = fitDrug(inputs.drug, cp.patient, formulation ? { formulation } : {});
  const u = cp.patient.units;
  const texts = inputs.targets.length ? inputs.targets : drugTargets(inputs.drug, formulation);
  const targets = texts.map((t, k) => parseTarget(t, u.conc, u.time, k + 1));
  return {
    drug: inputs.drug,
    mic: inputs.mic ? convert(inputs.mic.value, inputs.mic.unit, u.conc, 'mic.unit') : undefined,
    fu: inputs.fu ?? undefined,
    fit,
    patient: cp.patient,
    originMs: cp.originMs,
    targets,
    models: fit.models
      .filter((m) => m.weight > 0)
      .map((m) => ({
        id: m.id,
        weight: m.weight,
        twin: createTwin(m.model.compiled(), m.patient, { samples: o.samples ?? 200, seed: o.seed ?? 1 }),
        targets: targets.map((t) => {
          const f = metricFactor(t.metric, u, m.model.ir.units);
          return { ...t, lo: t.lo === null ? null : t.lo * f, hi: t.hi === null ? null : t.hi * f };
        }),
        factors: m.factors,
      })),
  };
}

/** One regimen under every weighted model and averaged: metrics (data units) and PTA. */
export function evaluateDrugRegimen(
  dt: DrugTwins,
  r: Regimen,
): {
  models: { id: string; weight: number; metrics: MetricValue[]; pta: Attainment | null }[];
  metrics: MetricValue[];
  pta: Attainment | null;
} {
  if (r.start === null)
    throw new DosetwinError([
      {
        code: 'DT_REGIMEN',
        severity: 'error',
        field: 'regimen.start',
        message: 'the regimen has no start time',
      },
    ]);
  const u = dt.patient.units;
  const startH = (Date.parse(r.start) - dt.originMs) / H;
  const per = dt.models.map((m) => {
    const mu = m.twin.model.ir.units;
    const ir = m.twin.model.ir;
    const cmt =
      r.route === 'oral' ? ir.compartments.indexOf('depot') + 1 : ir.compartments.indexOf('central') + 1;
    const fr = toFutureRegimen(r, mu, convert(startH, 'h', mu.time, 'time'), cmt);
    const e = m.twin.evaluate(fr, m.targets, {
      skipSteadyState: true,
      ...(dt.mic !== undefined ? { mic: dt.mic * m.factors.conc, fu: dt.fu } : {}),
    });
    return {
      id: m.id,
      weight: m.weight,
      metrics: dt.targets.map((t, k) => ({
        target: t.text,
        metric: t.metric,
        value: e.metrics[k] / metricFactor(t.metric, u, mu),
        met: e.met[k],
      })),
      pta: e.pta ? { ...e.pta, draws: m.twin.draws.length } : null,
    };
  });
  const avg = modelAverage(dt.models, (i) => per[i].metrics.map((x) => x.value)).averaged;
  const metrics = dt.targets.map((t, k) => ({
    target: t.text,
    metric: t.metric,
    value: avg[k],
    met: (t.lo === null || avg[k] >= t.lo * (1 - 1e-12)) && (t.hi === null || avg[k] <= t.hi * (1 + 1e-12)),
  }));
  let pta: Attainment | null = null;
  if (per.every((p) => p.pta)) {
    const p = modelAverage(dt.models, (i) => [...per[i].pta!.each, per[i].pta!.all], 'probability').averaged;
    pta = { each: p.slice(0, -1), all: p[p.length - 1], draws: per.reduce((a, x) => a + x.pta!.draws, 0) };
  }
  return { models: per, metrics, pta };
}
