/** The model library as the app offers it: each model's id, drug, citation, units, covariates, targets. */
import { type Static, Type } from 'typebox';
import { Nullable } from './common.ts';

export const Units = Type.Object({ dose: Type.String(), time: Type.String(), conc: Type.String() });
export type Units = Static<typeof Units>;

export const ModelInfo = Type.Object({
  id: Type.String({ description: "the model's path in the library, e.g. 'vancomycin/goti2018'" }),
  version: Type.String(),
  drug: Type.String(),
  citation: Nullable(Type.String()),
  units: Units,
  covariates: Type.Array(Type.Object({ name: Type.String(), unit: Type.String(), label: Type.String() })),
  targets: Type.Array(
    Type.Object({
      metric: Type.String(),
      lo: Nullable(Type.Number()),
      hi: Nullable(Type.Number()),
      unit: Type.String(),
      note: Type.String(),
    }),
  ),
  status: Nullable(
    Type.Union([Type.Literal('verified'), Type.Literal('partial'), Type.Literal('unconfirmed')], {
      description: "the model's verification status (its `verified` block)",
    }),
  ),
});
export type ModelInfo = Static<typeof ModelInfo>;
export const ModelList = Type.Array(ModelInfo, { description: 'the library models' });
