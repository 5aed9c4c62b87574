// dosetwin ml (issue 8): reproducibility of training (acceptance 3) and the predict command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DosetwinError,
  estimateMap,
  parseDataset,
  predictLnAuc,
  scoreEstimator,
  splitIndices,
  type TrainingRecipe,
} from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';
import { loadEstimator, mapBesideEstimator, readCovariateTable, trainArtefact } from './ml.ts';
import { runTasks, simulateTasks, trainingData } from './ml-pipeline.ts';
import { ML_PRESETS as PRESETS } from '@dosetwin/models';
import type { VirtualPatient } from '@dosetwin/engine';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

const preset = PRESETS['vancomycin-adult'];
const recipe: TrainingRecipe = {
  n: 240,
  seed: 11,
  split: { train: 0.7, validation: 0.1, test: 0.2 },
  folds: 2,
  grid: {
    maxDepth: [2, 3],
    learningRate: [0.1],
    minChildWeight: [5],
    nTreesMax: 30,
    lambda: 1,
    gamma: 0,
    subsample: 0.8,
    colsample: 0.8,
  },
  ridgeLambda: 1e-3,
};
const options = {
  preset,
  models: ['vancomycin/goti2018', 'vancomycin/thomson2009'],
  design: preset.design,
  recipe,
};

test('acceptance 3: retraining with the same seed gives the same artefact bit for bit, on 1 or 2 threads', async () => {
  const a = await trainArtefact({ ...options, threads: 1 });
  const b = await trainArtefact({ ...options, threads: 1 });
  const c = await trainArtefact({ ...options, threads: 2 });
  const ja = JSON.stringify(a);
  assert.equal(JSON.stringify(b), ja);
  assert.equal(JSON.stringify(c), ja);
  // And the predictions on the held-out patients are identical numbers (not merely close).
  const sims = (await runTasks(
    { preset: preset.name, design: preset.design, seed: recipe.seed, models: options.models },
    simulateTasks('train', 0, recipe.n),
    1,
    'simulate',
  )) as VirtualPatient[][];
  const data = trainingData(preset, sims.flat());
  for (const i of splitIndices(recipe).test)
    assert.equal(predictLnAuc(a, data.rows[i]).ln, predictLnAuc(c, data.rows[i]).ln);
  // A different seed gives a different estimator.
  const d = await trainArtefact({ ...options, recipe: { ...recipe, seed: 12 }, threads: 1 });
  assert.notEqual(JSON.stringify(d.gbdt), JSON.stringify(a.gbdt));
  // The recorded check reproduces.
  assert.equal(scoreEstimator(a, a.check.input).auc, a.check.auc);
});

test('ml predict: units converted at the edge (g vs mg, ug/mL vs mg/L give the same AUC); missing covariate named', async () => {
  const est = await trainArtefact({
    ...options,
    recipe: { ...recipe, grid: { ...recipe.grid, maxDepth: [2] } },
    threads: 1,
  });
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-ml-'));
  const file = join(dir, 'est.json');
  writeFileSync(file, JSON.stringify(est));
  const run = (...args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [BIN, 'ml', 'predict', '--estimator', file, ...args], {
      encoding: 'utf8',
      cwd: REPO,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const a = run(
    '--conc',
    '32,14',
    '--times',
    '2.05,11.9',
    '--dose',
    '1000mg',
    '--cov',
    'WT=80',
    '--cov',
    'CRCL=70',
    '--format',
    'json',
  );
  assert.equal(a.code, 0, a.stderr);
  const b = run(
    '--conc',
    '32,14',
    '--unit',
    'ug/mL',
    '--times',
    '2.05,11.9',
    '--dose',
    '1g',
    '--cov',
    'WT=80',
    '--cov',
    'CRCL=70',
    '--format',
    'json',
  );
  assert.equal(b.code, 0, b.stderr);
  const ja = JSON.parse(a.stdout);
  const jb = JSON.parse(b.stdout);
  assert.equal(jb.auc, ja.auc);
  assert.equal(ja.unit, 'mg*h/L');
  const direct = scoreEstimator(est, {
    samples: [
      { timeH: 2.05, conc: 32 },
      { timeH: 11.9, conc: 14 },
    ],
    dose: 1000,
    covariates: { WT: 80, CRCL: 70 },
  });
  assert.equal(ja.auc, direct.auc);
  const c = run('--conc', '32,14', '--dose', '1000mg', '--cov', 'WT=80');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /DT_ML_INPUT \[covariates.CRCL\] CRCL .* is required/);
});

test('--covariates table: patients resampled from its rows (every weight is a table weight); missing column named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-ml-'));
  const file = join(dir, 'cov.csv');
  writeFileSync(file, 'ID,SEX,AGE,HT,WT,SCR\n1,0,45,180,91,0.9\n2,1,70,160,58,1.4\n3,0,30,175,77,0.7\n');
  const population = readCovariateTable(file, preset);
  assert.equal(population.kind, 'table');
  const sims = (await runTasks(
    { preset: preset.name, design: preset.design, seed: 3, models: options.models, population },
    simulateTasks('train', 0, 60),
    1,
    'simulate',
  )) as VirtualPatient[][];
  const wts = new Set(sims.flat().map((v) => v.clinical.WT));
  assert.deepEqual([...wts].sort(), [58, 77, 91]);
  writeFileSync(file, 'SEX,AGE,HT,SCR\n0,45,180,0.9\n');
  assert.throws(() => readCovariateTable(file, preset), /lacks column\(s\) WT \(kg\)/);
});

test('ml predict: the MAP estimate beside the ML one is the steady-state AUC Dose/CL at the mode of an independent fit', async () => {
  // The shipped vancomycin estimator (Goti 2018 + Thomson 2009). With weight and CrCL only, Goti's
  // covariates (age, creatinine) do not follow, so MAP uses Thomson 2009. Independent route: the
  // same patient written as a NONMEM dataset (SS infusion, II 12 h, samples 2 h and 12 h after the
  // next dose), fitted by estimateMap; at steady state AUC0–τ = Dose/CL for a linear model, with
  // CL = 2.99·(1 + 0.0154·(CrCL − 66))·exp(η_CL) (Thomson 2009, Table 2).
  const est = loadEstimator('vancomycin-goti2018+thomson2009-2-12h');
  const r = mapBesideEstimator(est, { WT: 80, CRCL: 70 }, { timesH: [2, 12], conc: [30, 15], dose: 1000 });
  assert.equal(r.model, 'vancomycin/thomson2009');
  assert.equal(r.converged, true);
  const model = getModel('vancomycin/thomson2009').compiled();
  const csv = [
    'ID,TIME,AMT,RATE,II,SS,EVID,MDV,DV,WT,CRCL',
    '1,0,1000,1000,12,1,1,1,.,80,70',
    '1,12,1000,1000,0,0,1,1,.,80,70',
    '1,14,.,.,.,.,0,0,30,80,70',
    '1,24,.,.,.,.,0,0,15,80,70',
  ].join('\n');
  const fit = estimateMap(model, parseDataset(csv, model.ir, 'inline').patients[0]);
  const cl = 2.99 * (1 + 0.0154 * (70 - 66)) * Math.exp(fit.eta[fit.etaNames.indexOf('eta_CL')]);
  // Both fits converge to the same mode (optimiser tolerance ~1e-8 on η): 1e-6 relative.
  assert.ok(Math.abs(r.auc / (1000 / cl) - 1) < 1e-6, `${r.auc} vs ${1000 / cl}`);
  // With age, sex and creatinine given, Goti 2018 (the first training model) is fitted instead.
  const g = mapBesideEstimator(
    est,
    { WT: 80, CRCL: 70, AGE: 70, SEX: 0, SCR: 1.1 },
    { timesH: [2, 12], conc: [30, 15], dose: 1000 },
  );
  assert.equal(g.model, 'vancomycin/goti2018');
  // A tacrolimus estimator without haematocrit: the error names what the model needs.
  const tac = loadEstimator('tacrolimus-woillard2011-prograf-0-1-3h');
  assert.throws(
    () => mapBesideEstimator(tac, { CYP3A5: 0 }, { timesH: [0, 1, 3], conc: [8, 25, 16], dose: 4000 }),
    (e: DosetwinError) => e.issues[0].field === '--cov' && /needs HCT/.test(e.issues[0].message),
  );
});

test('ml predict --data: every row scored in one process, each line = the one-patient command’s output with its id (identical numbers); header units converted, empty times nominal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-ml-'));
  const est = 'vancomycin-goti2018+thomson2009-2-12h';
  const run = (...args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [BIN, 'ml', 'predict', '--estimator', est, ...args], {
      encoding: 'utf8',
      cwd: REPO,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const data = join(dir, 'patients.csv');
  writeFileSync(
    data,
    'ID,DOSE (g),C1 (mg/L),C2 (mg/L),T1 (h),T2 (h),WT (kg),CRCL (mL/min)\n' +
      'a,1,32,14,2.05,11.9,80,70\n' +
      'b,1.5,41,19,,,95,55\n' +
      'c,0.75,25,8,2.1,,62,100\n',
  );
  const many = run('--data', data, '--format', 'json');
  assert.equal(many.code, 0, many.stderr);
  const lines = many.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => l.id),
    ['a', 'b', 'c'],
  );
  const one = [
    ['--conc', '32,14', '--times', '2.05,11.9', '--dose', '1000mg', '--cov', 'WT=80', '--cov', 'CRCL=70'],
    ['--conc', '41,19', '--dose', '1500mg', '--cov', 'WT=95', '--cov', 'CRCL=55'],
    ['--conc', '25,8', '--times', '2.1,12', '--dose', '750mg', '--cov', 'WT=62', '--cov', 'CRCL=100'],
  ].map((args) => run(...args, '--format', 'json'));
  one.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    const { id: _id, notes: batchNotes, ...batch } = lines[i];
    const { notes, ...single } = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(batch, single, `patient ${lines[i].id}: same estimate and MAP`);
    // The same numbers; the batch states the dose conversion from its header (g → mg).
    assert.deepEqual(notes, []);
    assert.deepEqual(batchNotes, [`dose: ${[1, 1.5, 0.75][i]} g → ${[1000, 1500, 750][i]} mg`]);
  });
  const text = run('--data', data, '--no-map');
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(
    text.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(':')[0]),
    ['a', 'b', 'c'],
  );
  assert.match(text.stdout, /^a: vancomycin-goti2018\+thomson2009-2-12h: .* mg\*h\/L \(linear baseline /);
});

test('ml predict --data: a bad cell, a missing unit, SEX not 0/1 or a missing covariate name the column and the line; --conc with --data is refused (exit 2, nothing on stdout)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-ml-'));
  const est = 'vancomycin-goti2018+thomson2009-2-12h';
  const run = (text: string, ...args: string[]): { code: number; stdout: string; stderr: string } => {
    const data = join(dir, 'p.csv');
    writeFileSync(data, text);
    const r = spawnSync(
      process.execPath,
      [BIN, 'ml', 'predict', '--estimator', est, '--data', data, '--no-map', ...args],
      { encoding: 'utf8', cwd: REPO },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const head = 'ID,DOSE (mg),C1,C2,WT (kg),CRCL (mL/min)\n';
  const cases: [string, RegExp][] = [
    [
      head + 'a,1000,32,14,80,70\nb,1000,30,abc,80,70\n',
      /p\.csv:3 error DT_DATA \[C2\] C2 'abc' is not a number/,
    ],
    [
      'ID,DOSE,C1,C2,WT (kg),CRCL (mL/min)\na,1000,32,14,80,70\n',
      /p\.csv:1 error DT_DATA \[DOSE\] column DOSE has no unit/,
    ],
    [
      'ID,DOSE (mg),C1,WT (kg),CRCL (mL/min)\na,1000,32,80,70\n',
      /p\.csv:1 error DT_DATA \[C2\] missing column C2/,
    ],
    [
      head.replace('\n', ',SEX\n') + 'a,1000,32,14,80,70,0\nb,1000,32,14,80,70,2\n',
      /p\.csv:3 error DT_DATA \[SEX\] column SEX, line 3: '2' is not one of 0, 1/,
    ],
    [
      'ID,DOSE (mg),C1,C2,WT (kg)\na,1000,32,14,80\n',
      /p\.csv:2 error DT_ML_INPUT \[covariates\.CRCL\] patient a: CRCL .* is required/,
    ],
  ];
  for (const [text, re] of cases) {
    const r = run(text);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  const both = run(head + 'a,1000,32,14,80,70\n', '--conc', '1,2');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /DT_ARG \[--conc\] --conc is read from --data's columns/);
});
