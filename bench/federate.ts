// SAEM split over threads and over hospitals: `dosetwin popfit --method saem --threads 1|2` on 1 000
// patients simulated from a two-compartment model (without the covariance step: the E-step's
// scaling; wall time and CPU time of all threads), and federated SAEM on theo_sd split over three
// node processes on loopback against the pooled fit (wall time, exchanges and bytes on the wire).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitSaem } from '@dosetwin/engine';
import { theophylline } from '../packages/engine/src/test-support/theophylline.ts';
import { patientsCsv, runProcess, TWO_CPT, twoCptPopulation } from './process-run.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'packages/cli/bin/dosetwin.mjs');

/** `dosetwin ARGS` as a user runs it: wall and CPU seconds, stdout. */
function timed(args: string[]): { wall: number; cpu: number; out: string } {
  const r = runProcess(BIN, args);
  return { wall: r.wall / 1000, cpu: r.cpu / 1000, out: r.stdout };
}

function startNode(data: string, token: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [BIN, 'federate', 'node', '--data', data, '--token', token, '--min-patients', '4'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`node exited with ${code}`)));
  });
}

export async function benchFederate(): Promise<string> {
  const out = [
    '## SAEM over threads and over hospitals',
    '',
    'SAEM (seed 1, 200 + 200 iterations) through `dosetwin popfit --method saem --no-covariance` (the compiled bin; wall time of the command and CPU time of all its threads), and federated SAEM: theo_sd in three files of 4 patients, three `dosetwin federate node` processes on loopback (minimum 4 patients) and `dosetwin federate run`.',
    '',
    '| data set, run | wall time | CPU | θ | same as |',
    '|---|---:|---:|---|---|',
  ];
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-bench-federate-'));
  writeFileSync(join(dir, 'two-cpt.dtm'), TWO_CPT);
  writeFileSync(join(dir, 'two-cpt.csv'), patientsCsv(twoCptPopulation()));
  const printed: string[] = [];
  const loads: number[] = [];
  for (const threads of [1, 2]) {
    console.error(`federate bench: SAEM, 1000 two-compartment patients, ${threads} thread(s)…`);
    const r = timed(
      [
        'popfit',
        '--model',
        join(dir, 'two-cpt.dtm'),
        '--data',
        join(dir, 'two-cpt.csv'),
        '--method',
        'saem',
      ].concat(['--threads', String(threads), '--no-covariance', '--format', 'json']),
    );
    loads.push(loadavg()[0]);
    const { seconds: _, ...same } = JSON.parse(r.out) as Record<string, unknown>;
    printed.push(JSON.stringify(same));
    const theta = Object.values(same.theta as Record<string, number>).map((v) => v.toPrecision(4));
    out.push(
      `| 2-cpt simulated (1000), popfit --threads ${threads} | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${theta.join(', ')} | ${threads === 2 ? (printed[0] === printed[1] ? '1 thread, to the last bit' : '**differs from 1 thread**') : ''} |`,
    );
  }
  // Federated theo_sd.
  const { model, patients } = theophylline();
  const lines = readFileSync(join(ROOT, 'packages/engine/src/population/fixtures/theo_sd.csv'), 'utf8')
    .trim()
    .split('\n');
  const nodes: { proc: ChildProcess; url: string }[] = [];
  try {
    for (let k = 0; k < 3; k++) {
      const rows = lines.slice(1).filter((l) => Math.floor((Number(l.split(',')[0]) - 1) / 4) === k);
      const f = join(dir, `hospital${k}.csv`);
      writeFileSync(f, [lines[0], ...rows].join('\n') + '\n');
      nodes.push(await startNode(f, `bench-token-${k}`));
    }
    for (const n of nodes) n.proc.stdout!.resume();
    writeFileSync(
      join(dir, 'nodes.json'),
      JSON.stringify(nodes.map((n, k) => ({ name: `h${k}`, url: n.url, token: `bench-token-${k}` }))),
    );
    console.error('federate bench: theo_sd over three node processes…');
    const r = timed(
      ['federate', 'run', '--model', join(ROOT, 'packages/engine/src/population/fixtures/theophylline.dtm')]
        .concat(['--nodes', join(dir, 'nodes.json'), '--method', 'saem', '--seed', '1'])
        .concat(['--log', join(dir, 'wire.jsonl')]),
    );
    const o = JSON.parse(r.out) as {
      theta: Record<string, number>;
      wire: { exchanges: number; bytesSent: number; bytesReceived: number };
    };
    const t0 = performance.now();
    const pooled = fitSaem(model, patients, { seed: 1, covariance: false });
    const pooledWall = (performance.now() - t0) / 1000;
    const same = JSON.stringify(o.theta) === JSON.stringify(pooled.theta);
    const th = (t: Record<string, number>): string =>
      Object.values(t)
        .map((v) => v.toPrecision(4))
        .join(', ');
    out.push(
      `| theo_sd (12), pooled SAEM in the engine | ${pooledWall.toFixed(1)} s | | ${th(pooled.theta)} | |`,
      `| theo_sd (12), federated over 3 nodes (coordinator) | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${th(o.theta)} | ${same ? 'pooled, to the last bit' : '**differs from pooled**'} |`,
      '',
      `Federated run: ${o.wire.exchanges} exchanges, ${(o.wire.bytesSent / 1024).toFixed(0)} KiB sent (the model once per node, then the parameters at each iteration), ${(o.wire.bytesReceived / 1024).toFixed(0)} KiB received (sums only). Load average after each 1000-patient fit: ${loads.map((l) => l.toFixed(1)).join(', ')} (2 cores, shared).`,
      '',
    );
  } finally {
    for (const n of nodes) n.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  return out.join('\n');
}
