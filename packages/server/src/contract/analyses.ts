/**
 * An analysis of a request, as stored and signed: the inputs it was computed from (a snapshot of
 * the record), the fit, the forecast, the ranked candidates and the warnings, with the model's id
 * and version, the engine's version and the hash a validation signs.
 */
import type { AnalysisInputs as ModelAnalysisInputs, CandidateOut } from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, DateTime, Nullable, Quantity, type Same, strict, Timestamp } from './common.ts';
import { Issue } from './errors.ts';
import { Units } from './models.ts';
import { RouteName } from './regimen.ts';
import { Validation } from './validations.ts';

/**
 * A computed number. A value the engine could not compute (NaN) is stored, like any JSON, as
 * null, and is sent as null rather than as a made-up 0.
 */
const Computed = Type.Unsafe<number>({ type: ['number', 'null'], description: 'null: not computable' });

export const AnalysisOptions = Type.Object(
  {
    targets: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 5,
        description: "target text, e.g. 'auc24=400..600 mg*h/L'; default: the model's",
      }),
    ),
    start: Type.Optional({ ...DateTime, description: 'first new dose; default: when the next dose is due' }),
  },
  strict,
);
export type AnalysisOptions = Static<typeof AnalysisOptions>;

/** The record an analysis is computed from, as a snapshot (the library's `AnalysisInputs`). */
export const AnalysisInputs = Type.Object({
  patientId: Type.String(),
  modelId: Type.String(),
  administrations: Type.Array(
    Type.Object({
      at: Timestamp,
      amount: Type.Number(),
      unit: Type.String(),
      route: RouteName,
      duration: Nullable(Quantity),
      product: Type.String(),
    }),
  ),
  samples: Type.Array(
    Type.Object({
      at: Timestamp,
      value: Type.Number(),
      unit: Type.String(),
      matrix: Type.String(),
      assay: Type.String(),
      lloq: Nullable(Type.Number()),
    }),
  ),
  covariates: Type.Array(
    Type.Object({ at: Timestamp, name: Type.String(), value: Type.Number(), unit: Type.String() }),
  ),
  targets: Type.Array(Type.String()),
  start: Nullable(Timestamp),
});
export type AnalysisInputs = Static<typeof AnalysisInputs>;
export type _InputsAreTheLibrarys = Assert<Same<AnalysisInputs, ModelAnalysisInputs>>;

/** The stored inputs: the snapshot, the unit conversions done, and the time of the first new dose. */
export const StoredInputs = Type.Object({
  ...AnalysisInputs.properties,
  conversions: Type.Array(Type.String(), { description: "'5 mg → 5000 ug', 'CRCL = …'" }),
  start: Timestamp,
});
export type StoredInputs = Static<typeof StoredInputs>;

export const Fit = Type.Object({
  kind: Type.Union([Type.Literal('map'), Type.Literal('a priori')]),
  converged: Type.Boolean(),
  objective: Nullable(Computed),
  etaNames: Type.Array(Type.String()),
  eta: Type.Array(Computed),
  parameters: Type.Record(Type.String(), Computed, {
    description: "individual parameters at the estimate (the model's named variables)",
  }),
  observations: Type.Array(
    Type.Object({ at: Timestamp, observed: Computed, predicted: Computed }, { description: 'model units' }),
  ),
  model: Type.Object({
    id: Type.String(),
    version: Type.String(),
    citation: Type.String(),
    units: Units,
  }),
});
export type Fit = Static<typeof Fit>;

export const Forecast = Type.Object({
  concUnit: Type.String(),
  points: Type.Array(Type.Object({ at: Timestamp, conc: Computed })),
});
export type Forecast = Static<typeof Forecast>;

/** A ranked candidate regimen (model units): the library's `CandidateOut`. */
export const Candidate = Type.Object({
  rank: Type.Integer(),
  dose: Computed,
  doseUnit: Type.String(),
  units: Type.Array(Type.Object({ strength: Computed, count: Computed })),
  interval: Computed,
  duration: Computed,
  timeUnit: Type.String(),
  route: Type.String(),
  metrics: Type.Array(Type.Object({ target: Type.String(), value: Computed, met: Type.Boolean() })),
  exactDose: Computed,
});
export type Candidate = Static<typeof Candidate>;
export type _CandidateIsTheLibrarys = Assert<Same<Candidate, CandidateOut>>;

export const Analysis = Type.Object(
  {
    id: Type.String(),
    requestId: Type.String(),
    patientId: Type.String(),
    version: Type.Integer(),
    supersedes: Nullable(Type.String()),
    modelId: Type.String(),
    modelVersion: Type.String(),
    engineVersion: Type.String(),
    inputs: StoredInputs,
    fit: Fit,
    forecast: Forecast,
    candidates: Type.Array(Candidate),
    warnings: Type.Array(Issue),
    hash: Type.String({
      description: 'SHA-256 of the canonical JSON of the analysis: what a validation signs',
    }),
    createdAt: Timestamp,
    createdBy: Type.String(),
    validation: Nullable(Validation),
  },
  { description: 'the analysis (a new version when one exists), with its validation once signed' },
);
export type Analysis = Static<typeof Analysis>;
