/** Helpers over the one warning vocabulary (Issues with stable DT_* codes). */
import type { Issue } from '@dosetwin/engine';

/** The issues without repeats (same code, field and message), first occurrence kept. */
export function dedupeIssues(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.code}|${i.field}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
