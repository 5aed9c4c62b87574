// Acceptance (issue 2, #2): with NONMEM's etas, dosetwin's IPRED equals NONMEM's IPRED within 1e-4
// relative for ≥ 99.9 % of observations, and PRED likewise, on the 8 models × 500 patients of the
// shared MAP benchmark (NONMEM 7, Le Louedec et al. 2021). NONMEM prints 9 significant digits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BENCH_RUNS, loadBenchRun } from '../test-support/bench-data.ts';
import { Simulator } from './simulator.ts';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
};

for (const run of BENCH_RUNS) {
  test(`${run}: PRED and IPRED equal NONMEM's within 1e-4 relative for >= 99.9 % of observations`, () => {
    const b = loadBenchRun(run);
    const sim = new Simulator(b.model);
    const errPred: number[] = [];
    const errIpred: number[] = [];
    for (const p of b.patients) {
      const pred = new Float64Array(p.n);
      const ipred = new Float64Array(p.n);
      sim.run(p, null, pred);
      sim.run(p, b.nonmem.get(p.id)!.eta, ipred);
      for (let i = 0; i < p.n; i++) {
        if (p.evid[i] !== 0) continue;
        const ref = b.pred.get(`${p.id}|${p.time[i]}|${p.cmt[i]}`);
        if (!ref) continue; // NONMEM's table omits MDV = 1 observations (run003)
        const rel = (x: number, r: number): number => (x === r ? 0 : Math.abs(x - r) / Math.abs(r));
        errPred.push(rel(pred[i], ref.pred));
        errIpred.push(rel(ipred[i], ref.ipred));
      }
    }
    assert.ok(errPred.length >= b.pred.size, `compared ${errPred.length} of ${b.pred.size} NONMEM rows`);
    const report = (name: string, e: number[]): string =>
      `${name} max ${Math.max(...e).toExponential(2)}, p99.9 ${quantile(e, 0.999).toExponential(2)}`;
    console.log(`# ${run} (${errPred.length} obs): ${report('PRED', errPred)}; ${report('IPRED', errIpred)}`);
    for (const [name, e] of [
      ['PRED', errPred],
      ['IPRED', errIpred],
    ] as const) {
      const within = e.filter((x) => x <= 1e-4).length / e.length;
      assert.ok(within >= 0.999, `${run} ${name}: ${(within * 100).toFixed(3)} % within 1e-4`);
    }
  });
}
