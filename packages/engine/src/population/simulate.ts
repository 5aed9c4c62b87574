import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { cholesky } from '../estimate/linalg.ts';
import { observe } from '../simulate/residual.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { modelWith, modelParameters, type PopulationParameters } from './parameters.ts';

/**
 * A population data set simulated from a model: for each design (a patient's doses and sampling
 * records), etas drawn from N(0, Ω) and each observation (EVID 0) drawn with the model's residual
 * error around the prediction; MDV 0 and DV set, everything else as in the design. Seeded: the same
 * designs, parameters and seed give the same data. Models with `variance(...)` residual errors
 * (translated NONMEM $ERROR) are not simulated here (an error).
 */
export function simulatePopulation(
  model: CompiledModel,
  designs: readonly PatientData[],
  seed: number,
  parameters: PopulationParameters = modelParameters(model.ir),
): { patients: PatientData[]; etas: Float64Array[] } {
  const m = modelWith(model, parameters);
  if (m.ir.errors.some((e) => e.kind === 'variance'))
    throw new Error('simulatePopulation: variance(...) residual errors are not simulated');
  const sim = new Simulator(m);
  const rng = createRng(seed);
  const nEta = m.ir.etas.length;
  const L = new Float64Array(nEta * nEta);
  // Etas with zero variance stay 0: factor the positive-variance part only.
  const live = m.ir.etas.map((_, k) => k).filter((k) => parameters.omega[k * nEta + k] > 0);
  const d = live.length;
  const O = new Float64Array(d * d);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) O[a * d + b] = parameters.omega[live[a] * nEta + live[b]];
  if (d > 0 && !cholesky(d, O, L)) throw new Error('simulatePopulation: Ω is not positive definite');
  const patients: PatientData[] = [];
  const etas: Float64Array[] = [];
  for (const p of designs) {
    const z = Array.from({ length: d }, () => rng.normal());
    const eta = new Float64Array(nEta);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += L[a * d + b] * z[b];
      eta[live[a]] = s;
    }
    const out = new Float64Array(p.n);
    sim.run(p, eta, out);
    const dv = Float64Array.from(p.dv);
    const mdv = Int8Array.from(p.mdv);
    for (let i = 0; i < p.n; i++)
      if (p.evid[i] === 0) {
        const k = Math.max(0, sim.outputIndex(p.cmt[i], p.dvid?.[i] ?? 0));
        dv[i] = observe(m.ir.errors[k], out[i], rng.normal());
        mdv[i] = 0;
      }
    patients.push({ ...p, dv, mdv });
    etas.push(eta);
  }
  return { patients, etas };
}
