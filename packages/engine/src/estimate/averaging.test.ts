// Model averaging weights (Uster 2021; mapbayr's likelihood and AIC schemes) against hand-computed
// values, the mixture prediction and probability, the errors, and the change of variables that
// makes objectives in other units or on the log scale comparable (against hand-derived densities).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { patientFromRecords } from '../events/records.ts';
import { compileModel } from '../model/compile.ts';
import { parseModel } from '../model/parse.ts';
import { Simulator } from '../simulate/simulator.ts';
import {
  averagePredictions,
  dataScaleObjective,
  mixtureProbability,
  modelWeights,
  selectModel,
} from './averaging.ts';
import { MapObjective } from './objective.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DosetwinError, String(e));
    return e.issues.map((i) => `${i.code} ${i.field}: ${i.message}`).join('\n');
  }
  assert.fail('expected a DosetwinError');
};

describe('modelWeights', () => {
  test('likelihood: OFV 10, 12, 20 → ∝ 1, e^-1, e^-5 (hand values, rel. 1e-14), sum 1, selects the first', () => {
    const w = modelWeights([
      { label: 'a', objective: 10 },
      { label: 'b', objective: 12 },
      { label: 'c', objective: 20 },
    ]);
    // S = 1 + e^-1 + e^-5 = 1.3746173881705278.
    const expected = [0.7274751568004648, 0.2676231541498624, 0.004901689049672921];
    expected.forEach((e, m) => assert.ok(rel(w.weights[m], e) < 1e-14, `w${m} ${w.weights[m]}`));
    assert.ok(Math.abs(w.weights.reduce((s, x) => s + x, 0) - 1) < 1e-15);
    assert.equal(w.selected, 0);
    assert.deepEqual(Array.from(w.criterion), [10, 12, 20]);
  });

  test('aic: OFV 10 (k 2) vs 8 (k 4) → criteria 14, 16 → logistic(1) = 0.7310585786300049 (rel. 1e-14)', () => {
    const w = modelWeights(
      [
        { label: 'a', objective: 10, parameters: 2 },
        { label: 'b', objective: 8, parameters: 4 },
      ],
      'aic',
    );
    assert.deepEqual(Array.from(w.criterion), [14, 16]);
    assert.ok(rel(w.weights[0], 0.7310585786300049) < 1e-14);
    assert.ok(rel(w.weights[1], 1 - 0.7310585786300049) < 1e-14);
    assert.equal(w.selected, 0);
    // The likelihood scheme prefers the lower OFV instead.
    assert.equal(
      modelWeights([
        { label: 'a', objective: 10 },
        { label: 'b', objective: 8 },
      ]).selected,
      1,
    );
  });

  test('log-sum-exp: OFV 5000 and 5002 give the weights of 0 and 2 (no underflow; rel. 1e-14)', () => {
    const w = modelWeights([
      { label: 'a', objective: 5000 },
      { label: 'b', objective: 5002 },
    ]);
    assert.ok(rel(w.weights[0], 0.7310585786300049) < 1e-14);
    // A hopeless model gets weight 0, not NaN.
    const far = modelWeights([
      { label: 'a', objective: 0 },
      { label: 'b', objective: 1e6 },
    ]);
    assert.deepEqual(Array.from(far.weights), [1, 0]);
  });

  test('one model has weight 1; ties select the first', () => {
    assert.deepEqual(Array.from(modelWeights([{ label: 'a', objective: -3 }]).weights), [1]);
    assert.equal(selectModel([0.5, 0.5]), 0);
    assert.equal(selectModel([0.2, 0.3, 0.5]), 2);
  });

  test('errors name the problem: empty set, non-finite objective (with the model), AIC without k', () => {
    assert.match(
      codeOf(() => modelWeights([])),
      /DT_AVERAGE_EMPTY/,
    );
    const nan = codeOf(() =>
      modelWeights([
        { label: 'x/a', objective: 1 },
        { label: 'x/b', objective: NaN },
      ]),
    );
    assert.match(nan, /DT_AVERAGE_OBJECTIVE models\.x\/b\.objective: the objective of x\/b is NaN/);
    assert.match(
      codeOf(() => modelWeights([{ label: 'x/c', objective: Infinity }])),
      /x\/c is Infinity/,
    );
    assert.match(
      codeOf(() => modelWeights([{ label: 'x/a', objective: 1 }], 'aic')),
      /DT_AVERAGE_PARAMETERS models\.x\/a\.parameters/,
    );
    assert.match(
      codeOf(() => selectModel([])),
      /DT_AVERAGE_EMPTY/,
    );
  });
});

describe('averaged predictions and probabilities', () => {
  test('mixture mean: 0.25·[4, 8] + 0.75·[8, 16] = [7, 14] (exact)', () => {
    const out = averagePredictions([0.25, 0.75], [Float64Array.of(4, 8), [8, 16]]);
    assert.deepEqual(Array.from(out), [7, 14]);
  });

  test('a model of weight 0 is skipped even if its prediction is not finite; weight > 0 is an error naming it', () => {
    assert.deepEqual(Array.from(averagePredictions([1, 0], [[2], [NaN]])), [2]);
    assert.match(
      codeOf(() => averagePredictions([0.5, 0.5], [[2], [NaN]], ['v/a', 'v/b'])),
      /DT_AVERAGE_PREDICTION predictions\.v\/b\[0\]: v\/b predicts NaN/,
    );
    assert.match(
      codeOf(() => averagePredictions([0.5, 0.5], [[2, 3], [1]], ['v/a', 'v/b'])),
      /v\/b has 1 predictions, v\/a has 2/,
    );
    assert.match(
      codeOf(() => averagePredictions([0.5, 0.6], [[2], [1]])),
      /weights sum to 1\.1/,
    );
    assert.match(
      codeOf(() => averagePredictions([1], [[2], [1]])),
      /1 weights for 2 models/,
    );
  });

  test('PTA of the mixture: 0.25·0.4 + 0.75·0.8 = 0.7 (rel. 1e-15); out of [0, 1] is an error', () => {
    assert.ok(rel(mixtureProbability([0.25, 0.75], [0.4, 0.8]), 0.7) < 1e-15);
    assert.match(
      codeOf(() => mixtureProbability([0.5, 0.5], [0.4, 1.2])),
      /probability 1\.2 is not in/,
    );
  });
});

describe('dataScaleObjective: −2 ln density of the data in their units, linear scale', () => {
  // One compartment, bolus 100 mg at 0, V 10 L, CL 1 L/h: C(t) = 10·exp(−t/10) mg/L.
  const model = (concUnit: string, factor: number, error: string) =>
    compileModel(
      parseModel(
        `model test/scale version 0.0.1
units dose mg | time h | conc ${concUnit}
parameters  value  unit  label
  TVCL      1      L/h   "CL"
  TVV       10     L     "V"
random
  eta_CL ~ 0.1
equations
  CL = TVCL * exp(eta_CL)
  V = TVV
  pk one_cmt(cl = CL, v = V)
  CP = ${factor} * central / V
error
  ${error}
`,
        'scale.dtm',
      ),
    );
  const times = [2, 6, 12];
  const dvMgL = [8.4, 5.1, 3.3];
  const patient = (factor: number) =>
    patientFromRecords(
      '1',
      [
        { time: 0, amt: 100, cmt: 1 },
        ...times.map((t, k) => ({ time: t, evid: 0, cmt: 1, dv: dvMgL[k] * factor, mdv: 0 })),
      ],
      0,
    );
  const objectiveAtZero = (
    concUnit: string,
    factor: number,
    error: string,
  ): { f: number; o: MapObjective } => {
    const o = new MapObjective(new Simulator(model(concUnit, factor, error)), patient(factor));
    return { f: o.value(new Float64Array(1)), o };
  };
  const C = (t: number): number => 10 * Math.exp(-t / 10);

  test('prop(0.2) in mg/L and in µg/L (DV ×1000): equal after the correction (rel. 1e-12), = the hand density', () => {
    const mg = objectiveAtZero('mg/L', 1, 'CP ~ prop(0.2)');
    const ug = objectiveAtZero('ug/L', 1000, 'CP ~ prop(0.2)');
    // Uncorrected, the µg/L objective is larger by 2·n·ln 1000.
    assert.ok(Math.abs(ug.f - mg.f - 6 * Math.log(1000)) < 1e-9);
    const a = dataScaleObjective(mg.f, mg.o, 1);
    const b = dataScaleObjective(ug.f, ug.o, 1000);
    assert.ok(rel(b, a) < 1e-12, `${b} vs ${a}`);
    let hand = 0;
    times.forEach((t, k) => {
      const v = (0.2 * C(t)) ** 2;
      hand += Math.log(v) + (dvMgL[k] - C(t)) ** 2 / v;
    });
    assert.ok(rel(a, hand) < 1e-12);
  });

  test('exp(0.2) (log-scale error): corrected objective = the log-normal density of DV in mg/L (rel. 1e-12)', () => {
    const lg = objectiveAtZero('mg/L', 1, 'CP ~ exp(0.2)');
    let hand = 0; // −2 ln LN(y; ln C, 0.2²) without the 2π constant: ln 0.04 + 2 ln y + (ln y − ln C)²/0.04
    times.forEach((t, k) => {
      hand += Math.log(0.04) + 2 * Math.log(dvMgL[k]) + (Math.log(dvMgL[k]) - Math.log(C(t))) ** 2 / 0.04;
    });
    assert.ok(rel(dataScaleObjective(lg.f, lg.o, 1), hand) < 1e-12);
    // Same in µg/L: the correction removes the unit as well.
    const lgu = objectiveAtZero('ug/L', 1000, 'CP ~ exp(0.2)');
    assert.ok(rel(dataScaleObjective(lgu.f, lgu.o, 1000), hand) < 1e-12);
  });

  test('bad factor or logDv is refused', () => {
    const mg = objectiveAtZero('mg/L', 1, 'CP ~ prop(0.2)');
    assert.match(
      codeOf(() => dataScaleObjective(mg.f, mg.o, 0)),
      /DT_AVERAGE_SCALE/,
    );
    assert.match(
      codeOf(() => dataScaleObjective(mg.f, mg.o, 1, true)),
      /logDv/,
    );
  });
});
