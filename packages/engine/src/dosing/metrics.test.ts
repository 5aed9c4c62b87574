// The metric registry, by its newest entry: fcmin_mic (free trough over the MIC), through every
// reader of the registry (target parser, regimen evaluation and search, forecast windows),
// against the closed form of a one-compartment IV bolus at steady state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { evaluateRegimen } from './evaluate.ts';
import { forecastRegimen } from './forecast.ts';
import { findMetric, METRIC_DEFS, metricUnitFactor } from './metrics.ts';
import { recommend } from './recommend.ts';
import { parseTarget } from './targets.ts';

const IV = compile(
  `parameters value unit label\n  CL 4 L/h "cl"\n  V 50 L "v"\nequations\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
/** Steady-state trough of D mg every τ h by IV bolus: (D/V)·e^{−kτ}/(1 − e^{−kτ}), k = CL/V. */
const cminSs = (dose: number, tau: number): number => {
  const x = Math.exp((-4 / 50) * tau);
  return ((dose / 50) * x) / (1 - x);
};
const history = patient([{ time: 0, evid: 2 }]);

test('fcmin_mic: registered as a MIC ratio of the interval trough; no unit conversion', () => {
  const d = findMetric('fcmin_mic')!;
  assert.equal(d.dimension, 'ratio');
  assert.ok(d.mic && d.extremes && d.window === 'interval');
  assert.equal(METRIC_DEFS.filter((m) => m.name === 'fcmin_mic').length, 1);
  assert.equal(metricUnitFactor('fcmin_mic', { conc: 'mg/L', time: 'h' }, { conc: 'ug/L', time: 'min' }), 1);
  assert.throws(() => parseTarget('fcmin_mic>=1 mg/L', 'mg/L', 'h'), /takes no unit/);
});

test('fcmin_mic of 1000 mg q12h (fu 0.8, MIC 2 mg/L) = 0.8·Cmin,ss/2 (rel 1e-9) in the evaluation, the search and the forecast', () => {
  const sim = new Simulator(IV);
  const target = parseTarget('fcmin_mic>=1', 'mg/L', 'h');
  const expected = (0.8 * cminSs(1000, 12)) / 2;
  const e = evaluateRegimen({
    sim,
    history,
    point: null,
    targets: [target],
    regimen: { start: 0, dose: 1000, interval: 12 },
    mic: 2,
    fu: 0.8,
  });
  assert.ok(rel(e.metrics[0], expected) < 1e-9, `${e.metrics[0]} vs ${expected}`);
  assert.equal(e.met[0], expected >= 1);
  // The search: the dose putting fCmin/MIC at 1 exactly is 1000·(1/expected) for linear kinetics.
  const r = recommend({
    sim,
    history,
    point: null,
    targets: [target],
    space: { start: 0, intervals: [12] },
    mic: 2,
    fu: 0.8,
    maxCandidates: 1,
  });
  assert.ok(rel(r.candidates[0].exactDose, 1000 / expected) < 1e-8, `${r.candidates[0].exactDose}`);
  assert.ok(rel(r.candidates[0].metrics[0], 1) < 1e-8);
  // A forecast window at steady state reports it beside the other MIC metrics.
  const f = forecastRegimen({
    sim,
    history,
    point: null,
    regimen: { start: 0, dose: 1000, interval: 12 },
    times: [6],
    mic: 2,
    fu: 0.8,
    windows: [{ label: 'ss', from: 0, to: 12, steadyState: true }],
  });
  assert.ok(rel(f.windows[0].metrics.fcmin_mic.individual, expected) < 1e-9);
});
