// The compiled CLI (scripts/build.mjs, bin/dosetwin.mjs): the bin runs no TypeScript at run time,
// in its worker threads either, and gives NONMEM's answers; the build never leaves dist/ older than
// the sources, compiles the others when one source does not compile, and refuses import.meta in a
// bundle. The build's own behaviour is checked on a small repository of four packages in a
// temporary directory (the script compiles the repository it lies in).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { REPO } from './test-support.ts';

const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("the bin runs compiled code only: dosetwin fit, 20 run001 patients on 2 worker threads, with every TypeScript load refused (process and threads), and the library's full entry too (a model file needs only @dosetwin/models/data): etas = NONMEM (ln 1.001), OBJ (1e-5)", () => {
  const dir = tmp('dosetwin-build-fit-');
  const bench = join(REPO, '../shared/reference/map-benchmark/run001');
  const lines = readFileSync(join(bench, 'data.csv'), 'utf8').trim().split('\n');
  const data = join(dir, 'data.csv');
  writeFileSync(data, `${lines.filter((l, i) => i === 0 || Number(l.split(',')[0]) <= 20).join('\n')}\n`);
  // A module resolution hook, in the process and (inherited flags) in each worker thread started
  // from a file, as the compiled CLI starts them, that fails on any .ts module: what tsx would
  // load if anything were transpiled at run time. It also fails on the models' full entry, which
  // fitting a model file has no use for (parsing it would cost every such start a few tens of ms).
  const hook = join(dir, 'no-typescript.mjs');
  const resolveHook = `export async function resolve(s, c, next) { const r = await next(s, c); const p = new URL(r.url).pathname; if (/\\.[cm]?ts$/.test(p)) throw new Error('TypeScript at run time: ' + r.url); if (p.endsWith('/packages/models/dist/index.js')) throw new Error('the whole library loaded: ' + r.url); return r; }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolveHook)}`)});\n`,
  );
  const model = join(REPO, 'packages/engine/test-models/map-benchmark/run001.dtm');
  const bin = join(REPO, 'packages/cli/bin/dosetwin.mjs');
  const r = spawnSync(
    process.execPath,
    ['--import', hook, bin, 'fit', '--model', model, '--data', data, '--threads', '2'],
    { encoding: 'utf8', cwd: REPO },
  );
  assert.equal(r.status, 0, r.stderr);
  const nonmem = readFileSync(join(bench, 'nonmem_eta.csv'), 'utf8').trim().split(/\r?\n/);
  const head = nonmem[0].split(',');
  const ref = new Map(nonmem.slice(1).map((l) => [l.split(',')[0], l.split(',').map(Number)]));
  const fits = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; eta: number[]; obj: number });
  assert.deepEqual(
    fits.map((f) => f.id),
    Array.from({ length: 20 }, (_, i) => String(i + 1)),
  );
  for (const f of fits) {
    const nm = ref.get(f.id)!;
    f.eta.forEach((e, k) =>
      assert.ok(Math.abs(e - nm[head.indexOf(`ETA${k + 1}`)]) <= Math.log(1.001), `ID ${f.id} eta ${k}`),
    );
    const obj = nm[head.indexOf('OBJ')];
    assert.ok(Math.abs(f.obj - obj) <= 1e-5 * Math.abs(obj), `ID ${f.id} OBJ ${f.obj} vs ${obj}`);
  }
});

/** A repository of four packages (engine and models bundled, server and cli one file per source). */
function smallRepo(): { root: string; write(path: string, text: string): void } {
  const root = tmp('dosetwin-build-repo-');
  const write = (path: string, text: string): void => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    // Later than any earlier write of the same file within the clock's resolution.
    const later = new Date(Date.now() + 2000 * (writes += 1));
    utimesSync(file, later, later);
  };
  let writes = 0;
  cpSync(join(REPO, 'scripts/build.mjs'), join(root, 'scripts/build.mjs'));
  cpSync(join(REPO, 'scripts/build-state.mjs'), join(root, 'scripts/build-state.mjs'));
  // esbuild, and commander (compiled into the cli's main.js), only: the repository's own
  // node_modules/.cache (the build's lock) stays its own.
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(join(REPO, 'node_modules/esbuild'), join(root, 'node_modules/esbuild'));
  symlinkSync(join(REPO, 'node_modules/commander'), join(root, 'node_modules/commander'));
  const manifest = (name: string, exports?: string): string =>
    JSON.stringify({
      name: `@dosetwin/${name}`,
      type: 'module',
      ...(exports ? { exports: { '.': exports } } : {}),
    });
  write('packages/engine/package.json', manifest('engine', './src/index.ts'));
  write('packages/engine/src/index.ts', "export { times } from './math/times.ts';\n");
  write('packages/engine/src/math/times.ts', 'export const times = (x: number): number => 2 * x;\n');
  write('packages/models/package.json', manifest('models', './src/index.ts'));
  write(
    'packages/models/src/index.ts',
    "import { times } from '@dosetwin/engine';\nimport { drug } from '../warfarin/drug.ts';\nexport const dose = (): string => `${drug} ${times(5)} mg`;\n",
  );
  write('packages/models/warfarin/drug.ts', "export const drug = 'warfarin';\n");
  write('packages/server/package.json', manifest('server', './src/index.ts'));
  write('packages/server/src/index.ts', "export const service = 'up';\n");
  write('packages/cli/package.json', manifest('cli'));
  write('packages/cli/data/note.txt', 'beside src/');
  write(
    'packages/cli/src/main.ts',
    "import { readFileSync } from 'node:fs';\nimport { dose } from '@dosetwin/models';\nimport { service } from '@dosetwin/server';\nconsole.log(dose(), service, readFileSync(new URL('../data/note.txt', import.meta.url), 'utf8'));\n",
  );
  return { root, write };
}

const run = (root: string, ...args: string[]): { code: number; out: string } => {
  // A build waits at most a minute behind a lock it wrongly takes for a live build's: stopped
  // before that, it fails.
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 45_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};

test("the build: dist/ is found missing (a killed build's lock taken over), then stale after an edit, then compiled again with the edit; a source that does not compile is named and the others are compiled; import.meta is refused in a bundle", () => {
  const { root, write } = smallRepo();
  const build = (...args: string[]) => run(root, 'scripts/build.mjs', ...args);
  const main = () => run(root, 'packages/cli/dist/main.js');

  assert.equal(build('--check').code, 1, 'no build yet: missing');
  // The lock of a build whose process was killed does not hold the next one back.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  write('node_modules/.cache/dosetwin-build.lock', String(gone));
  assert.equal(build().code, 0);
  assert.equal(build('--check').code, 0, 'fresh after the build');
  // The engine's modules are bundled into one file, the cli's compiled where src/ has them.
  assert.deepEqual(readFileSync(join(root, 'packages/engine/dist/index.js'), 'utf8').includes('2 * x'), true);
  assert.deepEqual(main(), { code: 0, out: 'warfarin 10 mg up beside src/\n' });

  // An edit in the engine (bundled) and in the models' file outside src/: stale, then compiled.
  write('packages/engine/src/math/times.ts', 'export const times = (x: number): number => 3 * x;\n');
  write('packages/models/warfarin/drug.ts', "export const drug = 'Warfarin';\n");
  assert.equal(build('--check').code, 1, 'stale after an edit');
  assert.equal(build().code, 0);
  assert.deepEqual(main(), { code: 0, out: 'Warfarin 15 mg up beside src/\n' });

  // A server file that does not compile: named, exit 1; the rest is compiled (a new cli module).
  write('packages/server/src/broken.ts', 'export const half = (x: number) => x / ;\n');
  write(
    'packages/cli/src/main.ts',
    "import { service } from '@dosetwin/server';\nconsole.log(service, 'again');\n",
  );
  const broken = build();
  assert.equal(broken.code, 1);
  assert.match(broken.out, /packages\/server\/src\/broken\.ts:1:\d+: Unexpected/);
  assert.deepEqual(main(), { code: 0, out: 'up again\n' });
  assert.equal(build('--check').code, 0, 'the sources as they are were compiled: not stale');

  // Fixed: compiled; removed: its output goes too.
  write('packages/server/src/broken.ts', 'export const half = (x: number): number => x / 2;\n');
  assert.equal(build().code, 0);
  assert.match(readFileSync(join(root, 'packages/server/dist/broken.js'), 'utf8'), /x \/ 2/);
  rmSync(join(root, 'packages/server/src/broken.ts'));
  assert.equal(build().code, 0);
  assert.throws(() => readFileSync(join(root, 'packages/server/dist/broken.js')), /ENOENT/);

  // import.meta in a bundled package would point at the bundle: refused, naming the package.
  write(
    'packages/engine/src/math/times.ts',
    'export const times = (x: number): number => x * import.meta.url.length;\n',
  );
  const meta = build();
  assert.notEqual(meta.code, 0);
  assert.match(
    meta.out,
    /packages\/engine is bundled into one module, where import\.meta would be the bundle's/,
  );
});

test("the check at a start: a source added beside others, or edited in place, is seen by the stamp's sizes and times alone, and compiled; a folder touched by another file only is no change, and the stamp takes its new time; commander is compiled into main.js, child_process loaded on first use", () => {
  const { root, write } = smallRepo();
  const build = (...args: string[]) => run(root, 'scripts/build.mjs', ...args);
  const quick = () =>
    run(
      root,
      '--input-type=module',
      '-e',
      "import { quickState } from './scripts/build-state.mjs'; console.log(quickState());",
    ).out.trim();
  write(
    'packages/cli/src/main.ts',
    "import { Command } from 'commander';\nimport { dose } from '@dosetwin/models';\nnew Command().name('t').version(dose()).parse(process.argv);\n",
  );
  assert.equal(quick(), 'missing');
  assert.equal(build().code, 0);
  assert.equal(quick(), 'fresh');
  const main = readFileSync(join(root, 'packages/cli/dist/main.js'), 'utf8');
  assert.doesNotMatch(main, /from ["']commander["']/, 'commander inside main.js, not imported');
  assert.match(main, /lazy:node:child_process/);
  assert.deepEqual(run(root, 'packages/cli/dist/main.js', '--version'), { code: 0, out: 'warfarin 10 mg\n' });

  // A new source in a folder the build listed, nothing else changed: its folder's time says so.
  write('packages/engine/src/math/plus.ts', 'export const plus = (x: number): number => x + 1;\n');
  assert.equal(quick(), 'changed');
  assert.equal(build('--check').code, 1, 'stale');
  assert.equal(build().code, 0);
  assert.equal(quick(), 'fresh');

  // An in-place edit keeping the size (the folder's time unchanged): the file's time says so.
  write('packages/engine/src/math/times.ts', 'export const times = (x: number): number => 4 * x;\n');
  assert.equal(quick(), 'changed');
  assert.equal(build().code, 0);
  assert.deepEqual(run(root, 'packages/cli/dist/main.js', '--version'), { code: 0, out: 'warfarin 20 mg\n' });

  // An editor's temporary file come and gone: the folder's time moved, no source changed. The
  // full fingerprint says fresh, nothing is compiled, and the stamp takes the folder's new time.
  const folder = join(root, 'packages/server/src');
  writeFileSync(join(folder, '.index.ts.swp'), '');
  rmSync(join(folder, '.index.ts.swp'));
  const later = new Date(Date.now() + 60_000);
  utimesSync(folder, later, later);
  assert.equal(quick(), 'changed');
  assert.equal(build('--check').code, 0, 'fresh by the fingerprint');
  assert.match(build().out, /dist\/ is up to date/);
  assert.equal(quick(), 'fresh');
});
