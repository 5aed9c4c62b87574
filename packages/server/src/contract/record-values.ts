/**
 * The values of a clinical record — a dose, a level, a covariate — in one shape each: what an
 * analysis snapshots (its inputs), what a correction replaces, and what a correction's history
 * shows before and after. A record's corrections (amended, or entered in error) with their
 * reason, author and time.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Nullable, Quantity, Timestamp } from './common.ts';
import { RouteName } from './regimen.ts';

export const DoseValues = Type.Object({
  at: Timestamp,
  amount: Type.Number(),
  unit: Type.String(),
  route: RouteName,
  duration: Nullable(Quantity),
  product: Type.String(),
});
export type DoseValues = Static<typeof DoseValues>;

export const LevelValues = Type.Object({
  at: Timestamp,
  value: Type.Number(),
  unit: Type.String(),
  matrix: Type.String(),
  assay: Type.String(),
  lloq: Nullable(Type.Number()),
});
export type LevelValues = Static<typeof LevelValues>;

export const CovariateValues = Type.Object({
  at: Timestamp,
  name: Type.String(),
  value: Type.Number(),
  unit: Type.String(),
});
export type CovariateValues = Static<typeof CovariateValues>;

export const CorrectionAction = Type.Union([Type.Literal('amend'), Type.Literal('entered-in-error')], {
  description: "'amend': the record's right values; 'entered-in-error': the record is not used any more",
});
export type CorrectionAction = Static<typeof CorrectionAction>;

/** Whether a record is used: `entered-in-error` records are kept, shown struck through, and used by nothing. */
export const RecordStatus = Type.Union([Type.Literal('active'), Type.Literal('entered-in-error')]);
export type RecordStatus = Static<typeof RecordStatus>;

/** One correction of a record with values `V`: the values before and after it (null: entered in error). */
export const RecordCorrection = <V extends TSchema>(values: V) =>
  Type.Object({
    id: Type.String(),
    seq: Type.Integer({
      description: "the correction's number for this record (1, 2, …); the latest is in force",
    }),
    action: CorrectionAction,
    reason: Type.String(),
    createdAt: Timestamp,
    createdBy: Type.String(),
    author: Type.String({ description: "the author's name" }),
    before: values,
    after: Nullable(values),
  });
