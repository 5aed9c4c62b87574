/**
 * @dosetwin/engine — the numerical core of dosetwin: model language, NONMEM event semantics,
 * solvers and simulation. Pure and isomorphic: no I/O, no Node or DOM APIs.
 */
export { DosetwinError, formatIssue, type Issue } from './errors.ts';
export { convert, isKnownUnit } from './units.ts';
export type {
  ModelIR,
  ErrorModel,
  CovariateDef,
  DeriveRule,
  ParameterDef,
  EtaDef,
  Expr,
  Stmt,
  TargetDef,
} from './model/ir.ts';
export { parseModel } from './model/parse.ts';
export { compileModel, type CompiledModel } from './model/compile.ts';
export { loadModel } from './model/load.ts';
export { parseDataset, splitCsv, csvLines, dataIssues, type Dataset } from './events/dataset.ts';
export { patientFromRecords, type PatientData, type RecordInput } from './events/records.ts';
export { Simulator, type SimulatorOptions } from './simulate/simulator.ts';
export { LinearCmt, solvePeriodicSteadyState } from './solve/linear-cmt.ts';
export { LinearOde, expm } from './solve/expm.ts';
export { OdeSolver, type OdeOptions } from './solve/ode.ts';
export { withPredictionTimes } from './events/grid.ts';
export { parseEtaTable } from './events/etas.ts';
export { createRng, type Rng } from './simulate/rng.ts';
export { computeExposure, type Exposure, type ExposureQuery } from './dosing/exposure.ts';
export {
  parseTarget,
  type Target,
  type Metric,
  METRICS,
  inTarget,
  metricValue,
  targetCentre,
} from './dosing/targets.ts';
export {
  recommend,
  rankKey,
  rankingCriteria,
  PTA_THRESHOLD,
  BEST_PTA,
  type RankCriterion,
  compareKeys,
  type RegimenSpace,
  type RecommendInput,
  type Recommendation,
  type Candidate,
  type LoadingSearch,
  type LoadingChoice,
} from './dosing/recommend.ts';
export { topRanked, type TopRankedQuery } from './dosing/top-ranked.ts';
export {
  type AdministrationLimits,
  type CappedBy,
  type LimitBreach,
  doseCeiling,
  infusionFor,
  limitBreaches,
  loadingCeiling,
  shortestInfusion,
} from './dosing/limits.ts';
export {
  nextAdministrationTime,
  parseRegimen,
  regimenPatient,
  type FutureRegimen,
} from './dosing/regimen.ts';
export { steadyStateApproach, type SteadyStateApproach } from './dosing/steady-state.ts';
export { nextDoseTime, type NextDoseQuery, type NextDoseTime } from './dosing/next-dose.ts';
export {
  MISSED_DOSE_OPTIONS,
  missedDoseGuidance,
  missedDoseSchedule,
  plannedPatient,
  curveOn,
  timeOutside,
  type MissedDoseGuidance,
  type MissedDoseInput,
  type MissedDoseOptionId,
  type MissedDoseOutcome,
  type MissedDoseQuery,
  type PlannedDose,
} from './dosing/missed-dose.ts';
export {
  defaultWindows,
  forecastRegimen,
  forecastHistory,
  type HistoryForecast,
  type HistoryForecastInput,
  type Forecast,
  type ForecastInput,
  type ForecastWindow,
  type ForecastWindowSpec,
  type MetricForecast,
} from './dosing/forecast.ts';
export { printModel, printExpr } from './model/print.ts';
export { isControlStream } from './model/load.ts';
export {
  parseControlStream,
  readNonmemDataset,
  nonmemDataToCsv,
  type ControlStream,
  type ControlStreamOptions,
  type NonmemDataSpec,
} from './nonmem/index.ts';
export { checkUnits, parseUnit, variableUnits } from './model/units-check.ts';
export {
  MapObjective,
  MapEstimator,
  estimateMap,
  conditionalCovariance,
  minimize,
  samplePosterior,
  predictionBands,
  compareWithReference,
  agreementFailures,
  formatAgreement,
  type ObjectiveOptions,
  type MapFit,
  type MapOptions,
  type MapEvaluation,
  type ConditionalCovariance,
  type PosteriorOptions,
  type PosteriorSample,
  type PredictionBand,
  type Agreement,
  type ReferenceFit,
  modelWeights,
  selectModel,
  averagePredictions,
  mixtureProbability,
  dataScaleObjective,
  type ModelScore,
  type ModelWeights,
  type WeightScheme,
} from './estimate/index.ts';
export { cholesky } from './estimate/linalg.ts';
export * from './population/index.ts';
// Machine-learning exposure estimators
export * from './ml/index.ts';
// Bias of a subgroup and its flag (bias audit of models and of the ML estimators)
export {
  BOOTSTRAP_RESAMPLES,
  median,
  errorsByPatient,
  subgroupBias,
  subgroupBiases,
  type SubgroupBias,
} from './stats/subgroup-bias.ts';
export {
  METRIC_DEFS,
  METRIC_NAMES,
  AFTER_INFUSION_H,
  findMetric,
  metricDef,
  metricUnitFactor,
  type MetricDef,
  type MetricDimension,
  type MetricUnits,
  type ExposurePair,
} from './dosing/metrics.ts';
export {
  exposureOver,
  maintenanceExposure,
  loadingMetric,
  evaluateRegimen,
  attainment,
  type Evaluation,
  type EvaluateInput,
  type Horizon,
  type WindowQuery,
} from './dosing/evaluate.ts';
export { levelFallsTo, predictedLevels } from './dosing/next-dose.ts';
export { FUTURE_OCCASION, hasIov } from './dosing/regimen.ts';
export {
  sampledIntervals,
  sampledExposure,
  type SampledInterval,
  type SampledExposure,
} from './dosing/sampled-intervals.ts';
export {
  createTwin,
  priorDraws,
  individualValues,
  type Twin,
  type TwinOptions,
  type TwinMethod,
  type TwinForecastInput,
  type TwinHistoryForecastInput,
  type TwinRecommendInput,
  type EvaluateOptions,
} from './twin/twin.ts';
export {
  domainIssue,
  formatRange,
  twinChecks,
  misfitChecks,
  IMPLAUSIBLE_SDS,
  IMPLAUSIBLE_RATIO,
  EXTREME_ETA_SDS,
  UNIT_SLIP_RATIO,
} from './twin/checks.ts';
// MAP at given etas (NONMEM MAXEVAL=0 with $ETAS) and the other modes a fit reports
export { CLOSE_MODES, type FixedEtaEvaluation, type OtherMode } from './estimate/index.ts';
// The teaching playground's lesson curves (closed forms) and parameters
export {
  lessonCurve,
  lessonTimes,
  oneCmtCurve,
  michaelisMentenCurve,
  lambertWOfExp,
  covariateParameters,
  LESSON_IDS,
  Z95,
  type LessonId,
  type LessonCurve,
  type LessonDose,
  type LessonParams,
  type OneCmtParams,
} from './teach/curves.ts';
export { LESSON_PARAMS, LESSON_DEFAULTS, type LessonParamSpec } from './teach/lesson-defaults.ts';
export { samplingInformation, type SamplingInformation } from './teach/design.ts';
export { observe, residualVariance } from './simulate/residual.ts';
export * from './trial/index.ts';
