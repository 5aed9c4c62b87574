/**
 * The patients of a data file for one model. A NONMEM-style CSV without units is in the model's
 * units, as NONMEM reads it; a CSV whose header states its units (`TIME (h)`, `AMT (mg)`,
 * `DV (mg/L)`, `WT (kg)`) is read as the service reads a clinical record: converted to the model's
 * units, covariates resolved (derivations, defaults) and the clinical policy applied, with the
 * same warnings. Either way a SEX column is read as the covariate register codes it (0 = male,
 * 1 = female): any other value is an error naming the column and the line.
 */
import { DosetwinError, type Issue, type PatientData, parseDataset, splitCsv } from '@dosetwin/engine';
import {
  checkCodedColumns,
  checkDrugData,
  checkDrugPatient,
  checkModelData,
  codingNote,
  type DrugPatient,
  type ModelRef,
  modelPatient,
  parseDrugData,
  samplePolicy,
  splitHeader,
} from '@dosetwin/models/data';
import { printIssues, readText } from './io.ts';

/** How `--data` is described in the help of every command that reads patients. */
export const DATA_HELP =
  "CSV of the doses given and the levels measured: NONMEM columns (ID, TIME, EVID, AMT, RATE, CMT, II, ADDL, SS, MDV, DV, OCC, BLQ/CENS, LLOQ) and covariates by name, in the model's units; or with units in the header (TIME (h), AMT (mg), DV (mg/L), WT (kg), SCR (umol/L)), converted to the model's (CMT then empty). " +
  `${codingNote('SEX')}: any other value is an error`;

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
  const policy = samplePolicy(p);
  checkDrugPatient(policy.patient);
  const r = modelPatient(model, policy.patient);
  if (!r.patient)
    throw new DosetwinError(r.errors.map((e) => ({ ...e, message: `patient ${p.id}: ${e.message}` })));
  // The doses and levels against the drug's plausibility bounds (doses in mg read as µg…).
  const plausibility = model.ir.drug ? checkDrugData(model.ir.drug, policy.patient) : [];
  return {
    patient: r.patient,
    warnings: [...policy.warnings, ...plausibility, ...r.warnings],
    notes: r.notes,
  };
}

/** Every patient of the file, for the model; the coding of a SEX column checked and noted first. */
export function readPatients(model: ModelRef, file: string): DataPatient[] {
  const text = readText(file, 'data');
  const coding = checkCodedColumns(text, file).notes;
  if (hasUnits(text))
    return parseDrugData(text, file).map((p) => {
      const d = forModel(model, p);
      return { ...d, notes: [...coding, ...d.notes] };
    });
  const ds = parseDataset(text, model.ir, file);
  printIssues(ds.issues);
  return ds.patients.map((patient) => ({
    patient,
    warnings: checkModelData(model.ir, patient),
    notes: [...coding],
  }));
}

/**
 * What reading the data brought up, for outputs whose records have no room for it (simulate's
 * rows): each distinct note once (`note: …`), then the warnings.
 */
export function printDataNotes(patients: readonly DataPatient[], stream: NodeJS.WritableStream): void {
  for (const n of new Set(patients.flatMap((p) => p.notes))) stream.write(`note: ${n}\n`);
  printIssues(
    patients.flatMap((p) => p.warnings),
    stream,
  );
}
