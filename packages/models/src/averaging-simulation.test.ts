// Issue 5, acceptance 3 — model averaging on simulated patients (fixed seed). 200 virtual adult
// vancomycin patients are simulated from Goti 2018 (covariates drawn from realistic ranges, etas
// from its Ω, residual error from its σ), each on 1000 mg every 12 h over 1 h with two levels
// (peak and trough of the 3rd dose), four (2nd and 3rd doses) or eight (rich sampling over the
// first three doses). Each patient is fitted with every vancomycin model of the library and by
// averaging; the forecast is the next interval's AUC (36–48 h) and its lowest concentration.
// Checked: weights sum to 1 (1e-12); the true model has the largest mean weight, its median
// weight grows with the number of levels and is > 0.5 with informative (8-level) data — with 2
// levels the four models fit about equally well (median ≈ 0.3); averaging's relative RMSE and
// |bias| of the forecast are no worse than the worst single model's (in fact below the best's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, patientFromRecords, Simulator, withPredictionTimes } from '@dosetwin/engine';
import {
  exposureDrug,
  fitDrug,
  type DrugPatient,
  type DrugRecord,
  type FitDrugOptions,
} from './averaging.ts';
import { getModel } from './registry.ts';
import { resolveCovariates, type PatientCovariates } from './resolve.ts';

const TRUE = 'vancomycin/goti2018';
/** The candidate set (fixed: the library grows). */
const MODELS = [
  'vancomycin/buelga2005',
  'vancomycin/colin2019',
  'vancomycin/goti2018',
  'vancomycin/thomson2009',
];
const N = 200;
const DOSE = 1000;
const TAU = 12;
const LEVELS_2 = [25.5, 35.5];
const LEVELS_4 = [13.5, 23.5, 25.5, 35.5];
const LEVELS_8 = [2, 6, 11.5, 13.5, 18, 23.5, 25.5, 35.5];
const WINDOW = { from: 36, to: 48 };

interface Virtual {
  covariates: PatientCovariates;
  dv: Map<number, number>;
  auc: number;
  trough: number;
}

/** Doses at 0, 12, 24, 36 (1 h infusions); levels at `levels`. */
function records(levels: readonly number[], dv: Map<number, number> | null): DrugRecord[] {
  const rows: DrugRecord[] = [0, 12, 24, 36].map((t) => ({ time: t, evid: 1, amt: DOSE, rate: DOSE }));
  for (const t of levels) rows.push({ time: t, evid: 0, dv: dv ? dv.get(t)! : null, mdv: dv ? 0 : 1 });
  return rows.sort((a, b) => a.time - b.time || (a.evid ?? 0) - (b.evid ?? 0));
}

function simulatePopulation(): Virtual[] {
  const rng = createRng(20260511);
  const goti = getModel(TRUE);
  const m = goti.compiled();
  const sim = new Simulator(m);
  const om = goti.ir.omega;
  const out: Virtual[] = [];
  while (out.length < N) {
    const female = rng.uniform() < 0.45;
    const covariates: PatientCovariates = {
      WT: { value: Math.min(140, Math.max(45, 78 * Math.exp(0.22 * rng.normal()))), unit: 'kg' },
      AGE: { value: 25 + 60 * rng.uniform(), unit: 'y' },
      SEX: female ? 1 : 0,
      SCR: { value: Math.min(250, Math.max(45, 85 * Math.exp(0.35 * rng.normal()))), unit: 'umol/L' },
      DIAL: 0,
      GA: { value: 40, unit: 'wk' },
    };
    const res = resolveCovariates(goti, covariates);
    if (res.issues.some((i) => i.severity === 'error')) throw new Error(res.issues[0].message);
    const eta = om.map((row, k) => Math.sqrt(row[k]) * rng.normal());
    const base = records([], null).map((r) => ({ ...r, cov: res.values }));
    const p = withPredictionTimes(patientFromRecords('v', base, res.values.length), LEVELS_8);
    const c = new Float64Array(p.n);
    sim.run(p, eta, c);
    const dv = new Map<number, number>();
    for (let i = 0; i < p.n; i++)
      if (p.evid[i] === 2) {
        const f = c[i];
        const sd = Math.sqrt(3.4 ** 2 + (0.227 * f) ** 2);
        dv.set(p.time[i], Math.max(0.5, f + sd * rng.normal()));
      }
    // The forecast's truth: AUC and trough over the next interval at the true etas.
    const full = patientFromRecords('v', base, res.values.length);
    const grid = Array.from({ length: 241 }, (_, k) => WINDOW.from + (k * TAU) / 240);
    const q = withPredictionTimes(full, grid);
    const cq = new Float64Array(q.n);
    sim.run(q, eta, cq);
    const g: number[] = [];
    for (let i = 0; i < q.n; i++) if (q.evid[i] === 2) g.push(cq[i]);
    let auc = 0;
    for (let k = 0; k < 240; k++) auc += ((g[k] + g[k + 1]) / 2) * (TAU / 240);
    out.push({ covariates, dv, auc, trough: Math.min(...g) });
  }
  return out;
}

interface Summary {
  models: string[];
  weightTrue: number[];
  /** Every model's weights. */
  weights: Record<string, number[]>;
  /** Relative errors of the AUC forecast per model, averaged, selected. */
  err: Record<string, number[]>;
  errTrough: Record<string, number[]>;
  maxSumDev: number;
}

function run(pop: Virtual[], levels: readonly number[], options: FitDrugOptions = {}): Summary {
  const s: Summary = { models: [], weightTrue: [], weights: {}, err: {}, errTrough: {}, maxSumDev: 0 };
  const push = (o: Record<string, number[]>, k: string, v: number): void => {
    (o[k] ??= []).push(v);
  };
  pop.forEach((v, i) => {
    const patient: DrugPatient = {
      id: String(i + 1),
      units: { dose: 'mg', time: 'h', conc: 'mg/L' },
      covariates: v.covariates,
      records: records(levels, v.dv),
    };
    const f = fitDrug('vancomycin', patient, { models: MODELS, ...options });
    s.models = f.models.map((m) => m.id);
    const sum = f.models.reduce((a, m) => a + m.weight, 0);
    s.maxSumDev = Math.max(s.maxSumDev, Math.abs(sum - 1));
    s.weightTrue.push(f.models.find((m) => m.id === TRUE)!.weight);
    const e = exposureDrug(f, WINDOW);
    f.models.forEach((m, k) => {
      push(s.weights, m.id, m.weight);
      push(s.err, m.id, e.models[k].auc / v.auc - 1);
      push(s.errTrough, m.id, e.models[k].cmin / v.trough - 1);
    });
    push(s.err, 'averaged', e.averaged.auc / v.auc - 1);
    push(s.errTrough, 'averaged', e.averaged.cmin / v.trough - 1);
    push(s.err, 'selected', e.models[f.selected].auc / v.auc - 1);
    push(s.errTrough, 'selected', e.models[f.selected].cmin / v.trough - 1);
  });
  return s;
}

const median = (x: number[]): number => {
  const s = [...x].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const bias = (e: number[]): number => e.reduce((a, b) => a + b, 0) / e.length;
const rmse = (e: number[]): number => Math.sqrt(e.reduce((a, b) => a + b * b, 0) / e.length);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

test(`acceptance 3: ${N} patients simulated from Goti 2018, fitted with every vancomycin model and by averaging (seed 20260511)`, (t) => {
  const pop = simulatePopulation();
  const two = run(pop, LEVELS_2);
  const four = run(pop, LEVELS_4);
  const eight = run(pop, LEVELS_8);
  assert.deepEqual(two.models, MODELS);
  for (const [name, s] of [
    ['2 levels', two],
    ['4 levels', four],
    ['8 levels', eight],
  ] as const) {
    t.diagnostic(
      `${name}: weights (median) ${s.models.map((k) => `${k} ${median(s.weights[k]).toFixed(3)}`).join(', ')}`,
    );
    for (const k of [...s.models, 'averaged', 'selected'])
      t.diagnostic(
        `${name}: ${k.padEnd(22)} AUC36-48 bias ${pct(bias(s.err[k]))}, rRMSE ${pct(rmse(s.err[k]))}; trough bias ${pct(bias(s.errTrough[k]))}, rRMSE ${pct(rmse(s.errTrough[k]))}`,
      );
    // Weights sum to 1.
    assert.ok(s.maxSumDev <= 1e-12, `${name}: weights sum to 1 within ${s.maxSumDev}`);
    // Averaging is no worse than the worst single model (relative RMSE and |bias|, AUC and trough).
    for (const [what, errs] of [
      ['AUC', s.err],
      ['trough', s.errTrough],
    ] as const) {
      const worstRmse = Math.max(...s.models.map((k) => rmse(errs[k])));
      const worstBias = Math.max(...s.models.map((k) => Math.abs(bias(errs[k]))));
      assert.ok(
        rmse(errs.averaged) <= worstRmse,
        `${name} ${what}: averaged rRMSE ${rmse(errs.averaged)} > worst ${worstRmse}`,
      );
      assert.ok(
        Math.abs(bias(errs.averaged)) <= worstBias,
        `${name} ${what}: averaged |bias| ${bias(errs.averaged)} > worst ${worstBias}`,
      );
    }
  }
  // The true model dominates when the data are informative, and gains weight with more levels.
  assert.ok(median(eight.weightTrue) > 0.5, `median Goti weight with 8 levels ${median(eight.weightTrue)}`);
  assert.ok(
    median(four.weightTrue) > median(two.weightTrue),
    'the true model gains weight from 2 to 4 levels',
  );
  assert.ok(
    median(eight.weightTrue) > median(four.weightTrue),
    'the true model gains weight from 4 to 8 levels',
  );
  for (const s of [two, four, eight]) {
    const mean = (k: string): number => bias(s.weights[k]);
    for (const k of s.models)
      if (k !== TRUE)
        assert.ok(mean(TRUE) > mean(k), `mean weight of ${TRUE} ${mean(TRUE)} ≤ ${k} ${mean(k)}`);
  }
});
