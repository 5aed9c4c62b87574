// What `recommend` and `forecast` know of one patient before looking ahead: the MAP fit of the
// levels (a posteriori) or the typical patient (a priori), draws of the etas (posterior or prior),
// and the warnings a recommendation must carry (validity domain, implausible levels, convergence).
import { existsSync } from 'node:fs';
import {
  type CompiledModel,
  DosetwinError,
  type Issue,
  MapObjective,
  type PatientData,
  Simulator,
  cholesky,
  createRng,
  estimateMap,
  loadModel,
  samplePosterior,
} from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';
import { readText } from '../io.ts';

/** A model file, or a library id such as `vancomycin/goti2018`. */
export function resolveModel(spec: string): CompiledModel {
  if (existsSync(spec)) return loadModel(readText(spec, 'model'), spec);
  return getModel(spec).compiled();
}

export interface PatientState {
  method: 'a posteriori (MAP)' | 'a priori (typical patient)';
  /** MAP etas, or null for the typical patient. */
  point: Float64Array | null;
  /** Posterior (a posteriori) or prior (a priori) draws of the etas, model order. */
  draws: Float64Array[];
  /** MAP summary for the output (etas, OBJ, convergence); empty a priori. */
  fit: Record<string, unknown>;
  warnings: Issue[];
}

/** The patient's state: MAP + posterior draws with levels, typical patient + prior draws without. */
export function patientState(
  model: CompiledModel,
  p: PatientData,
  o: { samples: number; seed: number },
): PatientState {
  const ir = model.ir;
  const warnings: Issue[] = [];
  // Covariates outside the model's validity domain: computable, but an extrapolation.
  ir.covariates.forEach((c, k) => {
    if (!c.valid) return;
    for (let i = 0; i < p.n; i++) {
      const v = p.cov[i * p.nCov + k];
      if ((c.valid.lo !== null && v < c.valid.lo) || (c.valid.hi !== null && v > c.valid.hi)) {
        warnings.push({
          code: 'DT_DOMAIN_OUTSIDE',
          severity: 'warning',
          field: `covariates.${c.name}`,
          message: `${c.name} is ${v} ${c.unit}; model validated for ${c.valid.lo ?? ''}..${c.valid.hi ?? ''}`,
        });
        break;
      }
    }
  });
  const hasLevels = Array.from(p.evid).some((e, i) => e === 0 && p.mdv[i] === 0);
  const nEta = ir.etas.length;
  if (!hasLevels) {
    const draws: Float64Array[] = [];
    if (o.samples > 0) {
      // A priori: draws from the prior N(0, Ω).
      const L = new Float64Array(nEta * nEta);
      if (!cholesky(nEta, ir.omega.flat(), L))
        throw new DosetwinError([
          { code: 'DT_OMEGA', severity: 'error', field: 'random', message: 'Ω is not positive definite' },
        ]);
      const rng = createRng(o.seed);
      for (let s = 0; s < o.samples; s++) {
        const z = Float64Array.from({ length: nEta }, () => rng.normal());
        draws.push(
          Float64Array.from({ length: nEta }, (_, i) => {
            let v = 0;
            for (let j = 0; j <= i; j++) v += L[i * nEta + j] * z[j];
            return v;
          }),
        );
      }
    }
    return { method: 'a priori (typical patient)', point: null, draws, fit: {}, warnings };
  }
  const sim = new Simulator(model);
  const fit = estimateMap(model, p);
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
    if (sd > 0 && Math.abs(r.dv - r.ipred) / (sd * r.ipred) > 3)
      warnings.push({
        code: 'DT_LEVEL_IMPLAUSIBLE',
        severity: 'warning',
        field: `data[line ${p.line[r.record]}].DV`,
        message: `the level ${r.dv} at t = ${r.time} is far from the fitted ${Number(r.ipred.toPrecision(4))} (> 3 residual SDs): check the sample time and dose history`,
      });
  }
  const draws: Float64Array[] = [];
  if (o.samples > 0) {
    const obj = new MapObjective(new Simulator(model), p);
    const post = samplePosterior(obj, fit.x, fit.cov, { samples: o.samples, seed: o.seed });
    const idx = ir.etas.map((e) => post.names.indexOf(e.name));
    for (let s = 0; s < post.size; s++)
      draws.push(Float64Array.from(idx, (j) => (j >= 0 ? post.draws[s * post.n + j] : 0)));
  }
  return {
    method: 'a posteriori (MAP)',
    point: fit.eta,
    draws,
    fit: { eta: Array.from(fit.eta), etaNames: fit.etaNames, obj: fit.obj, converged: fit.converged },
    warnings,
  };
}
