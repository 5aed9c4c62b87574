/**
 * @dosetwin/models — the curated model library: published population PK models in the model
 * language, each with its verification record; derived covariates; validity checks; model cards.
 */
export * from './covariates.ts';
export { resolveCovariates, checkValidity, covariateValues, formatRange } from './resolve.ts';
export type { CovariateInput, PatientCovariates, ResolvedCovariates } from './resolve.ts';
export {
  listModels,
  modelIds,
  getModel,
  modelsForDrug,
  shortCitation,
  type LibraryModel,
} from './registry.ts';
export { renderModelCard, describeError } from './card.ts';
export type { AnalysisInputs } from './analysis.ts';
export {
  parseVerified,
  type Verification,
  type VerificationCheck,
  type VerificationStatus,
} from './verified.ts';
export { parseProducts, spaceOfProducts, type ProductLine, type ProductSpace } from './products.ts';
export {
  individualParameters,
  simulateTypical,
  runCheck,
  checkPatient,
  productSanity,
  targetReferenceConcentration,
} from './evaluate.ts';
export { candidateModels, formulationsOf, type CandidateModels } from './drug-models.ts';
export { parseDrugData, splitHeader, unitNeeded, checkCovariateUnits } from './drug-data.ts';
export {
  fitDrug,
  predictDrug,
  exposureDrug,
  combineCandidates,
  pinnedSpace,
  measuredKey,
  metricFactor,
  type DrugPatient,
  type DrugRecord,
  type FitDrugOptions,
  type DrugFit,
  type DrugModelFit,
  type DrugPrediction,
  type DrugExposure,
  type ModelCandidates,
  type AveragedCandidate,
} from './averaging.ts';
export { toFutureRegimen, type Quantity, type Regimen, type Route } from './regimen.ts';
export {
  modelPolicy,
  productSpace,
  defaultTargets,
  modelTargetTexts,
  readTargetText,
  type ModelPolicy,
  type PolicyModel,
  type PolicyProduct,
  type PolicySource,
  type PolicyTarget,
} from './policy.ts';
export {
  productLimits,
  recordedWeightKg,
  modelWeightKg,
  resolveLimits,
  tightened,
  type ProductLimits,
} from './limits.ts';
export {
  alikeDifferences,
  MET_MEANING,
  PTA_MEANING,
  RANK_CRITERIA,
  type RegimenDifference,
  ptaBelowThreshold,
  rankingRule,
} from './ranking.ts';
export type {
  DrugFile,
  DrugTarget,
  Formulation,
  InfusionConstraint,
  DoseLimits,
  ModelUse,
  MlPreset,
  PresetVariable,
  EstimatorEntry,
  DrugPlausibility,
  PlausibleRange,
} from './drug.ts';
export { DRUG_FILES, drugFile, modelUse } from './drugs.ts';
export { ML_PRESETS, presetFor, virtualModel } from './ml-presets.ts';
export { dedupeIssues } from './issues.ts';
export {
  checkDrugPatient,
  clinicalPatient,
  covariatesPerRecord,
  modelPatient,
  samplePolicy,
  type ClinicalPatient,
  type ClinicalRecord,
  type CovariatesPerRecord,
  type ModelPatient,
  type ModelRef,
} from './patient.ts';
export {
  recommendWithTwin,
  recommendDrug,
  GENERATING_WEIGHT,
  DRUG_RECOMMENDATION_METHOD,
  type RecommendSettings,
  type NextDose,
  type TwinRecommendation,
  type DrugCandidate,
  type DrugRecommendation,
} from './recommendation.ts';
export { modelAverage } from './averaging.ts';
export {
  analyse,
  clinicalTwin,
  evaluateRetained,
  forecastClinical,
  attainmentClinical,
  futureRegimen,
  checkRegimen as checkClinicalRegimen,
  ANALYSIS_DEFAULTS,
  BAND_DRAWS,
  type AnalysisCandidate,
  type AnalysisSettings,
  type AnalysisTarget,
  type Attainment,
  type ClinicalAnalysis,
  type ClinicalTwin,
  type MetricValue,
  type RegimenForecast,
  type RetainedRegimen,
} from './analysis.ts';
export {
  COVARIATE_REGISTER,
  covariateEntry,
  patientInputs,
  plausibilityIssue,
  type Bilingual,
  type CovariateCode,
  type CovariateEntry,
  type CovariateType,
  type PatientInput,
} from './covariate-register.ts';
export {
  drugInputStatus,
  inputStatus,
  type DrugInputStatus,
  type InputNeed,
  type InputState,
  type InputStatus,
} from './input-status.ts';
export { currentRegimen, doseTimes, editedRegimen, openingRegimen, sameRegimen } from './what-if.ts';
export {
  advisedOption,
  lastNightDue,
  missedDoseAdvice,
  optionSentence,
  patientSheet,
  type MissedDoseAdvice,
  type MissedDoseChoice,
  type MissedDoseRequest,
} from './missed-dose.ts';
export {
  ADHERENCE_PATTERNS,
  adherenceEffect,
  adherenceEvent,
  adherenceScenarios,
  administrationOf,
  doseHistory,
  historyEffect,
  isoInZone,
  pillBoxRecords,
  prescribedDoses,
  prescriptionPeriod,
  readPillBoxCsv,
  realAdministrations,
  type AdherenceBand,
  type AdherenceEffect,
  type AdherencePattern,
  type DoseEvent,
  type DoseHistory,
  type DoseHistoryInput,
  type DoseStatus,
  type Prescription,
  type PrescriptionPeriod,
} from './adherence.ts';
export {
  dispositionRates,
  individualSummary,
  type IndividualParameter,
  type IndividualSummary,
} from './individual.ts';
export { CHECKED_CODES, checkCodedColumns, codingNote } from './data-codes.ts';
export {
  analyseDrug,
  drugTwins,
  evaluateDrugRegimen,
  formulationOfRecord,
  type DrugAnalysis,
  type DrugAnalysisCandidate,
  type DrugAnalysisInputs,
  type DrugAnalysisModel,
  type DrugTwins,
} from './drug-analysis.ts';
export {
  mlEstimate,
  matchEstimator,
  estimatorCovariates,
  estimatorFormulations,
  externalModelOf,
  sampleToleranceH,
  twinAuc,
  aucIn,
  INTERVAL_TOLERANCE_H,
  INFUSION_TOLERANCE_H,
  ML_STEADY_STATE_DOSES,
  MIN_SAMPLE_TOLERANCE_H,
  type LoadedEstimator,
  type MlMatch,
  type MlPanel,
  type MlReason,
  type MlReasonCode,
} from './ml-estimate.ts';
export {
  ISSUE_AREAS,
  ISSUE_CATALOGUE,
  ISSUE_PACKAGES,
  issueInfo,
  type IssueArea,
  type IssueEntry,
  type IssuePackage,
  type IssueSeverity,
} from './issue-catalogue.ts';
export {
  ACKNOWLEDGED_CODES,
  ANY_DRUG,
  checkClinicalRecord,
  checkCovariateValue,
  checkDailyDose,
  checkDose,
  checkDrugData,
  checkEntryTime,
  checkModelData,
  checkLevel,
  checkRegimen,
  checkRegimenStart,
  drugBounds,
  formatNumber,
  isCalendarDateTime,
  maxDailyDose,
  modelRoutes,
  needingAcknowledgement,
  weightAt,
  type CovariateValue,
  type DoseEntry,
  type EntryCheck,
  type EntryContext,
  type EntryTimeContext,
  type LevelEntry,
  type TimedDose,
} from './plausibility.ts';
// Teaching cases with a hidden truth (the playground)
export {
  CASE_FORMAT,
  CASE_ORIGIN,
  caseLevels,
  caseRecord,
  caseRegimen,
  caseScore,
  caseSeries,
  caseTruth,
  caseTwin,
  parseCase,
  scorePoints,
  truthVector,
  type CaseLevel,
  type CaseScore,
  type TeachingCase,
} from './teaching-case.ts';
export { EXAMPLE_CASE } from './teaching-examples.ts';
export {
  nextWarfarinDose,
  warfarinModel,
  warfarinCovariates,
  type WarfarinQuery,
  type WarfarinAdvice,
  type WarfarinCandidate,
  type WarfarinPatient,
  type WarfarinHistory,
} from './warfarin/next-dose.ts';
export { iwpcDailyDoseMg, type IwpcPatient } from './warfarin/iwpc.ts';
export { WARFARIN, tabletDoses } from './warfarin/drug.ts';
export { HAMBERG2007, HAMBERG2007_ID } from './warfarin/hamberg2007.ts';
export { runTrial as runWarfarinTrial, type TrialArm as WarfarinTrialArm } from './warfarin/virtual-trial.ts';
export {
  importFhir,
  importedRecord,
  type FhirImport,
  type FhirImportOptions,
  type FhirSource,
  type FhirConversion,
  type FhirRefusal,
  type Taken,
  type ImportedDose,
  type ImportedLevel,
  type ImportedCovariate,
} from './fhir/import.ts';
export * as fhirCodes from './fhir/codes.ts';
export { DEFAULT_CHUNK, resolveTrial, type ResolvedTrial, type TrialFile } from './trial.ts';
export { drugPatientCsv } from './fhir/csv.ts';
export { drugOfMedication, medicationRequestOf, regimenText } from './fhir/order.ts';
export { decisionBundle, type SignedDecision } from './fhir/write-back.ts';
export { recordBundle, type ExportInput } from './fhir/export.ts';
export {
  AUDIT_DIMENSIONS,
  biasAudit,
  formatBiasAudit,
  groupStats,
  nextLevelForecasts,
  patientAttributes,
  type AttributeValue,
  type AuditDimension,
  type AuditPatient,
  type BiasAudit,
  type BiasAuditOptions,
  type GroupStats,
  type LevelForecast,
} from './bias-audit.ts';
export { predictiveCheck, type PredictiveCheck } from './predictive-check.ts';
export {
  type LocalModelEvidence,
  type LocalModelProposal,
  type LocalModelRequest,
  type LocalPatient,
  type LocalPatientRecord,
  localLibraryModel,
  localPatients,
  proposeLocalModel,
} from './local-model.ts';
export { simulatedHospital, type SimulatedHospitalOptions } from './simulated-hospital.ts';
