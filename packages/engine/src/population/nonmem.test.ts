// Population fits of a NONMEM control stream: the same objective and estimates as the .dtm model
// of the same theophylline model, and $THETA bounds and FIX obeyed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseDataset } from '../events/dataset.ts';
import { loadModel } from '../model/load.ts';
import { fitFocei } from './fit.ts';

const here = new URL('./fixtures/', import.meta.url);
const CTL = readFileSync(new URL('theo.ctl', here), 'utf8');
const CSV = readFileSync(new URL('theo_sd.csv', here), 'utf8');
const fit = (ctl: string): ReturnType<typeof fitFocei> => {
  const m = loadModel(ctl, 'theo.ctl');
  return fitFocei(m, parseDataset(CSV, m.ir, 'theo_sd.csv').patients, { covariance: false });
};
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('FOCE-I on a control stream (theo.ctl: ADVAN2 TRANS2, $THETA (0, init), Y = F + EPS(1))', () => {
  test('OFV within 0.5 of nlmixr2’s 116.80, θ within 2 %, SIGMA1 (a variance) = 0.693² within 4 %', () => {
    const f = fit(CTL);
    assert.ok(Math.abs(f.ofv - 116.8) < 0.5, `${f.ofv}`);
    assert.deepEqual(Object.keys(f.theta), ['THETA1', 'THETA2', 'THETA3']);
    assert.ok(rel(f.theta.THETA1, 1.59) < 0.02);
    assert.ok(rel(f.theta.THETA2, 2.75) < 0.02);
    assert.ok(rel(f.theta.THETA3, 31.8) < 0.02);
    assert.ok(rel(f.sigma.SIGMA1, 0.693 ** 2) < 0.04, `${f.sigma.SIGMA1}`);
  });
  test('FIX holds θ3 at 31.5 exactly (and the OFV can only rise); an upper bound 1.5 on θ1 (optimum 1.59) holds it below 1.5', () => {
    const fixed = fit(CTL.replace('$THETA (0, 31.5) ; V [L]', '$THETA (0, 31.5) FIX ; V [L]'));
    assert.equal(fixed.theta.THETA3, 31.5);
    assert.ok(!fixed.estimated.includes('THETA3'));
    assert.ok(fixed.ofv > 116.8);
    const bounded = fit(CTL.replace('$THETA (0, 1.57) ; KA [1/h]', '$THETA (0, 1.4, 1.5) ; KA [1/h]'));
    assert.ok(bounded.theta.THETA1 < 1.5 && bounded.theta.THETA1 > 1.45, `${bounded.theta.THETA1}`);
  });
  test('$OMEGA FIX holds an eta variance at its value', () => {
    const f = fit(CTL.replace('$OMEGA 0.6 0.3 0.1', '$OMEGA 0.6 0.3\n$OMEGA 0.02 FIX'));
    assert.equal(f.omega.matrix[2][2], 0.02);
    assert.ok(!f.estimated.includes('omega(ETA3)'));
  });
});
