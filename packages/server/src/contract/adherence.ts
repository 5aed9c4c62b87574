/**
 * Real dose times: a patient's prescriptions (the regimen prescribed from its first dose, the
 * default dose history until it ends or the next one starts) and adherence records (a prescribed
 * dose missed, taken late or early, or an extra dose), each with its source (the patient's diary,
 * a pill box's file, a clinician). Stored and corrected as the other records are: never edited,
 * a correction supersedes a record with its reason and author. The analysis's dose history is the
 * library's (`doseHistory`): the prescriptions' doses, the administrations recorded and these.
 */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable, Quantity, strict, Timestamp } from './common.ts';
import { Acknowledge, Acknowledged, Conversion } from './plausibility.ts';
import { RecordCorrection, RecordStatus } from './record-values.ts';
import { PositiveQuantity, RouteName } from './regimen.ts';

const entered = { createdAt: Timestamp, createdBy: Type.String() };

/** A prescription's values: what a correction replaces. */
export const PrescriptionValues = Type.Object({
  start: Timestamp,
  dose: Quantity,
  interval: Quantity,
  route: RouteName,
  duration: Nullable(Quantity),
  product: Type.String(),
  until: Nullable(Timestamp),
});
export type PrescriptionValues = Static<typeof PrescriptionValues>;

export const NewPrescription = Type.Object(
  {
    start: {
      ...DateTime,
      description: 'the first prescribed dose (ISO 8601 with zone); the schedule runs from it',
    },
    dose: PositiveQuantity,
    interval: PositiveQuantity,
    route: RouteName,
    duration: Type.Optional(PositiveQuantity),
    product: Type.String({ minLength: 1, maxLength: 200 }),
    until: Type.Optional(
      Nullable({
        ...DateTime,
        description: 'the last day of the prescription (null or absent: until the next one)',
      }),
    ),
    drug: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "the drug, for its plausibility bounds (default: the drug of the patient's requests)",
      }),
    ),
    acknowledge: Type.Optional(Acknowledge),
  },
  strict,
);
export type NewPrescription = Static<typeof NewPrescription>;

export const Prescription = Type.Object({
  id: Type.String(),
  ...PrescriptionValues.properties,
  ...entered,
  status: RecordStatus,
  corrections: Type.Array(RecordCorrection(PrescriptionValues)),
});
export type Prescription = Static<typeof Prescription>;

export const AdherenceKind = Type.Union(
  [Type.Literal('missed'), Type.Literal('late'), Type.Literal('taken'), Type.Literal('extra')],
  {
    description:
      "'missed': the dose due at dueAt was not taken; 'late': taken at takenAt after it was due; 'taken': taken at takenAt (early); 'extra': a dose beyond the prescription (takenAt and amount)",
  },
);
export const AdherenceSource = Type.Union(
  [Type.Literal('diary'), Type.Literal('pillbox'), Type.Literal('clinician')],
  { description: "who says so: the patient's diary, a pill box's file, a clinician" },
);

/** An adherence record's values: what a correction replaces. */
export const AdherenceValues = Type.Object({
  kind: AdherenceKind,
  dueAt: Nullable(Timestamp),
  takenAt: Nullable(Timestamp),
  amount: Nullable(Quantity),
  source: AdherenceSource,
});
export type AdherenceValues = Static<typeof AdherenceValues>;

export const NewAdherenceRecord = Type.Object(
  {
    kind: AdherenceKind,
    dueAt: Type.Optional(
      Nullable({ ...DateTime, description: 'the prescribed time the dose was due (null for an extra dose)' }),
    ),
    takenAt: Type.Optional(
      Nullable({ ...DateTime, description: 'when it was taken (null for a missed dose)' }),
    ),
    amount: Type.Optional(
      Nullable({
        ...PositiveQuantity,
        description: 'what was taken when not the prescribed dose (an extra dose: required)',
      }),
    ),
    source: AdherenceSource,
    acknowledge: Type.Optional(Acknowledge),
  },
  strict,
);
export type NewAdherenceRecord = Static<typeof NewAdherenceRecord>;

export const AdherenceRecord = Type.Object({
  id: Type.String(),
  ...AdherenceValues.properties,
  ...entered,
  status: RecordStatus,
  corrections: Type.Array(RecordCorrection(AdherenceValues)),
});
export type AdherenceRecord = Static<typeof AdherenceRecord>;

export const PillBoxUpload = Type.Object(
  {
    csv: Type.String({
      minLength: 1,
      maxLength: 500_000,
      description:
        "the pill box's export: a header naming an 'opened_at' (or 'timestamp') column of ISO 8601 date-times with a zone, one opening a line, in time order",
    }),
    toleranceH: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 6,
        description: 'an opening within this many hours of a due dose is on time (default 1)',
      }),
    ),
    acknowledge: Type.Optional(Acknowledge),
  },
  strict,
);
export type PillBoxUpload = Static<typeof PillBoxUpload>;

export const PillBoxImported = Type.Object(
  {
    created: Type.Array(Type.Object({ id: Type.String(), ...AdherenceValues.properties })),
    kept: Type.Array(
      Type.Object(
        { dueAt: Timestamp, kind: AdherenceKind, existing: Type.String() },
        {
          description:
            'a dose the record already has an adherence record of: that one is kept (correct it if the box is right)',
        },
      ),
    ),
  },
  { description: "the pill box's missed, late, early and extra doses stored; doses on time need no record" },
);
export type PillBoxImported = Static<typeof PillBoxImported>;

export const AdherenceCreated = Type.Object(
  { id: Type.String(), acknowledged: Acknowledged, conversions: Type.Array(Conversion) },
  { description: 'the record is stored' },
);
export type AdherenceCreated = Static<typeof AdherenceCreated>;

/** How much the adherence records change the estimate (the analysis's fit, when the patient has a prescription). */
export const AdherenceEffect = Type.Object(
  {
    prescribed: Type.Record(Type.String(), Type.Number(), {
      description: 'individual parameters fitted with every prescribed dose at its time (model units)',
    }),
    real: Type.Record(Type.String(), Type.Number(), { description: 'fitted with the real dose history' }),
    change: Type.Record(Type.String(), Type.Number(), { description: 'real / prescribed − 1' }),
    largest: Nullable(Type.Object({ name: Type.String(), change: Type.Number() })),
    missed: Type.Integer(),
    late: Type.Integer(),
    extra: Type.Integer(),
  },
  { description: 'the fit with the prescribed dose times against the fit with the real ones' },
);
export type AdherenceEffect = Static<typeof AdherenceEffect>;
