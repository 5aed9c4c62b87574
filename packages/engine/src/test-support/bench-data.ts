// Test helpers (Node only): locate and read the shared NONMEM MAP benchmark.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledModel } from '../model/compile.ts';
import { loadModel } from '../model/load.ts';
import { parseDataset } from '../events/dataset.ts';
import { splitCsv } from '../events/dataset.ts';
import type { PatientData } from '../events/records.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../../..');
export const BENCH_DIR = resolve(REPO, '../shared/reference/map-benchmark');
export const BENCH_MODELS = resolve(REPO, 'packages/engine/test-models/map-benchmark');
export const BENCH_RUNS = [
  'run001',
  'run003',
  'run004',
  'run101',
  'run201',
  'run301',
  'run401',
  'run901',
  'run921',
] as const;

export interface BenchRun {
  run: string;
  model: CompiledModel;
  patients: PatientData[];
  /** Per patient id: NONMEM's conditional-mode etas, ETC (full symmetric, row-major) and OBJ. */
  nonmem: Map<string, { eta: Float64Array; etc: Float64Array; obj: number }>;
  /** NONMEM PRED/IPRED keyed by `ID|TIME|CMT`. */
  pred: Map<string, { pred: number; ipred: number; dv: number }>;
}

function table(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  return { header: splitCsv(lines[0]), rows: lines.slice(1).map(splitCsv) };
}

export function loadBenchRun(run: string): BenchRun {
  const model = loadModel(readFileSync(resolve(BENCH_MODELS, `${run}.dtm`), 'utf8'), `${run}.dtm`);
  const patients = parseDataset(
    readFileSync(resolve(BENCH_DIR, run, 'data.csv'), 'utf8'),
    model.ir,
    `${run}/data.csv`,
  ).patients;
  const et = table(resolve(BENCH_DIR, run, 'nonmem_eta.csv'));
  const n = model.ir.etas.length;
  const nonmem = new Map<string, { eta: Float64Array; etc: Float64Array; obj: number }>();
  for (const r of et.rows) {
    const get = (h: string): number => Number(r[et.header.indexOf(h)]);
    const eta = Float64Array.from({ length: n }, (_, k) => get(`ETA${k + 1}`));
    const etc = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const v = get(`ETC${i + 1}_${j + 1}`);
        etc[i * n + j] = v;
        etc[j * n + i] = v;
      }
    nonmem.set(r[0], { eta, etc, obj: get('OBJ') });
  }
  const pt = table(resolve(BENCH_DIR, run, 'nonmem_pred.csv'));
  const pred = new Map<string, { pred: number; ipred: number; dv: number }>();
  for (const r of pt.rows)
    pred.set(`${r[0]}|${Number(r[1])}|${Number(r[2])}`, {
      dv: Number(r[3]),
      pred: Number(r[4]),
      ipred: Number(r[5]),
    });
  return { run, model, patients, nonmem, pred };
}
