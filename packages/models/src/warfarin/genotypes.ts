/**
 * Warfarin genotypes as entered (`*1/*3`, `G/A`) and as the model's covariates code them
 * (CYP2C9 0-5, VKORC1 0-2, the order of the covariate register's codes).
 */
export const CYP2C9_GENOTYPES = ['*1/*1', '*1/*2', '*1/*3', '*2/*2', '*2/*3', '*3/*3'] as const;
export type Cyp2c9 = (typeof CYP2C9_GENOTYPES)[number];
export const VKORC1_GENOTYPES = ['G/G', 'G/A', 'A/A'] as const;
export type Vkorc1 = (typeof VKORC1_GENOTYPES)[number];

/** `*3/*1` is `*1/*3`; spaces and case do not matter. Null when it is not one of the six. */
export function readCyp2c9(text: string): Cyp2c9 | null {
  const m = /^\s*\*?([123])\s*\/\s*\*?([123])\s*$/.exec(text);
  if (!m) return null;
  const [a, b] = [m[1], m[2]].sort();
  return `*${a}/*${b}` as Cyp2c9;
}

/** `A/G` is `G/A` (−1639 G>A; C/T on the other strand is not accepted, to avoid a strand slip). */
export function readVkorc1(text: string): Vkorc1 | null {
  const m = /^\s*([GA])\s*\/\s*([GA])\s*$/i.exec(text);
  if (!m) return null;
  const n = [m[1], m[2]].filter((x) => x.toUpperCase() === 'A').length;
  return VKORC1_GENOTYPES[n];
}
