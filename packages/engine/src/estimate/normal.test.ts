// Normal distribution functions used by Beal's M3 likelihood. Expected values: mpmath 1.3 at 40
// digits (erfc, log(ncdf), npdf/ncdf, sqrt(2)·erfinv(2p − 1)), printed to 17 significant digits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erfc, logNormalCdf, millsRatio, normalQuantile } from './normal.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

const ERFC = [
  [0.3, 0.67137324054087258],
  [0.5, 0.47950012218695346],
  [1, 0.15729920705028513],
  [3, 2.2090496998585441e-5],
  [5, 1.5374597944280349e-12],
  [-1, 1.8427007929497149],
  [10, 2.0884875837625448e-45],
];
test('erfc matches mpmath (rel. 1e-14)', () => {
  for (const [x, v] of ERFC) assert.ok(rel(erfc(x), v) < 1e-14, `erfc(${x}) = ${erfc(x)}, expected ${v}`);
});

const LOG_PHI = [
  [-40, -804.60844201375379, 40.024968847207264],
  [-10, -53.231285150512471, 10.098093233962512],
  [-3, -6.6077262215103495, 3.2830986549304365],
  [-0.5, -1.1759117615936186, 1.1410777703680645],
  [0, -0.69314718055994531, 0.79788456080286536],
  [2, -0.023012909328963488, 0.055247862678989959],
  [8, -6.2209605742717861e-16, 5.0522710835368954e-15],
];
test('ln Φ(z) and φ(z)/Φ(z) match mpmath far into the lower tail (rel. 1e-13)', () => {
  for (const [z, lp, mr] of LOG_PHI) {
    assert.ok(rel(logNormalCdf(z), lp) < 1e-13, `ln Φ(${z}) = ${logNormalCdf(z)}, expected ${lp}`);
    assert.ok(rel(millsRatio(z), mr) < 1e-13, `λ(${z}) = ${millsRatio(z)}, expected ${mr}`);
  }
});

const QUANTILES = [
  [1e-10, -6.3613409024040562],
  [0.01, -2.3263478740408411],
  [0.3, -0.52440051270804078],
  [0.975, 1.9599639845400542],
  [0.999999, 4.7534243088228989],
];
test('Φ⁻¹(p) matches mpmath (rel. 1e-12)', () => {
  for (const [p, q] of QUANTILES)
    assert.ok(rel(normalQuantile(p), q) < 1e-12, `Φ⁻¹(${p}) = ${normalQuantile(p)}, expected ${q}`);
});
