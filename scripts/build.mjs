#!/usr/bin/env node
// Compiles the Node packages (engine, models, server, cli) to JavaScript, one .js per .ts, into each
// package's dist/: `packages/P/src/a/b.ts` → `packages/P/dist/a/b.js`, so a path a module finds
// beside itself (`new URL('../data/…', import.meta.url)`) is the same from dist/ as from src/. TS
// files of a package outside src/ (the models' `<drug>/drug.ts`) go to `dist/outside-src/`.
//
// Imports are rewritten to the compiled files: `./x.ts` → `./x.js`, and `@dosetwin/engine` (whose
// package.json points at the TypeScript sources, for the tests and the type-checker) → the relative
// path of its compiled entry. The compiled code thus never resolves a package by name to its
// sources, and the sources never to dist/: tests and `tsc` always read the sources.
//
// The build is fast (esbuild, about a second), so the `dosetwin` bin checks at each start that dist/
// matches the sources (a fingerprint of every source's path, size and modification time, written
// last by the build) and rebuilds when it does not: it never runs code older than the sources.
//
// `node scripts/build.mjs` builds (run by `npm ci` through the root `prepare` script and by
// `npm start`); `--check` exits 1 when the build is missing or stale.
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

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The packages compiled, in dependency order. The web app is built by Vite (`npm run build -w @dosetwin/web`). */
export const PACKAGES = ['engine', 'models', 'server', 'cli'];
/** Folders of a package never compiled: tests' data, build scripts, outputs. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'scripts', 'test-models', 'fixtures', 'estimators']);
/** Written last by a build: the fingerprint of the sources it compiled. */
export const STAMP = join(ROOT, 'packages/cli/dist/.build-stamp.json');
/** Bump when the way sources map to outputs changes, so an older dist/ counts as stale. */
const LAYOUT = 1;

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');

/** Every compiled source of a package (absolute paths) with its stat, in a stable order. */
function sourcesOf(pkg) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name));
      } else if (isSource(e.name)) out.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, 'packages', pkg));
  return out.sort();
}

/** Every compiled source, and the fingerprint of their paths, sizes and modification times. */
export function fingerprint() {
  const hash = createHash('sha256').update(`layout ${LAYOUT}\n`);
  const files = [];
  for (const pkg of PACKAGES) {
    // A package's exports decide where `@dosetwin/pkg` imports point.
    const manifest = join(ROOT, 'packages', pkg, 'package.json');
    for (const f of [manifest, ...sourcesOf(pkg)]) {
      const s = statSync(f);
      hash.update(`${relative(ROOT, f)} ${s.size} ${s.mtimeMs}\n`);
      if (f !== manifest) files.push(f);
    }
  }
  return { files, fingerprint: hash.digest('hex') };
}

/** Where a source compiles to. */
export function outputOf(source) {
  const rel = relative(join(ROOT, 'packages'), source).split(sep);
  const [pkg, first, ...rest] = rel;
  const tail = first === 'src' ? rest : ['outside-src', first, ...rest];
  return join(ROOT, 'packages', pkg, 'dist', ...tail).replace(/\.ts$/, '.js');
}

/** 'fresh', 'missing' or 'stale': whether dist/ holds the compiled current sources. */
export function buildState(fp = fingerprint().fingerprint) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'missing';
  }
  return stamp.fingerprint === fp ? 'fresh' : 'stale';
}

/** `@dosetwin/<pkg>[/sub]` → the absolute path of the source file its package.json exports. */
function packageSource(spec) {
  const m = /^@dosetwin\/([^/]+)(\/.*)?$/.exec(spec);
  if (!m || !PACKAGES.includes(m[1])) return undefined;
  const dir = join(ROOT, 'packages', m[1]);
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const target = exports?.[m[2] ? `.${m[2]}` : '.'];
  if (typeof target !== 'string') throw new Error(`${spec}: not exported by packages/${m[1]}/package.json`);
  return join(dir, target);
}

const relativeImport = (fromFile, toFile) => {
  const r = relative(dirname(fromFile), toFile).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

/** esbuild plugin: every import stays an import (nothing is bundled), pointed at the compiled file. */
const rewriteImports = {
  name: 'dosetwin-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const from = outputOf(args.importer);
      let source;
      if (args.path.startsWith('.')) source = resolve(dirname(args.importer), args.path);
      else source = packageSource(args.path);
      if (source === undefined) return { path: args.path, external: true };
      // A TypeScript module is imported compiled; any other file (JSON…) from where it lies.
      const target = isSource(source) ? outputOf(source) : source;
      return { path: relativeImport(from, target), external: true };
    });
  },
};

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

/** Removes compiled files whose source is gone (and stray half-written ones). */
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

const LOCK = join(ROOT, 'node_modules/.cache/dosetwin-build.lock');

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
      // A lock left by a killed build (a build takes seconds) is taken over.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 60_000) rmSync(LOCK, { force: true });
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

/**
 * Compiles every package unless dist/ is already fresh (`force` compiles anyway). Returns what was
 * done: the number of sources, of files written, and the time taken.
 */
export async function build({ force = false } = {}) {
  return withLock(async () => {
    const t0 = performance.now();
    // The fingerprint is taken before the sources are read: a source edited during the build makes
    // the next start find the build stale.
    const { files, fingerprint: fp } = fingerprint();
    if (!force && buildState(fp) === 'fresh')
      return { sources: files.length, written: 0, ms: 0, skipped: true };
    const { build: esbuild } = await import('esbuild');
    const outbase = join(ROOT, 'packages');
    const out = await esbuild({
      entryPoints: files,
      outbase,
      outdir: join(ROOT, 'node_modules/.cache/dosetwin-build-out'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      write: false,
      logLevel: 'silent',
      plugins: [rewriteImports],
    });
    const bySource = new Map(files.map((f) => [relative(outbase, f).replace(/\.ts$/, ''), f]));
    const keep = new Set();
    let written = 0;
    rmSync(STAMP, { force: true });
    for (const o of out.outputFiles) {
      const rel = relative(join(ROOT, 'node_modules/.cache/dosetwin-build-out'), o.path);
      const map = rel.endsWith('.js.map');
      const source = bySource.get(rel.replace(/\.js(\.map)?$/, ''));
      if (source === undefined) throw new Error(`build: an output with no source: ${rel}`);
      const target = outputOf(source) + (map ? '.map' : '');
      let text = o.text;
      if (map) {
        // Source maps name the sources relative to the compiled file's place.
        const m = JSON.parse(text);
        m.sources = [relativeImport(target, source)];
        text = JSON.stringify(m);
      } else
        text = text.replace(
          /\/\/# sourceMappingURL=.*$/m,
          `//# sourceMappingURL=${target.split(sep).pop()}.map`,
        );
      keep.add(target);
      if (writeIfChanged(target, text)) written++;
    }
    for (const pkg of PACKAGES) prune(join(ROOT, 'packages', pkg, 'dist'), keep);
    mkdirSync(dirname(STAMP), { recursive: true });
    writeFileSync(STAMP, `${JSON.stringify({ fingerprint: fp, sources: files.length })}\n`);
    return { sources: files.length, written, ms: performance.now() - t0, skipped: false };
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
    r.skipped
      ? `dist/ is up to date (${r.sources} sources)`
      : `compiled ${r.sources} sources (${r.written} files changed) in ${(r.ms / 1000).toFixed(1)} s`,
  );
}
