// The regimen search computes the PTA over the draws only for the candidates that can still be
// listed. Asking for more candidates than the space holds settles every one of them: that is the
// exhaustive search, and the pruned one must list the same regimens with the same numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../simulate/rng.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { attainment, maintenanceExposure } from './evaluate.ts';
import { computeExposure, windowAuc } from './exposure.ts';
import { METRIC_DEFS } from './metrics.ts';
import { type RecommendInput, recommend } from './recommend.ts';
import { inTarget, metricValue, parseTarget } from './targets.ts';

const ERR = 'error\n  CP ~ prop(0.1)\n';
const ONE_CMT = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
);
const ORAL = compile(
  `parameters value unit label\n  TVCL 20 L/h "cl"\n  TVV 500 L "v"\n  TVKA 1.2 1/h "ka"\nrandom\n  eta_CL ~ 0.09  eta_V ~ 0.1  eta_KA ~ 0.2\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  KA = TVKA * exp(eta_KA)\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n${ERR}`,
);

const drawsOf = (n: number, sd: number[], seed: number): Float64Array[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float64Array.from(sd, (s) => s * rng.normal()));
};

type Case = { name: string; input: Omit<RecommendInput, 'sim'>; sim: () => Simulator };

const CASES: Case[] = [
  {
    name: 'AUC24 on infusions, vials (the AUC-only PTA)',
    sim: () => new Simulator(ONE_CMT),
    input: {
      history: patient([{ time: 0, amt: 1000, rate: 1000 }], [11.5]),
      point: Float64Array.of(0.2, -0.1),
      draws: drawsOf(80, [Math.sqrt(0.1), Math.sqrt(0.05)], 11),
      targets: [parseTarget('auc24=400..600', 'mg/L', 'h')],
      space: {
        start: 12,
        intervals: [6, 8, 12, 24],
        durations: [1, 2],
        strengths: [250, 500, 1000],
        maxRate: 1000,
      },
    },
  },
  {
    name: 'trough and AUC24 after the history (first interval), the full exposure per draw',
    sim: () => new Simulator(ONE_CMT),
    input: {
      history: patient([{ time: 0, amt: 1500, rate: 1500 }], [11.5]),
      point: null,
      draws: drawsOf(60, [Math.sqrt(0.1), Math.sqrt(0.05)], 5),
      targets: [
        parseTarget('trough=10..20', 'mg/L', 'h'),
        { ...parseTarget('auc24=400..700', 'mg/L', 'h'), priority: 2 },
      ],
      horizon: 'first-interval',
      space: { start: 12, intervals: [8, 12, 24], durations: [1], strengths: [250, 500] },
    },
  },
  {
    name: 'oral capsules, trough, ranked for the PTA',
    sim: () => new Simulator(ORAL),
    input: {
      history: patient([{ time: 0, amt: 100 }], [11.5]),
      point: Float64Array.of(-0.2, 0.1, 0.3),
      draws: drawsOf(60, [0.3, Math.sqrt(0.1), Math.sqrt(0.2)], 9),
      targets: [parseTarget('trough=0.05..0.1', 'mg/L', 'h')],
      optimiseFor: 'pta',
      space: { start: 12, intervals: [8, 12, 24], durations: [0], strengths: [5, 10, 25] },
    },
  },
];

for (const c of CASES)
  test(`pruned search = exhaustive search, same regimens and PTA to the last digit, fewer runs: ${c.name}`, () => {
    const sim = (): { sim: Simulator; runs: () => number } => {
      const s = c.sim();
      const run = s.run.bind(s);
      let n = 0;
      s.run = (...a: Parameters<Simulator['run']>) => {
        n++;
        return run(...a);
      };
      return { sim: s, runs: () => n };
    };
    const all = sim();
    const exhaustive = recommend({ ...c.input, sim: all.sim, maxCandidates: 1000 });
    assert.ok(exhaustive.candidates.length >= 4, `${exhaustive.candidates.length} candidates`);
    for (const n of [1, 3]) {
      const some = sim();
      const pruned = recommend({ ...c.input, sim: some.sim, maxCandidates: n });
      assert.deepEqual(pruned.candidates, exhaustive.candidates.slice(0, n), `first ${n}`);
      assert.ok(pruned.candidates.every((x) => x.pta !== undefined));
      assert.ok(some.runs() < all.runs(), `${some.runs()} runs, exhaustive ${all.runs()}`);
    }
  });

test('the AUC-only PTA (one integral run per draw) counts the draws the full exposure counts: auc24, auctau, cavg', () => {
  const c = CASES[0];
  const sim = c.sim();
  const targets = [
    parseTarget('auc24=400..600', 'mg/L', 'h'),
    parseTarget('auctau=150..250', 'mg/L', 'h'),
    parseTarget('cavg=15..25', 'mg/L', 'h'),
  ];
  for (const reg of [
    { start: 12, dose: 1000, interval: 12, duration: 1, cmt: 0 },
    { start: 12, dose: 500, interval: 8, duration: 2, cmt: 0 },
    { start: 12, dose: 1500, interval: 24, duration: 1.5, cmt: 0 },
  ])
    for (const horizon of ['steady-state', 'first-interval'] as const) {
      const q = { targets, horizon };
      const hits = targets.map(() => 0);
      let all = 0;
      for (const d of c.input.draws!) {
        const e = maintenanceExposure(sim, c.input.history, reg, d, q);
        const ok = targets.map((t) => inTarget(t, metricValue(t, e.interval, e.day)));
        ok.forEach((x, k) => (hits[k] += x ? 1 : 0));
        if (ok.every(Boolean)) all++;
      }
      const n = c.input.draws!.length;
      const pta = attainment(sim, c.input.history, reg, c.input.draws!, q);
      assert.deepEqual(
        pta,
        { each: hits.map((h) => h / n), all: all / n },
        `${reg.dose}/${reg.interval} ${horizon}`,
      );
      // Not a trivial agreement: some draws in, some out.
      assert.ok(
        pta.each.some((p) => p > 0 && p < 1),
        JSON.stringify(pta),
      );
    }
});

test('a metric read from its window’s AUC gives the same number from the AUC as from the exposure', () => {
  const sim = new Simulator(ONE_CMT);
  const p = patient([{ time: 0, amt: 1000, rate: 1000, ii: 8, addl: 5, ss: 1 }]);
  const eta = Float64Array.of(0.3, -0.2);
  const interval = computeExposure(sim, p, eta, { from: 0, to: 8 });
  const day = computeExposure(sim, p, eta, { from: 0, to: 24 });
  const read = METRIC_DEFS.filter((d) => d.fromAuc);
  assert.deepEqual(read.map((d) => d.name).sort(), ['auc24', 'auctau', 'cavg']);
  for (const d of read) {
    const w = d.window === 'day' ? day : interval;
    assert.equal(
      d.fromAuc!(windowAuc(sim, p, w.from, w.to)(eta), w.from, w.to),
      d.read({ interval, day }),
      d.name,
    );
  }
});
