/**
 * What a pseudonymised export makes of a record: pure functions over plain data. A research
 * export must not let its reader find the patient again from what it holds, even beside other
 * sources (the ward's calendar, the laboratory's system, another export): so no calendar time
 * (times are hours from the first dose), no entry time, no age in years (a band), no free text
 * (a product or assay named by hand may hold anything, a name included), and a subject code drawn
 * afresh for each export (two exports of one patient cannot be joined, nor matched with the
 * in-app pseudonym).
 */
import { randomBytes } from 'node:crypto';

/** A subject code of its own for each export: `S-` and 10 random hexadecimal digits. */
export const exportSubject = (): string => `S-${randomBytes(5).toString('hex').toUpperCase()}`;
export const SUBJECT_RE = /^S-[0-9A-F]{10}$/;

/** Hours (to the minute) from `origin` to `at`, both ISO 8601 with a zone. */
export function hoursFrom(originIso: string, atIso: string): { value: number; unit: 'h' } {
  const minutes = Math.round((Date.parse(atIso) - Date.parse(originIso)) / 60_000);
  return { value: Number((minutes / 60).toFixed(4)), unit: 'h' };
}

export interface AgeBand {
  /** Whole years, inclusive. */
  min: number;
  /** Null: open (90 and over, as HIPAA's Safe Harbor groups the oldest). */
  max: number | null;
  unit: 'y';
}

/** Children by stage, adults by decade, 90 and over together. */
const BANDS: readonly (readonly [number, number | null])[] = [
  [0, 0],
  [1, 4],
  [5, 11],
  [12, 17],
  [18, 29],
  [30, 39],
  [40, 49],
  [50, 59],
  [60, 69],
  [70, 79],
  [80, 89],
  [90, null],
];

/** Completed years between a birth date (YYYY-MM-DD) and an instant. */
export function completedYears(birthDate: string, atIso: string): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  const at = new Date(atIso);
  const years = at.getUTCFullYear() - y;
  const beforeBirthday = at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d);
  return years - (beforeBirthday ? 1 : 0);
}

/** The band of the age at `at`. */
export function ageBand(birthDate: string, atIso: string): AgeBand {
  const years = Math.max(0, completedYears(birthDate, atIso));
  const [min, max] = [...BANDS].reverse().find(([lo]) => years >= lo)!;
  return { min, max, unit: 'y' };
}

/** Sample matrices named by a controlled word; anything else typed by hand is exported as `other`. */
const MATRICES = new Set(['plasma', 'serum', 'whole blood', 'blood', 'urine', 'csf']);
export const exportMatrix = (matrix: string): string => {
  const m = matrix.trim().toLowerCase();
  return MATRICES.has(m) ? m : 'other';
};
