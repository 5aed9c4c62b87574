// `dosetwin fit` (issue 9): one JSON line per patient in dataset order, etas in model order, NONMEM's
// OBJ and ETC, parallel workers, posterior summary with --samples. The command is registered on a
// fresh commander program here (main.ts wires it for users); stdout/stderr are captured.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { type atLine, type DrugFitLine, type FitLine, workersWorthStarting } from './fit.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BENCH = resolve(REPO, '../shared/reference/map-benchmark');
const MODEL = join(REPO, 'packages/engine/test-models/map-benchmark/run001.dtm');

/** The first `n` patients of run001 as a data file; NONMEM's etas/OBJ by ID. */
function fixture(n: number): {
  data: string;
  nonmem: Map<string, { eta: number[]; obj: number; etc11: number }>;
} {
  const lines = readFileSync(join(BENCH, 'run001/data.csv'), 'utf8').trim().split('\n');
  const keep = lines.filter((l, i) => i === 0 || Number(l.split(',')[0]) <= n);
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-fit-'));
  const data = join(dir, 'data.csv');
  writeFileSync(data, keep.join('\n') + '\n');
  const eta = readFileSync(join(BENCH, 'run001/nonmem_eta.csv'), 'utf8').trim().split(/\r?\n/);
  const head = eta[0].split(',').map((h) => h.trim());
  const nonmem = new Map(
    eta.slice(1).map((l) => {
      const c = l.split(',').map(Number);
      const get = (h: string): number => c[head.indexOf(h)];
      return [
        String(c[0]),
        { eta: [get('ETA1'), get('ETA2'), get('ETA3')], obj: get('OBJ'), etc11: get('ETC1_1') },
      ];
    }),
  );
  return { data, nonmem };
}

/** Run `fit` with a fresh commander program in a child process (as a user would run it). */
async function fit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = [
    `import { Command } from 'commander';`,
    `import { registerFit } from ${JSON.stringify(join(dirname(fileURLToPath(import.meta.url)), 'fit.ts'))};`,
    `const program = new Command().exitOverride();`,
    `registerFit(program);`,
    `await program.parseAsync(${JSON.stringify(['fit', ...args])}, { from: 'user' });`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: join(REPO, 'packages/cli'),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('fit: 20 patients on 2 worker threads, in dataset order, etas = NONMEM (ln 1.001), OBJ and ETC (1e-5)', async () => {
  const { data, nonmem } = fixture(20);
  const r = await fit('--model', MODEL, '--data', data, '--threads', '2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FitLine);
  assert.deepEqual(
    lines.map((l) => l.id),
    Array.from({ length: 20 }, (_, i) => String(i + 1)),
  );
  for (const l of lines) {
    const nm = nonmem.get(l.id)!;
    assert.deepEqual(l.etaNames, ['eta_CL', 'eta_VC', 'eta_KA']);
    assert.ok(l.converged, l.message);
    l.eta.forEach((e, k) => assert.ok(Math.abs(e - nm.eta[k]) <= Math.log(1.001), `ID ${l.id} eta ${k}`));
    assert.ok(Math.abs(l.obj! - nm.obj) <= 1e-5 * Math.abs(nm.obj), `ID ${l.id} OBJ ${l.obj} vs ${nm.obj}`);
    assert.ok(Math.abs(l.cov[0][0]! - nm.etc11) <= 1e-3 * nm.etc11, `ID ${l.id} ETC1_1`);
    assert.equal(l.cov.length, 3);
    assert.ok(l.ipred.length > 0 && l.ipred.every((p) => p.ipred !== null));
  }
});

test('fit --samples: posterior summary (seeded, quantiles ordered) and prediction bands', async () => {
  const { data } = fixture(2);
  const a = await fit('--model', MODEL, '--data', data, '--samples', '300', '--seed', '5', '--threads', '1');
  const b = await fit('--model', MODEL, '--data', data, '--samples', '300', '--seed', '5', '--threads', '1');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout, 'same seed, same output');
  const l = JSON.parse(a.stdout.split('\n')[0]) as FitLine;
  const post = l.posterior!;
  assert.equal(post.samples, 300);
  assert.deepEqual(post.names, ['eta_CL', 'eta_VC', 'eta_KA']);
  post.q50.forEach((m, i) => assert.ok(post.q025[i] < m && m < post.q975[i]));
  assert.equal(post.ipred.length, l.ipred.length);
  post.ipred.forEach((q) => assert.ok(q.q05 <= q.q50 && q.q50 <= q.q95));
});

test('fit: a bad argument is reported with its code and exit code 2', async () => {
  const { data } = fixture(1);
  const r = await fit('--model', MODEL, '--data', data, '--prior-weight', '0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DT_ARG/);
  assert.match(r.stderr, /--prior-weight/);
});

// `dosetwin fit --drug` (issue 5, model averaging): every vancomycin model of the library, weights,
// the selected model, the averaged IPRED; units come from the CSV header.
const DRUG_CSV = `ID,TIME (h),EVID,AMT (mg),RATE,DV (mg/L),WT (kg),SCR (mg/dL),AGE (y),SEX,DIAL,GA (wk)
icu1,0,1,1500,1500,.,82,1.2,60,0,0,40
icu1,12,1,1000,1000,.,82,1.2,60,0,0,40
icu1,13.5,0,0,0,31.5,82,1.2,60,0,0,40
icu1,23.5,0,0,0,14.2,82,1.2,60,0,0,40
icu1,24,1,1000,1000,.,82,1.2,60,0,0,40
`;
const VANCO = 'vancomycin/buelga2005,vancomycin/colin2019,vancomycin/goti2018,vancomycin/thomson2009';
function drugData(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dosetwin-fit-drug-')), 'drug.csv');
  writeFileSync(file, text);
  return file;
}

test('fit --drug vancomycin: 4 models, weights sum to 1 (1e-12), selected = largest weight, averaged IPRED = Σ w·IPRED (1e-12)', async () => {
  const r = await fit('--drug', 'vancomycin', '--models', VANCO, '--data', drugData(DRUG_CSV));
  assert.equal(r.code, 0, r.stderr);
  const l = JSON.parse(r.stdout.trim()) as DrugFitLine;
  assert.equal(l.id, 'icu1');
  assert.deepEqual(
    l.models.map((m) => m.id),
    ['vancomycin/buelga2005', 'vancomycin/colin2019', 'vancomycin/goti2018', 'vancomycin/thomson2009'],
  );
  assert.ok(Math.abs(l.models.reduce((s, m) => s + m.weight, 0) - 1) < 1e-12);
  const best = l.models.reduce((a, m) => (m.weight > a.weight ? m : a));
  assert.equal(l.selected, best.id);
  // Weights are exp(−OFV/2), normalised.
  const min = Math.min(...l.models.map((m) => m.objective));
  const z = l.models.reduce((s, m) => s + Math.exp(-0.5 * (m.objective - min)), 0);
  for (const m of l.models) assert.ok(Math.abs(m.weight - Math.exp(-0.5 * (m.objective - min)) / z) < 1e-12);
  l.averaged.ipred.forEach((a, i) => {
    const mean = l.models.reduce((s, m) => s + m.weight * m.ipred[i].ipred!, 0);
    assert.ok(Math.abs(a.ipred - mean) <= 1e-12 * mean);
    assert.equal(a.time, [13.5, 23.5][i]);
  });
  // Goti 2018's CrCL is Cockcroft–Gault by hand: (140 − 60)·82/(72·1.2) mL/min.
  const goti = l.models.find((m) => m.id === 'vancomycin/goti2018')!;
  assert.ok(Math.abs(goti.parameters.CRCL - (80 * 82) / (72 * 1.2)) < 1e-9);
});

test('fit --drug --format text: one row per model with OFV and weight, the selected one marked', async () => {
  const r = await fit(
    '--drug',
    'vancomycin',
    '--data',
    drugData(DRUG_CSV),
    '--format',
    'text',
    '--scheme',
    'aic',
  );
  assert.equal(r.code, 0, r.stderr);
  const json = await fit(
    '--drug',
    'vancomycin',
    '--models',
    VANCO,
    '--data',
    drugData(DRUG_CSV),
    '--scheme',
    'aic',
  );
  const l = JSON.parse(json.stdout.trim()) as DrugFitLine;
  assert.match(r.stdout, /^icu1: vancomycin, 4 model\(s\), weights by AIC/);
  for (const m of l.models) {
    const row = r.stdout.split('\n').find((x) => x.includes(m.id))!;
    assert.ok(row.includes(m.objective.toFixed(3)) && row.includes(m.weight.toFixed(3)), row);
    assert.equal(row.includes('← selected'), m.id === l.selected);
  }
});

test('fit --drug: errors name the argument or the column (exit 2)', async () => {
  const both = await fit('--drug', 'vancomycin', '--model', MODEL, '--data', drugData(DRUG_CSV));
  assert.equal(both.code, 2);
  assert.match(both.stderr, /DT_ARG \[--model\] give either --model FILE or --drug NAME/);
  const noUnit = await fit('--drug', 'vancomycin', '--data', drugData(DRUG_CSV.replace('WT (kg)', 'WT')));
  assert.equal(noUnit.code, 2);
  assert.match(noUnit.stderr, /DT_DATA_UNIT \[WT\] WT is given without a unit/);
  const tac = await fit('--drug', 'tacrolimus', '--data', drugData(DRUG_CSV));
  assert.equal(tac.code, 2);
  assert.match(tac.stderr, /DT_FORMULATION_NEEDED/);
});

test('fit --at nonmem_eta.csv (NONMEM MAXEVAL=0 with $ETAS): OBJ (1e-6) and ETC (1e-3) of NONMEM at its etas, no fitting', async () => {
  const { data } = fixture(10);
  const r = await fit('--model', MODEL, '--data', data, '--at', join(BENCH, 'run001/nonmem_eta.csv'));
  assert.equal(r.code, 0, r.stderr);
  const rows = readFileSync(join(BENCH, 'run001/nonmem_eta.csv'), 'utf8').trim().split(/\r?\n/);
  const head = rows[0].split(',');
  const ref = new Map(rows.slice(1).map((l) => [l.split(',')[0], l.split(',').map(Number)]));
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ReturnType<typeof atLine>);
  assert.equal(lines.length, 10);
  for (const l of lines) {
    const c = ref.get(l.id)!;
    const get = (h: string): number => c[head.indexOf(h)];
    assert.deepEqual(l.eta, [get('ETA1'), get('ETA2'), get('ETA3')]);
    assert.ok(Math.abs(l.obj! - get('OBJ')) <= 1e-6 * Math.abs(get('OBJ')), `ID ${l.id} OBJ ${l.obj}`);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j <= i; j++) {
        const scale = Math.sqrt(get(`ETC${i + 1}_${i + 1}`) * get(`ETC${j + 1}_${j + 1}`));
        assert.ok(
          Math.abs(l.cov[i][j]! - get(`ETC${i + 1}_${j + 1}`)) <= 1e-3 * scale,
          `ID ${l.id} ETC${i + 1}_${j + 1}`,
        );
      }
    assert.ok(
      l.decrement! < 1e-4,
      `NONMEM's etas are a mode of dosetwin's objective (decrement ${l.decrement})`,
    );
  }
});

test('fit: individual parameters at the last record and the exposure of each sampled interval at the MAP = the 1-cpt oral closed form (rel 1e-9)', async () => {
  const { data } = fixture(2);
  const r = await fit('--model', MODEL, '--data', data);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FitLine);
  assert.deepEqual(lines[0].units, { dose: 'mg', time: 'h', conc: 'mg/L' });
  for (const l of lines) {
    const [cl, v, ka] = [4 * Math.exp(l.eta[0]), 70 * Math.exp(l.eta[1]), Math.exp(l.eta[2])];
    assert.deepEqual(Object.keys(l.parameters).sort(), ['CL', 'KA', 'VC']);
    assert.ok(Math.abs(l.parameters.CL / cl - 1) < 1e-12 && Math.abs(l.parameters.VC / v - 1) < 1e-12);
    // 10 g at 0, the next dose at 72 h: the levels (1.5..24.6 h, or 25.9 h) lie in [0, 72].
    const k = cl / v;
    const c = (t: number): number => ((10000 * ka) / (v * (ka - k))) * (Math.exp(-k * t) - Math.exp(-ka * t));
    const auc = (10000 / cl) * (1 - (ka * Math.exp(-k * 72) - k * Math.exp(-ka * 72)) / (ka - k));
    const tmax = Math.log(ka / k) / (ka - k);
    assert.equal(l.exposure.length, 1);
    const e = l.exposure[0];
    assert.deepEqual([e.from, e.to, e.levels], [0, 72, l.id === '1' ? 4 : 1]);
    assert.ok(Math.abs(e.auc! / auc - 1) < 1e-9, `AUC ${e.auc} vs ${auc}`);
    assert.ok(Math.abs(e.cmax! / c(tmax) - 1) < 1e-9, `Cmax ${e.cmax} vs ${c(tmax)}`);
    assert.ok(Math.abs(e.cmin!) < 1e-12, 'Cmin: the empty central compartment at the first dose');
  }
});

test('fit --model ID with units in the header: the library model, the data converted (mg → ug, ng/mL → ug/L), SEX coding noted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-fit-'));
  const data = join(dir, 'tac.csv');
  // examples/tacrolimus-lss.csv with its units stated: 4 mg = 4000 ug, ng/mL = ug/L.
  writeFileSync(
    data,
    'ID,TIME (h),EVID,AMT (mg),II (h),ADDL,SS,DV (ng/mL),HCT (%),CYP3A5,SEX\n' +
      'ktx1,0,1,4,12,1,1,.,32,0,1\nktx1,1,0,.,.,.,.,14.8,32,0,1\nktx1,3,0,.,.,.,.,16.9,32,0,1\nktx1,12,0,.,.,.,.,6.1,32,0,1\n',
  );
  const a = await fit('--model', 'tacrolimus/woillard2011-prograf', '--data', data);
  const b = await fit(
    '--model',
    'tacrolimus/woillard2011-prograf',
    '--data',
    join(REPO, 'examples/tacrolimus-lss.csv'),
  );
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stderr, /^note: SEX: 0 = male, 1 = female$/m);
  const [la, lb] = [a, b].map((x) => JSON.parse(x.stdout.trim()) as FitLine);
  assert.deepEqual(la.units, { dose: 'ug', time: 'h', conc: 'ug/L' });
  assert.deepEqual(la.eta, lb.eta, 'the same patient in other units: the same fit');
  assert.deepEqual(la.exposure, lb.exposure);
  assert.deepEqual([la.exposure[0].from, la.exposure[0].to, la.exposure[0].levels], [0, 12, 3]);
  assert.equal(la.parameters.HCT, 32);
});

test('fit: the same lines (stdout byte for byte) and warnings on 1 thread, on 3 (the main one and 2 workers) and with the threads chosen by the work', async () => {
  const { data } = fixture(30);
  const one = await fit('--model', MODEL, '--data', data, '--threads', '1');
  const three = await fit('--model', MODEL, '--data', data, '--threads', '3');
  const chosen = await fit('--model', MODEL, '--data', data);
  for (const r of [one, three, chosen]) assert.equal(r.code, 0, r.stderr);
  assert.equal(one.stdout.trim().split('\n').length, 30);
  assert.equal(three.stdout, one.stdout);
  assert.equal(chosen.stdout, one.stdout);
  const sorted = (s: string): string => s.trim().split('\n').sort().join('\n');
  assert.equal(sorted(three.stderr), sorted(one.stderr));
  assert.equal(chosen.stderr, one.stderr);
});

test('fit: threads chosen by the work: none added for 600 one-compartment patients at 1.2 ms each (the pace on a loaded machine, about 0.6 s left after the probe), one per second left, at most the cores', () => {
  // The probe: 300 ms of CPU on the main thread, about 100 patients done.
  assert.equal(workersWorthStarting(1.2, 500, 2), 0);
  assert.equal(workersWorthStarting(0.5, 1900, 2), 0, '0.95 s left: under two worker starts');
  assert.equal(workersWorthStarting(0.5, 2000, 2), 1, '1 s left');
  // ODE fits at 10 ms each, 570 left: 5.7 s; 2 cores → 1 worker, 8 cores → 5, 16 cores → 5.
  assert.equal(workersWorthStarting(10, 570, 2), 1);
  assert.equal(workersWorthStarting(10, 570, 8), 5);
  assert.equal(workersWorthStarting(10, 570, 16), 5);
  assert.equal(workersWorthStarting(10, 0, 8), 0, 'all done');
  assert.equal(workersWorthStarting(10, 570, 1), 0, 'one core');
});
