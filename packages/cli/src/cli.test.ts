// The dosetwin command end to end (issue 2, acceptance 3), run as a user runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { dosetwin, REPO } from './test-support.ts';

const BENCH = resolve(REPO, '../shared/reference/map-benchmark');
const MODELS = join(REPO, 'packages/engine/test-models/map-benchmark');

test('simulate: JSON lines with NONMEM PRED/IPRED for run001 patient 1 (rel 1e-6)', () => {
  const r = dosetwin(
    'simulate',
    '--model',
    join(MODELS, 'run001.dtm'),
    '--data',
    join(BENCH, 'run001/data.csv'),
    '--etas',
    join(BENCH, 'run001/nonmem_eta.csv'),
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1250, 'one row per observation record');
  const first = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(first), ['id', 'time', 'cmt', 'pred', 'ipred']);
  assert.equal(first.id, '1');
  assert.equal(first.time, 1.5);
  assert.equal(first.cmt, 2);
  // NONMEM (nonmem_pred.csv): PRED 105.261557, IPRED 92.8022217
  assert.ok(Math.abs(first.pred - 105.261557) / 105.261557 < 1e-6);
  assert.ok(Math.abs(first.ipred - 92.8022217) / 92.8022217 < 1e-6);
});

test('simulate --times --format csv: grid rows per ID and output (2 outputs × 5 times)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-'));
  const data = join(dir, 'one.csv');
  writeFileSync(data, 'ID,TIME,EVID,AMT,CMT,DV\n7,0,1,10000,1,.\n');
  const r = dosetwin(
    'simulate',
    '--model',
    join(MODELS, 'run401.dtm'),
    '--data',
    data,
    '--times',
    '0:12:48',
    '--format',
    'csv',
  );
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.equal(rows[0], 'id,time,cmt,pred');
  assert.equal(rows.length, 11);
  // Parent at 12 h, typical values: 1-cpt oral Bateman, D 10000 mg, KA 1, k 4/70, V 70:
  const k = 4 / 70;
  const c12 = ((10000 * 1) / (70 * (1 - k))) * (Math.exp(-k * 12) - Math.exp(-12));
  const [, t, cmt, pred] = rows[2].split(',');
  assert.equal(Number(t), 12);
  assert.equal(Number(cmt), 2);
  assert.ok(Math.abs(Number(pred) - c12) / c12 < 1e-12);
});

test('bad data: the message names the file, the line and the field; exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-'));
  const data = join(dir, 'bad.csv');
  writeFileSync(data, 'ID,TIME,EVID,AMT,CMT,DV\n1,0,1,100,1,.\n1,abc,0,0,2,5\n1,3,7,0,9,5\n');
  const r = dosetwin('simulate', '--model', join(MODELS, 'run001.dtm'), '--data', data);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.csv:3 error DT_DATA \[TIME\] TIME 'abc' is not a number/);
  assert.match(r.stderr, /bad\.csv:4 error DT_DATA \[EVID\] EVID 7 is not one of 0, 1, 2, 3, 4/);
  assert.match(r.stderr, /bad\.csv:4 error DT_DATA \[CMT\] CMT 9 does not exist/);
  assert.equal(r.stdout, '');
});

test('bad model: file:line:col and the problem; missing file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-'));
  const model = join(dir, 'm.dtm');
  writeFileSync(
    model,
    'model t/m\nunits dose mg | time h | conc mg/L\nequations\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n',
  );
  const r = dosetwin('check', '--model', model);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /m\.dtm:4:8 error DT_MODEL_SEMANTIC \[equations\] 'central' is not defined/);
  const missing = dosetwin('check', '--model', join(dir, 'nope.dtm'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /model file '.*nope\.dtm' does not exist/);
});

test('recommend: vancomycin with two levels (MAP) and a priori; candidates are administrable and ranked in range', () => {
  const data = join(REPO, 'examples/vancomycin-two-levels.csv');
  const args = ['recommend', '--model', 'vancomycin/goti2018', '--target', 'auc24=400..600'];
  const r = dosetwin(
    ...args,
    '--data',
    data,
    '--interval',
    '12,24',
    '--duration',
    '1',
    '--strengths',
    '250,500',
    '--samples',
    '0',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.method, 'a posteriori (MAP)');
  assert.equal(out.converged, true);
  const best = out.candidates[0];
  assert.ok(best.metrics.auc24 >= 400 && best.metrics.auc24 <= 600, `AUC24 ${best.metrics.auc24}`);
  for (const c of out.candidates) {
    assert.ok([12, 24].includes(c.interval));
    assert.equal(c.dose % 250, 0, `dose ${c.dose} is a sum of 250/500 mg vials`);
  }
  // A priori (no level): the typical patient, and PTA over prior draws.
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-'));
  const prior = join(dir, 'prior.csv');
  writeFileSync(prior, 'ID,TIME,EVID,AMT,RATE,CMT,DV,WT,CRCL,DIAL\nnew,0,2,0,0,1,.,70,120,0\n');
  const a = dosetwin(...args, '--data', prior, '--interval', '12', '--duration', '1', '--samples', '50');
  assert.equal(a.code, 0, a.stderr);
  const ap = JSON.parse(a.stdout.trim());
  assert.equal(ap.method, 'a priori (typical patient)');
  // Typical CL for CrCL 120 mL/min, no dialysis = 4.5 L/h (Goti 2018 Table 2): AUC24 = 2·dose/4.5.
  const c0 = ap.candidates[0];
  assert.ok(Math.abs(c0.metrics.auc24 - (2 * c0.dose) / 4.5) / c0.metrics.auc24 < 1e-6);
  assert.equal(ap.posteriorDraws, 50);
  assert.ok(c0.pta.all >= 0 && c0.pta.all <= 1);
});
