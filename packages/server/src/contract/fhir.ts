/**
 * Importing a patient's record from the hospital's FHIR server: what to import (the drug, the
 * FHIR patient), and what the import did with each resource — created, unchanged, amended (a
 * newer version), held (the entry checks refused it or want a warning confirmed), removed (the
 * resource is now entered in error) — with the conversions done and the resources refused, each
 * with its reason.
 */
import { type Static, Type } from 'typebox';
import { strict } from './common.ts';
import { Issue } from './errors.ts';
import { CovariateValues, DoseValues, LevelValues } from './record-values.ts';

const Reference = Type.String({ maxLength: 200, description: "a FHIR resource: 'Observation/vi-c1'" });

export const FhirImportBody = Type.Object(
  {
    drug: Type.String({
      maxLength: 100,
      description: "the drug whose levels and doses are read: 'vancomycin'",
    }),
    fhirPatientId: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9\\-.]{1,64}$',
        description: "the patient's id on the FHIR server (default: the one the patient is linked to)",
      }),
    ),
    acknowledge: Type.Optional(
      Type.Array(
        Type.Object(
          {
            resource: Reference,
            codes: Type.Array(Type.String({ pattern: '^DT_[A-Z0-9_]+$', maxLength: 60 }), { maxItems: 30 }),
          },
          strict,
        ),
        {
          maxItems: 500,
          description:
            'warnings confirmed per resource (an entry held with DT_ACK_REQUIRED is created once they are)',
        },
      ),
    ),
  },
  strict,
);
export type FhirImportBody = Static<typeof FhirImportBody>;

export const FhirImportOutcome = Type.Union(
  [
    Type.Literal('created'),
    Type.Literal('unchanged'),
    Type.Literal('amended'),
    Type.Literal('held'),
    Type.Literal('removed'),
  ],
  {
    description:
      "'created': a new record; 'unchanged': imported before, same values; 'amended': a newer version, the record corrected; 'held': not stored (see issues); 'removed': the resource is now entered in error or cancelled, the record marked entered in error",
  },
);
export type FhirImportOutcome = Static<typeof FhirImportOutcome>;

export const FhirImportEntry = Type.Object({
  resource: Reference,
  versionId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('administrations'), Type.Literal('samples'), Type.Literal('covariates')]),
  recordId: Type.Union([Type.String(), Type.Null()]),
  outcome: FhirImportOutcome,
  values: Type.Union([DoseValues, LevelValues, CovariateValues]),
  issues: Type.Array(Issue),
  note: Type.Optional(Type.String()),
});
export type FhirImportEntry = Static<typeof FhirImportEntry>;

export const FhirImportResult = Type.Object(
  {
    server: Type.String(),
    fhirPatientId: Type.String(),
    entries: Type.Array(FhirImportEntry),
    conversions: Type.Array(
      Type.Object({
        resource: Reference,
        field: Type.String(),
        from: Type.String(),
        to: Type.String(),
        en: Type.String(),
        fr: Type.String(),
      }),
    ),
    refused: Type.Array(Type.Object({ resource: Type.Union([Reference, Type.Null()]), issue: Issue })),
    missing: Type.Array(
      Type.Object(
        { resource: Reference, recordId: Type.String() },
        { description: 'imported before, not on the server now: the record is kept' },
      ),
    ),
  },
  {
    description:
      'what the import did with each resource taken (created, unchanged, amended, held, removed), the conversions, the resources refused and why',
  },
);
export type FhirImportResult = Static<typeof FhirImportResult>;

export const FhirServerInfo = Type.Object(
  {
    server: Type.Union([Type.String(), Type.Null()], { description: 'its base URL, or null: none' }),
    smart: Type.Boolean({
      description: "registered as a SMART app: a patient opened by an EHR's launch is read with its token",
    }),
  },
  { description: 'the FHIR server the service imports from' },
);
export type FhirServerInfo = Static<typeof FhirServerInfo>;

export const FhirWriteBackBody = Type.Object(
  {
    intent: Type.Optional(
      Type.Union([Type.Literal('proposal'), Type.Literal('plan')], {
        description: "the MedicationRequest's intent: 'proposal' (advice, the default) or 'plan'",
      }),
    ),
  },
  strict,
);
export type FhirWriteBackBody = Static<typeof FhirWriteBackBody>;

export const FhirWriteBackResult = Type.Object(
  {
    server: Type.String(),
    resources: Type.Array(Type.String(), {
      description:
        "what the FHIR server created: 'DiagnosticReport/…', 'MedicationRequest/…', 'Provenance/…'",
    }),
  },
  { description: 'the signed decision, written to the FHIR server the patient was imported from' },
);
export type FhirWriteBackResult = Static<typeof FhirWriteBackResult>;
