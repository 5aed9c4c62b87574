// Dose recommendation (issue 4, acceptance 1–3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { computeExposure } from './exposure.ts';
import { recommend } from './recommend.ts';
import { inTarget, metricValue, parseTarget } from './targets.ts';

const ERR = 'error\n  CP ~ prop(0.1)\n';
const VANCO = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
);
const MM = compile(
  `parameters value unit label\n  VMAX 60 mg/h "vmax"\n  KM 8 mg/L "km"\n  V 40 L "v"\ncompartments central\nequations\n  C = central / V\n  d/dt(central) = -VMAX * C / (KM + C)\n  CP = C\n${ERR}`,
);
const history = patient([{ time: 0, amt: 1000, rate: 1000 }], [11.5]);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('the dose found equals the analytic answer', () => {
  test('linear: AUC24 = 500 mg·h/L at steady state needs dose = 500·CL·τ/24 (rel 1e-6), for every interval', () => {
    const r = recommend({
      sim: new Simulator(VANCO),
      history,
      point: null,
      targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
      space: { start: 12, intervals: [8, 12, 24], durations: [1] },
    });
    for (const tau of [8, 12, 24]) {
      const c = r.candidates.find((x) => x.interval === tau)!;
      assert.ok(rel(c.exactDose, (500 * 4 * tau) / 24) < 1e-6, `τ ${tau}: ${c.exactDose}`);
    }
  });
  test('Michaelis–Menten: the AUC24 forecast at the exact dose is the target (rel 1e-6, solver tolerance)', () => {
    const sim = new Simulator(MM);
    const r = recommend({
      sim,
      history,
      point: null,
      targets: [parseTarget('auc24=200..300', 'mg/L', 'h')],
      space: { start: 12, intervals: [12], durations: [0.5], maxDose: 5000 },
    });
    const c = r.candidates[0];
    const p = patient([{ time: 12, amt: c.exactDose, rate: c.exactDose / 0.5, ii: 12, addl: 3, ss: 1 }]);
    const e = computeExposure(sim, p, null, { from: 12, to: 36 });
    assert.ok(rel(e.auc, 250) < 1e-6, `AUC ${e.auc} at ${c.exactDose} mg`);
  });
});

test('PTA equals the fraction of draws whose exposure is in range (recomputed independently)', () => {
  const rng = createRng(7);
  const draws = Array.from({ length: 60 }, () =>
    Float64Array.of(Math.sqrt(0.1) * rng.normal(), Math.sqrt(0.05) * rng.normal()),
  );
  const sim = new Simulator(VANCO);
  const target = parseTarget('auc24=400..600', 'mg/L', 'h');
  const r = recommend({
    sim,
    history,
    point: null,
    draws,
    targets: [target],
    space: { start: 12, intervals: [12], durations: [1], strengths: [250, 500] },
  });
  assert.ok(r.candidates.length >= 2);
  for (const c of r.candidates) {
    let hits = 0;
    for (const d of draws) {
      // Independent recomputation: AUC24 at steady state of a 1-cpt model = (24/τ)·dose/CL.
      const cl = 4 * Math.exp(d[0]);
      const auc24 = ((24 / c.interval) * c.dose) / cl;
      if (auc24 >= 400 && auc24 <= 600) hits++;
    }
    assert.equal(c.pta!.all, hits / draws.length, `dose ${c.dose}`);
  }
});

test('property: every candidate is a sum of strengths, within the single and daily maxima, at an allowed interval (fast-check, seed 42)', () => {
  const sim = new Simulator(VANCO);
  fc.assert(
    fc.property(
      fc.double({ min: 200, max: 900, noNaN: true }),
      fc.double({ min: -0.6, max: 0.6, noNaN: true }),
      fc.constantFrom<number[]>([250, 500], [500, 1000], [125, 250, 1000]),
      fc.double({ min: 800, max: 3000, noNaN: true }),
      fc.subarray([6, 8, 12, 24], { minLength: 1 }),
      (centre, etaCl, strengths, maxDose, intervals) => {
        const r = recommend({
          sim,
          history,
          point: Float64Array.of(etaCl, 0),
          targets: [parseTarget(`auc24=${centre * 0.9}..${centre * 1.1}`, 'mg/L', 'h')],
          space: {
            start: 12,
            intervals,
            durations: [1],
            strengths,
            maxDose,
            maxDailyDose: 4000,
            maxUnitsPerDose: 8,
          },
        });
        for (const c of r.candidates) {
          assert.ok(intervals.includes(c.interval));
          assert.ok(c.dose <= maxDose + 1e-9 && (c.dose * 24) / c.interval <= 4000 + 1e-9);
          const sum = c.units.reduce((s, u) => s + u.strength * u.count, 0);
          assert.ok(
            Math.abs(sum - c.dose) < 1e-9 && c.units.every((u) => strengths.includes(u.strength)),
            `dose ${c.dose} from ${JSON.stringify(c.units)}`,
          );
          // The exposure reported is the one after rounding.
          const auc24 = ((24 / c.interval) * c.dose) / (4 * Math.exp(etaCl));
          assert.ok(
            rel(
              metricValue(
                { metric: 'auc24', lo: 0, hi: 1, priority: 1, text: '' },
                c.exposure.interval,
                c.exposure.day,
              ),
              auc24,
            ) < 1e-9,
          );
        }
        return true;
      },
    ),
    { seed: 42, numRuns: 40 },
  );
});

test('ranking: the first candidate meets the target when one can; the target parser converts units', () => {
  const t = parseTarget('trough=10..15 ug/mL', 'mg/L', 'h');
  assert.deepEqual([t.lo, t.hi], [10, 15]);
  const u = parseTarget('auc24=400000..600000 ug*h/L', 'mg/L', 'h');
  assert.ok(rel(u.lo!, 400) < 1e-12 && rel(u.hi!, 600) < 1e-12);
  const r = recommend({
    sim: new Simulator(VANCO),
    history,
    point: null,
    targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
    space: { start: 12, intervals: [12], durations: [1], strengths: [250, 500] },
  });
  assert.ok(
    r.candidates[0].met[0] &&
      inTarget(parseTarget('auc24=400..600', 'mg/L', 'h'), r.candidates[0].metrics[0]),
  );
  // 1000 mg q12h: AUC24 = 2000/4 = 500 — the exact centre.
  assert.equal(r.candidates[0].dose, 1000);
});
