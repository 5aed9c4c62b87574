import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { ModelIR } from '../model/ir.ts';
import { fitFocei, type PopFit, type PopFitOptions } from './fit.ts';
import { modelParameters, withParameters } from './parameters.ts';

/** A library model adapted to local patients, with where it came from. */
export interface ModelUpdate {
  /** The updated model: the published one with the fitted θ, Ω and residual SDs, a new version. */
  ir: ModelIR;
  fit: PopFit;
  provenance: {
    /** The published model it was adapted from (id, version). */
    from: string;
    fromVersion: string;
    patients: number;
    /** Date of the update (given by the caller: the engine has no clock). */
    date: string;
    /** The prior: SD of each θ on its log scale and Ω's inverse-Wishart degrees of freedom. */
    thetaSd: number;
    omegaDf: number;
  };
}

/**
 * Adapt a published model to local patients (NONMEM's `$PRIOR NWPRI` idea): FOCE-I with the
 * published estimates as the prior — a normal prior of SD `thetaSd` on each ln θ, an
 * inverse-Wishart prior with `omegaDf` degrees of freedom on Ω — so that what the local data do not
 * inform stays published. The result is a new version of the model (`<version>+local.<date>`)
 * whose description says what it was adapted from; a pharmacologist approves it before any use.
 */
export function updateModel(
  model: CompiledModel,
  patients: readonly PatientData[],
  options: { date: string; thetaSd?: number; omegaDf?: number } & PopFitOptions,
): ModelUpdate {
  const ir = model.ir;
  const published = modelParameters(ir);
  const thetaSd = options.thetaSd ?? 0.5;
  const omegaDf = options.omegaDf ?? 5;
  const fit = fitFocei(model, patients, {
    ...options,
    prior: { parameters: published, thetaSd, omegaDf },
  });
  const updated = withParameters(ir, fit.parameters);
  const note = `Adapted on ${options.date} from ${ir.id} ${ir.version} to ${patients.length} local patients by FOCE-I with the published estimates as the prior (ln θ SD ${thetaSd}, Ω inverse-Wishart ν = ${omegaDf}); OFV ${fit.ofv.toFixed(2)}.`;
  return {
    ir: {
      ...updated,
      version: `${ir.version || '0'}+local.${options.date.replace(/[^0-9]/g, '')}`,
      description: `${ir.description} ${note}`.trim(),
    },
    fit,
    provenance: {
      from: ir.id,
      fromVersion: ir.version,
      patients: patients.length,
      date: options.date,
      thetaSd,
      omegaDf,
    },
  };
}
