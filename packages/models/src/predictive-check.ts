/**
 * The predictive check before a local model is adopted: the published and the updated model each
 * forecast every next level of held-out local patients from the earlier ones (the bias audit's
 * forecasts, through the twin), and their bias (median relative error) and imprecision (median
 * absolute and root mean square relative error) are set side by side. The update is better when
 * both its |bias| and its median absolute error are lower: the RMSE of (predicted − observed) /
 * observed is reported but not judged on, as its tail (a low observed level) favours models that
 * under-predict (on 30 held-out patients with 0.7 × Thomson 2009's clearance, a model with the
 * true clearance had RMSE 0.392 against the published model's 0.349, for median |rPE| 0.164
 * against 0.210).
 */
import type { CompiledModel } from '@dosetwin/engine';
import { type AuditPatient, biasAudit, type GroupStats } from './bias-audit.ts';

export interface PredictiveCheck {
  patients: number;
  published: GroupStats;
  updated: GroupStats;
  /** Lower |bias| and lower median absolute error on the held-out patients. */
  better: boolean;
}

export function predictiveCheck(
  published: CompiledModel,
  updated: CompiledModel,
  heldOut: readonly AuditPatient[],
  o: { minEarlier?: number; seed?: number } = {},
): PredictiveCheck {
  const run = (m: CompiledModel): GroupStats => biasAudit(m, heldOut, { ...o, by: [] }).overall;
  const a = run(published);
  const b = run(updated);
  return {
    patients: heldOut.length,
    published: a,
    updated: b,
    better: Math.abs(b.bias) < Math.abs(a.bias) && b.medianAbs < a.medianAbs,
  };
}
