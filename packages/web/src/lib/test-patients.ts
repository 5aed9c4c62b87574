// Building blocks of the hand-written patients in the web app's tests (twin, averaging, ML card).

/** ISO time `h` hours after `t0` (ms since the epoch). */
export const hoursAfter =
  (t0: number) =>
  (h: number): string =>
    new Date(t0 + h * 3_600_000).toISOString();

/** The ICU vancomycin patient's baseline covariates (82-kg man of 58, SCr 95 µmol/L, no dialysis), recorded at −2 h. */
export function vancoCovariates(at: (h: number) => string): {
  at: string;
  name: string;
  value: number;
  unit: string;
}[] {
  return (
    [
      ['WT', 82, 'kg'],
      ['AGE', 58, 'y'],
      ['SCR', 95, 'umol/L'],
      ['SEX', 0, '-'],
      ['DIAL', 0, '-'],
    ] as const
  ).map(([name, value, unit]) => ({ at: at(-2), name, value, unit }));
}
