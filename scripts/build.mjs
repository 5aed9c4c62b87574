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
// The build is fast (esbuild: about a second for all, a few hundred ms for the files an edit
// touched), so the `dosetwin` bin checks at each start that dist/ matches the sources (a
// fingerprint of every source's path, size and modification time, written last by the build) and
// compiles what changed when it does not: it never runs code older than the sources.
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
      } else if (isSource(e.name) && !e.name.startsWith('.')) out.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, 'packages', pkg));
  return out.sort();
}

/**
 * Every compiled source with its signature (size and modification time), the fingerprint of them
 * all, and `base`: the fingerprint of what every output depends on (the packages' exports, which
 * decide where `@dosetwin/pkg` imports point, and this script's layout).
 */
export function fingerprint() {
  const hash = createHash('sha256').update(`layout ${LAYOUT}\n`);
  const base = createHash('sha256').update(`layout ${LAYOUT}\n`);
  const files = [];
  const signatures = {};
  for (const pkg of PACKAGES) {
    const manifest = join(ROOT, 'packages', pkg, 'package.json');
    base.update(readFileSync(manifest));
    for (const f of sourcesOf(pkg)) {
      // A file removed since the listing (an editor's temporary file) is not a source.
      const s = statSync(f, { throwIfNoEntry: false });
      if (s === undefined) continue;
      const rel = relative(ROOT, f);
      signatures[rel] = `${s.size} ${s.mtimeMs}`;
      hash.update(`${rel} ${signatures[rel]}\n`);
      files.push(f);
    }
  }
  const b = base.digest('hex');
  return { files, signatures, base: b, fingerprint: hash.update(b).digest('hex') };
}

/** Where a source compiles to. */
export function outputOf(source) {
  const rel = relative(join(ROOT, 'packages'), source).split(sep);
  const [pkg, first, ...rest] = rel;
  const tail = first === 'src' ? rest : ['outside-src', first, ...rest];
  return join(ROOT, 'packages', pkg, 'dist', ...tail).replace(/\.ts$/, '.js');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The compile errors of the last build (`file:line:col: message`), one entry per source. */
export function compileErrors() {
  return Object.values(readStamp()?.failed ?? {});
}

/** 'fresh', 'missing' or 'stale': whether dist/ holds the compiled current sources. */
export function buildState(fp = fingerprint().fingerprint) {
  const stamp = readStamp();
  if (stamp === undefined) return 'missing';
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

const OUTDIR = join(ROOT, 'node_modules/.cache/dosetwin-build-out');

/** esbuild's outputs (a .js and its .map per source), in memory. */
async function compile(files) {
  const { build: esbuild } = await import('esbuild');
  const out = await esbuild({
    entryPoints: files,
    outbase: join(ROOT, 'packages'),
    outdir: OUTDIR,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
    plugins: [rewriteImports],
  });
  return out.outputFiles;
}

/**
 * Brings dist/ up to date with the sources (`force`: compiles them all again). Only the sources
 * changed since the last build are compiled (each output depends on its source alone, and on the
 * packages' exports, whose change compiles everything). Returns the number of sources, of those
 * compiled, of files written, and the time taken.
 */
export async function build({ force = false } = {}) {
  return withLock(async () => {
    const t0 = performance.now();
    for (let attempt = 1; ; attempt++) {
      // The fingerprint is taken before the sources are read: a source edited during the build
      // makes the next start find the build stale.
      const fp = fingerprint();
      const stamp = readStamp();
      if (!force && stamp?.fingerprint === fp.fingerprint)
        return {
          sources: fp.files.length,
          compiled: 0,
          written: 0,
          failed: Object.values(stamp.failed ?? {}),
          ms: 0,
        };
      const all = force || stamp?.base !== fp.base;
      // Sources that did not compile (a syntax error) and have not changed since stay failed.
      const failed = {};
      let changed = fp.files.filter((f) => {
        const rel = relative(ROOT, f);
        if (all || stamp.files?.[rel] !== fp.signatures[rel]) return true;
        if (stamp.failed?.[rel] !== undefined) failed[rel] = stamp.failed[rel];
        else if (!existsSync(outputOf(f))) return true;
        return false;
      });
      let outputs;
      try {
        outputs = changed.length > 0 ? await compile(changed) : [];
      } catch (e) {
        const errors = e.errors ?? [];
        // Others edit the checkout meanwhile: a file listed a moment ago may be gone (renamed into
        // place, deleted); list the sources again.
        if (errors.length > 0 && errors.every((m) => /Cannot read file/.test(m.text))) {
          if (attempt === 3) throw e;
          continue;
        }
        // A source that does not compile is left out (no output: importing it fails, and the bin
        // then names it with esbuild's message), the others are compiled: as under tsx, a broken
        // module only matters to the code that imports it. Any other error stops the build.
        const broken = new Set(errors.map((m) => (m.location ? resolve(ROOT, m.location.file) : '')));
        if (errors.length === 0 || ![...broken].every((f) => changed.includes(f))) throw e;
        for (const m of errors) {
          const rel = relative(ROOT, resolve(ROOT, m.location.file));
          const where = `${rel}:${m.location.line}:${m.location.column + 1}`;
          failed[rel] = `${failed[rel] ? `${failed[rel]}\n` : ''}${where}: ${m.text}`;
        }
        changed = changed.filter((f) => !broken.has(f));
        outputs = changed.length > 0 ? await compile(changed) : [];
      }
      rmSync(STAMP, { force: true });
      const bySource = new Map(
        changed.map((f) => [relative(join(ROOT, 'packages'), f).replace(/\.ts$/, ''), f]),
      );
      let written = 0;
      for (const o of outputs) {
        const rel = relative(OUTDIR, o.path);
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
        if (writeIfChanged(target, text)) written++;
      }
      const keep = new Set(
        fp.files
          .filter((f) => failed[relative(ROOT, f)] === undefined)
          .flatMap((f) => [outputOf(f), `${outputOf(f)}.map`]),
      );
      for (const pkg of PACKAGES) prune(join(ROOT, 'packages', pkg, 'dist'), keep);
      mkdirSync(dirname(STAMP), { recursive: true });
      const next = { fingerprint: fp.fingerprint, base: fp.base, files: fp.signatures, failed };
      writeFileSync(STAMP, `${JSON.stringify(next)}\n`);
      return {
        sources: fp.files.length,
        compiled: changed.length,
        written,
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
    r.compiled === 0 && r.written === 0
      ? `dist/ is up to date (${r.sources} sources)`
      : `compiled ${r.compiled} of ${r.sources} sources (${r.written} files written) in ${(r.ms / 1000).toFixed(1)} s`,
  );
  if (r.failed.length > 0) {
    console.error(`${r.failed.length} sources did not compile (no output for them):\n${r.failed.join('\n')}`);
    process.exit(1);
  }
}
