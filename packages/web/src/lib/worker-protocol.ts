/** Messages between the app and the engine's Web Worker. */
import type { Issue } from '@dosetwin/engine';
import type { MlPanel, MlReason } from './ml-estimate.ts';
import type { Regimen, TwinInputs } from './twin.ts';

export type ToWorker =
  | { type: 'init'; id: number; inputs: TwinInputs; samples?: number }
  | { type: 'forecast'; id: number; regimen: Regimen }
  | { type: 'attainment'; id: number; regimens: Regimen[] }
  | { type: 'average'; id: number; regimen: Regimen }
  | { type: 'ml'; id: number };

/** The ML estimate beside the MAP one: the panel, or why each estimator of the drug does not apply. */
export interface MlResult {
  panel: MlPanel | null;
  reasons: { id: string; reason: MlReason }[];
}

export interface ReadyInfo {
  kind: 'map' | 'a priori';
  fit: { objective: number; converged: boolean; acceptance: number } | null;
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
}

export interface ForecastMsg {
  ms: Float64Array;
  ipred: Float64Array;
  pred: Float64Array;
  bandMs: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  metrics: { target: string; metric: string; value: number; met: boolean }[];
  exposure: { aucInterval: number; auc24: number; cmin: number; cmax: number };
  startMs: number;
  draws: number;
  /** Time spent in the engine, ms. */
  engineMs: number;
}

export interface AverageRow {
  modelId: string;
  objective: number | null;
  weight: number | null;
  metrics: { target: string; value: number; met: boolean }[];
  error?: string;
}

export type FromWorker =
  | { type: 'ready'; id: number; info: ReadyInfo }
  | { type: 'forecast'; id: number; f: ForecastMsg }
  | { type: 'attainment'; id: number; pta: { each: number[]; all: number; draws: number }[] }
  | { type: 'average'; id: number; rows: AverageRow[] }
  | { type: 'ml'; id: number; ml: MlResult }
  | { type: 'error'; id: number; issues: Issue[] };
