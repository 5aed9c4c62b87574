/**
 * Migrations, in order; the same for SQLite and PostgreSQL except where marked (the audit id and
 * the append-only triggers). Never edit a shipped migration: add the next one.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { Mac } from '../audit/chain.ts';
import { auditChainMigration } from './audit-chain-migration.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Tables whose rows may never change once written. */
const APPEND_ONLY = ['audit', 'analyses', 'validations'];

function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('patients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pseudonym', 'text', (c) => c.notNull().unique())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('sex', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('patient_identity')
        .addColumn('patient_id', 'text', (c) => c.primaryKey().references('patients.id'))
        .addColumn('family_name', 'text', (c) => c.notNull())
        .addColumn('given_name', 'text', (c) => c.notNull())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('hospital_number', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createTable('covariates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('at_utc', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('covariates_unique', ['patient_id', 'name', 'at_utc'])
        .execute();
      await db.schema
        .createTable('administrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('at_utc', 'text', (c) => c.notNull())
        .addColumn('amount', 'double precision', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('duration_value', 'double precision')
        .addColumn('duration_unit', 'text')
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('administrations_unique', ['patient_id', 'at_utc'])
        .execute();
      await db.schema
        .createTable('samples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('at_utc', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('matrix', 'text', (c) => c.notNull())
        .addColumn('assay', 'text', (c) => c.notNull())
        .addColumn('lloq', 'double precision')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('samples_unique', ['patient_id', 'at_utc', 'matrix', 'assay'])
        .execute();
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('analyses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('supersedes', 'text', (c) => c.references('analyses.id'))
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('model_version', 'text', (c) => c.notNull())
        .addColumn('engine_version', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('fit', 'text', (c) => c.notNull())
        .addColumn('forecast', 'text', (c) => c.notNull())
        .addColumn('candidates', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('analyses_version', ['request_id', 'version'])
        .execute();
      await db.schema
        .createTable('validations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('analysis_id', 'text', (c) => c.notNull().unique().references('analyses.id'))
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('regimen', 'text')
        .addColumn('analysis_hash', 'text', (c) => c.notNull())
        .addColumn('signed_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('signed_at', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text')
        .addColumn('patient_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      for (const [t, cols] of [
        ['covariates', ['patient_id']],
        ['administrations', ['patient_id']],
        ['samples', ['patient_id']],
        ['requests', ['patient_id']],
        ['analyses', ['request_id']],
        ['audit', ['patient_id']],
        ['sessions', ['user_id']],
      ] as const)
        await db.schema
          .createIndex(`${t}_${cols.join('_')}_idx`)
          .on(t)
          .columns([...cols])
          .execute();

      // Append-only tables: the database itself refuses UPDATE and DELETE.
      if (dialect === 'postgres') {
        await sql`CREATE OR REPLACE FUNCTION dt_append_only() RETURNS trigger AS $$
          BEGIN RAISE EXCEPTION 'DT_APPEND_ONLY: % is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql`.execute(
          db,
        );
        for (const t of APPEND_ONLY)
          await sql`CREATE TRIGGER ${sql.raw(`${t}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.table(t)}
            FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
      } else {
        for (const t of APPEND_ONLY)
          for (const op of ['UPDATE', 'DELETE'])
            await sql`CREATE TRIGGER ${sql.raw(`${t}_no_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON ${sql.table(t)}
              BEGIN SELECT RAISE(ABORT, ${sql.lit(`DT_APPEND_ONLY: ${t} is append-only`)}); END`.execute(db);
      }
    },
  };
}

/**
 * Drug-level requests and analyses (a prescriber asks for a drug, the service averages its
 * models), the targets an analysis used, its next dose after a high level, and the evaluation of the regimen a decision retains
 * (its forecast with the credible band, its PTA), signed with it. Columns are added, rows never
 * changed: the append-only tables stay so.
 */
const drugLevelAndRetained: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('requests')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('model'))
      .execute();
    await db.schema
      .alterTable('analyses')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('model'))
      .execute();
    await db.schema.alterTable('analyses').addColumn('targets', 'text').execute();
    await db.schema.alterTable('analyses').addColumn('averaging', 'text').execute();
    await db.schema.alterTable('analyses').addColumn('next_dose', 'text').execute();
    await db.schema.alterTable('validations').addColumn('evaluation', 'text').execute();
  },
};

/**
 * Credentials and sessions: a one-time password must be changed (an administrator's reset says who
 * and when), the TOTP second factor (its secret sealed with the service key; the last time step
 * used, so that a code is accepted once), sessions with a public id, last activity (idle timeout),
 * address, agent and whether the second factor was given (the sessions before it are ended:
 * everyone signs in again), the sign-in limiter's state (it survives a restart), and a
 * validation's keyed signature (algorithm, key id, the meaning signed, how the signer
 * re-authenticated). Validations stay append-only: columns are added, rows never changed.
 */
const credentials: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('users')
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    for (const col of ['password_changed_at', 'password_reset_by', 'password_reset_at'])
      await db.schema.alterTable('users').addColumn(col, 'text').execute();
    for (const col of ['totp_secret', 'totp_pending', 'totp_enabled_at'])
      await db.schema.alterTable('users').addColumn(col, 'text').execute();
    await db.schema.alterTable('users').addColumn('totp_last_step', 'integer').execute();
    await db.schema.dropTable('sessions').execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('agent', 'text', (c) => c.notNull())
      .addColumn('mfa', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
    await db.schema
      .createTable('login_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('next_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    for (const col of ['signature_alg', 'signature_key', 'meaning', 'reauth'])
      await db.schema.alterTable('validations').addColumn(col, 'text').execute();
  },
};

/**
 * The worklist and the record's identity: a request's urgency (`routine` or `urgent`, the
 * pharmacologist's queue sorts by it), and the patient's birth name beside the family name (the
 * name a hospital file is often indexed by). Columns are added, rows never changed.
 */
const worklist: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('requests')
      .addColumn('urgency', 'text', (c) => c.notNull().defaultTo('routine'))
      .execute();
    await db.schema.alterTable('patient_identity').addColumn('birth_name', 'text').execute();
  },
};

/**
 * Corrections of the record: an amendment (the record's values after it) or an "entered in error"
 * mark of a dose, a level, a covariate or the identity, each with its reason, author and time,
 * numbered per record. The corrected rows are never changed: a correction is a new row, itself
 * append-only. The hospital number is unique among the current identities, checked by the service
 * (an amended number frees the wrong one), so its column loses its unique constraint (SQLite
 * cannot drop one: the table is rebuilt).
 */
function corrections(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('corrections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addUniqueConstraint('corrections_seq', ['entity', 'record_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('corrections_patient_id_idx')
        .on('corrections')
        .column('patient_id')
        .execute();
      if (dialect === 'postgres') {
        await sql`CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE ON corrections
          FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
        await sql`ALTER TABLE patient_identity DROP CONSTRAINT patient_identity_hospital_number_key`.execute(
          db,
        );
      } else {
        for (const op of ['UPDATE', 'DELETE'])
          await sql`CREATE TRIGGER ${sql.raw(`corrections_no_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON corrections
            BEGIN SELECT RAISE(ABORT, 'DT_APPEND_ONLY: corrections is append-only'); END`.execute(db);
        await db.schema
          .createTable('patient_identity_0003')
          .addColumn('patient_id', 'text', (c) => c.primaryKey().references('patients.id'))
          .addColumn('family_name', 'text', (c) => c.notNull())
          .addColumn('given_name', 'text', (c) => c.notNull())
          .addColumn('birth_date', 'text', (c) => c.notNull())
          .addColumn('hospital_number', 'text', (c) => c.notNull())
          .execute();
        await sql`INSERT INTO patient_identity_0003 (patient_id, family_name, given_name, birth_date, hospital_number)
          SELECT patient_id, family_name, given_name, birth_date, hospital_number FROM patient_identity`.execute(
          db,
        );
        await db.schema.dropTable('patient_identity').execute();
        await sql`ALTER TABLE patient_identity_0003 RENAME TO patient_identity`.execute(db);
      }
      await db.schema
        .createIndex('patient_identity_hospital_number_idx')
        .on('patient_identity')
        .column('hospital_number')
        .execute();
    },
  };
}

/**
 * The warnings a clinician confirmed (an unusual dose, a level far from the fit…), as JSON Issues,
 * stored with the entry or the signature that confirmed them; null when none. Columns are added,
 * rows never changed.
 */
const acknowledgements: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const t of ['covariates', 'administrations', 'samples', 'validations'])
      await db.schema.alterTable(t).addColumn('acknowledged', 'text').execute();
  },
};

/**
 * Records imported from a FHIR server: each dosetwin record's source resource (type, id, the part
 * of it a record holds: a covariate name for a Patient's SEX and AGE) and the version imported,
 * so a second import knows what it holds and what changed; and the FHIR patient a dosetwin patient
 * is linked to on a server. Links are updated when a newer version is imported (the record itself
 * is corrected, never changed).
 */
const fhirLinks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('fhir_patients')
      .addColumn('patient_id', 'text', (c) => c.primaryKey().references('patients.id'))
      .addColumn('fhir_server', 'text', (c) => c.notNull())
      .addColumn('fhir_id', 'text', (c) => c.notNull())
      .addColumn('linked_at', 'text', (c) => c.notNull())
      .addColumn('linked_by', 'text', (c) => c.notNull())
      .addUniqueConstraint('fhir_patients_server_id', ['fhir_server', 'fhir_id'])
      .execute();
    await db.schema
      .createTable('fhir_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
      .addColumn('fhir_server', 'text', (c) => c.notNull())
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('part', 'text', (c) => c.notNull())
      .addColumn('version_id', 'text')
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('fhir_links_source', [
        'patient_id',
        'fhir_server',
        'resource_type',
        'resource_id',
        'part',
      ])
      .execute();
  },
};

/**
 * Real dose times: a patient's prescriptions (the regimen from its first dose: the default dose
 * history until its end or the next one's start) and adherence records (a prescribed dose missed,
 * taken late or early, or an extra dose, with its source: diary, pill box, clinician). Never
 * changed once written: corrected as the other records are, by rows of `corrections`.
 */
function adherence(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('prescriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('start', 'text', (c) => c.notNull())
        .addColumn('start_utc', 'text', (c) => c.notNull())
        .addColumn('dose_value', 'double precision', (c) => c.notNull())
        .addColumn('dose_unit', 'text', (c) => c.notNull())
        .addColumn('interval_value', 'double precision', (c) => c.notNull())
        .addColumn('interval_unit', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('duration_value', 'double precision')
        .addColumn('duration_unit', 'text')
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('acknowledged', 'text')
        .execute();
      await db.schema
        .createTable('adherence_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text')
        .addColumn('taken_at', 'text')
        .addColumn('amount_value', 'double precision')
        .addColumn('amount_unit', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('acknowledged', 'text')
        .execute();
      for (const t of ['prescriptions', 'adherence_records']) {
        await db.schema.createIndex(`${t}_patient_id_idx`).on(t).column('patient_id').execute();
        if (dialect === 'postgres')
          await sql`CREATE TRIGGER ${sql.raw(`${t}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.table(t)}
            FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
        else
          for (const op of ['UPDATE', 'DELETE'])
            await sql`CREATE TRIGGER ${sql.raw(`${t}_no_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON ${sql.table(t)}
              BEGIN SELECT RAISE(ABORT, ${sql.lit(`DT_APPEND_ONLY: ${t} is append-only`)}); END`.execute(db);
      }
    },
  };
}

/**
 * Local versions of library models (proposed, approved by a second pharmacologist, rejected or
 * retired; the status changes, the audit trail keeps each step), and the local version each
 * analysis used (null: the published model).
 */
const localModels: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('local_models')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('ir', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('proposed_at', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text', (c) => c.references('users.id'))
      .addColumn('decided_at', 'text')
      .addColumn('decision_note', 'text')
      .addColumn('retired_by', 'text', (c) => c.references('users.id'))
      .addColumn('retired_at', 'text')
      .addUniqueConstraint('local_models_model_version', ['model_id', 'version'])
      .execute();
    await db.schema.alterTable('analyses').addColumn('local_model', 'text').execute();
  },
};

/**
 * The tokens an EHR granted a user at a SMART launch, for one FHIR server and patient: kept so that
 * a restart of the service does not end the clinician's access. The access and refresh tokens are
 * sealed with the service key (keys.ts), bound to the row's user, server and patient.
 */
const smartTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('smart_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('fhir_server', 'text', (c) => c.notNull())
      .addColumn('fhir_patient', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('authorization_server', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('refreshed_at', 'text')
      .addUniqueConstraint('smart_tokens_grant', ['user_id', 'fhir_server', 'fhir_patient'])
      .execute();
  },
};

/** The migrations; `auditMac` is the audit chain's keyed hash (the chain migration uses it). */
export function migrationProvider(dialect: Dialect, auditMac: Mac): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initial(dialect),
        '0002_drug_level_and_retained': drugLevelAndRetained,
        '0003_corrections': corrections(dialect),
        '0004_acknowledgements': acknowledgements,
        '0005_credentials': credentials,
        '0006_audit_chain': auditChainMigration(dialect, auditMac),
        '0007_worklist': worklist,
        '0008_fhir_links': fhirLinks,
        '0009_adherence': adherence(dialect),
        '0010_local_models': localModels,
        '0011_smart_tokens': smartTokens,
      };
    },
  };
}
