/** The model library as the service offers it. */
import { listModels } from '@dosetwin/models';
import type { ModelInfo } from '../contract/index.ts';

export function modelList(): ModelInfo[] {
  return listModels().map((m) => ({
    id: m.id,
    version: m.ir.version,
    drug: m.ir.drug,
    citation: m.ir.citation?.text ?? null,
    units: m.ir.units,
    covariates: m.ir.covariates.map((c) => ({ name: c.name, unit: c.unit, label: c.label })),
    targets: m.ir.targets,
    status: m.verification.status,
  }));
}
