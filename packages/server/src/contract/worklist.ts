/**
 * The worklist: finding a patient by name or hospital number, and the request queue's counts (the
 * pending count in the header, the pharmacologist's home).
 */
import { type Static, Type } from 'typebox';
import { Nullable, strict, Timestamp } from './common.ts';

export const PatientSearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 2,
      maxLength: 100,
      description: 'part of the family, given or birth name, or of the hospital number (case-insensitive)',
    }),
  },
  strict,
);
export type PatientSearchQuery = Static<typeof PatientSearchQuery>;

export const PatientMatch = Type.Object({
  id: Type.String(),
  pseudonym: Type.String(),
  service: Type.String(),
  sex: Type.String(),
  familyName: Type.String(),
  givenName: Type.String(),
  birthName: Nullable(Type.String()),
  birthDate: Type.String({ description: 'YYYY-MM-DD' }),
  hospitalNumber: Type.String(),
});
export type PatientMatch = Static<typeof PatientMatch>;
export const PatientMatches = Type.Array(PatientMatch, {
  description: 'the patients the user may see whose name or hospital number contains the text, at most 50',
});

export const RequestCounts = Type.Object(
  {
    submitted: Type.Integer(),
    analysed: Type.Integer(),
    validated: Type.Integer(),
    rejected: Type.Integer(),
    /** Awaiting the pharmacologist's signature: submitted or analysed. */
    pending: Type.Integer(),
    urgentPending: Type.Integer(),
    /** When the oldest pending request was submitted, or null. */
    oldestPendingAt: Nullable(Timestamp),
  },
  { description: "the requests the user may see, counted by status (a prescriber: their service's)" },
);
export type RequestCounts = Static<typeof RequestCounts>;
