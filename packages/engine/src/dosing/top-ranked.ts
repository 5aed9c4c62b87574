/**
 * The first items of a ranking whose keys are costly to complete: a candidate regimen's rank key
 * reads its probability of target attainment (PTA, a simulation per draw), yet the search lists
 * only its first few. Each item has a lower bound of its key (what the key would be with the best
 * possible PTA), exact once the item is settled. Items are settled in the order of their bounds,
 * and only while one could still be among the first: an item whose bound comes after the first
 * `n` settled keys can only rank after them. The answer is the same list, in the same order, as
 * settling every item, sorting them all by their exact keys (stable: equal keys keep the items'
 * order) and keeping the better-ranked item of each group.
 */
export interface TopRankedQuery<T> {
  /** How many items (distinct groups) to return. */
  n: number;
  /** The item's rank key (smaller first); exact once the item is settled. */
  key: (item: T) => readonly number[];
  /** A lower bound of the item's key before it is settled (its key once settled). */
  bound: (item: T) => readonly number[];
  /** Whether the item's key is already exact. */
  settled: (item: T) => boolean;
  /** Complete the item (compute what its key lacks). */
  settle: (item: T) => void;
  /** Items of one group count once, the better-ranked one kept (default: each item its own group). */
  group?: (item: T) => string;
}

/** Lexicographic comparison of two keys, then of the items' positions (the stable sort's tie-break). */
function before(a: readonly number[], i: number, b: readonly number[], j: number): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k];
  return a.length - b.length || i - j;
}

export function topRanked<T>(items: readonly T[], q: TopRankedQuery<T>): T[] {
  if (!(q.n > 0)) return [];
  const group = q.group ?? ((_: T) => '');
  const grouped = q.group !== undefined;
  const exact: { i: number; k: readonly number[] }[] = [];
  const pending: { i: number; k: readonly number[] }[] = [];
  items.forEach((item, i) =>
    (q.settled(item) ? exact : pending).push({ i, k: q.settled(item) ? q.key(item) : q.bound(item) }),
  );
  pending.sort((a, b) => before(a.k, a.i, b.k, b.i));
  /** The first `n` groups of the settled items that rank before `limit` (all of them: null). */
  const first = (limit: { i: number; k: readonly number[] } | null): T[] | null => {
    const sure = exact
      .filter((e) => limit === null || before(e.k, e.i, limit.k, limit.i) < 0)
      .sort((a, b) => before(a.k, a.i, b.k, b.i));
    const seen = new Set<string>();
    const out: T[] = [];
    for (const e of sure) {
      const g = group(items[e.i]);
      if (grouped && seen.has(g)) continue;
      seen.add(g);
      out.push(items[e.i]);
      if (out.length === q.n) return out;
    }
    return limit === null ? out : null;
  };
  for (const next of pending) {
    const found = first(next);
    if (found) return found;
    q.settle(items[next.i]);
    exact.push({ i: next.i, k: q.key(items[next.i]) });
  }
  return first(null)!;
}
