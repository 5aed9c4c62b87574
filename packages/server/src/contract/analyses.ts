/**
 * An analysis of a request, as stored and signed: the inputs it was computed from (a snapshot of
 * the record), the fit, the targets, the forecast of candidate 1 with its 90 % credible band, the
 * ranked candidates with their probability of target attainment, the warnings, and for a drug the
 * models' weights; with the model's id and version, the engine's version and the hash a
 * validation signs. Every shape is the models library's (compile-time proofs below).
 */
import type {
  AnalysisCandidate,
  AnalysisInputs as ModelAnalysisInputs,
  AnalysisTarget,
  ClinicalAnalysis,
} from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, DateTime, Nullable, Quantity, type Same, strict, Timestamp } from './common.ts';
import { Issue } from './errors.ts';
import { Units } from './models.ts';
import { Attainment, Computed, Forecast, MetricValue } from './forecast.ts';
import { PositiveQuantity, Regimen } from './regimen.ts';
import { CovariateValues, DoseValues, LevelValues, RecordCorrection } from './record-values.ts';
import { Validation } from './validations.ts';
import { AdherenceEffect, AdherenceValues, PrescriptionValues } from './adherence.ts';
import { AnalysisLocalModel } from './local-models.ts';

export const AnalysisOptions = Type.Object(
  {
    targets: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 5,
        description: "target text, e.g. 'auc24=400..600 mg*h/L'; default: the model's (its drug's)",
      }),
    ),
    start: Type.Optional({ ...DateTime, description: 'first new dose; default: when the next dose is due' }),
    modelId: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'a drug-level request: analyse with this one model of the drug instead (keep one model)',
      }),
    ),
    loadingTarget: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "a loading dose reaching this early, e.g. 'auc24=400..600 mg*h/L'",
      }),
    ),
    startWhenBelow: Type.Optional({
      ...PositiveQuantity,
      description: 'start the new regimen when the predicted level has fallen to this concentration',
    }),
    mic: Type.Optional({
      ...PositiveQuantity,
      description: 'the MIC of the pathogen, for MIC-based targets (fT>MIC, fAUC/MIC, Cmax/MIC, fCmin/MIC)',
    }),
    fu: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'the unbound fraction MIC-based targets apply to (default 1: total concentrations)',
      }),
    ),
    localModelId: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 64,
          description:
            "an approved local version of the request's model; null: the published model; absent: the approved local version in force, if any",
        }),
      ),
    ),
  },
  strict,
);
export type AnalysisOptions = Static<typeof AnalysisOptions>;

/** The record an analysis is computed from, as a snapshot (the library's `AnalysisInputs`). */
export const AnalysisInputs = Type.Object({
  patientId: Type.String(),
  modelId: Type.String(),
  administrations: Type.Array(DoseValues),
  samples: Type.Array(LevelValues),
  covariates: Type.Array(CovariateValues),
  targets: Type.Array(Type.String()),
  start: Nullable(Timestamp),
  loadingTarget: Type.Optional(Nullable(Type.String())),
  startWhenBelow: Type.Optional(Nullable(Quantity)),
  mic: Type.Optional(Nullable(Quantity)),
  fu: Type.Optional(Nullable(Type.Number())),
});
export type AnalysisInputs = Static<typeof AnalysisInputs>;
export type _InputsAreTheLibrarys = Assert<Same<AnalysisInputs, ModelAnalysisInputs>>;

/** A correction of the record an analysis was computed from: which record, and the correction. */
export const InputCorrection = Type.Union([
  Type.Object({ record: Type.Literal('administration'), ...RecordCorrection(DoseValues).properties }),
  Type.Object({ record: Type.Literal('sample'), ...RecordCorrection(LevelValues).properties }),
  Type.Object({ record: Type.Literal('covariate'), ...RecordCorrection(CovariateValues).properties }),
]);
export type InputCorrection = Static<typeof InputCorrection>;

/**
 * The stored inputs: the snapshot (for a drug: `modelId` the selected model, with the drug and
 * the formulation), the unit conversions done, and the first new dose of candidate 1.
 */
export const StoredInputs = Type.Object({
  ...AnalysisInputs.properties,
  drug: Type.Optional(Nullable(Type.String())),
  formulation: Type.Optional(Nullable(Type.String())),
  conversions: Type.Array(Type.String(), { description: "'5 mg → 5000 ug', 'CRCL = …'" }),
  start: Nullable(Timestamp),
  adherence: Type.Optional(
    Type.Object(
      {
        until: Timestamp,
        prescriptions: Type.Array(Type.Object({ id: Type.String(), ...PrescriptionValues.properties })),
        records: Type.Array(Type.Object({ id: Type.String(), ...AdherenceValues.properties })),
        recorded: Type.Array(DoseValues, { description: 'the administrations recorded' }),
        prescribed: Type.Array(DoseValues, {
          description: 'the history without the adherence records (every prescribed dose at its time)',
        }),
      },
      {
        description:
          "with a prescription: the dose history's parts (prescriptions, adherence records and administrations in force, doses due until `until`); `administrations` is the real history the library built from them",
      },
    ),
  ),
  corrections: Type.Optional(
    Type.Array(InputCorrection, {
      description:
        "the record's corrections the snapshot reflects (amended values used, entered-in-error records left out)",
    }),
  ),
});
export type StoredInputs = Static<typeof StoredInputs>;

const ModelRef = Type.Object({
  id: Type.String(),
  version: Type.String(),
  citation: Type.String(),
  units: Units,
});

export const Fit = Type.Object({
  kind: Type.Union([Type.Literal('map'), Type.Literal('a priori')]),
  converged: Type.Boolean(),
  objective: Nullable(Computed),
  obj: Nullable(Computed),
  etaNames: Type.Array(Type.String()),
  eta: Type.Array(Computed),
  parameters: Type.Record(Type.String(), Computed, {
    description: "the model's individual values at the last record (model units)",
  }),
  observations: Type.Array(
    Type.Object(
      { at: Timestamp, observed: Computed, predicted: Computed, censored: Type.Boolean() },
      { description: 'each level used, model concentration unit; censored: below its LLOQ (M3)' },
    ),
  ),
  intervals: Type.Array(
    Type.Object({
      from: Timestamp,
      to: Timestamp,
      levels: Type.Integer(),
      auc: Computed,
      cavg: Computed,
      cmin: Computed,
      cmax: Computed,
    }),
    { description: "each past dosing interval holding a level: its exposure with the interval's own IOV" },
  ),
  draws: Type.Integer({ description: 'posterior (prior) draws behind the PTA and the band' }),
  acceptance: Nullable(Computed),
  seed: Type.Integer(),
  model: ModelRef,
  adherence: Type.Optional(AdherenceEffect),
});
export type Fit = Static<typeof Fit>;
export type _FitIsTheLibrarys = Assert<Same<Omit<Fit, 'model' | 'adherence'>, ClinicalAnalysis['fit']>>;

export const Target = Type.Object(
  {
    text: Type.String(),
    metric: Type.String(),
    lo: Nullable(Computed),
    hi: Nullable(Computed),
    priority: Type.Integer(),
  },
  { description: "a target: its text, metric and bounds in the model's units" },
);
export type Target = Static<typeof Target>;
export type _TargetIsTheLibrarys = Assert<Same<Target, AnalysisTarget>>;

/** A ranked candidate regimen (the library's `AnalysisCandidate`). */
export const Candidate = Type.Object({
  rank: Type.Integer(),
  regimen: Regimen,
  composition: Type.Array(Type.Object({ strength: Computed, count: Computed })),
  metrics: Type.Array(MetricValue),
  pta: Nullable(Attainment),
  exactDose: Nullable(Quantity),
  timeToSteadyState: Nullable(Quantity),
  models: Nullable(
    Type.Array(
      Type.Object({
        id: Type.String(),
        weight: Computed,
        metrics: Type.Array(MetricValue),
        pta: Nullable(Attainment),
      }),
      { description: "a drug's models: each one's weight, metrics and PTA under this regimen" },
    ),
  ),
});
export type Candidate = Static<typeof Candidate>;
export type _CandidateIsTheLibrarys = Assert<Same<Candidate, AnalysisCandidate>>;

export const Averaging = Type.Object(
  {
    drug: Type.String(),
    formulation: Nullable(Type.String()),
    units: Units,
    models: Type.Array(
      Type.Object({
        id: Type.String(),
        version: Type.String(),
        citation: Type.String(),
        objective: Computed,
        weight: Computed,
        converged: Type.Boolean(),
      }),
    ),
    excluded: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
    selected: Type.String(),
    method: Type.String(),
  },
  { description: "a drug-level analysis: the models' weights (likelihood), those left out and why" },
);
export type Averaging = Static<typeof Averaging>;

export const Analysis = Type.Object(
  {
    id: Type.String(),
    requestId: Type.String(),
    patientId: Type.String(),
    version: Type.Integer(),
    supersedes: Nullable(Type.String()),
    kind: Type.Union([Type.Literal('model'), Type.Literal('drug')]),
    modelId: Type.String(),
    modelVersion: Type.String(),
    engineVersion: Type.String(),
    inputs: StoredInputs,
    fit: Fit,
    targets: Type.Array(Target),
    forecast: Nullable(Forecast),
    nextDose: Nullable(
      Type.Object(
        { threshold: Quantity, at: Timestamp, probabilityBelow: Nullable(Computed) },
        { description: 'with a start-when-below threshold: when the predicted level has fallen to it' },
      ),
    ),
    candidates: Type.Array(Candidate),
    warnings: Type.Array(Issue),
    averaging: Nullable(Averaging),
    hash: Type.String({
      description: 'SHA-256 of the canonical JSON of the analysis: what a validation signs',
    }),
    createdAt: Timestamp,
    createdBy: Type.String(),
    validation: Nullable(Validation),
    localModel: Nullable(AnalysisLocalModel),
  },
  { description: 'the analysis (a new version when one exists), with its validation once signed' },
);
export type Analysis = Static<typeof Analysis>;
