// dosetwin recommend end to end: loading dose search, time of the next dose, several targets; a
// library model's default targets and product space when the options leave them out.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { shortestInfusion } from '@dosetwin/engine';
import { defaultTargets, getModel } from '@dosetwin/models';
import { dosetwin, REPO } from '../test-support.ts';

const DATA = join(REPO, 'examples/vancomycin-two-levels.csv');

test('recommend --start-when-below: the MAP level at the proposed time is the threshold (forecast, rel 1e-8); loading doses administrable', () => {
  const r = dosetwin(
    'recommend',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--target',
    'auc24=400..600',
    '--target',
    'trough<=20',
    '--interval',
    '12',
    '--duration',
    '1',
    '--strengths',
    '250,500',
    '--loading-target',
    'auc24=500..600',
    '--max-loading-dose',
    '2500',
    '--start-when-below',
    '15 mg/L',
    '--samples',
    '20',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.nextDose.threshold, 15);
  assert.ok(out.nextDose.time > 24, 'after the last record');
  assert.ok(out.nextDose.probabilityBelow >= 0 && out.nextDose.probabilityBelow <= 1);
  assert.deepEqual(out.targets, ['auc24=400..600', 'trough<=20']);
  for (const c of out.candidates) {
    assert.equal(c.start, out.nextDose.time);
    assert.equal(c.loading.dose % 250, 0, `loading ${c.loading.dose}`);
    assert.ok(c.loading.dose === 0 || (c.loading.dose >= c.dose && c.loading.dose <= 2500));
    assert.equal(c.loadingDose, c.loading.dose);
    assert.equal(Object.keys(c.metrics).join(), 'auc24,trough');
  }
  // The individual (MAP) forecast at that time, with no new dose before it, is 15 mg/L.
  const t = out.nextDose.time;
  const f = dosetwin(
    'forecast',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--regimen',
    `1000 mg q12h over 1 h from ${t}`,
    '--times',
    String(t),
    '--samples',
    '0',
    '--format',
    'csv',
  );
  assert.equal(f.code, 0, f.stderr);
  const c = Number(f.stdout.trim().split('\n')[1].split(',')[2]);
  assert.ok(Math.abs(c - 15) / 15 < 1e-8, `C(${t}) = ${c}`);
});

test('recommend: bad horizon and conflicting start options are argument errors (exit 2)', () => {
  const base = ['recommend', '--model', 'vancomycin/goti2018', '--data', DATA, '--target', 'auc24=400..600'];
  const a = dosetwin(...base, '--horizon', 'forever');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--horizon.*'forever' is not steady-state or first-interval/);
  const b = dosetwin(...base, '--start', '30', '--start-when-below', '15');
  assert.equal(b.code, 2);
  assert.match(b.stderr, /give either --start or --start-when-below/);
  const c = dosetwin(...base, '--start', '30,36', '--samples', '0');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /first-interval horizon/);
});

/** Whether `dose` is a sum of the strengths (any number of each), to 1e-9 of the smallest. */
function sumOfStrengths(dose: number, strengths: number[]): boolean {
  const unit = Math.min(...strengths);
  const steps = Math.round(dose / unit);
  if (Math.abs(steps * unit - dose) > 1e-9 * unit) return false;
  const ok = [true]; // ok[k]: k·unit is reachable (every strength here is a multiple of the smallest)
  const ks = strengths.map((x) => Math.round(x / unit));
  for (let k = 1; k <= steps; k++) ok[k] = ks.some((j) => j <= k && ok[k - j]);
  return ok[steps];
}

// The products and targets read off each .dtm by hand (model units: vancomycin and amikacin mg,
// h; tacrolimus ug, h and oral, so no infusion).
const libraryCases = [
  {
    id: 'amikacin/delattre2010',
    data: 'examples/amikacin-first-dose.csv',
    targets: ['c_eoi_30min=60..80 mg/L', 'trough<=2.5 mg/L'],
    space: { strengths: [500, 1000], intervals: [24, 36, 48], durations: [0.5, 1] },
  },
  {
    id: 'vancomycin/goti2018',
    data: 'examples/vancomycin-two-levels.csv',
    targets: ['auc24=400..600 mg*h/L'],
    space: { strengths: [500, 1000], intervals: [8, 12, 24], durations: [1, 2] },
  },
  {
    id: 'tacrolimus/woillard2011-prograf',
    data: 'examples/tacrolimus-lss.csv',
    targets: ['trough=5..10 ng/mL'],
    space: { strengths: [500, 1000, 5000], intervals: [12], durations: [0] },
  },
];

for (const c of libraryCases)
  test(`recommend --model ${c.id} without --target/--strengths/--interval/--duration: the model's default targets and products (exact)`, () => {
    const r = dosetwin('recommend', '--model', c.id, '--data', c.data, '--samples', '0');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n')[0]);
    assert.deepEqual(c.targets, defaultTargets(getModel(c.id)));
    assert.deepEqual(out.targets, c.targets);
    assert.equal(out.targetsSource, 'model defaults');
    assert.deepEqual(out.space, {
      ...c.space,
      source: { strengths: 'products', intervals: 'products', durations: 'products' },
    });
    assert.ok(out.candidates.length > 0);
    for (const k of out.candidates) {
      assert.ok(sumOfStrengths(k.dose, c.space.strengths), `dose ${k.dose}`);
      assert.ok(c.space.intervals.includes(k.interval), `interval ${k.interval}`);
      // A listed infusion, or the shortest the label's rate allows for the dose (vancomycin 10 mg/min).
      assert.ok(
        c.space.durations.includes(k.duration) ||
          Math.abs(k.duration - shortestInfusion(k.dose, out.limits)) < 1e-12,
        `duration ${k.duration}`,
      );
      assert.ok(k.dose <= (out.limits.maxDose ?? Infinity), `dose ${k.dose}`);
      assert.deepEqual(
        Object.keys(k.metrics),
        c.targets.map((t) => t.split(/[=<>]/)[0]),
      );
    }
  });

test("recommend --model ID --format text: one line each for the model's targets and products", () => {
  const r = dosetwin(
    'recommend',
    '--model',
    'amikacin/delattre2010',
    '--data',
    'examples/amikacin-first-dose.csv',
    '--samples',
    '0',
    '--max-candidates',
    '1',
    '--format',
    'text',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').slice(0, 2), [
    "targets: the model's defaults (c_eoi_30min=60..80 mg/L, trough<=2.5 mg/L)",
    "regimen space from the model's products: strengths 500, 1000 mg; every 24, 36, 48 h; over 0.5, 1 h",
  ]);
});

test('recommend --model ID: options given override the products and targets; the rest still come from the products', () => {
  const r = dosetwin(
    'recommend',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--strengths',
    '250',
    '--interval',
    '12',
    '--samples',
    '0',
    '--format',
    'text',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.split('\n')[1],
    "regimen space: strengths 250 mg (options); every 12 h (options); over 1, 2 h (the model's products)",
  );
  const j = dosetwin(
    'recommend',
    '--model',
    'vancomycin/goti2018',
    '--data',
    DATA,
    '--target',
    'trough=10..15',
    '--strengths',
    '250',
    '--interval',
    '12',
    '--duration',
    '1.5',
    '--samples',
    '0',
  );
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout.trim());
  assert.deepEqual(out.targets, ['trough=10..15']);
  assert.equal(out.targetsSource, 'options');
  assert.deepEqual(out.space, {
    strengths: [250],
    intervals: [12],
    durations: [1.5],
    source: { strengths: 'options', intervals: 'options', durations: 'options' },
  });
  // The label's limits still apply: at most 2000 mg, at most 10 mg/min (600 mg/h), over 1.5 h or
  // more when the rate asks for it.
  assert.deepEqual([out.limits.maxDose, out.limits.maxRate, out.limits.minDuration], [2000, 600, 1]);
  for (const k of out.candidates) {
    assert.equal(k.dose % 250, 0, `dose ${k.dose}`);
    assert.ok(k.dose <= 2000, `dose ${k.dose}`);
    assert.equal(k.interval, 12);
    assert.equal(k.duration, Math.max(1.5, shortestInfusion(k.dose, out.limits)));
  }
});

// Without --target, only a library model has targets to fall back on.
const noTarget = [
  { what: 'a .dtm file', args: ['--model', 'packages/models/vancomycin/goti2018.dtm', '--data', DATA] },
  { what: '--drug', args: ['--drug', 'vancomycin', '--data', 'examples/vancomycin-drug.csv'] },
];
for (const c of noTarget)
  test(`recommend with ${c.what} and no --target: an argument error naming --target (exit 2)`, () => {
    const r = dosetwin('recommend', ...c.args, '--samples', '0');
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /DT_ARG \[--target\] give at least one target/);
  });
