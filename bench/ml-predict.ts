// `dosetwin ml predict` on many patients: one process per patient (the only way before `--data`)
// against one process scoring every row of a `--data` file (the estimator loaded once). The
// patients are 2 000 virtual tacrolimus patients (Woillard 2011 Prograf, the shipped estimator's
// design 0/1/3 h with its sampling-time jitter, external-validation stream, seed 2026), with the
// MAP Bayesian estimate beside each ML one (the command's default). Both modes must print the same
// numbers; the per-process mode runs on the first `perProcess` patients and its time for all of
// them is extrapolated linearly when fewer (said in the table).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAM, VirtualPopulation } from '@dosetwin/engine';
import { presetFor, virtualModel } from '@dosetwin/models';
import { loadEstimator } from '../packages/cli/src/commands/ml.ts';

const ESTIMATOR = 'tacrolimus-woillard2011-prograf-0-1-3h';
const BIN = new URL('../packages/cli/bin/dosetwin.mjs', import.meta.url).pathname;

/** The patients as a `--data` file and, for the one-patient command, as options. */
function patients(n: number): { csv: string; args: string[][] } {
  const est = loadEstimator(ESTIMATOR);
  const preset = presetFor(est.drug)!;
  const pop = new VirtualPopulation({
    models: [virtualModel(preset, 'tacrolimus/woillard2011-prograf')],
    population: preset.population,
    derive: preset.derive,
    design: est.design,
    seed: 2026,
    stream: STREAM.external,
  });
  const k = est.design.timesH.length;
  const { dose, conc } = est.units;
  const head = [
    'ID',
    `DOSE (${dose})`,
    ...Array.from({ length: k }, (_, j) => `C${j + 1} (${conc})`),
    ...Array.from({ length: k }, (_, j) => `T${j + 1} (h)`),
    'HCT (%)',
    'CYP3A5',
  ];
  const rows: string[] = [head.join(',')];
  const args: string[][] = [];
  for (let i = 0; i < n; i++) {
    const v = pop.patient(i);
    rows.push([`v${i}`, v.dose, ...v.conc, ...v.timesH, v.clinical.HCT, v.clinical.CYP3A5].join(','));
    args.push([
      '--conc',
      v.conc.join(','),
      '--unit',
      conc,
      '--times',
      v.timesH.join(','),
      '--dose',
      `${v.dose}${dose}`,
      '--cov',
      `HCT=${v.clinical.HCT}%`,
      '--cov',
      `CYP3A5=${v.clinical.CYP3A5}`,
    ]);
  }
  return { csv: rows.join('\n') + '\n', args };
}

function run(args: string[]): { s: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [BIN, 'ml', 'predict', '--estimator', ESTIMATOR, ...args, '--format', 'json'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`ml predict failed: ${r.stderr}`);
  return { s: (performance.now() - t0) / 1000, stdout: r.stdout };
}

export function benchMlPredict(n = 2000, perProcess = 100): string {
  const { csv, args } = patients(n);
  const file = join(mkdtempSync(join(tmpdir(), 'dosetwin-bench-')), 'patients.csv');
  writeFileSync(file, csv);
  const batch = run(['--data', file]);
  const lines = batch.stdout.trim().split('\n');
  if (lines.length !== n) throw new Error(`--data printed ${lines.length} lines for ${n} patients`);
  const m = Math.min(n, perProcess);
  let single = 0;
  for (let i = 0; i < m; i++) {
    const r = run(args[i]);
    single += r.s;
    // The same numbers from the one-patient command as from --data.
    const { id: _id, ...fromBatch } = JSON.parse(lines[i]) as Record<string, unknown>;
    if (JSON.stringify(JSON.parse(r.stdout)) !== JSON.stringify(fromBatch))
      throw new Error(`patient ${i}: the one-patient output differs from --data's`);
  }
  const perPatient = single / m;
  const total = perPatient * n;
  const min = (s: number): string => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
  return [
    '## ML estimate on many patients (`ml predict`)',
    '',
    `${n} virtual tacrolimus patients (Woillard 2011 Prograf, design 0/1/3 h with jitter, seed 2026), estimator \`${ESTIMATOR}\`, MAP beside each estimate; one thread. Wall time of the command(s), process start-up included; both modes print the same numbers (checked on the first ${m}).`,
    '',
    '| mode | patients | processes | wall time | per patient | speed-up |',
    '|---|---:|---:|---:|---:|---:|',
    `| one patient per process (\`--conc … --dose … --cov …\`) | ${n} | ${n} | ${min(total)}${m < n ? ` (${m} run, × ${Number((n / m).toFixed(2))})` : ''} | ${(perPatient * 1000).toFixed(0)} ms | 1× |`,
    `| every patient in one process (\`--data patients.csv\`) | ${n} | 1 | ${min(batch.s)} | ${((batch.s / n) * 1000).toFixed(1)} ms | ${(total / batch.s).toFixed(0)}× |`,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(benchMlPredict(Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 100)));
