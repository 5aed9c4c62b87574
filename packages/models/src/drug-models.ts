import { DosetwinError, type Issue } from '@dosetwin/engine';
import { modelUse } from './drugs.ts';
import { modelsForDrug, type LibraryModel } from './registry.ts';

/**
 * The brands a model is specific to, from its drug file: the brands of the formulations the model
 * applies to when the model describes those formulations only (Prograf, not Advagraf); [] when it
 * applies to the drug whatever the product (vancomycin vials, everolimus whose paper found no
 * formulation effect), and for a model no drug file lists.
 */
export function formulationsOf(model: Pick<LibraryModel, 'id'>): string[] {
  const u = modelUse(model.id);
  if (!u?.use.formulationSpecific) return [];
  return [...new Set(u.formulations.map((f) => f.brand).filter((b): b is string => b !== null))];
}

export interface CandidateModels {
  drug: string;
  models: LibraryModel[];
  /** Library models of the drug left out, and why (another formulation, not asked for). */
  excluded: { id: string; reason: string }[];
}

/**
 * The library models that may describe a patient on `drug`: every model of the drug, except
 * that models specific to a formulation (see {@link formulationsOf}) apply only to that
 * formulation. When the drug's models are specific to different formulations, the formulation
 * must be given (a once-daily prolonged-release capsule is not the twice-daily one); `models`
 * restricts the set to the ids given (each must be a model of the drug).
 */
export function candidateModels(
  drug: string,
  options: { formulation?: string; models?: readonly string[] } = {},
): CandidateModels {
  const all = modelsForDrug(drug);
  if (!all.length)
    throw new DosetwinError([
      {
        code: 'DT_DRUG_UNKNOWN',
        severity: 'error',
        field: 'drug',
        message: `the library has no model of '${drug}'`,
        hint: "run 'dosetwin models' for the drugs and models",
      },
    ]);
  const excluded: CandidateModels['excluded'] = [];
  let models = all;
  if (options.models?.length) {
    const unknown = options.models.filter((id) => !all.some((m) => m.id === id));
    if (unknown.length)
      throw new DosetwinError(
        unknown.map((id): Issue => ({
          code: 'DT_MODEL_UNKNOWN',
          severity: 'error',
          field: 'models',
          message: `'${id}' is not a ${drug} model of the library`,
          hint: `${drug} models: ${all.map((m) => m.id).join(', ')}`,
        })),
      );
    for (const m of all)
      if (!options.models.includes(m.id)) excluded.push({ id: m.id, reason: 'not in the models asked for' });
    models = all.filter((m) => options.models!.includes(m.id));
  }
  const brands = new Map(models.map((m) => [m.id, formulationsOf(m)]));
  const named = [...new Set([...brands.values()].flat())];
  const f = options.formulation?.trim();
  if (f) {
    const known = named.find((b) => b.toLowerCase() === f.toLowerCase());
    if (named.length && !known)
      throw new DosetwinError([
        {
          code: 'DT_FORMULATION_UNKNOWN',
          severity: 'error',
          field: 'formulation',
          message: `no ${drug} model is for the formulation '${f}'`,
          hint: `formulations the ${drug} models name: ${named.join(', ')}`,
        },
      ]);
    const keep = models.filter((m) => {
      const b = brands.get(m.id)!;
      const ok = !b.length || b.some((x) => x.toLowerCase() === f.toLowerCase());
      if (!ok) excluded.push({ id: m.id, reason: `for ${b.join(', ')}, not ${f}` });
      return ok;
    });
    models = keep;
  } else if (named.length > 1)
    throw new DosetwinError([
      {
        code: 'DT_FORMULATION_NEEDED',
        severity: 'error',
        field: 'formulation',
        message: `the ${drug} models are specific to formulations (${models
          .map((m) => `${m.id}: ${brands.get(m.id)!.join(', ') || 'any'}`)
          .join('; ')}): say which one the patient takes`,
        hint: `give the formulation: ${named.join(' or ')}`,
      },
    ]);
  return { drug, models, excluded };
}
