// The clinical analysis: the clinical policy (levels before the first dose, below the LLOQ,
// covariates recorded after the doses, the next-dose-due start), candidates against closed forms
// of linear PK, and the retained regimen's evaluation equal to the candidate's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  analyse,
  type AnalysisInputs,
  clinicalTwin,
  evaluateRetained,
  forecastClinical,
} from './analysis.ts';
import { crclCockcroftGault } from './covariates.ts';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = (h: number): string => new Date(T0 + h * 3_600_000).toISOString();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const cov = (h: number, name: string, value: number, unit: string) => ({ at: at(h), name, value, unit });
/** 82-kg man of 58, SCr 95 µmol/L, no dialysis, recorded 2 h before the first dose. */
const baseline = [
  cov(-2, 'WT', 82, 'kg'),
  cov(-2, 'AGE', 58, 'y'),
  cov(-2, 'SCR', 95, 'umol/L'),
  cov(-2, 'SEX', 0, '-'),
  cov(-2, 'DIAL', 0, '-'),
];
const dose = (h: number) => ({
  at: at(h),
  amount: 1,
  unit: 'g',
  route: 'infusion' as const,
  duration: { value: 60, unit: 'min' },
  product: 'vial 1 g',
});
const level = (h: number, value: number, lloq: number | null = 2) => ({
  at: at(h),
  value,
  unit: 'mg/L',
  matrix: 'serum',
  assay: 'PETINIA',
  lloq,
});
const vanco = (over: Partial<AnalysisInputs> = {}): AnalysisInputs => ({
  patientId: 'icu1',
  modelId: 'vancomycin/goti2018',
  administrations: [0, 12, 24, 36].map(dose),
  samples: [level(11.5, 9.8), level(37.5, 29.5)],
  covariates: baseline,
  targets: [],
  start: null,
  ...over,
});

test('a priori (no level): candidate AUC24 = daily dose / typical CL by hand (Goti 2018: 4.5·(CrCL/120)^0.8, rel 1e-9); each interval starts when its next dose is due', () => {
  const a = analyse(vanco({ samples: [] }), { samples: 0 });
  assert.equal(a.method, 'a priori (typical patient)');
  assert.ok(a.warnings.some((w) => w.code === 'DT_FIT_A_PRIORI'));
  const crcl = crclCockcroftGault({ ageY: 58, weightKg: 82, scrMgPerDl: 95 / 88.4, female: false });
  const cl = 4.5 * Math.pow(crcl / 120, 0.8);
  assert.ok(rel(a.fit.parameters.CL, cl) < 1e-12, `CL ${a.fit.parameters.CL} vs ${cl}`);
  assert.ok(a.candidates.length > 0);
  for (const c of a.candidates) {
    assert.equal(c.regimen.dose.unit, 'mg');
    assert.equal(c.regimen.interval.unit, 'h');
    const daily = (c.regimen.dose.value * 24) / c.regimen.interval.value;
    assert.ok(rel(c.metrics[0].value, daily / cl) < 1e-9, `${c.metrics[0].value} vs ${daily / cl}`);
    // Next dose due: one interval after the last dose given (36 h).
    assert.equal(c.regimen.start, at(36 + c.regimen.interval.value));
    assert.equal(c.pta, null, 'no draws, no PTA');
  }
});

test('a posteriori: candidate 1 re-evaluated as the retained regimen gives the same metrics and PTA; the forecast band holds the MAP curve after the start', () => {
  const inputs = vanco();
  const a = analyse(inputs, { samples: 60 });
  assert.equal(a.method, 'a posteriori (MAP)');
  const c = a.candidates[0];
  assert.equal(c.pta!.draws, 60);
  const kept = evaluateRetained(inputs, c.regimen, { samples: 60 });
  assert.ok(rel(kept.forecast.metrics[0].value, c.metrics[0].value) < 1e-12);
  assert.deepEqual(kept.pta, c.pta);
  assert.deepEqual(kept.forecast, a.forecast);
  const f = a.forecast!;
  assert.equal(f.times.length, 241);
  assert.equal(f.band.draws, 60);
  // At the band's times after the start, the MAP curve lies within [q5, q95] for most points.
  const inside = f.band.times.filter((t, k) => {
    const i = f.times.indexOf(t);
    return t >= f.startMs && f.ipred[i] >= f.band.lo[k] - 1e-9 && f.ipred[i] <= f.band.hi[k] + 1e-9;
  }).length;
  const after = f.band.times.filter((t) => t >= f.startMs).length;
  assert.ok(inside / after > 0.9, `${inside}/${after}`);
});

test('policy: a level before the first dose is not used; one below its LLOQ is censored (M3), not dropped', () => {
  const a = analyse(
    vanco({ samples: [level(-1, 3), level(11.5, 9.8), level(23.5, 1.5, 2), level(37.5, 29.5)] }),
    { samples: 0 },
  );
  assert.deepEqual(
    a.warnings.filter((w) => w.code.startsWith('DT_SAMPLE')).map((w) => [w.code, w.field]),
    [
      ['DT_SAMPLE_BEFORE_DOSE', 'samples[0].at'],
      ['DT_SAMPLE_BLQ', 'samples[2].value'],
    ],
  );
  assert.deepEqual(
    a.fit.observations.map((o) => [o.at, o.censored]),
    [
      [at(11.5), false],
      [at(23.5), true],
      [at(37.5), false],
    ],
  );
  // The censored level pulls the fit: dropping it gives another optimum.
  const without = analyse(vanco(), { samples: 0 });
  assert.ok(Math.abs(a.fit.eta[0] - without.fit.eta[0]) > 1e-4);
});

test('policy: a weight recorded the day after the first dose holds back to it (said); SCr recorded after the last dose applies to the future', () => {
  const late = [
    cov(20, 'WT', 82, 'kg'),
    cov(-2, 'AGE', 58, 'y'),
    cov(-2, 'SCR', 95, 'umol/L'),
    cov(-2, 'SEX', 0, '-'),
    cov(-2, 'DIAL', 0, '-'),
  ];
  const a = analyse(vanco({ covariates: late }), { samples: 0 });
  const w = a.warnings.find((x) => x.code === 'DT_COVARIATE_CARRIED_BACK');
  assert.ok(w, a.warnings.map((x) => x.code).join());
  assert.equal(w.field, 'covariates.WT');
  // Same fit as with the weight recorded before the first dose.
  const early = analyse(vanco(), { samples: 0 });
  a.fit.eta.forEach((e, k) => assert.ok(Math.abs(e - early.fit.eta[k]) < 1e-9));
  // SCr doubled at 40 h (after every dose and level): the future's CL follows it.
  const worse = analyse(vanco({ covariates: [...baseline, cov(40, 'SCR', 190, 'umol/L')] }), { samples: 0 });
  const crcl = crclCockcroftGault({ ageY: 58, weightKg: 82, scrMgPerDl: 190 / 88.4, female: false });
  const clTypical = 4.5 * Math.pow(crcl / 120, 0.8);
  assert.ok(rel(worse.fit.parameters.CL, clTypical * Math.exp(worse.fit.eta[0])) < 1e-12);
});

test('what-if: a start before the last record and an infusion longer than the interval are refused, naming the field', () => {
  const ct = clinicalTwin(vanco(), { samples: 0 });
  const r = {
    dose: { value: 1000, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion' as const,
    duration: { value: 1, unit: 'h' },
    start: at(30),
    loading: null,
  };
  assert.throws(
    () => forecastClinical(ct, r),
    (e: unknown) => (e as { issues: { field: string }[] }).issues[0].field === 'regimen.start',
  );
  assert.throws(
    () => forecastClinical(ct, { ...r, start: at(48), duration: { value: 13, unit: 'h' } }),
    (e: unknown) => (e as { issues: { field: string }[] }).issues[0].field === 'regimen.duration',
  );
});
