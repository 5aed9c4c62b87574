// `dosetwin popfit` as a user runs it: one JSON object with the declared names, the FOCE-I
// theophylline fit of the engine (nlmixr2: OFV 116.80, ka 1.59, CL 2.75, V 31.8, SD 0.693), and
// argument errors with exit code 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dosetwin } from '../test-support.ts';

const F = 'packages/engine/src/population/fixtures';
const args = ['popfit', '--model', `${F}/theophylline.dtm`, '--data', `${F}/theo_sd.csv`];

test('popfit --method focei prints one object with the model’s names; OFV within 0.5 of 116.80, θ within 2 % of nlmixr2', () => {
  const r = dosetwin(...args, '--method', 'focei', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0]);
  for (const k of [
    'method',
    'ofv',
    'theta',
    'omega',
    'sigma',
    'se',
    'shrinkage',
    'converged',
    'iterations',
    'seconds',
  ])
    assert.ok(k in o, k);
  assert.equal(o.method, 'focei');
  assert.ok(Math.abs(o.ofv - 116.8) < 0.5, String(o.ofv));
  assert.deepEqual(Object.keys(o.theta), ['TVKA', 'TVCL', 'TVV']);
  assert.deepEqual(o.omega.names, ['eta_KA', 'eta_CL', 'eta_V']);
  assert.deepEqual(Object.keys(o.sigma), ['CP.add']);
  assert.deepEqual(Object.keys(o.shrinkage), ['eta_KA', 'eta_CL', 'eta_V']);
  assert.ok(Math.abs(o.theta.TVCL / 2.75 - 1) < 0.02);
  assert.ok(Math.abs(o.theta.TVKA / 1.59 - 1) < 0.02);
  assert.ok(Math.abs(o.theta.TVV / 31.8 - 1) < 0.02);
  assert.ok(Math.abs(o.sigma['CP.add'] / 0.693 - 1) < 0.02);
  assert.equal(o.individuals.length, 12);
  assert.equal(o.converged, true);
  assert.ok(o.seconds > 0);
});

test('popfit refuses an unknown method and a model SAEM cannot fit, naming the field (exit 2)', () => {
  const r = dosetwin(...args, '--method', 'fo');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DT_ARG \[--method\] 'fo' is not focei or saem/);
  assert.equal(r.stdout, '');
  const s = dosetwin(...args, '--method', 'saem', '--fixed', 'TVKA, NOPE');
  assert.equal(s.code, 2);
  assert.match(s.stderr, /DT_ARG \[fixed\] 'NOPE' is not a parameter of the model/);
});

test('popfit --report DIR writes the goodness-of-fit plots, the VPCs and diagnostics.csv (132 observations, PRED 0 at the dose time)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'popfit-report-'));
  const r = dosetwin(...args, '--method', 'focei', '--no-covariance', '--report', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), [
    'cwres-pred.svg',
    'cwres-time.svg',
    'diagnostics.csv',
    'dv-ipred.svg',
    'dv-pred.svg',
    'pcvpc.svg',
    'vpc.svg',
  ]);
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.svg'))) {
    const t = readFileSync(join(dir, f), 'utf8');
    assert.match(t, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(!/NaN|undefined/.test(t), f);
  }
  const csv = readFileSync(join(dir, 'diagnostics.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'ID,TIME,DV,PRED,IPRED,IWRES,CWRES,BLQ');
  assert.equal(csv.length, 133);
  assert.equal(csv[1].split(',')[3], '0');
  assert.equal(JSON.parse(r.stdout).se && Object.keys(JSON.parse(r.stdout).se).length, 0);
});

test('popfit on 1 and 2 threads prints the same object to the last bit (but seconds), the covariance step included; --threads 0 is refused', () => {
  const one = dosetwin(...args, '--method', 'focei', '--threads', '1', '--format', 'json');
  const two = dosetwin(...args, '--method', 'focei', '--threads', '2', '--format', 'json');
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const a = JSON.parse(one.stdout);
  const b = JSON.parse(two.stdout);
  delete a.seconds;
  delete b.seconds;
  assert.deepEqual(b, a);
  assert.equal(Object.keys(a.se).length, 7);
  assert.ok(Math.abs(a.ofv - 116.8) < 0.5, String(a.ofv));
  const z = dosetwin(...args, '--method', 'focei', '--threads', '0');
  assert.equal(z.code, 2);
  assert.match(z.stderr, /DT_ARG \[--threads\] '0' is not a positive integer/);
});

test('popfit --covariance-method r: SEs from R⁻¹ (not the sandwich), and each ci95 of a variance is exp(ln ω² ± 1.96·SE/ω²)', () => {
  const s = JSON.parse(dosetwin(...args, '--method', 'focei', '--threads', '1', '--format', 'json').stdout);
  const r = dosetwin(...args, '--method', 'focei', '--threads', '1', '--covariance-method', 'r');
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.covarianceMethod, 'r');
  assert.equal(s.covarianceMethod, 'sandwich');
  assert.equal(o.ofv, s.ofv);
  assert.notEqual(o.se['omega(eta_V)'], s.se['omega(eta_V)']);
  for (const [k, name] of ['eta_KA', 'eta_CL', 'eta_V'].entries()) {
    const w = o.omega.matrix[k][k];
    const se = o.se[`omega(${name})`];
    const [lo, hi] = o.ci95[`omega(${name})`];
    assert.ok(Math.abs(lo - w * Math.exp((-1.96 * se) / w)) < 1e-12 * w);
    assert.ok(Math.abs(hi - w * Math.exp((1.96 * se) / w)) < 1e-12 * w);
  }
  const bad = dosetwin(...args, '--method', 'focei', '--covariance-method', 's');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /DT_ARG \[--covariance-method\] 's' is not sandwich or r/);
});
