// Whether dist/ may still hold the compiled current sources, answered cheaply enough for every
// start of the `dosetwin` bin (a few milliseconds, where hashing the listing of every source took
// 20–40): the stamp written last by a build (scripts/build.mjs) keeps the size and modification
// time of every source and manifest it compiled, and the modification time of every folder it
// listed. An edit changes a file's time; a file added, removed or renamed changes its folder's.
// Any difference answers 'changed', and the caller then asks the build, which compares the full
// fingerprint (a folder touched by an editor's temporary file is not a changed source) and
// compiles what changed: a stale build never runs. Only Node's fs and path: this module is what
// a start loads before the command itself.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Written last by a build: the fingerprint of the sources it compiled. */
export const STAMP = join(ROOT, 'packages/cli/dist/.build-stamp.json');
/** Bump when the way sources map to outputs changes, so an older dist/ counts as stale. */
export const LAYOUT = 3;

/** A file's signature as the stamp keeps it. */
export const signature = (s) => `${s.size} ${s.mtimeMs}`;

/** The stamp of the last build, or undefined (none, being written, unreadable). */
export function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * 'fresh' when every source, manifest and folder the last build saw is as it saw it, 'missing'
 * when there is no build, 'changed' otherwise (perhaps only a folder's time: the full fingerprint
 * decides, see buildState in build.mjs).
 */
export function quickState(stamp = readStamp()) {
  if (stamp === undefined) return 'missing';
  if (stamp.layout !== LAYOUT || !stamp.dirs || !stamp.manifests || !stamp.files) return 'changed';
  // Concatenated, not path.join: normalising 350 paths costs more than stating them.
  const root = ROOT + sep;
  const same = (rel, sig, folder) => {
    const s = statSync(root + rel, { throwIfNoEntry: false });
    return s !== undefined && (folder ? String(s.mtimeMs) : signature(s)) === sig;
  };
  for (const [rel, sig] of Object.entries(stamp.dirs)) if (!same(rel, sig, true)) return 'changed';
  for (const [rel, sig] of Object.entries(stamp.manifests)) if (!same(rel, sig, false)) return 'changed';
  for (const [rel, sig] of Object.entries(stamp.files)) if (!same(rel, sig, false)) return 'changed';
  return 'fresh';
}
