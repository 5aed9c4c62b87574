// `dosetwin bias-audit` on a small simulated hospital (Thomson 2009 vancomycin, 12 patients, the
// half on ward B with 3 × the model's clearance): the JSON is the library's audit of the same
// file, the text table flags ward B alone among the subgroups, and bad arguments exit 2 naming the option.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { modelParameters, parseDataset, patientFromRecords, simulatePopulation } from '@dosetwin/engine';
import { biasAudit, getModel, patientAttributes } from '@dosetwin/models';
import { runCommand } from '../test-support.ts';
import { registerBiasAudit } from './bias-audit.ts';

const MODEL = getModel('vancomycin/thomson2009').compiled();
const dir = mkdtempSync(join(tmpdir(), 'dosetwin-bias-audit-'));
const file = join(dir, 'hospital.csv');

function hospital(): string {
  const base = modelParameters(MODEL.ir);
  const theta = Float64Array.from(base.theta);
  theta[MODEL.ir.parameters.findIndex((p) => p.name === 'TVCL')] *= 3;
  const lines = ['ID,TIME,EVID,AMT,RATE,II,ADDL,MDV,DV,WT,CRCL,SEX,WARD'];
  for (let i = 0; i < 12; i++) {
    const [wt, crcl, sex, ward] = [60 + 3 * i, 50 + 5 * i, i % 2, i < 6 ? 'A' : 'B'];
    const rows = [
      { time: 0, evid: 1, amt: 750, rate: 750, ii: 12, addl: 7, cov: [wt, crcl] },
      ...[35.5, 59.5, 83.5].map((t) => ({ time: t, evid: 0, mdv: 0, dv: 0, cov: [wt, crcl] })),
    ];
    const design = patientFromRecords(String(i + 1), rows, 2);
    const p = simulatePopulation(MODEL, [design], 100 + i, ward === 'B' ? { ...base, theta } : base)
      .patients[0];
    for (let r = 0; r < p.n; r++) {
      const dose = p.evid[r] === 1;
      lines.push(
        [i + 1, p.time[r], p.evid[r], dose ? 750 : '.', dose ? 750 : '.', dose ? 12 : '.', dose ? 7 : '.']
          .concat([dose ? 1 : 0, dose ? '.' : Math.max(0.5, p.dv[r]).toFixed(2), wt, crcl, sex, ward])
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}
const text = hospital();
writeFileSync(file, text);

const run = (...args: string[]) => runCommand(registerBiasAudit, 'bias-audit', ...args);

test('dosetwin bias-audit --format json prints the library audit of the file (12 patients, 36 forecasts); the text table flags ward B (3 × CL) alone among the subgroups', async () => {
  const json = await run(
    '--model',
    'vancomycin/thomson2009',
    '--data',
    file,
    '--by',
    'sex,ward',
    '--format',
    'json',
  );
  assert.equal(json.code, 0, json.err);
  const got = JSON.parse(json.out) as Record<string, unknown>;
  const attrs = patientAttributes(text);
  const want = biasAudit(
    MODEL,
    parseDataset(text, MODEL.ir, file).patients.map((data) => ({ data, attributes: attrs.get(data.id)! })),
    { by: ['sex', 'ward'] },
  );
  const { forecasts, ...rest } = want;
  assert.equal(forecasts.length, 36);
  assert.deepEqual(got, JSON.parse(JSON.stringify(rest)));
  const txt = await run('--model', 'vancomycin/thomson2009', '--data', file, '--by', 'sex,ward');
  assert.equal(txt.code, 0, txt.err);
  const flagged = txt.out.split('\n').filter((l) => l.endsWith('FLAGGED'));
  assert.deepEqual(
    flagged.map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
    // Half the hospital is mis-modelled: the overall row is biased too.
    ['all all', 'ward B'],
    txt.out,
  );
});

test('dosetwin bias-audit errors name the option: an unknown subgroup, a bad threshold, a bad format (exit 2)', async () => {
  const by = await run('--model', 'vancomycin/thomson2009', '--data', file, '--by', 'sex,dialysis');
  assert.equal(by.code, 2);
  assert.match(by.err, /DT_ARG \[--by\] no column DIALYSIS/);
  const th = await run('--model', 'vancomycin/thomson2009', '--data', file, '--threshold', 'ten');
  assert.equal(th.code, 2);
  assert.match(th.err, /\[--threshold\] 'ten' is not a number/);
  const fmt = await run('--model', 'vancomycin/thomson2009', '--data', file, '--format', 'csv');
  assert.equal(fmt.code, 2);
  assert.match(fmt.err, /\[--format\] 'csv' is not text or json/);
});
