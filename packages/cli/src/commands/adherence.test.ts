// `dosetwin adherence`: a pill box's openings against the prescription (Prograf 8 mg every 12 h),
// the missed and late doses listed, the estimate with prescribed vs real times, adherence patterns;
// a bad export refused naming its file and line (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../test-support.ts';
import { registerAdherence } from './adherence.ts';

const dir = mkdtempSync(join(tmpdir(), 'dosetwin-adherence-'));
const record = join(dir, 'record.json');
writeFileSync(
  record,
  JSON.stringify({
    covariates: [
      { at: '2026-12-01T07:00+01:00', name: 'HCT', value: 35, unit: '%' },
      { at: '2026-12-01T07:00+01:00', name: 'CYP3A5', value: 1, unit: '-' },
    ],
    // A trough the morning after the evening dose the box shows was never taken.
    samples: [
      {
        at: '2026-12-03T07:55+01:00',
        value: 3.2,
        unit: 'ng/mL',
        matrix: 'whole blood',
        assay: 'LC-MS/MS',
        lloq: null,
      },
    ],
  }),
);
const openings = [
  'opened_at',
  '2026-12-01T08:02+01:00',
  '2026-12-01T20:05+01:00',
  '2026-12-02T10:30+01:00',
  '2026-12-03T08:00+01:00',
].join('\n');

const run = (...args: string[]) => runCommand(registerAdherence, 'adherence', ...args);

const ARGS = [
  '--model',
  'tacrolimus/woillard2011-prograf',
  '--record',
  record,
  '--dose',
  '8 mg',
  '--every',
  '12 h',
  '--from',
  '2026-12-01T08:00+01:00',
  '--until',
  '2026-12-03T08:00+01:00',
  '--product',
  'Prograf',
];

test('dosetwin adherence: a late and a missed dose from the pill box; the real times lower CL/F; patterns as p5/p50/p95', async () => {
  const box = join(dir, 'box.csv');
  writeFileSync(box, openings);
  const r = await run(...ARGS, '--pillbox', box, '--scenarios');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^pill box: 5 doses due; 1 missed, 1 late, 0 early, 0 extra$/m);
  assert.match(r.out, /^ {2}late {4}due 2026-12-02T08:00\+01:00, taken 2026-12-02T10:30\+01:00$/m);
  assert.match(r.out, /^ {2}missed {2}due 2026-12-02T20:00\+01:00$/m);
  // With the evening dose counted as taken, the low trough reads a faster clearance.
  const cl = /^ {2}CL +(\S+) -> (\S+) \((-\d+\.\d) %\)$/m.exec(r.out);
  assert.ok(cl, r.out);
  assert.ok(Number(cl[2]) < Number(cl[1]) && Number(cl[3]) < -5, r.out);
  assert.match(r.out, /^adherence changes \S+ by -?\d+\.\d % \(real vs prescribed times\)$/m);
  const rows = r.out.split('\n').filter((l) => /^ {2}(every dose|1 dose in 10|weekend)/.test(l));
  assert.equal(rows.length, 3);
  assert.match(rows[1], /time below the efficacy threshold \d+\.\d %/);
});

test('dosetwin adherence: an opening without its time zone is refused naming the file and line (exit 2)', async () => {
  const box = join(dir, 'bad.csv');
  writeFileSync(box, 'opened_at\n2026-12-01T08:02+01:00\n2026-12-01 20:05\n');
  const r = await run(...ARGS, '--pillbox', box);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /bad\.csv:3.*DT_PILLBOX_CSV.*'2026-12-01 20:05' is not an ISO 8601 date-time with a time zone/,
  );
  const dose = await run(...ARGS.map((a) => (a === '8 mg' ? 'eight mg' : a)), '--pillbox', box);
  assert.equal(dose.code, 2);
  assert.match(dose.err, /--dose.*'eight mg' is not a number with its unit/);
});
