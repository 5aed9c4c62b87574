import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareKeys } from './recommend.ts';
import { topRanked } from './top-ranked.ts';

/** An item whose key's middle part (a PTA-like term) is known only once settled; `lo` bounds it. */
interface Item {
  id: number;
  head: number;
  lo: number;
  hidden: number;
  tail: number;
  group: number;
  known: boolean;
}

const key = (x: Item): number[] => [x.head, x.known ? x.hidden : x.lo, x.tail];

/** The reference: every item settled, all sorted (stable), the first of each group, the first n. */
function exhaustive(items: readonly Item[], n: number, grouped: boolean): number[] {
  const all = items.map((x) => ({ ...x, known: true }));
  const sorted = [...all].sort((a, b) => compareKeys(key(a), key(b)) || a.id - b.id);
  const seen = new Set<number>();
  return sorted
    .filter((x) => !grouped || (!seen.has(x.group) && (seen.add(x.group), true)))
    .slice(0, n)
    .map((x) => x.id);
}

const items = fc.array(
  fc.record({
    // Few distinct values: ties on every part of the key, where the position decides, are frequent.
    head: fc.integer({ min: 0, max: 2 }),
    lo: fc.integer({ min: 0, max: 2 }),
    extra: fc.integer({ min: 0, max: 2 }),
    tail: fc.integer({ min: 0, max: 3 }),
    group: fc.integer({ min: 0, max: 5 }),
    known: fc.boolean(),
  }),
  { maxLength: 30 },
);

const build = (
  raw: { head: number; lo: number; extra: number; tail: number; group: number; known: boolean }[],
) =>
  raw.map((r, id): Item => ({
    id,
    head: r.head,
    lo: r.lo,
    hidden: r.lo + r.extra,
    tail: r.tail,
    group: r.group,
    known: r.known,
  }));

const query = (n: number, grouped: boolean, settled: Item[]) => ({
  n,
  key,
  bound: key,
  settled: (x: Item) => x.known,
  settle: (x: Item) => {
    assert.ok(!x.known, `item ${x.id} settled twice`);
    x.known = true;
    settled.push(x);
  },
  ...(grouped ? { group: (x: Item) => String(x.group) } : {}),
});

test('property: the first n are those of settling every item, in the same order, grouped or not (fast-check, seed 3, 2000 runs)', () => {
  fc.assert(
    fc.property(items, fc.integer({ min: 0, max: 8 }), fc.boolean(), (raw, n, grouped) => {
      const list = build(raw);
      const want = exhaustive(list, n, grouped);
      const got = topRanked(list, query(n, grouped, []));
      assert.deepEqual(
        got.map((x) => x.id),
        want,
      );
      // Every item listed is settled: its key, hence its rank, is exact.
      assert.ok(got.every((x) => x.known));
    }),
    { seed: 3, numRuns: 2000 },
  );
});

test('items whose bound ranks after the first n settled ones are never settled', () => {
  // Ten items, none settled; the bound (lo) of items 3..9 is already worse than the key of 0..2.
  const list = build(
    Array.from({ length: 10 }, (_, i) => ({
      head: 0,
      lo: i < 3 ? 0 : 5,
      extra: i < 3 ? 1 : 0,
      tail: i,
      group: i,
      known: false,
    })),
  );
  const settled: Item[] = [];
  const got = topRanked(list, query(2, false, settled));
  assert.deepEqual(
    got.map((x) => x.id),
    [0, 1],
  );
  // Items 0..2 (bound 0, key 1) are settled; item 2 is needed to show it ranks after 0 and 1.
  assert.deepEqual(settled.map((x) => x.id).sort(), [0, 1, 2]);
});
