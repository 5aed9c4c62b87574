// After a missed or late dose: each option's concentrations against the superposition of
// one-compartment oral doses written here (not the engine's solver), the window read over the
// posterior draws, and the ranking from them with a fixed seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { compile, patient } from '../test-support/models.ts';
import { createTwin } from '../twin/twin.ts';
import { timeOutside } from './missed-dose.ts';

const ORAL = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\n  KA 1.2 1/h "ka"\n` +
    `random\n  eta_CL ~ 0.09  eta_V ~ 0.04\n` +
    `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);

const D = 500; // mg every 12 h
const TAU = 12;
const KA = 1.2;
/** One oral dose D at s, read at t (F = 1): D·ka/(V(ka − k))·(e^{−k(t−s)} − e^{−ka(t−s)}). */
const single = (dose: number, s: number, t: number, k: number, v: number): number =>
  t < s ? 0 : ((dose * KA) / (v * (KA - k))) * (Math.exp(-k * (t - s)) - Math.exp(-KA * (t - s)));
/** Steady state at 0 (doses at 0, −τ, −2τ, …): the geometric sums of both exponentials. */
const steadyState = (t: number, k: number, v: number): number =>
  ((D * KA) / (v * (KA - k))) *
  (Math.exp(-k * t) / (1 - Math.exp(-k * TAU)) - Math.exp(-KA * t) / (1 - Math.exp(-KA * TAU)));

// At steady state from 0 (SS = 1), doses at 12, 24 and 36 h; a level at 40 h; the dose due at 48 h.
const history = patient([
  { time: 0, evid: 1, amt: D, ss: 1, ii: TAU, addl: 3 },
  { time: 40, evid: 0, dv: 7.5 },
]);
const DUE = 48;

/** Each option's doses from the due time on, as a patient would take them (delay k, 72 h read from now). */
function expectedDoses(id: string, k: number): [number, number][] {
  const now = DUE + k;
  const next = DUE + TAU;
  const first: [number, number][] =
    id === 'as-prescribed'
      ? [
          [DUE, D],
          [next, D],
        ]
      : id === 'take-now'
        ? [
            [now, D],
            [next, D],
          ]
        : id === 'take-reduced'
          ? [
              [now, D / 2],
              [next, D],
            ]
          : id === 'skip'
            ? [[next, D]]
            : id === 'next-early'
              ? [[(now + next) / 2, D]]
              : [[next, 2 * D]];
  const rest: [number, number][] = [];
  for (let t = next + TAU; t < now + 72; t += TAU) rest.push([t, D]);
  return [...first, ...rest];
}

/** ∫ₐᵇ of one oral dose D at s (the exponentials integrated from max(a, s)). */
const singleAuc = (dose: number, s: number, a: number, b: number, k: number, v: number): number => {
  const from = Math.max(a, s);
  if (b <= from) return 0;
  const [x, y] = [from - s, b - s];
  return (
    ((dose * KA) / (v * (KA - k))) *
    ((Math.exp(-k * x) - Math.exp(-k * y)) / k - (Math.exp(-KA * x) - Math.exp(-KA * y)) / KA)
  );
};
/** ∫ₐᵇ of the steady state at 0 (a ≥ 0). */
const steadyStateAuc = (a: number, b: number, k: number, v: number): number =>
  ((D * KA) / (v * (KA - k))) *
  ((Math.exp(-k * a) - Math.exp(-k * b)) / k / (1 - Math.exp(-k * TAU)) -
    (Math.exp(-KA * a) - Math.exp(-KA * b)) / KA / (1 - Math.exp(-KA * TAU)));

const superposed = (id: string, k: number, t: number, cl: number, v: number): number => {
  const ke = cl / v;
  let c = steadyState(t, ke, v);
  for (const s of [12, 24, 36]) c += single(D, s, t, ke, v);
  for (const [s, amt] of expectedDoses(id, k)) c += single(amt, s, t, ke, v);
  return c;
};

for (const k of [0, 3, 7.5, 11]) {
  test(`a dose taken ${k} h late at steady state: every option's concentrations, next trough and interval AUC equal the superposition of one-compartment oral doses (rel. 1e-9)`, () => {
    const twin = createTwin(ORAL, history, { samples: 0 });
    const g = twin.missedDose({ dose: D, interval: TAU, due: DUE, now: DUE + k, efficacy: 5, toxicity: 20 });
    const [cl, v] = [4 * Math.exp(twin.point![0]), 50 * Math.exp(twin.point![1])];
    assert.equal(g.options.length, 5);
    for (const o of [g.reference, ...g.options]) {
      assert.deepEqual(
        o.doses.map((d) => [d.time, d.amount]),
        expectedDoses(o.id, k),
      );
      assert.equal(o.times[0], DUE + k);
      assert.equal(o.times[o.times.length - 1], DUE + k + 72);
      for (let i = 0; i < o.times.length; i++) {
        const want = superposed(o.id, k, o.times[i], cl, v);
        assert.ok(
          Math.abs(o.conc[i] - want) <= 1e-9 * want,
          `${o.id} at ${o.times[i]} h: ${o.conc[i]} vs ${want}`,
        );
      }
      // The trough before the next scheduled dose and the AUC of the missed interval, from the same formula.
      // (an oral dose adds nothing at its own time: the level just before it is the sum at that time)
      const troughWant = superposed(o.id, k, DUE + TAU, cl, v);
      // The AUC of the missed dose's interval [due, due + τ], the doses taken in it only.
      const ke = cl / v;
      let auc = steadyStateAuc(DUE, DUE + TAU, ke, v);
      for (const s of [12, 24, 36]) auc += singleAuc(D, s, DUE, DUE + TAU, ke, v);
      for (const [s, amt] of expectedDoses(o.id, k))
        if (s < DUE + TAU) auc += singleAuc(amt, s, DUE, DUE + TAU, ke, v);
      assert.ok(Math.abs(o.aucInterval - auc) <= 1e-9 * auc, `${o.id} AUC ${o.aucInterval} vs ${auc}`);
      assert.ok(
        Math.abs(o.trough - troughWant) <= 1e-9 * troughWant,
        `${o.id} trough ${o.trough} vs ${troughWant}`,
      );
    }
    // With no draws, no probability: the ranking falls back on the point estimate's time outside.
    assert.ok(g.options.every((o) => o.pWithin === null && o.timeBelow.mean === null));
  });
}

test('the ranking uses the posterior draws (seed 11): P(within 5–20 mg/L for 72 h) and the mean time outside equal those of the superposition at each draw; same seed, same ranking', () => {
  const k = 9;
  const twin = createTwin(ORAL, history, { samples: 60, seed: 11 });
  assert.equal(twin.method, 'a posteriori (MAP)');
  const g = twin.missedDose({ dose: D, interval: TAU, due: DUE, now: DUE + k, efficacy: 5, toxicity: 20 });
  assert.equal(g.draws, 60);
  for (const o of g.options) {
    let within = 0;
    let below = 0;
    let above = 0;
    for (const eta of twin.draws) {
      const [cl, v] = [4 * Math.exp(eta[0]), 50 * Math.exp(eta[1])];
      const c = o.times.map((t) => superposed(o.id, k, t, cl, v));
      const [b, a] = timeOutside(o.times, c, 5, 20);
      if (b === 0 && a === 0) within++;
      below += b;
      above += a;
    }
    assert.equal(o.pWithin, within / 60, o.id);
    assert.ok(Math.abs(o.timeBelow.mean! - below / 60) < 1e-6, `${o.id} below`);
    assert.ok(Math.abs(o.timeAbove.mean! - above / 60) < 1e-6, `${o.id} above`);
  }
  // Ranked by P(within), then by the mean time outside the window.
  for (let i = 1; i < g.options.length; i++) {
    const [a, b] = [g.options[i - 1], g.options[i]];
    assert.ok(
      a.pWithin! > b.pWithin! ||
        (a.pWithin === b.pWithin &&
          a.timeBelow.mean! + a.timeAbove.mean! <= b.timeBelow.mean! + b.timeAbove.mean!),
      `${a.id} before ${b.id}`,
    );
    assert.equal(a.rank, i);
  }
  // Doubling the next dose spends more time above the toxicity threshold than taking the dose now.
  const by = Object.fromEntries(g.options.map((o) => [o.id, o]));
  assert.ok(by['double-next'].timeAbove.mean! > by['take-now'].timeAbove.mean!);
  assert.ok(by.skip.timeBelow.mean! > by['take-now'].timeBelow.mean!);
  const again = createTwin(ORAL, history, { samples: 60, seed: 11 }).missedDose({
    dose: D,
    interval: TAU,
    due: DUE,
    now: DUE + k,
    efficacy: 5,
    toxicity: 20,
  });
  assert.deepEqual(
    again.options.map((o) => [o.id, o.pWithin]),
    g.options.map((o) => [o.id, o.pWithin]),
  );
});

test('a delay of a whole interval, a window upside down, a dose in the history after the due time: DT_MISSED_DOSE naming the field', () => {
  const twin = createTwin(ORAL, history, { samples: 0 });
  const q = { dose: D, interval: TAU, due: DUE, now: DUE + 3, efficacy: 5, toxicity: 20 };
  const field = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof DosetwinError);
      assert.equal(e.issues[0].code, 'DT_MISSED_DOSE');
      return e.issues[0].field;
    }
    return 'no error';
  };
  assert.equal(
    field(() => twin.missedDose({ ...q, now: DUE + TAU })),
    'now',
  );
  assert.equal(
    field(() => twin.missedDose({ ...q, efficacy: 20, toxicity: 5 })),
    'toxicity',
  );
  assert.equal(
    field(() => twin.missedDose({ ...q, due: 36, now: 39 })),
    'history',
  );
  assert.equal(
    field(() => twin.missedDose({ ...q, reducedFraction: 1.5 })),
    'reducedFraction',
  );
});

test('read on troughs: each option’s troughs (before each dose after now, and at the horizon’s end) equal the superposition (rel. 1e-9); time below counts the intervals ending below', () => {
  const k = 6;
  const twin = createTwin(ORAL, history, { samples: 20, seed: 5 });
  const g = twin.missedDose({
    dose: D,
    interval: TAU,
    due: DUE,
    now: DUE + k,
    efficacy: 2.5,
    toxicity: 9,
    reads: 'troughs',
  });
  const [cl, v] = [4 * Math.exp(twin.point![0]), 50 * Math.exp(twin.point![1])];
  for (const o of g.options) {
    const want = [
      ...expectedDoses(o.id, k)
        .filter(([t]) => t > DUE + k)
        .map(([t]) => t),
      DUE + k + 72,
    ];
    assert.deepEqual(o.troughTimes, want, o.id);
    let below = 0;
    let from = DUE + k;
    o.troughTimes.forEach((t, i) => {
      const c = superposed(o.id, k, t, cl, v);
      assert.ok(Math.abs(o.troughs[i] - c) <= 1e-9 * c, `${o.id} trough at ${t}: ${o.troughs[i]} vs ${c}`);
      if (c < 2.5) below += t - from;
      from = t;
    });
    assert.equal(o.timeBelow.point, below, o.id);
  }
  // Skipping leaves the next trough below 2.5 mg/L: its interval counts, taking the dose now does not.
  const by = Object.fromEntries(g.options.map((o) => [o.id, o]));
  assert.ok(by.skip.timeBelow.point > 0 && by['take-now'].timeBelow.point === 0);
});
