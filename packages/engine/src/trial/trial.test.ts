// Virtual trials against closed forms. A one-compartment IV infusion with one log-normal eta on CL
// and the covariates fixed: at steady state AUC24 = D24 / (TVCL·e^η), so
// P(AUC24 ≥ T) = Φ(ln(D24/(TVCL·T))/ω) and P(L ≤ AUC24 ≤ U) = Φ(ln(D24/(TVCL·L))/ω) − Φ(ln(D24/(TVCL·U))/ω).
// Each PTA is checked within 3 Monte Carlo standard errors; merging chunks in any order and
// grouping gives the same counts bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../dosing/targets.ts';
import { normalCdf } from '../estimate/normal.ts';
import { compile } from '../test-support/models.ts';
import { emptyCounts, mergeCounts, runTrialChunk, TrialRunner, type TrialCounts } from './chunk.ts';
import { nomogram, trialReport } from './report.ts';
import { chunkCount, type TrialSetup } from './spec.ts';

const TVCL = 4;
const OMEGA2 = 0.09;
// V 20 L: k = 0.2/h, so after 6 days the approach to steady state is e^{−28.8} ≈ 3e-13 away.
const MODEL = compile(
  `covariates\n  WT kg 40..150 "weight" required\nparameters value unit label\n  TVCL ${TVCL} L/h "cl"\n  V 20 L "v"\nrandom\n  eta_CL ~ ${OMEGA2}\nequations\n  CL = TVCL*exp(eta_CL)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
);
const units = (t: string) => parseTarget(t, 'mg/L', 'h');

function setup(targets: string[], over: Partial<TrialSetup> = {}): TrialSetup {
  return {
    model: MODEL,
    covariates: (c) => [c.WT],
    population: {
      kind: 'distribution',
      label: 'fixed',
      variables: [{ name: 'WT', unit: 'kg', dist: 'uniform', a: 70, b: 70 }],
    },
    arms: [{ name: '1000 mg q12h', regimen: { start: 0, dose: 1000, interval: 12, duration: 1 } }],
    duration: 7 * 24,
    endpoints: { targets: targets.map(units), toxicity: [], mics: [] },
    strata: [],
    n: 4000,
    chunkSize: 500,
    seed: 7,
    ...over,
  };
}

function runAll(s: TrialSetup, order?: number[]): TrialCounts {
  const runner = new TrialRunner(s);
  const idx = order ?? Array.from({ length: chunkCount(s) }, (_, i) => i);
  return idx.map((i) => runner.runChunk(i)).reduce(mergeCounts, emptyCounts(runner.shape));
}

const omega = Math.sqrt(OMEGA2);
const D24 = 2000;

test('PTA of auc24>=400 on day 7 = Φ(ln(D24/(CL·400))/ω) within 3 MC SE (n = 4000)', () => {
  const s = setup(['auc24>=400']);
  const r = trialReport(runAll(s), new TrialRunner(s).shape, { arms: ['a'], strata: [] });
  const day7 = r.arms[0].days[6].targets[0];
  const expected = normalCdf(Math.log(D24 / (TVCL * 400)) / omega);
  assert.equal(day7.n, 4000);
  assert.ok(Math.abs(day7.p - expected) < 3 * day7.se, `PTA ${day7.p} ± ${day7.se} vs Φ = ${expected}`);
  // Median of AUC24 = D24/TVCL = 500 mg·h/L, to within the histogram's bin (2.3 %).
  const med = r.arms[0].exposure[6][0].p50;
  assert.ok(Math.abs(med / 500 - 1) < 0.03, `median AUC24 ${med}`);
});

test('PTA of auc24=400..600 on day 7 = Φ(ln(D24/(CL·400))/ω) − Φ(ln(D24/(CL·600))/ω) within 3 MC SE', () => {
  const s = setup(['auc24=400..600'], { seed: 11 });
  const r = trialReport(runAll(s), new TrialRunner(s).shape, { arms: ['a'], strata: [] });
  const p = r.arms[0].days[6].all;
  const expected =
    normalCdf(Math.log(D24 / (TVCL * 400)) / omega) - normalCdf(Math.log(D24 / (TVCL * 600)) / omega);
  assert.ok(Math.abs(p.p - expected) < 3 * p.se, `PTA ${p.p} ± ${p.se} vs ${expected}`);
});

test('PTA versus MIC of fauc_mic>=400 (fu 1): Φ(ln(D24/(CL·400·MIC))/ω) at MIC 0.5, 1, 2 within 3 MC SE', () => {
  const s = setup(['fauc_mic>=400'], {
    endpoints: {
      targets: [units('fauc_mic>=400')],
      toxicity: [units('auc24>=800')],
      mics: [0.5, 1, 2],
      mic: 1,
    },
    n: 2000,
    seed: 3,
  });
  const r = trialReport(runAll(s), new TrialRunner(s).shape, { arms: ['a'], strata: [] });
  const day = r.arms[0].days[6];
  [0.5, 1, 2].forEach((mic, m) => {
    const expected = normalCdf(Math.log(D24 / (TVCL * 400 * mic)) / omega);
    const p = day.mic[m];
    if (expected > 0.999) assert.ok(p.p > 0.99, `MIC ${mic}: ${p.p}`);
    else
      assert.ok(Math.abs(p.p - expected) < 3 * p.se + 1e-12, `MIC ${mic}: ${p.p} ± ${p.se} vs ${expected}`);
  });
  // Share above the toxicity threshold auc24 ≥ 800: Φ(ln(500/800)/ω) = 0.059.
  const tox = day.toxicity[0];
  const expectedTox = normalCdf(Math.log(D24 / (TVCL * 800)) / omega);
  assert.ok(Math.abs(tox.p - expectedTox) < 3 * tox.se, `toxicity ${tox.p} ± ${tox.se} vs ${expectedTox}`);
});

test('chunks merged in any order and grouping give identical counts; a chunk counted twice is refused', () => {
  const s = setup(['auc24>=400'], { n: 300, chunkSize: 50 });
  const forward = runAll(s);
  const backward = runAll(s, [5, 4, 3, 2, 1, 0]);
  assert.deepEqual(backward, forward);
  const runner = new TrialRunner(s);
  const left = [0, 2, 4].map((i) => runner.runChunk(i)).reduce(mergeCounts);
  const right = [5, 3, 1].map((i) => runner.runChunk(i)).reduce(mergeCounts);
  assert.deepEqual(mergeCounts(right, left), forward);
  // A chunk alone is the same whichever runner computes it (seeded by trial seed and chunk index only).
  assert.deepEqual(runTrialChunk(s, 3), runner.runChunk(3));
  assert.throws(() => mergeCounts(left, runner.runChunk(2)), /DT_TRIAL_MERGE|counted twice/);
  assert.throws(() => runner.runChunk(6), /chunk 6 does not exist/);
});

test('strata: weight bands of a uniform population hold their share of patients; the nomogram picks the better arm per cell', () => {
  // CL ∝ WT/70: 1000 mg q12h suits 70 kg (AUC24 500), 1500 mg q12h the heavier band.
  const model = compile(
    `covariates\n  WT kg 40..150 "weight" required\n  CRCL mL/min 10..200 "crcl" required\nparameters value unit label\n  TVCL ${TVCL} L/h "cl"\n  V 20 L "v"\nrandom\n  eta_CL ~ 0.01\nequations\n  CL = TVCL*WT/70*exp(eta_CL)\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
  );
  const s: TrialSetup = {
    ...setup(['auc24=400..600']),
    model,
    covariates: (c) => [c.WT, c.CRCL],
    population: {
      kind: 'distribution',
      label: 'uniform',
      variables: [
        { name: 'WT', unit: 'kg', dist: 'uniform', a: 50, b: 110 },
        { name: 'RENAL', unit: '-', dist: 'categorical', values: [0, 1], p: [0.25, 0.75] },
        { name: 'CRCL', unit: 'mL/min', dist: 'uniform', a: [20, 60], b: [60, 120], given: 'RENAL' },
      ],
    },
    arms: [
      { name: '1000 mg q12h', regimen: { start: 0, dose: 1000, interval: 12, duration: 1 } },
      { name: '1500 mg q12h', regimen: { start: 0, dose: 1500, interval: 12, duration: 1 } },
    ],
    strata: [
      { name: 'weight', variable: 'WT', unit: 'kg', edges: [80] },
      { name: 'CrCL', variable: 'CRCL', unit: 'mL/min', edges: [60] },
    ],
    n: 400,
    chunkSize: 100,
  };
  const runner = new TrialRunner(s);
  const r = trialReport(runAll(s), runner.shape, { arms: s.arms.map((a) => a.name), strata: s.strata });
  const cells = r.arms[0].cells;
  assert.deepEqual(
    cells.map((c) => c.bands),
    [
      ['weight <80 kg', 'CrCL <60 mL/min'],
      ['weight <80 kg', 'CrCL ≥60 mL/min'],
      ['weight ≥80 kg', 'CrCL <60 mL/min'],
      ['weight ≥80 kg', 'CrCL ≥60 mL/min'],
    ],
  );
  // Renal class 0 (25 %) draws CrCL < 60, class 1 ≥ 60; weight < 80 is half of 50..110: expected shares 0.125, 0.375, 0.125, 0.375.
  const shares = cells.map((c) => c.n / 400);
  [0.125, 0.375, 0.125, 0.375].forEach((e, i) =>
    assert.ok(
      Math.abs(shares[i] - e) < 3 * Math.sqrt((e * (1 - e)) / 400),
      `cell ${i} share ${shares[i]} vs ${e}`,
    ),
  );
  const nom = nomogram(r, s.strata, 7);
  assert.equal(nom.cells[0][0].arm, '1000 mg q12h');
  assert.equal(nom.cells[1][1].arm, '1500 mg q12h');
});

test('a nomogram cell’s PTA interval is the Wilson score interval (R prop.test(k, n, correct = FALSE), 1e-9), and a cell is green only when the whole interval reaches the threshold', async () => {
  const { wilson95, cellVerdict } = await import('./report.ts');
  // R 4: prop.test(k, n, correct = FALSE)$conf.int, printed with digits = 10.
  const cases: [number, number, number, number][] = [
    [7, 7, 0.6456695649, 1],
    [5, 7, 0.3589344518, 0.917781076],
    [450, 1000, 0.4194153841, 0.4809672918],
    [0, 12, 0, 0.2424940067],
  ];
  for (const [k, n, lo, hi] of cases) {
    const [a, b] = wilson95(k, n);
    assert.ok(Math.abs(a - lo) < 1e-9 && Math.abs(b - hi) < 1e-9, `${k}/${n}: ${a}, ${b}`);
  }
  // The mistake this catches: 7 of 7 virtual patients (PTA 100 %) looked like a sure cell at a 0.7 threshold.
  assert.equal(cellVerdict(wilson95(7, 7), 0.7), 'uncertain');
  assert.equal(cellVerdict(wilson95(700, 700), 0.7), 'meets');
  assert.equal(cellVerdict(wilson95(450, 1000), 0.5), 'below');
  assert.equal(cellVerdict(wilson95(5, 7), 0.5), 'uncertain');
});

test('the closed-form course equals the simulator at every record (concentration and cumulative AUC, 1e-10 relative): 1- and 2-cpt infusions with a loading dose, 1-cpt oral with F', async () => {
  const { ClosedFormCourse } = await import('./closed-form.ts');
  const { administrations, layoutCourse, runCourse, setCovariates } = await import('./course.ts');
  const { Simulator } = await import('../simulate/simulator.ts');
  const cases = [
    {
      model: MODEL,
      regimen: { start: 0, dose: 1000, interval: 12, duration: 1, loadingDose: 2000, loadingDuration: 2 },
      eta: [0.3],
    },
    {
      model: compile(
        `parameters value unit label\n  CL 4 L/h "cl"\n  V1 30 L "v1"\n  Q 6 L/h "q"\n  V2 40 L "v2"\nrandom\n  eta_CL ~ 0.1\nequations\n  pk two_cmt(cl = CL*exp(eta_CL), v1 = V1, q = Q, v2 = V2)\n  C = central / V1\n  CP = C\nerror\n  CP ~ prop(0.1)\n`,
      ),
      regimen: { start: 0, dose: 750, interval: 8, duration: 0.5 },
      eta: [-0.2],
    },
    {
      model: compile(
        `parameters value unit label\n  CL 4 L/h "cl"\n  V 50 L "v"\n  KA 1.2 1/h "ka"\n  F1 0.7 - "f"\nrandom\n  eta_CL ~ 0.1\nequations\n  bioav(depot) = F1\n  pk one_cmt(cl = CL*exp(eta_CL), v = V, ka = KA)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`,
      ),
      regimen: { start: 0, dose: 500, interval: 12, duration: 0 },
      eta: [0.1],
    },
  ];
  for (const [k, c] of cases.entries()) {
    const fast = new ClosedFormCourse(c.model);
    assert.ok(fast.usable, `case ${k}: closed form usable`);
    const nCov = c.model.ir.covariates.length;
    const cov = nCov ? [70] : [];
    const l = layoutCourse(administrations(c.regimen, 72), {
      duration: 72,
      dayLength: 24,
      cmt: 0,
      gridStep: 0.5,
      afterInfusion: [],
      nCov,
      occasion: null,
    });
    setCovariates(l, cov);
    const ref = runCourse(new Simulator(c.model), l, c.eta);
    const got = { layout: l, c: new Float64Array(l.patient.n), cum: new Float64Array(l.patient.n) };
    assert.ok(fast.run(l, cov, c.eta, got));
    for (const i of l.obs) {
      assert.ok(
        Math.abs(got.c[i] - ref.c[i]) <= 1e-10 * Math.abs(ref.c[i]) + 1e-14,
        `case ${k} c at ${l.patient.time[i]}: ${got.c[i]} vs ${ref.c[i]}`,
      );
      assert.ok(
        Math.abs(got.cum[i] - ref.cum[i]) <= 1e-10 * Math.abs(ref.cum[i]) + 1e-12,
        `case ${k} AUC at ${l.patient.time[i]}: ${got.cum[i]} vs ${ref.cum[i]}`,
      );
    }
  }
  // An output that is not proportional to one compartment goes through the simulator.
  const log = compile(
    `parameters value unit label\n  CL 4 L/h "cl"\n  V 50 L "v"\nequations\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V + 0.5\nerror\n  CP ~ prop(0.1)\n`,
  );
  assert.equal(new ClosedFormCourse(log).usable, false);
});

test('interim forecast: nobody enrolled → the trial PTA Φ(ln(500/400)/ω) with a binomial-width 90 % interval; 20 of 40 enrolled with CL twice typical → about half of it', async () => {
  const { interimForecast } = await import('./interim.ts');
  const { patient } = await import('../test-support/models.ts');
  const { Simulator } = await import('../simulate/simulator.ts');
  const s = setup(['auc24>=400'], { n: 200, chunkSize: 100, seed: 21 });
  const p = normalCdf(Math.log(D24 / (TVCL * 400)) / omega);
  const none = interimForecast(s, [], { replicates: 100 });
  const sd = Math.sqrt((p * (1 - p)) / 200);
  assert.ok(
    Math.abs(none.arms[0].mean - p) < 3 * (sd / Math.sqrt(100)) + 0.01,
    `mean ${none.arms[0].mean} vs ${p}`,
  );
  const width = none.arms[0].hi - none.arms[0].lo;
  assert.ok(width > 0.6 * 3.29 * sd && width < 1.4 * 3.29 * sd, `90 % width ${width} vs ${3.29 * sd}`);
  // Enrolled patients' levels (noiseless) from η_CL = ln 2: AUC24 = 250, below 400.
  const doses = [0, 12, 24, 36].map((t) => ({ time: t, amt: 1000, rate: 1000, cov: [70] }));
  const truth = patient(doses, [11.5, 23.5, 35.5, 47.5], 0, 1, [70]);
  const out = new Float64Array(truth.n);
  new Simulator(MODEL).run(truth, [Math.log(2)], out);
  const rows = Array.from({ length: truth.n }, (_, i) => ({
    time: truth.time[i],
    evid: truth.evid[i],
    amt: truth.amt[i],
    rate: truth.rate[i],
    mdv: truth.evid[i] === 0 ? 0 : 1,
    dv: truth.evid[i] === 0 ? out[i] : null,
    cov: [70],
  }));
  const history = patient(rows, [], 0, 1, [70]);
  const half = interimForecast(
    { ...s, n: 40 },
    Array.from({ length: 20 }, () => ({ arm: 0, history })),
    {
      replicates: 60,
    },
  );
  assert.equal(half.arms[0].enrolled, 20);
  assert.ok(
    half.arms[0].mean > 0.5 * p - 0.12 && half.arms[0].mean < 0.5 * p + 0.12,
    `mean ${half.arms[0].mean} vs ${p / 2}`,
  );
});
