/**
 * The service's wire contract: TypeBox schemas of every route's body, query and responses, each
 * with its static type under the same name. The routes validate and serialise with them; the web
 * app imports the types (`import type … from '@dosetwin/server/contract'`), so both sides read the
 * same shapes. Fields are camelCase; the database's columns stay behind the service modules.
 */
export * from './accounts.ts';
export * from './adherence.ts';
export * from './analyses.ts';
export * from './audit.ts';
export * from './common.ts';
export * from './corrections.ts';
export * from './errors.ts';
export * from './forecast.ts';
export * from './models.ts';
export * from './patients.ts';
export * from './plausibility.ts';
export * from './record-values.ts';
export * from './regimen.ts';
export * from './reports.ts';
export * from './requests.ts';
export * from './validations.ts';
export * from './worklist.ts';
export * from './issues.ts';
export * from './local-models.ts';
export * from './fhir.ts';
export * from './cds.ts';
