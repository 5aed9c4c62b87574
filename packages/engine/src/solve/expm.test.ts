// Tests may use Node: the engine's purity rule is for shipped code, not for its test harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { DosetwinError } from '../errors.ts';
import { ExpmWorkspace, LinearOde, expm, isFiniteMatrix } from './expm.ts';

interface Case {
  name: string;
  note: string;
  n: number;
  norm1: number;
  A: number[];
  expA: number[];
}
interface Fixture {
  provenance: Record<string, unknown>;
  cases: Case[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/expm-reference.json', import.meta.url), 'utf8'),
) as Fixture;

/** ‖x − y‖_F / ‖y‖_F (vectors and row-major matrices alike). */
function relFro(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / den);
}

test('expm matches scipy.linalg.expm reference (≤ 1e-12 rel Frobenius; stiff ≤ 1e-11)', () => {
  assert.ok(fixture.cases.length >= 15);
  for (const c of fixture.cases) {
    const got = expm(c.n, Float64Array.from(c.A), new Float64Array(c.n * c.n));
    const err = relFro(got, c.expA);
    const tol = c.name.startsWith('stiff') ? 1e-11 : 1e-12;
    assert.ok(err <= tol, `${c.name}: rel Frobenius error ${err.toExponential(2)} > ${tol}`);
  }
});

test('expm: output may alias input; workspace reuse across sizes gives identical bits (exact)', () => {
  const ws = new ExpmWorkspace(8);
  for (const c of fixture.cases) {
    const fresh = expm(c.n, Float64Array.from(c.A), new Float64Array(c.n * c.n));
    const inPlace = Float64Array.from(c.A);
    ws.expm(c.n, inPlace, inPlace);
    assert.deepEqual(inPlace, fresh, c.name);
  }
});

// e^d has condition number |d|, and the Padé numerator at a negative argument is an alternating sum
// of terms up to ~e^{|d|/2^s}·u before squaring, so ~1e-14 relative at d = −40 is the method's normal
// accuracy (Higham 2005 bounds the backward error normwise, not the forward error componentwise).
test('expm of 0 is I (exact) and of diag(d) is diag(e^d) (≤ 1e-13 rel)', () => {
  const z = expm(3, new Float64Array(9), new Float64Array(9));
  assert.deepEqual(Array.from(z), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const d = [-40, -0.3, 2.5];
  const D = new Float64Array(9);
  d.forEach((x, i) => (D[i * 4] = x));
  const E = expm(3, D, new Float64Array(9));
  d.forEach((x, i) => assert.ok(Math.abs(E[i * 4] - Math.exp(x)) <= 1e-13 * Math.exp(x), `d=${x}`));
  assert.equal(E[1], 0);
});

test('1-cpt oral (Bateman) matches closed form (≤ 1e-12 rel per component)', () => {
  // depot → central at ka, elimination k: A_c(t) = D·ka/(ka − k)·(e^{−k t} − e^{−ka t}).
  const ka = 1.2;
  const k = 0.15;
  const D = 100;
  const ode = new LinearOde(2);
  ode.setMatrix(Float64Array.from([-ka, 0, ka, -k]));
  const zero = new Float64Array(2);
  for (const t of [0.1, 0.5, 1, 2.75, 8, 24, 48]) {
    const a = Float64Array.from([D, 0]);
    ode.advance(a, zero, t);
    const depot = D * Math.exp(-ka * t);
    const central = ((D * ka) / (ka - k)) * (Math.exp(-k * t) - Math.exp(-ka * t));
    assert.ok(Math.abs(a[0] - depot) <= 1e-12 * depot, `depot t=${t}: ${a[0]} vs ${depot}`);
    assert.ok(Math.abs(a[1] - central) <= 1e-12 * central, `central t=${t}: ${a[1]} vs ${central}`);
  }
});

// Scaling and squaring is accurate normwise: a component many orders below the largest one (e.g. the
// 6th compartment a few minutes after the dose, ~1e-7 of it) is accurate to ~u·‖A(t)‖, not to its own
// size. So the chain is checked relative to ‖A(t)‖∞, and per component for components ≥ 1e-3 of it.
test('Erlang transit chain matches gamma-convolution closed form (≤ 1e-12 rel, normwise)', () => {
  // Savic transit model: dose compartment 0 and transits 1..5, all at the same ktr, so compartments
  // 0..N−1 (N = 6) form one Jordan block and K is defective. With a bolus D into compartment 0, the Laplace transform of transit k is D·ktr^k/(s + ktr)^{k+1}: each stage multiplies
  // by ktr/(s + ktr), i.e. convolves with the Exp(ktr) density, and k convolutions of exponentials
  // give the gamma (Erlang) density. Inverting: A_k(t) = D·(ktr t)^k/k!·e^{−ktr t}.
  // The 8×8 model appends a 2-cpt disposition fed by the last transit; the chain does not see it.
  const N = 6;
  const ktr = 2.5;
  const [cl, v1, q, v2] = [4, 20, 3, 40];
  const n = N + 2;
  const K = new Float64Array(n * n);
  for (let i = 0; i < N; i++) {
    K[i * n + i] = -ktr;
    K[(i + 1) * n + i] = ktr; // row i+1 is the next transit, or the central for i = N−1
  }
  const c = N;
  const p = N + 1;
  K[c * n + c] = -(cl + q) / v1;
  K[p * n + c] = q / v1;
  K[c * n + p] = q / v2;
  K[p * n + p] = -q / v2;
  const ode = new LinearOde(n);
  ode.setMatrix(K);
  const D = 250;
  const zero = new Float64Array(n);
  for (const t of [0.05, 0.4, 1, 2, 3.5, 6]) {
    const a = new Float64Array(n);
    a[0] = D;
    ode.advance(a, zero, t);
    const want = new Float64Array(N);
    let fact = 1;
    for (let k = 0; k < N; k++) {
      if (k > 0) fact *= k;
      want[k] = (D * (ktr * t) ** k * Math.exp(-ktr * t)) / fact;
    }
    const scale = Math.max(...want);
    for (let k = 0; k < N; k++) {
      const tol = 1e-12 * (want[k] >= 1e-3 * scale ? want[k] : scale);
      assert.ok(Math.abs(a[k] - want[k]) <= tol, `compartment ${k} t=${t}: ${a[k]} vs ${want[k]}`);
    }
    // Mass balance: whatever left the transits is in central + periph or eliminated (rate cl/v1·A_c),
    // so central + periph ≤ D − Σ transits (a weak but independent check on the disposition block).
    let transits = 0;
    for (let k = 0; k < N; k++) transits += a[k];
    assert.ok(a[c] + a[p] <= D - transits + 1e-12 * D);
  }
});

test('zero-order infusion into 1-cpt matches R/k·(1 − e^{−k t}) + A0·e^{−k t} (≤ 1e-12 rel)', () => {
  const k = 0.23;
  const R = 37.5;
  const ode = new LinearOde(1);
  ode.setMatrix(Float64Array.from([-k]));
  for (const A0 of [0, 80]) {
    for (const t of [1e-3, 0.5, 2, 10, 100]) {
      const a = Float64Array.from([A0]);
      ode.advance(a, Float64Array.from([R]), t);
      const want = (R / k) * -Math.expm1(-k * t) + A0 * Math.exp(-k * t);
      assert.ok(Math.abs(a[0] - want) <= 1e-12 * want, `A0=${A0} t=${t}: ${a[0]} vs ${want}`);
    }
  }
  // Into the central of a 2-cpt model the infusion integral also has to reach the periphery.
  const ode2 = new LinearOde(2);
  const k10 = 0.2;
  const k12 = 0.5;
  const k21 = 0.1;
  ode2.setMatrix(Float64Array.from([-(k10 + k12), k21, k12, -k21]));
  const a = new Float64Array(2);
  // Slowest mode is ≈ −0.026/h, so after 5000 h the transient is e^{−129}: the steady state.
  ode2.advance(a, Float64Array.from([R, 0]), 5000);
  // Steady state of K a + r = 0: a_c = R/k10, a_p = a_c·k12/k21.
  assert.ok(Math.abs(a[0] - R / k10) <= 1e-12 * (R / k10));
  assert.ok(Math.abs(a[1] - ((R / k10) * k12) / k21) <= 1e-12 * (((R / k10) * k12) / k21));
});

function erlang8(): Float64Array {
  const fx = fixture.cases.find((c) => c.name === 'erlang5-2cpt-8x8-dt1')!;
  return Float64Array.from(fx.A);
}

test('semigroup: advance(dt1); advance(dt2) = advance(dt1 + dt2) with input (≤ 1e-12 rel)', () => {
  for (const c of fixture.cases.filter((x) => x.name !== 'general-4x4-norm8')) {
    const n = c.n;
    const ode = new LinearOde(n);
    ode.setMatrix(Float64Array.from(c.A));
    const r = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 5 + i : 0));
    const a0 = Float64Array.from({ length: n }, (_, i) => 10 * (i + 1));
    for (const [dt1, dt2] of [
      [0.25, 0.75],
      [1.5, 10.5],
      [0.001, 3],
    ]) {
      const split = Float64Array.from(a0);
      ode.advance(split, r, dt1);
      ode.advance(split, r, dt2);
      const whole = Float64Array.from(a0);
      ode.advance(whole, r, dt1 + dt2);
      const err = relFro(split, whole);
      assert.ok(err <= 1e-12, `${c.name} ${dt1}+${dt2}: ${err.toExponential(2)}`);
    }
  }
});

test('propagator cache: alternating dt and r reproduce fresh objects bit for bit (exact)', () => {
  const K = erlang8();
  const n = 8;
  const cached = new LinearOde(n);
  cached.setMatrix(K);
  const dts = [12, 0.5, 12, 3, 12, 0.5, 7, 1.25, 12, 0.5, 24, 12]; // more distinct dt than slots
  const rs = [
    new Float64Array(n),
    Float64Array.from([100, 0, 0, 0, 0, 0, 0, 0]),
    Float64Array.from([0, 0, 0, 0, 0, 20, 0, 0]),
  ];
  const a = Float64Array.from([500, 0, 0, 0, 0, 0, 0, 0]);
  const b = Float64Array.from(a);
  dts.forEach((dt, i) => {
    const r = rs[i % rs.length];
    cached.advance(a, r, dt);
    const fresh = new LinearOde(n);
    fresh.setMatrix(K);
    fresh.advance(b, r, dt);
    assert.deepEqual(a, b, `step ${i} dt=${dt}`);
  });
  assert.ok(cached.propagatorsComputed < dts.length, 'repeated dt must hit the cache');

  // setMatrix must drop propagators built from the old K.
  const K2 = Float64Array.from(K);
  K2[6 * n + 5] *= 2; // faster elimination
  cached.setMatrix(K2);
  const fresh2 = new LinearOde(n);
  fresh2.setMatrix(K2);
  const x = Float64Array.from(a);
  const y = Float64Array.from(a);
  cached.advance(x, rs[1], 12);
  fresh2.advance(y, rs[1], 12);
  assert.deepEqual(x, y);
});

test('steady state: repeated 12 h dosing with cached propagator computes it once', () => {
  const ode = new LinearOde(8);
  ode.setMatrix(erlang8());
  const a = new Float64Array(8);
  const zero = new Float64Array(8);
  for (let i = 0; i < 200; i++) {
    a[0] += 100;
    ode.advance(a, zero, 12);
  }
  assert.equal(ode.propagatorsComputed, 1);
  assert.ok(a.every((x) => Number.isFinite(x) && x >= 0));
});

test('dt = 0 leaves amounts unchanged (exact)', () => {
  const ode = new LinearOde(2);
  ode.setMatrix(Float64Array.from([-1, 0, 1, -0.1]));
  const a = Float64Array.from([3, 4]);
  ode.advance(a, Float64Array.from([1, 1]), 0);
  assert.deepEqual(Array.from(a), [3, 4]);
});

function assertDomainError(fn: () => unknown, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DosetwinError, String(e));
    assert.equal(e.issues[0].code, 'DT_PARAM_DOMAIN');
    assert.equal(e.issues[0].field, field);
    return true;
  });
}

test('non-finite K, dt or r throws DosetwinError DT_PARAM_DOMAIN naming the field', () => {
  const ode = new LinearOde(2);
  assertDomainError(() => ode.setMatrix(Float64Array.from([-1, 0, NaN, -0.1])), 'K[1][0]');
  assertDomainError(() => ode.setMatrix(Float64Array.from([-1, Infinity, 1, -0.1])), 'K[0][1]');
  ode.setMatrix(Float64Array.from([-1, 0, 1, -0.1]));
  const a = Float64Array.from([1, 0]);
  const r = new Float64Array(2);
  assertDomainError(() => ode.advance(a, r, NaN), 'dt');
  assertDomainError(() => ode.advance(a, r, Infinity), 'dt');
  assertDomainError(() => ode.advance(a, r, -1), 'dt');
  assertDomainError(() => ode.advance(a, Float64Array.from([0, -Infinity]), 1), 'r[1]');
  assertDomainError(() => expm(2, Float64Array.from([0, 0, 0, NaN]), new Float64Array(4)), 'A[1][1]');
  assert.deepEqual(Array.from(a), [1, 0], 'a untouched by a rejected call');
  assert.equal(isFiniteMatrix(2, Float64Array.from([1, 2, 3, 4])), true);
  assert.equal(isFiniteMatrix(2, Float64Array.from([1, 2, NaN, 4])), false);
  assert.equal(isFiniteMatrix(2, Float64Array.from([1, 2, 3])), false);
});
