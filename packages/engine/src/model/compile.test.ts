// Compilation: statements are split by dependency, explicit ODEs are classified linear (exact
// matrix exponential) or not, and the symbolic Jacobian equals finite differences.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BENCH_MODELS } from '../test-support/bench-data.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, observed, patient } from '../test-support/models.ts';
import { compileModel } from './compile.ts';
import { parseModel } from './parse.ts';

const load = (run: string) =>
  compileModel(parseModel(readFileSync(`${BENCH_MODELS}/${run}.dtm`, 'utf8'), `${run}.dtm`));

for (const [run, kind] of [
  ['run001', 'closed'],
  ['run004', 'linear-ode'],
  ['run101', 'closed'],
  ['run201', 'ode'],
  ['run401', 'linear-ode'],
  ['run901', 'closed'],
] as const)
  test(`${run} is solved as '${kind}'`, () => assert.equal(load(run).structure.kind, kind));

test('parent→metabolite matrix K equals the hand-written one (rel 1e-15)', () => {
  const m = load('run401');
  const s = m.newSlots();
  m.individual(s);
  const K = new Float64Array(9);
  assert.equal(m.structure.kind, 'linear-ode');
  if (m.structure.kind === 'linear-ode') m.structure.matrix(s, K);
  const k = 4 / 70;
  const km = 2.5 / 60;
  [-1, 0, 0, 1, -k, 0, 0, 0.7 * k, -km].forEach((v, i) =>
    assert.ok(Math.abs(K[i] - v) <= 1e-15 * Math.abs(v), `K[${i}] = ${K[i]}, expected ${v}`),
  );
});

test('Michaelis–Menten symbolic Jacobian equals central differences (rel 1e-7)', () => {
  const m = load('run201');
  assert.equal(m.structure.kind, 'ode');
  const jac = m.structure.kind === 'ode' ? m.structure.jacobian : null;
  assert.ok(jac, 'symbolic Jacobian available');
  const s = m.newSlots();
  m.individual(s);
  const st = m.stateSlots;
  const y = [1234, 5678];
  const f = (yy: number[]): number[] => {
    yy.forEach((v, i) => (s[st[i]] = v));
    m.derivatives(s);
    return Array.from(m.ddtSlots, (k) => s[k]);
  };
  const J = new Float64Array(4);
  y.forEach((v, i) => (s[st[i]] = v));
  jac(s, J);
  for (let j = 0; j < 2; j++) {
    const h = 1e-4 * y[j];
    const up = f(y.map((v, i) => (i === j ? v + h : v)));
    const dn = f(y.map((v, i) => (i === j ? v - h : v)));
    for (let i = 0; i < 2; i++) {
      const fd = (up[i] - dn[i]) / (2 * h);
      assert.ok(
        Math.abs(J[i * 2 + j] - fd) <= 1e-7 * Math.max(Math.abs(fd), 1e-3),
        `J[${i}][${j}] ${J[i * 2 + j]} vs ${fd}`,
      );
    }
  }
});

test('a right-hand side depending on t is not treated as linear', () => {
  const m = compile(
    `parameters value unit label\n  K 0.1 1/h "k"\ncompartments central\nequations\n  d/dt(central) = -K * central * (1 + 0.1 * t)\n  CP = central\nerror\n  CP ~ add(0.1)\n`,
  );
  assert.equal(m.structure.kind, 'ode');
});

test('statements depending only on parameters run once per record, not in the right-hand side', () => {
  const m = compile(
    `parameters value unit label\n  TVK 0.1 1/h "k"\ncompartments central\nequations\n  K = TVK * 2\n  C = central / 10\n  d/dt(central) = -K * central\n  CP = C\nerror\n  CP ~ add(0.1)\n`,
  );
  const s = m.newSlots();
  m.individual(s);
  assert.equal(s[m.slotOf.get('K')!], 0.2);
  s[m.slotOf.get('K')!] = 7; // the right-hand side must read K, not recompute it
  s[m.stateSlots[0]] = 10;
  m.derivatives(s);
  assert.equal(s[m.ddtSlots[0]], -70);
});

test('dynamicNames: what is computed from amounts or time, not the individual parameters', () => {
  const m = compile(
    `parameters value unit label\n  TVK 0.1 1/h "k"\ncompartments central\nequations\n  K = TVK * 2\n  C = central / 10\n  W = 2 * C + K\n  d/dt(central) = -K * central\n  CP = W\nerror\n  CP ~ add(0.1)\n`,
  );
  const names = ['K', 'C', 'W', 'CP', 'central'];
  assert.deepEqual(
    names.filter((n) => m.dynamicNames.has(n)),
    ['C', 'W', 'CP', 'central'],
  );
});

test('a compartment without d/dt keeps its amount (dA/dt = 0, as NONMEM takes an unset DADT), warning DT_MODEL_DDT_MISSING; hand-derived values (rel 1e-9)', () => {
  // d/dt(central) = −K·central with K = 0.1 /h; 'store' has no equation. 100 mg into central gives
  // 100·e^(−0.1 t); 50 mg into store stays 50 (ODE solved numerically: 1e-9, the solver's scale).
  const m = compile(
    `parameters value unit label\n  K 0.1 1/h "k"\ncompartments central, store\nequations\n  d/dt(central) = -K * central\n  CP = ifelse(CMT == 2, store, central)\nerror\n  CP ~ add(0.1)\n`,
  );
  assert.deepEqual(
    m.warnings.map((w) => [w.code, w.severity, w.field]),
    [['DT_MODEL_DDT_MISSING', 'warning', 'equations']],
  );
  assert.match(
    m.warnings[0].message,
    /compartment 'store' has no d\/dt\(store\) equation: its derivative is taken as 0/,
  );
  const p = patient(
    [
      { time: 0, amt: 100, cmt: 1 },
      { time: 0, amt: 50, cmt: 2 },
      { time: 5, evid: 0, cmt: 1 },
      { time: 8, evid: 0, cmt: 2 },
    ],
    [],
  );
  const out = new Float64Array(p.n);
  new Simulator(m).run(p, null, out);
  const got = observed(p, out);
  const want = [100 * Math.exp(-0.5), 50];
  got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) <= 1e-9 * want[i], `${x} vs ${want[i]}`));
});
