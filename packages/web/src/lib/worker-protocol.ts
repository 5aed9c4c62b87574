/**
 * Messages between the app and the engine's Web Worker. The worker holds the twin of the analysis
 * being viewed (the library's clinical twin, the same one the service analysed) and answers with
 * the library's functions; regimens cross in the one Regimen shape.
 */
import type { Issue, ModelIR } from '@dosetwin/engine';
import type {
  AdherenceBand,
  AnalysisInputs,
  Attainment,
  DrugAnalysisInputs,
  MetricValue,
  MissedDoseAdvice,
  MissedDoseRequest,
  MlPanel,
  MlReason,
  Regimen,
} from '@dosetwin/models';

/**
 * What the worker builds the twin from: one model's analysis (under the approved local version
 * the service used, when it used one), or a drug-level one.
 */
export type TwinSource =
  { kind: 'model'; inputs: AnalysisInputs; localIr?: ModelIR } | { kind: 'drug'; inputs: DrugAnalysisInputs };

export type ToWorker =
  | { type: 'init'; id: number; source: TwinSource; samples?: number }
  | { type: 'forecast'; id: number; regimen: Regimen }
  | { type: 'attainment'; id: number; regimens: Regimen[] }
  | { type: 'average'; id: number; regimen: Regimen }
  | { type: 'ml'; id: number }
  | { type: 'missed'; id: number; request: MissedDoseRequest }
  | { type: 'adherence'; id: number; regimen: Regimen };

/** The ML estimate beside the MAP one: the panel, or why each estimator of the drug does not apply. */
export interface MlResult {
  panel: MlPanel | null;
  reasons: { id: string; reason: MlReason }[];
}

export interface ReadyInfo {
  kind: 'map' | 'a priori';
  fit: { objective: number; converged: boolean; acceptance: number | null } | null;
  draws: number;
  units: { dose: string; time: string; conc: string };
  targets: { text: string; metric: string; lo: number | null; hi: number | null }[];
  observed: { ms: number; conc: number; blq: boolean }[];
  lloq: number | null;
  card: string;
  drug: string;
  /** Doses go to a depot (oral): no infusion duration. */
  oral: boolean;
  warnings: Issue[];
  /** Each past dosing interval holding a level: its exposure (model units) with the interval's own IOV. */
  intervals: { fromMs: number; toMs: number; levels: number; auc: number; cmin: number; cmax: number }[];
  /** The recorded doses (epoch ms), marked on the chart's time axis. */
  doseMs: number[];
  /**
   * The current regimen (the last dose continued from when it is next due) forecast at the
   * individual prediction, drawn beside the new one; null with fewer than two doses.
   */
  current: { ms: number[]; ipred: number[]; startMs: number } | null;
}

export interface ForecastMsg {
  ms: Float64Array;
  ipred: Float64Array;
  pred: Float64Array;
  bandMs: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  metrics: MetricValue[];
  exposure: { aucInterval: number; auc24: number; cmin: number; cmax: number };
  startMs: number;
  /** The new regimen's administrations (epoch ms) within the forecast, for the dose marks. */
  newDoseMs: number[];
  draws: number;
  /** Time spent in the engine, ms. */
  engineMs: number;
}

/** One model of the drug under the regimen tried: its weight and metrics, or why it is left out. */
export interface AverageRow {
  modelId: string;
  objective: number | null;
  weight: number | null;
  metrics: MetricValue[];
  pta: Attainment | null;
  error?: string;
}

export type FromWorker =
  | { type: 'ready'; id: number; info: ReadyInfo }
  | { type: 'forecast'; id: number; f: ForecastMsg }
  | { type: 'attainment'; id: number; pta: (Attainment | null)[] }
  | {
      type: 'average';
      id: number;
      rows: AverageRow[];
      averaged: { metrics: MetricValue[]; pta: Attainment | null };
    }
  | { type: 'ml'; id: number; ml: MlResult }
  | { type: 'missed'; id: number; advice: MissedDoseAdvice; sheet: { en: string[]; fr: string[] } }
  | { type: 'adherence'; id: number; bands: AdherenceBand[]; below: { value: number; unit: string } | null }
  | { type: 'error'; id: number; issues: Issue[] };
