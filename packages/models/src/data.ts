/**
 * What reading a patient's data for a model needs, and no more: the coded columns, the units of a
 * clinical CSV, the clinical policy and plausibility checks, and the library's models by id. A
 * command that only reads data and fits a model file (`dosetwin fit --model run.dtm`) loads this
 * entry and not the whole library (averaging, analyses, recommendations, the issue catalogue…),
 * a third of its size. The functions are the same ones `@dosetwin/models` exports (one copy: the
 * build puts the code both entries share in common chunks).
 */
export { checkCodedColumns, codingNote } from './data-codes.ts';
export { checkDrugData, checkModelData } from './plausibility.ts';
export { parseDrugData, splitHeader } from './drug-data.ts';
export { checkDrugPatient, modelPatient, samplePolicy, type ModelRef } from './patient.ts';
export { getModel, type LibraryModel } from './registry.ts';
export type { DrugPatient } from './averaging.ts';
