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
