// Limits of administration inside the regimen search: the shortest infusion a rate allows, the
// largest dose an interval allows, the breaches a regimen commits, and a property test that no
// candidate of the search breaks any limit, whatever the limits, targets and patient.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { doseCeiling, infusionFor, limitBreaches, shortestInfusion } from './limits.ts';
import { recommend } from './recommend.ts';
import { parseTarget } from './targets.ts';

/** Vancomycin's label in model units (mg, h): at most 10 mg/min = 600 mg/h, at least 1 h, pumps set to 10 min. */
const VANCO_LABEL = { maxRate: 600, minDuration: 1, durationStep: 1 / 6, maxDose: 2000 };

describe('the shortest infusion and the largest dose, by hand', () => {
  test('vancomycin at 10 mg/min: 2000 mg over 200 min, 1000 mg over 100 min, 500 mg over the 60-min minimum (rel 1e-12)', () => {
    assert.ok(Math.abs(shortestInfusion(2000, VANCO_LABEL) - 200 / 60) < 1e-12);
    assert.ok(Math.abs(shortestInfusion(1000, VANCO_LABEL) - 100 / 60) < 1e-12);
    assert.equal(shortestInfusion(500, VANCO_LABEL), 1);
    // 1250 mg needs 125 min, rounded up to the next 10 min: 130 min.
    assert.ok(Math.abs(shortestInfusion(1250, VANCO_LABEL) - 130 / 60) < 1e-12);
  });
  test('a listed 1-h infusion of 2000 mg becomes 200 min, a listed 4-h one stays; 2000 mg every 3 h cannot be given (200 min > 3 h)', () => {
    assert.ok(Math.abs(infusionFor(2000, 1, 12, VANCO_LABEL)! - 200 / 60) < 1e-12);
    assert.equal(infusionFor(2000, 4, 12, VANCO_LABEL), 4);
    assert.equal(infusionFor(2000, 1, 3, VANCO_LABEL), null);
  });
  test('the dose ceiling: piperacillin 4 g a dose and 16 g a day: 4 g every 6 and 8 h, 2.667 g every 4 h (daily maximum)', () => {
    const pip = { maxDose: 4000, maxDailyDose: 16000 };
    assert.deepEqual(doseCeiling(6, pip, 'h'), { dose: 4000, by: 'maxDose' });
    assert.deepEqual(doseCeiling(8, pip, 'h'), { dose: 4000, by: 'maxDose' });
    const q4 = doseCeiling(4, pip, 'h');
    assert.equal(q4.by, 'maxDailyDose');
    assert.ok(Math.abs(q4.dose - 16000 / 6) < 1e-9);
    // A rate over a longest infusion: 600 mg/h over at most 2 h caps every interval at 1200 mg.
    assert.deepEqual(doseCeiling(12, { maxRate: 600, maxDuration: 2 }, 'h'), { dose: 1200, by: 'maxRate' });
    // The time unit of the model: a daily maximum per 24 h in a model counting minutes.
    assert.ok(Math.abs(doseCeiling(360, { maxDailyDose: 16000 }, 'min').dose - 4000) < 1e-9);
  });
  test('breaches: 2000 mg of vancomycin over 1 h breaks the rate (2000 mg/h > 600 mg/h); over 200 min none', () => {
    const b = limitBreaches({ dose: 2000, interval: 24, duration: 1 }, VANCO_LABEL, 'h');
    assert.deepEqual(
      b.map((x) => [x.limit, x.value, x.allowed]),
      [['maxRate', 2000, 600]],
    );
    assert.deepEqual(limitBreaches({ dose: 2000, interval: 24, duration: 200 / 60 }, VANCO_LABEL, 'h'), []);
    // A loading dose of 2500 mg over the maintenance's 200 min: above the single maximum and too fast.
    const l = limitBreaches(
      { dose: 2000, interval: 24, duration: 200 / 60, loadingDose: 2500 },
      VANCO_LABEL,
      'h',
    );
    assert.deepEqual(
      l.map((x) => [x.limit, x.of]),
      [
        ['maxLoadingDose', 'loading'],
        ['maxRate', 'loading'],
      ],
    );
  });
});

const VANCO = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
);
const history = patient([{ time: 0, amt: 1000, rate: 1000 }], [11.5]);

test('the search lengthens infusions instead of dropping doses: AUC24 500 with CL 12 L/h needs 6000 mg/day; 2000 mg every 8 h over 200 min', () => {
  const r = recommend({
    sim: new Simulator(VANCO),
    history,
    point: Float64Array.of(Math.log(3), 0),
    targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
    space: { start: 12, intervals: [8], durations: [1, 2], strengths: [500, 1000], ...VANCO_LABEL },
  });
  const c = r.candidates[0];
  assert.equal(c.dose, 2000);
  assert.ok(Math.abs(c.duration - 200 / 60) < 1e-12, `${c.duration} h`);
  // AUC24 = 3 × 2000 / 12 = 500 mg·h/L exactly (1-compartment, steady state).
  assert.ok(Math.abs(c.metrics[0] - 500) < 1e-6);
  // The two listed durations give one regimen (2000 mg over 200 min), listed once.
  assert.equal(r.candidates.filter((x) => x.dose === 2000 && x.interval === 8).length, 1);
});

test('a target beyond the limits: the best regimens within them, DT_DOSE_LIMIT and DT_TARGET_BEYOND_LIMITS', () => {
  // CL 40 L/h: AUC24 500 needs 20 000 mg/day, 6667 mg every 8 h; the label allows 2000.
  const r = recommend({
    sim: new Simulator(VANCO),
    history,
    point: Float64Array.of(Math.log(10), 0),
    targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
    space: { start: 12, intervals: [8, 12], durations: [1], strengths: [500, 1000], ...VANCO_LABEL },
  });
  assert.ok(r.candidates.length > 0);
  assert.equal(r.candidates[0].dose, 2000);
  assert.equal(r.candidates[0].interval, 8);
  assert.ok(r.candidates.every((c) => c.dose <= 2000 && !c.met[0]));
  const codes = r.warnings.map((w) => w.code);
  assert.ok(codes.includes('DT_DOSE_LIMIT') && codes.includes('DT_TARGET_BEYOND_LIMITS'), codes.join());
  assert.match(r.warnings.find((w) => w.code === 'DT_DOSE_LIMIT')!.message, /6667 mg, above the 2000 mg/);
});

test('property: no candidate, loading dose included, breaks a limit (random limits, targets and clearance; fast-check, seed 11)', () => {
  const sim = new Simulator(VANCO);
  fc.assert(
    fc.property(
      fc.record({
        etaCl: fc.double({ min: -1.2, max: 1.5, noNaN: true }),
        centre: fc.double({ min: 150, max: 900, noNaN: true }),
        strengths: fc.constantFrom<number[]>([250, 500], [500, 1000], [125, 250, 1000], [2000, 4000]),
        intervals: fc.subarray([4, 6, 8, 12, 24, 36], { minLength: 1 }),
        durations: fc.subarray([0.25, 0.5, 1, 2, 4], { minLength: 1 }),
        maxDose: fc.option(fc.double({ min: 300, max: 5000, noNaN: true }), { nil: undefined }),
        maxDailyDose: fc.option(fc.double({ min: 1000, max: 20000, noNaN: true }), { nil: undefined }),
        maxLoadingDose: fc.option(fc.double({ min: 500, max: 6000, noNaN: true }), { nil: undefined }),
        maxRate: fc.option(fc.double({ min: 100, max: 3000, noNaN: true }), { nil: undefined }),
        minDuration: fc.option(fc.constantFrom(0.25, 0.5, 1), { nil: undefined }),
        maxDuration: fc.option(fc.constantFrom(1, 2, 3, 4), { nil: undefined }),
        durationStep: fc.option(fc.constantFrom(1 / 6, 0.25, 0.5), { nil: undefined }),
        loading: fc.boolean(),
      }),
      (x) => {
        const limits = {
          maxDose: x.maxDose,
          maxDailyDose: x.maxDailyDose,
          maxLoadingDose: x.maxLoadingDose,
          maxRate: x.maxRate,
          minDuration: x.minDuration,
          maxDuration: x.maxDuration,
          durationStep: x.durationStep,
        };
        const target = parseTarget(`auc24=${x.centre * 0.8}..${x.centre * 1.2}`, 'mg/L', 'h');
        const r = recommend({
          sim,
          history,
          point: Float64Array.of(x.etaCl, 0),
          targets: [target],
          space: {
            start: 12,
            intervals: x.intervals,
            durations: x.durations,
            strengths: x.strengths,
            maxUnitsPerDose: 10,
            ...limits,
          },
          ...(x.loading ? { loading: { target } } : {}),
        });
        for (const c of r.candidates) {
          const b = limitBreaches(
            {
              dose: c.dose,
              interval: c.interval,
              duration: c.duration,
              ...(c.loadingDose > 0
                ? { loadingDose: c.loadingDose, loadingDuration: c.loadingDuration }
                : {}),
            },
            limits,
            'h',
          );
          assert.deepEqual(b, [], `${c.dose} every ${c.interval} over ${c.duration}: ${JSON.stringify(b)}`);
          assert.ok(x.intervals.includes(c.interval));
          // The infusion is a listed one, or the shortest the limits allow for that dose.
          assert.ok(
            x.durations.includes(c.duration) ||
              Math.abs(c.duration - shortestInfusion(c.dose, limits)) < 1e-12,
            `duration ${c.duration}`,
          );
        }
        // Without any candidate the search says so.
        if (!r.candidates.length) assert.ok(r.warnings.some((w) => w.code === 'DT_NO_CANDIDATE'));
        return true;
      },
    ),
    { seed: 11, numRuns: 150 },
  );
});
