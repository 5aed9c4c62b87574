// The browser twin against the server's analysis of the same records (same engine, independent
// wiring) and against closed-form laws of linear PK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAnalysis } from '@dosetwin/server';
import { buildPatient, withPredictionTimes } from '@dosetwin/engine';
import { attainment, buildTwin, forecast, regimenDoses, type TwinInputs } from './twin.ts';
import { hoursAfter, vancoCovariates } from './test-patients.ts';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = hoursAfter(T0);
// ICU vancomycin patient: 1 g over 1 h every 12 h × 4, troughs/peaks at 11.5 h and 37.5 h.
const vanco: TwinInputs = {
  patientId: 'icu1',
  modelId: 'vancomycin/goti2018',
  administrations: [0, 12, 24, 36].map((h) => ({
    at: at(h),
    amount: 1,
    unit: 'g',
    route: 'infusion' as const,
    duration: { value: 60, unit: 'min' },
    product: 'vial 1 g',
  })),
  samples: [
    { at: at(11.5), value: 9.8, unit: 'mg/L', matrix: 'plasma', assay: 'PETINIA', lloq: 2 },
    { at: at(37.5), value: 29.5, unit: 'mg/L', matrix: 'plasma', assay: 'PETINIA', lloq: 2 },
  ],
  covariates: vancoCovariates(at),
  targets: [],
  start: null,
};

test('twin = server analysis: MAP etas (1e-9 abs), IPRED at the levels (1e-9 rel), candidate AUC24 (1e-9 rel)', async () => {
  const server = await runAnalysis(vanco);
  const tw = buildTwin(vanco, { samples: 50 });
  assert.equal(tw.kind, 'map');
  server.fit.eta.forEach((e, k) => assert.ok(Math.abs(tw.point![k] - e) < 1e-9, `eta ${k}`));
  const c = server.candidates[0];
  const r = {
    dose: c.dose,
    doseUnit: c.doseUnit,
    intervalH: c.interval,
    durationH: c.duration,
    start: server.start,
  };
  const f = forecast(tw, r);
  const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
  assert.ok(
    rel(f.metrics[0].value, c.metrics[0].value) < 1e-9,
    `${f.metrics[0].value} vs ${c.metrics[0].value}`,
  );
  assert.equal(f.metrics[0].met, c.metrics[0].met);
  // Linear PK at steady state: AUC24 = daily dose / CL (CL from the server's individual parameters).
  const cl = server.fit.parameters.CL;
  assert.ok(rel(f.exposure.day.auc, (c.dose * 24) / c.interval / cl) < 1e-6);
  // The twin's individual predictions at the levels = the server's IPRED.
  const out = new Float64Array(tw.history.n);
  tw.sim.run(tw.history, tw.point, out);
  const obs = [...tw.history.evid].map((e, i) => (e === 0 ? i : -1)).filter((i) => i >= 0);
  assert.equal(obs.length, server.fit.observations.length);
  obs.forEach((i, k) => assert.ok(rel(out[i], server.fit.observations[k].predicted) < 1e-9, `obs ${k}`));
});

test('forecast: 90 % band brackets the median region; population ≠ individual; doubling the dose doubles AUC24 (1e-9)', () => {
  const tw = buildTwin(vanco, { samples: 100 });
  const r = { dose: 1000, doseUnit: 'mg', intervalH: 12, durationH: 1, start: at(48) };
  const f = forecast(tw, r);
  let inside = 0;
  for (let k = 0; k < f.lo.length; k++) {
    assert.ok(f.lo[k] <= f.hi[k] + 1e-12, `band ${k}`);
    const j = f.ms.indexOf(f.bandMs[k]);
    if (j >= 0 && f.ipred[j] >= f.lo[k] && f.ipred[j] <= f.hi[k]) inside++;
  }
  assert.ok(inside / f.lo.length > 0.9, `MAP curve inside the band at ${inside}/${f.lo.length} points`);
  assert.ok(f.pred.some((p, k) => Math.abs(p - f.ipred[k]) > 0.1));
  const f2 = forecast(tw, { ...r, dose: 2 });
  assert.equal(f2.metrics.length, 1);
  const g = forecast(tw, { ...r, dose: 2000 });
  assert.ok(Math.abs(g.exposure.day.auc / f.exposure.day.auc - 2) < 1e-9);
  // Units: 1 g = 1000 mg.
  const gG = forecast(tw, { ...r, dose: 1, doseUnit: 'g' });
  assert.ok(Math.abs(gG.exposure.day.auc - f.exposure.day.auc) < 1e-9 * f.exposure.day.auc);
});

test('band: the part before the new regimen is kept between edits; every point = type-7 5 %/95 % quantiles of the draws simulated alone (1e-12)', () => {
  const tw = buildTwin(vanco, { samples: 30 });
  const r = { dose: 1000, doseUnit: 'mg', intervalH: 12, durationH: 1, start: at(48) };
  forecast(tw, r); // fills the pre-regimen band
  const f = forecast(tw, { ...r, dose: 1500 }); // the same grid: the pre-regimen band is reused
  const fresh = forecast(buildTwin(vanco, { samples: 30 }), { ...r, dose: 1500 });
  assert.deepEqual([...f.bandMs], [...fresh.bandMs]);
  assert.deepEqual([...f.lo], [...fresh.lo]);
  assert.deepEqual([...f.hi], [...fresh.hi]);
  assert.equal(f.draws, 30);
  // Independent reference at a point before and two after the start: each draw simulated with
  // only that prediction time, sorted, type-7 quantile (h = (n − 1)p).
  const startMs = Date.parse(r.start);
  const before = f.bandMs.findIndex((ms) => ms > startMs) - 3;
  for (const k of [before, f.bandMs.length - 40, f.bandMs.length - 1]) {
    const t = (f.bandMs[k] - tw.originMs) / 3_600_000;
    const doses = [...tw.doses, ...regimenDoses(tw, { ...r, dose: 1500 }, startMs + 48 * 3_600_000)];
    const p = withPredictionTimes(
      buildPatient(tw.ir, {
        id: 'x',
        doses,
        samples: tw.samples,
        covariates: tw.covariates,
        origin: new Date(tw.originMs).toISOString(),
      }).patient,
      [t],
    );
    const row = [...p.evid].indexOf(2);
    const out = new Float64Array(p.n);
    const c = tw.draws.slice(0, 30).map((d) => {
      tw.sim.run(p, d, out);
      return out[row];
    });
    c.sort((a, b) => a - b);
    const q = (pr: number): number => {
      const h = (c.length - 1) * pr;
      const i = Math.floor(h);
      return c[i] + (h - i) * (c[Math.min(c.length - 1, i + 1)] - c[i]);
    };
    assert.ok(Math.abs(f.lo[k] - q(0.05)) <= 1e-12 * q(0.05), `lo at ${k}: ${f.lo[k]} vs ${q(0.05)}`);
    assert.ok(Math.abs(f.hi[k] - q(0.95)) <= 1e-12 * q(0.95), `hi at ${k}: ${f.hi[k]} vs ${q(0.95)}`);
  }
});

test('PTA is a fraction of the draws; a 10-fold dose moves AUC24 out of 400..600 for every draw', () => {
  const tw = buildTwin(vanco, { samples: 40 });
  const r = { dose: 1000, doseUnit: 'mg', intervalH: 12, durationH: 1, start: at(48) };
  const p = attainment(tw, r, 40);
  assert.equal(p.draws, 40);
  assert.ok(Number.isInteger(p.all * 40) && p.all >= 0 && p.all <= 1);
  assert.equal(attainment(tw, { ...r, dose: 10000 }, 40).all, 0);
});

test('bad regimen and a priori without levels: issues naming the field; prior draws', () => {
  const tw = buildTwin({ ...vanco, samples: [] }, { samples: 30 });
  assert.equal(tw.kind, 'a priori');
  assert.equal(tw.draws.length, 30);
  assert.throws(
    () => forecast(tw, { dose: -1, doseUnit: 'mg', intervalH: 12, durationH: 13, start: at(48) }),
    (e: Error & { issues?: { field: string }[] }) =>
      (e.issues ?? []).map((i) => i.field).join() === 'dose,duration',
  );
});

test('oral tacrolimus (µg model, ng/mL levels): twin = server for the MAP etas and the trough of candidate 1 (1e-9 rel)', async () => {
  const tac: TwinInputs = {
    patientId: 'ktx1',
    modelId: 'tacrolimus/woillard2011-prograf',
    administrations: [0, 12, 24, 36, 48, 60].map((h) => ({
      at: at(h),
      amount: 5,
      unit: 'mg',
      route: 'oral' as const,
      duration: null,
      product: 'Prograf 5 mg',
    })),
    samples: [
      { at: at(59.75), value: 12.6, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
      { at: at(62), value: 24.1, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
    ],
    covariates: [
      ['HCT', 31, '%'],
      ['CYP3A5', 0, '-'],
    ].map(([name, value, unit]) => ({
      at: at(-2),
      name: String(name),
      value: Number(value),
      unit: String(unit),
    })),
    targets: [],
    start: null,
  };
  const server = await runAnalysis(tac);
  const tw = buildTwin(tac, { samples: 30 });
  server.fit.eta.forEach((e, k) => assert.ok(Math.abs(tw.point![k] - e) < 1e-9, `eta ${k}`));
  const c = server.candidates[0];
  const f = forecast(tw, {
    dose: c.dose,
    doseUnit: c.doseUnit,
    intervalH: c.interval,
    durationH: c.duration,
    start: server.start,
  });
  c.metrics.forEach((m, k) =>
    assert.ok(
      Math.abs(f.metrics[k].value - m.value) / m.value < 1e-9,
      `${m.target}: ${f.metrics[k].value} vs ${m.value}`,
    ),
  );
  // Levels reach the plot in the model's unit: 12.6 ng/mL = 12.6 µg/L.
  assert.deepEqual(
    tw.observed.map((o) => o.conc),
    [12.6, 24.1],
  );
  assert.equal(tw.lloq, 1);
});
