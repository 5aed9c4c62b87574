/** Bayesian estimation of one patient's random effects: MAP, conditional covariance, posterior. */
export { MapObjective, type ObjectiveOptions } from './objective.ts';
export {
  MapEstimator,
  estimateMap,
  CLOSE_MODES,
  type MapFit,
  type MapOptions,
  type MapEvaluation,
  type FixedEtaEvaluation,
  type OtherMode,
} from './map.ts';
export { conditionalCovariance, type ConditionalCovariance } from './covariance.ts';
export { minimize, type Minimizable, type MinimizeOptions, type MinimizeResult } from './bfgs.ts';
export { FiniteDifferences, type JacobianMethod } from './jacobian.ts';
export { buildSensitivityModel, etasAffectingDoseTiming, SensitivityJacobian } from './sensitivity.ts';
export {
  samplePosterior,
  predictionBands,
  summarise,
  quantileSorted,
  type PosteriorOptions,
  type PosteriorSample,
  type PredictionBand,
} from './posterior.ts';
export {
  compareWithReference,
  agreementFailures,
  formatAgreement,
  type Agreement,
  type ReferenceFit,
} from './agreement.ts';
export { erfc, erfcx, logNormalCdf, millsRatio, normalCdf, normalQuantile } from './normal.ts';
export {
  modelWeights,
  selectModel,
  averagePredictions,
  mixtureProbability,
  dataScaleObjective,
  type ModelScore,
  type ModelWeights,
  type WeightScheme,
} from './averaging.ts';
