// The MAP objective term by term against hand-derived values (rel. 1e-12), its gradient against
// central differences of the objective itself (rel. 1e-6), Beal's M3, IOV, the prior weight, and
// the never-NaN rule. Models are linear in η (CP = C0 + SA·η_A + SB·η_B·t/10), so F is known exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordInput } from '../events/records.ts';
import { patientFromRecords } from '../events/records.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile } from '../test-support/models.ts';
import { minimize } from './bfgs.ts';
import { MapEstimator } from './map.ts';
import { logNormalCdf } from './normal.ts';
import { MapObjective } from './objective.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

const base = (error: string, random = 'eta_A ~ 0.3    eta_B ~ 0.2'): string => `
parameters  value  unit  label
  C0        10     mg/L  "intercept"
  SA        2      mg/L  "effect of eta_A"
  SB        -3     mg/L  "effect of eta_B per 10 h"
  CL        1      L/h   "unused"
  V         1      L     "unused"
random
  ${random}
equations
  pk one_cmt(cl = CL, v = V)
  CP = C0 + SA * eta_A + SB * (t / 10) * eta_B + 0 * central
error
  ${error}
`;

const TIMES = [1, 5, 12, 24];
const DV = [11.2, 9.1, 8.7, 5.9];
const F = (eta: number[], t: number): number => 10 + 2 * eta[0] - 3 * (t / 10) * eta[1];

function data(extra: Partial<RecordInput>[] = []): RecordInput[] {
  return [
    { time: 0, amt: 1, cmt: 1 },
    ...TIMES.map((t, k) => ({ time: t, evid: 0, cmt: 1, dv: DV[k], mdv: 0, ...(extra[k] ?? {}) })),
  ];
}

const ETA = [0.3, -0.4];
const PRIOR = ETA[0] ** 2 / 0.3 + ETA[1] ** 2 / 0.2;

const KINDS: { name: string; error: string; phi: (y: number, f: number) => number }[] = [
  { name: 'add(0.5)', error: 'CP ~ add(0.5)', phi: (y, f) => Math.log(0.25) + (y - f) ** 2 / 0.25 },
  {
    name: 'prop(0.1)',
    error: 'CP ~ prop(0.1)',
    phi: (y, f) => Math.log(0.01 * f * f) + (y - f) ** 2 / (0.01 * f * f),
  },
  {
    name: 'add(0.5) + prop(0.1), variances add',
    error: 'CP ~ add(0.5) + prop(0.1)',
    phi: (y, f) => Math.log(0.25 + 0.01 * f * f) + (y - f) ** 2 / (0.25 + 0.01 * f * f),
  },
  {
    name: 'add(0.5) + prop(0.1), SDs add',
    error: 'CP ~ add(0.5) + prop(0.1) combine sd',
    phi: (y, f) => 2 * Math.log(0.5 + 0.1 * f) + (y - f) ** 2 / (0.5 + 0.1 * f) ** 2,
  },
  {
    name: 'exp(0.2) (DV natural scale, ln taken)',
    error: 'CP ~ exp(0.2)',
    phi: (y, f) => Math.log(0.04) + (Math.log(y) - Math.log(f)) ** 2 / 0.04,
  },
];

describe('objective = Σ [ln var + (y − F)²/var] + ηᵀΩ⁻¹η (hand-derived, rel. 1e-12)', () => {
  for (const k of KINDS)
    test(k.name, () => {
      const model = compile(base(k.error));
      const obj = new MapObjective(new Simulator(model), patientFromRecords('1', data(), 0));
      const expected = TIMES.reduce((s, t, j) => s + k.phi(DV[j], F(ETA, t)), PRIOR);
      assert.ok(rel(obj.value(Float64Array.from(ETA)), expected) < 1e-12);
    });
});

test('records after the last observation: the objective (which stops simulating there) keeps the hand-derived value, the fit is the same, and a data error in them is still raised', () => {
  const model = compile(base('CP ~ prop(0.1)'));
  const later: RecordInput[] = [
    { time: 36, amt: 1, cmt: 1 },
    { time: 48, evid: 0, cmt: 1, mdv: 1 },
    { time: 60, amt: 1, cmt: 1 },
  ];
  const p = patientFromRecords('1', [...data(), ...later], 0);
  const obj = new MapObjective(new Simulator(model), p);
  const expected = TIMES.reduce((s, t, j) => s + KINDS[1].phi(DV[j], F(ETA, t)), PRIOR);
  assert.ok(rel(obj.value(Float64Array.from(ETA)), expected) < 1e-12);
  const est = new MapEstimator(model);
  const withLater = est.fit(p);
  const without = est.fit(patientFromRecords('1', data(), 0));
  assert.deepEqual([...withLater.x], [...without.x]);
  // IPRED is still given at the unobserved record after the last observation.
  assert.ok(rel(withLater.ipred.at(-1)!.ipred, F([...withLater.eta], 48)) < 1e-12);
  const bad = patientFromRecords('1', [...data(), { time: 36, amt: 1, cmt: 7 }], 0);
  assert.throws(
    () => est.fit(bad),
    (e: unknown) =>
      e instanceof Error && 'issues' in e && JSON.stringify(e.issues).includes('CMT 7 does not exist'),
  );
});

test("a fit given the objective built beforehand (the data checked first) equals the fit that builds it; another patient's or estimator's objective is refused", () => {
  const model = compile(base('CP ~ prop(0.1)'));
  const est = new MapEstimator(model);
  const p = patientFromRecords('1', data(), 0);
  const own = est.fit(p);
  const given = est.fit(p, est.objective(p));
  assert.deepEqual([...given.x], [...own.x]);
  assert.deepEqual([...given.cov], [...own.cov]);
  assert.equal(given.objective, own.objective);
  assert.equal(given.obj, own.obj);
  const other = patientFromRecords('2', data(), 0);
  assert.throws(() => est.fit(p, est.objective(other)), /another patient's or estimator's objective/);
  assert.throws(
    () => est.fit(p, new MapEstimator(model).objective(p)),
    /another patient's or estimator's objective/,
  );
});

test('prop with if_zero: F = 0 uses var = σ²·if_zero² (NONMEM IF (W.EQ.0) W = 1)', () => {
  // η_A = −5 makes F(t) = 0 at t = 0 … here C0 + 2·(−5) = 0 at every time when η_B = 0.
  const model = compile(base('CP ~ prop(var = 0.05, if_zero = 1)'));
  const obj = new MapObjective(new Simulator(model), patientFromRecords('1', data(), 0));
  const expected = DV.reduce((s, y) => s + Math.log(0.05) + (y * y) / 0.05, 25 / 0.3);
  assert.ok(rel(obj.value(Float64Array.of(-5, 0)), expected) < 1e-12);
});

test("Beal's M3: a BLQ observation adds −2 ln Φ((LLOQ − F)/sd) (rel. 1e-12), also far below the limit", () => {
  const model = compile(base('CP ~ add(0.5)'));
  // Second observation censored at LLOQ 8 (its DV is ignored), the fourth at LLOQ 1 (F ≈ 13: z ≈ −24).
  const p = patientFromRecords('1', data([{}, { cens: 1, lloq: 8 }, {}, { cens: 1, lloq: 1 }]), 0);
  const obj = new MapObjective(new Simulator(model), p);
  const x = [0.3, -0.4];
  let expected = PRIOR;
  TIMES.forEach((t, j) => {
    const f = F(x, t);
    if (j === 1) expected += -2 * logNormalCdf((8 - f) / 0.5);
    else if (j === 3) expected += -2 * logNormalCdf((1 - f) / 0.5);
    else expected += Math.log(0.25) + (DV[j] - f) ** 2 / 0.25;
  });
  const v = obj.value(Float64Array.from(x));
  assert.ok(Number.isFinite(v));
  assert.ok(rel(v, expected) < 1e-12, `${v} vs ${expected}`);
});

describe('gradient from ∂F/∂η through the error model = central differences of f (rel. 1e-6)', () => {
  const cases = [
    ...KINDS.map((k) => ({ name: k.name, error: k.error, extra: [] as Partial<RecordInput>[] })),
  ];
  cases.push({
    name: 'add(0.5) with two BLQ records',
    error: 'CP ~ add(0.5)',
    extra: [{}, { cens: 1, lloq: 8 }, {}, { cens: 1, lloq: 4 }],
  });
  for (const c of cases)
    test(c.name, () => {
      const model = compile(base(c.error, 'eta_A ~ 0.3    eta_B ~ 0.2    cov(eta_A, eta_B) = 0.1'));
      const obj = new MapObjective(new Simulator(model), patientFromRecords('1', data(c.extra), 0));
      const x = Float64Array.of(0.2, -0.3);
      const Fv = new Float64Array(obj.nObs);
      obj.predict(x, Fv);
      // Exact ∂F/∂η of the linear model: (2, −0.3·t).
      const J = new Float64Array(obj.nObs * 2);
      TIMES.forEach((t, j) => {
        J[j * 2] = 2;
        J[j * 2 + 1] = -0.3 * t;
      });
      const g = new Float64Array(2);
      obj.assemble(x, Fv, J, g, null);
      for (let i = 0; i < 2; i++) {
        const h = 1e-5;
        const xp = Float64Array.from(x);
        const xm = Float64Array.from(x);
        xp[i] += h;
        xm[i] -= h;
        const fd = (obj.value(xp) - obj.value(xm)) / (2 * h);
        assert.ok(rel(g[i], fd) < 1e-6, `∂f/∂x${i}: ${g[i]} vs ${fd}`);
      }
    });
});

test('IOV: one copy of the IOV eta per occasion; each occasion reads its own; forecast eta has IOV = 0', () => {
  const model = compile(base('CP ~ add(0.5)', 'eta_A ~ 0.3    iov eta_B ~ 0.2'));
  const rows = data().map((r, i) => ({ ...r, occ: i <= 2 ? 1 : 2 }));
  const p = patientFromRecords('1', rows, 0);
  const obj = new MapObjective(new Simulator(model), p);
  assert.deepEqual(obj.names, ['eta_A', 'eta_B[occ=1]', 'eta_B[occ=2]']);
  const x = Float64Array.of(0.3, -0.4, 0.25);
  const Fv = new Float64Array(obj.nObs);
  obj.predict(x, Fv);
  TIMES.forEach((t, j) => {
    const etaB = j <= 1 ? -0.4 : 0.25;
    assert.ok(rel(Fv[j], F([0.3, etaB], t)) < 1e-12, `obs ${j}`);
  });
  assert.ok(rel(obj.prior(x), 0.09 / 0.3 + 0.16 / 0.2 + 0.0625 / 0.2) < 1e-12);
  const fit = new MapEstimator(model).fit(p);
  assert.ok(fit.converged);
  assert.equal(fit.x.length, 3);
  assert.equal(fit.eta[1], 0, 'forecast convention: IOV eta 0 in `eta`');
});

test('prior weight w: prior term w·ηᵀΩ⁻¹η, OBJ uses ln|Ω/w|', () => {
  const model = compile(base('CP ~ add(0.5)'));
  const p = patientFromRecords('1', data(), 0);
  const x = Float64Array.from(ETA);
  const a = new MapObjective(new Simulator(model), p);
  const b = new MapObjective(new Simulator(model), p, { priorWeight: 0.25 });
  assert.ok(rel(a.value(x) - b.value(x), 0.75 * PRIOR) < 1e-12);
  assert.ok(rel(b.logDetPrior - a.logDetPrior, -2 * Math.log(0.25)) < 1e-12);
});

test('never NaN: a parameter leaving its domain makes f = +Infinity, and the fit stays finite', () => {
  const model = compile(`
parameters  value  unit  label
  TVCL      2      L/h   "clearance"
  TVV       10     L     "volume"
random
  eta_CL ~ 0.1    eta_V ~ 4
equations
  CL = TVCL * exp(eta_CL)
  V = TVV + 10 * eta_V
  pk one_cmt(cl = CL, v = V)
  CP = central / V
error
  CP ~ prop(0.2)
`);
  const p = patientFromRecords(
    '1',
    [
      { time: 0, amt: 100, cmt: 1 },
      ...[1, 4, 8].map((t, k) => ({ time: t, evid: 0, cmt: 1, dv: [9, 7, 5][k], mdv: 0 })),
    ],
    0,
  );
  const obj = new MapObjective(new Simulator(model), p);
  assert.equal(obj.value(Float64Array.of(0, -2)), Infinity, 'V = −10 L');
  const fit = new MapEstimator(model).fit(p);
  assert.ok(Number.isFinite(fit.objective) && fit.eta.every(Number.isFinite));
  assert.ok(fit.converged, fit.message);
});

test('minimize: Rosenbrock from (−1.2, 1) reaches (1, 1) (abs. 1e-6)', () => {
  const rosen = {
    n: 2,
    value: (x: Float64Array): number => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
    gradient(x: Float64Array, g: Float64Array, H: Float64Array | null): number {
      g[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
      g[1] = 200 * (x[1] - x[0] ** 2);
      if (H) H.set([1, 0, 0, 1]);
      return this.value(x);
    },
  };
  const r = minimize(rosen, [-1.2, 1], {
    method: 'bfgs',
    maxIterations: 200,
    maxStep: 1,
    decrementTolerance: 1e-16,
  });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `${r.x}`);
});

test('general residual variance CP ~ variance(expr): objective and gradient as the equivalent prop(0.1) (rel. 1e-9)', () => {
  const general = compile(base('CP ~ variance(0.01 * CP * CP)'));
  const prop = compile(base('CP ~ prop(0.1)'));
  const p = patientFromRecords('1', data([{}, { cens: 1, lloq: 8 }]), 0);
  const a = new MapEstimator(general);
  const b = new MapEstimator(prop);
  const x = Float64Array.of(0.2, -0.3);
  const oa = a.objective(p);
  const ob = b.objective(p);
  assert.ok(rel(oa.value(x), ob.value(x)) < 1e-12);
  const ea = a.evaluate(p, x)!;
  const eb = b.evaluate(p, x)!;
  for (let i = 0; i < 2; i++) assert.ok(rel(ea.gradient[i], eb.gradient[i]) < 1e-6, `gradient ${i}`);
  for (let k = 0; k < 4; k++) assert.ok(rel(ea.cov[k], eb.cov[k]) < 1e-6, `ETC ${k}`);
  const fa = a.fit(p);
  const fb = b.fit(p);
  assert.ok(fa.converged);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(fa.eta[i] - fb.eta[i]) < 1e-6, `mode ${i}`);
});
