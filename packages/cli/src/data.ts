/**
 * The patients of a data file for one model. A NONMEM-style CSV without units is in the model's
 * units, as NONMEM reads it; a CSV whose header states its units (`TIME (h)`, `AMT (mg)`,
 * `DV (mg/L)`, `WT (kg)`) is read as the service reads a clinical record: converted to the model's
 * units, covariates resolved (derivations, defaults) and the clinical policy applied, with the
 * same warnings.
 */
import { DosetwinError, type Issue, type PatientData, parseDataset, splitCsv } from '@dosetwin/engine';
import {
  checkDrugPatient,
  type DrugPatient,
  type ModelRef,
  modelPatient,
  parseDrugData,
  splitHeader,
} from '@dosetwin/models';
import { printIssues, readText } from './io.ts';

export interface DataPatient {
  patient: PatientData;
  /** What reading the data for the model brought up (policy, covariates), for the output. */
  warnings: Issue[];
  /** Unit conversions and derivations. */
  notes: string[];
}

/** Whether a CSV's header states units (`NAME (unit)` or `NAME [unit]`). */
export function hasUnits(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  return splitCsv(first).some((h) => splitHeader(h).unit !== null);
}

/** A drug-level patient for one model; the model's reading errors thrown. */
export function forModel(model: ModelRef, p: DrugPatient): DataPatient {
  checkDrugPatient(p);
  const r = modelPatient(model, p);
  if (!r.patient)
    throw new DosetwinError(r.errors.map((e) => ({ ...e, message: `patient ${p.id}: ${e.message}` })));
  return { patient: r.patient, warnings: r.warnings, notes: r.notes };
}

/** Every patient of the file, for the model. */
export function readPatients(model: ModelRef, file: string): DataPatient[] {
  const text = readText(file, 'data');
  if (hasUnits(text)) return parseDrugData(text, file).map((p) => forModel(model, p));
  const ds = parseDataset(text, model.ir, file);
  printIssues(ds.issues);
  return ds.patients.map((patient) => ({ patient, warnings: [], notes: [] }));
}
