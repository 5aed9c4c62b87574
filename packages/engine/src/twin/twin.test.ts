// The patient's twin: closed forms for one-compartment IV boluses (exact), the occasion's
// inter-occasion etas in a past window, the draws' layout and seed, and the twin's warnings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../dosing/targets.ts';
import { compile, patient } from '../test-support/models.ts';
import { createTwin } from './twin.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const IV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n` +
    `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);
/** The same with inter-occasion variability on CL (variance 0.09). */
const IV_IOV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n  iov eta_occ_CL ~ 0.09\n` +
    `equations\n  CL = TVCL * exp(eta_CL + eta_occ_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);

test('a priori: typical patient, steady-state AUC24 of 1000 mg q12h = 2000/CL exactly (rel 1e-9); prior draws seeded', () => {
  const h = patient([{ time: 0, evid: 1, amt: 1000 }]);
  const twin = createTwin(IV, h, { samples: 50, seed: 7 });
  assert.equal(twin.method, 'a priori (typical patient)');
  assert.equal(twin.point, null);
  assert.equal(twin.draws.length, 50);
  assert.deepEqual(
    twin.warnings.map((w) => w.code),
    ['DT_FIT_A_PRIORI'],
  );
  const t = parseTarget('auc24=400..600', 'mg/L', 'h');
  const e = twin.evaluate({ start: 12, dose: 1000, interval: 12 }, [t]);
  assert.ok(rel(e.metrics[0], 2000 / 4) < 1e-9, `AUC24 ${e.metrics[0]}`);
  // PTA over the prior draws: AUC24 = 2000 / (4·e^η_CL) in 400..600 ⇔ η_CL in [ln(2000/2400), ln(2000/1600)].
  const expect =
    twin.draws.filter((d) => d[0] >= Math.log(2000 / 2400) && d[0] <= Math.log(2000 / 1600)).length /
    twin.draws.length;
  assert.equal(e.pta!.all, expect);
  const again = createTwin(IV, h, { samples: 50, seed: 7 });
  assert.deepEqual(again.draws, twin.draws);
});

test('a posteriori: MAP point and posterior draws in model order; the next dose when C falls to 5 mg/L is t₀ + ln(C(t₀)/5)/k (rel 1e-9)', () => {
  const h = patient([
    { time: 0, evid: 1, amt: 1000 },
    { time: 2, evid: 0, dv: 17 },
    { time: 10, evid: 0, dv: 9 },
  ]);
  const twin = createTwin(IV, h, { samples: 40, seed: 3 });
  assert.equal(twin.method, 'a posteriori (MAP)');
  assert.equal(twin.point!.length, 2);
  assert.ok(twin.fit!.converged);
  assert.equal(twin.draws.length, 40);
  assert.ok(twin.draws.every((d) => d.length === 2));
  const [cl, v] = [4 * Math.exp(twin.point![0]), 50 * Math.exp(twin.point![1])];
  const k = cl / v;
  const c10 = (1000 / v) * Math.exp(-k * 10);
  const nd = twin.nextDose(5);
  assert.ok(rel(nd.time, 10 + Math.log(c10 / 5) / k) < 1e-9, `next dose ${nd.time}`);
  assert.ok(rel(twin.parameters().CL, cl) < 1e-12);
});

test('IOV: a past sampled window is predicted with its occasion’s fitted eta (AUC = D/CL·(1 − e^{−kτ}), rel 1e-9); new doses get none', () => {
  // Day 1 and day 2 doses; levels after the second dose only: the whole history is occasion 1.
  const h = patient([
    { time: 0, evid: 1, amt: 1000 },
    { time: 24, evid: 1, amt: 1000 },
    { time: 26, evid: 0, dv: 30 },
    { time: 32, evid: 0, dv: 14 },
  ]);
  const twin = createTwin(IV_IOV, h, { samples: 0 });
  const nEta = 3;
  assert.equal(twin.point!.length, nEta + 1, 'model order, then one IOV block for occasion 1');
  const etaOcc = twin.point![3];
  assert.notEqual(etaOcc, 0);
  const cl = 4 * Math.exp(twin.point![0] + etaOcc);
  const v = 50 * Math.exp(twin.point![1]);
  const k = cl / v;
  // Window 24..36 after the day-2 dose: both doses contribute.
  const f = twin.forecast({
    regimen: { start: 48, dose: 1000, interval: 24 },
    times: [30],
    windows: [{ label: 'day 2', from: 24, to: 36 }],
  });
  const aucOf = (t0: number, a: number, b: number): number =>
    (1000 / cl) * (Math.exp(-k * (a - t0)) - Math.exp(-k * (b - t0)));
  const expected = aucOf(0, 24, 36) + aucOf(24, 24, 36);
  assert.ok(
    rel(f.windows[0].metrics.auc.individual, expected) < 1e-9,
    `${f.windows[0].metrics.auc.individual} vs ${expected}`,
  );
  // The new regimen (occasion 0) has no IOV: its steady-state AUC24 is 1000/CL without the occasion's eta.
  const t = parseTarget('auc24=400..600', 'mg/L', 'h');
  const e = twin.evaluate({ start: 48, dose: 1000, interval: 24 }, [t]);
  assert.ok(rel(e.metrics[0], 1000 / (4 * Math.exp(twin.point![0]))) < 1e-9);
});

test('warnings: a level 1000 times too high is implausible; a covariate outside the validity domain is named', () => {
  const model = compile(
    `covariates unit valid label handling\n  WT kg 40..120 "weight" required\n` +
      `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n` +
      `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * (WT / 70) * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
      `error\n  CP ~ prop(0.1)\n`,
  );
  const h = patient(
    [
      { time: 0, evid: 1, amt: 1000 },
      { time: 2, evid: 0, dv: 15 },
      { time: 8, evid: 0, dv: 12000 },
    ],
    [],
    0,
    1,
    [150],
  );
  const twin = createTwin(model, h, { samples: 0 });
  const codes = twin.warnings.map((w) => w.code);
  assert.ok(codes.includes('DT_DOMAIN_OUTSIDE'), codes.join());
  assert.equal(
    twin.warnings.find((w) => w.code === 'DT_DOMAIN_OUTSIDE')!.message,
    'WT is 150 kg; the model was developed for 40..120 kg',
  );
  assert.ok(codes.includes('DT_LEVEL_IMPLAUSIBLE'), codes.join());
});
