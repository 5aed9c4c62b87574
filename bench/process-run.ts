/**
 * What the CLI benches share: a command run as a user runs it (a new process, timed from outside
 * with its CPU time from the shell's `times`), a population as a NONMEM-style data file, and the
 * two-compartment model of the population-fitting benches.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  compileModel,
  parseModel,
  patientFromRecords,
  type PatientData,
  simulatePopulation,
} from '@dosetwin/engine';

export interface ProcessRun {
  /** Wall time, ms. */
  wall: number;
  /** User + system time of the process and its threads, ms. */
  cpu: number;
  stdout: string;
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** `node ENTRY ARGS` in a shell that then prints its children's CPU times (`times`). */
export function runProcess(entry: string, args: readonly string[], cwd?: string): ProcessRun {
  const out = join(tmpdir(), `dosetwin-bench-${process.pid}.out`);
  const script = `${[process.execPath, entry, ...args].map(quote).join(' ')} > ${quote(out)} || exit 3; times`;
  const t0 = performance.now();
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${entry} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  // `times`: this shell's user and system time, then its children's.
  const children = r.stdout.trim().split('\n').at(-1)!;
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const stdout = readFileSync(out, 'utf8');
  rmSync(out, { force: true });
  return { wall, cpu: (secs[0] + secs[1]) * 1000, stdout };
}

/** The patients as a NONMEM-style data file (full precision), for `--data`. */
export function patientsCsv(patients: readonly PatientData[]): string {
  const lines = ['ID,TIME,AMT,EVID,CMT,DV,MDV'];
  for (const p of patients)
    for (let r = 0; r < p.n; r++) {
      const obs = p.evid[r] === 0;
      lines.push(
        [p.id, p.time[r], p.amt[r], p.evid[r], p.cmt[r], obs ? String(p.dv[r]) : '.', obs ? 0 : 1].join(','),
      );
    }
  return lines.join('\n') + '\n';
}

/** The population-fitting benches' two-compartment model (IV bolus, four exponential etas). */
export const TWO_CPT = `model bench/two-cpt version 1
units dose mg | time h | conc mg/L
parameters value unit label
  TVCL 5 L/h "clearance"
  TVV1 30 L "central volume"
  TVQ 10 L/h "intercompartmental clearance"
  TVV2 50 L "peripheral volume"
random
  eta_CL ~ 0.09  eta_V1 ~ 0.09  eta_Q ~ 0.09  eta_V2 ~ 0.09
equations
  CL = TVCL * exp(eta_CL)
  V1 = TVV1 * exp(eta_V1)
  Q = TVQ * exp(eta_Q)
  V2 = TVV2 * exp(eta_V2)
  pk two_cmt(cl = CL, v1 = V1, q = Q, v2 = V2)
  CP = central / V1
error
  CP ~ prop(0.15)
`;

/**
 * 1000 patients simulated from TWO_CPT (seed 1): 500 mg IV bolus, levels at 0.5, 2, 6, 12 and
 * 24 h.
 */
export function twoCptPopulation(): PatientData[] {
  const two = compileModel(parseModel(TWO_CPT, 'two-cpt.dtm'));
  const designs = Array.from({ length: 1000 }, (_, i) =>
    patientFromRecords(
      String(i + 1),
      [{ time: 0, amt: 500, cmt: 1 }, ...[0.5, 2, 6, 12, 24].map((t) => ({ time: t, evid: 0, cmt: 1 }))],
      0,
    ),
  );
  return simulatePopulation(two, designs, 1).patients;
}
