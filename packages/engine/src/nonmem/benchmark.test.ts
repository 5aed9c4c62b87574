// Acceptance (issue 3, #1): each benchmark model written as a NONMEM control stream
// (test-models/nonmem/runNNN.mod) compiles to the same predictions as its twin in the model
// language (test-models/map-benchmark/runNNN.dtm), ≤ 1e-8 relative, on the benchmark data read
// through the control stream's own $INPUT/$DATA; reproduces NONMEM's PRED/IPRED (NONMEM 7, Le
// Louedec et al. 2021) within 1e-4 for ≥ 99.9 % of observations; and its residual variance —
// derived from $ERROR by linearisation in EPS — equals the twin's error model (proportional,
// var = σ²·F², F = 0 → 1) ≤ 1e-12 relative at every observation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseDataset } from '../events/dataset.ts';
import type { PatientData } from '../events/records.ts';
import { type CompiledModel, compileModel } from '../model/compile.ts';
import type { ErrorModel } from '../model/ir.ts';
import { Simulator } from '../simulate/simulator.ts';
import { BENCH_DIR, BENCH_RUNS, loadBenchRun, REPO } from '../test-support/bench-data.ts';
import { parseControlStream } from './translate.ts';

export const NONMEM_MODELS = resolve(REPO, 'packages/engine/test-models/nonmem');

/** A model whose outputs also record the residual variance at each observation. */
function withVarianceLog(m: CompiledModel, log: number[]): CompiledModel {
  const k = m.varianceSlots[0];
  return { ...m, outputs: (s) => (m.outputs(s), log.push(k >= 0 ? s[k] : NaN)) };
}

/** The twin's residual variance at prediction F (prop / add / combined, as `objective.ts` reads them). */
function nativeVariance(e: ErrorModel, F: number): number {
  const Fp = F === 0 && e.ifZero !== null ? e.ifZero : F;
  if (e.kind === 'prop') return e.propSd * e.propSd * Fp * Fp;
  if (e.kind === 'add') return e.addSd * e.addSd;
  if (e.kind === 'combined') return e.addSd * e.addSd + e.propSd * e.propSd * Fp * Fp;
  throw new Error(`unexpected error kind ${e.kind}`);
}

const rel = (x: number, r: number): number => (x === r ? 0 : Math.abs(x - r) / Math.abs(r));

for (const run of BENCH_RUNS) {
  test(`${run}.mod = ${run}.dtm (≤ 1e-8), = NONMEM PRED/IPRED (1e-4, ≥ 99.9 %), variance = twin's (≤ 1e-12)`, () => {
    const b = loadBenchRun(run);
    const cs = parseControlStream(readFileSync(resolve(NONMEM_MODELS, `${run}.mod`), 'utf8'), `${run}.mod`);
    const varLog: number[] = [];
    const model = withVarianceLog(compileModel(cs.ir), varLog);
    const dataText = readFileSync(resolve(BENCH_DIR, run, 'data.csv'), 'utf8');
    // parseDataset hands the text to the control stream's $INPUT/$DATA reader.
    const patients: PatientData[] = parseDataset(dataText, cs.ir, `${run}/data.csv`).patients;
    assert.equal(patients.length, b.patients.length);

    const simNm = new Simulator(model);
    const simDt = new Simulator(b.model);
    let maxTwin = 0;
    let maxVar = 0;
    const errNm: number[] = [];
    let compared = 0;
    patients.forEach((p, pi) => {
      const q = b.patients[pi];
      assert.equal(p.id, q.id);
      assert.deepEqual(
        [p.n, [...p.time], [...p.evid], [...p.cmt], [...p.amt]],
        [q.n, [...q.time], [...q.evid], [...q.cmt], [...q.amt]],
      );
      const eta = b.nonmem.get(p.id)!.eta;
      for (const e of [null, eta]) {
        const a = new Float64Array(p.n);
        const c = new Float64Array(q.n);
        varLog.length = 0;
        simNm.run(p, e, a);
        simDt.run(q, e, c);
        let j = 0;
        for (let i = 0; i < p.n; i++) {
          // The outputs (and so the variance log) are evaluated at EVID 0 and EVID 2 records.
          if (p.evid[i] === 2) j++;
          if (p.evid[i] !== 0) continue;
          maxTwin = Math.max(maxTwin, rel(a[i], c[i]));
          const errModel = b.model.ir.errors[simDt.outputIndex(q.cmt[i])];
          maxVar = Math.max(maxVar, rel(varLog[j++], nativeVariance(errModel, c[i])));
          const ref = b.pred.get(`${p.id}|${p.time[i]}|${p.cmt[i]}`);
          if (!ref) continue;
          errNm.push(rel(a[i], e ? ref.ipred : ref.pred));
          compared++;
        }
        assert.equal(j, varLog.length, 'one variance per EVID 0 or 2 record');
      }
    });
    const within = errNm.filter((x) => x <= 1e-4).length / errNm.length;
    console.log(
      `# ${run}: vs twin max ${maxTwin.toExponential(2)}; variance max ${maxVar.toExponential(2)}; vs NONMEM max ${Math.max(...errNm).toExponential(2)} (${compared} PRED+IPRED)`,
    );
    assert.ok(compared >= 2 * b.pred.size, `compared ${compared} of ${2 * b.pred.size}`);
    assert.ok(maxTwin <= 1e-8, `${run}: control stream vs twin ${maxTwin}`);
    assert.ok(maxVar <= 1e-12, `${run}: residual variance vs twin ${maxVar}`);
    assert.ok(within >= 0.999, `${run}: ${(within * 100).toFixed(3)} % within 1e-4 of NONMEM`);
  });
}
