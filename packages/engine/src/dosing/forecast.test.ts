// Forecast of a future regimen: curves and credible bands against closed forms (issue 4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalQuantile } from '../estimate/normal.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { forecastRegimen } from './forecast.ts';

const ERR = 'error\n  CP ~ prop(0.1)\n';
const IV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
);
const IV_CL = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  V 50 L "v"\nrandom\n  eta_CL ~ 0.09\nequations\n  CL = TVCL * exp(eta_CL)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
);
const empty = patient([{ time: 0, evid: 2 }]);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
/** 1000 mg IV bolus every 12 h from t = 0: C(t) = Σ_{jτ ≤ t} D/V·e^{−k(t − jτ)}. */
const conc = (t: number, cl: number, v: number, doses = 4): number => {
  let c = 0;
  for (let j = 0; j < doses && 12 * j <= t; j++) c += (1000 / v) * Math.exp((-cl / v) * (t - 12 * j));
  return c;
};
/** Type-7 quantile (R's default), written out here independently of the engine's. */
const q7 = (values: number[], p: number): number => {
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return v[lo] + (h - lo) * (v[Math.min(lo + 1, v.length - 1)] - v[lo]);
};
const times = Array.from({ length: 48 }, (_, i) => i + 0.5);

test('forecast: individual and population curves, cumulative AUC, bands = empirical quantiles of the draws (rel 1e-10)', () => {
  const rng = createRng(11);
  const draws = Array.from({ length: 101 }, () =>
    Float64Array.of(Math.sqrt(0.1) * rng.normal(), Math.sqrt(0.05) * rng.normal()),
  );
  const point = Float64Array.of(0.2, -0.1);
  const f = forecastRegimen({
    sim: new Simulator(IV),
    history: empty,
    point,
    draws,
    regimen: { start: 0, dose: 1000, interval: 12, count: 4 },
    times,
  });
  const [cl, v] = [4 * Math.exp(0.2), 50 * Math.exp(-0.1)];
  times.forEach((t, i) => {
    assert.ok(rel(f.individual[i], conc(t, cl, v)) < 1e-10, `MAP at ${t}`);
    assert.ok(rel(f.population[i], conc(t, 4, 50)) < 1e-10, `population at ${t}`);
    const values = draws.map((d) => conc(t, 4 * Math.exp(d[0]), 50 * Math.exp(d[1])));
    [0.05, 0.5, 0.95].forEach((p, j) =>
      assert.ok(rel(f.bands![i][j], q7(values, p)) < 1e-10, `q${p} at ${t}`),
    );
  });
  // ∫_{0.5}^{47.5} C dt, bolus by bolus: D/CL·(e^{−k·a} − e^{−k·b}) over each dose's part of the window.
  const k = cl / v;
  let auc = 0;
  for (let j = 0; j < 4; j++) {
    const a = Math.max(0.5, 12 * j) - 12 * j;
    auc += (1000 / cl) * (Math.exp(-k * a) - Math.exp(-k * (47.5 - 12 * j)));
  }
  assert.ok(
    rel(f.cumulativeAuc[times.length - 1], auc) < 1e-10,
    `cumulative AUC ${f.cumulativeAuc.at(-1)} vs ${auc}`,
  );
  // Steady state reported with the forecast: 90 % after ln(10)/(k·τ) intervals.
  assert.ok(rel(f.steadyState.intervals!, Math.log(10) / (k * 12)) < 1e-9);
});

test('forecast, linear-Gaussian case: the 90 % band and the AUCτ,ss interval equal the analytic normal interval (rel 1e-8)', () => {
  // η_CL ~ N(0, ω² = 0.09). C(t) and AUCτ,ss = D/(TVCL·e^η) are decreasing in η, so their
  // quantile p is the value at η's quantile 1 − p: AUC 90 % interval = D/TVCL·e^{∓1.6449·0.3}.
  // The draws are Gaussian quantiles η_i = 0.3·Φ⁻¹(i/200), i = 1..199 (and ±3.09σ at the ends),
  // so that the type-7 5 / 50 / 95 % quantiles fall on Φ⁻¹(0.05), 0, Φ⁻¹(0.95) exactly.
  const omega = 0.3;
  const draws = Array.from({ length: 201 }, (_, i) =>
    Float64Array.of(omega * normalQuantile(i === 0 ? 0.001 : i === 200 ? 0.999 : i / 200)),
  );
  const z = normalQuantile(0.95);
  assert.ok(Math.abs(z - 1.6448536269514722) < 1e-8, 'Φ⁻¹(0.95)');
  const f = forecastRegimen({
    sim: new Simulator(IV_CL),
    history: empty,
    point: null,
    draws,
    regimen: { start: 0, dose: 1000, interval: 12, count: 4 },
    times,
  });
  const ss = f.windows.find((w) => w.label === 'steady-state interval')!;
  const auc = ss.metrics.auc;
  assert.ok(rel(auc.q![0], (1000 / 4) * Math.exp(-z * omega)) < 1e-8, `AUC q05 ${auc.q![0]}`);
  assert.ok(rel(auc.q![1], 1000 / 4) < 1e-8);
  assert.ok(rel(auc.q![2], (1000 / 4) * Math.exp(z * omega)) < 1e-8, `AUC q95 ${auc.q![2]}`);
  // Trough at steady state, D/V·e^{−kτ}/(1 − e^{−kτ}), also decreasing in CL.
  const trough = (cl: number): number => {
    const k = cl / 50;
    return ((1000 / 50) * Math.exp(-k * 12)) / (1 - Math.exp(-k * 12));
  };
  assert.ok(rel(ss.metrics.cmin.q![0], trough(4 * Math.exp(z * omega))) < 1e-8);
  assert.ok(rel(ss.metrics.cmin.q![2], trough(4 * Math.exp(-z * omega))) < 1e-8);
  times.forEach((t, i) => {
    assert.ok(rel(f.bands![i][0], conc(t, 4 * Math.exp(z * omega), 50)) < 1e-8, `q05 at ${t}`);
    assert.ok(rel(f.bands![i][2], conc(t, 4 * Math.exp(-z * omega), 50)) < 1e-8, `q95 at ${t}`);
  });
  // The first interval from an empty start: AUC0–τ = D/CL·(1 − e^{−kτ}) at the typical patient.
  const first = f.windows.find((w) => w.label === 'first interval')!;
  assert.ok(rel(first.metrics.auc.population, 250 * (1 - Math.exp(-0.96))) < 1e-10);
});

test('forecast: a stated number of administrations holds in the exposure windows (2 boluses, AUC over 0–48 h, rel 1e-10)', () => {
  const f = forecastRegimen({
    sim: new Simulator(IV),
    history: empty,
    point: null,
    regimen: { start: 0, dose: 1000, interval: 12, count: 2 },
    times: [1, 2],
    windows: [{ label: '0..48', from: 0, to: 48 }],
  });
  // Two 1000-mg boluses at 0 and 12 h: AUC0–48 = D/CL·(1 − e^{−48k}) + D/CL·(1 − e^{−36k}).
  const k = 4 / 50;
  const auc = 250 * (1 - Math.exp(-48 * k)) + 250 * (1 - Math.exp(-36 * k));
  assert.ok(
    rel(f.windows[0].metrics.auc.population, auc) < 1e-10,
    `${f.windows[0].metrics.auc.population} vs ${auc}`,
  );
});
