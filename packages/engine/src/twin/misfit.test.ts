// The misfit checks after a fit, each tested by the mistake it catches, on a one-compartment IV
// bolus model (CL 4 L/h, V 50 L, ω² 0.1 and 0.05, proportional error 10 %): C(t) = D/V·e^(−CL/V·t).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, patient } from '../test-support/models.ts';
import { createTwin } from './twin.ts';

const IV = compile(
  `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n` +
    `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);
const MISFIT = ['DT_LEVEL_IMPLAUSIBLE', 'DT_LEVEL_UNIT_SLIP', 'DT_ETA_EXTREME', 'DT_MAP_NONCONVERGENCE'];
/** The typical patient's level after 1000 mg: 20·e^(−0.08 t) mg/L. */
const typical = (t: number): number => 20 * Math.exp(-0.08 * t);

test('levels the typical patient explains (17 and 9 mg/L at 2 and 10 h; typical 17.04 and 8.99): no misfit warning', () => {
  const twin = createTwin(
    IV,
    patient([
      { time: 0, evid: 1, amt: 1000 },
      { time: 2, evid: 0, dv: 17 },
      { time: 10, evid: 0, dv: 9 },
    ]),
    { samples: 0 },
  );
  assert.deepEqual(
    twin.warnings.filter((w) => MISFIT.includes(w.code)),
    [],
  );
});

test('a level entered in ng/mL as mg/L (17 040 for 17.04): a unit slip, the level far from the fit, in English and French', () => {
  const twin = createTwin(
    IV,
    patient([
      { time: 0, evid: 1, amt: 1000 },
      { time: 2, evid: 0, dv: 1000 * typical(2) },
    ]),
    { samples: 0 },
  );
  const slip = twin.warnings.find((w) => w.code === 'DT_LEVEL_UNIT_SLIP');
  assert.ok(slip, JSON.stringify(twin.warnings));
  assert.equal(slip.field, 'data[line 2].DV');
  // 17 040 / 17.04 = 1000 times the typical patient's prediction.
  assert.match(
    slip.message,
    /^the level 17042\.9 at t = 2 is 1000 times the typical patient's prediction 17: /,
  );
  assert.match(
    slip.fr!.message,
    /^la concentration 17042,9 à t = 2 vaut 1000 fois la prédiction du patient typique 17 : /,
  );
  // The MAP fit cannot follow a 1000-fold level: it bends the etas far into the prior's tails.
  const eta = twin.warnings.filter((w) => w.code === 'DT_ETA_EXTREME');
  assert.ok(eta.length > 0, JSON.stringify(twin.warnings));
  for (const w of eta) {
    const k = w.field === 'fit.eta_CL' ? 0 : 1;
    assert.ok(Math.abs(twin.fit!.eta[k]) > 3 * Math.sqrt([0.1, 0.05][k]), `${w.field} ${twin.fit!.eta[k]}`);
  }
});

test('levels 10 times the typical patient’s (a dose recorded 10 times too small): the fit bends CL and V beyond 3 prior SDs and says so', () => {
  const twin = createTwin(
    IV,
    patient([
      { time: 0, evid: 1, amt: 1000 },
      { time: 2, evid: 0, dv: 10 * typical(2) },
      { time: 10, evid: 0, dv: 10 * typical(10) },
    ]),
    { samples: 0 },
  );
  const eta = twin.warnings.filter((w) => w.code === 'DT_ETA_EXTREME');
  assert.deepEqual(
    eta.map((w) => w.field),
    ['fit.eta_CL', 'fit.eta_V'],
  );
  // Each z = η / ω beyond −3, as the message states it (3 significant digits).
  const z = [twin.fit!.eta[0] / Math.sqrt(0.1), twin.fit!.eta[1] / Math.sqrt(0.05)];
  assert.ok(
    z.every((x) => x < -3),
    `z ${z}`,
  );
  assert.ok(
    eta[1].message.startsWith(
      `eta_V = ${Number(twin.fit!.eta[1].toPrecision(3))} is ${Number((-z[1]).toPrecision(3))} SDs from the population (ω = 0.224), beyond 3`,
    ),
    eta[1].message,
  );
  assert.match(eta[1].fr!.message, /écarts-types de la population \(ω = 0,224\), au-delà de 3/);
});

test('one level a quarter of what its neighbours imply, with a 50 % residual error: within 3 residual SDs, but beyond 3-fold from its fit', () => {
  const wide = compile(
    `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 50 L "v"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.05\n` +
      `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV * exp(eta_V)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\n` +
      `error\n  CP ~ prop(0.5)\n`,
  );
  const twin = createTwin(
    wide,
    patient([
      { time: 0, evid: 1, amt: 1000 },
      { time: 2, evid: 0, dv: 17 },
      { time: 4, evid: 0, dv: 0.25 * typical(4) },
      { time: 10, evid: 0, dv: 9 },
    ]),
    { samples: 0 },
  );
  const r = twin.fit!.ipred.find((x) => x.time === 4)!;
  // The residual model alone would let it pass: |DV − IPRED| / (0.5·IPRED) ≤ 3 …
  assert.ok(Math.abs(r.dv - r.ipred) / (0.5 * r.ipred) <= 3);
  // … but it lies more than 3-fold below its fitted value: |ln(DV/IPRED)| > ln 3.
  assert.ok(Math.log(r.ipred / r.dv) > Math.log(3));
  const far = twin.warnings.filter((w) => w.code === 'DT_LEVEL_IMPLAUSIBLE');
  assert.deepEqual(
    far.map((w) => w.field),
    ['data[line 3].DV'],
  );
  assert.match(
    far[0].message,
    new RegExp(`\\(${Number((r.ipred / r.dv).toPrecision(3))}-fold below, beyond 3-fold\\)`),
  );
  assert.match(far[0].fr!.message, /fois au-dessous, au-delà d’un facteur 3/);
});
