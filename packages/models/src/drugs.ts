/**
 * The drug files of the library, one per drug folder (`packages/models/<drug>/drug.ts`), and the
 * look-ups on them: a drug's file by name or folder, a model's file and its use (formulations).
 */
import { amikacin } from '../amikacin/drug.ts';
import { ciclosporin } from '../ciclosporin/drug.ts';
import { everolimus } from '../everolimus/drug.ts';
import { gentamicin } from '../gentamicin/drug.ts';
import { meropenem } from '../meropenem/drug.ts';
import { mycophenolicAcid } from '../mycophenolic-acid/drug.ts';
import { piperacillin } from '../piperacillin/drug.ts';
import { tacrolimus } from '../tacrolimus/drug.ts';
import { vancomycin } from '../vancomycin/drug.ts';
import { voriconazole } from '../voriconazole/drug.ts';
import { DosetwinError } from '@dosetwin/engine';
import type { DrugFile, Formulation, ModelUse } from './drug.ts';

/** Drug files by folder name (the first part of a model id). */
export const DRUG_FILES: Readonly<Record<string, DrugFile>> = {
  amikacin,
  ciclosporin,
  everolimus,
  gentamicin,
  meropenem,
  'mycophenolic-acid': mycophenolicAcid,
  piperacillin,
  tacrolimus,
  vancomycin,
  voriconazole,
};

/** The drug file of a drug, by its name (`mycophenolic acid`) or folder (`mycophenolic-acid`), or null. */
export function drugFile(drug: string): DrugFile | null {
  const d = drug.trim().toLowerCase();
  return DRUG_FILES[d] ?? Object.values(DRUG_FILES).find((f) => f.drug.toLowerCase() === d) ?? null;
}

/** A library model's drug file and its entry there (by the model id's folder), or null. */
export function modelUse(id: string): { drug: DrugFile; use: ModelUse; formulations: Formulation[] } | null {
  const drug = DRUG_FILES[id.split('/')[0]];
  const use = drug?.models[id];
  if (!use) return null;
  return {
    drug,
    use,
    formulations: use.formulations.map((f) => {
      const found = drug.formulations.find((x) => x.id === f);
      if (!found)
        throw new DosetwinError([
          {
            code: 'DT_DRUG_FILE',
            severity: 'error',
            field: `models.${id}.formulations`,
            message: `${id}: formulation '${f}' is not in the ${drug.drug} drug file`,
            hint: `formulations: ${drug.formulations.map((x) => x.id).join(', ')}`,
          },
        ]);
      return found;
    }),
  };
}
