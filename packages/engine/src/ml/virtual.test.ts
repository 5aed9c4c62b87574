import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileModel } from '../model/compile.ts';
import { parseModel } from '../model/parse.ts';
import { createRng } from '../simulate/rng.ts';
import { checkPopulation, drawClinical, type PopulationSpec } from './population.ts';
import { type SamplingDesign, VirtualPopulation } from './virtual.ts';

// A two-compartment oral model with IIV and IOV on CL, covariate WT: at steady state the AUC over
// a dosing interval is F·dose/CL exactly (F = 1), whatever the other parameters.
const MODEL = `model    test/ml-oral   version 1.0.0
drug     testdrug
units    dose mg | time h | conc mg/L

covariates   unit   valid      label      handling
  WT         kg     30..150    "weight"   required

parameters   value   unit   label   source
  TVCL   5     L/h    "CL"    test
  TVV1   40    L      "V1"    test
  TVQ    8     L/h    "Q"     test
  TVV2   60    L      "V2"    test
  TVKA   1.2   1/h    "KA"    test

random
  eta_CL ~ 0.09    eta_V1 ~ 0.04    cov(eta_CL, eta_V1) = 0.03
  iov eta_occ_CL ~ 0.02

equations
  CL = TVCL * (WT / 70)^0.75 * exp(eta_CL + eta_occ_CL)
  V1 = TVV1 * (WT / 70) * exp(eta_V1)
  pk two_cmt(cl = CL, v1 = V1, q = TVQ, v2 = TVV2, ka = TVKA)
  CP = central / V1

error
  CP ~ prop(0.1) + add(0.05)
`;
const model = compileModel(parseModel(MODEL, 'ml-oral.dtm'));
const population: PopulationSpec = {
  kind: 'distribution',
  label: 'test',
  variables: [
    { name: 'SEX', unit: '-', dist: 'bernoulli', a: 0.4 },
    { name: 'HT', unit: 'cm', dist: 'normal', a: [176, 163], b: [7, 6], given: 'SEX', lo: 150, hi: 200 },
    {
      name: 'WT',
      unit: 'kg',
      dist: 'lognormal',
      a: [80, 65],
      b: 0.2,
      given: 'SEX',
      scale: { by: 'HT', ref: [176, 163], power: 2 },
      lo: 40,
      hi: 140,
    },
  ],
};
const design: SamplingDesign = {
  timesH: [0, 1, 3],
  tauH: 12,
  route: 'oral',
  doses: [100, 200, 300],
  jitter: { sdH: 0.05, fraction: 0.05 },
  lloq: 0.01,
};
const pop = new VirtualPopulation({
  models: [{ model, covariates: (c) => [c.WT] }],
  population,
  design,
  seed: 42,
});

test('reference AUC over the steady-state interval = dose/CL (linear model, F = 1), rel. 1e-9', () => {
  for (let i = 0; i < 50; i++) {
    const v = pop.patient(i);
    const cl = 5 * (v.clinical.WT / 70) ** 0.75 * Math.exp(v.eta[0] + v.eta[2]);
    const rel = Math.abs(v.auc - v.dose / cl) / (v.dose / cl);
    assert.ok(rel < 1e-9, `patient ${i}: AUC ${v.auc} vs ${v.dose / cl}`);
  }
});

test('patients are drawn from their own streams: patient 7 is the same alone or after others (exact)', () => {
  const other = new VirtualPopulation(pop.setup);
  const alone = other.patient(7);
  assert.deepEqual(alone, pop.patient(7));
});

test('etas follow Ω: sample variances and covariance of 4000 patients within 4 standard errors', () => {
  const n = 4000;
  const e = Array.from({ length: n }, (_, i) => pop.patient(1000 + i).eta);
  const cov = (a: number, b: number): number => e.reduce((s, x) => s + x[a] * x[b], 0) / n;
  // SE of a sample variance ≈ ω²·sqrt(2/n); of a covariance ≈ sqrt((ω_a²ω_b² + ω_ab²)/n).
  for (const [a, b, w, se] of [
    [0, 0, 0.09, 0.09 * Math.sqrt(2 / n)],
    [1, 1, 0.04, 0.04 * Math.sqrt(2 / n)],
    [2, 2, 0.02, 0.02 * Math.sqrt(2 / n)],
    [0, 1, 0.03, Math.sqrt((0.09 * 0.04 + 0.03 ** 2) / n)],
  ] as const)
    assert.ok(Math.abs(cov(a, b) - w) < 4 * se, `cov(${a}, ${b}) = ${cov(a, b)} vs ${w}`);
});

test('sampling times: pre-dose sample before the dose, others within ±2 SD of nominal', () => {
  for (let i = 0; i < 300; i++) {
    const v = pop.patient(i);
    assert.ok(v.timesH[0] <= 0 && v.timesH[0] >= -2 * 0.05);
    assert.ok(Math.abs(v.timesH[1] - 1) <= 2 * 0.1 + 1e-12);
    assert.ok(Math.abs(v.timesH[2] - 3) <= 2 * 0.2 + 1e-12);
  }
});

test('population: truncation respected, Bernoulli frequency 0.4 within 4 SE over 4000 draws', () => {
  checkPopulation(population);
  const rng = createRng(3);
  const draws = Array.from({ length: 4000 }, () => drawClinical(population, rng));
  assert.ok(draws.every((d) => d.WT >= 40 && d.WT <= 140 && d.HT >= 150 && d.HT <= 200));
  const f = draws.filter((d) => d.SEX === 1).length / 4000;
  assert.ok(Math.abs(f - 0.4) < 4 * Math.sqrt((0.4 * 0.6) / 4000), `female fraction ${f}`);
});

test('population spec errors name the variable', () => {
  assert.throws(
    () =>
      checkPopulation({
        kind: 'distribution',
        label: 'x',
        variables: [{ name: 'WT', unit: 'kg', dist: 'normal', a: [1, 2], b: 1, given: 'SEX' }],
      }),
    /WT.*given 'SEX' must be drawn before WT/,
  );
});
