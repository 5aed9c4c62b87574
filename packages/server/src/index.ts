/**
 * @dosetwin/server — the clinical service: HTTP API (Fastify + TypeBox, OpenAPI at /docs),
 * storage (Kysely over SQLite or PostgreSQL), accounts, audit, the dose-adjustment workflow.
 */
export { buildApp, type App, type AppOptions } from './app.ts';
export { openDb, type Db, type DbOptions } from './db/connect.ts';
export { hashPassword, verifyPassword, ROLES, type SessionUser } from './auth.ts';
export { statusOf } from './errors.ts';
export { runAnalysis, type AnalysisInputs, type AnalysisResult } from './analysis.ts';
export { ensureAdmin, ensureDemoUsers, loadDemo, DEMO_USERS } from './setup.ts';
/** `dosetwin admin reset-password`: a one-time password by user name, from the command line. */
export { resetPasswordOfUser } from './services/credentials.ts';
export { startServer, type ServeOptions, type Served } from './serve.ts';
/** The authenticator's code of a TOTP secret (browser tests sign in as a user with a second factor). */
export { totpCode, TOTP_PERIOD_S } from './totp.ts';
export { checkIntegrity, integrityLines } from './audit/integrity.ts';
export { backupSqlite, restoreSqlite, pgDumpAdvice, isBackupError, DB_FILE } from './backup.ts';
/** `dosetwin fhir import`: a patient's resources from a FHIR server, and the import into the database. */
export { patientResources, type FhirAccess } from './fhir/client.ts';
export { importIntoRecord } from './services/fhir-import.ts';
export { exportRecordBundle } from './services/fhir-export.ts';
/** `dosetwin trial nomogram`: a dosing nomogram as a one-page PDF. */
export { renderNomogramPdf, type NomogramPdf } from './nomogram-pdf.ts';
/** `dosetwin federate node --database`: the records of a drug's patients, as proposing a local model reads them. */
export { localRecords } from './services/local-models.ts';
