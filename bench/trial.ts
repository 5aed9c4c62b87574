// Virtual trial throughput: 10⁶ virtual patients × 1 week of vancomycin 1000 mg q12h (Goti 2018,
// a closed-form two-compartment model), PTA of AUC24 400–600 mg·h/L on day 7, on 2 worker threads;
// and, when DATABASE_URL is set, the same trial through the PostgreSQL queue with 2 worker processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import { runOnThreads, trialOutput } from '../packages/cli/src/commands/trial.ts';

const availableCores = (): number => availableParallelism();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/dosetwin.mjs');

const FILE: TrialFile = {
  name: 'bench: 10^6 patients',
  model: 'vancomycin/goti2018',
  arms: [{ name: '1000 mg q12h over 1 h', regimen: '1000 mg q12h over 1 h' }],
  days: 7,
  targets: ['auc24=400..600 mg*h/L'],
  n: 1_000_000,
  chunkSize: 20_000,
  seed: 2026,
};

export async function benchTrial(): Promise<string> {
  const r = resolveTrial(FILE);
  const load0 = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = await runOnThreads(FILE, 2);
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(cpu0);
  const cpu = (cu.user + cu.system) / 1e6;
  const out = trialOutput(r, counts);
  const day7 = out.report.arms[0].days[6].all;
  const rows = [
    `| worker threads | 2 | ${wall.toFixed(1)} s | ${cpu.toFixed(1)} s | ${(FILE.n / wall / 1000).toFixed(0)} k | ${day7.p.toFixed(4)} ± ${day7.se.toFixed(4)} |`,
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    // Through the queue: a fresh trial id (the seed in the name) so nothing is resumed from an earlier run.
    const file = { ...FILE, name: `bench queue ${Date.now()}` };
    const spec = join(ROOT, 'node_modules/.cache/bench-trial.json');
    spawnSync('mkdir', ['-p', join(ROOT, 'node_modules/.cache')]);
    (await import('node:fs')).writeFileSync(spec, JSON.stringify(file));
    spawnSync(process.execPath, [BIN, '--version']);
    const logs = ['', ''];
    const workers: ChildProcess[] = [0, 1].map((k) => {
      const w = spawn(process.execPath, [BIN, 'trial', 'worker', '--queue', url], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      w.stderr!.on('data', (d) => (logs[k] += d));
      return w;
    });
    const q0 = performance.now();
    const run = spawnSync(process.execPath, [BIN, 'trial', 'run', spec, '--queue', url, '--format', 'json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const qWall = (performance.now() - q0) / 1000;
    await Promise.all(
      workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.kill('SIGTERM')))),
    );
    // Each worker says its CPU time (threads included) as it stops; the coordinator only waits.
    const qCpu = logs
      .map((l) => Number(/stopped after \d+ chunks, ([\d.]+) s CPU/.exec(l)?.[1] ?? NaN))
      .reduce((a, b) => a + b, 0);
    if (run.status !== 0) throw new Error(`trial through the queue failed: ${run.stderr}`);
    const q = JSON.parse(run.stdout).report.arms[0].days[6].all;
    rows.push(
      `| PostgreSQL queue (pg-boss) | 2 processes | ${qWall.toFixed(1)} s (workers started with it) | ${Number.isFinite(qCpu) ? `${qCpu.toFixed(1)} s (workers)` : '–'} | ${(FILE.n / qWall / 1000).toFixed(0)} k | ${q.p.toFixed(4)} ± ${q.se.toFixed(4)} |`,
    );
  }
  const load = `Load average (1 min) ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableCores()} cores.`;
  return [
    '## Virtual trial (`dosetwin trial`, packages/engine/src/trial)',
    '',
    `${FILE.n.toLocaleString('en')} virtual adult inpatients (the vancomycin drug file's population), vancomycin/goti2018 (closed-form two-compartment), 1000 mg q12h over 1 h for 7 days, PTA of auc24=400..600 mg*h/L on day 7, ${r.setup.n / r.setup.chunkSize} chunks of ${r.setup.chunkSize}. Goal: < 10 s on 2 cores. CPU time is the process's (threads included): on a machine shared with other work, wall time is longer than CPU time / 2. ${load}${url ? " The queue's workers are two `dosetwin trial worker` processes on this machine, one thread each; its CPU is theirs, said by each as it stops." : ''}`,
    '',
    '| run | workers | wall | CPU | patients/s | PTA day 7 ± MC SE |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    ...(url ? [] : ['', 'The queue run needs DATABASE_URL (not set for this run).']),
    '',
  ].join('\n');
}
