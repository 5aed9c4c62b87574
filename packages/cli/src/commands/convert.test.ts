// `dosetwin convert`: a NONMEM control stream becomes a model file that parses, compiles and
// predicts what the control stream does; its dataset becomes the CSV the model file reads.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel, parseDataset, Simulator } from '@dosetwin/engine';
import { Command } from 'commander';
import { convertControlStream, registerConvert } from './convert.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const NONMEM = join(REPO, 'packages/engine/test-models/nonmem');

function predictions(modelText: string, file: string, data: string, dataFile: string): number[] {
  const m = loadModel(modelText, file);
  const sim = new Simulator(m);
  const out: number[] = [];
  for (const p of parseDataset(data, m.ir, dataFile).patients) {
    const a = new Float64Array(p.n);
    sim.run(p, null, a);
    for (let i = 0; i < p.n; i++) if (p.evid[i] === 0) out.push(a[i]);
  }
  return out;
}

test('convert advan4.mod (+ oral.dat): the model file and CSV predict exactly what the control stream does', () => {
  const mod = readFileSync(join(NONMEM, 'advan4.mod'), 'utf8');
  const dat = readFileSync(join(NONMEM, 'oral.dat'), 'utf8');
  const r = convertControlStream(mod, 'advan4.mod', { units: 'dose mg | time h | conc mg/L', dataText: dat });
  assert.match(r.model, /^# Converted by 'dosetwin convert' from the NONMEM control stream advan4\.mod\./);
  assert.match(r.model, /^units {4}dose mg \| time h \| conc mg\/L$/m);
  assert.match(r.model, /^# \$INPUT ID TIME AMT EVID MDV DV WT FORM=DROP CYP OCC$/m);
  assert.deepEqual(
    predictions(r.model, 'advan4.dtm', r.csv!, 'oral.csv'),
    predictions(mod, 'advan4.mod', dat, 'oral.dat'),
  );
});

test('dosetwin convert run.mod -o out.dtm --data … --data-out …; refuses to overwrite without --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-convert-'));
  const out = join(dir, 'advan2.dtm');
  const csv = join(dir, 'oral.csv');
  const run = async (...args: string[]): Promise<number> => {
    const program = new Command().exitOverride();
    registerConvert(program);
    const saved = process.exitCode;
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync(['node', 'dosetwin', 'convert', ...args]);
      return Number(process.exitCode ?? 0);
    } finally {
      process.stderr.write = write;
      process.exitCode = saved;
    }
  };
  const args = [join(NONMEM, 'advan2.mod'), '-o', out, '--data', join(NONMEM, 'oral.dat'), '--data-out', csv];
  assert.equal(await run(...args), 0);
  const model = readFileSync(out, 'utf8');
  assert.match(model, /pk one_cmt\(cl = K \* V, v = V, ka = KA\)/);
  assert.equal(readFileSync(csv, 'utf8').split('\n')[0], 'ID,TIME,AMT,EVID,MDV,DV,WT,FORM,CMT');
  assert.equal(await run(...args), 2, 'existing output: exit code 2');
  assert.equal(await run(...args, '--force'), 0);
  const bad = join(dir, 'bad.mod');
  writeFileSync(bad, '$PROBLEM x\n$INPUT ID TIME DV\n$SUBROUTINES ADVAN2\n$PK\nCL = THETA(1)\n');
  assert.equal(await run(bad, '-o', join(dir, 'bad.dtm')), 2, 'a control stream with errors: exit code 2');
});
