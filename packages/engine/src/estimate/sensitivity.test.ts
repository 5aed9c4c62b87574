// Forward sensitivities and the exactly solved absorption depots of non-linear ODE models:
// ∂F/∂η from one solve of the sensitivity system equals central differences of the plain
// simulator (bioavailability depending on η included: a dose of F·AMT puts AMT·∂F/∂η into the
// sensitivities), a depot solved exactly gives the hand-derived Bateman values, and the generated
// code (model/codegen.ts) computes what the closures do.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setCodegen } from '../model/codegen.ts';
import type { CompiledModel } from '../model/compile.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, observed, patient } from '../test-support/models.ts';
import { MapEstimator } from './map.ts';

/** Oral MM model, two compartments; fast absorption (KA 50 /h) after a fixed lag; F(η) logistic. */
const MM_F = `covariates unit valid label handling
  WT kg 30..150 "weight" required
parameters value unit label
  TVVMAX 60 mg/h "vmax"
  TVKM 2 mg/L "km"
  TVCL 3 L/h "cl"
  TVV 40 L "v"
  TVV2 60 L "v2"
  TVQ 8 L/h "q"
  TVKA 50 1/h "ka"
  FLOGIT 0.6 - "logit F"
random
  eta_VMAX ~ 0.3    eta_CL ~ 0.2    eta_V ~ 0.1    eta_F ~ 0.4
compartments depot, central, peripheral
equations
  VMAX = TVVMAX * exp(eta_VMAX)
  CL = TVCL * (WT / 70)^0.75 * exp(eta_CL)
  V = TVV * exp(eta_V)
  bioav(depot) = 1 / (1 + exp(-(FLOGIT + eta_F)))
  lag(depot) = 0.5
  C = central / V
  d/dt(depot) = -TVKA * depot
  d/dt(central) = TVKA * depot - (CL + VMAX / (TVKM + C)) * C - TVQ * C + TVQ * peripheral / TVV2
  d/dt(peripheral) = TVQ * C - TVQ * peripheral / TVV2
  CP = C
error
  CP ~ prop(0.15)
`;

/** Oral MM model whose absorption rate has an eta (∂k/∂η ≠ 0 in the depot's sensitivity). */
const MM_KA = `parameters value unit label
  TVVMAX 10000 mg/h "vmax"
  TVV 70 L "v"
  TVKA 1 1/h "ka"
  TVKM 2500 mg/L "km"
random
  eta_VMAX ~ 0.2    eta_V ~ 0.2    eta_KA ~ 0.2
compartments depot, central
equations
  VMAX = TVVMAX * exp(eta_VMAX)
  V = TVV * exp(eta_V)
  KA = TVKA * exp(eta_KA)
  C = central / V
  d/dt(depot) = -KA * depot
  d/dt(central) = KA * depot - VMAX * C / (TVKM + C)
  CP = C
error
  CP ~ prop(0.1)
`;

function dosing(model: CompiledModel, cov: number[] | undefined, eta: number[]): ReturnType<typeof patient> {
  const rows = [
    { time: 0, amt: 400, cmt: 1, ii: 12, addl: 2, cov },
    { time: 30, amt: 200, cmt: 1, cov },
  ];
  const times = [1, 3, 11.9, 25, 31, 40];
  const p0 = patient(rows, times, 2, cov ? cov.length : 0, cov);
  const c = new Float64Array(p0.n);
  new Simulator(model, { ode: { rtol: 1e-10 } }).run(p0, eta, c);
  const obs = observed(p0, c);
  return patient(
    [
      ...rows,
      ...times.map((t, i) => ({ time: t, evid: 0, cmt: 2, dv: obs[i] * (1 + 0.1 * Math.sin(i)), cov })),
    ],
    [],
    2,
    cov ? cov.length : 0,
    cov,
  );
}

describe('forward sensitivities = central differences of the plain simulator (rel 1e-5 of the largest: the differences, h = 1e-3·(|η| + sd), are exact to O(h²))', () => {
  for (const [name, text, cov, eta] of [
    ['MM, F(η), fast absorption after a lag', MM_F, [82], [0.2, -0.1, 0.05, 0.3]],
    ['MM, η on KA', MM_KA, undefined, [0.1, -0.2, 0.15]],
  ] as const)
    test(name, () => {
      const model = compile(text);
      const p = dosing(model, cov ? [...cov] : undefined, [...eta]);
      const sens = new MapEstimator(model, { simulator: { ode: { rtol: 1e-10 } } });
      assert.equal(sens.derivativeMethod, 'forward sensitivity equations');
      const fd = new MapEstimator(model, {
        simulator: { ode: { rtol: 1e-12 } },
        derivatives: 'finite-differences',
      });
      const x = Float64Array.from(eta);
      const a = sens.evaluate(p, x)!;
      const b = fd.evaluate(p, x)!;
      const n = x.length;
      let scale = 0;
      for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(b.gradient[i]));
      for (let i = 0; i < n; i++)
        assert.ok(
          Math.abs(a.gradient[i] - b.gradient[i]) <= 1e-5 * scale,
          `∂f/∂η${i}: ${a.gradient[i]} vs ${b.gradient[i]}`,
        );
      for (let i = 0; i < n * n; i++)
        assert.ok(
          Math.abs(a.information[i] - b.information[i]) <=
            1e-5 * Math.abs(b.information[(i % n) * (n + 1)]) +
              1e-5 * Math.abs(b.information[Math.floor(i / n) * (n + 1)]),
          `information[${i}]: ${a.information[i]} vs ${b.information[i]}`,
        );
    });
});

test('a depot solved exactly: D·e^{−ka t} (rel 1e-14) and, with linear elimination, the Bateman central amount (rel 1e-8)', () => {
  // KM so large that VMAX·C/(KM + C) is k·V·C with k = VMAX/(KM·V) to 1e-12: the system is written
  // non-linear (integrated), the depot exactly. D 1000 mg, ka 1.2 /h, V 10 L, k = 2/(1e9·10)·1e9 = 0.2 /h.
  const model = compile(`parameters value unit label
  VMAX 2e9 mg/h "vmax"
  KM 1e12 mg/L "km"
  V 10 L "v"
  KA 1.2 1/h "ka"
compartments depot, central
equations
  C = central / V
  d/dt(depot) = -KA * depot
  d/dt(central) = KA * depot - VMAX * C / (KM + C)
  AD = depot
  CP = ifelse(CMT == 1, AD, C)
error
  CP ~ prop(0.1)
`);
  assert.equal(model.structure.kind, 'ode');
  assert.deepEqual(model.structure.kind === 'ode' ? Array.from(model.structure.exact!.index) : [], [0]);
  const times = [0.5, 2, 7, 24];
  const p = patient([{ time: 0, amt: 1000, cmt: 1 }], times, 1);
  const q = patient([{ time: 0, amt: 1000, cmt: 1 }], times, 2);
  const sim = new Simulator(model, { ode: { rtol: 1e-11 } });
  const a = new Float64Array(p.n);
  const c = new Float64Array(q.n);
  sim.run(p, null, a);
  sim.run(q, null, c);
  const k = 2e9 / (1e12 * 10 + 0); // VMAX/(KM·V) to 1e-12 at these concentrations
  observed(p, a).forEach((v, i) => {
    const want = 1000 * Math.exp(-1.2 * times[i]);
    assert.ok(Math.abs(v - want) <= 1e-14 * want, `depot at ${times[i]}: ${v} vs ${want}`);
  });
  observed(q, c).forEach((v, i) => {
    const t = times[i];
    const want = ((1000 * 1.2) / (1.2 - k) / 10) * (Math.exp(-k * t) - Math.exp(-1.2 * t));
    assert.ok(Math.abs(v - want) <= 1e-8 * want, `central at ${t}: ${v} vs ${want}`);
  });
});

test('generated code computes what the closures do: predictions and sensitivities (rel 1e-15)', () => {
  const run = (): Float64Array[] => {
    const model = compile(MM_F);
    const p = dosing(model, [82], [0.2, -0.1, 0.05, 0.3]);
    const out = new Float64Array(p.n);
    new Simulator(model).run(p, [0.2, -0.1, 0.05, 0.3], out);
    const e = new MapEstimator(model).evaluate(p, [0.2, -0.1, 0.05, 0.3])!;
    return [out, e.gradient, e.information];
  };
  const generated = run();
  setCodegen(false);
  let closures: Float64Array[];
  try {
    closures = run();
  } finally {
    setCodegen(true);
  }
  generated.forEach((g, k) =>
    g.forEach((v, i) =>
      assert.ok(
        Math.abs(v - closures[k][i]) <= 1e-15 * Math.abs(closures[k][i]),
        `${k}[${i}]: ${v} vs ${closures[k][i]}`,
      ),
    ),
  );
});
