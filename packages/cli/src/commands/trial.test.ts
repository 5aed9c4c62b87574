// dosetwin trial: the same trial file and seed give the same output byte for byte on 1, 2 and 4
// worker threads (chunks seeded by trial seed and chunk index, counts merged by integer addition);
// the one-line PTA form prints the PTA with its Monte Carlo SE, equal to the trial run's; a
// covariate table is resampled (its units converted); bad input names its field (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { wilson95 } from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import { dosetwin, REPO } from '../test-support.ts';
import { readCovariateTable, runOnThreads, trialCsv, trialOutput } from './trial.ts';

const FILE: TrialFile = {
  model: 'vancomycin/goti2018',
  arms: [
    { name: 'standard', regimen: '1000 mg q12h over 1 h' },
    { name: 'loading', regimen: '2000 mg over 2 h then 1000 mg q12h over 1 h' },
  ],
  days: 3,
  targets: ['auc24=400..600 mg*h/L'],
  toxicity: ['auc24>=800 mg*h/L'],
  strata: [{ name: 'CrCL', variable: 'CRCL', unit: 'mL/min', edges: [60] }],
  n: 600,
  chunkSize: 100,
  seed: 5,
};

test('trial run: identical JSON and CSV with 1, 2 and 4 worker threads (600 patients, 6 chunks, seed 5)', async () => {
  const r = resolveTrial(FILE);
  const outs = [];
  for (const w of [1, 2, 4]) {
    const counts = await runOnThreads(FILE, w);
    const out = trialOutput(r, counts);
    outs.push({ json: JSON.stringify(out), csv: trialCsv(out) });
  }
  assert.equal(outs[1].json, outs[0].json);
  assert.equal(outs[2].json, outs[0].json);
  assert.equal(outs[2].csv, outs[0].csv);
  const rep = JSON.parse(outs[0].json).report;
  assert.equal(rep.patients, 600);
  // The loading dose raises the day-1 PTA of the same patients.
  assert.ok(rep.arms[1].days[0].all.p > rep.arms[0].days[0].all.p, 'loading dose, day 1');
  assert.match(outs[0].csv.split('\n')[0], /^arm,cell,day,endpoint,mic,k,n,p,se$/);
});

test('dosetwin trial pta prints the PTA ± MC SE; trial run of the same file gives the same number; bad input exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dt-trial-'));
  const args = [
    '--model',
    'vancomycin/goti2018',
    '--regimen',
    '1000 mg q12h over 1 h',
    '--target',
    'auc24>=400 mg*h/L',
  ];
  const r = dosetwin('trial', 'pta', ...args, '--n', '300', '--days', '2', '--seed', '3', '--workers', '2');
  assert.equal(r.code, 0, r.stderr);
  const m = /PTA auc24>=400 mg\*h\/L on day 2: (\d\.\d{4}) ± (\d\.\d{4}) \(Monte Carlo SE\)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const p = Number(m![1]);
  assert.ok(Math.abs(Number(m![2]) - Math.sqrt((p * (1 - p)) / 300)) < 1e-4);
  assert.match(r.stderr, /300\/300 patients/);
  const spec = join(dir, 'trial.json');
  writeFileSync(
    spec,
    JSON.stringify({
      model: 'vancomycin/goti2018',
      arms: [{ regimen: '1000 mg q12h over 1 h' }],
      days: 2,
      targets: ['auc24>=400 mg*h/L'],
      n: 300,
      seed: 3,
    }),
  );
  const run = dosetwin('trial', 'run', spec, '--workers', '1', '--format', 'csv');
  assert.equal(run.code, 0, run.stderr);
  const row = run.stdout
    .split('\n')
    .find((l) => l.startsWith('1000 mg q12h over 1 h,all,2,auc24>=400 mg*h/L,'));
  assert.ok(row, run.stdout);
  assert.equal(Number(row!.split(',')[7]).toFixed(4), m![1]);
  const badRegimen = dosetwin(
    'trial',
    'pta',
    '--model',
    'vancomycin/goti2018',
    '--regimen',
    '1000 mg',
    '--n',
    '10',
  );
  assert.equal(badRegimen.code, 2);
  assert.match(badRegimen.stderr, /DT_REGIMEN.*arms\[0\]\.regimen/);
  const badFormat = dosetwin('trial', 'run', spec, '--format', 'xml');
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /--format/);
});

test('--covariates: a table with units in the header is converted to the population’s units; a bad cell names its line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dt-trial-cov-'));
  const csv = join(dir, 'cov.csv');
  writeFileSync(csv, 'SEX,AGE (y),HT (cm),WT (g),SCR (mg/dL)\n0,50,180,80000,1.0\n1,70,160,60000,0.8\n');
  const t = readCovariateTable(csv, 'vancomycin/goti2018');
  assert.deepEqual(
    t.columns.map((c) => `${c.name} ${c.unit}`),
    ['SEX -', 'AGE y', 'HT cm', 'WT kg', 'SCR mg/dL'],
  );
  assert.deepEqual(t.rows[0], [0, 50, 180, 80, 1.0]);
  writeFileSync(csv, 'SEX,AGE (y),HT (cm),WT (kg),SCR (mg/dL)\n0,50,180,x,1.0\n');
  assert.throws(() => readCovariateTable(csv, 'vancomycin/goti2018'), /cov\.csv:2: WT 'x' is not a number/);
});

test('dosetwin trial nomogram: the best arm per weight × CrCL cell as a table and a one-page PDF; one stratum is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dt-nomogram-'));
  const spec = join(dir, 'nomogram.json');
  const file: TrialFile = {
    name: 'Vancomycin test nomogram',
    model: 'vancomycin/goti2018',
    arms: [
      { name: '750 mg q12h', regimen: '750 mg q12h over 1 h' },
      { name: '1250 mg q12h', regimen: '1250 mg q12h over 1.5 h' },
    ],
    days: 3,
    targets: ['auc24=400..600 mg*h/L'],
    strata: [
      { name: 'Weight', variable: 'WT', unit: 'kg', edges: [80] },
      { name: 'CrCL', variable: 'CRCL', unit: 'mL/min', edges: [60] },
    ],
    n: 400,
    chunkSize: 200,
    seed: 4,
  };
  writeFileSync(spec, JSON.stringify(file));
  const pdf = join(dir, 'nomogram.pdf');
  const r = dosetwin('trial', 'nomogram', spec, '--pdf', pdf, '--workers', '1');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'Vancomycin test nomogram — PTA on day 3');
  assert.equal(lines[1], 'Weight \\ CrCL | <60 mL/min | ≥60 mL/min');
  assert.equal(lines.length, 4);
  // Low weight and low clearance: the smaller dose is the better start; heavy with good clearance: the larger.
  const cell = String.raw`\(\d+ %, 95 % CI \d+–\d+ %, n \d+, (meets|below|uncertain)\)`;
  assert.match(lines[2], new RegExp(String.raw`^<80 kg \| 750 mg q12h ${cell} \| `));
  assert.match(lines[3], new RegExp(String.raw`^≥80 kg \| .* \| 1250 mg q12h ${cell}$`));
  // Each cell's interval and verdict are the engine's (Wilson 95 %, threshold 0.5).
  for (const m of r.stdout.matchAll(/\((\d+) %, 95 % CI (\d+)–(\d+) %, n (\d+), (\w+)\)/g)) {
    const n = Number(m[4]);
    const k = Math.round((Number(m[1]) / 100) * n);
    const [lo, hi] = wilson95(k, n);
    // k is recovered from a rounded percentage: within 2 points.
    assert.ok(Math.abs(100 * lo - Number(m[2])) <= 2 && Math.abs(100 * hi - Number(m[3])) <= 2, m[0]);
    const [plo, phi] = [Number(m[2]), Number(m[3])];
    if (plo > 50) assert.equal(m[5], 'meets', m[0]);
    else if (phi < 50) assert.equal(m[5], 'below', m[0]);
    else if (plo < 50 && phi > 50) assert.equal(m[5], 'uncertain', m[0]);
  }
  const bytes = readFileSync(pdf);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.equal((bytes.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 1, 'one page');
  // The README's example file resolves to a nomogram trial (its run is the README's, 40 000 patients).
  const example = resolveTrial(
    JSON.parse(readFileSync(join(REPO, 'examples/vancomycin-nomogram.json'), 'utf8')),
  );
  assert.equal(example.setup.strata.length, 2);
  assert.equal(example.setup.arms.length, 10);
  writeFileSync(spec, JSON.stringify({ ...file, strata: file.strata!.slice(0, 1) }));
  const bad = dosetwin('trial', 'nomogram', spec);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /strata.*two strata/);
});

test('dosetwin trial forecast: the enrolled patients of a NONMEM-style CSV fitted, the rest simulated; the line is the engine’s interimForecast; an unknown arm exit 2', async () => {
  const { interimForecast } = await import('@dosetwin/engine');
  const { getModel } = await import('@dosetwin/models');
  const { readPatients } = await import('../data.ts');
  const dir = mkdtempSync(join(tmpdir(), 'dt-forecast-'));
  const spec = join(dir, 'trial.json');
  const file: TrialFile = {
    model: 'vancomycin/goti2018',
    arms: [{ name: '1000 mg q12h', regimen: '1000 mg q12h over 1 h' }],
    days: 3,
    targets: ['auc24=400..600 mg*h/L'],
    n: 30,
    chunkSize: 30,
    seed: 3,
  };
  writeFileSync(spec, JSON.stringify(file));
  const data = join(REPO, 'examples/vancomycin-two-levels.csv');
  const r = dosetwin('trial', 'forecast', spec, '--data', data, '--replicates', '20');
  assert.equal(r.code, 0, r.stderr);
  const enrolled = readPatients(getModel(file.model), data).map((p) => ({ arm: 0, history: p.patient }));
  const f = interimForecast(resolveTrial(file).setup, enrolled, { replicates: 20 });
  const a = f.arms[0];
  assert.equal(
    r.stdout.split('\n')[0],
    `1000 mg q12h: PTA ${a.mean.toFixed(3)} (90 % predictive interval ${a.lo.toFixed(3)}–${a.hi.toFixed(3)}), ${enrolled.length} of 30 enrolled`,
  );
  assert.ok(a.lo <= a.mean && a.mean <= a.hi);
  const bad = dosetwin('trial', 'forecast', spec, '--data', data, '--arm', 'nobody');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--arm/);
});
