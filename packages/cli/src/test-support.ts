// The CLI as a user runs it, for the end-to-end tests: `node packages/cli/bin/dosetwin.mjs ARGS`
// from the repository root. The bin runs the compiled code, and compiles the sources first when
// they changed since the last build (scripts/build.mjs), so the tests run the current sources.
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
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

/**
 * Runs one command in this process, as `dosetwin NAME ARGS` would: its exit code, and what it wrote
 * to stdout and stderr (captured, not printed). Faster than spawning the bin when a test calls a
 * command many times.
 */
export async function runCommand(
  register: (program: Command) => void,
  name: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const program = new Command().exitOverride();
  register(program);
  const saved = process.exitCode;
  let out = '';
  let err = '';
  const [w1, w2] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'dosetwin', name, ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = saved;
  }
}
