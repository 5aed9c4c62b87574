/**
 * Table types for Kysely. One schema for SQLite and PostgreSQL: ids are text (UUIDs), times are
 * ISO 8601 text (the clinical time as entered, with its zone, beside its UTC form for ordering),
 * numbers are double precision, structured data (inputs snapshot, fit, forecast, candidates,
 * audit before/after) is JSON text.
 */
import type { Generated, Selectable } from 'kysely';

/** `auditor`: reads the (pseudonymised) audit trail, nothing clinical. */
export type Role = 'prescriber' | 'pharmacologist' | 'admin' | 'auditor';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  /** Hospital service (ward) a prescriber belongs to; patients of other services are not visible to them. */
  service: string;
  active: number;
  created_at: string;
  /** 1: the password is a one-time password (set by an administrator): the user must change it first. */
  must_change_password: Generated<number>;
  password_changed_at: string | null;
  /** The administrator who last reset the password, and when: told to the user at the next sign-in. */
  password_reset_by: string | null;
  password_reset_at: string | null;
  /** The TOTP secret, sealed with the service key (keys.ts); null: no second factor. */
  totp_secret: string | null;
  /** A secret being enrolled (sealed), until the user confirms a code from it. */
  totp_pending: string | null;
  totp_enabled_at: string | null;
  /** The last TOTP time step accepted: a code is accepted once. */
  totp_last_step: number | null;
}

/** A users row as read. */
export type UserRow = Selectable<UsersTable>;

export interface SessionsTable {
  /** Public id (the session list, revoke); the token is never stored, only its SHA-256. */
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  /** Last request: a session idle for longer than the idle timeout is ended. */
  last_seen_at: string;
  /** Absolute end, whatever the activity. */
  expires_at: string;
  address: string;
  agent: string;
  /** 1 when the second factor was given at sign-in (or enrolled in this session). */
  mfa: number;
}

/** The sign-in limiter: failures and the earliest next attempt per (user, address) key (SHA-256). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  next_at: string;
  updated_at: string;
}

/** Identity, kept apart from clinical data; read only when a named view or report is asked for. */
export interface PatientIdentityTable {
  patient_id: string;
  family_name: string;
  given_name: string;
  birth_date: string;
  hospital_number: string;
  /** The birth name (nom de naissance) when it differs from the family name; null otherwise. */
  birth_name?: string | null;
}

export interface PatientsTable {
  id: string;
  /** Pseudonym used in exports and logs. */
  pseudonym: string;
  service: string;
  sex: string;
  created_at: string;
  created_by: string;
}

export interface CovariatesTable {
  id: string;
  patient_id: string;
  at: string;
  at_utc: string;
  name: string;
  value: number;
  unit: string;
  created_at: string;
  created_by: string;
  /** Warnings confirmed at entry (JSON Issues; null: none); migration 0004. */
  acknowledged?: string | null;
}

export interface AdministrationsTable {
  id: string;
  patient_id: string;
  at: string;
  at_utc: string;
  amount: number;
  unit: string;
  route: string;
  duration_value: number | null;
  duration_unit: string | null;
  product: string;
  created_at: string;
  created_by: string;
  /** Warnings confirmed at entry (JSON Issues; null: none); migration 0004. */
  acknowledged?: string | null;
}

export interface SamplesTable {
  id: string;
  patient_id: string;
  at: string;
  at_utc: string;
  value: number;
  unit: string;
  matrix: string;
  assay: string;
  lloq: number | null;
  created_at: string;
  created_by: string;
  /** Warnings confirmed at entry (JSON Issues; null: none); migration 0004. */
  acknowledged?: string | null;
}

export type RequestStatus = 'submitted' | 'analysed' | 'validated' | 'rejected';
export type RequestUrgency = 'routine' | 'urgent';

export interface RequestsTable {
  id: string;
  patient_id: string;
  /** `model`: a library model, `model_id` its id; `drug`: every model of a drug, `model_id` the drug. */
  kind: 'model' | 'drug';
  model_id: string;
  question: string;
  /** `urgent` requests come first in the pharmacologist's queue (the column defaults to `routine`). */
  urgency?: RequestUrgency;
  status: RequestStatus;
  created_at: string;
  created_by: string;
}

export interface AnalysesTable {
  id: string;
  request_id: string;
  patient_id: string;
  version: number;
  /** The analysis this one corrects (a validated analysis is never changed). */
  supersedes: string | null;
  /** `model`: one model's analysis; `drug`: averaged over the drug's models (`averaging`), `model_id` the selected one. */
  kind: 'model' | 'drug';
  model_id: string;
  model_version: string;
  engine_version: string;
  inputs: string;
  fit: string;
  forecast: string;
  candidates: string;
  warnings: string;
  /** The targets used (JSON); null for analyses stored before they were recorded. */
  targets: string | null;
  /** A drug-level analysis's weights and models (JSON); null for one model. */
  averaging: string | null;
  /** With a start-when-below threshold: when the predicted level falls to it (JSON); else null. */
  next_dose: string | null;
  /** SHA-256 of the canonical JSON of everything above: what a validation signs. */
  hash: string;
  created_at: string;
  created_by: string;
  /**
   * The approved local version the analysis used (JSON `{ id, version, label, approvedBy,
   * approvedAt }`, as it stood then); null: the published model.
   */
  local_model: string | null;
}

export interface ValidationsTable {
  id: string;
  analysis_id: string;
  request_id: string;
  decision: 'accept' | 'modify' | 'reject';
  comment: string;
  /** The regimen retained (the chosen candidate, or the modified one), JSON; null for reject. */
  regimen: string | null;
  /** The retained regimen's evaluation as shown (forecast with its credible band, PTA), JSON; null for reject. */
  evaluation: string | null;
  analysis_hash: string;
  signed_by: string;
  signed_at: string;
  /**
   * With `signature_alg` `ed25519`: the service key's signature (base64url) over the canonical
   * signed record (signature.ts). Without: a signature from before keyed signatures, the SHA-256 of
   * analysis_hash | signed_by | signed_at | decision | regimen | comment | evaluation (no key).
   */
  signature: string;
  /** This column and the next three are optional: rows signed before them lack them. */
  signature_alg?: string | null;
  /** The id (fingerprint) of the public key that verifies the signature. */
  signature_key?: string | null;
  /** What the signature means (approval of the retained regimen, or rejection), as signed. */
  meaning?: string | null;
  /** How the signer re-authenticated at signing: `password` or `totp`. */
  reauth?: string | null;
  /** The warnings the signature confirmed (JSON Issues; null: none); migration 0004. */
  acknowledged?: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  user_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  patient_id: string | null;
  /** What the event changed: a keyed digest and the ids, statuses and roles in it (audit/detail.ts); never identity or clinical values. */
  before: string | null;
  after: string | null;
  /** Place in the hash chain (audit/chain.ts); null only in a row written around the service. */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/**
 * A correction of a dose, a level, a covariate or the identity (the corrected row is never
 * changed): `amend` with the record's values after it (JSON, the record's own shape), or
 * `entered-in-error`; numbered per record (`seq` 1, 2, …), the latest one in force.
 */
export interface CorrectionsTable {
  id: string;
  patient_id: string;
  entity: 'administrations' | 'samples' | 'covariates' | 'identity' | 'prescriptions' | 'adherence_records';
  /** The corrected row's id (the patient's id for the identity). */
  record_id: string;
  seq: number;
  action: 'amend' | 'entered-in-error';
  value: string | null;
  reason: string;
  created_at: string;
  created_by: string;
}

/** The FHIR patient a dosetwin patient is linked to, on one FHIR server (migration 0008). */
export interface FhirPatientsTable {
  patient_id: string;
  fhir_server: string;
  fhir_id: string;
  linked_at: string;
  linked_by: string;
}

/** A record imported from FHIR: its source resource and the version imported (migration 0008). */
export interface FhirLinksTable {
  id: string;
  patient_id: string;
  fhir_server: string;
  resource_type: string;
  resource_id: string;
  /** What part of the resource the record holds: '' (all of it), or a covariate name (a Patient's SEX, AGE). */
  part: string;
  version_id: string | null;
  entity: 'administrations' | 'samples' | 'covariates';
  record_id: string;
  created_at: string;
  updated_at: string;
}

/** A prescription: the regimen from its first dose, the default dose history (migration 0009). */
export interface PrescriptionsTable {
  id: string;
  patient_id: string;
  start: string;
  start_utc: string;
  dose_value: number;
  dose_unit: string;
  interval_value: number;
  interval_unit: string;
  route: string;
  duration_value: number | null;
  duration_unit: string | null;
  product: string;
  /** The prescription's end (ISO with zone); null: until the next prescription. */
  until: string | null;
  created_at: string;
  created_by: string;
  acknowledged: string | null;
}

/** What happened to a prescribed dose (missed, late, taken early) or an extra dose, and who says so (migration 0009). */
export interface AdherenceRecordsTable {
  id: string;
  patient_id: string;
  kind: 'missed' | 'late' | 'taken' | 'extra';
  due_at: string | null;
  taken_at: string | null;
  amount_value: number | null;
  amount_unit: string | null;
  source: 'diary' | 'pillbox' | 'clinician';
  created_at: string;
  created_by: string;
  acknowledged: string | null;
}

/** A SMART grant kept for a user, FHIR server and patient (services/smart-tokens.ts). */
export interface SmartTokensTable {
  id: string;
  user_id: string;
  fhir_server: string;
  fhir_patient: string;
  /** The access and refresh tokens, sealed with the service key (AES-256-GCM), bound to this row. */
  sealed: string;
  scope: string;
  /** When the access token expires (ISO); null: the EHR did not say. */
  expires_at: string | null;
  /** The EHR's authorization server (its SMART configuration, JSON; not secret). */
  authorization_server: string;
  client_id: string;
  created_at: string;
  refreshed_at: string | null;
}

/**
 * A local version of a library model (the published one adapted to the service's patients, or
 * uploaded), with its evidence. Proposed by one pharmacologist, approved by another before any
 * analysis uses it; the approved version in force is the latest approved one not retired.
 */
export interface LocalModelsTable {
  id: string;
  /** The published library model (`vancomycin/thomson2009`). */
  model_id: string;
  /** 1, 2… per published model. */
  version: number;
  status: 'proposed' | 'approved' | 'rejected' | 'retired';
  /** The local model's IR (JSON), its `version` `<published>+local.<n>`. */
  ir: string;
  /** proposeLocalModel's evidence (JSON): parameters, predictive check, bias audit, diagnostics. */
  evidence: string;
  proposed_by: string;
  proposed_at: string;
  /** Who approved or rejected it, when, and why (a rejection says why). */
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  retired_by: string | null;
  retired_at: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  patient_identity: PatientIdentityTable;
  patients: PatientsTable;
  covariates: CovariatesTable;
  administrations: AdministrationsTable;
  samples: SamplesTable;
  corrections: CorrectionsTable;
  requests: RequestsTable;
  analyses: AnalysesTable;
  local_models: LocalModelsTable;
  validations: ValidationsTable;
  audit: AuditTable;
  fhir_patients: FhirPatientsTable;
  fhir_links: FhirLinksTable;
  smart_tokens: SmartTokensTable;
  prescriptions: PrescriptionsTable;
  adherence_records: AdherenceRecordsTable;
}
