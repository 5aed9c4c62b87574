/// <reference types="node" />
// Every expected value here is known independently of the solver: closed forms (derived below),
// the Lambert-W solution of Michaelis–Menten elimination, or a SciPy Radau fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DosetwinError } from '../errors.ts';
import { OdeSolver, type OdeOptions, type OdeRhs } from './ode.ts';

type Method = NonNullable<OdeOptions['method']>;
const METHODS: readonly Method[] = ['nonstiff', 'stiff', 'auto'];

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

/** Integrate from 0 through each output time in turn (restarting at each), return states. */
function run(
  n: number,
  rhs: OdeRhs,
  y0: readonly number[],
  times: readonly number[],
  options: OdeOptions,
): { ys: Float64Array[]; solver: OdeSolver } {
  const solver = new OdeSolver(n, rhs, options);
  const y = Float64Array.from(y0);
  const ys: Float64Array[] = [];
  let t = 0;
  for (const tt of times) {
    solver.integrate(t, y, tt);
    t = tt;
    ys.push(y.slice());
  }
  return { ys, solver };
}

// ---------------------------------------------------------------------------------------------
// 1. Exponential decay and 1-compartment oral absorption (Bateman), rtol 1e-10.
// Bateman: A_gut' = -ka·A_gut, A_c' = ka·A_gut - ke·A_c, A_gut(0) = D, A_c(0) = 0 gives
// A_c(t) = D·ka/(ka-ke)·(e^{-ke t} - e^{-ka t}) = -D·ka/(ka-ke)·e^{-ke t}·expm1(-(ka-ke)t)
// (the expm1 form has no cancellation).
const K = 0.3;
const KA = 1.2;
const KE = 0.15;
const DOSE = 100;
const closedForms: readonly {
  name: string;
  n: number;
  rhs: OdeRhs;
  y0: number[];
  exact: (t: number) => number[];
}[] = [
  {
    name: 'exponential decay y′=−0.3y',
    n: 1,
    rhs: (_t, y, d) => {
      d[0] = -K * y[0];
    },
    y0: [DOSE],
    exact: (t) => [DOSE * Math.exp(-K * t)],
  },
  {
    name: '1-cpt oral (Bateman) ka=1.2 ke=0.15',
    n: 2,
    rhs: (_t, y, d) => {
      d[0] = -KA * y[0];
      d[1] = KA * y[0] - KE * y[1];
    },
    y0: [DOSE, 0],
    exact: (t) => [
      DOSE * Math.exp(-KA * t),
      ((-DOSE * KA) / (KA - KE)) * Math.exp(-KE * t) * Math.expm1(-(KA - KE) * t),
    ],
  },
];
// Up to 12 h, where A_gut = D·e^{-14.4} ≈ 5.6e-5 is still ≫ atol, so the error is purely relative.
const TIMES1 = [0.5, 1, 2, 4, 8, 12];
for (const c of closedForms) {
  for (const method of METHODS) {
    test(`${c.name} [${method}] rtol 1e-10 matches closed form to 1e-8 relative`, () => {
      const { ys, solver } = run(c.n, c.rhs, c.y0, TIMES1, { rtol: 1e-10, atol: 1e-14, method });
      TIMES1.forEach((t, k) => {
        const want = c.exact(t);
        for (let i = 0; i < c.n; i++) {
          assert.ok(relErr(ys[k][i], want[i]) <= 1e-8, `t=${t} y[${i}]=${ys[k][i]} want ${want[i]}`);
        }
      });
      assert.ok(solver.stats.steps > 0);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Two-compartment IV bolus. A1' = -(k10+k12)A1 + k21 A2, A2' = k12 A1 - k21 A2, A1(0) = D.
// Eigenvalues -α, -β with α+β = k10+k12+k21, αβ = k10·k21; then
// A1 = D[(α-k21)e^{-αt} + (k21-β)e^{-βt}]/(α-β), A2 = D·k12(e^{-βt} - e^{-αt})/(α-β).
const K10 = 0.4;
const K12 = 0.9;
const K21 = 0.25;
const S = K10 + K12 + K21;
const ALPHA = (S + Math.sqrt(S * S - 4 * K10 * K21)) / 2;
const BETA = (K10 * K21) / ALPHA; // from the product, avoids cancellation in (S - sqrt)/2
const TIMES2 = [0.25, 1, 3, 6, 12, 24, 48];
for (const method of METHODS) {
  test(`2-cpt IV bolus [${method}] rtol 1e-9 matches bi-exponential to 1e-7 relative`, () => {
    const rhs: OdeRhs = (_t, y, d) => {
      d[0] = -(K10 + K12) * y[0] + K21 * y[1];
      d[1] = K12 * y[0] - K21 * y[1];
    };
    const { ys } = run(2, rhs, [DOSE, 0], TIMES2, { rtol: 1e-9, atol: 1e-14, method });
    TIMES2.forEach((t, k) => {
      const ea = Math.exp(-ALPHA * t);
      const eb = Math.exp(-BETA * t);
      const a1 = (DOSE * ((ALPHA - K21) * ea + (K21 - BETA) * eb)) / (ALPHA - BETA);
      const a2 = (DOSE * K12 * (eb - ea)) / (ALPHA - BETA);
      assert.ok(relErr(ys[k][0], a1) <= 1e-7, `t=${t} A1=${ys[k][0]} want ${a1}`);
      assert.ok(relErr(ys[k][1], a2) <= 1e-7, `t=${t} A2=${ys[k][1]} want ${a2}`);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Michaelis–Menten elimination C' = -Vmax·C/(Km+C). Separating variables:
// Km·ln(C/C0) + (C - C0) = -Vmax·t, i.e. (C/Km)e^{C/Km} = (C0/Km)e^{(C0 - Vmax t)/Km},
// so C(t) = Km·W((C0/Km)·exp((C0 - Vmax·t)/Km)) with W the principal Lambert W.

/** Principal-branch Lambert W for x ≥ 0 by Halley's iteration (cubic convergence). */
function lambertW(x: number): number {
  let w = x < 1 ? x * (1 - x) : Math.log(x) - Math.log(Math.log(x) + 1) + 0.5;
  if (!(w > 0)) w = Math.log1p(x);
  for (let it = 0; it < 50; it++) {
    const ew = Math.exp(w);
    const f = w * ew - x;
    const wNew = w - f / (ew * (w + 1) - ((w + 2) * f) / (2 * w + 2));
    if (Math.abs(wNew - w) <= 1e-16 * Math.max(1, Math.abs(wNew))) return wNew;
    w = wNew;
  }
  return w;
}

test('lambertW self-check: W(x)·e^W(x) = x to 1e-14 relative', () => {
  for (const x of [1e-8, 0.01, 0.5, 1, Math.E, 10, 1e3, 1e8]) {
    const w = lambertW(x);
    assert.ok(relErr(w * Math.exp(w), x) <= 1e-14, `x=${x}`);
  }
  assert.ok(Math.abs(lambertW(Math.E) - 1) <= 1e-15);
});

const VMAX = 8; // mg/L/h
const KM = 2.5; // mg/L
const C0 = 30; // mg/L: starts saturated (C0 ≫ Km), ends linear (C ≪ Km)
// Saturated until t ≈ 4 h, then ≈ first order at Vmax/Km = 3.2/h; at 6 h C ≈ 5e-3 ≫ atol.
const TIMES3 = [0.5, 1, 2, 3, 4, 5, 6];
for (const method of METHODS) {
  test(`Michaelis–Menten [${method}] rtol 1e-9 matches Lambert-W solution to 1e-7 relative`, () => {
    const rhs: OdeRhs = (_t, y, d) => {
      d[0] = (-VMAX * y[0]) / (KM + y[0]);
    };
    const { ys } = run(1, rhs, [C0], TIMES3, { rtol: 1e-9, atol: 1e-14, method });
    TIMES3.forEach((t, k) => {
      const want = KM * lambertW((C0 / KM) * Math.exp((C0 - VMAX * t) / KM));
      assert.ok(relErr(ys[k][0], want) <= 1e-7, `t=${t} C=${ys[k][0]} want ${want}`);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 4. Robertson chemical kinetics, the classic stiff test (Hairer & Wanner II, §IV.1).
interface Fixture {
  provenance: { tool: string; rtol: number; atol: number; date: string };
  robertson: { t: number[]; y: number[][] };
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ode-reference.json', import.meta.url), 'utf8'),
) as Fixture;
const robertson: OdeRhs = (_t, y, d) => {
  d[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
  d[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
  d[2] = 3e7 * y[1] * y[1];
};
// Hairer & Wanner's published values at t = 40.
const HW_T40 = [0.7158270687, 9.185534764e-6, 0.2841637457];

test('fixture: SciPy Radau Robertson at t=40 agrees with Hairer & Wanner to 1e-9 relative', () => {
  const y40 = fixture.robertson.y[fixture.robertson.t.indexOf(40)];
  for (let i = 0; i < 3; i++) assert.ok(relErr(y40[i], HW_T40[i]) <= 1e-9, `y${i + 1}=${y40[i]}`);
  assert.ok(fixture.provenance.rtol <= 1e-12);
});

for (const method of ['stiff', 'auto'] as const) {
  test(`Robertson to t=40 [${method}] rtol 1e-10 matches SciPy Radau fixture to 1e-7 relative`, () => {
    const { ys, solver } = run(3, robertson, [1, 0, 0], fixture.robertson.t, {
      rtol: 1e-10,
      atol: 1e-16,
      method,
      maxSteps: 20000,
    });
    fixture.robertson.t.forEach((t, k) => {
      for (let i = 0; i < 3; i++) {
        const want = fixture.robertson.y[k][i];
        assert.ok(relErr(ys[k][i], want) <= 1e-7, `t=${t} y${i + 1}=${ys[k][i]} want ${want}`);
      }
    });
    assert.ok(solver.stats.stiffSteps > 0);
  });
}

test('Robertson rtol 1e-6: stiff and auto need < 1/20 of the rhs evaluations of nonstiff', () => {
  const evals: Record<string, number> = {};
  for (const method of METHODS) {
    const { ys, solver } = run(3, robertson, [1, 0, 0], [40], {
      rtol: 1e-6,
      atol: 1e-12,
      method,
      maxSteps: 1_000_000,
    });
    // Looser tolerance, so only 1e-4 here; the accuracy itself is checked in the tests above.
    for (let i = 0; i < 3; i++) assert.ok(relErr(ys[0][i], HW_T40[i]) <= 1e-4, `${method} y${i + 1}`);
    evals[method] = solver.stats.rhsEvals;
  }
  assert.ok(evals.stiff * 20 < evals.nonstiff, JSON.stringify(evals));
  assert.ok(evals.auto * 20 < evals.nonstiff, JSON.stringify(evals));
});

test('nonstiff on Robertson with maxSteps 2000 throws DT_ODE_STEPS, not a hang', () => {
  const solver = new OdeSolver(3, robertson, { method: 'nonstiff', maxSteps: 2000 });
  assert.throws(
    () => solver.integrate(0, Float64Array.of(1, 0, 0), 40),
    (e: unknown) => e instanceof DosetwinError && e.issues[0].code === 'DT_ODE_STEPS',
  );
});

// ---------------------------------------------------------------------------------------------
// 5. Restart semantics and failure modes.
for (const method of METHODS) {
  test(`restart [${method}]: 0→5 then 5→10 equals 0→10 to 1e-8 relative (rtol 1e-10)`, () => {
    const rhs: OdeRhs = (_t, y, d) => {
      d[0] = -KA * y[0];
      d[1] = KA * y[0] - (VMAX * y[1]) / (KM + y[1]);
    };
    const opts: OdeOptions = { rtol: 1e-10, atol: 1e-14, method };
    const a = Float64Array.of(DOSE, 0);
    const sa = new OdeSolver(2, rhs, opts);
    sa.integrate(0, a, 5);
    sa.integrate(5, a, 10);
    const b = Float64Array.of(DOSE, 0);
    new OdeSolver(2, rhs, opts).integrate(0, b, 10);
    for (let i = 0; i < 2; i++) assert.ok(relErr(a[i], b[i]) <= 1e-8, `y[${i}] ${a[i]} vs ${b[i]}`);
  });
}

test('t1 === t0 leaves y unchanged (bit for bit) and calls no rhs', () => {
  const solver = new OdeSolver(2, (_t, y, d) => {
    d[0] = -y[0];
    d[1] = y[0];
  });
  const y = Float64Array.of(1.234, 5.678);
  solver.integrate(3, y, 3);
  assert.deepEqual(Array.from(y), [1.234, 5.678]);
  assert.equal(solver.stats.rhsEvals, 0);
});

for (const method of METHODS) {
  test(`NaN-producing rhs [${method}] throws DosetwinError DT_ODE_NONFINITE`, () => {
    const always = new OdeSolver(1, (_t, _y, d) => (d[0] = NaN), { method });
    assert.throws(
      () => always.integrate(0, Float64Array.of(1), 1),
      (e: unknown) => e instanceof DosetwinError && e.issues[0].code === 'DT_ODE_NONFINITE',
    );
    // NaN only once the state leaves the model's domain (sqrt of a negative): y' = -sqrt(y) - 1
    // reaches y = 0 at a finite time; past it every step size fails.
    const later = new OdeSolver(1, (_t, y, d) => (d[0] = -Math.sqrt(y[0]) - 1), { method });
    const y = Float64Array.of(1);
    assert.throws(
      () => later.integrate(0, y, 10),
      (e: unknown) =>
        e instanceof DosetwinError && ['DT_ODE_NONFINITE', 'DT_ODE_STEPS'].includes(e.issues[0].code),
    );
  });
}

test('a span of a few ulps (events almost coinciding) does not throw and moves y by f·Δt', () => {
  for (const method of METHODS) {
    const solver = new OdeSolver(1, (_t, y, d) => (d[0] = -y[0]), { method });
    const y = Float64Array.of(2);
    const t1 = 24 + 2 * Number.EPSILON * 24;
    solver.integrate(24, y, t1);
    assert.ok(Math.abs(y[0] - 2 * (1 - (t1 - 24))) <= 1e-15, `${method}: ${y[0]}`);
  }
});

test('t1 < t0 throws DT_ODE_ARGS', () => {
  const solver = new OdeSolver(1, (_t, y, d) => (d[0] = -y[0]));
  assert.throws(
    () => solver.integrate(1, Float64Array.of(1), 0),
    (e: unknown) => e instanceof DosetwinError && e.issues[0].code === 'DT_ODE_ARGS',
  );
});

test('lands exactly on t1: a rhs that records t never sees t > t1', () => {
  let tMax = -Infinity;
  const solver = new OdeSolver(1, (t, y, d) => {
    if (t > tMax) tMax = t;
    d[0] = -0.1 * y[0];
  });
  const y = Float64Array.of(1);
  solver.integrate(0, y, 7.3);
  assert.ok(tMax <= 7.3, `tMax=${tMax}`);
});

// ---------------------------------------------------------------------------------------------
// 6. Transit chain: 5 compartments with rate ktr each, then 1-cpt disposition with rate k.
// A_1(0) = D, A_i' = ktr(A_{i-1} - A_i): A_i(t) = D(ktr t)^{i-1}/(i-1)!·e^{-ktr t} (Poisson terms).
// Input to central = ktr·A_5(t) = D·ktr^5 t^4/4!·e^{-ktr t}, the Erlang(5, ktr) density × D. So
// A_c(t) = ∫_0^t D ktr^5 s^4/4! e^{-ktr s} e^{-k(t-s)} ds = D ktr^5/4!·e^{-kt}∫_0^t s^4 e^{-a s} ds,
// a = ktr - k, and ∫_0^t s^4 e^{-as} ds = 4!/a^5·P(5, a t), P the regularised lower incomplete gamma:
// A_c(t) = D·(ktr/a)^5·e^{-kt}·P(5, a t), with P(5, x) = e^{-x}·Σ_{j≥5} x^j/j! (no cancellation).
function lowerGammaP(m: number, x: number): number {
  let term = Math.exp(-x);
  for (let j = 1; j <= m; j++) term *= x / j; // e^{-x} x^m/m!
  let sum = 0;
  for (let j = m; term > 1e-18 * sum || j < m + 3; j++) {
    sum += term;
    term *= x / (j + 1);
  }
  return sum;
}
const KTR = 2.0;
const KEL = 0.2;
const NTR = 5;
const TIMES6 = [0.5, 1, 2, 3, 5, 8, 12, 24];
for (const method of METHODS) {
  test(`transit chain of 5 (Erlang) into 1-cpt [${method}] rtol 1e-9 matches closed form to 1e-7`, () => {
    const rhs: OdeRhs = (_t, y, d) => {
      d[0] = -KTR * y[0];
      for (let i = 1; i < NTR; i++) d[i] = KTR * (y[i - 1] - y[i]);
      d[NTR] = KTR * y[NTR - 1] - KEL * y[NTR];
    };
    const y0 = [DOSE, 0, 0, 0, 0, 0];
    const { ys } = run(NTR + 1, rhs, y0, TIMES6, { rtol: 1e-9, atol: 1e-14, method });
    const a = KTR - KEL;
    TIMES6.forEach((t, k) => {
      const central = DOSE * Math.pow(KTR / a, NTR) * Math.exp(-KEL * t) * lowerGammaP(NTR, a * t);
      assert.ok(relErr(ys[k][NTR], central) <= 1e-7, `t=${t} central=${ys[k][NTR]} want ${central}`);
      let fact = 1;
      for (let i = 0; i < NTR; i++) {
        if (i > 0) fact *= i;
        const ai = (DOSE * Math.pow(KTR * t, i) * Math.exp(-KTR * t)) / fact;
        // Absolute floor: late transit amounts fall to ~1e-10·D, below what rtol controls.
        assert.ok(
          Math.abs(ys[k][i] - ai) <= 1e-7 * Math.max(ai, 1e-3),
          `t=${t} A${i + 1}=${ys[k][i]} want ${ai}`,
        );
      }
    });
  });
}

test('analytic Jacobian gives the same Robertson answer as finite differences, with fewer rhs calls', () => {
  const opts: OdeOptions = { rtol: 1e-8, atol: 1e-14, method: 'stiff' };
  const fd = new OdeSolver(3, robertson, opts);
  const an = new OdeSolver(3, robertson, opts, (_t, y, J) => {
    J[0] = -0.04;
    J[1] = 1e4 * y[2];
    J[2] = 1e4 * y[1];
    J[3] = 0.04;
    J[4] = -1e4 * y[2] - 6e7 * y[1];
    J[5] = -1e4 * y[1];
    J[6] = 0;
    J[7] = 6e7 * y[1];
    J[8] = 0;
  });
  const a = Float64Array.of(1, 0, 0);
  const b = Float64Array.of(1, 0, 0);
  fd.integrate(0, a, 40);
  an.integrate(0, b, 40);
  for (let i = 0; i < 3; i++) assert.ok(relErr(b[i], HW_T40[i]) <= 1e-6, `y${i + 1}=${b[i]}`);
  for (let i = 0; i < 3; i++) assert.ok(relErr(a[i], b[i]) <= 1e-6);
  assert.ok(an.stats.rhsEvals < fd.stats.rhsEvals);
});

// ---------------------------------------------------------------------------------------------
// Default absolute tolerance scaled by each state's peak, and error control on leading states only.
// Oral 1-cpt with a 1e4 dose (Bateman, as in 1.), then its forward sensitivity S = ∂A/∂ka carried
// along: S_gut' = -A_gut - ka·S_gut, S_c' = A_gut + ka·S_gut - ke·S_c, S(0) = 0, whose closed form is
// the derivative in ka of the Bateman function:
// ∂A_c/∂ka = D·[−ke/(ka−ke)²·(e^{−ke t} − e^{−ka t}) + ka/(ka−ke)·t·e^{−ka t}].
test('default atol (1e-4·rtol·peak): oral 1-cpt from a 1e4 dose matches Bateman to 1e-8 relative', () => {
  const D = 1e4;
  const ka = 1.3;
  const ke = 0.07;
  const rhs: OdeRhs = (_t, y, d) => {
    d[0] = -ka * y[0];
    d[1] = ka * y[0] - ke * y[1];
  };
  const times = [0.5, 2, 8, 24, 48, 96];
  for (const method of METHODS) {
    const { ys } = run(2, rhs, [D, 0], times, { rtol: 1e-10, method });
    times.forEach((t, k) => {
      const want = ((-D * ka) / (ka - ke)) * Math.exp(-ke * t) * Math.expm1(-(ka - ke) * t);
      assert.ok(relErr(ys[k][1], want) < 1e-8, `${method} t=${t}: ${ys[k][1]} vs ${want}`);
    });
  }
});

test('atol given explicitly stays absolute; atolPeakFraction and errorComponents are validated', () => {
  const rhs: OdeRhs = (_t, y, d) => {
    d[0] = -y[0];
  };
  // Exponential decay from 1 to e^-40 ≈ 4e-18 with atol 1e-30: the relative error stays at rtol's
  // level only if atol is not raised by the peak (the default would allow 1e-4·1e-8·1 = 1e-12).
  const { ys } = run(1, rhs, [1], [40], { rtol: 1e-8, atol: 1e-30, method: 'nonstiff' });
  assert.ok(relErr(ys[0][0], Math.exp(-40)) < 1e-6, `${ys[0][0]} vs ${Math.exp(-40)}`);
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof DosetwinError ? e.issues[0].field : 'not a DosetwinError';
    }
    return undefined;
  };
  assert.equal(
    code(() => new OdeSolver(1, rhs, { atolPeakFraction: -1 })),
    'atolPeakFraction',
  );
  assert.equal(
    code(() => new OdeSolver(2, rhs, { errorComponents: 3 })),
    'errorComponents',
  );
  assert.equal(
    code(() => new OdeSolver(2, rhs, { errorComponents: 0 })),
    'errorComponents',
  );
});

test('errorComponents: sensitivities carried on the states’ steps match the closed form ∂A_c/∂ka to 1e-7', () => {
  const D = 1e4;
  const ka = 1.3;
  const ke = 0.07;
  const rhs: OdeRhs = (_t, y, d) => {
    d[0] = -ka * y[0];
    d[1] = ka * y[0] - ke * y[1];
    d[2] = -y[0] - ka * y[2];
    d[3] = y[0] + ka * y[2] - ke * y[3];
  };
  const times = [0.5, 2, 8, 24, 48];
  for (const method of METHODS) {
    const { ys } = run(4, rhs, [D, 0, 0, 0], times, { rtol: 1e-8, errorComponents: 2, method });
    times.forEach((t, k) => {
      const r = ka - ke;
      const want =
        D * ((-ke / (r * r)) * (Math.exp(-ke * t) - Math.exp(-ka * t)) + (ka / r) * t * Math.exp(-ka * t));
      assert.ok(relErr(ys[k][3], want) < 1e-7, `${method} t=${t}: ${ys[k][3]} vs ${want}`);
    });
  }
});
