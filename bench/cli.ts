// The `dosetwin` command end to end, as a user runs it (a new process each time): its start
// (`dosetwin --version`) and `dosetwin fit` on 600 one-compartment patients, compiled (the bin:
// packages/*/dist, scripts/build.mjs) against the same sources transpiled at run time by tsx in
// the process and in every worker thread (bench/dosetwin-tsx.mjs, the way the bin ran before).
// Wall time, and the CPU time of the child (user + system, all threads), which the other sessions
// sharing the machine disturb less; the load average says how loaded it was.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessRun, runProcess } from './process-run.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'packages/cli/bin/dosetwin.mjs');
const TSX = join(ROOT, 'bench/dosetwin-tsx.mjs');
const MODEL = join(ROOT, 'packages/engine/test-models/map-benchmark/run001.dtm');
/** mapbayr's time per patient for a one-compartment closed form (issue 9, bench/results.md). */
const MAPBAYR_MS = 70;
const VERSION_RUNS = 20;
const FIT_RUNS = 3;

/** `node ENTRY ARGS` in a new process from the repository's root. */
const run = (entry: string, args: string[]): ProcessRun => runProcess(entry, args, ROOT);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The median wall and CPU time of `n` runs. */
function timed(n: number, entry: string, args: string[]): { wall: number; cpu: number; stdout: string } {
  const runs = Array.from({ length: n }, () => run(entry, args));
  return {
    wall: median(runs.map((r) => r.wall)),
    cpu: median(runs.map((r) => r.cpu)),
    stdout: runs[0].stdout,
  };
}

/**
 * 600 one-compartment patients: the 500 simulated patients of the MAP benchmark's run001 (oral
 * closed form, 3 etas, 4 to 6 levels each), then its first 100 again under new IDs.
 */
function patients600(dir: string): string {
  const lines = readFileSync(join(ROOT, '../shared/reference/map-benchmark/run001/data.csv'), 'utf8')
    .trim()
    .split('\n');
  const again = lines
    .slice(1)
    .filter((l) => Number(l.split(',')[0]) <= 100)
    .map((l) => {
      const [id, ...rest] = l.split(',');
      return [Number(id) + 500, ...rest].join(',');
    });
  const file = join(dir, 'run001-600.csv');
  writeFileSync(file, `${[...lines, ...again].join('\n')}\n`);
  return file;
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

export function benchCli(): string {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build.mjs: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-bench-cli-'));
  try {
    const data = patients600(dir);
    const f = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
    const rows: string[] = [];
    const before = load();
    // A first run of each warms the disk cache and tsx's own cache, as a user's second command.
    run(BIN, ['--version']);
    run(TSX, ['--version']);
    for (const [label, entry] of [
      ['compiled (bin)', BIN],
      ['tsx at run time', TSX],
    ] as const) {
      const v = timed(VERSION_RUNS, entry, ['--version']);
      rows.push(
        `| \`dosetwin --version\` | ${label} | ${VERSION_RUNS} | ${f(v.wall)} | ${f(v.cpu)} | — | — |`,
      );
    }
    // Node's own start: the floor of any command on this machine at this load.
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, '');
    const node = timed(VERSION_RUNS, empty, []);
    rows.push(
      `| \`node empty.mjs\` (Node alone) | — | ${VERSION_RUNS} | ${f(node.wall)} | ${f(node.cpu)} | — | — |`,
    );
    const outputs = new Map<string, string>();
    // The default (threads chosen by the work: one for this job), then each count forced.
    const cores = availableParallelism();
    for (const [threads, extra] of [
      [`threads chosen (default, up to ${cores})`, []],
      [`${cores} threads (--threads ${cores})`, ['--threads', String(cores)]],
      ['1 thread (--threads 1)', ['--threads', '1']],
    ] as const) {
      const args = ['fit', '--model', MODEL, '--data', data, ...extra];
      for (const [label, entry] of [
        ['compiled (bin)', BIN],
        ['tsx at run time', TSX],
      ] as const) {
        const r = timed(FIT_RUNS, entry, args);
        outputs.set(`${label} ${threads}`, r.stdout);
        const per = r.wall / 600;
        rows.push(
          `| \`dosetwin fit\`, 600 patients, ${threads} | ${label} | ${FIT_RUNS} | ${f(r.wall)} | ${f(r.cpu)} | ${per.toFixed(2)} | ${Math.round(MAPBAYR_MS / per)}× |`,
        );
      }
    }
    const first = [...outputs.values()][0];
    const same = [...outputs.values()].every((o) => o === first);
    if (!same) throw new Error('dosetwin fit: compiled and tsx runs printed different results');
    return [
      '## The dosetwin command end to end (packages/cli)',
      '',
      `A new process per command, as a user runs it, median of the runs. "compiled": the bin, running packages/*/dist (scripts/build.mjs, esbuild; included: the bin's check at each start that no source, manifest or source folder changed since the build, by the build stamp's sizes and times, scripts/build-state.mjs). "tsx at run time": the same sources transpiled by tsx in the process and in each worker thread (bench/dosetwin-tsx.mjs), the way the bin ran before. \`fit\`: run001's model (1-cpt oral, closed form) on its 500 simulated patients and the first 100 again (600; 4–6 levels each), one JSON line per patient (MAP etas, OBJ, ETC, exposure of the sampled intervals, misfit checks); by default the main thread fits alone for 300 ms of CPU, then adds a worker per second of work left at its pace since 200 ms, \`--threads N\` = the main thread and N − 1 workers from the start; every run printed the same ${first.trim().split('\n').length} lines. Per patient = wall time / 600, against mapbayr's ${MAPBAYR_MS} ms per patient (one thread). Goals (issue 17): \`--version\` < 150 ms, \`fit\` ≥ 100× mapbayr end to end. CPU = user + system time of the process and its threads. Load average (1 / 5 / 15 min): ${before} → ${load()}.`,
      '',
      '| command | code | runs | wall ms | CPU ms | ms/patient | × mapbayr |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
