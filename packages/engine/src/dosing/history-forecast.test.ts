// The exposure of the doses already given (no new regimen) and forecasts with inter-occasion etas
// in the simulator's layout: one-compartment IV boluses, closed forms (rel 1e-9), bands against
// type-7 quantiles recomputed here per draw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { createTwin } from '../twin/twin.ts';
import { forecastHistory, forecastRegimen } from './forecast.ts';
import { sampledExposure, sampledIntervals } from './sampled-intervals.ts';

/** CL with between-subject and inter-occasion variability, V with between-subject only. */
const IV_IOV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n  iov eta_occ_CL ~ 0.09\n` +
    `equations\n  CL = TVCL * exp(eta_CL + eta_occ_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);
const D = 1000;
/**
 * 1000 mg at 0 (occasion 1, levels at 2, 10 and the trough at 24) and at 24 (occasion 2, II 24,
 * levels at 26 and 34). Over (0, 24] every record is occasion 1; after 24, occasion 2 (and the
 * last record's occasion beyond 34).
 */
const HISTORY = patient([
  { time: 0, evid: 1, amt: D, occ: 1 },
  { time: 2, evid: 0, dv: 17, occ: 1 },
  { time: 10, evid: 0, dv: 9, occ: 1 },
  { time: 24, evid: 0, dv: 3, occ: 1 },
  { time: 24, evid: 1, amt: D, ii: 24, occ: 2 },
  { time: 26, evid: 0, dv: 20, occ: 2 },
  { time: 34, evid: 0, dv: 10, occ: 2 },
]);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
/** Type-7 quantile (R's default), written out here independently of the engine's. */
const q7 = (values: number[], p: number): number => {
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return v[lo] + (h - lo) * (v[Math.min(lo + 1, v.length - 1)] - v[lo]);
};

/**
 * The closed form at an eta vector in the simulator's layout [η_CL, η_V, η_occ_CL (model order,
 * 0), occasion 1's η_occ_CL, occasion 2's]: C(t), and AUC, Cmax, Cmin over a window.
 */
function closedForm(eta: ArrayLike<number> | null) {
  const e = eta ?? [0, 0, 0, 0, 0];
  const v = 50 * Math.exp(e[1]);
  const cl1 = 4 * Math.exp(e[0] + e[3]);
  const cl2 = 4 * Math.exp(e[0] + e[4]);
  const [k1, k2] = [cl1 / v, cl2 / v];
  const a24 = D * Math.exp(-k1 * 24) + D; // amount just after the second dose
  const conc = (t: number): number =>
    t <= 24 ? (D / v) * Math.exp(-k1 * t) : (a24 / v) * Math.exp(-k2 * (t - 24));
  /** ∫ C over [a, b] within one occasion's piece. */
  const auc = (a: number, b: number): number =>
    b <= 24
      ? (D / cl1) * (Math.exp(-k1 * a) - Math.exp(-k1 * b))
      : a >= 24
        ? (a24 / cl2) * (Math.exp(-k2 * (a - 24)) - Math.exp(-k2 * (b - 24)))
        : auc(a, 24) + auc(24, b);
  return { conc, auc, v, cl1, cl2 };
}

const POINT = Float64Array.of(0.2, -0.1, 0, 0.3, -0.25);
const rng = createRng(5);
const DRAWS = Array.from({ length: 61 }, () =>
  Float64Array.of(
    Math.sqrt(0.1) * rng.normal(),
    Math.sqrt(0.05) * rng.normal(),
    0,
    0.3 * rng.normal(),
    0.3 * rng.normal(),
  ),
);

test('history only: AUC, Cmax, Cmin of each sampled interval with its occasion’s IOV and of a washout window = closed form (rel 1e-9); credible intervals = quantiles of the closed form over the draws (rel 1e-9)', () => {
  const windows = [
    { label: 'day 1', from: 0, to: 24 },
    { label: 'day 2', from: 24, to: 48 },
    { label: 'washout', from: 48, to: 72 },
  ];
  const times = [1, 5, 12, 30, 40, 60];
  const f = forecastHistory({
    sim: new Simulator(IV_IOV),
    history: HISTORY,
    point: POINT,
    draws: DRAWS,
    times,
    windows,
  });
  const cf = closedForm(POINT);
  const pop = closedForm(null);
  const expected = (c: ReturnType<typeof closedForm>, w: { from: number; to: number }) => ({
    auc: c.auc(w.from, w.to),
    // Boluses: the maximum right after the window's first dose, the minimum at its end.
    cmax: w.from === 48 ? c.conc(48) : c.conc(w.from === 0 ? 0 : 24.0000000001),
    cmin: c.conc(w.to),
  });
  f.windows.forEach((w, j) => {
    const ind = expected(cf, windows[j]);
    const typ = expected(pop, windows[j]);
    for (const key of ['auc', 'cmax', 'cmin'] as const) {
      assert.ok(
        rel(w.metrics[key].individual, ind[key]) < 1e-9,
        `${w.label} ${key} ${w.metrics[key].individual} vs ${ind[key]}`,
      );
      assert.ok(rel(w.metrics[key].population, typ[key]) < 1e-9, `${w.label} population ${key}`);
      const perDraw = DRAWS.map((d) => expected(closedForm(d), windows[j])[key]);
      [0.05, 0.5, 0.95].forEach((p, i) =>
        assert.ok(rel(w.metrics[key].q![i], q7(perDraw, p)) < 1e-9, `${w.label} ${key} q${p}`),
      );
    }
  });
  // The two occasions differ: day 2's AUC is not day 1's pattern with one CL.
  assert.notEqual(cf.cl1, cf.cl2);
  times.forEach((t, i) => {
    assert.ok(rel(f.individual[i], cf.conc(t)) < 1e-9, `C(${t})`);
    assert.ok(rel(f.population[i], pop.conc(t)) < 1e-9, `population C(${t})`);
    const perDraw = DRAWS.map((d) => closedForm(d).conc(t));
    [0.05, 0.5, 0.95].forEach((p, j) =>
      assert.ok(rel(f.bands![i][j], q7(perDraw, p)) < 1e-9, `band ${p} at ${t}`),
    );
  });
  assert.equal(f.draws, DRAWS.length);
});

test('a future regimen accepts draws with IOV blocks: the past keeps each occasion’s etas, the new doses none (rel 1e-9)', () => {
  const f = forecastRegimen({
    sim: new Simulator(IV_IOV),
    history: HISTORY,
    point: POINT,
    draws: DRAWS,
    regimen: { start: 48, dose: D, interval: 24, count: 1 },
    times: [30, 40],
    windows: [{ label: 'day 2', from: 24, to: 48 }],
  });
  const cf = closedForm(POINT);
  assert.ok(rel(f.individual[0], cf.conc(30)) < 1e-9);
  assert.ok(rel(f.windows[0].metrics.auc.individual, cf.auc(24, 48)) < 1e-9);
  const perDraw = DRAWS.map((d) => closedForm(d).auc(24, 48));
  assert.ok(rel(f.windows[0].metrics.auc.q![1], q7(perDraw, 0.5)) < 1e-9);
  const band = DRAWS.map((d) => closedForm(d).conc(40));
  assert.ok(rel(f.bands![1][2], q7(band, 0.95)) < 1e-9);
});

test('history only: a window is required, a steady-state window is refused, draws of the wrong length are named', () => {
  const sim = new Simulator(IV_IOV);
  const codes = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof DosetwinError) return e.issues.map((i) => `${i.code} ${i.field}`);
      throw e;
    }
    return [];
  };
  const base = { sim, history: HISTORY, point: POINT, times: [1] };
  assert.deepEqual(
    codes(() => forecastHistory({ ...base, windows: [] })),
    ['DT_FORECAST windows'],
  );
  assert.deepEqual(
    codes(() => forecastHistory({ ...base, windows: [{ label: 'ss', from: 0, to: 24, steadyState: true }] })),
    ['DT_FORECAST windows.ss'],
  );
  assert.deepEqual(
    codes(() =>
      forecastHistory({
        ...base,
        draws: [Float64Array.of(0, 0)],
        windows: [{ label: 'w', from: 0, to: 1 }],
      }),
    ),
    ['DT_FORECAST draws'],
  );
});

test('sampled intervals: ADDL repetitions, a trough at a dose time closes the previous interval, the last dose runs one II or to its last level (exact)', () => {
  const h = patient([
    { time: -1, evid: 0, dv: 1 }, // before any dose: no interval
    { time: 0, evid: 1, amt: 100, ii: 12, addl: 2 }, // 0, 12, 24
    { time: 3, evid: 0, dv: 5 },
    { time: 12, evid: 0, dv: 2 }, // trough of [0, 12]
    { time: 30, evid: 0, dv: 4 },
    { time: 48, evid: 1, amt: 100 }, // no II: open, up to its last level
    { time: 50, evid: 0, dv: 6 },
    { time: 53, evid: 0, dv: 5, mdv: 1 }, // not a level
    { time: 55, evid: 0, dv: 4 },
  ]);
  assert.deepEqual(sampledIntervals(h), [
    { from: 0, to: 12, levels: 2 },
    { from: 24, to: 48, levels: 1 }, // the next dose is the record at 48
    { from: 48, to: 55, levels: 2 },
  ]);
  assert.deepEqual(sampledIntervals(HISTORY), [
    { from: 0, to: 24, levels: 3 },
    { from: 24, to: 48, levels: 2 },
  ]);
});

test('sampled exposure at the point and the twin’s: each sampled interval with its occasion’s IOV (rel 1e-9)', () => {
  const e = sampledExposure(new Simulator(IV_IOV), HISTORY, POINT);
  const cf = closedForm(POINT);
  assert.equal(e.length, 2);
  assert.ok(rel(e[0].auc, cf.auc(0, 24)) < 1e-9);
  assert.ok(rel(e[0].cmax, cf.conc(0)) < 1e-9);
  assert.ok(rel(e[0].cmin, cf.conc(24)) < 1e-9);
  assert.ok(rel(e[1].auc, cf.auc(24, 48)) < 1e-9);
  assert.ok(rel(e[1].cmax, cf.conc(24.0000000001)) < 1e-9);
  assert.ok(rel(e[1].cmin, cf.conc(48)) < 1e-9);
  assert.ok(rel(e[1].cavg, cf.auc(24, 48) / 24) < 1e-9);
  // The twin: its MAP point in the same layout, and forecastHistory with its posterior draws.
  const twin = createTwin(IV_IOV, HISTORY, { samples: 20, seed: 2 });
  assert.equal(twin.point!.length, 5);
  const fromTwin = twin.sampledExposure();
  const at = closedForm(twin.point);
  assert.ok(rel(fromTwin[1].auc, at.auc(24, 48)) < 1e-9);
  const f = twin.forecastHistory({ times: [30], windows: [{ label: 'day 2', from: 24, to: 48 }] });
  assert.ok(rel(f.windows[0].metrics.auc.individual, at.auc(24, 48)) < 1e-9);
  const perDraw = twin.draws.map((d) => closedForm(d).auc(24, 48));
  assert.ok(rel(f.windows[0].metrics.auc.q![0], q7(perDraw, 0.05)) < 1e-9);
});
