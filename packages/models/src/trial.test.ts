// Trial files resolved by the library: the drug's population preset, targets and products, and a
// TDM-strategy trial of vancomycin — the same a priori regimen, fixed or MAP-adjusted after day-2
// levels (a peak 1 h after the end of the 36 h infusion and a trough before the 48 h dose) —
// reporting PTA by day, in which the adjusted arm beats the fixed one once its regimen is in place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError, emptyCounts, mergeCounts, TrialRunner, trialReport } from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from './trial.ts';

const VANCO: TrialFile = {
  model: 'vancomycin/goti2018',
  arms: [
    { name: 'fixed 1000 mg q12h', regimen: '1000 mg q12h over 1 h' },
    {
      name: 'MAP-adjusted after day 2',
      regimen: '1000 mg q12h over 1 h',
      tdm: { rounds: [{ samples: [38, 47.9], adjustAt: 48 }] },
    },
  ],
  days: 5,
  toxicity: ['auc24>=800 mg*h/L'],
  n: 60,
  chunkSize: 30,
  seed: 2026,
};

test('vancomycin TDM trial (n = 60, seed 2026): the MAP-adjusted arm beats the fixed arm by > 0.1 on days 4-5 and has fewer AUC24 ≥ 800; day 1-2 identical (same patients, same doses)', () => {
  const r = resolveTrial(VANCO);
  assert.deepEqual(r.meta.targets, ['auc24=400..600 mg*h/L']);
  const runner = new TrialRunner(r.setup);
  const counts = [0, 1].map((c) => runner.runChunk(c)).reduce(mergeCounts, emptyCounts(runner.shape));
  const rep = trialReport(counts, runner.shape, r.labels, 2);
  const [fixed, tdm] = rep.arms;
  for (const d of [0, 1]) assert.equal(tdm.days[d].all.k, fixed.days[d].all.k, `day ${d + 1}`);
  // Day 3 holds the switch (the adjusted regimen starts at 48 h); from day 4 on it is near its steady state.
  assert.ok(
    tdm.days[2].all.p >= fixed.days[2].all.p,
    `day 3: ${tdm.days[2].all.p} vs ${fixed.days[2].all.p}`,
  );
  for (const d of [3, 4])
    assert.ok(
      tdm.days[d].all.p > fixed.days[d].all.p + 0.1,
      `day ${d + 1}: adjusted ${tdm.days[d].all.p} vs fixed ${fixed.days[d].all.p}`,
    );
  // Fewer patients above the toxicity threshold once adjusted.
  assert.ok(tdm.days[4].toxicity[0].p < fixed.days[4].toxicity[0].p);
  assert.equal(tdm.unadjusted, 0);
});

test('trial file errors name their field', () => {
  const field = (f: unknown): string => {
    try {
      resolveTrial(f as TrialFile);
    } catch (e) {
      assert.ok(e instanceof DosetwinError);
      return `${e.issues[0].code} ${e.issues[0].field}`;
    }
    return 'no error';
  };
  assert.match(field({ ...VANCO, arms: [{ regimen: '1000 mg' }] }), /^DT_REGIMEN arms\[0\]\.regimen/);
  assert.match(field({ ...VANCO, targets: ['auc24>=400 mg/L'] }), /^DT_TARGET targets\[0\]/);
  assert.match(field({ ...VANCO, model: 'vancomycin/nobody2000' }), /^DT_\w+ model/);
  assert.match(field({ ...VANCO, days: 0 }), /^DT_TRIAL_SPEC days/);
  assert.match(field({ ...VANCO, population: { preset: 'tacrolimus-adult' } }), /population/);
});
