// Issue 9, acceptance 1–2: MAP estimates of the 500 patients of each NONMEM benchmark model
// (../shared/reference/map-benchmark, README there for provenance). This file: the 7 models solved
// exactly (closed forms, matrix exponential); map-benchmark-ode.test.ts: the Michaelis–Menten model
// (numerical ODE), in a second file so the test runner uses a second core.
//
// Tolerances (stated by the issue, checked by `agreementFailures`): |Δη| ≤ ln 1.001 for ≥ 99.5 % of
// the etas, not counting the non-excellent etas of patients where dosetwin's objective is lower
// than at NONMEM's etas (NONMEM stopped short: a "better optimum", reported); no discordant eta
// (> ln 1.1) unless a better optimum; OBJ at NONMEM's etas within 1e-6 relative; ETC within 1e-3
// (element (i, j) relative to √(ETC_ii·ETC_jj)), except at patients whose NONMEM mode sits on a
// kink of the objective (a lag time or a modelled infusion duration equal to an observation time:
// derivatives, hence ETC, are one-sided there), which must be ≤ 2 %.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadBenchRun } from '../test-support/bench-data.ts';
import { agreementFailures, compareWithReference, formatAgreement } from './agreement.ts';
import { MapEstimator } from './map.ts';

const RUNS = ['run001', 'run003', 'run004', 'run101', 'run301', 'run401', 'run901'];

describe('MAP vs NONMEM on the benchmark (issue 9, acceptance 1–2)', () => {
  for (const run of RUNS)
    test(`${run}: 500 patients, |Δη| ≤ ln 1.001 for ≥ 99.5 %, OBJ 1e-6, ETC 1e-3`, (t) => {
      const b = loadBenchRun(run);
      const a = compareWithReference(new MapEstimator(b.model), b.patients, b.nonmem);
      formatAgreement(run, a).forEach((l) => t.diagnostic(l));
      assert.equal(a.patients, 500);
      assert.deepEqual(agreementFailures(a), []);
    });
});
