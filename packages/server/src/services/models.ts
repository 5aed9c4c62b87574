/** The model library as the service offers it: what each model needs entered and is used with. */
import { listModels, modelPolicy, patientInputs } from '@dosetwin/models';
import type { ModelInfo } from '../contract/index.ts';

export function modelList(): ModelInfo[] {
  return listModels().map((m) => ({
    id: m.id,
    version: m.ir.version,
    drug: m.ir.drug,
    citation: m.ir.citation?.text ?? null,
    units: m.ir.units,
    covariates: m.ir.covariates.map((c) => ({ name: c.name, unit: c.unit, label: c.label })),
    inputs: patientInputs(m).map(({ name, unit, required, usedFor }) => ({ name, unit, required, usedFor })),
    targets: modelPolicy(m).targets,
    status: m.verification.status,
  }));
}
