#!/usr/bin/env node
// Compiles the Node packages (engine, models, server, cli) to JavaScript in each package's dist/,
// with esbuild:
// - engine and models are each bundled into one module, dist/index.js (their package entry): a
//   process then reads and links two files instead of ~150, which halves their loading time (every
//   `dosetwin` command and worker thread loads them). Nothing in them finds a file beside itself
//   (the build refuses `import.meta` in a bundle, where it would be the bundle's).
// - server and cli are compiled one .js per .ts, `src/a/b.ts` → `dist/a/b.js`, so a path a module
//   finds beside itself (`new URL('../data/…', import.meta.url)`) is the same from dist/ as from
//   src/, and a worker's module is loaded by its own URL.
//
// Imports are rewritten to the compiled files: `./x.ts` → `./x.js`, and `@dosetwin/engine` (whose
// package.json points at the TypeScript sources, for the tests and the type-checker) → the relative
// path of its compiled entry. The compiled code thus never resolves a package by name to its
// sources, and the sources never to dist/: tests and `tsc` always read the sources.
//
// The build is fast (about a second for all, a few hundred ms after an edit: only the changed
// server and cli files and the bundles holding a changed file are compiled again), so the
// `dosetwin` bin checks at each start that dist/ matches the sources (the stamp written last by
// the build: every source's size and modification time, and its folders', compared by
// scripts/build-state.mjs in a few ms) and compiles what changed when it does not: it never runs
// code older than the sources.
//
// `node scripts/build.mjs` builds (run by `npm ci` through the root `prepare` script and by
// `npm start`); `--check` exits 1 when the build is missing or stale; `--force` compiles all.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LAYOUT, quickState, readStamp, ROOT, signature, STAMP } from './build-state.mjs';

export { ROOT, STAMP };
/**
 * The packages compiled, in dependency order, and whether each is bundled into one module. The web
 * app is built by Vite (`npm run build -w @dosetwin/web`).
 */
export const PACKAGES = [
  { name: 'engine', bundle: true },
  { name: 'models', bundle: true },
  { name: 'server', bundle: false },
  // The bin's first module carries commander in it: every start (`--version` too) reads one
  // file instead of commander's seven. Only main.ts imports commander's values (the commands
  // import its types), so there is one Command class.
  { name: 'cli', bundle: false, inline: { 'src/main.ts': ['commander'] } },
];
/** Folders never compiled: tests' data, build scripts, outputs. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'scripts', 'test-models', 'fixtures', 'estimators']);

const pkgDir = (name) => join(ROOT, 'packages', name);
const isSource = (name) =>
  name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') && !name.startsWith('.');

/**
 * The sources of a package (absolute paths, in a stable order): every .ts but tests, for a bundle
 * (the models' `<drug>/drug.ts` lie outside src/); those under src/ otherwise. Each folder listed
 * goes into `dirs` with its modification time (a file added or removed changes it).
 */
function sourcesOf(pkg, dirs, listings) {
  const out = [];
  const walk = (dir) => {
    const s = statSync(dir, { throwIfNoEntry: false });
    const { folders, sources } = listing(dir);
    if (s !== undefined) dirs[relative(ROOT, dir)] = String(s.mtimeMs);
    listings[relative(ROOT, dir)] = `${folders}\n${sources}`;
    for (const f of folders) walk(join(dir, f));
    for (const f of sources) out.push(join(dir, f));
  };
  walk(pkg.bundle ? pkgDir(pkg.name) : join(pkgDir(pkg.name), 'src'));
  return out.sort();
}

/** The folders a build walks into and the sources directly in `dir`. */
function listing(dir) {
  const folders = [];
  const sources = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) folders.push(e.name);
    } else if (isSource(e.name)) sources.push(e.name);
  }
  return { folders: folders.sort(), sources: sources.sort() };
}

/**
 * The folders' times for the stamp, taken after the outputs were written: a folder whose time
 * moved since the fingerprint (dist/ made inside a bundled package, an editor's temporary file)
 * takes its new time if it still holds the same sources and folders, and keeps the old one
 * otherwise (a source added meanwhile: the next start finds the build stale).
 */
function settledDirs(fp) {
  const dirs = { ...fp.dirs };
  for (const [rel, time] of Object.entries(fp.dirs)) {
    const s = statSync(join(ROOT, rel), { throwIfNoEntry: false });
    if (s === undefined || String(s.mtimeMs) === time) continue;
    const { folders, sources } = listing(join(ROOT, rel));
    if (`${folders}\n${sources}` === fp.listings[rel]) dirs[rel] = String(s.mtimeMs);
  }
  return dirs;
}

/**
 * Every source with its signature (size and modification time), the fingerprint of them all,
 * `base`: the fingerprint of what every output depends on (the packages' manifests, whose exports
 * decide where `@dosetwin/pkg` imports point, and this script's layout), and what the quick check
 * at a start compares (build-state.mjs): the folders listed and the manifests, with their
 * signatures.
 */
export function fingerprint() {
  const hash = createHash('sha256').update(`layout ${LAYOUT}\n`);
  const base = createHash('sha256').update(`layout ${LAYOUT}\n`);
  const files = {};
  const signatures = {};
  const dirs = {};
  const listings = {};
  const manifests = {};
  for (const pkg of PACKAGES) {
    const manifest = join(pkgDir(pkg.name), 'package.json');
    manifests[relative(ROOT, manifest)] = signature(statSync(manifest));
    base.update(readFileSync(manifest));
    // An npm package compiled into an output: its version decides that output too.
    for (const dep of Object.values(pkg.inline ?? {}).flat()) {
      const m = join(ROOT, 'node_modules', dep, 'package.json');
      manifests[relative(ROOT, m)] = signature(statSync(m));
      base.update(readFileSync(m));
    }
    files[pkg.name] = [];
    for (const f of sourcesOf(pkg, dirs, listings)) {
      // A file removed since the listing (an editor's temporary file) is not a source.
      const s = statSync(f, { throwIfNoEntry: false });
      if (s === undefined) continue;
      const rel = relative(ROOT, f);
      signatures[rel] = signature(s);
      hash.update(`${rel} ${signatures[rel]}\n`);
      files[pkg.name].push(f);
    }
  }
  const b = base.digest('hex');
  return {
    files,
    signatures,
    dirs,
    listings,
    manifests,
    base: b,
    fingerprint: hash.update(b).digest('hex'),
  };
}

/** What the stamp keeps of a fingerprint besides the outputs and errors. */
const stampOf = (fp) => ({
  layout: LAYOUT,
  fingerprint: fp.fingerprint,
  base: fp.base,
  files: fp.signatures,
  dirs: settledDirs(fp),
  manifests: fp.manifests,
});

/** The compile errors of the last build (`file:line:col: message`), one entry per source. */
export function compileErrors() {
  return Object.values(readStamp()?.failed ?? {});
}

/**
 * 'fresh', 'missing' or 'stale': whether dist/ holds the compiled current sources. Nothing changed
 * since the build by the quick check: fresh; else the full fingerprint decides.
 */
export function buildState() {
  const stamp = readStamp();
  const quick = quickState(stamp);
  if (quick !== 'changed') return quick;
  return stamp.fingerprint === fingerprint().fingerprint ? 'fresh' : 'stale';
}

/** Where a source of a package compiled one file per source goes. */
function outputOf(source) {
  const [name, first, ...rest] = relative(join(ROOT, 'packages'), source).split(sep);
  if (first !== 'src' || PACKAGES.find((p) => p.name === name)?.bundle !== false)
    throw new Error(`${relative(ROOT, source)}: imported by path from another package (import it by name)`);
  return join(pkgDir(name), 'dist', ...rest).replace(/\.ts$/, '.js');
}

/** `@dosetwin/<pkg>[/sub]` → the compiled module it names, or undefined for any other package. */
function packageTarget(spec) {
  const m = /^@dosetwin\/([^/]+)(\/.*)?$/.exec(spec);
  const pkg = PACKAGES.find((p) => p.name === m?.[1]);
  if (pkg === undefined) return undefined;
  const { exports } = JSON.parse(readFileSync(join(pkgDir(pkg.name), 'package.json'), 'utf8'));
  const target = exports?.[m[2] ? `.${m[2]}` : '.'];
  if (typeof target !== 'string' || !target.startsWith('./src/'))
    throw new Error(`${spec}: not exported as a file of src/ by packages/${pkg.name}/package.json`);
  const source = join(pkgDir(pkg.name), target);
  if (!pkg.bundle) return outputOf(source);
  // A bundle's entries and chunks all lie at the top of dist/ (see bundleEntries).
  return join(pkgDir(pkg.name), 'dist', target.slice('./src/'.length).replace(/\.ts$/, '.js'));
}

/** A bundled package's entries: its exports, each a file directly in src/ (so all outputs share one folder). */
function bundleEntries(pkg) {
  const { exports } = JSON.parse(readFileSync(join(pkgDir(pkg.name), 'package.json'), 'utf8'));
  return Object.values(typeof exports === 'string' ? { '.': exports } : exports).map((t) => {
    if (typeof t !== 'string' || !/^\.\/src\/[^/]+\.ts$/.test(t))
      throw new Error(`packages/${pkg.name}: a bundled package exports files directly in src/ only (${t})`);
    return join(pkgDir(pkg.name), t);
  });
}

const relativeImport = (fromFile, toFile) => {
  const r = relative(dirname(fromFile), toFile).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

/**
 * esbuild plugin. One file per source: every import stays an import, pointed at the compiled file.
 * A bundle: its own modules are bundled, other packages' (npm, @dosetwin/*) stay imports. The npm
 * packages in `inline` are compiled into the output, with all they import but Node's modules.
 */
const imports = (bundle, inline = []) => ({
  name: 'dosetwin-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const fromNpm = args.importer.split(sep).includes('node_modules');
      // commander loads child_process at once for executable subcommands, which dosetwin has
      // none of: Node's child_process module then loads on first use, not at every start.
      if (fromNpm && args.path === 'node:child_process') return { path: args.path, namespace: 'lazy' };
      if (inline.includes(args.path) || fromNpm) return undefined;
      const relativePath = args.path.startsWith('.');
      if (bundle && relativePath) return undefined;
      const target = relativePath ? resolve(dirname(args.importer), args.path) : packageTarget(args.path);
      if (target === undefined) return { path: args.path, external: true };
      // From a bundle, the import is written in a file at the top of its dist/.
      const fromFile = bundle ? join(pkgDir(bundle), 'dist', 'index.js') : outputOf(args.importer);
      // A TypeScript module is imported compiled; any other file (JSON…) from where it lies.
      const file = relativePath && isSource(target.split(sep).pop()) ? outputOf(target) : target;
      return { path: relativeImport(fromFile, file), external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let m;\nmodule.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(args.path)}))[k] });\n`,
      loader: 'js',
    }));
  },
});

function writeIfChanged(file, text) {
  try {
    if (readFileSync(file, 'utf8') === text) return false;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(file), { recursive: true });
  // Whole files only: another process may be loading them meanwhile.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return true;
}

/** Removes compiled files not in `keep` (a source gone, an older bundle's chunk, a half-written file). */
function prune(dir, keep) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      prune(p, keep);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true, force: true });
    } else if (!keep.has(p) && p !== STAMP) rmSync(p, { force: true });
  }
}

/** The stamp, whole (a start reading it meanwhile finds the old one or the new one). */
function writeStamp(stamp) {
  mkdirSync(dirname(STAMP), { recursive: true });
  writeIfChanged(STAMP, `${JSON.stringify(stamp)}\n`);
}

const LOCK = join(ROOT, 'node_modules/.cache/dosetwin-build.lock');

function alive(pid) {
  if (!(pid > 0)) return true; // being written: not yet known
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** One build at a time in a checkout: processes started together wait for the first one's build. */
async function withLock(fn) {
  mkdirSync(dirname(LOCK), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock left by a killed build is taken over: its process is gone, or (another machine
      // sharing the directory) it is older than any build.
      try {
        const pid = Number(readFileSync(LOCK, 'utf8'));
        if (!alive(pid) || Date.now() - statSync(LOCK).mtimeMs > 60_000) rmSync(LOCK, { force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() - started > 120_000) throw new Error(`${LOCK}: another build holds the lock`);
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** esbuild's outputs (each .js with its .map), in memory, at their final paths. */
async function compile(pkg, entryPoints) {
  const inlined = (f) => pkg.inline?.[relative(pkgDir(pkg.name), f).split(sep).join('/')];
  const plain = entryPoints.filter((f) => inlined(f) === undefined);
  const out = [];
  if (plain.length > 0) out.push(...(await compileWith(pkg, plain, [])));
  for (const f of entryPoints) if (inlined(f)) out.push(...(await compileWith(pkg, [f], inlined(f))));
  return out;
}

async function compileWith(pkg, entryPoints, inline) {
  const { build: esbuild } = await import('esbuild');
  const out = await esbuild({
    entryPoints,
    outbase: join(pkgDir(pkg.name), 'src'),
    outdir: join(pkgDir(pkg.name), 'dist'),
    absWorkingDir: ROOT,
    bundle: true,
    splitting: pkg.bundle,
    chunkNames: 'chunk-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
    // An inlined CommonJS package's require() of Node's modules, in an ES module.
    ...(inline.length > 0
      ? {
          banner: {
            js: "import { createRequire as __dosetwinRequire } from 'node:module';\nconst require = __dosetwinRequire(import.meta.url);",
          },
        }
      : {}),
    plugins: [imports(pkg.bundle ? pkg.name : undefined, inline)],
  });
  if (pkg.bundle)
    for (const o of out.outputFiles)
      if (o.path.endsWith('.js') && /\bimport\.meta\b/.test(o.text))
        throw new Error(
          `packages/${pkg.name} is bundled into one module, where import.meta would be the bundle's, not the source file's: find files another way, or compile the package one file per source (scripts/build.mjs)`,
        );
  return out.outputFiles;
}

const esbuildErrors = (e) => e.errors ?? [];
const vanished = (e) =>
  esbuildErrors(e).length > 0 && esbuildErrors(e).every((m) => /Cannot read file/.test(m.text));

/**
 * Brings dist/ up to date with the sources (`force`: compiles them all again). Only what changed
 * since the last build is compiled: a server or cli file whose source changed, a bundle any of
 * whose package's files changed; everything when a manifest changed. Returns the number of
 * sources, of files written, the compile errors, and the time taken.
 */
export async function build({ force = false } = {}) {
  return withLock(async () => {
    const t0 = performance.now();
    for (let attempt = 1; ; attempt++) {
      // The fingerprint is taken before the sources are read: a source edited during the build
      // makes the next start find the build stale.
      const fp = fingerprint();
      const count = Object.values(fp.files).reduce((n, fs) => n + fs.length, 0);
      const stamp = readStamp();
      if (!force && stamp?.fingerprint === fp.fingerprint) {
        // The same sources, but a folder's or manifest's time moved (an editor's temporary file,
        // a `touch`): the stamp takes the new times, so the next start's quick check passes.
        if (quickState(stamp) !== 'fresh') writeStamp({ ...stamp, ...stampOf(fp) });
        return { sources: count, written: 0, failed: Object.values(stamp.failed ?? {}), ms: 0 };
      }
      const all = force || stamp?.base !== fp.base;
      const same = (f) => !all && stamp.files?.[relative(ROOT, f)] === fp.signatures[relative(ROOT, f)];
      // Sources of server and cli that did not compile (a syntax error) and have not changed since stay failed.
      const failed = {};
      const outputs = {};
      const written = [];
      try {
        for (const pkg of PACKAGES) {
          const files = fp.files[pkg.name];
          if (pkg.bundle) {
            const before = stamp?.outputs?.[pkg.name];
            if (files.every(same) && before?.every((f) => existsSync(join(ROOT, f)))) {
              outputs[pkg.name] = before;
              continue;
            }
            const out = await compile(pkg, bundleEntries(pkg));
            written.push(...out);
            outputs[pkg.name] = out.map((o) => relative(ROOT, o.path));
            continue;
          }
          let changed = files.filter((f) => {
            const rel = relative(ROOT, f);
            if (!same(f)) return true;
            if (stamp.failed?.[rel] !== undefined) failed[rel] = stamp.failed[rel];
            else return !existsSync(outputOf(f));
            return false;
          });
          if (changed.length === 0) continue;
          try {
            written.push(...(await compile(pkg, changed)));
          } catch (e) {
            // A file that does not compile is left out (no output: importing it fails, and the bin
            // then names it with esbuild's message), the others are compiled: as under tsx, a
            // broken module only matters to the code that imports it.
            const errors = esbuildErrors(e);
            const broken = new Set(errors.map((m) => (m.location ? resolve(ROOT, m.location.file) : '')));
            if (vanished(e) || errors.length === 0 || ![...broken].every((f) => changed.includes(f))) throw e;
            for (const m of errors) {
              const rel = relative(ROOT, resolve(ROOT, m.location.file));
              const where = `${rel}:${m.location.line}:${m.location.column + 1}`;
              failed[rel] = `${failed[rel] ? `${failed[rel]}\n` : ''}${where}: ${m.text}`;
            }
            changed = changed.filter((f) => !broken.has(f));
            if (changed.length > 0) written.push(...(await compile(pkg, changed)));
          }
        }
      } catch (e) {
        // Others edit the checkout meanwhile: a file listed a moment ago may be gone (renamed into
        // place, deleted); list the sources again. Any other error is the sources' and is reported.
        if (vanished(e) && attempt < 3) continue;
        throw e;
      }
      rmSync(STAMP, { force: true });
      let changedFiles = 0;
      for (const o of written) if (writeIfChanged(o.path, o.text)) changedFiles++;
      for (const pkg of PACKAGES) {
        const keep = pkg.bundle
          ? new Set(outputs[pkg.name].map((f) => join(ROOT, f)))
          : new Set(
              fp.files[pkg.name]
                .filter((f) => failed[relative(ROOT, f)] === undefined)
                .flatMap((f) => [outputOf(f), `${outputOf(f)}.map`]),
            );
        prune(join(pkgDir(pkg.name), 'dist'), keep);
      }
      writeStamp({ ...stampOf(fp), outputs, failed });
      return {
        sources: count,
        written: changedFiles,
        failed: Object.values(failed),
        ms: performance.now() - t0,
      };
    }
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const state = buildState();
    console.log(`dist/: ${state}`);
    process.exit(state === 'fresh' ? 0 : 1);
  }
  const r = await build({ force: process.argv.includes('--force') });
  console.log(
    r.written === 0
      ? `dist/ is up to date (${r.sources} sources)`
      : `${r.sources} sources: ${r.written} files written in ${(r.ms / 1000).toFixed(1)} s`,
  );
  if (r.failed.length > 0) {
    console.error(`${r.failed.length} sources did not compile (no output for them):\n${r.failed.join('\n')}`);
    process.exit(1);
  }
}
