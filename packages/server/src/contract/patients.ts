/**
 * Patients (identity kept apart from clinical data) and their clinical records: covariates,
 * administrations and samples, each with the time it was given or taken, as entered (with zone).
 */
import { type Static, type TSchema, Type } from 'typebox';
import { AdherenceRecord, Prescription } from './adherence.ts';
import { Created, DateTime, Nullable, Quantity, strict, Timestamp } from './common.ts';
import { Issue } from './errors.ts';
import { Acknowledge, Acknowledged, Conversion } from './plausibility.ts';
import { CovariateValues, DoseValues, LevelValues, RecordCorrection, RecordStatus } from './record-values.ts';
import { RouteName } from './regimen.ts';
import { RequestSummary } from './requests.ts';

const Text = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Unit = Type.String({ minLength: 1, maxLength: 20 });
export const Sex = Type.Union([Type.Literal('male'), Type.Literal('female')]);

export const Identity = Type.Object(
  {
    familyName: Text(),
    givenName: Text(),
    birthName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'the birth name when it differs from the family name',
      }),
    ),
    birthDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }),
    hospitalNumber: Type.String({ pattern: '^[A-Za-z0-9-]{1,40}$' }),
  },
  strict,
);
export type Identity = Static<typeof Identity>;

export const NewPatient = Type.Object(
  {
    identity: Identity,
    sex: Sex,
    service: Type.Optional(Text(100)),
  },
  strict,
);
export type NewPatient = Static<typeof NewPatient>;

export const PatientCreated = Type.Object(
  { id: Type.String(), pseudonym: Type.String(), service: Type.String() },
  { description: 'the patient is created; the pseudonym names it in exports and logs' },
);
export type PatientCreated = Static<typeof PatientCreated>;

export const PatientSummary = Type.Object({
  id: Type.String(),
  pseudonym: Type.String(),
  service: Type.String(),
  sex: Type.String(),
  createdAt: Timestamp,
});
export type PatientSummary = Static<typeof PatientSummary>;
export const PatientList = Type.Array(PatientSummary, {
  description: "the patients the user may see (a prescriber: their service's)",
});

export const Patient = Type.Object({ ...PatientSummary.properties, createdBy: Type.String() });
export type Patient = Static<typeof Patient>;

export const RecordQuery = Type.Object(
  {
    identity: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: include the identity (audited as such)',
      }),
    ),
  },
  strict,
);
export type RecordQuery = Static<typeof RecordQuery>;

// Clinical records as entered (the POST bodies) …
export const NewCovariate = Type.Object(
  {
    at: DateTime,
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,30}$', description: "'WT', 'SCR', 'SEX'…" }),
    value: Type.Number(),
    unit: Type.String({
      minLength: 1,
      maxLength: 20,
      description: "'-' for codes (SEX: 0 = male, 1 = female)",
    }),
    acknowledge: Type.Optional(Acknowledge),
  },
  strict,
);
export type NewCovariate = Static<typeof NewCovariate>;

export const NewAdministration = Type.Object(
  {
    at: DateTime,
    amount: Type.Number(),
    unit: Unit,
    route: RouteName,
    duration: Type.Optional(Quantity),
    product: Text(),
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
export type NewAdministration = Static<typeof NewAdministration>;

export const NewSample = Type.Object(
  {
    at: DateTime,
    value: Type.Number(),
    unit: Unit,
    matrix: Text(60),
    assay: Text(100),
    lloq: Type.Optional(Type.Number({ description: "lower limit of quantification, in the sample's unit" })),
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
export type NewSample = Static<typeof NewSample>;

// … and as stored (without the patient, whose record holds them): the values in force (the
// latest amendment's), whether the record is used, and its corrections with the values before.
const entered = { createdAt: Timestamp, createdBy: Type.String() };
const corrected = <V extends TSchema>(values: V) => ({
  status: RecordStatus,
  corrections: Type.Array(RecordCorrection(values)),
});

export const Covariate = Type.Object({
  id: Type.String(),
  at: Timestamp,
  name: Type.String(),
  value: Type.Number(),
  unit: Type.String(),
  ...entered,
  ...corrected(CovariateValues),
});
export type Covariate = Static<typeof Covariate>;

export const Administration = Type.Object({
  id: Type.String(),
  at: Timestamp,
  amount: Type.Number(),
  unit: Type.String(),
  route: RouteName,
  duration: Nullable(Quantity),
  product: Type.String(),
  ...entered,
  ...corrected(DoseValues),
});
export type Administration = Static<typeof Administration>;

export const Sample = Type.Object({
  id: Type.String(),
  at: Timestamp,
  value: Type.Number(),
  unit: Type.String(),
  matrix: Type.String(),
  assay: Type.String(),
  lloq: Nullable(Type.Number()),
  ...entered,
  ...corrected(LevelValues),
});
export type Sample = Static<typeof Sample>;

export const PatientRecord = Type.Object(
  {
    patient: Patient,
    identity: Nullable(Identity),
    identityCorrections: Type.Array(RecordCorrection(Identity), {
      description: "the identity's amendments (with the identity only)",
    }),
    covariates: Type.Array(Covariate),
    administrations: Type.Array(Administration),
    samples: Type.Array(Sample),
    prescriptions: Type.Array(Prescription, {
      description: 'the prescriptions (each the default dose history from its first dose), by start',
    }),
    adherence: Type.Array(AdherenceRecord, {
      description: 'the missed, late, early and extra doses recorded, by due (else taken) time',
    }),
    requests: Type.Array(RequestSummary),
  },
  { description: "the patient's record, each list in time order; identity only when asked for" },
);
export type PatientRecord = Static<typeof PatientRecord>;

export const RecordCreated = { ...Created, description: 'the record is stored' };

/** A level is stored, with what the analyses will make of it (e.g. a level before the first dose is not used). */
export const SampleCreated = Type.Object(
  {
    id: Type.String(),
    warnings: Type.Array(Issue),
    acknowledged: Acknowledged,
    conversions: Type.Array(Conversion),
  },
  { description: 'the level is stored; warnings say how analyses will read it' },
);
export type SampleCreated = Static<typeof SampleCreated>;

/** Hours from the export's time origin (the first dose, else the first record). */
const Elapsed = Type.Object(
  { value: Type.Number(), unit: Type.Literal('h') },
  { description: "hours from the export's time origin (the first dose; without a dose, the first record)" },
);

/**
 * An export holds the records in force (corrected, none entered in error), without their history,
 * and nothing that finds the patient again: a subject code drawn for this export only (not the
 * in-app pseudonym), no identity, no record or user ids, no calendar or entry time (hours from the
 * first dose), the age as a band, no free text (product, assay; a matrix outside a short list is
 * `other`). The AGE covariate is left out: the band says it.
 */
export const PatientExport = Type.Object(
  {
    subject: Type.String({ description: 'drawn afresh for each export: two exports cannot be joined' }),
    sex: Type.String(),
    ageBand: Nullable(
      Type.Object(
        {
          min: Type.Integer(),
          max: Nullable(Type.Integer()),
          unit: Type.Literal('y'),
        },
        { description: 'age at the time origin, in whole years (max null: 90 and over)' },
      ),
    ),
    timeOrigin: Type.Union([Type.Literal('first dose'), Type.Literal('first record'), Type.Literal('none')]),
    covariates: Type.Array(
      Type.Object({ time: Elapsed, name: Type.String(), value: Type.Number(), unit: Type.String() }),
    ),
    administrations: Type.Array(
      Type.Object({
        time: Elapsed,
        amount: Type.Number(),
        unit: Type.String(),
        route: RouteName,
        duration: Nullable(Quantity),
      }),
    ),
    samples: Type.Array(
      Type.Object({
        time: Elapsed,
        value: Type.Number(),
        unit: Type.String(),
        matrix: Type.String(),
        lloq: Nullable(Type.Number()),
      }),
    ),
  },
  { description: 'the pseudonymised record, for research' },
);
export type PatientExport = Static<typeof PatientExport>;
