// `dosetwin models` and `dosetwin models show ID` (issue 5), registered on a fresh program as
// main.ts will register them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerModels } from './models.ts';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command().exitOverride();
  registerModels(program);
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'dosetwin', ...args]);
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = 0;
  return { code, out, err };
}

test('dosetwin models: a header and one line per model with id, status, drug, citation', async () => {
  const r = await run('models');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /^id\s+status\s+drug\s+citation\s+population$/);
  const goti = lines.find((l) => l.startsWith('vancomycin/goti2018'));
  assert.ok(goti);
  assert.match(goti, /verified\s+vancomycin\s+Goti 2018/);
});

test('dosetwin models --drug tacrolimus --json: only tacrolimus, as JSON lines with the DOI', async () => {
  const r = await run('models', '--drug', 'tacrolimus', '--json');
  assert.equal(r.code, 0, r.err);
  const rows = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(rows.length >= 2);
  assert.ok(rows.every((x) => x.drug === 'tacrolimus' && x.doi.startsWith('10.')));
});

test('dosetwin models show vancomycin/colin2019: the card with citation, covariates, Ω, error, targets, products, verification', async () => {
  const r = await run('models', 'show', 'vancomycin/colin2019');
  assert.equal(r.code, 0, r.err);
  for (const s of [
    'DOI         10.1007/s40262-018-0727-5',
    'PARTIALLY VERIFIED',
    'PMA      wk',
    'derived: pma_from_age(AGE y, GA wk) weeks_per_year 52',
    'eta_CL',
    'variances summed',
    'auc24',
    'vial       500, 1000  mg',
    '✓ CL = 4.1 L/h ± 0.005',
    'UNCONFIRMED: V1',
  ])
    assert.ok(r.out.includes(s), `card lacks '${s}'`);
});

test('dosetwin models show nope/x: exit code 2 and an error naming the id', async () => {
  const r = await run('models', 'show', 'vancomycin/nope2000');
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /DT_MODEL_UNKNOWN .*no library model 'vancomycin\/nope2000' — hint: vancomycin models: /,
  );
});
