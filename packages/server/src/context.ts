/** What the routes and the service modules share: the database, the password cost, the service key, sign-in and session settings. */
import type { AuthConfig, ScryptCost } from './auth.ts';
import type { AnalysisPool } from './analysis-pool.ts';
import type { Db } from './db/connect.ts';
import type { FhirAccess } from './fhir/client.ts';
import type { SmartConfig, SmartStore } from './services/smart.ts';
import type { ServiceKeys } from './keys.ts';

export interface Ctx {
  db: Db;
  scrypt: ScryptCost;
  /** The analyses' worker pool (analysis-pool.ts). */
  analyses: AnalysisPool;
  /** Signs validations, seals TOTP secrets (keys.ts). */
  keys: ServiceKeys;
  auth: AuthConfig;
  /** The file holding the first administrator's one-time password, removed once it is changed. */
  initialPasswordFile: string | null;
  /** The hospital's FHIR server the service reads (DOSETWIN_FHIR_URL), or null. */
  fhir: FhirAccess | null;
  /** SMART App Launch: dosetwin's registration and the launches and tokens it holds, or null. */
  smart: { config: SmartConfig; store: SmartStore } | null;
}
