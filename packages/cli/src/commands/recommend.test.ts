// dosetwin recommend end to end: loading dose search, time of the next dose, several targets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');
const DATA = join(REPO, 'examples/vancomycin-two-levels.csv');

function dosetwin(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('recommend --start-when-below: the MAP level at the proposed time is the threshold (forecast, rel 1e-8); loading doses administrable', () => {
  const r = dosetwin(
    'recommend',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--target',
    'auc24=400..600',
    '--target',
    'trough<=20',
    '--interval',
    '12',
    '--duration',
    '1',
    '--strengths',
    '250,500',
    '--loading-target',
    'auc24=500..600',
    '--max-loading-dose',
    '2500',
    '--start-when-below',
    '15 mg/L',
    '--samples',
    '20',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.nextDose.threshold, 15);
  assert.ok(out.nextDose.time > 24, 'after the last record');
  assert.ok(out.nextDose.probabilityBelow >= 0 && out.nextDose.probabilityBelow <= 1);
  assert.deepEqual(out.targets, ['auc24=400..600', 'trough<=20']);
  for (const c of out.candidates) {
    assert.equal(c.start, out.nextDose.time);
    assert.equal(c.loading.dose % 250, 0, `loading ${c.loading.dose}`);
    assert.ok(c.loading.dose === 0 || (c.loading.dose >= c.dose && c.loading.dose <= 2500));
    assert.equal(c.loadingDose, c.loading.dose);
    assert.equal(Object.keys(c.metrics).join(), 'auc24,trough');
  }
  // The individual (MAP) forecast at that time, with no new dose before it, is 15 mg/L.
  const t = out.nextDose.time;
  const f = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--regimen',
    `1000 mg q12h over 1 h from ${t}`,
    '--times',
    String(t),
    '--samples',
    '0',
    '--format',
    'csv',
  );
  assert.equal(f.code, 0, f.stderr);
  const c = Number(f.stdout.trim().split('\n')[1].split(',')[2]);
  assert.ok(Math.abs(c - 15) / 15 < 1e-8, `C(${t}) = ${c}`);
});

test('recommend: bad horizon and conflicting start options are argument errors (exit 2)', () => {
  const base = ['recommend', '--model', 'vancomycin/goti2018', '--data', DATA, '--target', 'auc24=400..600'];
  const a = dosetwin(...base, '--horizon', 'forever');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--horizon.*'forever' is not steady-state or first-interval/);
  const b = dosetwin(...base, '--start', '30', '--start-when-below', '15');
  assert.equal(b.code, 2);
  assert.match(b.stderr, /give either --start or --start-when-below/);
  const c = dosetwin(...base, '--start', '30,36', '--samples', '0');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /first-interval horizon/);
});
