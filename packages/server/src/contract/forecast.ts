/**
 * A regimen's forecast as the page shows it and a decision retains it: the curves of the history
 * followed by the regimen, the 90 % credible band, each target's metric and the probability of
 * attaining the targets (the models library's shapes, proven equal below).
 */
import type {
  Attainment as ModelAttainment,
  MetricValue as ModelMetricValue,
  RegimenForecast,
} from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, type Same } from './common.ts';
import { Regimen } from './regimen.ts';

/**
 * A computed number. A value the engine could not compute (NaN) is stored, like any JSON, as
 * null, and is sent as null rather than as a made-up 0.
 */
export const Computed = Type.Unsafe<number>({
  type: ['number', 'null'],
  description: 'null: not computable',
});

export const MetricValue = Type.Object({
  target: Type.String(),
  metric: Type.String(),
  value: Computed,
  met: Type.Boolean(),
});
export type MetricValue = Static<typeof MetricValue>;
export type _MetricValueIsTheLibrarys = Assert<Same<MetricValue, ModelMetricValue>>;

export const Attainment = Type.Object(
  { each: Type.Array(Computed), all: Computed, draws: Type.Integer() },
  { description: 'the probability over the draws of attaining each target, and all of them' },
);
export type Attainment = Static<typeof Attainment>;
export type _AttainmentIsTheLibrarys = Assert<Same<Attainment, ModelAttainment>>;

export const Forecast = Type.Object(
  {
    regimen: Regimen,
    concUnit: Type.String(),
    times: Type.Array(Computed, { description: 'epoch ms' }),
    ipred: Type.Array(Computed),
    pred: Type.Array(Computed),
    band: Type.Object({
      times: Type.Array(Computed),
      lo: Type.Array(Computed),
      hi: Type.Array(Computed),
      draws: Type.Integer(),
    }),
    metrics: Type.Array(MetricValue),
    exposure: Type.Object({ aucInterval: Computed, auc24: Computed, cmin: Computed, cmax: Computed }),
    startMs: Computed,
  },
  { description: 'the history followed by a regimen: curves, the 90 % credible band, steady-state metrics' },
);
export type Forecast = Static<typeof Forecast>;
export type _ForecastIsTheLibrarys = Assert<Same<Forecast, RegimenForecast>>;

/** The regimen a decision retains, evaluated on the analysis's inputs as the what-if showed it. */
export const RetainedEvaluation = Type.Object(
  {
    forecast: Forecast,
    metrics: Type.Array(MetricValue, { description: "averaged over the drug's models for a drug" }),
    pta: Type.Union([Attainment, Type.Null()]),
  },
  { description: 'the retained regimen: its forecast with the band, its metrics and PTA' },
);
export type RetainedEvaluation = Static<typeof RetainedEvaluation>;
