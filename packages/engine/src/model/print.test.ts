// The IR → model-file printer: printing and parsing back gives the same IR (statements, expression
// trees, parameters, Ω, structure, error models, metadata), printing is idempotent, and the
// reparsed model predicts exactly what the original does — for the benchmark models, a model using
// every feature of the language, and every NONMEM control stream of the test set (what
// `dosetwin convert` writes).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parseDataset } from '../events/dataset.ts';
import { nonmemDataToCsv } from '../events/nonmem-data.ts';
import type { PatientData } from '../events/records.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { Simulator } from '../simulate/simulator.ts';
import { BENCH_DIR, BENCH_MODELS, BENCH_RUNS, REPO } from '../test-support/bench-data.ts';
import { type CompiledModel, compileModel } from './compile.ts';
import type { ModelIR, Stmt } from './ir.ts';
import { parseModel } from './parse.ts';
import { printExpr, printModel } from './print.ts';

/**
 * The IR without source positions, file name and a control stream's estimation bounds and FIX (what
 * printing cannot keep: the model language states no bounds).
 */
function shape(ir: ModelIR): unknown {
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) if (k !== 'pos' && k !== 'file') o[k] = strip(v);
      return o;
    }
    return x;
  };
  const { estimation: _, ...rest } = ir;
  return strip(rest);
}

function predictions(m: CompiledModel, patients: PatientData[], etas: (n: number) => number[][]): number[] {
  const sim = new Simulator(m);
  const out: number[] = [];
  for (const p of patients)
    for (const e of etas(m.ir.etas.length)) {
      const a = new Float64Array(p.n);
      sim.run(p, e, a);
      for (let i = 0; i < p.n; i++) if (p.evid[i] === 0) out.push(a[i]);
    }
  return out;
}
const someEtas = (n: number): number[][] => [
  new Array<number>(n).fill(0),
  Array.from({ length: n }, (_, k) => 0.2 * Math.sin(3 + k)),
];

const FULL = `model    examplomycin/doe2020   version 1.2.0
drug     examplomycin
cite     Doe J, Roe R. J Fict Pharmacol 2020;12:34-56. doi:10.0000/jfp.2020.034
units    dose mg | time h | conc mg/L
measured examplomycin, total, plasma
population  112 patients; age 19-88 y
description  A model that uses every feature of the language, for the printer's round trip.

covariates   unit     valid     label                   handling
  WT         kg       45..140   "total body weight"     required
  CRCL       mL/min   10..      "Cockcroft-Gault"       derive crcl_cg(SCR mg/dL, AGE, WT, SEX) cap 150
  SEX        -        -         "0 male, 1 female"      default 0
  AGE        y        ..100     "age"                   default 50

parameters   value    unit      label                   source
  TVCL       3.1      L/h       "CL for 70 kg"          T3 row 1
  TVV        38       L         "V for 70 kg"
  CRCL_CL    0.72     -         "exponent of CrCL"      T3 row 3
  KTR        2.5e-1   1/h       "transit rate"
  NEG        -1.5     -         "a negative value"

random
  eta_CL ~ 0.090    eta_V ~ sd(0.2)    cov(eta_CL, eta_V) = -0.018
  iov eta_occ ~ 0.01

equations
  CL = TVCL * (WT/70)^0.75 * (CRCL/100)^CRCL_CL * exp(eta_CL + eta_occ)
  V  = TVV * (WT/70) * exp(eta_V)
  X1 = -CL^2 + (-V)^2 - -1 - (1 - 2) - 3 * -NEG / (2 * V) ^ -0.5
  X2 = 2^3^2 + (2^3)^2 + 1 / (2 * 3) + 1 - (2 - 3) + !(X1 > 0 && V < 3 || CL >= 2) + (X1 == 1) * 2
  if (SEX == 1 && AGE > 60) {
    F1 = 0.8
  } else if (SEX == 1) {
    F1 = 0.9
  } else {
    F1 = 1
  }
  bioav(depot) = F1
  lag(depot) = 0.25 * ifelse(SEX == 1, 2, 1)
  pk one_cmt(cl = CL, v = V, ka = 1.2, ktr = KTR, ntr = 3)
  CP = central / V
  CM = max(central, 0) / V + min(1, 2, 3) * 0

error
  CP ~ prop(0.15, if_zero = 1) + add(sd = 0.5)  combine sd   cmt 5
  CM ~ exp(0.2)   cmt 4

targets
  auc24    400..600 mg*h/L    at steady state
  trough   ..15     mg/L      alarm: toxicity

products  vial 500 mg, 1000 mg | infusion 0.5..4 h

verified
  CL = 3.1 L/h for WT 70 kg, CRCL 100 mL/min    Doe 2020 T3
`;

describe('printModel', () => {
  test('a model with every feature: parse(print(ir)) = ir, and printing is idempotent', () => {
    const ir = parseModel(FULL, 'full.dtm');
    const text = printModel(ir);
    const back = parseModel(text, 'full-printed.dtm');
    assert.deepEqual(shape(back), shape(ir));
    assert.equal(printModel(back), text);
    compileModel(back);
  });

  test('expressions: minimal parentheses that keep the tree', () => {
    const ir = parseModel(FULL, 'full.dtm');
    const x1 = ir.statements.find((s) => s.k === 'assign' && s.name === 'X1') as Extract<
      Stmt,
      { k: 'assign' }
    >;
    assert.equal(printExpr(x1.expr), '-CL^2 + (-V)^2 - -1 - (1 - 2) - 3 * -NEG / (2 * V)^-0.5');
  });

  for (const run of BENCH_RUNS)
    test(`${run}.dtm: round trip gives the same IR and the same predictions (exactly)`, () => {
      const src = readFileSync(resolve(BENCH_MODELS, `${run}.dtm`), 'utf8');
      const ir = parseModel(src, `${run}.dtm`);
      const text = printModel(ir);
      const back = parseModel(text, `${run}-printed.dtm`);
      assert.deepEqual(shape(back), shape(ir));
      assert.equal(printModel(back), text);
      const data = readFileSync(resolve(BENCH_DIR, run, 'data.csv'), 'utf8');
      const patients = parseDataset(data, ir, 'data.csv').patients.slice(0, 40);
      assert.deepEqual(
        predictions(compileModel(back), patients, someEtas),
        predictions(compileModel(ir), patients, someEtas),
      );
    });

  const NONMEM = resolve(REPO, 'packages/engine/test-models/nonmem');
  const dataOf = (src: string): string => {
    const m = /\$DATA\s+(\S+)/.exec(src)!;
    return readFileSync(resolve(NONMEM, m[1]), 'utf8');
  };
  for (const f of readdirSync(NONMEM).filter((x) => x.endsWith('.mod')))
    test(`${f}: the converted model file predicts exactly what the control stream does`, () => {
      const src = readFileSync(resolve(NONMEM, f), 'utf8');
      const cs = parseControlStream(src, f);
      const text = printModel(cs.ir);
      const back = parseModel(text, f.replace('.mod', '.dtm'));
      assert.deepEqual(shape(back), shape(cs.ir));
      assert.equal(printModel(back), text);
      // The converted model reads the CSV that $INPUT/$DATA make of the dataset.
      const data = dataOf(src);
      const { csv } = nonmemDataToCsv(data, cs.ir, cs.data, 'data');
      const pNm = parseDataset(data, cs.ir, 'data').patients.slice(0, 40);
      const pDt = parseDataset(csv, back, 'data.csv').patients.slice(0, 40);
      assert.deepEqual(
        predictions(compileModel(back), pDt, someEtas),
        predictions(compileModel(cs.ir), pNm, someEtas),
      );
    });
});
