import {
  type CompiledModel,
  DosetwinError,
  parseEtaTable,
  type PatientData,
  Simulator,
  withPredictionTimes,
} from '@dosetwin/engine';
import type { Command } from 'commander';
import { DATA_HELP, printDataNotes, readPatients } from '../data.ts';
import { argError, guarded, readText } from '../io.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';

/** `0:0.5:48` (from:step:to), or a comma list `0,1,2.5`. */
export function parseTimes(spec: string): number[] {
  const range = /^\s*([^:]+):([^:]+):([^:]+)\s*$/.exec(spec);
  if (range) {
    const [from, step, to] = range.slice(1).map(Number);
    if (![from, step, to].every(Number.isFinite) || !(step > 0) || to < from)
      argError(
        '--times',
        `'${spec}' is not a valid grid`,
        "write from:step:to with step > 0, e.g. '0:0.5:48'",
      );
    const n = Math.floor((to - from) / step + 1e-9);
    if (n > 1e6) argError('--times', `'${spec}' has ${n + 1} points; at most 1e6`);
    return Array.from({ length: n + 1 }, (_, k) => Number((from + k * step).toPrecision(15)));
  }
  const list = spec.split(',').map((x) => Number(x.trim()));
  if (!list.length || list.some((x) => !Number.isFinite(x) || x < 0))
    argError(
      '--times',
      `'${spec}' is not a list of times`,
      "write from:step:to ('0:0.5:48') or a list ('0,1,2.5')",
    );
  return list;
}

/** The compartment an output is read from, for grid rows (its first `cmt`, else `central`, else 1). */
export function outputCmt(model: CompiledModel, k: number): number {
  const e = model.ir.errors[k];
  if (e.cmts.length) return e.cmts[0];
  const c = model.ir.compartments.indexOf('central');
  return c >= 0 ? c + 1 : 1;
}

export interface SimulateRow {
  id: string;
  time: number;
  cmt: number;
  pred: number;
  ipred?: number;
}

/** Simulate PRED (η = 0) and, with etas, IPRED at each observation record or on a time grid. */
export function simulateRows(
  model: CompiledModel,
  patients: readonly PatientData[],
  etas: Map<string, Float64Array> | null,
  times: number[] | null,
): SimulateRow[] {
  const sim = new Simulator(model);
  const rows: SimulateRow[] = [];
  for (const p0 of patients) {
    const eta = etas ? etas.get(p0.id) : null;
    if (etas && !eta)
      throw new DosetwinError([
        {
          code: 'DT_DATA',
          severity: 'error',
          field: 'ID',
          message: `ID ${p0.id} of the dataset has no row in the eta table`,
        },
      ]);
    const outputs = times ? model.ir.errors.map((_, k) => outputCmt(model, k)) : [0];
    for (const cmt of outputs) {
      const p = times ? withPredictionTimes(p0, times, cmt) : p0;
      const pred = new Float64Array(p.n);
      const ipred = new Float64Array(p.n);
      sim.run(p, null, pred);
      if (eta) sim.run(p, eta, ipred);
      for (let i = 0; i < p.n; i++) {
        if (times ? p.line[i] !== 0 || p.evid[i] !== 2 : p.evid[i] !== 0) continue;
        const row: SimulateRow = {
          id: p.id,
          time: p.time[i],
          cmt: times ? cmt : p.cmt[i] || outputCmt(model, 0),
          pred: pred[i],
        };
        if (eta) row.ipred = ipred[i];
        rows.push(row);
      }
    }
  }
  return rows;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('predict concentrations (PRED at eta = 0, IPRED at given etas) for a NONMEM-style dataset')
    .requiredOption('--model <file|id>', MODEL_HELP)
    .requiredOption('--data <file>', DATA_HELP)
    .option('--etas <file>', 'CSV of individual etas: ID, ETA1..ETAn (model order) or eta names')
    .option(
      '--times <grid>',
      "prediction times per ID instead of the observation records: 'from:step:to' or 't1,t2,...'",
    )
    .option('--format <format>', 'json (one object per line) or csv', 'json')
    .action(async (opts: { model: string; data: string; etas?: string; times?: string; format: string }) => {
      process.exitCode = await guarded(() => {
        if (opts.format !== 'json' && opts.format !== 'csv')
          argError('--format', `'${opts.format}' is not json or csv`);
        const { model, ref } = resolveModelArg(opts.model);
        const etas = opts.etas ? parseEtaTable(readText(opts.etas, 'etas'), model.ir, opts.etas) : null;
        const times = opts.times ? parseTimes(opts.times) : null;
        const patients = readPatients(ref, opts.data);
        // Rows are JSON or CSV records: what reading the data brought up goes to stderr.
        printDataNotes(patients, process.stderr);
        const rows = simulateRows(
          model,
          patients.map((d) => d.patient),
          etas,
          times,
        );
        const out: string[] = [];
        if (opts.format === 'csv') out.push(etas ? 'id,time,cmt,pred,ipred' : 'id,time,cmt,pred');
        for (const r of rows)
          out.push(
            opts.format === 'json'
              ? JSON.stringify(r)
              : [csvCell(r.id), r.time, r.cmt, r.pred, ...(r.ipred !== undefined ? [r.ipred] : [])].join(','),
          );
        process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
        return 0;
      });
    });
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
