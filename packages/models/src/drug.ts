/**
 * The shape of a drug file (`packages/models/<drug>/drug.ts`): what dosetwin knows about a drug
 * apart from any one published model — the guideline targets, the products as formulations, which
 * formulations each library model of the drug applies to, the presets that train its ML estimators
 * and the estimators shipped. A model file keeps what its paper says; the drug file is the policy
 * the models are used with (PKPDsim separates the two the same way; Tucuxi's drug files list
 * formulations with their real doses and intervals).
 *
 * A drug file is plain data (the ML presets also carry the small functions that derive clinical
 * variables). Every number has a unit; every target and product has its source, copied from the
 * model files it replaces; uncertainty is said in `note`.
 */
import type { PopulationSpec, SamplingDesign } from '@dosetwin/engine';
import type { Quantity, Route } from './regimen.ts';

/** A guideline or consensus target for the drug. */
export interface DrugTarget {
  /** In the engine's target syntax, with its unit: `auc24=400..600 mg*h/L`, `trough<=2.5 mg/L`. */
  text: string;
  /** The guideline, consensus or study it comes from (with its year). */
  citation: string;
  /** The patients it applies to. */
  population: string;
  /** What else the source says, and what is uncertain (MIC assumed, report not read...). */
  note?: string;
}

/** An infusion constraint of a product, as its label states it. */
export interface InfusionConstraint {
  /**
   * The infusion durations the regimen search offers: `lo` is also the shortest infusion allowed
   * (a hard limit), `hi` the longest offered (a dose may run longer when the rate asks for it, up
   * to `maxDuration`).
   */
  duration: { lo: number; hi: number; unit: string };
  /** Longest infusion allowed (solution stability, label), or null: up to the dosing interval. */
  maxDuration: Quantity | null;
  /**
   * Maximum infusion rate where the label states one (vancomycin: 10 mg/min), in a mass per time
   * unit (`mg/min`, `mg/h`) or per kg of body weight (`mg/kg/h`), else null.
   */
  maxRate: Quantity | null;
  /** Durations the rate asks for are rounded up to a multiple of this (what a pump is set to), or null. */
  step: Quantity | null;
  /** Where the constraint comes from. */
  note: string;
}

/**
 * The most a product's label (or, where stated, the guideline the library follows instead) allows
 * per administration and per day. Each maximum is a list of masses (`mg`) or masses per kg of body
 * weight (`mg/kg`, resolved with the patient's weight) that all apply (`30 mg/kg` and `3000 mg`:
 * the smaller); [] when the source states none. The regimen search never proposes a regimen
 * beyond them.
 */
export interface DoseLimits {
  /** Largest single maintenance dose. */
  maxDose: Quantity[];
  /** Largest amount in 24 h. */
  maxDailyDose: Quantity[];
  /** Largest loading dose (the first administration); []: `maxDose` applies to it too. */
  maxLoadingDose: Quantity[];
  /** Where each maximum comes from, or why there is none. */
  source: string;
}

/** A product the drug is given as: a formulation with its real strengths and intervals. */
export interface Formulation {
  /** Stable id within the drug, used by the model mapping: `prograf-capsule`, `vial`. */
  id: string;
  /** The brand when the product is one brand (Prograf); null when any product of this kind is meant. */
  brand: string | null;
  /** The dosage-form word a model's products block uses: capsule, tablet, granules, vial, ampoule. */
  form: string;
  /** The product as its label describes it. */
  description: string;
  /** Routes it is given by. */
  routes: Route[];
  /** Content of one unit (capsule, vial, ampoule). */
  strengths: { values: number[]; unit: string };
  /** Dosing intervals the product is given at. */
  intervals: { values: number[]; unit: string };
  /** Infusion constraints for products given by infusion, else null. */
  infusion: InfusionConstraint | null;
  /** The largest single, daily and loading doses allowed. */
  limits: DoseLimits;
  /**
   * The usual dose (per administration, in mg or mg/kg) and its interval, the library's sanity
   * check of products against each model; null when no source in the library states one.
   */
  usual: { dose: Quantity; every: Quantity; note: string } | null;
  /** Where the strengths and intervals come from (label, formulary). */
  source: string;
}

/** How a library model of the drug is used: which formulations it applies to. */
export interface ModelUse {
  /** Formulation ids, in the order their strengths are offered. */
  formulations: string[];
  /**
   * True when the model describes these formulations only (its absorption or bioavailability is
   * that product's): the patient's formulation then selects the model. False when the model applies
   * to the drug whatever the product (an intravenous drug, or a paper that found no formulation effect).
   */
  formulationSpecific: boolean;
  /** Why, from the paper or the model file. */
  why: string;
}

/** A variable of a preset's clinical population that becomes an estimator feature or a report label. */
export interface PresetVariable {
  name: string;
  unit: string;
  label: string;
}

/**
 * A training preset of `dosetwin ml`: the clinical population (a joint covariate distribution), the
 * derived variables, how each library model's covariates come from the clinical ones, the sampling
 * design, the estimator's covariate features and the subgroups of the report. Values are stated
 * with their source or as assumptions; they are recorded in each estimator.
 */
export interface MlPreset {
  name: string;
  drug: string;
  description: string;
  population: PopulationSpec;
  /** Derived clinical variables, in place (same units as named in `derived`). */
  derive: (c: Record<string, number>) => void;
  derived: PresetVariable[];
  /** Model covariate (by name) from the clinical variables, per library model id. */
  modelCovariates: Record<string, Record<string, (c: Record<string, number>) => number>>;
  /** Default training models (pooled when several) and external-validation model. */
  models: string[];
  external: string;
  design: SamplingDesign;
  units: { dose: string; conc: string; target: string };
  target: { name: string; label: string };
  /** Clinical variables used as estimator features, with units. */
  covariates: PresetVariable[];
  /** Subgroups of the evaluation report. */
  strata: { name: string; label: (c: Record<string, number>) => string; order?: string[] }[];
}

/** A shipped ML estimator (`packages/models/estimators/<id>/`), as the drug file lists it. */
export interface EstimatorEntry {
  /** Folder name under packages/models/estimators/ and the estimator's id. */
  id: string;
  /** The preset it was trained with. */
  preset: string;
  /** Training models (pooled) and the external-validation model of its report. */
  models: string[];
  external: string;
  /** Formulation ids of the drug file it applies to. */
  formulations: string[];
  /** Its sampling design: nominal times after the dose and the dosing interval (h), route, infusion (h). */
  design: Pick<SamplingDesign, 'timesH' | 'tauH' | 'route' | 'infusionH'>;
  /** The exposure it estimates (`auc0-12`) and what it is. */
  target: { name: string; unit: string };
  description: string;
}

/**
 * How far an entered quantity may plausibly lie, in `unit`: outside `hard` it is an entry error
 * (a wrong unit, a slipped digit) and is refused; outside `soft` it is possible but unusual enough
 * that whoever enters it must say so (an acknowledgement, recorded in the audit). These are
 * plausibility bounds for catching mistakes, not dosing guidance: `soft` is wider than any usual
 * dose or level, `hard` wider than any documented one.
 */
export interface PlausibleRange {
  unit: string;
  hard: { lo: number; hi: number };
  soft: { lo: number; hi: number };
  /** What the bounds rest on. */
  why: string;
}

/** The drug's plausibility bounds for entries (doses, levels, regimens); see {@link PlausibleRange}. */
export interface DrugPlausibility {
  /** One administration (any route, loading doses included). */
  dose: PlausibleRange;
  /** One administration per kg of body weight, checked when a weight is recorded (unit mg/kg). */
  dosePerKg: PlausibleRange;
  /** The most given in any 24 h (unit mg; lower bounds unused). */
  dailyDose: PlausibleRange;
  /** A measured level, as the drug's models read it (plasma or whole blood). */
  level: PlausibleRange;
  /** A regimen's dosing interval. */
  interval: PlausibleRange;
}

/** A LOINC code of the drug's level, as laboratories report it in FHIR (`Observation.code`). */
export interface FhirLevelCode {
  loinc: string;
  /** LOINC's long common name. */
  display: string;
  /** LOINC's system axis: whole blood, or serum or plasma (a referenced Specimen may say which). */
  matrix: 'whole blood' | 'serum or plasma';
  /** The method the code names (`LC-MS/MS`, `immunoassay`), or null: the Observation's method says, if anything. */
  assay: string | null;
  /** The timing the code names; shown in the import, not used by the fit (a level is fitted at its time). */
  timing: 'trough' | 'peak' | null;
}

/** How the drug is recognised in a FHIR record (see `models/src/fhir/`). */
export interface DrugFhir {
  /** The LOINC codes of its level; an Observation with another code is not read as its level. */
  levels: FhirLevelCode[];
  /** Codes of the medication (ATC, RxNorm ingredient) in a MedicationAdministration or MedicationRequest. */
  medication: { atc: string[]; rxnorm: string[] };
  /** Where the codes come from, and what is missing. */
  source: string;
}

/**
 * What to do after a missed dose, as the label says it for some of the drug's formulations, and
 * the concentration window the options after a missed or late dose are read against
 * (`models/src/missed-dose.ts`).
 */
export interface MissedDoseRule {
  /** Formulation ids the rule is for. */
  formulations: string[];
  /** The rule as the label words it, for the patient. */
  rule: { en: string; fr: string };
  /**
   * The option the rule amounts to: the dose taken when the delay is under `takeWithin`, skipped
   * beyond (the next dose at its time, never doubled).
   */
  takeWithin: Quantity;
  /** The label and section it comes from, and how `takeWithin` reads its words. */
  citation: string;
  /** Options the label rules out (a double dose): never advised to the patient, marked for the clinician. */
  forbids: ('take-now' | 'take-reduced' | 'skip' | 'next-early' | 'double-next')[];
}

export interface DrugMissedDose {
  rules: MissedDoseRule[];
  /** Below it exposure is insufficient, above it toxic (the drug's concentration unit as levels are reported). */
  efficacy: Quantity;
  toxicity: Quantity;
  /** Whether the thresholds apply to the whole curve or to the troughs (see the engine's missed-dose module). */
  reads: 'concentration' | 'troughs';
  /** Where the two thresholds come from. */
  why: string;
}

/** Everything dosetwin knows about one drug apart from its models' papers. */
export interface DrugFile {
  /** As the models' `drug` line and folder name: `vancomycin`, `mycophenolic-acid` folder for `mycophenolic acid`. */
  drug: string;
  targets: DrugTarget[];
  formulations: Formulation[];
  /** Every library model of the drug, by id. */
  models: Record<string, ModelUse>;
  mlPresets: MlPreset[];
  estimators: EstimatorEntry[];
  /** Plausibility bounds of what is entered for the drug (doses, levels, intervals). */
  plausibility: DrugPlausibility;
  /** The label's missed-dose rules and the window the options are read against; absent: no label rule shown, thresholds asked for. */
  missedDose?: DrugMissedDose;
  /** Its codes in FHIR records (levels, medication); absent: the FHIR import reads none of its levels or doses. */
  fhir?: DrugFhir;
}
