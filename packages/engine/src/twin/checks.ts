/**
 * What a clinician must be told about a twin before using it, as warnings (Issues): covariates
 * outside the model's validity domain, dosing a priori (no level), a MAP estimate that did not
 * converge, levels far from the fit (a wrong sampling time or dose history, a unit slip).
 */
import type { Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { MapFit } from '../estimate/map.ts';
import type { CovariateDef } from '../model/ir.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { Simulator } from '../simulate/simulator.ts';

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** `lo..hi unit`, `≥ lo unit`, `≤ hi unit`: a validity range as messages print it. */
export function formatRange(valid: CovariateDef['valid'], unit: string): string {
  if (!valid) return 'any value';
  const u = unit === '-' ? '' : ` ${unit}`;
  if (valid.lo !== null && valid.hi !== null) return `${valid.lo}..${valid.hi}${u}`;
  if (valid.lo !== null) return `≥ ${valid.lo}${u}`;
  return `≤ ${valid.hi}${u}`;
}

/** The warning for a covariate value outside the model's validity domain, or null inside it. */
export function domainIssue(c: CovariateDef, v: number): Issue | null {
  if (!c.valid || !Number.isFinite(v)) return null;
  const { lo, hi } = c.valid;
  if (!((lo !== null && v < lo) || (hi !== null && v > hi))) return null;
  return {
    code: 'DT_DOMAIN_OUTSIDE',
    severity: 'warning',
    field: `covariates.${c.name}`,
    message: `${c.name} is ${fmt(v)}${c.unit === '-' ? '' : ` ${c.unit}`}; the model was developed for ${formatRange(c.valid, c.unit)}`,
    hint: 'predictions outside the validity domain are extrapolations; prefer a model developed for this patient',
  };
}

/** Levels further than this many residual SDs from the fit are called implausible. */
export const IMPLAUSIBLE_SDS = 3;

export function twinChecks(
  model: CompiledModel,
  sim: Simulator,
  history: PatientData,
  fit: MapFit | null,
): Issue[] {
  const ir = model.ir;
  const warnings: Issue[] = [];
  // Covariates outside the validity domain: computable, but an extrapolation (first value out, per covariate).
  ir.covariates.forEach((c, k) => {
    for (let i = 0; i < history.n; i++) {
      const w = domainIssue(c, history.cov[i * history.nCov + k]);
      if (w) {
        warnings.push(w);
        break;
      }
    }
  });
  if (!fit) {
    warnings.push({
      code: 'DT_FIT_A_PRIORI',
      severity: 'warning',
      field: 'samples',
      message: 'no usable level: a priori dosing from the covariates only (the typical patient)',
    });
    return warnings;
  }
  if (!fit.converged)
    warnings.push({
      code: 'DT_MAP_NONCONVERGENCE',
      severity: 'warning',
      field: 'fit',
      message: `MAP estimation did not converge: ${fit.message}`,
    });
  for (const r of fit.ipred) {
    if (!Number.isFinite(r.dv) || r.dv <= 0) continue;
    // A level the model finds implausible: |DV − IPRED| beyond 3 residual SDs.
    const e = ir.errors[sim.outputIndex(r.cmt)] ?? ir.errors[0];
    const sd = e.kind === 'add' ? e.addSd / r.ipred : e.propSd + e.addSd / Math.max(r.ipred, 1e-300);
    if (sd > 0 && Math.abs(r.dv - r.ipred) / (sd * r.ipred) > IMPLAUSIBLE_SDS)
      warnings.push({
        code: 'DT_LEVEL_IMPLAUSIBLE',
        severity: 'warning',
        field: `data[line ${history.line[r.record]}].DV`,
        message: `the level ${r.dv} at t = ${r.time} is far from the fitted ${Number(r.ipred.toPrecision(4))} (> ${IMPLAUSIBLE_SDS} residual SDs): check the sample time and dose history`,
      });
  }
  return warnings;
}
