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

describe('loading dose search (closed forms, 1-cpt, no prior dose)', () => {
  const fresh = patient([{ time: 0, evid: 2 }]);
  const k = 4 / 50;
  test('bolus: first-interval AUC = steady-state AUCτ needs L = D/(1 − e^{−kτ}) (rel 1e-9)', () => {
    // First interval from an empty state, loading L at 0: AUC0–τ = L/CL·(1 − e^{−kτ}). The
    // maintenance D is found for AUCτ,ss = D/CL = 250 mg·h/L → D = 1000 mg; asking the loading
    // dose for the same AUC over the first interval gives L = D/(1 − e^{−kτ}), the classic
    // accumulation-ratio loading dose (1620.6 mg for τ = 12 h).
    const r = recommend({
      sim: new Simulator(VANCO),
      history: fresh,
      point: null,
      targets: [parseTarget('auctau=200..300', 'mg/L', 'h')],
      loading: { target: parseTarget('auctau=250', 'mg/L', 'h') },
      space: { start: 0, intervals: [12], durations: [0] },
    });
    const c = r.candidates.find((x) => Math.abs(x.dose - 1000) < 1e-6)!;
    const L = 1000 / (1 - Math.exp(-12 * k));
    assert.ok(rel(c.loading!.exactDose, L) < 1e-9, `${c.loading!.exactDose} vs ${L}`);
    assert.ok(rel(c.loading!.dose, L) < 1e-6 && rel(c.loading!.metric, 250) < 1e-6 && c.loading!.met);
    // With it, the first interval is already at steady state.
    assert.equal(c.intervalsToSteadyState! <= 1, true);
  });
  test('1-h infusion, vancomycin-style AUC over the first 24 h with q12h maintenance (rel 1e-9)', () => {
    // AUC0–24 = L/CL·(1 − A·e^{−24k}) + D/CL·(1 − A·e^{−12k}), A = (e^{k·1} − 1)/(k·1): the loading
    // infusion's area to 24 h plus the maintenance infusion's started at 12 h (single-dose
    // infusion area to t: D/CL·(1 − A·e^{−kt}), t ≥ 1 h). Target 600 → L solved in closed form (above every maintenance dose here).
    const r = recommend({
      sim: new Simulator(VANCO),
      history: fresh,
      point: null,
      targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
      loading: { target: parseTarget('auc24=550..650', 'mg/L', 'h') },
      space: { start: 0, intervals: [12], durations: [1], strengths: [250], maxDose: 3000 },
    });
    const A = (Math.exp(k) - 1) / k;
    for (const c of r.candidates) {
      const L = ((600 - (c.dose / 4) * (1 - A * Math.exp(-12 * k))) * 4) / (1 - A * Math.exp(-24 * k));
      assert.ok(
        rel(c.loading!.exactDose, L) < 1e-9,
        `maintenance ${c.dose}: ${c.loading!.exactDose} vs ${L}`,
      );
      // Rounded to 250-mg vials, within the maximum, and the metric reported is the rounded one's.
      assert.equal(c.loading!.dose % 250, 0);
      assert.ok(c.loading!.dose <= 3000);
      const auc =
        (c.loading!.dose / 4) * (1 - A * Math.exp(-24 * k)) + (c.dose / 4) * (1 - A * Math.exp(-12 * k));
      assert.ok(rel(c.loading!.metric, auc) < 1e-9);
      // Of the two vial multiples around L, the one whose AUC is closer to 600 (log scale).
      const aucOf = (x: number): number =>
        (x / 4) * (1 - A * Math.exp(-24 * k)) + (c.dose / 4) * (1 - A * Math.exp(-12 * k));
      const [lo, hi] = [Math.floor(L / 250) * 250, Math.ceil(L / 250) * 250];
      const pick = Math.abs(Math.log(aucOf(lo) / 600)) <= Math.abs(Math.log(aucOf(hi) / 600)) ? lo : hi;
      assert.equal(c.loading!.dose, pick, `L ${L}`);
    }
  });
  test('a 2.5-h loading infusion before 1-h maintenance infusions: L = 250·CL/(1 − e^{−kτ}·(e^{k·2.5} − 1)/(k·2.5)) (rel 1e-9)', () => {
    // Single infusion of L over d from 0: AUC0–τ = L/CL·(1 − e^{−kτ}·(e^{kd} − 1)/(kd)), τ ≥ d.
    const r = recommend({
      sim: new Simulator(VANCO),
      history: fresh,
      point: null,
      targets: [parseTarget('auctau=200..300', 'mg/L', 'h')],
      loading: { target: parseTarget('auctau=250', 'mg/L', 'h'), duration: 2.5 },
      space: { start: 0, intervals: [12], durations: [1] },
    });
    const c = r.candidates[0];
    const L = (250 * 4) / (1 - (Math.exp(-12 * k) * (Math.exp(2.5 * k) - 1)) / (2.5 * k));
    assert.ok(rel(c.loading!.exactDose, L) < 1e-9, `${c.loading!.exactDose} vs ${L}`);
  });
  test('Michaelis–Menten: the rounded-off loading dose puts the first-interval AUC at the target (solver tolerance)', () => {
    const sim = new Simulator(MM);
    const r = recommend({
      sim,
      history: fresh,
      point: null,
      targets: [parseTarget('auc24=200..300', 'mg/L', 'h')],
      loading: { target: parseTarget('auctau=150', 'mg/L', 'h') },
      space: { start: 0, intervals: [12], durations: [0.5], maxDose: 5000 },
    });
    const c = r.candidates[0];
    const L = c.loading!.exactDose;
    const p = patient([
      { time: 0, amt: L, rate: L / 0.5 },
      { time: 12, amt: c.dose, rate: c.dose / 0.5, ii: 12, addl: 2 },
    ]);
    const e = computeExposure(sim, p, null, { from: 0, to: 12 });
    assert.ok(rel(e.auc, 150) < 1e-6, `AUC0–12 ${e.auc} with L = ${L}`);
  });
  test('no loading dose when starting with the maintenance dose already reaches the loading target', () => {
    const r = recommend({
      sim: new Simulator(VANCO),
      history: fresh,
      point: null,
      targets: [parseTarget('auctau=200..300', 'mg/L', 'h')],
      loading: { target: parseTarget('auctau>=50', 'mg/L', 'h') },
      space: { start: 0, intervals: [12] },
    });
    assert.equal(r.candidates[0].loading!.dose, 0);
    assert.equal(r.candidates[0].loadingDose, 0);
  });
});

test('start times: the dose for each start after a 2000-mg bolus is the closed-form one (rel 1e-9)', () => {
  // First interval [s, s+12] after a 2000-mg bolus at 0: AUC = 2000/CL·(e^{−ks} − e^{−k(s+12)})
  // + D/CL·(1 − e^{−12k}); target 250 → D(s) = (250·CL − 2000·(e^{−ks} − e^{−k(s+12)}))/(1 − e^{−12k}).
  const k = 4 / 50;
  const h = patient([{ time: 0, amt: 2000 }]);
  const r = recommend({
    sim: new Simulator(VANCO),
    history: h,
    point: null,
    targets: [parseTarget('auctau=200..300', 'mg/L', 'h')],
    horizon: 'first-interval',
    space: { start: 6, startTimes: [6, 12, 18], intervals: [12] },
    maxCandidates: 30,
  });
  for (const s of [6, 12, 18]) {
    const c = r.candidates.find((x) => x.start === s)!;
    const D = (250 * 4 - 2000 * (Math.exp(-k * s) - Math.exp(-k * (s + 12)))) / (1 - Math.exp(-12 * k));
    assert.ok(rel(c.exactDose, D) < 1e-9, `start ${s}: ${c.exactDose} vs ${D}`);
  }
  assert.throws(
    () =>
      recommend({
        sim: new Simulator(VANCO),
        history: h,
        point: null,
        targets: [parseTarget('auctau=200..300', 'mg/L', 'h')],
        space: { start: 6, startTimes: [6, 12], intervals: [12] },
      }),
    /first-interval horizon/,
  );
});

test('several targets: the secondary filters (all priority-1 met, then priority 2), the primary ranks', () => {
  // Same AUC24 = 500 for every interval (doses exact, no rounding): alone, the longest interval
  // wins the tie. A secondary trough ≥ 8 mg/L excludes q24h (6.87 mg/L; q12h 12.4): Cmin,ss = (D/V)·e^{−kτ}/(1 − e^{−kτ}).
  const k = 4 / 50;
  const trough = (tau: number): number => {
    const D = (500 * 4 * tau) / 24;
    return ((D / 50) * Math.exp(-k * tau)) / (1 - Math.exp(-k * tau));
  };
  assert.ok(trough(24) < 8 && trough(12) > 8 && trough(8) > 8, `${trough(24)}, ${trough(12)}`);
  const space = { start: 12, intervals: [8, 12, 24], durations: [0] };
  const auc = parseTarget('auc24=400..600', 'mg/L', 'h', 1);
  const alone = recommend({ sim: new Simulator(VANCO), history, point: null, targets: [auc], space });
  assert.equal(alone.candidates[0].interval, 24);
  const both = recommend({
    sim: new Simulator(VANCO),
    history,
    point: null,
    targets: [auc, parseTarget('trough>=8', 'mg/L', 'h', 2)],
    space,
  });
  const best = both.candidates[0];
  assert.equal(best.interval, 12);
  assert.ok(best.met.every(Boolean) && rel(best.metrics[1], trough(12)) < 1e-9);
  const firstMissing = both.candidates.findIndex((c) => !c.met[1]);
  assert.ok(
    both.candidates.slice(firstMissing).every((c) => !c.met[1]),
    'those missing the secondary come last',
  );
});

test('property: loading doses are sums of strengths within the loading maximum, start times as allowed (fast-check, seed 7)', () => {
  const sim = new Simulator(VANCO);
  fc.assert(
    fc.property(
      fc.double({ min: 300, max: 800, noNaN: true }),
      fc.double({ min: -0.6, max: 0.6, noNaN: true }),
      fc.constantFrom<number[]>([250, 500], [500, 1000], [125, 250, 1000]),
      fc.double({ min: 1000, max: 4000, noNaN: true }),
      (centre, etaCl, strengths, maxLoading) => {
        const r = recommend({
          sim,
          history,
          point: Float64Array.of(etaCl, 0),
          targets: [parseTarget(`auc24=${centre * 0.9}..${centre * 1.1}`, 'mg/L', 'h')],
          loading: { target: parseTarget(`auc24=${centre}`, 'mg/L', 'h'), maxDose: maxLoading },
          space: { start: 12, intervals: [8, 12], durations: [1], strengths, maxUnitsPerDose: 8 },
        });
        for (const c of r.candidates) {
          const L = c.loading!.dose;
          assert.ok(
            L === 0 || (L >= c.dose && L <= maxLoading + 1e-9),
            `loading ${L}, maintenance ${c.dose}`,
          );
          const sum = c.loading!.units.reduce((s, u) => s + u.strength * u.count, 0);
          assert.ok(
            Math.abs(sum - L) < 1e-9 && c.loading!.units.every((u) => strengths.includes(u.strength)),
          );
          assert.equal(c.start, 12);
        }
        return true;
      },
    ),
    { seed: 7, numRuns: 25 },
  );
});

test('c_eoi_1h of a bolus is the level 1 h after the dose: D = 20·V·(1 − e^{−kτ})/e^{−k} at steady state (rel 1e-9)', () => {
  const k = 4 / 50;
  const r = recommend({
    sim: new Simulator(VANCO),
    history,
    point: null,
    targets: [parseTarget('c_eoi_1h=20', 'mg/L', 'h')],
    space: { start: 12, intervals: [12] },
  });
  const D = (20 * 50 * (1 - Math.exp(-12 * k))) / Math.exp(-k);
  assert.ok(rel(r.candidates[0].exactDose, D) < 1e-9, `${r.candidates[0].exactDose} vs ${D}`);
});

test('c_eoi_30min of a 30-min infusion (aminoglycoside peak) at steady state: D = 20·CL·T·(1 − e^{−kτ})/((1 − e^{−kT})·e^{−k/2}) (rel 1e-9)', () => {
  // 1-cpt infusion over T = 0.5 h every 24 h: C(end) = (D/T)/CL·(1 − e^{−kT})/(1 − e^{−kτ}), then
  // 30 min of decay.
  const k = 4 / 50;
  const r = recommend({
    sim: new Simulator(VANCO),
    history,
    point: null,
    targets: [parseTarget('c_eoi_30min=20', 'mg/L', 'h')],
    space: { start: 12, intervals: [24], durations: [0.5] },
  });
  const D = (20 * 4 * 0.5 * (1 - Math.exp(-24 * k))) / ((1 - Math.exp(-0.5 * k)) * Math.exp(-0.5 * k));
  assert.ok(rel(r.candidates[0].exactDose, D) < 1e-9, `${r.candidates[0].exactDose} vs ${D}`);
});

test('loading dose for an aminoglycoside-style Cmax/MIC ≥ 8 over the first interval: L = 8·MIC·V for a bolus (rel 1e-8)', () => {
  // Fresh start, bolus L at the start: Cmax of the first interval = L/V, so Cmax/MIC = 8 at
  // L = 8·2 mg/L·50 L = 800 mg (bracketed solve: Cmax is not affine in general).
  const r = recommend({
    sim: new Simulator(VANCO),
    history: patient([{ time: 0, evid: 2 }]),
    point: null,
    targets: [parseTarget('auc24=100..140', 'mg/L', 'h')],
    loading: { target: parseTarget('cmax_mic>=8', 'mg/L', 'h') },
    mic: 2,
    space: { start: 0, intervals: [24] },
  });
  const c = r.candidates[0];
  assert.ok(rel(c.dose, 480) < 1e-9, `maintenance ${c.dose}`);
  assert.ok(rel(c.loading!.exactDose, 800) < 1e-8, `loading ${c.loading!.exactDose}`);
  // The dose given is the smallest step (1e-6 relative, no strengths) at or above the bound.
  assert.ok(
    c.loading!.met && c.loading!.metric >= 8 && rel(c.loading!.metric, 8) < 2e-6,
    `${c.loading!.metric}`,
  );
  // One candidate per dose: the exact maintenance dose is not repeated by rounding noise.
  const doses = r.candidates.map((x) => x.dose);
  assert.equal(new Set(doses.map((d) => d.toPrecision(9))).size, doses.length, `${doses}`);
});
