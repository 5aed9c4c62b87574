import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReport } from '../ml/report.ts';
import { createRng } from '../simulate/rng.ts';
import {
  BOOTSTRAP_RESAMPLES,
  errorsByPatient,
  median,
  subgroupBias,
  subgroupBiases,
} from './subgroup-bias.ts';

const RENAL = ['CrCL < 30 mL/min', 'CrCL 30-60 mL/min', 'CrCL 60-90 mL/min', 'CrCL ≥ 90 mL/min'];

/**
 * An evaluation set of 400 patients: reference AUCs log-normal (CV ≈ 40 %), two estimates with a
 * 15 % log-normal error, the first one 30 % too high in the lowest renal class.
 */
function evaluationSet(): {
  reference: number[];
  shifted: number[];
  unshifted: number[];
  sex: string[];
  renal: string[];
} {
  const rng = createRng(11);
  const n = 400;
  const reference: number[] = [];
  const shifted: number[] = [];
  const unshifted: number[] = [];
  const sex: string[] = [];
  const renal: string[] = [];
  for (let i = 0; i < n; i++) {
    const ref = 200 * Math.exp(0.4 * rng.normal());
    const r = Math.floor(rng.uniform() * 4);
    reference.push(ref);
    sex.push(rng.uniform() < 0.5 ? 'male' : 'female');
    renal.push(RENAL[r]);
    shifted.push(ref * Math.exp(0.15 * rng.normal()) * (r === 0 ? 1.3 : 1));
    unshifted.push(ref * Math.exp(0.15 * rng.normal()));
  }
  return { reference, shifted, unshifted, sex, renal };
}

test('median: odd and even lengths, order and duplicates', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([-0.5, 0.2, 0.2, 10]), 0.2);
  assert.ok(Number.isNaN(median([])));
});

test('errorsByPatient: one list per patient, in first-seen order', () => {
  assert.deepEqual(errorsByPatient(['b', 'a', 'b', 'c'], [1, 2, 3, 4]), [[1, 3], [2], [4]]);
});

test('subgroupBias: the interval is the 2.5th and 97.5th percentiles of the medians of patients resampled as the seeded stream draws them (uneven patients, even pools)', () => {
  const patients = [[0.1, 0.3], [0.2], [0.5, 0.7, 0.9], [-0.4, 0.05], [0.25]];
  const rest = [[0.0], [0.1, -0.1], [0.3], [-0.2, 0.2, 0.6]];
  const rng = createRng(4);
  const draw = (ps: number[][]): number[] =>
    Array.from({ length: ps.length }, () => ps[Math.floor(rng.uniform() * ps.length)]).flat();
  const meds: number[] = [];
  const diffs: number[] = [];
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    meds.push(median(draw(patients)));
    diffs.push(meds[b] - median(draw(rest)));
  }
  const pct = (x: number[]): [number, number] => {
    const v = x.slice().sort((a, b) => a - b);
    return [v[Math.floor(0.025 * v.length)], v[Math.ceil(0.975 * v.length) - 1]];
  };
  const got = subgroupBias(patients, 0.1, { seed: 4, rest });
  assert.deepEqual(got.ci, pct(meds));
  const d = pct(diffs);
  assert.equal(got.apart, d[0] > 0 || d[1] < 0);
  assert.equal(got.bias, 0.25);
  assert.equal(got.values, 9);
});

test('subgroupBias: no interval and no flag under 3 patients, whatever the bias', () => {
  const b = subgroupBias([[0.5], [0.6]], 0.1);
  assert.equal(b.ci, null);
  assert.equal(b.flagged, false);
  assert.equal(b.bias, 0.55);
});

test('one subgroup shifted by +30 %: it alone is flagged, its bias +30 % within 6 points; an unshifted set flags none', () => {
  const s = evaluationSet();
  const err = (est: number[]): number[] => est.map((e, i) => (e - s.reference[i]) / s.reference[i]);
  const renal = subgroupBiases(err(s.shifted), s.renal, 0.1);
  assert.deepEqual(
    renal.filter((g) => g.flagged).map((g) => g.group),
    [RENAL[0]],
  );
  const low = renal.find((g) => g.group === RENAL[0])!;
  assert.ok(Math.abs(low.bias - 0.3) < 0.06, `bias ${low.bias}`);
  assert.ok(low.ci![0] > 0.1 && low.ci![0] < low.bias && low.ci![1] > low.bias, `ci ${low.ci}`);
  assert.equal(
    renal.reduce((a, g) => a + g.patients, 0),
    400,
  );
  // The shifted class leaks into both sexes (a quarter of each): neither is flagged.
  assert.ok(subgroupBiases(err(s.shifted), s.sex, 0.1).every((g) => !g.flagged));
  for (const labels of [s.renal, s.sex])
    for (const g of subgroupBiases(err(s.unshifted), labels, 0.1)) {
      assert.equal(g.flagged, false, g.group);
      assert.ok(Math.abs(g.bias) < 0.05, `${g.group} bias ${g.bias}`);
    }
});

test('ML report: the flagged subgroup is marked in its table row and in the subgroup bias it returns, failed estimates left out', () => {
  const s = evaluationSet();
  const shifted = s.shifted.slice();
  shifted[0] = NaN;
  const r = renderReport({
    title: 'Evaluation',
    intro: [],
    appendix: [],
    unit: 'mg·h/L',
    sections: [
      {
        title: 'Held-out',
        slug: 'internal',
        description: '',
        reference: s.reference,
        methods: [
          { name: 'ML (GBDT)', estimate: shifted },
          { name: 'MAP Bayesian', estimate: s.unshifted },
        ],
        strata: [
          { name: 'sex', labels: s.sex },
          { name: 'renal', labels: s.renal, order: RENAL },
        ],
      },
    ],
  });
  const flaggedRows = r.markdown.split('\n').filter((l) => l.endsWith('| FLAGGED |'));
  assert.equal(flaggedRows.length, 1);
  assert.ok(flaggedRows[0].startsWith(`| ${RENAL[0]} | ML (GBDT) |`), flaggedRows[0]);
  assert.match(r.markdown, /\| median bias % \(95 % CI\) \| flagged \|/);
  assert.deepEqual(
    r.subgroupBias.map((t) => `${t.stratum}/${t.method}`),
    ['sex/ML (GBDT)', 'sex/MAP Bayesian', 'renal/ML (GBDT)', 'renal/MAP Bayesian'],
  );
  const flagged = r.subgroupBias.flatMap((t) =>
    t.groups.filter((g) => g.flagged).map((g) => `${t.section}/${t.method}/${g.group}`),
  );
  assert.deepEqual(flagged, [`internal/ML (GBDT)/${RENAL[0]}`]);
  const ml = r.subgroupBias.find((t) => t.stratum === 'sex' && t.method === 'ML (GBDT)')!;
  assert.equal(
    ml.groups.reduce((a, g) => a + g.patients, 0),
    399,
  );
});
