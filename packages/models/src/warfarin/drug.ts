/**
 * Warfarin: the INR target and the tablets a daily dose is made of. Not a `DrugFile` of the
 * concentration-target library: the target is on the INR, an output the library's metric
 * registry does not read; the warfarin twin (`next-dose.ts`) reads this file instead.
 */
export const WARFARIN = {
  drug: 'warfarin',
  target: {
    inr: { lo: 2, hi: 3 },
    citation:
      'CHEST guideline (Ageno W et al. Oral anticoagulant therapy. Chest 2012;141(2 Suppl):e44S-e88S): INR 2.0-3.0 (target 2.5) for atrial fibrillation and venous thromboembolism',
    population:
      'adults on warfarin for atrial fibrillation or venous thromboembolism (not mechanical mitral valves)',
  },
  tablets: {
    strengthsMg: [1, 2, 2.5, 3, 4, 5, 6, 7.5, 10],
    source:
      'Coumadin (warfarin sodium) US prescribing information, How supplied: scored tablets of 1, 2, 2.5, 3, 4, 5, 6, 7.5 and 10 mg (in France: Coumadine 2 mg and 10 mg, scored)',
  },
  /** At most this many tablets a day: a daily dose is one tablet or two (of any strengths). */
  maxTabletsPerDay: 2,
  maintenance: {
    citation:
      'Coumadin US prescribing information, Table 5: range of expected therapeutic warfarin doses based on CYP2C9 and VKORC1 genotypes',
  },
} as const;

/** Daily doses (mg) made of one or two tablets of the listed strengths, ascending, with their tablets. */
export function tabletDoses(
  strengthsMg: readonly number[] = WARFARIN.tablets.strengthsMg,
): { doseMg: number; tablets: number[] }[] {
  const byDose = new Map<number, number[]>();
  const add = (tablets: number[]): void => {
    const dose = Math.round(tablets.reduce((a, b) => a + b, 0) * 1000) / 1000;
    const prev = byDose.get(dose);
    if (!prev || tablets.length < prev.length) byDose.set(dose, tablets);
  };
  for (let i = 0; i < strengthsMg.length; i++) {
    add([strengthsMg[i]]);
    for (let j = i; j < strengthsMg.length; j++) add([strengthsMg[i], strengthsMg[j]]);
  }
  return [...byDose.entries()].sort((a, b) => a[0] - b[0]).map(([doseMg, tablets]) => ({ doseMg, tablets }));
}
