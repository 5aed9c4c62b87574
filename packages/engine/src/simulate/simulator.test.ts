// Event semantics and solver agreement (issue 2, acceptance 1): closed forms, the exact matrix
// exponential and numerical integration of the same model agree over multi-dose regimens with
// lag times, bioavailability, infusions and steady state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordInput } from '../events/records.ts';
import { compile, grid, observed, patient } from '../test-support/models.ts';
import { Simulator } from './simulator.ts';

const ERR = `error\n  CP ~ prop(0.1)\n`;

/** Each structure written twice: built-in closed form, and the same equations as ODEs. */
const pairs = [
  {
    name: '1-cpt oral, lag 0.75 h, F 0.8',
    params: `parameters value unit label\n  CL 3 L/h "cl"\n  V 40 L "v"\n  KA 1.3 1/h "ka"\n`,
    closed: `equations\n  lag(depot) = 0.75\n  bioav(depot) = 0.8\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n`,
    ode: `compartments depot, central\nequations\n  lag(depot) = 0.75\n  bioav(depot) = 0.8\n  d/dt(depot) = -KA * depot\n  d/dt(central) = KA * depot - CL / V * central\n  CP = central / V\n`,
    doses: [
      { time: 0, amt: 500, cmt: 1, ii: 12, addl: 5 },
      { time: 80, amt: 200, cmt: 2, rate: 100 },
    ],
    obsCmt: 2,
  },
  {
    name: '1-cpt IV infusions (RATE > 0 and RATE = -2 modelled duration)',
    params: `parameters value unit label\n  CL 5 L/h "cl"\n  V 30 L "v"\n  D1 1.5 h "duration"\n`,
    closed: `equations\n  duration(central) = D1\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n`,
    ode: `compartments central\nequations\n  duration(central) = D1\n  d/dt(central) = -CL / V * central\n  CP = central / V\n`,
    doses: [
      { time: 0, amt: 1000, cmt: 1, rate: 250, ii: 8, addl: 3 },
      { time: 40, amt: 600, cmt: 1, rate: -2 },
    ],
    obsCmt: 1,
  },
  {
    name: '2-cpt oral with lag plus an IV infusion into central',
    params: `parameters value unit label\n  CL 4 L/h "cl"\n  V1 20 L "v1"\n  Q 6 L/h "q"\n  V2 55 L "v2"\n  KA 0.9 1/h "ka"\n`,
    closed: `equations\n  lag(depot) = 0.4\n  pk two_cmt(cl = CL, v1 = V1, q = Q, v2 = V2, ka = KA)\n  CP = central / V1\n`,
    ode: `compartments depot, central, peripheral\nequations\n  lag(depot) = 0.4\n  d/dt(depot) = -KA * depot\n  d/dt(central) = KA * depot - (CL + Q) / V1 * central + Q / V2 * peripheral\n  d/dt(peripheral) = Q / V1 * central - Q / V2 * peripheral\n  CP = central / V1\n`,
    doses: [
      { time: 0, amt: 300, cmt: 1, ii: 24, addl: 2 },
      { time: 30, amt: 400, cmt: 2, rate: 200 },
    ],
    obsCmt: 2,
  },
  {
    name: '2-cpt IV (ADVAN3) with modelled rate (RATE = -1)',
    params: `parameters value unit label\n  CL 2 L/h "cl"\n  V1 10 L "v1"\n  Q 3 L/h "q"\n  V2 25 L "v2"\n  R1 120 mg/h "rate"\n`,
    closed: `equations\n  rate(central) = R1\n  pk two_cmt(cl = CL, v1 = V1, q = Q, v2 = V2)\n  CP = central / V1\n`,
    ode: `compartments central, peripheral\nequations\n  rate(central) = R1\n  d/dt(central) = -(CL + Q) / V1 * central + Q / V2 * peripheral\n  d/dt(peripheral) = Q / V1 * central - Q / V2 * peripheral\n  CP = central / V1\n`,
    doses: [{ time: 0, amt: 500, cmt: 1, rate: -1, ii: 12, addl: 4 }],
    obsCmt: 1,
  },
  {
    name: '3-cpt oral with lag (ADVAN12)',
    params: `parameters value unit label\n  CL 6 L/h "cl"\n  V1 15 L "v1"\n  Q2 9 L/h "q2"\n  V2 40 L "v2"\n  Q3 1.5 L/h "q3"\n  V3 120 L "v3"\n  KA 2.2 1/h "ka"\n`,
    closed: `equations\n  lag(depot) = 0.25\n  pk three_cmt(cl = CL, v1 = V1, q2 = Q2, v2 = V2, q3 = Q3, v3 = V3, ka = KA)\n  CP = central / V1\n`,
    ode: `compartments depot, central, periph1, periph2\nequations\n  lag(depot) = 0.25\n  d/dt(depot) = -KA * depot\n  d/dt(central) = KA * depot - (CL + Q2 + Q3) / V1 * central + Q2 / V2 * periph1 + Q3 / V3 * periph2\n  d/dt(periph1) = Q2 / V1 * central - Q2 / V2 * periph1\n  d/dt(periph2) = Q3 / V1 * central - Q3 / V3 * periph2\n  CP = central / V1\n`,
    doses: [
      { time: 0, amt: 250, cmt: 1, ii: 12, addl: 6 },
      { time: 50, amt: 100, cmt: 2 },
    ],
    obsCmt: 2,
  },
  {
    name: '3-cpt IV infusion (ADVAN11)',
    params: `parameters value unit label\n  CL 6 L/h "cl"\n  V1 15 L "v1"\n  Q2 9 L/h "q2"\n  V2 40 L "v2"\n  Q3 1.5 L/h "q3"\n  V3 120 L "v3"\n`,
    closed: `equations\n  pk three_cmt(cl = CL, v1 = V1, q2 = Q2, v2 = V2, q3 = Q3, v3 = V3)\n  CP = central / V1\n`,
    ode: `compartments central, periph1, periph2\nequations\n  d/dt(central) = -(CL + Q2 + Q3) / V1 * central + Q2 / V2 * periph1 + Q3 / V3 * periph2\n  d/dt(periph1) = Q2 / V1 * central - Q2 / V2 * periph1\n  d/dt(periph2) = Q3 / V1 * central - Q3 / V3 * periph2\n  CP = central / V1\n`,
    doses: [{ time: 0, amt: 900, cmt: 1, rate: 300, ii: 8, addl: 8 }],
    obsCmt: 1,
  },
];

/** |a − b| ≤ tol·|b|, for values above 1e-6 of the profile's peak (near-zero values: absolute). */
function assertClose(actual: number[], expected: number[], tol: number, what: string): number {
  const peak = Math.max(...expected.map(Math.abs));
  let worst = 0;
  expected.forEach((e, i) => {
    const err = Math.abs(actual[i] - e) / Math.max(Math.abs(e), 1e-6 * peak);
    worst = Math.max(worst, err);
    assert.ok(
      err <= tol,
      `${what}: at index ${i} got ${actual[i]}, expected ${e} (rel ${err.toExponential(2)} > ${tol})`,
    );
  });
  return worst;
}

describe('closed form = matrix exponential = numerical ODE (rel 1e-6)', () => {
  for (const c of pairs) {
    test(c.name, () => {
      const closed = compile(c.params + c.closed + ERR);
      const ode = compile(c.params + c.ode + ERR);
      assert.equal(closed.structure.kind, 'closed');
      assert.equal(ode.structure.kind, 'linear-ode');
      const p = patient(c.doses as RecordInput[], grid(0, 0.37, 130), c.obsCmt);
      const run = (sim: Simulator): number[] => {
        const out = new Float64Array(p.n);
        sim.run(p, null, out);
        return observed(p, out);
      };
      const ref = run(new Simulator(closed));
      const exact = run(new Simulator(ode));
      const numerical = run(new Simulator(ode, { solver: 'numerical', ode: { rtol: 1e-10, atol: 1e-10 } }));
      assert.ok(Math.max(...ref) > 0.1, 'profile is not trivially zero');
      assertClose(exact, ref, 1e-9, 'matrix exponential vs closed form');
      assertClose(numerical, ref, 1e-6, 'numerical ODE vs closed form');
    });
  }
});

const ONE_CMT_IV = `parameters value unit label\n  CL 2 L/h "cl"\n  V 20 L "v"\n${`equations\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n`}${ERR}`;

describe('event semantics against hand-derived values (rel 1e-12)', () => {
  const k = 0.1; // CL/V
  test('bolus: C = D/V·exp(−k t) (D 100 mg, V 20 L, k 0.1 /h)', () => {
    const m = compile(ONE_CMT_IV);
    const p = patient([{ time: 0, amt: 100 }], [0, 5, 10]);
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    assertClose(observed(p, out), [5, 5 * Math.exp(-0.5), 5 * Math.exp(-1)], 1e-12, 'bolus');
  });
  test('ADDL/II equals the same doses written out', () => {
    const m = compile(ONE_CMT_IV);
    const obs = grid(0, 1.3, 60);
    const a = patient([{ time: 0, amt: 100, ii: 12, addl: 4 }], obs);
    const b = patient(
      grid(0, 12, 48).map((t) => ({ time: t, amt: 100 })),
      obs,
    );
    const oa = new Float64Array(a.n);
    const ob = new Float64Array(b.n);
    new Simulator(m).run(a, null, oa);
    new Simulator(m).run(b, null, ob);
    assertClose(observed(a, oa), observed(b, ob), 1e-12, 'ADDL');
  });
  test('EVID 3 resets amounts; EVID 4 resets and doses', () => {
    const m = compile(ONE_CMT_IV);
    const p = patient(
      [
        { time: 0, amt: 100 },
        { time: 10, evid: 3 },
        { time: 20, amt: 50, evid: 4 },
      ],
      [9, 11, 25],
    );
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    assertClose(observed(p, out), [5 * Math.exp(-0.9), 0, 2.5 * Math.exp(-0.5)], 1e-12, 'reset');
  });
  test('F with a fixed RATE lengthens the infusion: duration = F·AMT/RATE', () => {
    const m = compile(
      `parameters value unit label\n  CL 2 L/h "cl"\n  V 20 L "v"\nequations\n  bioav(central) = 0.5\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
    );
    // 100 mg × F 0.5 at 25 mg/h lasts 2 h: C(2) = R/CL·(1 − e^{−2k}), C(5) = C(2)·e^{−3k}.
    const p = patient([{ time: 0, amt: 100, rate: 25 }], [2, 5]);
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    const cEnd = (25 / 2) * (1 - Math.exp(-2 * k)); // R/CL·(1 − e^{−k·2})
    assertClose(observed(p, out), [cEnd, cEnd * Math.exp(-3 * k)], 1e-12, 'F·AMT/RATE');
  });
  test('time-varying covariate: the value on the record at t applies over (t_prev, t]', () => {
    const m = compile(
      `covariates unit valid label handling\n  WT kg 1..300 "weight" required\nparameters value unit label\n  CL70 2 L/h "cl"\n  V 20 L "v"\nequations\n  CL = CL70 * WT / 70\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
    );
    // Dose 100 at 0 (WT 70), record at 4 h with WT 140, record at 10 h with WT 35:
    // over (0,4] CL = 4 (WT of the 4 h record); over (4,10] CL = 1 (WT of the 10 h record).
    const p = patient(
      [
        { time: 0, amt: 100, cov: [70] },
        { time: 4, evid: 0, cov: [140] },
        { time: 10, evid: 0, cov: [35] },
      ],
      [],
      0,
      1,
    );
    const out = new Float64Array(p.n);
    new Simulator(m).run(p, null, out);
    const c4 = 5 * Math.exp((-4 / 20) * 4);
    assertClose(observed(p, out), [c4, c4 * Math.exp((-1 / 20) * 6)], 1e-12, 'next-record covariates');
  });
  // A dose entering after its record's time takes F (and a modelled rate or duration) from the
  // first record at or after its entry, as PREDPP does (NONMEM's run921 in the shared MAP
  // benchmark shows it for F; see the README there). Model: 1-cpt IV, CL 2 L/h, V 20 L, k 0.1 /h,
  // a covariate X (no effect on CL or V) sets F = X or the modelled duration = 2·X.
  const TV = (modifier: string): string =>
    `covariates unit valid label handling\n  X - 0..10 "x" required\nparameters value unit label\n  CL 2 L/h "cl"\n  V 20 L "v"\nequations\n  ${modifier}\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`;
  const runTv = (modifier: string, rows: RecordInput[]): number[] => {
    const p = patient(rows, [], 0, 1);
    const out = new Float64Array(p.n);
    new Simulator(compile(TV(modifier))).run(p, null, out);
    return observed(p, out);
  };
  test('a lagged dose takes F from the first record at or after it enters, not from its own record', () => {
    // 100 mg at 0 (X 1), lag 1 h: it enters at 1 h; the first record then is at 2 h (X 0.25), so
    // F = 0.25: C(0.5) = 0, C(2) = 0.25·100/20·e^{−0.1}.
    const got = runTv('bioav(central) = X\n  lag(central) = 1', [
      { time: 0, amt: 100, cov: [1] },
      { time: 0.5, evid: 0, cov: [0.5] },
      { time: 2, evid: 0, cov: [0.25] },
    ]);
    assertClose(got, [0, 1.25 * Math.exp(-k)], 1e-12, 'lagged F');
  });
  test('an ADDL dose takes F from the first record at or after it enters', () => {
    // 100 mg at 0 (X 1) and again at 12 h (ADDL 1): the 12 h dose takes F = 0.5 from the 13 h record.
    const got = runTv('bioav(central) = X', [
      { time: 0, amt: 100, ii: 12, addl: 1, cov: [1] },
      { time: 6, evid: 0, cov: [1] },
      { time: 13, evid: 0, cov: [0.5] },
    ]);
    assertClose(got, [5 * Math.exp(-0.6), 5 * Math.exp(-1.3) + 2.5 * Math.exp(-k)], 1e-12, 'ADDL F');
  });
  test('a lagged infusion (RATE = −2) takes its modelled duration from the record at or after it enters', () => {
    // 100 mg at 0 (X 1: duration 2 h), lag 1 h; the record at 1.5 h has X 0.5: duration 1 h, so
    // 100 mg/h from 1 to 2 h: A(1.5) = 100/k·(1 − e^{−0.05}), A(2) = 100/k·(1 − e^{−0.1}), A(3) = A(2)·e^{−0.1}.
    const got = runTv('duration(central) = 2 * X\n  lag(central) = 1', [
      { time: 0, amt: 100, rate: -2, cov: [1] },
      { time: 1.5, evid: 0, cov: [0.5] },
      { time: 3, evid: 0, cov: [0.5] },
    ]);
    const a2 = (100 / k) * -Math.expm1(-0.1);
    assertClose(got, [((100 / k) * -Math.expm1(-0.05)) / 20, (a2 * Math.exp(-0.1)) / 20], 1e-12, 'lagged D');
  });
  test('a lagged infusion (RATE = −1) takes its modelled rate and its F from the record at or after it enters', () => {
    // F = X/2, rate = 50·X mg/h, lag 1 h. Dose record (X 1): F 0.5, 50 mg/h, so 50 mg over 1 h.
    // Entry at 1 h; the first record then is at 1.5 h (X 2): F 1, 100 mg/h, so 100 mg over 1 h,
    // 100 mg/h from 1 to 2 h — the same profile as the RATE = −2 case above, twice what the dose
    // record's values would give.
    const got = runTv('bioav(central) = X / 2\n  rate(central) = 50 * X\n  lag(central) = 1', [
      { time: 0, amt: 100, rate: -1, cov: [1] },
      { time: 1.5, evid: 0, cov: [2] },
      { time: 3, evid: 0, cov: [2] },
    ]);
    const a2 = (100 / k) * -Math.expm1(-0.1);
    assertClose(got, [((100 / k) * -Math.expm1(-0.05)) / 20, (a2 * Math.exp(-0.1)) / 20], 1e-12, 'lagged R');
  });
});

describe('steady state', () => {
  const OBS_LAST = grid(1200, 0.5, 1212);
  const run = (blocks: string, rows: RecordInput[], obs: number[], opts = {}): number[] => {
    const m = compile(blocks);
    const p = patient(rows, obs, 0);
    const out = new Float64Array(p.n);
    new Simulator(m, opts).run(p, null, out);
    return observed(p, out);
  };
  const ORAL = `parameters value unit label\n  CL 3 L/h "cl"\n  V 40 L "v"\n  KA 1.3 1/h "ka"\n  Q 5 L/h "q"\n  V2 60 L "v2"\nequations\n  lag(depot) = 3\n  pk two_cmt(cl = CL, v1 = V, q = Q, v2 = V2, ka = KA)\n  CP = central / V\n${ERR}`;
  test('SS=1 oral with lag longer than II/4 equals 100 doses given (rel 1e-9)', () => {
    const ss = run(ORAL, [{ time: 1200, amt: 100, ii: 12, ss: 1, cmt: 1 }], OBS_LAST);
    const many = run(ORAL, [{ time: 0, amt: 100, ii: 12, addl: 100, cmt: 1 }], OBS_LAST);
    assertClose(ss, many, 1e-9, 'SS oral');
  });
  test('SS=1 infusion longer than II (15 h every 12 h) equals 100 infusions given (rel 1e-9)', () => {
    const blocks = ONE_CMT_IV;
    const ss = run(blocks, [{ time: 1200, amt: 150, rate: 10, ii: 12, ss: 1 }], OBS_LAST);
    const many = run(blocks, [{ time: 0, amt: 150, rate: 10, ii: 12, addl: 100 }], OBS_LAST);
    assertClose(ss, many, 1e-9, 'SS long infusion');
  });
  test('SS=1 constant infusion (AMT 0, RATE 10, II 0): C = R/CL = 5 mg/L (rel 1e-12)', () => {
    const c = run(ONE_CMT_IV, [{ time: 0, amt: 0, rate: 10, ss: 1, evid: 1 }], [0, 7, 100]);
    assertClose(c, [5, 5, 5], 1e-12, 'SS constant infusion');
  });
  test('SS=2 adds the steady state to the current amounts (rel 1e-12)', () => {
    const one = run(ONE_CMT_IV, [{ time: 100, amt: 100, ii: 24, ss: 1 }], [110]);
    const bolusOnly = run(ONE_CMT_IV, [{ time: 95, amt: 40 }], [110]);
    const both = run(
      ONE_CMT_IV,
      [
        { time: 95, amt: 40 },
        { time: 100, amt: 100, ii: 24, ss: 2 },
      ],
      [110],
    );
    assertClose(both, [one[0] + bolusOnly[0]], 1e-12, 'SS=2');
  });
  test('Michaelis–Menten (numerical ODE): SS=1 by iteration equals 200 doses given (rel 1e-6)', () => {
    const mm = `parameters value unit label\n  VMAX 40 mg/h "vmax"\n  KM 4 mg/L "km"\n  V 30 L "v"\n  KA 1 1/h "ka"\ncompartments depot, central\nequations\n  C = central / V\n  d/dt(depot) = -KA * depot\n  d/dt(central) = KA * depot - VMAX * C / (KM + C)\n  CP = C\n${ERR}`;
    const obs = grid(2400, 0.5, 2412);
    const ss = run(mm, [{ time: 2400, amt: 300, ii: 12, ss: 1, cmt: 1 }], obs);
    const many = run(mm, [{ time: 0, amt: 300, ii: 12, addl: 200, cmt: 1 }], obs);
    assertClose(ss, many, 1e-6, 'SS MM');
  });
});

test('transit chain built-in (Savic 2007, 3 transits into 2-cpt) = the same ODEs integrated numerically (rel 1e-6)', () => {
  const params = `parameters value unit label\n  CL 21.2 L/h "cl"\n  V1 141 L "v1"\n  Q 79 L/h "q"\n  V2 271 L "v2"\n  KTR 5.11 1/h "ktr"\n`;
  const builtin = compile(
    `${params}equations\n  pk two_cmt(cl = CL, v1 = V1, q = Q, v2 = V2, ka = KTR, ntr = 3, ktr = KTR)\n  CP = 1000 * central / V1\n${ERR}`,
  );
  assert.equal(builtin.structure.kind, 'linear-ode');
  assert.deepEqual(builtin.ir.compartments, [
    'depot',
    'transit1',
    'transit2',
    'transit3',
    'central',
    'peripheral',
  ]);
  const written = compile(
    `${params}compartments depot, t1, t2, t3, central, peripheral\nequations\n  d/dt(depot) = -KTR * depot\n  d/dt(t1) = KTR * depot - KTR * t1\n  d/dt(t2) = KTR * t1 - KTR * t2\n  d/dt(t3) = KTR * t2 - KTR * t3\n  d/dt(central) = KTR * t3 - (CL + Q) / V1 * central + Q / V2 * peripheral\n  d/dt(peripheral) = Q / V1 * central - Q / V2 * peripheral\n  CP = 1000 * central / V1\n${ERR}`,
  );
  const p = patient([{ time: 0, amt: 5, cmt: 1, ii: 12, addl: 9 }], grid(0, 0.25, 132), 5);
  const a = new Float64Array(p.n);
  const b = new Float64Array(p.n);
  new Simulator(builtin).run(p, null, a);
  new Simulator(written, { solver: 'numerical', ode: { rtol: 1e-10, atol: 1e-12 } }).run(p, null, b);
  assertClose(observed(p, a), observed(p, b), 1e-6, 'transit');
});

describe('AUC accumulated by the simulator (rel 1e-12)', () => {
  test('1-cpt oral, two doses: cumulative AUC equals the closed-form integral of the Bateman sum', () => {
    const m = compile(
      `parameters value unit label\n  CL 3 L/h "cl"\n  V 40 L "v"\n  KA 1.3 1/h "ka"\nequations\n  lag(depot) = 0.5\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n${ERR}`,
    );
    const k = 3 / 40;
    const ka = 1.3;
    // ∫0^T of D·ka/(V(ka−k))·(e^{−k s} − e^{−ka s}) ds, with s = t − t_dose − lag ≥ 0.
    const aucOne = (D: number, T: number): number =>
      T <= 0 ? 0 : ((D * ka) / (40 * (ka - k))) * ((1 - Math.exp(-k * T)) / k - (1 - Math.exp(-ka * T)) / ka);
    const times = [1, 6, 12.4, 24, 100];
    const p = patient([{ time: 0, amt: 500, cmt: 1, ii: 12, addl: 1 }], times, 2);
    const sim = new Simulator(m);
    sim.integrateOutput = 0;
    const out = new Float64Array(p.n);
    const auc = new Float64Array(p.n);
    sim.run(p, null, out, auc);
    const got = observed(p, auc);
    const want = times.map((t) => aucOne(500, t - 0.5) + aucOne(500, t - 12.5));
    assertClose(got, want, 1e-12, 'cumulative AUC');
  });
});

test('individual parameters in stages (once per run, kept per record, per record) give exactly what the whole block gives, for another patient and after a parameter change too', () => {
  // CL has a power of a covariate (kept per record), an eta term (once per run) and a branch;
  // V an inter-occasion eta (not once per run: it changes with the occasion).
  const m = compile(`covariates unit valid label handling
  WT kg 1..300 "weight" required
  SEX - 0..1 "sex" required
parameters value unit label
  TVCL 2 L/h "cl"
  TVV 20 L "v"
  KA 1.2 1/h "ka"
  EXPO 0.75 - "allometric exponent"
random
  eta_CL ~ 0.1    eta_V ~ 0.1
  iov eta_OCC ~ 0.05
equations
  CL = TVCL * exp(eta_CL) * (WT / 70)^EXPO
  if (SEX > 0.5) { CL = CL * exp(0.1 * eta_V) * 0.8^SEX }
  V = TVV * exp(eta_V + eta_OCC)
  pk one_cmt(cl = CL, v = V, ka = KA)
  CP = central / V
${ERR}`);
  assert.ok(m.individualStages && m.individualStages.recordConstantSlots.length > 0, 'the model is staged');
  const whole = { ...m, individualStages: null };
  const rows = (wt: number[], sex: number[]): RecordInput[] => [
    { time: 0, amt: 100, cmt: 1, cov: [wt[0], sex[0]], occ: 1 },
    ...[1, 3, 8, 24].map((t, k) => ({
      time: t,
      evid: 0,
      cmt: 2,
      cov: [wt[k + 1], sex[k + 1]],
      occ: t < 8 ? 1 : 2,
    })),
  ];
  const a = patient(rows([70, 72, 75, 71, 69], [0, 1, 1, 0, 1]), [], 0, 2);
  const b = patient(rows([50, 90, 60, 120, 40], [1, 0, 1, 1, 0]), [], 0, 2);
  const eta = [0.2, -0.1, 0, 0.05, -0.03]; // model order, then IOV for occasions 1 and 2
  const staged = new Simulator(m);
  const reference = new Simulator(whole);
  const same = (p: typeof a, what: string, e: number[] = eta): void => {
    const x = new Float64Array(p.n);
    const y = new Float64Array(p.n);
    staged.run(p, e, x);
    reference.run(p, e, y);
    assert.deepEqual([...x], [...y], what);
    assert.ok(
      x.some((v, i) => p.evid[i] === 0 && v > 0),
      `${what}: predictions`,
    );
  };
  same(a, 'patient a');
  same(a, 'patient a again (kept values)');
  same(b, 'patient b at the same record indices');
  // Without IOV blocks the etas are loaded at the first record only.
  same(b, 'patient b, model etas only', eta.slice(0, 3));
  const expo = m.thetaSlots[3];
  staged.s[expo] = reference.s[expo] = 1;
  same(b, 'after a parameter change');
});
