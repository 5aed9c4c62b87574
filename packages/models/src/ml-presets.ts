/**
 * The training presets of `dosetwin ml`, gathered from the drug files (each preset lives with its
 * drug), and a library model set up for simulating virtual patients from a preset's clinical
 * variables.
 */
import { DosetwinError, type VirtualModel } from '@dosetwin/engine';
import type { MlPreset } from './drug.ts';
import { DRUG_FILES } from './drugs.ts';
import { getModel } from './registry.ts';

/** Every preset of every drug file, by preset name. */
export const ML_PRESETS: Readonly<Record<string, MlPreset>> = Object.fromEntries(
  Object.values(DRUG_FILES).flatMap((f) => f.mlPresets.map((p) => [p.name, p])),
);

/** The preset for a drug name or preset name. */
export function presetFor(nameOrDrug: string): MlPreset | undefined {
  return ML_PRESETS[nameOrDrug] ?? Object.values(ML_PRESETS).find((p) => p.drug === nameOrDrug);
}

const presetError = (message: string, hint?: string): never => {
  throw new DosetwinError([
    { code: 'DT_ML_PRESET', severity: 'error', field: 'model', message, ...(hint ? { hint } : {}) },
  ]);
};

/** A library model with its clinical → model covariate mapping (every model covariate covered). */
export function virtualModel(preset: MlPreset, id: string): VirtualModel & { id: string; source: string } {
  const lib = getModel(id);
  const map = preset.modelCovariates[id];
  if (!map)
    presetError(
      `preset ${preset.name} has no covariate mapping for ${id}`,
      `models of this preset: ${Object.keys(preset.modelCovariates).join(', ')}`,
    );
  const names = lib.ir.covariates.map((c) => c.name);
  const missing = names.filter((n) => !map[n]);
  if (missing.length)
    presetError(`preset ${preset.name}: ${id} covariates without a mapping: ${missing.join(', ')}`);
  const fns = names.map((n) => map[n]);
  const units = lib.ir.units;
  if (units.dose !== preset.units.dose || units.conc !== preset.units.conc)
    presetError(
      `${id} computes in ${units.dose}, ${units.conc}; preset ${preset.name} in ${preset.units.dose}, ${preset.units.conc}`,
    );
  return { id, source: lib.source, model: lib.compiled(), covariates: (c) => fns.map((f) => f(c)) };
}
