/** Messages between the trial page and its worker (trial.worker.ts). */
import type { Issue, TrialReport } from '@dosetwin/engine';
import type { ResolvedTrial, TrialFile } from '@dosetwin/models';

export interface ToTrial {
  id: number;
  file: TrialFile;
}

export type FromTrial =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'done'; report: TrialReport; meta: ResolvedTrial['meta'] }
  | { id: number; type: 'error'; issues: readonly Issue[] };
