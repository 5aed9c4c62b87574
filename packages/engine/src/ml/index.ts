/** Machine-learning exposure estimators trained on virtual patients (see README, "Machine-learning estimators"). */
export { type GbdtParams, type Gbdt, trainGbdt, predictGbdt, checkGbdtParams } from './gbdt.ts';
export { type Ridge, trainRidge, predictRidge } from './ridge.ts';
export { streamSeed, STREAM } from './seeds.ts';
export { type PopulationSpec, type VariableSpec, checkPopulation, drawClinical } from './population.ts';
export {
  type SamplingDesign,
  type VirtualModel,
  type VirtualSetup,
  type VirtualPatient,
  VirtualPopulation,
  checkDesign,
  designRecords,
  intervalAuc,
  mapAuc,
} from './virtual.ts';
export { type FeatureDef, type FeatureInput, treeFeatures, baselineFeatures } from './features.ts';
export {
  ESTIMATOR_FORMAT,
  ESTIMATOR_FORMAT_VERSION,
  type GbdtGrid,
  type TrainingRecipe,
  type TrainingData,
  type CvResult,
  type MlEstimator,
  type ScoreInput,
  type Score,
  type Quantity,
  splitIndices,
  checkRecipe,
  gridCombos,
  cvTask,
  chooseParams,
  fitFinal,
  trainEstimator,
  scoreEstimator,
  scoreFeatures,
  predictLnAuc,
  validateEstimator,
} from './estimator.ts';
export { type Metrics, accuracy, stratify } from './metrics.ts';
export {
  renderReport,
  scatterSvg,
  groupErrorSvg,
  type ReportInput,
  type ReportSection,
  type SubgroupBiasTable,
} from './report.ts';
