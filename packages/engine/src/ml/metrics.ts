/**
 * Accuracy of exposure estimates against reference values, as the Limoges papers report it:
 * relative error e = (estimate − reference)/reference; relative bias = mean e; relative RMSE =
 * sqrt(mean e²); share of estimates within ±10 % and ±20 % of the reference. Percentages.
 */
export interface Metrics {
  n: number;
  /** Estimates that could not be computed (MAP failures), excluded from the other figures. */
  failed: number;
  relBiasPct: number;
  relRmsePct: number;
  within10Pct: number;
  within20Pct: number;
}

export function accuracy(estimate: readonly number[], reference: readonly number[]): Metrics {
  let n = 0;
  let failed = 0;
  let s = 0;
  let s2 = 0;
  let w10 = 0;
  let w20 = 0;
  for (let i = 0; i < estimate.length; i++) {
    if (!Number.isFinite(estimate[i])) {
      failed++;
      continue;
    }
    const e = (estimate[i] - reference[i]) / reference[i];
    n++;
    s += e;
    s2 += e * e;
    if (Math.abs(e) <= 0.1) w10++;
    if (Math.abs(e) <= 0.2) w20++;
  }
  return {
    n,
    failed,
    relBiasPct: (100 * s) / n,
    relRmsePct: 100 * Math.sqrt(s2 / n),
    within10Pct: (100 * w10) / n,
    within20Pct: (100 * w20) / n,
  };
}

/** Metrics per subgroup: `group(i)` names the subgroup of row i (groups in first-seen order). */
export function stratify(
  estimate: readonly number[],
  reference: readonly number[],
  group: (i: number) => string,
): { group: string; metrics: Metrics }[] {
  const rows = new Map<string, number[]>();
  for (let i = 0; i < estimate.length; i++) {
    const g = group(i);
    if (!rows.has(g)) rows.set(g, []);
    rows.get(g)!.push(i);
  }
  return [...rows.entries()].map(([g, idx]) => ({
    group: g,
    metrics: accuracy(
      idx.map((i) => estimate[i]),
      idx.map((i) => reference[i]),
    ),
  }));
}
