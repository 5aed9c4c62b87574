// Test helpers: small models in the model language, and datasets from plain rows.
import { patientFromRecords, type PatientData, type RecordInput } from '../events/records.ts';
import { compileModel, type CompiledModel } from '../model/compile.ts';
import { parseModel } from '../model/parse.ts';

/** Build a model file from its blocks (header lines are added). */
export function modelText(blocks: string): string {
  return `model test/model version 0.0.1\nunits dose mg | time h | conc mg/L\n${blocks}`;
}

export function compile(blocks: string): CompiledModel {
  return compileModel(parseModel(modelText(blocks), 'test.dtm'));
}

/** A patient from rows; observation rows (evid 0) are added at `obsTimes` on `obsCmt`. */
export function patient(
  rows: RecordInput[],
  obsTimes: number[] = [],
  obsCmt = 0,
  nCov = 0,
  cov?: number[],
): PatientData {
  const all: RecordInput[] = [...rows, ...obsTimes.map((t) => ({ time: t, evid: 0, cmt: obsCmt, cov }))];
  all.forEach((r) => (r.cov ??= cov));
  // Stable sort by time keeps doses before observations at the same time.
  const sorted = all
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time - b.r.time || a.i - b.i)
    .map((x) => x.r);
  return patientFromRecords('1', sorted, nCov);
}

/** Predictions at the observation records (EVID 0), in order. */
export function observed(p: PatientData, out: Float64Array): number[] {
  const v: number[] = [];
  for (let i = 0; i < p.n; i++) if (p.evid[i] === 0) v.push(out[i]);
  return v;
}

export const grid = (from: number, step: number, to: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step + 1e-9) + 1 }, (_, k) => from + k * step);
