/**
 * The Fastify application: `buildApp(options)` builds it over a database (migrated on open);
 * `listen` is the caller's business (`dosetwin serve`, tests use `app.inject`).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Access, DEFAULT_SCRYPT, installAuth, LoginLimiter, type ScryptCost } from './auth.ts';
import { type Db, type DbOptions, openDb } from './db/connect.ts';
import type { Ctx } from './context.ts';
import { SharedErrorBody } from './contract/index.ts';
import { installErrorHandlers } from './errors.ts';
import { accountRoutes } from './routes/accounts.ts';
import { analysisRoutes } from './routes/analyses.ts';
import { issueRoutes } from './routes/issues.ts';
import { modelRoutes } from './routes/models.ts';
import { patientRoutes } from './routes/patients.ts';
import { reportRoutes } from './routes/reports.ts';
import { requestRoutes } from './routes/requests.ts';
import { installWebApp } from './web.ts';

export interface AppOptions {
  /** An open database; else one is opened from `database`. */
  db?: Db;
  database?: DbOptions;
  logger?: FastifyServerOptions['logger'];
  /** Password hashing cost (tests lower it). */
  scrypt?: ScryptCost;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Failed logins allowed per user / IP in 15 min (default 5). */
  loginAttempts?: number;
  /** Directory of the built web app served at `/` (default packages/web/dist); null = none. */
  webRoot?: string | null;
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
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const ctx: Ctx = {
    db,
    scrypt: options.scrypt ?? DEFAULT_SCRYPT,
    limiter: new LoginLimiter(options.loginAttempts ?? 5),
  };
  const routeList: RouteInfo[] = [];
  app.decorate('dt', ctx);
  app.decorate('routeList', routeList);
  app.addSchema(SharedErrorBody);
  installErrorHandlers(app);
  installAuth(app, db.db);
  // After installAuth's hook, so the list shows each route's final access.
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat())
      routeList.push({ method: String(m), url: r.url, access: r.config?.access });
  });
  app.addHook('onClose', async () => {
    if (!options.db) await db.close();
  });

  await app.register(swagger, {
    // Shared schemas appear in the document's components under their own $id (ErrorBody).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      info: {
        title: 'dosetwin clinical service',
        description:
          'Dose-adjustment requests: patients, covariates, administrations, samples, requests, analyses (engine), validations, reports. Sign in with POST /api/auth/login; send the token as `Authorization: Bearer …`.',
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
  await app.register(requestRoutes(ctx), { prefix: '/api' });
  await app.register(analysisRoutes(ctx), { prefix: '/api' });
  await app.register(reportRoutes(ctx), { prefix: '/api' });
  installWebApp(app, options.webRoot);
  await app.ready();
  return app as unknown as App;
}
