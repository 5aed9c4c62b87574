/**
 * Corrections of a patient's record: a dose, a level or a covariate amended (its right values,
 * checked as a new entry is) or marked entered in error, and the identity amended; each with the
 * reason. The corrected record is never changed: the correction is stored beside it, the values
 * before are kept and shown struck through, and analyses use the corrected record.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Id, strict } from './common.ts';
import { NewAdherenceRecord, NewPrescription } from './adherence.ts';
import { Identity, NewAdministration, NewCovariate, NewSample } from './patients.ts';
import { CorrectionAction } from './record-values.ts';

export const CorrectionParams = Type.Object({ id: Id, recordId: Id }, strict);
export type CorrectionParams = Static<typeof CorrectionParams>;

const Reason = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: "why: 'transcription error: 1 g given, not 2 g'",
});

const NewCorrectionOf = <V extends TSchema>(value: V) =>
  Type.Object(
    {
      action: CorrectionAction,
      reason: Reason,
      value: Type.Optional({ ...value, description: "'amend': the record's right values, all of them" }),
    },
    strict,
  );

export const NewDoseCorrection = NewCorrectionOf(NewAdministration);
export type NewDoseCorrection = Static<typeof NewDoseCorrection>;
export const NewLevelCorrection = NewCorrectionOf(NewSample);
export type NewLevelCorrection = Static<typeof NewLevelCorrection>;
export const NewCovariateCorrection = NewCorrectionOf(NewCovariate);
export type NewCovariateCorrection = Static<typeof NewCovariateCorrection>;
export const NewPrescriptionCorrection = NewCorrectionOf(NewPrescription);
export type NewPrescriptionCorrection = Static<typeof NewPrescriptionCorrection>;
export const NewAdherenceCorrection = NewCorrectionOf(NewAdherenceRecord);
export type NewAdherenceCorrection = Static<typeof NewAdherenceCorrection>;

/** The identity is amended (a patient is never entered in error: the record stays one person's). */
export const NewIdentityCorrection = Type.Object(
  {
    action: Type.Literal('amend'),
    reason: Reason,
    value: { ...Identity, description: 'the right identity, all of it' },
  },
  strict,
);
export type NewIdentityCorrection = Static<typeof NewIdentityCorrection>;

export const CorrectionCreated = Type.Object(
  { id: Type.String(), seq: Type.Integer() },
  { description: 'the correction is stored; the record shows the values in force and the ones before' },
);
export type CorrectionCreated = Static<typeof CorrectionCreated>;
