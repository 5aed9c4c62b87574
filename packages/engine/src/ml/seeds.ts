/**
 * Seeds of independent random streams. Every random choice of the ML pipeline draws from a
 * `createRng(streamSeed(seed, purpose, index))` stream — one per virtual patient, per tree, per
 * fold — so results never depend on how work is split between threads.
 */

/** A 32-bit mix (the finaliser of MurmurHash3, Appleby 2011) of a seed and stream keys. */
export function streamSeed(seed: number, ...keys: number[]): number {
  let h = Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b;
  for (const k of keys) {
    h = Math.imul(h ^ (k | 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593) ^ 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Purposes of the streams (stream keys), fixed so artefacts stay reproducible across versions. */
export const STREAM = { patient: 1, split: 2, fold: 3, tree: 0x7ee, external: 5 } as const;
