/**
 * Tests of the exact linear-compartment state advancement against INDEPENDENT references: textbook
 * single-dose concentration equations (1- and 2-cpt), a scipy/mpmath matrix-exponential fixture
 * (3-cpt), closed-form steady states, and algebraic properties (semigroup, linearity, mass balance).
 * Relative errors are measured against the largest magnitude of the compared quantity (a column of the
 * transition matrix, or a concentration), and the largest one seen is reported as a test diagnostic.
 */
// Tests may use Node APIs (the engine proper may not).
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DosetwinError } from '../errors.ts';
import { LinearCmt, solvePeriodicSteadyState } from './linear-cmt.ts';
import reference from './fixtures/linear-reference.json' with { type: 'json' };

type Rates = { k10: number; k12?: number; k21?: number; k13?: number; k31?: number; ka?: number };

function make(nDisp: 1 | 2 | 3, depot: boolean, r: Rates): LinearCmt {
  const s = new LinearCmt(nDisp, depot);
  s.setRates(r.k10, r.k12 ?? 0, r.k21 ?? 0, r.k13 ?? 0, r.k31 ?? 0, r.ka ?? 0);
  return s;
}

/** Advance `a0` with piecewise-constant inputs: segments of (duration, rate vector). */
function run(s: LinearCmt, a0: number[], segments: [number, number[]][]): Float64Array {
  const a = Float64Array.from(a0);
  for (const [dt, r] of segments) s.advance(a, Float64Array.from(r), dt);
  return a;
}

const zeros = (n: number) => new Array<number>(n).fill(0);

/** Tracks the largest relative error of a test and asserts each one against the tolerance. */
class ErrTracker {
  max = 0;
  constructor(readonly tol: number) {}
  rel(got: number, want: number, scale = Math.abs(want), what = ''): void {
    const e = scale === 0 ? Math.abs(got - want) : Math.abs(got - want) / scale;
    if (!(e <= this.tol))
      assert.fail(`${what}: got ${got}, want ${want}, rel err ${e.toExponential(3)} > ${this.tol}`);
    this.max = Math.max(this.max, e);
  }
  report(t: TestContext): void {
    t.diagnostic(`max relative error ${this.max.toExponential(2)} (tolerance ${this.tol})`);
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. One compartment vs textbook equations
// ---------------------------------------------------------------------------------------------------

describe('1-cpt vs textbook equations', () => {
  const D = 100; // mg
  const V = 20; // L
  const k = 0.2; // 1/h (CL = 4 L/h)
  const ka = 1.1;
  const F = 0.8;
  const times = [0.05, 0.5, 1, 2, 4, 12, 48];

  test('IV bolus C = D/V·e^{−kt} (≤ 1e-12 rel)', (t) => {
    const err = new ErrTracker(1e-12);
    const s = make(1, false, { k10: k });
    for (const tt of times) {
      const a = run(s, [D], [[tt, [0]]]);
      err.rel(a[0] / V, (D / V) * Math.exp(-k * tt), undefined, `t=${tt}`);
    }
    err.report(t);
  });

  test('infusion during and after: C = R/(kV)(1−e^{−k·min(t,T)})e^{−k(t−T)+} (≤ 1e-12 rel)', (t) => {
    const err = new ErrTracker(1e-12);
    const R = 50; // mg/h
    const T = 2; // h
    const s = make(1, false, { k10: k });
    for (const tt of times) {
      const segs: [number, number[]][] =
        tt <= T
          ? [[tt, [R]]]
          : [
              [T, [R]],
              [tt - T, [0]],
            ];
      const a = run(s, [0], segs);
      const want =
        tt <= T
          ? (R / (k * V)) * (1 - Math.exp(-k * tt))
          : (R / (k * V)) * (1 - Math.exp(-k * T)) * Math.exp(-k * (tt - T));
      err.rel(a[0] / V, want, undefined, `t=${tt}`);
    }
    err.report(t);
  });

  test('oral Bateman C = F·D·ka/(V(ka−k))·(e^{−kt}−e^{−ka t}), depot F·D·e^{−ka t} (≤ 1e-12 rel)', (t) => {
    const err = new ErrTracker(1e-12);
    const s = make(1, true, { k10: k, ka });
    for (const tt of times) {
      const a = run(s, [F * D, 0], [[tt, [0, 0]]]);
      err.rel(a[0], F * D * Math.exp(-ka * tt), undefined, `depot t=${tt}`);
      const want = ((F * D * ka) / (V * (ka - k))) * (Math.exp(-k * tt) - Math.exp(-ka * tt));
      err.rel(a[1] / V, want, undefined, `central t=${tt}`);
    }
    err.report(t);
  });

  test('across λt = 1, ka·t = 1 and |λ − ka|·t = 1 (expm1 below, plain exp differences above): Bateman, infusion (≤ 1e-14 rel)', (t) => {
    // k = 0.3, ka = 1.3: λt = 1 at t = 1/0.3, ka·t = 1 at t = 1/1.3, |λ − ka|·t = 1 at t = 1; at
    // these times the reference formulas are well conditioned (no difference of nearly equal terms).
    const err = new ErrTracker(1e-14);
    const kk = 0.3;
    const kaa = 1.3;
    const s = make(1, true, { k10: kk, ka: kaa });
    const R = 30;
    for (const at of [1 / kk, 1 / kaa, 1])
      for (const f of [1 - 1e-9, 1, 1 + 1e-9, 0.99, 1.01]) {
        const tt = at * f;
        const a = run(s, [D, 0], [[tt, [0, R]]]);
        err.rel(a[0], D * Math.exp(-kaa * tt), undefined, `depot t=${tt}`);
        const want =
          ((D * kaa) / (kaa - kk)) * (Math.exp(-kk * tt) - Math.exp(-kaa * tt)) +
          (R / kk) * (1 - Math.exp(-kk * tt));
        err.rel(a[1], want, undefined, `central t=${tt}`);
      }
    err.report(t);
  });

  test('oral ka = k: C = F·D·k·t·e^{−kt}/V (≤ 1e-12 rel); ka = k(1+1e-9) agrees with it (≤ 1e-8)', (t) => {
    const exact = new ErrTracker(1e-12);
    const near = new ErrTracker(1e-8);
    const s = make(1, true, { k10: k, ka: k });
    const sNear = make(1, true, { k10: k, ka: k * (1 + 1e-9) });
    for (const tt of times) {
      const want = (F * D * k * tt * Math.exp(-k * tt)) / V;
      exact.rel(run(s, [F * D, 0], [[tt, [0, 0]]])[1] / V, want, undefined, `ka=k t=${tt}`);
      near.rel(run(sNear, [F * D, 0], [[tt, [0, 0]]])[1] / V, want, undefined, `ka≈k t=${tt}`);
    }
    exact.report(t);
    near.report(t);
  });

  test('zero-order input into the depot: central = R[(1−e^{−kt})/k − (e^{−kt}−e^{−ka t})/(ka−k)] (≤ 1e-12 rel)', (t) => {
    // Direct integral of the Bateman kernel: ∫0^t R·ka/(ka−k)(e^{−k(t−s)} − e^{−ka(t−s)}) ds.
    const err = new ErrTracker(1e-12);
    const R = 30;
    const s = make(1, true, { k10: k, ka });
    for (const tt of times) {
      const a = run(s, [0, 0], [[tt, [R, 0]]]);
      err.rel(a[0], (R * (1 - Math.exp(-ka * tt))) / ka, undefined, `depot t=${tt}`);
      const want = ((R * ka) / (ka - k)) * ((1 - Math.exp(-k * tt)) / k - (1 - Math.exp(-ka * tt)) / ka);
      err.rel(a[1], want, undefined, `central t=${tt}`);
    }
    err.report(t);
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. Two compartments vs textbook equations (Gibaldi & Perrier, Pharmacokinetics 2nd ed., ch. 2–3)
// ---------------------------------------------------------------------------------------------------

describe('2-cpt vs textbook equations', () => {
  // CL = 5 L/h, V1 = 10 L, Q = 8 L/h, V2 = 40 L.
  const V1 = 10;
  const k10 = 0.5;
  const k12 = 0.8;
  const k21 = 0.2;
  const sum = k10 + k12 + k21;
  // Textbook hybrid constants, α, β = (sum ± √(sum² − 4 k21 k10))/2.
  const alpha = (sum + Math.sqrt(sum * sum - 4 * k21 * k10)) / 2;
  const beta = (sum - Math.sqrt(sum * sum - 4 * k21 * k10)) / 2;
  const D = 100;
  const times = [0.25, 0.5, 1, 2, 4, 12, 48];

  test('IV bolus C = A e^{−αt} + B e^{−βt} (≤ 1e-12 rel)', (t) => {
    const err = new ErrTracker(1e-12);
    const s = make(2, false, { k10, k12, k21 });
    const A = (D * (alpha - k21)) / (V1 * (alpha - beta));
    const B = (D * (k21 - beta)) / (V1 * (alpha - beta));
    for (const tt of times) {
      const a = run(s, [D, 0], [[tt, [0, 0]]]);
      err.rel(a[0] / V1, A * Math.exp(-alpha * tt) + B * Math.exp(-beta * tt), undefined, `t=${tt}`);
      // Peripheral amount, from mass balance of the same textbook solution: D − A_c − k10·AUC_c.
      const auc = ((A / alpha) * -Math.expm1(-alpha * tt) + (B / beta) * -Math.expm1(-beta * tt)) * V1;
      err.rel(a[1], D - a[0] - k10 * auc, D, `peripheral t=${tt}`);
    }
    err.report(t);
  });

  test('infusion during and after (≤ 1e-12 rel)', (t) => {
    // C = R/V1·Σ_i c_i/λ_i·(1 − e^{−λ_i min(t,T)})·e^{−λ_i (t−T)+}, c_α = (α−k21)/(α−β), c_β = (k21−β)/(α−β).
    const err = new ErrTracker(1e-12);
    const R = 40;
    const T = 1.5;
    const s = make(2, false, { k10, k12, k21 });
    const ca = (alpha - k21) / (alpha - beta);
    const cb = (k21 - beta) / (alpha - beta);
    for (const tt of times) {
      const segs: [number, number[]][] =
        tt <= T
          ? [[tt, [R, 0]]]
          : [
              [T, [R, 0]],
              [tt - T, [0, 0]],
            ];
      const a = run(s, [0, 0], segs);
      const ti = Math.min(tt, T);
      const post = Math.max(0, tt - T);
      const want =
        (R / V1) *
        ((ca / alpha) * (1 - Math.exp(-alpha * ti)) * Math.exp(-alpha * post) +
          (cb / beta) * (1 - Math.exp(-beta * ti)) * Math.exp(-beta * post));
      err.rel(a[0] / V1, want, undefined, `t=${tt}`);
    }
    err.report(t);
  });

  test('oral tri-exponential (≤ 1e-12 rel)', (t) => {
    // C = F·D·ka/V1·[ (k21−α)e^{−αt}/((ka−α)(β−α)) + (k21−β)e^{−βt}/((ka−β)(α−β))
    //               + (k21−ka)e^{−ka t}/((α−ka)(β−ka)) ].
    const err = new ErrTracker(1e-12);
    const ka = 1.3;
    const F = 0.7;
    const s = make(2, true, { k10, k12, k21, ka });
    for (const tt of times) {
      const a = run(s, [F * D, 0, 0], [[tt, [0, 0, 0]]]);
      const want =
        ((F * D * ka) / V1) *
        (((k21 - alpha) * Math.exp(-alpha * tt)) / ((ka - alpha) * (beta - alpha)) +
          ((k21 - beta) * Math.exp(-beta * tt)) / ((ka - beta) * (alpha - beta)) +
          ((k21 - ka) * Math.exp(-ka * tt)) / ((alpha - ka) * (beta - ka)));
      err.rel(a[1] / V1, want, undefined, `t=${tt}`);
      err.rel(a[0], F * D * Math.exp(-ka * tt), undefined, `depot t=${tt}`);
    }
    err.report(t);
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. Three compartments (and one 2-cpt oral) vs the scipy / mpmath matrix-exponential fixture
// ---------------------------------------------------------------------------------------------------

describe(`fixture: scipy ${reference.provenance.scipy} expm, mpmath ${reference.provenance.mpmath} (${reference.provenance.date})`, () => {
  const shape: Record<number, [1 | 2 | 3, boolean]> = {
    3: [2, false],
    4: [2, true],
    11: [3, false],
    12: [3, true],
  };
  for (const c of reference.cases) {
    test(`${c.name} (ADVAN${c.advan}): bolus into each state and zero-order input (≤ 1e-11 rel)`, (t) => {
      const mp = new ErrTracker(1e-11);
      let scipyMax = 0;
      const [nDisp, depot] = shape[c.advan];
      const r = c.rates;
      const s = make(nDisp, depot, r);
      const n = c.n;
      assert.equal(s.n, n);
      for (const st of c.steps) {
        // Column j of the transition matrix: unit amount in state j.
        for (let j = 0; j < n; j++) {
          const e = zeros(n);
          e[j] = 1;
          const a = run(s, e, [[st.t, zeros(n)]]);
          let scale = 0;
          for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(st.phiMp[i * n + j]));
          const tolScipy = Math.max(1e-11, 4 * st.scipyDev);
          for (let i = 0; i < n; i++) {
            mp.rel(a[i], st.phiMp[i * n + j], scale, `t=${st.t} phi[${i},${j}] vs mpmath`);
            const eS = Math.abs(a[i] - st.phi[i * n + j]) / scale;
            assert.ok(eS <= tolScipy, `t=${st.t} phi[${i},${j}] vs scipy: ${eS} > ${tolScipy}`);
            scipyMax = Math.max(scipyMax, eS);
          }
        }
        const a = run(s, zeros(n), [[st.t, c.input]]);
        const scale = Math.max(...st.uMp.map(Math.abs));
        for (let i = 0; i < n; i++) mp.rel(a[i], st.uMp[i], scale, `t=${st.t} u[${i}] vs mpmath`);
      }
      mp.report(t);
      t.diagnostic(`max relative deviation from the scipy values ${scipyMax.toExponential(2)}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// 4. Properties: semigroup, linearity, mass balance (fast-check, seed 42), degenerate cases
// ---------------------------------------------------------------------------------------------------

/** Eigenvalue the depot rate may sit on or near: the resonant case MAP estimation runs into. */
const nearOffsets = [0, 1e-14, -1e-12, 1e-9, -1e-6, 1e-3];

const modelArb = fc
  .record({
    nDisp: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
    depot: fc.boolean(),
    logk: fc.array(fc.double({ min: -3, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
    kaNear: fc.option(fc.record({ which: fc.nat(2), off: fc.constantFrom(...nearOffsets) })),
    a: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
    r: fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 4, maxLength: 4 }),
    t1: fc.double({ min: 0, max: 48, noNaN: true }),
    t2: fc.double({ min: 0, max: 48, noNaN: true }),
  })
  .map((raw) => {
    // Amounts, rates and times so small that their products underflow make "relative" error
    // meaningless (fast-check likes 5e-324): round them to 0.
    const flush = (lim: number) => (x: number) => (x < lim ? 0 : x);
    const p = {
      ...raw,
      a: raw.a.map(flush(1e-9)),
      r: raw.r.map(flush(1e-9)),
      t1: flush(1e-9)(raw.t1),
      t2: flush(1e-9)(raw.t2),
    };
    const k = p.logk.map((x) => 10 ** x);
    const s = new LinearCmt(p.nDisp, p.depot);
    s.setRates(k[0], k[1], k[2], k[3], k[4], k[5]);
    let ka = k[5];
    if (p.depot && p.kaNear) {
      ka = s.lambda[Math.min(p.kaNear.which, p.nDisp - 1)] * (1 + p.kaNear.off);
      s.setRates(k[0], k[1], k[2], k[3], k[4], ka);
    }
    return { ...p, s, rates: [k[0], k[1], k[2], k[3], k[4], ka], n: s.n };
  });

function maxAbs(...vs: ArrayLike<number>[]): number {
  let m = 0;
  for (const v of vs) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

describe('properties (fast-check, seed 42)', () => {
  test('semigroup: advance(t1) then advance(t2) = advance(t1+t2) (≤ 1e-13 rel)', (t) => {
    const err = new ErrTracker(1e-13);
    fc.assert(
      fc.property(modelArb, ({ s, n, a, r, t1, t2 }) => {
        const a0 = a.slice(0, n);
        const rr = r.slice(0, n);
        const two = run(s, a0, [
          [t1, rr],
          [t2, rr],
        ]);
        // t1 + t2 may round; advance over exactly the same total.
        const one = run(s, a0, [[t1 + t2, rr]]);
        const scale = maxAbs(one);
        for (let i = 0; i < n; i++) err.rel(two[i], one[i], scale, `state ${i}`);
      }),
      { seed: 42, numRuns: 2000 },
    );
    err.report(t);
  });

  test('linearity in initial amounts and input rates (≤ 1e-13 rel)', (t) => {
    const err = new ErrTracker(1e-13);
    fc.assert(
      fc.property(modelArb, fc.double({ min: 0.1, max: 3, noNaN: true }), ({ s, n, a, r, t1 }, c) => {
        const a0 = a.slice(0, n);
        const rr = r.slice(0, n);
        const zero = zeros(n);
        const free = run(s, a0, [[t1, zero]]);
        const forced = run(s, zero, [[t1, rr]]);
        const both = run(
          s,
          a0.map((x) => c * x),
          [[t1, rr.map((x) => c * x)]],
        );
        const scale = c * maxAbs(free, forced);
        for (let i = 0; i < n; i++) err.rel(both[i], c * (free[i] + forced[i]), scale, `state ${i}`);
      }),
      { seed: 42, numRuns: 2000 },
    );
    err.report(t);
  });

  test('mass balance with k10 = 0: total = initial total + Σ rate·t (≤ 1e-13 rel)', (t) => {
    const err = new ErrTracker(1e-13);
    fc.assert(
      fc.property(modelArb, ({ n, nDisp, depot, rates, a, r, t1 }) => {
        const s = new LinearCmt(nDisp, depot);
        s.setRates(0, rates[1], rates[2], rates[3], rates[4], rates[5]);
        const a0 = a.slice(0, n);
        const rr = r.slice(0, n);
        const out = run(s, a0, [[t1, rr]]);
        const total = out.reduce((x, y) => x + y, 0);
        const want = a0.reduce((x, y) => x + y, 0) + rr.reduce((x, y) => x + y, 0) * t1;
        err.rel(total, want, maxAbs(out, [want]), 'total');
        for (let i = 0; i < n; i++) assert.ok(out[i] >= -1e-13 * want, `state ${i} negative: ${out[i]}`);
      }),
      { seed: 42, numRuns: 2000 },
    );
    err.report(t);
  });

  test('degenerate rates: no NaN, exact limits (≤ 1e-13 rel)', (t) => {
    const err = new ErrTracker(1e-13);
    const k = 0.3;
    const tt = 5;
    // Q = 0 and k10 = 0: nothing moves, inputs accumulate linearly.
    let a = run(make(2, false, { k10: 0 }), [3, 4], [[tt, [1, 2]]]);
    err.rel(a[0], 3 + tt, 3 + tt, 'central');
    err.rel(a[1], 4 + 2 * tt, 4 + 2 * tt, 'peripheral');
    a = run(make(3, true, { k10: 0 }), [1, 2, 3, 4], [[tt, [0, 0, 0, 0]]]);
    assert.deepEqual([...a], [1, 2, 3, 4]);
    // Q = 0: the peripheral keeps its amount; the central decays mono-exponentially.
    a = run(make(3, false, { k10: k }), [10, 5, 7], [[tt, [0, 0, 0]]]);
    err.rel(a[0], 10 * Math.exp(-k * tt), 10, 'central');
    err.rel(a[1], 5, 5, 'periph1');
    err.rel(a[2], 7, 7, 'periph2');
    // k12 = 0 and k21 = k10: D is a Jordan block (no spectral projectors). Peripheral P0·e^{−kt}
    // drains into the central: C(t) = (C0 + k·P0·t)·e^{−kt}.
    a = run(make(2, false, { k10: k, k12: 0, k21: k }), [10, 5], [[tt, [0, 0]]]);
    err.rel(a[0], (10 + k * 5 * tt) * Math.exp(-k * tt), 10, 'central (Jordan)');
    err.rel(a[1], 5 * Math.exp(-k * tt), 10, 'peripheral (Jordan)');
    // ka = 0: the depot keeps its amount (and integrates its input).
    a = run(make(1, true, { k10: k, ka: 0 }), [10, 0], [[tt, [2, 0]]]);
    err.rel(a[0], 10 + 2 * tt, 10, 'depot');
    err.rel(a[1], 0, 10, 'central');
    // dt = 0 is the identity.
    a = run(make(2, true, { k10: k, k12: 1, k21: 0.5, ka: 1 }), [1, 2, 3], [[0, [5, 5, 5]]]);
    assert.deepEqual([...a], [1, 2, 3]);
    err.report(t);
  });

  test('setRates caches: same values are free, new values take effect', () => {
    const s = make(2, true, { k10: 0.2, k12: 0.5, k21: 0.3, ka: 1 });
    const a1 = run(s, [100, 0, 0], [[2, [0, 0, 0]]]);
    s.setRates(0.2, 0.5, 0.3, 0, 0, 1);
    const a2 = run(s, [100, 0, 0], [[2, [0, 0, 0]]]);
    assert.deepEqual([...a1], [...a2]);
    s.setRates(0.4, 0.5, 0.3, 0, 0, 1);
    const a3 = run(s, [100, 0, 0], [[2, [0, 0, 0]]]);
    assert.ok(a3[1] < a1[1]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. Periodic steady state
// ---------------------------------------------------------------------------------------------------

/** One-period map x ↦ Φx + u built the way the caller does: advance unit vectors, then zero. */
function periodMap(s: LinearCmt, tau: number, dose: number[]): { Phi: Float64Array; u: Float64Array } {
  const n = s.n;
  const Phi = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = zeros(n);
    e[j] = 1;
    const col = run(s, e, [[tau, zeros(n)]]);
    for (let i = 0; i < n; i++) Phi[i * n + j] = col[i];
  }
  // Dose at the start of the period (state just after the dose is x + dose).
  const u = run(s, dose, [[tau, zeros(n)]]);
  return { Phi, u };
}

describe('solvePeriodicSteadyState', () => {
  test('1-cpt bolus every τ: pre-dose amount D·e^{−kτ}/(1−e^{−kτ}) (≤ 1e-12 rel)', (t) => {
    const err = new ErrTracker(1e-12);
    const D = 100;
    for (const [k, tau] of [
      [0.2, 12],
      [0.05, 8],
      [1.5, 24],
      [0.01, 0.5],
    ]) {
      const s = make(1, false, { k10: k });
      const { Phi, u } = periodMap(s, tau, [D]);
      // x = Φ(x + D) ⇒ state at the start of the period (just before the dose) solves (I − Φ)x = ΦD = u.
      const x = solvePeriodicSteadyState(1, Phi, u, new Float64Array(1));
      err.rel(x[0], (D * Math.exp(-k * tau)) / -Math.expm1(-k * tau), undefined, `k=${k} τ=${tau}`);
    }
    err.report(t);
  });

  test('2-cpt oral: steady state equals the superposition of 200 doses (≤ 1e-10 rel)', (t) => {
    const err = new ErrTracker(1e-10);
    const s = make(2, true, { k10: 0.25, k12: 0.6, k21: 0.15, ka: 0.9 });
    const tau = 12;
    const dose = [80, 0, 0];
    const { Phi, u } = periodMap(s, tau, dose);
    const x = solvePeriodicSteadyState(3, Phi, u, new Float64Array(3));
    // Pre-dose state after 200 doses given every τ, by plain simulation.
    const a = new Float64Array(3);
    const zero = new Float64Array(3);
    for (let i = 0; i < 200; i++) {
      a[0] += dose[0];
      s.advance(a, zero, tau);
    }
    for (let i = 0; i < 3; i++) err.rel(x[i], a[i], maxAbs(a), `state ${i}`);
    // And it is a fixed point of one period.
    const y = Float64Array.from(x);
    y[0] += dose[0];
    s.advance(y, zero, tau);
    for (let i = 0; i < 3; i++) err.rel(y[i], x[i], maxAbs(x), `fixed point ${i}`);
    err.report(t);
  });

  test('no elimination: DT_SS_SINGULAR', () => {
    for (const s of [make(1, false, { k10: 0 }), make(2, true, { k10: 0, k12: 0.5, k21: 0.2, ka: 1 })]) {
      const { Phi, u } = periodMap(s, 24, [10, ...zeros(s.n - 1)]);
      assert.throws(
        () => solvePeriodicSteadyState(s.n, Phi, u, new Float64Array(s.n)),
        (e: unknown) => e instanceof DosetwinError && e.issues[0].code === 'DT_SS_SINGULAR',
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// 6. Parameter domain
// ---------------------------------------------------------------------------------------------------

describe('bad rates', () => {
  const names = ['k10', 'k12', 'k21', 'k13', 'k31', 'ka'];
  for (const bad of [-0.1, NaN, Infinity]) {
    for (let i = 0; i < 6; i++) {
      test(`${names[i]} = ${bad} throws DT_PARAM_DOMAIN naming ${names[i]}`, () => {
        const s = new LinearCmt(3, true);
        const k = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        k[i] = bad;
        assert.throws(
          () => s.setRates(k[0], k[1], k[2], k[3], k[4], k[5]),
          (e: unknown) =>
            e instanceof DosetwinError &&
            e.issues[0].code === 'DT_PARAM_DOMAIN' &&
            e.issues[0].field === names[i],
        );
      });
    }
  }

  test('unused constants are ignored; a rejected setRates leaves the object unusable, not stale', () => {
    const s = new LinearCmt(1, false);
    s.setRates(0.1, NaN, -1, NaN, -1, NaN);
    const a = run(s, [1], [[1, [0]]]);
    assert.ok(Math.abs(a[0] - Math.exp(-0.1)) < 1e-15);
    assert.throws(() => s.setRates(-1, 0, 0, 0, 0, 0), DosetwinError);
    assert.throws(() => run(s, [1], [[1, [0]]]), DosetwinError);
  });

  test('negative or non-finite dt throws', () => {
    const s = make(1, false, { k10: 0.1 });
    for (const dt of [-1, NaN, Infinity]) assert.throws(() => run(s, [1], [[dt, [0]]]), DosetwinError);
  });
});
