// `dosetwin popfit --method saem` with SAEM's E-step over 1 and 3 threads: the same printed object
// to the last bit (but seconds), within 2 % of nlmixr2's SAEM on theo_sd (ka 1.58, CL 2.74, V 31.6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dosetwin } from '../test-support.ts';

const F = 'packages/engine/src/population/fixtures';
const args = ['popfit', '--model', `${F}/theophylline.dtm`, '--data', `${F}/theo_sd.csv`, '--method', 'saem'];

test('popfit --method saem on 1 and 3 threads prints the same object to the last bit; θ within 2 % of nlmixr2 SAEM', () => {
  const one = dosetwin(...args, '--threads', '1', '--no-covariance', '--format', 'json');
  const three = dosetwin(...args, '--threads', '3', '--no-covariance', '--format', 'json');
  assert.equal(one.code, 0, one.stderr);
  assert.equal(three.code, 0, three.stderr);
  const a = JSON.parse(one.stdout);
  const b = JSON.parse(three.stdout);
  delete a.seconds;
  delete b.seconds;
  assert.deepEqual(b, a);
  assert.ok(Math.abs(a.theta.TVKA / 1.58 - 1) < 0.02, String(a.theta.TVKA));
  assert.ok(Math.abs(a.theta.TVCL / 2.74 - 1) < 0.02, String(a.theta.TVCL));
  assert.ok(Math.abs(a.theta.TVV / 31.6 - 1) < 0.02, String(a.theta.TVV));
  assert.equal(a.seed, 1);
});
