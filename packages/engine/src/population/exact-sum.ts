/**
 * Exact sums of doubles, so that a sum split over threads or hospitals and merged in any order
 * gives the same double to the last bit. A sum is held as Shewchuk's non-overlapping partials
 * (Shewchuk JR, Discrete Comput Geom 1997;18:305–363), whose total is the exact real sum; merging
 * two sums adds one's partials into the other, still exactly; the value is that real number
 * correctly rounded (the final step of Python's `math.fsum`), which does not depend on the order
 * the terms came in.
 */

/** An exact sum: its partials, smallest magnitude first (the shape sent between nodes). */
export type ExactSum = number[];

/** Adds x to the sum in place (exactly). */
export function addExact(partials: ExactSum, x: number): void {
  if (!Number.isFinite(x)) throw new Error(`internal: non-finite term ${x} in an exact sum`);
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** Adds the sum b into a in place (exactly). */
export function mergeExact(a: ExactSum, b: readonly number[]): void {
  for (const x of b) addExact(a, x);
}

/** The exact sum, correctly rounded to a double (round half to even). */
export function exactValue(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // A tie broken the wrong way by the last addition: the partials below lo say which side the
  // exact sum lies on.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
