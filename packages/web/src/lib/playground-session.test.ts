// The playground's worker session in Node: its answers are the library's (the case's levels and
// score from the hidden truth, the twin's parameters), a bad case file comes back as its issues,
// and the expected information grows where a level teaches more about CL (late in the interval).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseLevels, caseScore, EXAMPLE_CASE } from '@dosetwin/models';
import { createPlaygroundSession } from './playground-session.ts';
import {
  addResults,
  loadResults,
  readResultFile,
  RESULT_FORMAT,
  type PlayResult,
} from './playground-results.ts';

test('session: levels and score are the library’s for the same case and seed; a priori twin is the typical patient (CL 2.714 L/h)', () => {
  const s = createPlaygroundSession();
  const lv = s.handle({ type: 'levels', id: 1, c: EXAMPLE_CASE, picked: [2, 9] });
  assert.equal(lv.type, 'levels');
  assert.deepEqual(lv.type === 'levels' && lv.levels, caseLevels(EXAMPLE_CASE, [2, 9]));
  const sc = s.handle({ type: 'score', id: 2, c: EXAMPLE_CASE, doseMg: 1250, samplesUsed: 2 });
  assert.deepEqual(sc.type === 'score' && sc.score, caseScore(EXAMPLE_CASE, { value: 1250, unit: 'mg' }, 2));
  const tw = s.handle({
    type: 'twin',
    id: 3,
    c: EXAMPLE_CASE,
    levels: [],
    doseMg: 1000,
    infoTimesH: [1.5, 11.5],
  });
  assert.equal(tw.type, 'twin');
  if (tw.type !== 'twin') return;
  assert.equal(tw.view.kind, 'a priori');
  assert.ok(Math.abs(tw.view.parameters.CL - 2.99 * (1 + 0.0154 * (60 - 66))) < 1e-9);
  // CL is learnt from a trough, not from a level during the infusion's first hours.
  assert.ok(tw.view.information.reduction[1][0] > tw.view.information.reduction[0][0]);
});

test('session: a case file with a mistake answers its issues (field named, French text), not a crash', () => {
  const s = createPlaygroundSession();
  const r = s.handle({ type: 'parse', id: 1, text: JSON.stringify({ ...EXAMPLE_CASE, seed: 'x' }) });
  assert.equal(r.type, 'error');
  assert.deepEqual(r.type === 'error' && r.issues.map((i) => [i.code, i.field]), [['DT_CASE_FIELD', 'seed']]);
  assert.match(r.type === 'error' ? r.issues[0].fr!.message : '', /seed doit être un entier/);
});

/** A Storage in memory (Node has no localStorage). */
function memory(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

test('results: kept once each, read back from a downloaded file, a file without results refused', () => {
  const r: PlayResult = {
    format: RESULT_FORMAT,
    who: 'S-0A1B',
    caseId: 'c1',
    timesH: [11.5],
    doseMg: 1000,
    target: 'auc24=400..600 mg*h/L',
    metric: 519.35,
    score: 95,
    at: '2026-12-06T11:00:00.000Z',
  };
  const st = memory();
  addResults(st, [r]);
  addResults(st, [r, { ...r, who: 'S-FFFF' }]);
  assert.deepEqual(
    loadResults(st).map((x) => x.who),
    ['S-0A1B', 'S-FFFF'],
  );
  assert.deepEqual(readResultFile(JSON.stringify(r)), [r]);
  assert.equal(readResultFile('{"format":"other"}'), null);
  assert.equal(readResultFile('not json'), null);
});
