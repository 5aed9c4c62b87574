// The theophylline data set (theo_sd: R's Theoph as nlmixr2data writes it) and its model.
import { readFileSync } from 'node:fs';
import { parseDataset } from '../events/dataset.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { loadModel } from '../model/load.ts';

const here = new URL('../population/fixtures/', import.meta.url);

/** The one-compartment model with nlmixr2's initial values and the 12 subjects of theo_sd. */
export function theophylline(): { model: CompiledModel; patients: PatientData[] } {
  const model = loadModel(readFileSync(new URL('theophylline.dtm', here), 'utf8'), 'theophylline.dtm');
  const data = parseDataset(readFileSync(new URL('theo_sd.csv', here), 'utf8'), model.ir, 'theo_sd.csv');
  return { model, patients: data.patients };
}
