// Acceptance (issue 3, #1): control streams for ADVAN1, ADVAN2 (TRANS1), ADVAN3 TRANS4, ADVAN4
// (with IOV by $OMEGA BLOCK SAME) and ADVAN13, with IF blocks, covariates and $OMEGA BLOCK, give
// the same predictions as their twins in the model language (≤ 1e-8 relative) on test datasets
// read through $INPUT/$DATA (test-models/nonmem/make-data.py); their residual variance, derived
// from $ERROR, equals the twin's error model (≤ 1e-12); their Ω equals the twin's (≤ 1e-12).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseDataset } from '../events/dataset.ts';
import { type CompiledModel, compileModel } from '../model/compile.ts';
import type { ErrorModel } from '../model/ir.ts';
import { loadModel } from '../model/load.ts';
import { Simulator } from '../simulate/simulator.ts';
import { REPO } from '../test-support/bench-data.ts';
import { parseControlStream } from './translate.ts';

const DIR = resolve(REPO, 'packages/engine/test-models/nonmem');
const read = (f: string): string => readFileSync(resolve(DIR, f), 'utf8');

function withVarianceLog(m: CompiledModel, log: number[]): CompiledModel {
  const k = m.varianceSlots[0];
  return { ...m, outputs: (s) => (m.outputs(s), log.push(k >= 0 ? s[k] : NaN)) };
}
function twinVariance(e: ErrorModel, F: number): number {
  const Fp = F === 0 && e.ifZero !== null ? e.ifZero : F;
  if (e.kind === 'prop') return e.propSd * e.propSd * Fp * Fp;
  if (e.kind === 'add') return e.addSd * e.addSd;
  if (e.kind === 'combined') return e.addSd * e.addSd + e.propSd * e.propSd * Fp * Fp;
  throw new Error(`unexpected error kind ${e.kind}`);
}
const rel = (x: number, r: number): number => (x === r ? 0 : Math.abs(x - r) / Math.abs(r));

const CASES: {
  name: string;
  data: [nm: string, twin: string];
  /** NONMEM eta vector → the twin's simulator eta vector. */
  etaMap?: (e: number[]) => number[];
  subroutines: string;
}[] = [
  { name: 'advan1', data: ['iv.nm.csv', 'iv.csv'], subroutines: 'closed one_cmt' },
  { name: 'advan2', data: ['oral.dat', 'oral.csv'], subroutines: 'closed one_cmt' },
  { name: 'advan3', data: ['iv.nm.csv', 'iv.csv'], subroutines: 'closed two_cmt' },
  {
    name: 'advan4',
    data: ['oral.dat', 'oral.csv'],
    // NONMEM: ETA4..6 = IOV of KA on occasions 1..3. Twin: eta_KA (iov), blocks per occasion.
    etaMap: (e) => [e[0], e[1], e[2], 0, e[3], e[4], e[5]],
    subroutines: 'closed two_cmt',
  },
  { name: 'advan13', data: ['oral.dat', 'oral.csv'], subroutines: 'ode' },
];

for (const c of CASES) {
  test(`${c.name}.mod = ${c.name}.dtm: predictions ≤ 1e-8, residual variance ≤ 1e-12, Ω ≤ 1e-12`, () => {
    const cs = parseControlStream(read(`${c.name}.mod`), `${c.name}.mod`);
    const log: number[] = [];
    const nm = withVarianceLog(compileModel(cs.ir), log);
    const twin = loadModel(read(`${c.name}.dtm`), `${c.name}.dtm`);
    assert.equal(
      nm.structure.kind === 'closed' ? `closed ${cs.ir.pk!.name}` : nm.structure.kind,
      c.subroutines,
    );
    const pn = parseDataset(read(c.data[0]), cs.ir, c.data[0]).patients;
    const pt = parseDataset(read(c.data[1]), twin.ir, c.data[1]).patients;
    assert.equal(pn.length, pt.length);

    // Ω: the twin's, with IOV copies on the diagonal for the BLOCK SAME etas.
    const n = cs.ir.etas.length;
    const map = c.etaMap ?? ((e: number[]) => e);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const ti = map(Array.from({ length: n }, (_, k) => (k === i ? 1 : 0))).indexOf(1);
        const tj = map(Array.from({ length: n }, (_, k) => (k === j ? 1 : 0))).indexOf(1);
        const nTwin = twin.ir.etas.length;
        const wi = ti < nTwin ? ti : nTwin - 1;
        const wj = tj < nTwin ? tj : nTwin - 1;
        const expected =
          ti >= nTwin || tj >= nTwin ? (ti === tj ? twin.ir.omega[wi][wj] : 0) : twin.ir.omega[wi][wj];
        assert.ok(
          rel(cs.ir.omega[i][j], expected) <= 1e-12,
          `Ω[${i + 1},${j + 1}] ${cs.ir.omega[i][j]} vs ${expected}`,
        );
      }

    const simN = new Simulator(nm);
    const simT = new Simulator(twin);
    const etas = [
      new Array<number>(n).fill(0),
      Array.from({ length: n }, (_, k) => 0.3 * Math.sin(1 + 2.1 * k)),
      Array.from({ length: n }, (_, k) => -0.25 * Math.cos(0.5 + 1.3 * k)),
    ];
    let maxPred = 0;
    let maxVar = 0;
    let count = 0;
    pn.forEach((p, pi) => {
      const q = pt[pi];
      assert.deepEqual(
        [
          p.id,
          [...p.time],
          [...p.evid],
          [...p.amt],
          [...p.rate],
          [...p.cmt],
          [...p.ii],
          [...p.addl],
          [...p.ss],
          [...p.mdv],
        ],
        [
          q.id,
          [...q.time],
          [...q.evid],
          [...q.amt],
          [...q.rate],
          [...q.cmt],
          [...q.ii],
          [...q.addl],
          [...q.ss],
          [...q.mdv],
        ],
        `patient ${p.id}: records read through $INPUT/$DATA`,
      );
      for (const e of etas) {
        const a = new Float64Array(p.n);
        const b = new Float64Array(q.n);
        log.length = 0;
        simN.run(p, e, a);
        simT.run(q, map(e), b);
        let j = 0;
        for (let i = 0; i < p.n; i++) {
          if (p.evid[i] !== 0) continue;
          maxPred = Math.max(maxPred, rel(a[i], b[i]));
          maxVar = Math.max(maxVar, rel(log[j++], twinVariance(twin.ir.errors[0], b[i])));
          count++;
        }
      }
    });
    console.log(
      `# ${c.name}: ${count} predictions, max rel. diff ${maxPred.toExponential(2)}; variance ${maxVar.toExponential(2)}`,
    );
    assert.ok(count > 50);
    assert.ok(maxPred <= 1e-8, `predictions differ by ${maxPred}`);
    assert.ok(maxVar <= 1e-12, `variances differ by ${maxVar}`);
  });
}
