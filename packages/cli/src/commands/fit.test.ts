// `dosetwin fit` (issue 9): one JSON line per patient in dataset order, etas in model order, NONMEM's
// OBJ and ETC, parallel workers, posterior summary with --samples. The command is registered on a
// fresh commander program here (main.ts wires it for users); stdout/stderr are captured.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { FitLine } from './fit.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BENCH = resolve(REPO, '../shared/reference/map-benchmark');
const MODEL = join(REPO, 'packages/engine/test-models/map-benchmark/run001.dtm');

/** The first `n` patients of run001 as a data file; NONMEM's etas/OBJ by ID. */
function fixture(n: number): {
  data: string;
  nonmem: Map<string, { eta: number[]; obj: number; etc11: number }>;
} {
  const lines = readFileSync(join(BENCH, 'run001/data.csv'), 'utf8').trim().split('\n');
  const keep = lines.filter((l, i) => i === 0 || Number(l.split(',')[0]) <= n);
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-fit-'));
  const data = join(dir, 'data.csv');
  writeFileSync(data, keep.join('\n') + '\n');
  const eta = readFileSync(join(BENCH, 'run001/nonmem_eta.csv'), 'utf8').trim().split(/\r?\n/);
  const head = eta[0].split(',').map((h) => h.trim());
  const nonmem = new Map(
    eta.slice(1).map((l) => {
      const c = l.split(',').map(Number);
      const get = (h: string): number => c[head.indexOf(h)];
      return [
        String(c[0]),
        { eta: [get('ETA1'), get('ETA2'), get('ETA3')], obj: get('OBJ'), etc11: get('ETC1_1') },
      ];
    }),
  );
  return { data, nonmem };
}

/** Run `fit` with a fresh commander program in a child process (as a user would run it). */
async function fit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = [
    `import { Command } from 'commander';`,
    `import { registerFit } from ${JSON.stringify(join(dirname(fileURLToPath(import.meta.url)), 'fit.ts'))};`,
    `const program = new Command().exitOverride();`,
    `registerFit(program);`,
    `await program.parseAsync(${JSON.stringify(['fit', ...args])}, { from: 'user' });`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: join(REPO, 'packages/cli'),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('fit: 20 patients on 2 worker threads, in dataset order, etas = NONMEM (ln 1.001), OBJ and ETC (1e-5)', async () => {
  const { data, nonmem } = fixture(20);
  const r = await fit('--model', MODEL, '--data', data, '--threads', '2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FitLine);
  assert.deepEqual(
    lines.map((l) => l.id),
    Array.from({ length: 20 }, (_, i) => String(i + 1)),
  );
  for (const l of lines) {
    const nm = nonmem.get(l.id)!;
    assert.deepEqual(l.etaNames, ['eta_CL', 'eta_VC', 'eta_KA']);
    assert.ok(l.converged, l.message);
    l.eta.forEach((e, k) => assert.ok(Math.abs(e - nm.eta[k]) <= Math.log(1.001), `ID ${l.id} eta ${k}`));
    assert.ok(Math.abs(l.obj! - nm.obj) <= 1e-5 * Math.abs(nm.obj), `ID ${l.id} OBJ ${l.obj} vs ${nm.obj}`);
    assert.ok(Math.abs(l.cov[0][0]! - nm.etc11) <= 1e-3 * nm.etc11, `ID ${l.id} ETC1_1`);
    assert.equal(l.cov.length, 3);
    assert.ok(l.ipred.length > 0 && l.ipred.every((p) => p.ipred !== null));
  }
});

test('fit --samples: posterior summary (seeded, quantiles ordered) and prediction bands', async () => {
  const { data } = fixture(2);
  const a = await fit('--model', MODEL, '--data', data, '--samples', '300', '--seed', '5', '--threads', '1');
  const b = await fit('--model', MODEL, '--data', data, '--samples', '300', '--seed', '5', '--threads', '1');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout, 'same seed, same output');
  const l = JSON.parse(a.stdout.split('\n')[0]) as FitLine;
  const post = l.posterior!;
  assert.equal(post.samples, 300);
  assert.deepEqual(post.names, ['eta_CL', 'eta_VC', 'eta_KA']);
  post.q50.forEach((m, i) => assert.ok(post.q025[i] < m && m < post.q975[i]));
  assert.equal(post.ipred.length, l.ipred.length);
  post.ipred.forEach((q) => assert.ok(q.q05 <= q.q50 && q.q50 <= q.q95));
});

test('fit: a bad argument is reported with its code and exit code 2', async () => {
  const { data } = fixture(1);
  const r = await fit('--model', MODEL, '--data', data, '--prior-weight', '0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DT_ARG/);
  assert.match(r.stderr, /--prior-weight/);
});
