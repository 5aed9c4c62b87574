/**
 * The model library as the app offers it: each model's id, drug, citation, units, covariates, the
 * inputs a user enters for it (from the covariate register) and the targets it is used with (its
 * drug file's, with the model's overrides).
 */
import type { PatientInput, PolicyTarget } from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, Nullable, type Same } from './common.ts';

export const Units = Type.Object({ dose: Type.String(), time: Type.String(), conc: Type.String() });
export type Units = Static<typeof Units>;

export const ModelInput = Type.Object(
  {
    name: Type.String({ description: "the covariate register's name, e.g. 'SCR'" }),
    unit: Type.String({
      description: "the unit the model states for it; any of the register entry's units converts",
    }),
    required: Type.Boolean({ description: 'false when the model has a default for everything it feeds' }),
    usedFor: Type.Array(Type.String(), { description: 'the model covariates it gives or is derived into' }),
  },
  { description: 'something a user enters for the model (derived covariates resolved into their inputs)' },
);
export type ModelInput = Static<typeof ModelInput>;
export type _InputIsTheLibrarys = Assert<Same<ModelInput, Omit<PatientInput, 'entry'>>>;

export const ModelTarget = Type.Object(
  {
    text: Type.String({ description: "in the engine's target syntax, e.g. 'auc24=400..600 mg*h/L'" }),
    metric: Type.String(),
    lo: Nullable(Type.Number()),
    hi: Nullable(Type.Number()),
    unit: Type.String(),
    citation: Type.String(),
    population: Type.String(),
    note: Type.String(),
    source: Type.Union([Type.Literal('drug'), Type.Literal('model')], {
      description: "the drug file's, or the model file's override",
    }),
  },
  { description: 'a target the model is used with, in priority order' },
);
export type ModelTarget = Static<typeof ModelTarget>;
export type _TargetIsThePolicys = Assert<Same<ModelTarget, PolicyTarget>>;

export const ModelInfo = Type.Object({
  id: Type.String({ description: "the model's path in the library, e.g. 'vancomycin/goti2018'" }),
  version: Type.String(),
  drug: Type.String(),
  citation: Nullable(Type.String()),
  units: Units,
  covariates: Type.Array(Type.Object({ name: Type.String(), unit: Type.String(), label: Type.String() })),
  inputs: Type.Array(ModelInput),
  targets: Type.Array(ModelTarget),
  status: Nullable(
    Type.Union([Type.Literal('verified'), Type.Literal('partial'), Type.Literal('unconfirmed')], {
      description: "the model's verification status (its `verified` block)",
    }),
  ),
});
export type ModelInfo = Static<typeof ModelInfo>;
export const ModelList = Type.Array(ModelInfo, { description: 'the library models' });
