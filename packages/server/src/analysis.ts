/**
 * One analysis of a dose-adjustment request, by the models library: for a model, its clinical
 * analysis (`analyse`); for a drug, the drug-level analysis (`analyseDrug`) with the selected
 * model's fit and forecast for the chart. The retained regimen of a decision is evaluated by the
 * same library (`evaluateRetained`, `evaluateDrugRegimen`). Numerics are the library's; this
 * file only wires and adds the engine's version.
 */
import { readFileSync } from 'node:fs';
import type { Issue, ModelIR } from '@dosetwin/engine';
import {
  type AnalysisCandidate,
  type AnalysisInputs,
  type AnalysisSettings,
  type AdherenceEffect,
  type AnalysisTarget,
  analyse,
  analyseDrug,
  type Attainment,
  type ClinicalAnalysis,
  type DrugAnalysisInputs,
  type DoseEvent,
  drugTwins,
  evaluateDrugRegimen,
  evaluateRetained,
  historyEffect,
  getModel,
  localLibraryModel,
  type MetricValue,
  type Regimen,
  type RegimenForecast,
} from '@dosetwin/models';

export const ENGINE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@dosetwin/engine')), 'utf8')) as {
    version: string;
  }
).version;

export type { AnalysisInputs };

/** With a prescription: the history without the adherence records, and the records, for the effect on the fit. */
export interface AdherenceQuery {
  prescribed: AnalysisInputs['administrations'];
  events: readonly Pick<DoseEvent, 'status'>[];
}

/** How much the adherence records change the estimate (the library's two fits), for the model analysed. */
function adherenceOf(inputs: AnalysisInputs, q: AdherenceQuery | undefined): AdherenceEffect | null {
  if (!q) return null;
  return historyEffect(
    inputs,
    { prescribed: q.prescribed, administrations: inputs.administrations },
    q.events,
  );
}

/** What a request asks to analyse: a record under one model, or under every model of a drug. */
export type AnalysisSubject =
  | {
      kind: 'model';
      inputs: AnalysisInputs;
      /** An approved local version's IR, used instead of the published model's. */
      localIr?: ModelIR;
    }
  | { kind: 'drug'; inputs: DrugAnalysisInputs };

/** The library model a subject is analysed with: its approved local version when it has one. */
function localOf(subject: AnalysisSubject): AnalysisSettings {
  return subject.kind === 'model' && subject.localIr
    ? { model: localLibraryModel(getModel(subject.inputs.modelId), subject.localIr) }
    : {};
}

/** A drug-level analysis's models: weights, what was left out, the one selected for the chart. */
export interface Averaging {
  drug: string;
  formulation: string | null;
  /** The data's units the averaged values are in. */
  units: { dose: string; time: string; conc: string };
  models: {
    id: string;
    version: string;
    citation: string;
    objective: number;
    weight: number;
    converged: boolean;
  }[];
  excluded: { id: string; reason: string }[];
  selected: string;
  method: string;
}

/** What an analysis stores and signs. */
export interface AnalysisResult {
  kind: 'model' | 'drug';
  /** The model analysed, or the drug's selected one. */
  model: ClinicalAnalysis['model'];
  engineVersion: string;
  fit: ClinicalAnalysis['fit'];
  targets: AnalysisTarget[];
  /** The forecast of candidate 1 with its credible band (the selected model's for a drug). */
  forecast: RegimenForecast | null;
  candidates: AnalysisCandidate[];
  warnings: Issue[];
  conversions: string[];
  /** The first new dose of candidate 1, or the start asked for. */
  start: string | null;
  /** With a start-when-below threshold: when the predicted level falls to it. */
  nextDose: ClinicalAnalysis['nextDose'];
  averaging: Averaging | null;
  /** With a prescription: the fit with the prescribed dose times against the real ones (the selected model's for a drug). */
  adherence: AdherenceEffect | null;
}

export async function runAnalysis(
  subject: AnalysisSubject & { adherence?: AdherenceQuery },
): Promise<AnalysisResult> {
  if (subject.kind === 'model') {
    const a = analyse(subject.inputs, localOf(subject));
    return {
      kind: 'model',
      model: a.model,
      engineVersion: ENGINE_VERSION,
      fit: a.fit,
      targets: a.targets,
      forecast: a.forecast,
      candidates: a.candidates,
      warnings: a.warnings,
      conversions: a.conversions,
      start: a.candidates[0]?.regimen.start ?? subject.inputs.start,
      nextDose: a.nextDose,
      averaging: null,
      adherence: adherenceOf(subject.inputs, subject.adherence),
    };
  }
  const d = analyseDrug(subject.inputs);
  // The chart and the fit shown are the selected model's, on the drug's targets.
  const selected: AnalysisInputs = { ...subject.inputs, modelId: d.selected, targets: d.targets };
  const one = analyse(selected, { maxCandidates: 1 });
  const first = d.candidates[0];
  return {
    kind: 'drug',
    model: one.model,
    engineVersion: ENGINE_VERSION,
    fit: one.fit,
    targets: one.targets,
    forecast: first ? evaluateRetained(selected, first.regimen).forecast : null,
    candidates: d.candidates,
    warnings: d.warnings,
    conversions: one.conversions,
    start: first?.regimen.start ?? subject.inputs.start,
    nextDose: d.nextDose,
    averaging: {
      drug: d.drug,
      formulation: d.formulation,
      units: d.units,
      models: d.models.map((m) => ({
        id: m.id,
        version: m.version,
        citation: m.citation,
        objective: m.objective,
        weight: m.weight,
        converged: m.converged,
      })),
      excluded: d.excluded,
      selected: d.selected,
      method: d.method,
    },
    adherence: adherenceOf(selected, subject.adherence),
  };
}

/**
 * The drug-level analysis's ranked candidates alone, for a card that shows the proposal, its
 * exposure and PTA (the CDS hooks): the same search with the same draws as {@link runAnalysis},
 * whose candidates these are, without the selected model's separate fit and the chart's forecast
 * (about 40 % of the analysis's time on the vancomycin ICU patient).
 */
export function drugCandidates(inputs: DrugAnalysisInputs, listed?: number): AnalysisCandidate[] {
  return analyseDrug(inputs, listed === undefined ? {} : { listed }).candidates;
}

/**
 * What a worker thread does when the service starts: load the library and run a small drug-level
 * search (a posteriori vancomycin: two doses, one level, the drug's models, 20 draws), so that the
 * first request (a CDS hook's card has half a second) does not pay for loading the modules,
 * reading and compiling the models and the first runs of the simulation's code.
 */
export function warmUp(): AnalysisCandidate[] {
  const at = (h: number): string => new Date(Date.UTC(2026, 0, 1, 8) + h * 3_600_000).toISOString();
  const inputs: DrugAnalysisInputs = {
    patientId: 'warm-up',
    drug: 'vancomycin',
    formulation: null,
    administrations: [0, 12].map((h) => ({
      at: at(h),
      amount: 1000,
      unit: 'mg',
      route: 'infusion' as const,
      duration: { value: 1, unit: 'h' },
      product: 'vial 1 g',
    })),
    samples: [{ at: at(23.5), value: 12, unit: 'mg/L', matrix: 'serum', assay: 'immunoassay', lloq: null }],
    covariates: [
      ['WT', 75, 'kg'],
      ['AGE', 60, 'y'],
      ['SCR', 90, 'umol/L'],
      ['SEX', 0, '-'],
      ['HT', 175, 'cm'],
    ].map(([name, value, unit]) => ({
      at: at(-1),
      name: String(name),
      value: Number(value),
      unit: String(unit),
    })),
    targets: [],
    start: null,
  };
  return analyseDrug(inputs, { samples: 20, listed: 1 }).candidates;
}

/** The retained regimen as the page showed it: its forecast with the band, its metrics and PTA. */
export interface RetainedEvaluation {
  forecast: RegimenForecast;
  /** Averaged over the drug's models for a drug-level analysis. */
  metrics: MetricValue[];
  pta: Attainment | null;
}

/** Evaluate the regimen a decision retains on the analysis's stored inputs (what the what-if showed). */
export function evaluateRetainedRegimen(
  subject: AnalysisSubject,
  modelId: string,
  regimen: Regimen,
): RetainedEvaluation {
  const inputs: AnalysisInputs = { ...subject.inputs, modelId };
  const one = evaluateRetained(inputs, regimen, localOf(subject));
  if (subject.kind === 'model')
    return { forecast: one.forecast, metrics: one.forecast.metrics, pta: one.pta };
  const avg = evaluateDrugRegimen(drugTwins(subject.inputs), regimen);
  return { forecast: one.forecast, metrics: avg.metrics, pta: avg.pta };
}
