// Time to steady state and time of the next dose, against one-compartment closed forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { nextDoseTime } from './next-dose.ts';
import { parseRegimen, regimenPatient } from './regimen.ts';
import { steadyStateApproach } from './steady-state.ts';

const ERR = 'error\n  CP ~ prop(0.1)\n';
const IV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\nequations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n${ERR}`,
);
const ORAL = compile(
  `parameters value unit label\n  CL 4 L/h "cl"\n  V 50 L "v"\n  KA 0.7 1/h "ka"\nequations\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n${ERR}`,
);
const k = 4 / 50;
const empty = patient([{ time: 0, evid: 2 }]);

test('steady state, 1-cpt bolus q12h: 90 % of the steady-state AUCτ after ln(10)/(k·τ) intervals (rel 1e-9)', () => {
  // AUC of interval n from a fresh start: Σ_{j<n} ∫_{(n−1)τ}^{nτ} D/V·e^{−k(t−jτ)} dt
  // = D/CL·(1 − e^{−k·n·τ}) (the sum telescopes); at steady state D/CL. The shortfall
  // e^{−k·n·τ} falls to 0.1 at n = ln(10)/(k·τ) = 2.398 intervals, the 3rd interval.
  const r = steadyStateApproach(new Simulator(IV), empty, { start: 0, dose: 1000, interval: 12 }, null);
  assert.ok(Math.abs(r.aucTauSs - 1000 / 4) / 250 < 1e-10, `AUCss ${r.aucTauSs}`);
  assert.ok(Math.abs(r.aucTau[1] - 250 * (1 - Math.exp(-24 * k))) / 250 < 1e-10);
  const n = Math.log(10) / (k * 12);
  assert.equal(r.interval, Math.ceil(n));
  assert.ok(Math.abs(r.intervals! - n) / n < 1e-9, `${r.intervals} vs ${n}`);
  assert.ok(Math.abs(r.time! - Math.log(10) / k) / (Math.log(10) / k) < 1e-9);
});

test('steady state, 1-cpt 1-h infusion q12h: shortfall A·e^{−k·n·τ}, A = (e^{k·d} − 1)/(k·d) (rel 1e-9)', () => {
  // Same telescoping sum with the infusion's single-dose AUC(t) = D/CL·(1 − A·e^{−kt}), t ≥ d.
  const r = steadyStateApproach(
    new Simulator(IV),
    empty,
    { start: 0, dose: 1000, interval: 12, duration: 1 },
    null,
  );
  const A = (Math.exp(k) - 1) / k;
  const n = Math.log(10 * A) / (k * 12);
  assert.ok(n > 2 && n < 3, 'the bracket [2, 3] is geometric: interpolation exact');
  assert.ok(Math.abs(r.intervals! - n) / n < 1e-9, `${r.intervals} vs ${n}`);
  // 95 %: n = ln(20·A)/(kτ).
  const r95 = steadyStateApproach(
    new Simulator(IV),
    empty,
    { start: 0, dose: 1000, interval: 12, duration: 1 },
    null,
    { fraction: 0.95 },
  );
  assert.ok(Math.abs(r95.intervals! - Math.log(20 * A) / (k * 12)) < 1e-8);
});

test('steady state with the ideal loading dose L = D/(1 − e^{−kτ}): at steady state from the first interval', () => {
  const L = 1000 / (1 - Math.exp(-12 * k));
  const r = steadyStateApproach(
    new Simulator(IV),
    empty,
    { start: 0, dose: 1000, interval: 12, loadingDose: L },
    null,
  );
  assert.equal(r.interval, 1);
  for (const a of r.aucTau.slice(0, 5)) assert.ok(Math.abs(a / r.aucTauSs - 1) < 1e-10, `${a}`);
});

test('next dose, 1-cpt bolus: the level falls to the threshold at t = ln(C0/Cthr)/k (abs 1e-9 h); draws recomputed by closed form', () => {
  const h = patient([{ time: 0, amt: 1000 }]);
  const sim = new Simulator(IV);
  const r = nextDoseTime(sim, h, null, { threshold: 5, after: 2 });
  const t = Math.log(20 / 5) / k;
  assert.ok(Math.abs(r.time - t) < 1e-9, `${r.time} vs ${t}`);
  assert.ok(Math.abs(r.concentrationAfter - 20 * Math.exp(-2 * k)) < 1e-12);
  // Already below: now.
  assert.equal(nextDoseTime(sim, h, null, { threshold: 25, after: 2 }).time, 2);
  // Probability that the level is below 5 mg/L at that time over draws of (eta_CL, eta_V).
  const draws = [-0.4, -0.2, 0, 0.1, 0.3].flatMap((a) => [-0.2, 0.2].map((b) => Float64Array.of(a, b)));
  const p = nextDoseTime(sim, h, null, { threshold: 5, after: 2 }, draws);
  const below = draws.filter((d) => {
    const cl = 4 * Math.exp(d[0]);
    const v = 50 * Math.exp(d[1]);
    return (1000 / v) * Math.exp((-cl / v) * r.time) <= 5;
  }).length;
  assert.equal(p.probabilityBelow, below / draws.length);
});

test('next dose, oral: the last downward crossing, not the low level before absorption (abs 1e-8 h)', () => {
  const h = patient([{ time: 0, amt: 1000, cmt: 1 }]);
  const ka = 0.7;
  const c = (t: number): number => ((1000 * ka) / (50 * (ka - k))) * (Math.exp(-k * t) - Math.exp(-ka * t));
  // Independent root of c(t) = 6 after the peak (tmax = ln(ka/k)/(ka − k) = 3.53 h), by bisection.
  let lo = Math.log(ka / k) / (ka - k);
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (c(mid) > 6) lo = mid;
    else hi = mid;
  }
  assert.ok(c(0.05) < 6, 'below the threshold before absorption');
  const r = nextDoseTime(new Simulator(ORAL), h, null, { threshold: 6, after: 0.05 });
  assert.ok(Math.abs(r.time - hi) < 1e-8, `${r.time} vs ${hi}`);
});

test('regimen text: loading dose, interval, infusion, start and count, converted to model units', () => {
  const { regimen, conversions } = parseRegimen(
    '2 g then 1000 mg q12h over 30 min from 24 for 6 doses',
    { dose: 'mg', time: 'h' },
    0,
  );
  assert.deepEqual(regimen, {
    start: 24,
    dose: 1000,
    interval: 12,
    duration: 0.5,
    count: 6,
    loadingDose: 2000,
  });
  assert.deepEqual(conversions, ['2 g → 2000 mg']);
  assert.deepEqual(parseRegimen('4.5 mg every 1 d', { dose: 'ug', time: 'h' }, 7).regimen, {
    start: 7,
    dose: 4500,
    interval: 24,
    duration: 0,
  });
  assert.throws(
    () => parseRegimen('1000 mg q12h over 14 h', { dose: 'mg', time: 'h' }, 0),
    /duration 14 must be in 0..12/,
  );
  assert.throws(() => parseRegimen('1000 q12h', { dose: 'mg', time: 'h' }, 0), /no dose/);
  // The brief's form: 'x 1h' is the infusion duration; a date-time start needs the data's origin.
  const clock = parseRegimen(
    '1000 mg q12h x 1h from 2026-11-20T08:00',
    { dose: 'mg', time: 'h' },
    0,
    '2026-11-18T20:00',
  );
  assert.deepEqual(clock.regimen, { start: 36, dose: 1000, interval: 12, duration: 1 });
  assert.deepEqual(clock.conversions, ['2026-11-20T08:00 → t = 36 h after 2026-11-18T20:00']);
  assert.equal(
    parseRegimen(
      '1 g q8h x 30min from 2026-03-29T08:00+02:00',
      { dose: 'mg', time: 'h' },
      0,
      '2026-03-28T08:00+01:00',
    ).regimen.start,
    23,
    'across a daylight-saving change, with zones',
  );
  assert.throws(
    () => parseRegimen('1000 mg q12h from 2026-11-20T08:00', { dose: 'mg', time: 'h' }, 0),
    /origin/,
  );
  assert.throws(
    () =>
      parseRegimen('1000 mg q12h from 2026-11-20T08:00Z', { dose: 'mg', time: 'h' }, 0, '2026-11-18T20:00'),
    /both have a time zone, or neither/,
  );
  assert.equal(parseRegimen('1000 mg q12h x 4 doses', { dose: 'mg', time: 'h' }, 0).regimen.count, 4);
  assert.deepEqual(
    parseRegimen('2500 mg over 150 min then 1 g q12h over 1 h', { dose: 'mg', time: 'h' }, 0).regimen,
    {
      start: 0,
      dose: 1000,
      interval: 12,
      duration: 1,
      loadingDose: 2500,
      loadingDuration: 2.5,
    },
  );
  assert.throws(
    () => parseRegimen('1000 mg q12h daily', { dose: 'mg', time: 'h' }, 0),
    /could not read 'daily'/,
  );
  // The records: loading dose at the start, maintenance from start + τ, 6 administrations in all.
  const p = regimenPatient(empty, regimen);
  assert.deepEqual(Array.from(p.time), [0, 24, 36]);
  assert.deepEqual(Array.from(p.amt), [0, 2000, 1000]);
  assert.deepEqual(Array.from(p.addl), [0, 0, 4]);
  assert.deepEqual(Array.from(p.rate), [0, 4000, 2000]);
});
