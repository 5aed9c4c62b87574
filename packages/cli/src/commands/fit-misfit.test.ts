// `dosetwin fit` and `recommend` do not let a dataset in the wrong unit pass without a word: the
// tacrolimus profile of examples/tacrolimus-lss.csv (4 000 µg every 12 h, levels 14.8, 16.9 and
// 6.1 µg/L) with its doses written in mg (AMT 4), as a NONMEM dataset without units is read in the
// model's µg. The same file in µg raises none of these warnings.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dosetwin, REPO } from '../test-support.ts';
import type { FitLine } from './fit.ts';

const MODEL = 'tacrolimus/woillard2011-prograf';
const right = join(REPO, 'examples/tacrolimus-lss.csv');
const inMg = join(mkdtempSync(join(tmpdir(), 'dosetwin-misfit-')), 'tacrolimus-mg.csv');
writeFileSync(inMg, readFileSync(right, 'utf8').replace(',1,4000,', ',1,4,'));

test('fit: tacrolimus doses in mg read as µg — the dose said implausible (4 µg < 0.01 mg), each level a unit slip far from the fit, on stderr and in the JSON', () => {
  const r = dosetwin('fit', '--model', MODEL, '--data', inMg);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning DT_DOSE_IMPLAUSIBLE \[data\[line 2\]\.AMT\] Dose 4 µg \(0\.004 mg\): not plausible, outside 0\.01–100 mg — hint: was it 4 mg\?/,
  );
  const line = JSON.parse(r.stdout.trim()) as FitLine;
  const codes = (line.warnings ?? []).map((w) => `${w.code} ${w.field}`);
  // The three levels (data lines 3-5) are hundreds of times the model's predictions for 4 µg.
  for (const l of [3, 4, 5]) {
    assert.ok(codes.includes(`DT_LEVEL_UNIT_SLIP data[line ${l}].DV`), codes.join('; '));
    assert.ok(codes.includes(`DT_LEVEL_IMPLAUSIBLE data[line ${l}].DV`), codes.join('; '));
    assert.match(r.stderr, new RegExp(`ID ktx1: warning DT_LEVEL_UNIT_SLIP \\[data\\[line ${l}\\]\\.DV\\]`));
  }
  // Each level against its fitted value: more than 100-fold (the slip's mark).
  for (const x of line.ipred) assert.ok(x.dv! / x.ipred! > 100, `DV ${x.dv} IPRED ${x.ipred}`);
});

test('fit: the same profile in µg raises no plausibility or misfit warning', () => {
  const r = dosetwin('fit', '--model', MODEL, '--data', right);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /DT_(DOSE|SAMPLE)_|DT_LEVEL_|DT_ETA_EXTREME|DT_MAP_NONCONVERGENCE/);
  const line = JSON.parse(r.stdout.trim()) as FitLine;
  assert.equal(line.warnings, undefined);
});

test('recommend: the doses in mg read as µg are said with the recommendation', () => {
  const r = dosetwin(
    'recommend',
    '--model',
    MODEL,
    '--data',
    inMg,
    '--target',
    'trough=5..10 ug/L',
    '--format',
    'json',
  );
  const out = `${r.stdout}\n${r.stderr}`;
  assert.match(out, /DT_DOSE_IMPLAUSIBLE/);
  assert.match(out, /DT_LEVEL_UNIT_SLIP/);
});
