/**
 * The residual error of a model's output, as its error block states it: the variance of an
 * observation around the prediction F (additive, proportional, combined on the variance or the SD
 * scale; `exp` is on the log scale), and one simulated observation from a standard normal draw.
 * Used wherever the engine simulates a measured level (virtual patients, teaching cases).
 */
import type { ErrorModel } from '../model/ir.ts';

/**
 * Var(DV | F) on the concentration scale, or of ln DV for `exp`. `exprVariance` is the value of a
 * `variance(...)` error expression at this observation (the caller evaluates it with the model);
 * it is ignored by the other kinds.
 */
export function residualVariance(err: ErrorModel, f: number, exprVariance: number | null = null): number {
  if (err.kind === 'exp') return err.propSd ** 2;
  if (err.kind === 'variance') {
    if (exprVariance === null) throw new Error('a variance() error model needs its evaluated variance');
    return exprVariance;
  }
  if (err.kind === 'add') return err.addSd ** 2;
  if (err.kind === 'prop') return (err.propSd * f) ** 2;
  if (err.sum === 'sd') return (err.addSd + err.propSd * Math.abs(f)) ** 2;
  return err.addSd ** 2 + (err.propSd * f) ** 2;
}

/** One observation at prediction F from a standard normal draw z: F·e^{σz} (`exp`), else F + SD·z. */
export function observe(err: ErrorModel, f: number, z: number, exprVariance: number | null = null): number {
  const v = residualVariance(err, f, exprVariance);
  return err.kind === 'exp' ? f * Math.exp(Math.sqrt(v) * z) : f + Math.sqrt(v) * z;
}
