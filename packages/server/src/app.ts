/**
 * The Fastify application: `buildApp(options)` builds it over a database (migrated on open);
 * `listen` is the caller's business (`dosetwin serve`, tests use `app.inject`).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  type Access,
  type AuthConfig,
  DEFAULT_AUTH,
  DEFAULT_SCRYPT,
  installAuth,
  purgeSessions,
  type ScryptCost,
} from './auth.ts';
import { type Db, type DbOptions, openDb } from './db/connect.ts';
import type { Ctx } from './context.ts';
import { SharedErrorBody } from './contract/index.ts';
import { frameworkError, installErrorHandlers } from './errors.ts';
import { ephemeralKeys, type ServiceKeys } from './keys.ts';
import { purgeThrottle } from './throttle.ts';
import { accountRoutes } from './routes/accounts.ts';
import { analysisRoutes } from './routes/analyses.ts';
import { issueRoutes } from './routes/issues.ts';
import { modelRoutes } from './routes/models.ts';
import { localModelRoutes } from './routes/local-models.ts';
import { patientRoutes } from './routes/patients.ts';
import { adherenceRoutes } from './routes/adherence.ts';
import { reportRoutes } from './routes/reports.ts';
import { requestRoutes } from './routes/requests.ts';
import { worklistRoutes } from './routes/worklist.ts';
import { installWebApp } from './web.ts';
import { AnalysisPool, type AnalysisLimits } from './analysis-pool.ts';
import { installDenialAudit } from './audit/denials.ts';
import { installSecurityHeaders } from './headers.ts';
import { loggerOptions } from './logging.ts';
import { installJsonBody } from './json-body.ts';
import { installTextGuard } from './text-guard.ts';
import { auditRoutes } from './routes/audit.ts';
import { fhirRoutes } from './routes/fhir.ts';
import { cdsRoutes } from './routes/cds.ts';
import type { CdsConfig } from './services/cds.ts';
import { type SmartConfig, SmartStore } from './services/smart.ts';
import { smartRoutes } from './routes/smart.ts';
import type { FhirAccess } from './fhir/client.ts';

export interface AppOptions {
  /** An open database; else one is opened from `database`. */
  db?: Db;
  database?: DbOptions;
  logger?: FastifyServerOptions['logger'];
  /** Password hashing cost (tests lower it). */
  scrypt?: ScryptCost;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Sign-in attempts per (user, address) before each further one waits, doubling (default 5). */
  loginAttempts?: number;
  /** Sessions, cookies, second factor, signer ≠ analyst (auth.ts DEFAULT_AUTH). */
  auth?: Partial<AuthConfig>;
  /**
   * The service key (keys.ts: signs validations, seals TOTP secrets). Absent: a key for this
   * process only (tests); `startServer` loads the persistent one.
   */
  keys?: ServiceKeys;
  /** Fastify's `trustProxy`: whose X-Forwarded-For to believe for the client's address (default none). */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** The first administrator's one-time password file (setup.ts), removed once that password is changed. */
  initialPasswordFile?: string | null;
  /** Limits of the analyses' worker pool (analysis-pool.ts; `dosetwin serve` reads them from the environment). */
  analysis?: Partial<AnalysisLimits>;
  /** Directory of the built web app served at `/` (default packages/web/dist); null = none. */
  webRoot?: string | null;
  /** The hospital's FHIR server the service imports from (`dosetwin serve`: DOSETWIN_FHIR_URL); absent: none. */
  fhir?: FhirAccess | null;
  /** CDS Hooks: the CDS clients (EHRs) answered and this service's public URL; absent: no CDS service. */
  cds?: CdsConfig | null;
  /** SMART App Launch: dosetwin's client id, redirect URI and the EHRs it may be launched from; absent: none. */
  smart?: SmartConfig | null;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
}

export type App = FastifyInstance & { dt: Ctx; routeList: RouteInfo[] };

export async function buildApp(options: AppOptions = {}): Promise<App> {
  const db = options.db ?? (await openDb(options.database));
  const app = Fastify({
    // `true`: the service's log (logging.ts: JSON lines, credentials and identity redacted).
    logger: options.logger === true ? loggerOptions() : (options.logger ?? false),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    frameworkErrors: frameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const auth: AuthConfig = {
    ...DEFAULT_AUTH,
    ...options.auth,
    loginAttempts: options.loginAttempts ?? options.auth?.loginAttempts ?? DEFAULT_AUTH.loginAttempts,
  };
  const ctx: Ctx = {
    db,
    scrypt: options.scrypt ?? DEFAULT_SCRYPT,
    analyses: new AnalysisPool(options.analysis),
    keys: options.keys ?? ephemeralKeys(),
    auth,
    initialPasswordFile: options.initialPasswordFile ?? null,
    fhir: options.fhir ?? null,
    smart: options.smart ? { config: options.smart, store: new SmartStore() } : null,
  };
  const routeList: RouteInfo[] = [];
  app.decorate('dt', ctx);
  app.decorate('routeList', routeList);
  app.addSchema(SharedErrorBody);
  installErrorHandlers(app);
  installJsonBody(app);
  installTextGuard(app);
  await installSecurityHeaders(app);
  installDenialAudit(app, db.db);
  installAuth(app, db.db, auth);
  // Ended sessions and stale sign-in counts are deleted every 10 minutes (and at start).
  const purge = async (): Promise<void> => {
    await purgeSessions(db.db, auth);
    await purgeThrottle(db.db);
  };
  await purge();
  const purger = setInterval(() => void purge().catch(() => {}), 10 * 60_000);
  purger.unref();
  // After installAuth's hook, so the list shows each route's final access.
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat())
      routeList.push({ method: String(m), url: r.url, access: r.config?.access });
  });
  app.addHook('onClose', async () => {
    clearInterval(purger);
    await ctx.analyses.close();
    if (!options.db) await db.close();
  });

  await app.register(swagger, {
    // Shared schemas appear in the document's components under their own $id (ErrorBody).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      info: {
        title: 'dosetwin clinical service',
        description:
          'Dose-adjustment requests: patients, covariates, administrations, samples, requests, analyses (engine), validations, reports. Sign in with POST /api/auth/login: the session is an HttpOnly cookie; an API client may send its value as `Authorization: Bearer …`.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // The API's table of contents: one plugin per resource, each route delegating to services/.
  await app.register(accountRoutes(ctx), { prefix: '/api' });
  await app.register(modelRoutes, { prefix: '/api' });
  await app.register(issueRoutes, { prefix: '/api' });
  await app.register(patientRoutes(ctx), { prefix: '/api' });
  await app.register(adherenceRoutes(ctx), { prefix: '/api' });
  await app.register(requestRoutes(ctx), { prefix: '/api' });
  await app.register(worklistRoutes(ctx), { prefix: '/api' });
  await app.register(analysisRoutes(ctx), { prefix: '/api' });
  await app.register(reportRoutes(ctx), { prefix: '/api' });
  await app.register(auditRoutes(ctx), { prefix: '/api' });
  await app.register(fhirRoutes(ctx), { prefix: '/api' });
  await app.register(localModelRoutes(ctx), { prefix: '/api' });
  if (options.cds) await app.register(cdsRoutes(ctx, options.cds));
  if (options.smart) await app.register(smartRoutes(ctx));
  installWebApp(app, options.webRoot);
  await app.ready();
  return app as unknown as App;
}
