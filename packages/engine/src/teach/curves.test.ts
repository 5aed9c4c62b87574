/**
 * Each lesson's curve against the textbook closed form written out here (Rowland & Tozer, Clinical
 * Pharmacokinetics and Pharmacodynamics, 4th ed., 2011; Gabrielsson & Weiner, Pharmacokinetic
 * and Pharmacodynamic Data Analysis, 5th ed., 2016), at the playground's default
 * parameters and at a second set: relative error ≤ 1e-9 at every plotted time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lambertWOfExp, LESSON_IDS, lessonCurve, type LessonParams, Z95 } from './curves.ts';
import { LESSON_DEFAULTS, LESSON_PARAMS } from './lesson-defaults.ts';

const TOL = 1e-9;

function close(got: Float64Array, want: (t: number) => number, times: Float64Array, what: string): void {
  for (let i = 0; i < times.length; i++) {
    const w = want(times[i]);
    const err = Math.abs(got[i] - w) / Math.max(Math.abs(w), 1e-12);
    // Near zero (before an oral lag) compare absolutely.
    const ok = Math.abs(w) < 1e-12 ? Math.abs(got[i]) < 1e-12 : err <= TOL;
    assert.ok(ok, `${what}: C(${times[i]} h) = ${got[i]}, closed form ${w} (rel. ${err})`);
  }
}

/** IV bolus superposition: Σ D/V·e^{−k(t−tᵢ)} over doses given at or before t. */
const bolus = (doses: { t: number; d: number }[], cl: number, v: number) => (t: number) =>
  doses.filter((x) => x.t <= t).reduce((s, x) => s + (x.d / v) * Math.exp((-cl / v) * (t - x.t)), 0);

/** Zero-order infusion of D over T from t0: R/CL·(1 − e^{−kt}) during, then decaying. */
const infusion = (d: number, dur: number, t0: number, cl: number, v: number) => (t: number) => {
  const k = cl / v;
  const s = t - t0;
  if (s <= 0) return 0;
  const r = d / dur;
  if (s <= dur) return (r / cl) * (1 - Math.exp(-k * s));
  return (r / cl) * (1 - Math.exp(-k * dur)) * Math.exp(-k * (s - dur));
};

/** Bateman: F·D·ka/(V(ka − k))·(e^{−k(t−tlag)} − e^{−ka(t−tlag)}). */
const bateman = (d: number, f: number, ka: number, lag: number, cl: number, v: number) => (t: number) => {
  const k = cl / v;
  const s = t - lag;
  return s <= 0 ? 0 : ((f * d * ka) / (v * (ka - k))) * (Math.exp(-k * s) - Math.exp(-ka * s));
};

const sets = (id: keyof typeof LESSON_DEFAULTS, other: LessonParams): [string, LessonParams][] => [
  ['defaults', LESSON_DEFAULTS[id]],
  ['second set', { ...LESSON_DEFAULTS[id], ...other }],
];

for (const [name, p] of sets('one-cmt', { doseMg: 250, clLPerH: 7.5, vL: 12 }))
  test(`one-cmt (${name}): C = D/V·e^(−CL/V·t), rel. 1e-9`, () => {
    const c = lessonCurve('one-cmt', p);
    close(c.conc, bolus([{ t: 0, d: p.doseMg }], p.clLPerH, p.vL), c.timesH, 'one-cmt');
  });

for (const [name, p] of sets('infusion', { durationH: 2.5, clLPerH: 3 }))
  test(`infusion (${name}): R/CL·(1 − e^(−kt)) then decay, rel. 1e-9`, () => {
    const c = lessonCurve('infusion', p);
    close(c.conc, infusion(p.doseMg, p.durationH, 0, p.clLPerH, p.vL), c.timesH, 'infusion');
  });

for (const [name, p] of sets('oral', { kaPerH: 0.4, lagH: 1.25, f: 0.6 }))
  test(`oral (${name}): Bateman with lag and F, rel. 1e-9`, () => {
    const c = lessonCurve('oral', p);
    close(c.conc, bateman(p.doseMg, p.f, p.kaPerH, p.lagH, p.clLPerH, p.vL), c.timesH, 'oral');
  });

for (const [name, p] of sets('multiple', { durationH: 0, tauH: 8, doses: 9 }))
  test(`multiple (${name}): superposition of each dose, rel. 1e-9`, () => {
    const c = lessonCurve('multiple', p);
    const parts = Array.from({ length: p.doses }, (_, k) =>
      p.durationH > 0
        ? infusion(p.doseMg, p.durationH, k * p.tauH, p.clLPerH, p.vL)
        : bolus([{ t: k * p.tauH, d: p.doseMg }], p.clLPerH, p.vL),
    );
    close(c.conc, (t) => parts.reduce((s, f) => s + f(t), 0), c.timesH, 'multiple');
  });

test('multiple dosing: at the sixth bolus (60 h) the curve is the accumulated trough (D/V)·r(1 − r⁵)/(1 − r) plus D/V, rel. 1e-9', () => {
  const p: LessonParams = { ...LESSON_DEFAULTS.multiple, durationH: 0, tauH: 12, doses: 6, horizonH: 72 };
  const c = lessonCurve('multiple', p, 72);
  const k = p.clLPerH / p.vL;
  const r = Math.exp(-k * p.tauH);
  // Multiple dosing (Rowland & Tozer): after n doses the trough is (D/V)·r·(1 − rⁿ)/(1 − r); just before dose 6 (t = 60 h), n = 5.
  const trough = ((p.doseMg / p.vL) * r * (1 - r ** 5)) / (1 - r);
  const i = c.timesH.indexOf(60);
  // At t = 60 h the sixth bolus is given and the curve shows it: trough + D/V there.
  const before = bolus(
    Array.from({ length: 5 }, (_, j) => ({ t: j * 12, d: p.doseMg })),
    p.clLPerH,
    p.vL,
  )(60);
  assert.ok(Math.abs(before - trough) / trough < TOL);
  assert.ok(Math.abs(c.conc[i] - (trough + p.doseMg / p.vL)) / c.conc[i] < TOL);
});

for (const [name, p] of sets('loading', { loadingMg: 1500, doseMg: 500 }))
  test(`loading (${name}): loading bolus then maintenance, and the reference without it, rel. 1e-9`, () => {
    const c = lessonCurve('loading', p);
    const times = Array.from({ length: p.doses }, (_, k) => k * p.tauH);
    const withLd = times.map((t, k) => ({ t, d: k === 0 ? p.loadingMg : p.doseMg }));
    close(c.conc, bolus(withLd, p.clLPerH, p.vL), c.timesH, 'loading');
    close(
      c.reference!,
      bolus(
        times.map((t) => ({ t, d: p.doseMg })),
        p.clLPerH,
        p.vL,
      ),
      c.timesH,
      'no loading',
    );
  });

for (const [name, p] of sets('nonlinear', { doseMg: 1200, kmMgPerL: 4 }))
  test(`nonlinear (${name}): C solves the integrated Michaelis–Menten law C0 − C + Km·ln(C0/C) = Vmax/V·t, rel. 1e-9`, () => {
    const c = lessonCurve('nonlinear', p);
    const c0 = p.doseMg / p.vL;
    for (let i = 0; i < c.timesH.length; i++) {
      const C = c.conc[i];
      // The integrated Michaelis–Menten law: the time to fall from C0 to C.
      const t = (p.vL / p.vmaxMgPerH) * (c0 - C + p.kmMgPerL * Math.log(c0 / C));
      assert.ok(
        Math.abs(t - c.timesH[i]) <= TOL * Math.max(1, c.timesH[i]),
        `t(C = ${C}) = ${t} ≠ ${c.timesH[i]}`,
      );
    }
    close(
      c.reference!,
      bolus([{ t: 0, d: p.doseMg }], p.vmaxMgPerH / p.kmMgPerL, p.vL),
      c.timesH,
      'linear reference',
    );
  });

test('Lambert W: W(1) = Ω = 0.5671432904097838 and W(e^50) solves w + ln w = 50, rel. 1e-15', () => {
  assert.ok(Math.abs(lambertWOfExp(0) - 0.5671432904097838) < 1e-15);
  const w = lambertWOfExp(50);
  assert.ok(Math.abs(w + Math.log(w) - 50) < 1e-13);
  assert.ok(Math.abs(lambertWOfExp(-30) - Math.exp(-30)) / Math.exp(-30) < 1e-12);
});

for (const [name, p] of sets('covariates', { wtKg: 45, crclMlPerMin: 30, crclExponent: 0.9 }))
  test(`covariates (${name}): CL = TVCL·(WT/70)^0.75·(CrCL/100)^θ, V = TVV·WT/70, infusions superposed, rel. 1e-9`, () => {
    const c = lessonCurve('covariates', p);
    const cl = p.tvclLPerH * (p.wtKg / 70) ** 0.75 * (p.crclMlPerMin / 100) ** p.crclExponent;
    const v = (p.tvvL * p.wtKg) / 70;
    const sum = (cl_: number, v_: number) => (t: number) =>
      Array.from({ length: p.doses }, (_, k) =>
        infusion(p.doseMg, p.durationH, k * p.tauH, cl_, v_)(t),
      ).reduce((a, b) => a + b, 0);
    close(c.conc, sum(cl, v), c.timesH, 'individual');
    close(c.reference!, sum(p.tvclLPerH, p.tvvL), c.timesH, 'typical');
  });

for (const [name, p] of sets('variability', { omegaCl: 0.5 }))
  test(`variability (${name}): the 90 % band is the curve at CL·e^(±1.645ω), rel. 1e-9`, () => {
    const c = lessonCurve('variability', p);
    const sum = (cl: number) => (t: number) =>
      Array.from({ length: p.doses }, (_, k) =>
        infusion(p.doseMg, p.durationH, k * p.tauH, cl, p.vL)(t),
      ).reduce((a, b) => a + b, 0);
    close(c.conc, sum(p.clLPerH), c.timesH, 'median');
    close(c.lo!, sum(p.clLPerH * Math.exp(1.6448536269514722 * p.omegaCl)), c.timesH, 'P5');
    close(c.hi!, sum(p.clLPerH * Math.exp(-Z95 * p.omegaCl)), c.timesH, 'P95');
  });

test('a lesson missing a parameter names it (DT_PARAM_DOMAIN)', () => {
  assert.throws(
    () => lessonCurve('oral', { ...LESSON_DEFAULTS.oral, kaPerH: Number.NaN }),
    (e: Error & { issues?: { code: string; field: string }[] }) =>
      e.issues?.[0]?.code === 'DT_PARAM_DOMAIN' && e.issues[0].field === 'kaPerH',
  );
});

test('every slider at its minimum and its maximum gives a finite, non-negative curve (no lesson can be moved into an error)', () => {
  for (const id of LESSON_IDS)
    for (const spec of LESSON_PARAMS[id])
      for (const value of [spec.min, spec.max]) {
        const c = lessonCurve(id, { ...LESSON_DEFAULTS[id], [spec.name]: value });
        for (const arr of [c.conc, c.lo, c.hi, c.reference])
          if (arr)
            assert.ok(
              arr.every((x) => Number.isFinite(x) && x >= 0),
              `${id} ${spec.name} = ${value}`,
            );
      }
});
