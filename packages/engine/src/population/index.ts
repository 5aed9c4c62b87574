/** Population fitting: FOCE-I and SAEM on the model IR, the covariance step, shrinkage. */
export {
  parameterSpace,
  modelParameters,
  withParameters,
  modelWith,
  sigmaName,
  omegaName,
  namedParameters,
  type PopulationParameters,
  type ParameterSpace,
  type ParameterSpaceOptions,
  type ThetaBounds,
} from './parameters.ts';
export {
  FoceiObjective,
  OuterProblem,
  LocalModes,
  WarmStarts,
  conditionalModes,
  type WarmStart,
  type ModesEvaluator,
  type ModesOptions,
  type FoceiEvaluation,
  type FoceiOptions,
  type PopulationPrior,
  type FitProgress,
  type SubjectMode,
} from './focei.ts';
export {
  fitFocei,
  covarianceStep,
  positiveComponents,
  interval95,
  type CovarianceMethod,
  type PopFit,
  type PopFitOptions,
  type IndividualEstimate,
  type EstimateCovariance,
} from './fit.ts';
export {
  fitSaem,
  muReferences,
  saemPlan,
  SaemLocal,
  SaemEstimator,
  saemSummary,
  addSaemStatistics,
  addSaemSummaries,
  emptySaemStatistics,
  type SaemOptions,
  type MuReference,
  type SaemPlan,
  type SaemBroadcast,
  type SaemStatistics,
  type SaemSummary,
  type SaemEStepper,
} from './saem.ts';
export { addExact, mergeExact, exactValue, type ExactSum } from './exact-sum.ts';
export { simulatePopulation } from './simulate.ts';
export {
  goodnessOfFit,
  individualFits,
  type IndividualFit,
  vpc,
  type ObservationDiagnostic,
  type VpcBin,
  type VpcOptions,
} from './diagnostics.ts';
export { simulationReestimation, type SseComponent, type SseOptions, type SseResult } from './sse.ts';
export { updateModel, type ModelUpdate } from './update.ts';
export {
  federatedSaem,
  FederatedNodeService,
  NodeUnavailableError,
  DEFAULT_MIN_PATIENTS,
  type FederatedNode,
  type FederatedCall,
  type FederatedModel,
  type FederatedRequests,
  type FederatedReplies,
  type FederatedSaemOptions,
  type FederatedSaemResult,
  type FederatedNodeReport,
  type FederatedSaemSettings,
} from './federated.ts';
