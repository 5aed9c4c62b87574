// The MAP objective, NONMEM's OBJ and ETC at given etas without optimising (NONMEM MAXEVAL=0 with
// $ETAS; what `dosetwin fit --at` prints): at NONMEM's own conditional modes (the shared runs'
// nonmem_eta.csv), OBJ within 1e-6 relative and ETC within 1e-3 (element (i, j) relative to
// √(ETC_ii·ETC_jj)) for every patient of the 9 shared runs, except those whose NONMEM mode sits on a
// kink of the objective (a lag time or modelled duration equal to an observation time, where ETC is
// one-sided), which evaluateAt reports and which must be ≤ 2 %.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BENCH_RUNS, loadBenchRun } from '../test-support/bench-data.ts';
import { MapEstimator } from './map.ts';

describe('evaluateAt NONMEM’s etas: OBJ 1e-6, ETC 1e-3 (all 500 patients of each shared run)', () => {
  for (const run of BENCH_RUNS)
    test(`${run}: OBJ within 1e-6 relative, ETC within 1e-3, kink patients ≤ 2 %`, (t) => {
      const b = loadBenchRun(run);
      const est = new MapEstimator(b.model);
      let objErr = 0;
      let etcErr = 0;
      let kinks = 0;
      for (const p of b.patients) {
        const ref = b.nonmem.get(p.id)!;
        const e = est.evaluateAt(p, ref.eta);
        const n = ref.eta.length;
        assert.equal(e.etaCov.length, n * n);
        if (e.kinks.length) {
          kinks++;
          continue;
        }
        objErr = Math.max(objErr, Math.abs(e.obj - ref.obj) / Math.abs(ref.obj));
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            etcErr = Math.max(
              etcErr,
              Math.abs(e.etaCov[i * n + j] - ref.etc[i * n + j]) /
                Math.sqrt(ref.etc[i * n + i] * ref.etc[j * n + j]),
            );
      }
      t.diagnostic(`OBJ ${objErr.toExponential(2)}, ETC ${etcErr.toExponential(2)}, kink patients ${kinks}`);
      assert.ok(objErr <= 1e-6, `OBJ relative error ${objErr}`);
      assert.ok(etcErr <= 1e-3, `ETC relative error ${etcErr}`);
      assert.ok(kinks <= 0.02 * b.patients.length, `${kinks} kink patients`);
    });
});
