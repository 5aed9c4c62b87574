/**
 * Errors as data. The engine reports every problem as an {@link Issue}; a function that cannot
 * go on throws a {@link DosetwinError} carrying all the issues it collected, so a caller (CLI,
 * server, web) can show each one with its place and map its code to an exit code or HTTP status.
 */

/** One problem found in a model file, a dataset record or a request. */
export interface Issue {
  /** Stable, greppable code, e.g. `DT_MODEL_SYNTAX`. */
  code: `DT_${string}`;
  /** `warning` = still computable (e.g. outside a validity domain); `error` = cannot go on. */
  severity: 'error' | 'warning';
  /** Where, as a path: `equations`, `data[12].AMT`, `covariates.CRCL`. */
  field: string;
  /** What is wrong, built from the same values as the check. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The message and hint in French, where the raiser wrote them (entry plausibility, misfit). */
  fr?: { message: string; hint?: string };
  file?: string;
  /** 1-based line (model files) or record number (datasets: 1 = first data row after the header). */
  line?: number;
  /** 1-based column. */
  column?: number;
}

export class DosetwinError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'DosetwinError';
    this.issues = issues;
  }
}

/** `file:line:col error CODE message — hint`, the form compilers use so editors can jump to it. */
export function formatIssue(i: Issue): string {
  const where = [i.file, i.line, i.column].filter((x) => x !== undefined).join(':');
  const head = `${where ? where + ' ' : ''}${i.severity} ${i.code} ${i.field ? `[${i.field}] ` : ''}${i.message}`;
  return i.hint ? `${head} — hint: ${i.hint}` : head;
}

/** Throw a single-issue error. */
export function fail(code: Issue['code'], field: string, message: string, extra: Partial<Issue> = {}): never {
  throw new DosetwinError([{ code, severity: 'error', field, message, ...extra }]);
}
