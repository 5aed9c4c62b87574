// Normal distribution functions used by Beal's M3 likelihood. Expected values: mpmath 1.3 at 40
// digits (erfc, log(ncdf), npdf/ncdf, sqrt(2)·erfinv(2p − 1)), printed to 17 significant digits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erfc, logNormalCdf, millsRatio, normalQuantile } from './normal.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

const ERFC = [
  [0.3, 0.6713732405408726],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [3, 2.209049699858544e-5],
  [5, 1.537459794428035e-12],
  [-1, 1.842700792949715],
  [10, 2.088487583762545e-45],
];
test('erfc matches mpmath (rel. 1e-14)', () => {
  for (const [x, v] of ERFC) assert.ok(rel(erfc(x), v) < 1e-14, `erfc(${x}) = ${erfc(x)}, expected ${v}`);
});

const LOG_PHI = [
  [-40, -804.6084420137538, 40.02496884720726],
  [-10, -53.23128515051247, 10.098093233962512],
  [-3, -6.607726221510349, 3.2830986549304364],
  [-0.5, -1.1759117615936185, 1.1410777703680646],
  [0, -0.6931471805599453, 0.7978845608028654],
  [2, -0.023012909328963486, 0.055247862678989956],
  [8, -6.220960574271786e-16, 5.052271083536895e-15],
];
test('ln Φ(z) and φ(z)/Φ(z) match mpmath far into the lower tail (rel. 1e-13)', () => {
  for (const [z, lp, mr] of LOG_PHI) {
    assert.ok(rel(logNormalCdf(z), lp) < 1e-13, `ln Φ(${z}) = ${logNormalCdf(z)}, expected ${lp}`);
    assert.ok(rel(millsRatio(z), mr) < 1e-13, `λ(${z}) = ${millsRatio(z)}, expected ${mr}`);
  }
});

const QUANTILES = [
  [1e-10, -6.361340902404057],
  [0.01, -2.326347874040841],
  [0.3, -0.5244005127080408],
  [0.975, 1.9599639845400543],
  [0.999999, 4.753424308822899],
];
test('Φ⁻¹(p) matches mpmath (rel. 1e-12)', () => {
  for (const [p, q] of QUANTILES)
    assert.ok(rel(normalQuantile(p), q) < 1e-12, `Φ⁻¹(${p}) = ${normalQuantile(p)}, expected ${q}`);
});
