// Every command that reads patients takes a library id or a model file and reads the units of a
// CSV header when they are there; SEX is read as 0 = male, 1 = female, any other value is an error
// naming the column and the line (exit 2). Run as a user runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dosetwin, REPO } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'dosetwin-data-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
/** examples/vancomycin-two-levels.csv (model units: h, mg, mg/L) in minutes, grams and µg/mL. */
const CONVERTED = file(
  'vanco-units.csv',
  'ID,TIME (min),EVID,AMT (g),RATE (g/min),DV (ug/mL),WT (kg),CRCL (mL/min),DIAL,SEX\n' +
    'icu1,0,1,1.5,0.025,.,82,65,0,0\n' +
    'icu1,720,1,1,0.016666666666666666,.,82,65,0,0\n' +
    'icu1,810,0,.,.,31.5,82,65,0,0\n' +
    'icu1,1410,0,.,.,14.2,82,65,0,0\n' +
    'icu1,1440,1,1,0.016666666666666666,.,82,65,0,0\n',
);
const MODEL_UNITS = join(REPO, 'examples/vancomycin-two-levels.csv');
const ID = 'vancomycin/goti2018';

test('simulate --model ID: a header with units (min, g, µg/mL) gives the PRED of the file in the model’s units (rel 1e-12), times in h', () => {
  const a = dosetwin('simulate', '--model', ID, '--data', CONVERTED);
  const b = dosetwin('simulate', '--model', ID, '--data', MODEL_UNITS);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const rows = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: number; pred: number });
  const [ra, rb] = [rows(a.stdout), rows(b.stdout)];
  assert.deepEqual(
    ra.map((r) => r.time),
    [13.5, 23.5],
  );
  ra.forEach((r, i) => assert.ok(Math.abs(r.pred / rb[i].pred - 1) < 1e-12, `PRED at ${r.time}`));
  assert.match(a.stderr, /^note: SEX: 0 = male, 1 = female$/m);
});

test('forecast and recommend --model ID read the units of the header: the same twin as in model units; the SEX coding is a note', () => {
  const args = ['--window', '12..24', '--samples', '0', '--format', 'json'];
  const fa = dosetwin('forecast', '--model', ID, '--data', CONVERTED, ...args);
  const fb = dosetwin('forecast', '--model', ID, '--data', MODEL_UNITS, ...args);
  assert.equal(fa.code, 0, fa.stderr);
  const [ja, jb] = [JSON.parse(fa.stdout), JSON.parse(fb.stdout)];
  assert.ok(Math.abs(ja.windows[0].metrics.auc.individual / jb.windows[0].metrics.auc.individual - 1) < 1e-9);
  // The SEX coding, then each amount's and level's conversion to the model's units.
  assert.equal(ja.notes[0], 'SEX: 0 = male, 1 = female');
  assert.ok(ja.notes.includes('1.5 g → 1500 mg'), ja.notes.join('; '));
  assert.deepEqual(jb.notes, []);
  const rec = ['--target', 'auc24=400..600', '--interval', '12', '--duration', '1', '--samples', '0'];
  const ra = dosetwin('recommend', '--model', ID, '--data', CONVERTED, ...rec, '--format', 'text');
  const rb = dosetwin('recommend', '--model', ID, '--data', MODEL_UNITS, ...rec, '--format', 'text');
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(ra.stdout.split('\n')[1], rb.stdout.split('\n')[1], 'the same first candidate');
  assert.match(ra.stdout, /^ {2}note: SEX: 0 = male, 1 = female$/m);
});

test('SEX other than 0/1 (1 = male, 2 = female coding): every command that reads data stops with the column and the line (exit 2)', () => {
  const units = file(
    'sex-units.csv',
    'ID,TIME (h),EVID,AMT (mg),RATE (mg/h),DV (mg/L),WT (kg),SCR (mg/dL),AGE (y),SEX,DIAL\n' +
      'p1,0,1,1000,1000,.,80,1,60,1,0\n' +
      'p1,11,0,.,.,15,80,1,60,2,0\n',
  );
  const nonmem = file(
    'sex-nonmem.csv',
    'ID,TIME,EVID,AMT,RATE,CMT,DV,WT,CRCL,DIAL,SEX\np1,0,1,1000,1000,1,.,80,90,0,1\np1,11,0,0,0,1,15,80,90,0,2\n',
  );
  const runs: [string, string[]][] = [
    ['simulate', ['simulate', '--model', ID, '--data', nonmem]],
    ['simulate (units)', ['simulate', '--model', ID, '--data', units]],
    ['fit', ['fit', '--model', ID, '--data', units]],
    ['forecast', ['forecast', '--model', ID, '--data', units, '--window', '0..12']],
    ['recommend', ['recommend', '--model', ID, '--data', nonmem, '--target', 'auc24=400..600']],
    ['fit --drug', ['fit', '--drug', 'vancomycin', '--data', units]],
    [
      'recommend --drug',
      ['recommend', '--drug', 'vancomycin', '--data', units, '--target', 'auc24=400..600'],
    ],
  ];
  for (const [what, args] of runs) {
    const r = dosetwin(...args);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /sex-(units|nonmem)\.csv:3 error DT_DATA \[SEX\] column SEX, line 3: '2' is not one of 0, 1 — hint: SEX: 0 = male, 1 = female/,
      what,
    );
    assert.equal(r.stdout, '', what);
  }
});

test('help: --model takes a file or a library id, and the data columns state the SEX coding', () => {
  for (const cmd of ['simulate', 'fit', 'forecast', 'recommend']) {
    const h = dosetwin(cmd, '--help');
    const text = h.stdout.replace(/\s+/g, ' ');
    assert.match(
      text,
      /--model <file\|id> model file \(\.dtm, NONMEM control stream \.mod\/\.ctl\) or library id/,
      cmd,
    );
    assert.match(text, /units in the header \(TIME \(h\), AMT \(mg\), DV \(mg\/L\), WT \(kg\)/, cmd);
    assert.match(text, /SEX: 0 = male, 1 = female: any other value is an error/, cmd);
  }
});

test('a missing model file is named as a file, an unknown id as a library model (exit 2)', () => {
  const f = dosetwin('simulate', '--model', join(dir, 'nope.dtm'), '--data', MODEL_UNITS);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /DT_FILE \[model\] model file '.*nope\.dtm' does not exist/);
  const i = dosetwin('fit', '--model', 'vancomycin/nobody2020', '--data', MODEL_UNITS);
  assert.equal(i.code, 2);
  assert.match(
    i.stderr,
    /DT_MODEL_UNKNOWN \[model\] no library model 'vancomycin\/nobody2020' — hint: vancomycin models: /,
  );
});

test('check --model ID: a library model is summarised like a file', () => {
  const r = dosetwin('check', '--model', 'amikacin/delattre2010');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^amikacin\/delattre2010 1\.0\.0 {2}amikacin\n/);
  assert.match(r.stdout, /^ {2}solver: closed form \(two_cmt\)$/m);
});
