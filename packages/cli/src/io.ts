import { readFileSync } from 'node:fs';
import { DosetwinError, formatIssue, type Issue } from '@dosetwin/engine';

/** Exit codes: 0 ok, 1 unexpected failure, 2 bad input (model, data, arguments). */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_INPUT = 2;

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DosetwinError([
      {
        code: 'DT_FILE',
        severity: 'error',
        field: what,
        message:
          code === 'ENOENT'
            ? `${what} file '${path}' does not exist`
            : `cannot read ${what} file '${path}' (${code ?? String(e)})`,
        file: path,
      },
    ]);
  }
}

export function printIssues(issues: readonly Issue[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const i of issues) stream.write(formatIssue(i) + '\n');
}

/** Run a command body, mapping errors to messages and exit codes. */
export async function guarded(body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DosetwinError) {
      printIssues(e.issues);
      return EXIT_INPUT;
    }
    process.stderr.write(
      `dosetwin: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return EXIT_BUG;
  }
}

export function argError(field: string, message: string, hint?: string): never {
  throw new DosetwinError([{ code: 'DT_ARG', severity: 'error', field, message, ...(hint ? { hint } : {}) }]);
}
