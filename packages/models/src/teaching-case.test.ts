// Teaching cases: the score from the true patient against a hand computation (Thomson 2009's CL
// written out from its Table 2), the score's formula against hand values, seeded levels that do
// not depend on which other times are drawn, and each mistake in a case file named in EN and FR.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '@dosetwin/engine';
import { caseLevels, caseScore, caseSeries, caseTruth, parseCase, scorePoints } from './teaching-case.ts';
import { EXAMPLE_CASE } from './teaching-examples.ts';

const text = (over: Record<string, unknown> = {}) => JSON.stringify({ ...EXAMPLE_CASE, ...over });
const issuesOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DosetwinError) return e.issues;
    throw e;
  }
  assert.fail('no error');
};

test('score formula by hand: AUC24 700 vs 400..600, 2 levels at 5 points = 100·(1 − ln(7/6)/ln 2) − 10 = 67.7607578663552 (abs. 1e-9)', () => {
  const s = scorePoints(700, 400, 600, 2, 5);
  assert.ok(Math.abs(s.score - 67.7607578663552) < 1e-9, String(s.score));
  assert.equal(scorePoints(500, 400, 600, 3, 5).score, 85);
  assert.equal(scorePoints(150, 400, 600, 0, 5).score, 0); // beyond a factor 2 below
  assert.ok(
    Math.abs(scorePoints(300, 400, null, 0, 5).attainment - 100 * (1 - Math.log(4 / 3) / Math.LN2)) < 1e-12,
  );
});

test('the example case: the true patient has AUC24 = 2·dose/CL at steady state, CL = 2.99·(1 + 0.0154·(60 − 66))·e^0.35 = 3.85096 L/h (Thomson 2009 Table 2; rel. 1e-6); scores by hand', () => {
  const c = parseCase(JSON.stringify(EXAMPLE_CASE));
  const cl = 2.99 * (1 + 0.0154 * (60 - 66)) * Math.exp(0.35);
  assert.ok(Math.abs(caseTruth(c).CL - cl) < 1e-6);
  // 1000 mg q12h: AUC24 = 2000/3.85096 = 519.3, in 400..600: 100 − 2·5.
  const ok = caseScore(c, { value: 1000, unit: 'mg' }, 2);
  assert.ok(Math.abs(ok.metric - 2000 / cl) / (2000 / cl) < 1e-6, `AUC24 ${ok.metric}`);
  assert.equal(ok.attainment, 100);
  assert.equal(ok.score, 90);
  // 1500 mg: AUC24 779.0 > 600; 750 mg: 389.5 < 400 (abs. 1e-3 on the score).
  const high = caseScore(c, { value: 1500, unit: 'mg' }, 3);
  assert.ok(Math.abs(high.metric - 3000 / cl) / (3000 / cl) < 1e-6);
  assert.ok(Math.abs(high.score - (100 * (1 - Math.log(3000 / cl / 600) / Math.LN2) - 15)) < 1e-3);
  const low = caseScore(c, { value: 750, unit: 'mg' }, 1);
  assert.ok(Math.abs(low.score - (100 * (1 - Math.log(400 / (1500 / cl)) / Math.LN2) - 5)) < 1e-3);
});

test('levels: seeded, each allowed time its own stream (the same value whichever others are drawn), positive, in the model unit', () => {
  const c = parseCase(JSON.stringify(EXAMPLE_CASE));
  const a = caseLevels(c, [3, 7]);
  const b = caseLevels(c, [7, 1, 3]);
  assert.equal(a[0].value, b[2].value);
  assert.equal(a[1].value, b[0].value);
  assert.deepEqual(
    a.map((l) => [l.index, l.tH, l.unit]),
    [
      [3, 11.5, 'mg/L'],
      [7, 25.5, 'mg/L'],
    ],
  );
  assert.ok(a.every((l) => l.value > 0));
  // Another seed, another error.
  assert.notEqual(caseLevels({ ...c, seed: 1 }, [3])[0].value, a[0].value);
});

test('sampling mistakes are refused naming them: over the budget, a time not allowed, twice the same (DT_CASE_SAMPLING, EN and FR)', () => {
  const c = parseCase(JSON.stringify(EXAMPLE_CASE));
  const over = issuesOf(() => caseLevels(c, [0, 1, 2, 3]));
  assert.equal(over[0].code, 'DT_CASE_SAMPLING');
  assert.match(over[0].message, /4 levels asked, the case allows 3/);
  assert.match(over[0].fr!.message, /4 prélèvements demandés, le cas en permet 3/);
  assert.match(issuesOf(() => caseLevels(c, [11]))[0].message, /not one of the case's 11 allowed times/);
  assert.match(issuesOf(() => caseLevels(c, [2, 2]))[0].fr!.message, /deux fois/);
});

test('case file mistakes are named field by field in EN and FR', () => {
  assert.equal(issuesOf(() => parseCase('{ nope'))[0].code, 'DT_CASE_FILE');
  assert.match(issuesOf(() => parseCase('{}'))[0].fr!.message, /n’est pas un cas dosetwin/);
  const many = issuesOf(() =>
    parseCase(text({ seed: -1, sampling: { timesH: [1, 2], budget: 5 }, scoring: {}, title: '' })),
  );
  assert.deepEqual(
    many.map((i) => i.field),
    ['title', 'seed', 'sampling.budget', 'scoring.pointsPerSample'],
  );
  assert.ok(many.every((i) => i.code === 'DT_CASE_FIELD' && i.fr?.message));
  const etas = issuesOf(() => parseCase(text({ truth: { etas: { eta_CL: 0.1, eta_KA: 1 } } })));
  assert.deepEqual(
    etas.map((i) => i.field),
    ['truth.etas.eta_V1', 'truth.etas.eta_V2', 'truth.etas.eta_Q', 'truth.etas.eta_KA'],
  );
  assert.equal(
    issuesOf(() => parseCase(text({ modelId: 'vancomycin/nobody2000' })))[0].code,
    'DT_CASE_MODEL',
  );
  // A model with inter-occasion variability cannot hold one truth.
  const late = issuesOf(() => parseCase(text({ sampling: { timesH: [1, 60], budget: 1 } })));
  assert.match(late[0].message, /60 h come after the doses given \(last interval ends at 48 h\)/);
  // The covariates as the library reads them: a missing required weight is named by the library.
  const noWt = issuesOf(() => parseCase(text({ covariates: [{ name: 'CRCL', value: 60, unit: 'mL/min' }] })));
  assert.ok(
    noWt.some((i) => /WT/.test(i.field + i.message)),
    JSON.stringify(noWt),
  );
});

test('a series from the example: n cases with prior-drawn truths (seeded: the same series again), each a valid case', () => {
  const s = caseSeries(EXAMPLE_CASE, 3, 11);
  assert.deepEqual(
    s.map((c) => c.id),
    ['vanco-thomson-1-1', 'vanco-thomson-1-2', 'vanco-thomson-1-3'],
  );
  assert.deepEqual(caseSeries(EXAMPLE_CASE, 3, 11), s);
  assert.notEqual(s[0].truth.etas.eta_CL, s[1].truth.etas.eta_CL);
  for (const c of s) parseCase(JSON.stringify(c));
});
