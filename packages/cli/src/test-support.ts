// The CLI as a user runs it, for the end-to-end tests: `node packages/cli/bin/dosetwin.mjs ARGS`
// from the repository root. The bin runs the compiled code, and compiles the sources first when
// they changed since the last build (scripts/build.mjs), so the tests run the current sources.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

/** Runs `dosetwin ARGS` in the repository root: exit code (−1 when killed), stdout, stderr. */
export function dosetwin(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
