// Shipped ML exposure estimators (issue 8): each artefact loads, its scorer reproduces the
// prediction recorded at training time exactly (the shipped scorer never drifts), and the
// evaluation report's figures meet the acceptance criteria.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Metrics, scoreEstimator, validateEstimator } from '@dosetwin/engine';
import { getModel } from '../src/index.ts';

const DIR = new URL('./', import.meta.url);
const shipped = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/estimator.json`, DIR)))
  .map((d) => d.name);
const load = (id: string, file: string): unknown =>
  JSON.parse(readFileSync(new URL(`${id}/${file}`, DIR), 'utf8'));

test('the tacrolimus Prograf 0/1/3 h and the vancomycin two-sample estimators are shipped', () => {
  assert.ok(shipped.includes('tacrolimus-woillard2011-prograf-0-1-3h'), shipped.join(', '));
  assert.ok(
    shipped.some((s) => s.startsWith('vancomycin-')),
    shipped.join(', '),
  );
});

for (const id of shipped) {
  test(`${id}: valid artefact; the recorded check input scores to the recorded AUC exactly`, () => {
    const est = validateEstimator(load(id, 'estimator.json'));
    assert.equal(est.id, id);
    assert.equal(scoreEstimator(est, est.check.input).auc, est.check.auc);
    // Trained on the library models as they are now (source hash recorded at training).
    for (const m of est.models)
      assert.equal(
        createHash('sha256').update(getModel(m.id).source).digest('hex'),
        m.sha256,
        `${m.id} changed since training`,
      );
  });

  test(`${id}: the report exists and states ML, linear baseline and MAP on the same held-out patients`, () => {
    const metrics = load(id, 'metrics.json') as Record<string, Record<string, Metrics>>;
    const internal = metrics.internal;
    assert.deepEqual(Object.keys(internal), ['ML (GBDT)', 'linear baseline', 'MAP Bayesian']);
    assert.equal(internal['ML (GBDT)'].n, internal['MAP Bayesian'].n + internal['MAP Bayesian'].failed);
    assert.ok(metrics.external, 'external validation reported');
    const md = readFileSync(new URL(`${id}/report.md`, DIR), 'utf8');
    assert.match(md, /External validation/);
  });
}

test('acceptance 1: tacrolimus AUC0-12 on ≥ 2000 held-out patients, relative bias within ±5 %, relative RMSE ≤ 10 %', () => {
  const m = (
    load('tacrolimus-woillard2011-prograf-0-1-3h', 'metrics.json') as Record<string, Record<string, Metrics>>
  ).internal['ML (GBDT)'];
  assert.ok(m.n >= 2000, `n = ${m.n}`);
  assert.ok(Math.abs(m.relBiasPct) <= 5, `bias ${m.relBiasPct}`);
  assert.ok(m.relRmsePct <= 10, `rRMSE ${m.relRmsePct}`);
});
