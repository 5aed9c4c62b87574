// dosetwin forecast end to end (issue 4): run as a user runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dosetwin, REPO } from '../test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'dosetwin-forecast-'));
const prior = join(dir, 'prior.csv');
writeFileSync(prior, 'ID,TIME,EVID,AMT,RATE,CMT,DV,WT,CRCL,DIAL\nnew,0,2,0,0,1,.,70,120,0\n');

test('forecast a priori: typical vancomycin patient, steady-state AUC24 = 2·dose/CL (rel 1e-9), bands ordered', () => {
  const r = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    prior,
    '--regimen',
    '1000 mg q12h over 1 h from 0',
    '--samples',
    '40',
    '--window',
    '0..48',
  );
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout.trim());
  assert.equal(f.method, 'a priori (typical patient)');
  assert.equal(f.posteriorDraws, 40);
  assert.deepEqual(f.regimen, { start: 0, dose: 1000, interval: 12, duration: 1, count: 5 });
  // Goti 2018 typical CL at CrCL 120 mL/min, no dialysis: 4.5 L/h (Table 2) → AUC24,ss = 2000/4.5.
  const ss = f.windows.find((w: { label: string }) => w.label === 'steady-state 24 h');
  assert.ok(
    Math.abs(ss.metrics.auc.individual - 2000 / 4.5) / (2000 / 4.5) < 1e-9,
    `${ss.metrics.auc.individual}`,
  );
  assert.equal(
    ss.metrics.auc.individual,
    ss.metrics.auc.population,
    'a priori: the individual is the typical patient',
  );
  assert.ok(ss.metrics.auc.q[0] < ss.metrics.auc.q[1] && ss.metrics.auc.q[1] < ss.metrics.auc.q[2]);
  assert.equal(f.curve.length, 97);
  for (const c of f.curve.slice(1)) assert.ok(c.q[0] <= c.q[1] && c.q[1] <= c.q[2], `band at ${c.time}`);
  // AUC over any window: 0..48 is the curve's cumulative AUC at 48 h (the default grid ends there).
  const w = f.windows.find((x: { label: string }) => x.label === '0..48');
  assert.equal(f.curve[96].time, 48);
  assert.ok(Math.abs(w.metrics.auc.individual - f.curve[96].cumulativeAuc) / w.metrics.auc.individual < 1e-9);
  assert.ok(f.steadyState.intervals > 1 && f.steadyState.interval >= 2);
});

test('forecast a posteriori: CSV curve with bands; structured options; a bad regimen is a named error (exit 2)', () => {
  const data = join(REPO, 'examples/vancomycin-two-levels.csv');
  const r = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    data,
    '--dose',
    '1000',
    '--interval',
    '12',
    '--duration',
    '1',
    '--samples',
    '20',
    '--times',
    '36:6:60',
    '--format',
    'csv',
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'id,time,individual,population,q05,q50,q95,cumulative_auc');
  assert.deepEqual(
    lines.slice(1).map((l) => Number(l.split(',')[1])),
    [36, 42, 48, 54, 60],
  );
  // The start as a date-time, with the data's time zero: 2026-11-20T08:00 is t = 36 h.
  const clock = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    data,
    '--regimen',
    '1000 mg q12h x 1h from 2026-11-20T08:00',
    '--origin',
    '2026-11-18T20:00',
    '--samples',
    '0',
  );
  assert.equal(clock.code, 0, clock.stderr);
  assert.equal(JSON.parse(clock.stdout).regimen.start, 36);
  const bad = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    data,
    '--regimen',
    '1000 mg q12h over 13 h',
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /DT_REGIMEN \[regimen\.duration\] infusion duration 13 must be in 0\.\.12/);
});

/** A one-compartment IV bolus model: C(t) = D/V·e^{−CL/V·t}. */
const IV_MODEL = join(dir, 'iv.dtm');
writeFileSync(
  IV_MODEL,
  'model test/iv version 0.0.1\nunits dose mg | time h | conc mg/L\n' +
    'parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n' +
    'equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n' +
    'error\n  CP ~ prop(0.1)\n',
);

test('forecast --window without a regimen: the exposure of the doses given = the closed form at the MAP (rel 1e-9), with credible intervals; no regimen, no steady state', () => {
  const data = join(dir, 'iv.csv');
  writeFileSync(
    data,
    'ID,TIME,EVID,AMT,DV\np1,0,1,1000,.\np1,2,0,0,17\np1,10,0,0,9\np1,24,1,1000,.\np1,30,0,0,12\n',
  );
  const r = dosetwin(
    'forecast',
    '--model',
    IV_MODEL,
    '--data',
    data,
    '--window',
    '24..36',
    '--window',
    '0..24',
    '--samples',
    '50',
  );
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout.trim());
  assert.equal(f.method, 'a posteriori (MAP)');
  assert.equal(f.regimen, null);
  assert.equal(f.steadyState, null);
  assert.deepEqual(
    f.windows.map((w: { label: string }) => w.label),
    ['24..36', '0..24'],
  );
  const [cl, v] = [4 * Math.exp(f.eta[0]), 50 * Math.exp(f.eta[1])];
  const k = cl / v;
  // 24..36: both doses; 0..24: the first dose only (the bolus at 24 is after its end).
  const auc2 = (1000 / cl) * (Math.exp(-k * 24) - Math.exp(-k * 36) + 1 - Math.exp(-k * 12));
  const auc1 = (1000 / cl) * (1 - Math.exp(-k * 24));
  const [w2, w1] = f.windows;
  assert.ok(Math.abs(w2.metrics.auc.individual / auc2 - 1) < 1e-9, `${w2.metrics.auc.individual} vs ${auc2}`);
  assert.ok(Math.abs(w1.metrics.auc.individual / auc1 - 1) < 1e-9);
  assert.ok(
    Math.abs(w1.metrics.cmin.individual / ((1000 / v) * Math.exp(-k * 24)) - 1) < 1e-9,
    'trough before the 24-h dose',
  );
  assert.ok(Math.abs(w2.metrics.cmax.individual / ((1000 / v) * (1 + Math.exp(-k * 24))) - 1) < 1e-9);
  const q = w2.metrics.auc.q;
  assert.ok(q[0] < q[1] && q[1] < q[2]);
  assert.equal(f.posteriorDraws, 50);
  // The default curve spans the windows (0..36 h, 97 points).
  assert.deepEqual([f.curve[0].time, f.curve[96].time, f.curve.length], [0, 36, 97]);
  const t = dosetwin(
    'forecast',
    '--model',
    IV_MODEL,
    '--data',
    data,
    '--window',
    '24..36',
    '--format',
    'text',
    '--samples',
    '0',
  );
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stdout,
    /^p1: a posteriori \(MAP\); the doses given, no new regimen\n {2}24\.\.36 \(24\.\.36 h\): auc /,
  );
});

test('forecast --window of a sampled tacrolimus interval, no regimen: the occasion’s IOV in, the AUC that fit reports for the same interval (rel 1e-9)', () => {
  const data = join(REPO, 'examples/tacrolimus-lss.csv');
  const model = 'tacrolimus/woillard2011-prograf';
  const r = dosetwin('forecast', '--model', model, '--data', data, '--window', '0..12', '--samples', '20');
  const fit = dosetwin('fit', '--model', model, '--data', data);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fit.code, 0, fit.stderr);
  const auc = JSON.parse(r.stdout).windows[0].metrics.auc.individual;
  const e = JSON.parse(fit.stdout).exposure[0];
  assert.deepEqual([e.from, e.to], [0, 12]);
  assert.ok(Math.abs(auc / e.auc - 1) < 1e-9, `forecast ${auc} vs fit ${e.auc}`);
});

test('forecast with neither a regimen nor a window, or a regimen option without a regimen: an error naming the option (exit 2)', () => {
  const r = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    join(REPO, 'examples/vancomycin-two-levels.csv'),
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error DT_ARG \[--regimen\] no regimen and no window — hint: .*--window FROM\.\.TO/);
  assert.equal(r.stdout, '');
  const start = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    join(REPO, 'examples/vancomycin-two-levels.csv'),
    '--window',
    '0..12',
    '--start',
    '36',
  );
  assert.equal(start.code, 2);
  assert.match(start.stderr, /error DT_ARG \[--start\] --start applies to a new regimen/);
});
