// PK/PD in the model language, checked against closed forms: an effect compartment and an
// indirect response driven by a constant concentration, a transit chain against its Erlang
// density, a second observed output (an effect beside the concentration) selected per record by
// its CMT or by its observation type (DVID, `dvid N`), each with its own residual error in the
// MAP objective, and the same two-output model read from a NONMEM control stream whose $ERROR
// branches on DVID.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseDataset } from '../events/dataset.ts';
import { estimateMap } from '../estimate/map.ts';
import { MapObjective } from '../estimate/objective.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, modelText, observed, patient } from '../test-support/models.ts';
import { compileModel } from './compile.ts';
import { parseModel } from './parse.ts';
import { printModel } from './print.ts';
import { checkUnits } from './units-check.ts';

const START = { time: 0, evid: 2 };
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// The concentration is held at A0/V (no elimination), so the effect site and the response see a
// constant input and have closed forms. Initial amounts apply at the first record, as NONMEM's
// A_0: each patient starts with a record at time 0 (EVID 2).
const EFFECT_MODEL = `
parameters  value  unit  label
  A0        20     mg    "amount held in central"
  V         10     L     "volume"
  KE0       0.3    1/h   "effect-site equilibration rate"
  EMAX      100    -     "maximal effect"
  EC50      1.5    mg/L  "effect-site concentration at half the maximal effect"
random
  eta_KE0 ~ 0.1    eta_V ~ 0.05
compartments central, effect
equations
  init(central) = A0
  VI = V * exp(eta_V)
  K = KE0 * exp(eta_KE0)
  CP = central / VI
  d/dt(central) = 0
  d/dt(effect) = K * (CP - effect)
  E = EMAX * effect / (EC50 + effect)
error
  CP ~ prop(0.1)   cmt 1
  E ~ add(5)       cmt 2
`;

/** E(t) = Emax·Ce/(EC50 + Ce), Ce = C(1 − e^(−ke0·t)) for a constant C from t = 0. */
const effectAt = (t: number, c: number, ke0: number): number => {
  const ce = c * (1 - Math.exp(-ke0 * t));
  return (100 * ce) / (1.5 + ce);
};

describe('effect compartment (Sheiner 1979 link) at a constant concentration', () => {
  const m = compile(EFFECT_MODEL);
  const times = [0.5, 2, 6, 24];
  test('E(t) = Emax·Ce/(EC50 + Ce), Ce = C·(1 − e^(−ke0 t)), on CMT 2; CP on CMT 1 (rel 1e-10)', () => {
    const p = patient([START], times, 2);
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    observed(p, out).forEach((v, i) => assert.ok(rel(v, effectAt(times[i], 2, 0.3)) < 1e-10, `${v}`));
    const q = patient([START], [3], 1);
    const o2 = new Float64Array(q.n);
    new Simulator(m).run(q, null, o2);
    assert.ok(rel(observed(q, o2)[0], 2) < 1e-12);
  });
  test('the same integrated numerically (RODAS/DOPRI, rtol 1e-11) agrees with the closed form (rel 1e-8)', () => {
    const p = patient([START], times, 2);
    const out = new Float64Array(p.n);
    new Simulator(m, { solver: 'numerical', ode: { rtol: 1e-11 } }).run(p, null, out);
    observed(p, out).forEach((v, i) => assert.ok(rel(v, effectAt(times[i], 2, 0.3)) < 1e-8, `${v}`));
  });
});

describe('a second observed output with its own residual error in the MAP objective', () => {
  test('records on CMT 1 read CP with prop(0.1), on CMT 2 read E with add(5): f(x) = Σ ln var + (y − F)²/var + xᵀΩ⁻¹x by hand (rel 1e-10)', () => {
    const m = compile(EFFECT_MODEL);
    const rows = [
      { time: 1, evid: 0, cmt: 1, dv: 2.3 },
      { time: 2, evid: 0, cmt: 2, dv: 30 },
      { time: 8, evid: 0, cmt: 2, dv: 55 },
      { time: 8, evid: 0, cmt: 1, dv: 1.9 },
    ];
    const obj = new MapObjective(new Simulator(m), patient([START, ...rows]));
    assert.deepEqual(Array.from(obj.obsOutput), [0, 1, 1, 0]);
    const x = [0.2, -0.1];
    const c = 20 / (10 * Math.exp(x[1]));
    const ke0 = 0.3 * Math.exp(x[0]);
    let f = x[0] ** 2 / 0.1 + x[1] ** 2 / 0.05;
    for (const r of rows) {
      const pred = r.cmt === 1 ? c : effectAt(r.time, c, ke0);
      const v = r.cmt === 1 ? (0.1 * pred) ** 2 : 25;
      f += Math.log(v) + (r.dv - pred) ** 2 / v;
    }
    assert.ok(rel(obj.value(x), f) < 1e-10, `${obj.value(x)} vs ${f}`);
  });
});

describe('transit chain', () => {
  // Dose D into a1; a1 → a2 → … → a5 at rate K; the amount in the n-th compartment is the Erlang
  // density: A_n(t) = D (K t)^(n−1) e^(−K t) / (n − 1)!.
  const m = compile(`
parameters  value  unit  label
  K         0.8    1/h   "transit rate"
compartments a1, a2, a3, a4, a5
equations
  d/dt(a1) = -K * a1
  d/dt(a2) = K * (a1 - a2)
  d/dt(a3) = K * (a2 - a3)
  d/dt(a4) = K * (a3 - a4)
  d/dt(a5) = K * (a4 - a5)
  OUT = a5
error
  OUT ~ add(1)   cmt 5
`);
  const times = [0.5, 2, 5, 9, 20];
  const erlang = (t: number): number => (100 * (0.8 * t) ** 4 * Math.exp(-0.8 * t)) / 24;
  for (const solver of ['auto', 'numerical'] as const)
    test(`amount in the 5th compartment = D (Kt)^4 e^(−Kt)/4! (${solver === 'auto' ? 'matrix exponential' : 'integrated, rtol 1e-12'}; rel 1e-9)`, () => {
      const p = patient([{ time: 0, amt: 100, cmt: 1 }], times, 5);
      const out = new Float64Array(p.n);
      new Simulator(m, { solver, ode: { rtol: 1e-12 } }).run(p, null, out);
      observed(p, out).forEach((v, i) => assert.ok(rel(v, erlang(times[i])) < 1e-9, `t ${times[i]}: ${v}`));
    });
});

test('indirect response (inhibition of kin) at a constant concentration: R = Rss + (R0 − Rss) e^(−kout t) (rel 1e-9)', () => {
  // R0 = kin/kout; Rss = kin (1 − Imax C/(IC50 + C))/kout. C = 2 mg/L, kin 10, kout 0.1, Imax 0.8, IC50 1.
  const m = compile(`
parameters  value  unit      label
  KIN       10     -         "zero-order production (units/h)"
  KOUT      0.1    1/h       "first-order loss"
  IMAX      0.8    -         "maximal inhibition"
  IC50      1      mg/L      "concentration at half the maximal inhibition"
compartments central, resp
equations
  init(central) = 20
  init(resp) = KIN / KOUT
  CP = central / 10
  d/dt(central) = 0
  d/dt(resp) = KIN * (1 - IMAX * CP / (IC50 + CP)) - KOUT * resp
  R = resp
error
  R ~ add(1)   cmt 2
`);
  const times = [1, 5, 12, 48];
  const r0 = 100;
  const rss = (10 * (1 - (0.8 * 2) / 3)) / 0.1;
  const p = patient([START], times, 2);
  const out = new Float64Array(p.n);
  new Simulator(m, { ode: { rtol: 1e-12 } }).run(p, null, out);
  observed(p, out).forEach((v, i) => {
    const want = rss + (r0 - rss) * Math.exp(-0.1 * times[i]);
    assert.ok(rel(v, want) < 1e-9, `t ${times[i]}: ${v} vs ${want}`);
  });
});

describe('outputs chosen by the observation type (DVID), not the compartment', () => {
  // The same two outputs, each declaring the DVID it reads; every observation is on CMT 1, so
  // only the DVID column tells a concentration (1) from an effect (2).
  const byDvid = EFFECT_MODEL.replace('cmt 1', 'dvid 1').replace('cmt 2', 'dvid 2');
  const csv = `ID,TIME,AMT,CMT,EVID,MDV,DV,DVID
1,0,0,1,2,1,.,0
1,1,0,1,0,0,2.3,1
1,2,0,1,0,0,30,2
1,8,0,1,0,0,55,2
1,8,0,1,0,0,1.9,1
`;
  test('DVID 1 reads CP with prop(0.1), DVID 2 reads E with add(5), all on CMT 1: the objective by hand (rel 1e-10)', () => {
    const m = compile(byDvid);
    const [p] = parseDataset(csv, m.ir, 'data.csv').patients;
    assert.deepEqual(Array.from(p.dvid!), [0, 1, 2, 2, 1]);
    const obj = new MapObjective(new Simulator(m), p);
    assert.deepEqual(Array.from(obj.obsOutput), [0, 1, 1, 0]);
    const x = [0.2, -0.1];
    const c = 20 / (10 * Math.exp(x[1]));
    const ke0 = 0.3 * Math.exp(x[0]);
    let f = x[0] ** 2 / 0.1 + x[1] ** 2 / 0.05;
    for (const [t, dvid, dv] of [
      [1, 1, 2.3],
      [2, 2, 30],
      [8, 2, 55],
      [8, 1, 1.9],
    ]) {
      const pred = dvid === 1 ? c : effectAt(t, c, ke0);
      const v = dvid === 1 ? (0.1 * pred) ** 2 : 25;
      f += Math.log(v) + (dv - pred) ** 2 / v;
    }
    assert.ok(rel(obj.value(x), f) < 1e-10, `${obj.value(x)} vs ${f}`);
  });

  test('the MAP fit by DVID equals the fit of the same records told apart by CMT (mode and objective, rel 1e-8)', () => {
    const byType = compile(byDvid);
    const [p] = parseDataset(csv, byType.ir, 'data.csv').patients;
    const byCmtModel = compile(EFFECT_MODEL);
    const [q] = parseDataset(
      csv.replace(/^1,(2|8),0,1,0,0,(30|55),2$/gm, '1,$1,0,2,0,0,$2,2'),
      byCmtModel.ir,
      'data.csv',
    ).patients;
    assert.deepEqual(Array.from(q.cmt), [1, 1, 2, 2, 1]);
    const a = estimateMap(byType, p);
    const b = estimateMap(byCmtModel, q);
    assert.ok(rel(a.objective, b.objective) < 1e-8, `${a.objective} vs ${b.objective}`);
    a.eta.forEach((v, j) =>
      assert.ok(Math.abs(v - b.eta[j]) < 1e-8 * Math.max(1, Math.abs(b.eta[j])), `eta ${j}`),
    );
  });

  test('a NONMEM control stream whose $ERROR branches on the DVID data item reads the same records the same way (rel 1e-8)', () => {
    const ctl = `$PROBLEM effect compartment, outputs by DVID
$INPUT ID TIME AMT CMT EVID MDV DV DVID
$DATA data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=11
$MODEL COMP=(CENTRAL DEFDOSE DEFOBS) COMP=(EFFECT)
$PK
V = THETA(2)*EXP(ETA(2))
KE0 = THETA(3)*EXP(ETA(1))
A_0(1) = THETA(1)
$DES
DADT(1) = 0
DADT(2) = KE0*(A(1)/V - A(2))
$ERROR
CP = A(1)/V
E = THETA(4)*A(2)/(THETA(5) + A(2))
IF (DVID.EQ.1) THEN
  Y = CP + CP*EPS(1)
ELSE
  Y = E + EPS(2)
ENDIF
$THETA 20 10 0.3 100 1.5
$OMEGA 0.1 0.05
$SIGMA 0.01 25
`;
    const cs = parseControlStream(ctl, 'dvid.mod');
    const [q] = parseDataset(csv, cs.ir, 'data.csv').patients;
    const nm = new Float64Array(q.n);
    new Simulator(compileModel(cs.ir), { ode: { rtol: 1e-11 } }).run(q, [0.2, -0.1], nm);
    const m = compile(byDvid);
    const [p] = parseDataset(csv, m.ir, 'data.csv').patients;
    const dtm = new Float64Array(p.n);
    new Simulator(m).run(p, [0.2, -0.1], dtm);
    const c = 20 / (10 * Math.exp(-0.1));
    const ke0 = 0.3 * Math.exp(0.2);
    const want = [c, effectAt(2, c, ke0), effectAt(8, c, ke0), c];
    observed(p, dtm).forEach((v, i) =>
      assert.ok(rel(v, want[i]) < 1e-10, `.dtm record ${i}: ${v} vs ${want[i]}`),
    );
    observed(q, nm).forEach((v, i) =>
      assert.ok(rel(v, want[i]) < 1e-8, `NONMEM record ${i}: ${v} vs ${want[i]}`),
    );
  });

  test('mistakes caught: an observation of a DVID no output reads (DT_DATA on DVID at its line), one DVID read by two outputs, dvid 0; printed and read back', () => {
    const m = compile(byDvid);
    try {
      parseDataset(csv.replace('1,8,0,1,0,0,55,2', '1,8,0,1,0,0,55,3'), m.ir, 'data.csv');
      assert.fail('DVID 3 accepted');
    } catch (e) {
      assert.ok(e instanceof DosetwinError);
      assert.deepEqual(
        e.issues.map((i) => [i.code, i.field, i.line]),
        [['DT_DATA', 'DVID', 5]],
      );
      assert.match(e.issues[0].message, /no output of the model reads DVID 3/);
    }
    assert.throws(
      () => compile(EFFECT_MODEL.replace('cmt 1', 'dvid 1').replace('cmt 2', 'dvid 1')),
      (e: unknown) =>
        e instanceof DosetwinError && /dvid 1 is read by two outputs \(CP and E\)/.test(e.issues[0].message),
    );
    assert.throws(
      () => parseModel(modelText(EFFECT_MODEL.replace('cmt 1', 'dvid 0')), 'x.dtm'),
      (e: unknown) =>
        e instanceof DosetwinError && /dvid must be a positive integer/.test(e.issues[0].message),
    );
    const ir = parseModel(modelText(byDvid), 'x.dtm');
    assert.deepEqual(
      ir.errors.map((e) => e.dvids),
      [[1], [2]],
    );
    const again = parseModel(printModel(ir), 'x.dtm');
    assert.deepEqual(
      again.errors.map((e) => [e.output, e.dvids, e.cmts]),
      [
        ['CP', [1], []],
        ['E', [2], []],
      ],
    );
  });

  test('a dataset with a text DVID column (nlmixr-style cp / pca) still reads for a model whose outputs go by CMT', () => {
    const m = compile(EFFECT_MODEL);
    const [p] = parseDataset('ID,TIME,CMT,DV,DVID\n1,0,1,.,cp\n1,1,1,2.1,cp\n', m.ir, 'data.csv').patients;
    assert.equal(p.dvid, undefined);
  });
});

test('NONMEM: $ERROR branching on DVID (1 concentration, proportional; 2 effect, additive) gives the .dtm model’s predictions and variances per record (rel 1e-8)', () => {
  const src = `$PROBLEM effect compartment with DVID
$INPUT ID TIME AMT CMT EVID MDV DV DVID
$DATA data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=11
$MODEL COMP=(CENTRAL DEFDOSE DEFOBS) COMP=(EFFECT)
$PK
V = THETA(2)*EXP(ETA(2))
KE0 = THETA(3)*EXP(ETA(1))
A_0(1) = THETA(1)
$DES
DADT(1) = 0
DADT(2) = KE0*(A(1)/V - A(2))
$ERROR
CP = A(1)/V
E = THETA(4)*A(2)/(THETA(5) + A(2))
IF (DVID.EQ.1) THEN
  Y = CP + CP*EPS(1)
ELSE
  Y = E + EPS(2)
ENDIF
$THETA 20 10 0.3 100 1.5
$OMEGA 0.1 0.05
$SIGMA 0.01 25
`;
  const data = `ID,TIME,AMT,CMT,EVID,MDV,DV,DVID
1,0,0,1,2,1,.,1
1,1,0,1,0,0,2.3,1
1,2,0,2,0,0,30,2
1,8,0,2,0,0,55,2
1,8,0,1,0,0,1.9,1
`;
  const cs = parseControlStream(src, 'effect.mod');
  const m = compileModel(cs.ir);
  const variance: number[] = [];
  const k = m.varianceSlots[0];
  const sim = new Simulator({ ...m, outputs: (s) => (m.outputs(s), variance.push(s[k])) });
  const [p] = parseDataset(data, cs.ir, 'data.csv').patients;
  const out = new Float64Array(p.n);
  sim.run(p, [0.2, -0.1], out);
  const c = 20 / (10 * Math.exp(-0.1));
  const ke0 = 0.3 * Math.exp(0.2);
  const want = [c, effectAt(2, c, ke0), effectAt(8, c, ke0), c];
  const wantVar = [0.01 * c * c, 25, 25, 0.01 * c * c];
  observed(p, out).forEach((v, i) => assert.ok(rel(v, want[i]) < 1e-8, `record ${i}: ${v} vs ${want[i]}`));
  // The outputs run at EVID 0 and 2 records in order; the EVID 2 record at time 0 comes first.
  const obsVariance = variance.slice(1);
  assert.equal(obsVariance.length, 4);
  obsVariance.forEach((v, i) => assert.ok(rel(v, wantVar[i]) < 1e-8, `variance ${i}: ${v} vs ${wantVar[i]}`));
});

describe('units of PD compartments and outputs', () => {
  // An effect compartment in mg/L and a response in no unit; the effect E is a score (unit -).
  const blocks = (cmts: string, errUnit: string): string => `
parameters  value  unit  label
  V         10     L     "volume"
  KE0       0.3    1/h   "effect-site equilibration rate"
  EMAX      100    -     "maximal effect"
  EC50      1.5    mg/L  "effect-site concentration at half the maximal effect"
  KOUT      0.1    1/h   "loss of the response"
compartments ${cmts}
equations
  CP = central / V
  init(resp) = 1
  d/dt(central) = -KOUT * central
  d/dt(effect) = KE0 * (CP - effect)
  d/dt(resp) = KOUT * (1 - EMAX / 100 * effect / (EC50 + effect)) - KOUT * resp
  E = EMAX * effect / (EC50 + effect)
error
  CP ~ prop(0.1)   cmt 1
  E ~ add(5)       cmt 2${errUnit}
`;
  const findings = (src: string): string[] =>
    checkUnits(parseModel(modelText(src), 'pd.dtm')).map((i) => i.message);

  test('compartments declared (mg/L) and (-), output E declared unit -: no finding; printed and read back the same', () => {
    const src = blocks('central, effect (mg/L), resp (-)', '   unit -');
    assert.deepEqual(findings(src), []);
    const ir = parseModel(modelText(src), 'pd.dtm');
    assert.deepEqual(ir.compartmentUnits, { effect: 'mg/L', resp: '-' });
    assert.equal(ir.errors[1].unit, '-');
    const printed = printModel(ir);
    assert.match(printed, /compartments {2}central, effect \(mg\/L\), resp \(-\)/);
    assert.match(printed, /E ~ add\(sd = 5\) {3}cmt 2 {3}unit -/);
    const again = parseModel(printed, 'again.dtm');
    assert.deepEqual(again.compartmentUnits, ir.compartmentUnits);
    assert.equal(again.errors[1].unit, '-');
  });

  test('undeclared, every PD compartment is read as an amount (mg): d/dt(effect), d/dt(resp) and the output E are flagged', () => {
    const f = findings(blocks('central, effect, resp', ''));
    assert.ok(
      f.some((m) => /^d\/dt\(effect\) is in/.test(m)),
      f.join('\n'),
    );
    assert.ok(
      f.some((m) => /^d\/dt\(resp\) is in/.test(m)),
      f.join('\n'),
    );
    assert.ok(
      f.some((m) => /output E is in .*the model's concentration unit is mg\/L/.test(m)),
      f.join('\n'),
    );
  });

  test('the mistake it catches: a response declared (-) whose d/dt is written in mg/L per hour', () => {
    const src = blocks('central, effect (mg/L), resp (-)', '   unit -').replace(
      'KOUT * (1 - EMAX / 100 * effect / (EC50 + effect)) - KOUT * resp',
      'KOUT * (1 - EMAX / 100 * effect / (EC50 + effect)) - KOUT * effect',
    );
    const f = findings(src);
    assert.ok(
      f.some((m) => m === "'-' between 1/h and g/L/h ×0.001"),
      f.join('\n'),
    );
  });

  test('a declared output unit the checker does not know is said, not ignored', () => {
    const f = findings(blocks('central, effect (mg/L), resp (-)', '   unit furlongs'));
    assert.ok(
      f.some((m) => /unit 'furlongs' of output E is not known/.test(m)),
      f.join('\n'),
    );
  });
});

describe('transit(a1..aN, k = K, input = E): a chain of delays of a signal', () => {
  const model = (eq: string): string => `
parameters  value  unit  label
  K         0.5    1/h   "transit rate"
  E0        0.4    -     "signal after the step"
compartments a1 (-), a2 (-), a3 (-)
equations
  init(a1) = 1
  init(a2) = 1
  init(a3) = 1
${eq}
  OUT = a3
error
  OUT ~ add(0.01)   cmt 3   unit -
`;
  const sugar = model('  transit(a1..a3, k = K, input = E0)');
  const hand = model('  d/dt(a1) = K * (E0 - a1)\n  d/dt(a2) = K * (a1 - a2)\n  d/dt(a3) = K * (a2 - a3)');

  test('is the d/dt statements written by hand (the same printed model)', () => {
    assert.equal(
      printModel(parseModel(modelText(sugar), 's.dtm')),
      printModel(parseModel(modelText(hand), 'h.dtm')),
    );
  });

  test('a step of the signal from 1 to E0 reaches the 3rd compartment as 1 − (1 − E0)·P(3, Kt), the Erlang CDF (rel 1e-10)', () => {
    // a3(t) = E0 + (1 − E0)·e^(−Kt)·(1 + Kt + (Kt)²/2)
    const m = compile(sugar);
    const times = [1, 4, 10, 30];
    const p = patient([START], times, 3);
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    observed(p, out).forEach((v, i) => {
      const x = 0.5 * times[i];
      const want = 0.4 + 0.6 * Math.exp(-x) * (1 + x + (x * x) / 2);
      assert.ok(rel(v, want) < 1e-10, `t ${times[i]}: ${v} vs ${want}`);
    });
  });

  test('a range that is not one is a syntax error at its line', () => {
    for (const bad of [
      '  transit(a3..a1, k = K, input = E0)',
      '  transit(a1..b3, k = K, input = E0)',
      '  transit(a1..a3, k = K)',
    ]) {
      assert.throws(
        () => parseModel(modelText(model(bad)), 'bad.dtm'),
        (e: unknown) =>
          e instanceof DosetwinError && e.issues[0].code === 'DT_MODEL_SYNTAX' && e.issues[0].line === 12,
        bad,
      );
    }
  });
});
