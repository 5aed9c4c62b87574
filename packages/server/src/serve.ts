/**
 * Start the service: open the database, load the service key, create the first admin, optionally
 * load the demo, listen. Cookies are `__Host-` and `Secure` (the service is reached over TLS, at
 * a reverse proxy named by `trustProxy`) unless `plainHttp`, which only a loopback address may use.
 */
import { createRemoteJWKSet } from 'jose';
import type { FhirAccess } from './fhir/client.ts';
import type { CdsConfig } from './services/cds.ts';
import type { SmartConfig } from './services/smart.ts';
import type { FastifyServerOptions } from 'fastify';
import { buildApp, type App } from './app.ts';
import type { AuthConfig } from './auth.ts';
import { refuseBrokenRecord } from './audit/integrity.ts';
import { openDb } from './db/connect.ts';
import { loadServiceKeys } from './keys.ts';
import { ensureAdmin, ensureDemoUsers, loadDemo, pendingInitialPassword } from './setup.ts';

export interface ServeOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  demo?: boolean;
  logger?: boolean;
  /** Directory of the built web app (default packages/web/dist). */
  webRoot?: string | null;
  /** Cookies without `Secure` for plain HTTP: only on a loopback address (development, tests). */
  plainHttp?: boolean;
  /** Fastify's trustProxy: the proxies whose X-Forwarded-For gives the client's address. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Session and sign-in settings (idle minutes, attempts, signer ≠ analyst…). */
  auth?: Partial<Omit<AuthConfig, 'secureCookie'>>;
  /** The hospital's FHIR server to import from (default DOSETWIN_FHIR_URL, with DOSETWIN_FHIR_TOKEN if set); null: none. */
  fhirUrl?: string | null;
}

export interface Served {
  app: App;
  url: string;
  location: string;
  /** Set on the first run only: the admin's one-time password, and the 0600 file that keeps it. */
  admin: { username: string; password: string; file: string | null } | null;
  /** On a later run, while the first admin's one-time password is still unchanged: its file. */
  adminPasswordFile: string | null;
  /** Where the service key comes from (the key file, or DOSETWIN_SECRET_KEY). */
  keySource: string;
  demo: string[];
  /** With `demo`, the demo's clinical accounts created by this run, with their one-time passwords. */
  demoUsers: { username: string; password: string; role: string }[];
  /** Stop listening and close the database. */
  close(): Promise<void>;
}

/** The FHIR server from its URL (http or https), with a token from DOSETWIN_FHIR_TOKEN when set. */
function fhirAccess(url: string | null | undefined): FhirAccess | null {
  if (!url) return null;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`DOSETWIN_FHIR_URL '${url}' is not an http(s) URL`);
  return { baseUrl: url, token: process.env.DOSETWIN_FHIR_TOKEN ?? null };
}

/**
 * CDS Hooks from the environment: DOSETWIN_CDS_CLIENTS, a JSON list of the EHRs answered
 * (`[{"iss": "...", "jwksUrl": "https://.../jwks.json", "fhirServers": ["https://.../fhir/R4"]}]`),
 * and DOSETWIN_PUBLIC_URL, this service's address as the EHR calls it; null without them.
 */
function cdsConfig(env: NodeJS.ProcessEnv): CdsConfig | null {
  if (!env.DOSETWIN_CDS_CLIENTS) return null;
  const base = env.DOSETWIN_PUBLIC_URL;
  if (!base || !/^https?:\/\/\S+$/.test(base))
    throw new Error(
      'DOSETWIN_CDS_CLIENTS needs DOSETWIN_PUBLIC_URL, the service’s http(s) address as the EHR calls it',
    );
  const list = JSON.parse(env.DOSETWIN_CDS_CLIENTS) as {
    iss: string;
    jwksUrl: string;
    fhirServers?: string[];
  }[];
  if (!Array.isArray(list) || list.some((c) => typeof c.iss !== 'string' || typeof c.jwksUrl !== 'string'))
    throw new Error('DOSETWIN_CDS_CLIENTS is a JSON list of {"iss", "jwksUrl", "fhirServers"}');
  return {
    baseUrl: base,
    launchUrl: `${base.replace(/\/+$/, '')}/`,
    clients: list.map((c) => ({
      iss: c.iss,
      keys: createRemoteJWKSet(new URL(c.jwksUrl)),
      fhirServers: c.fhirServers ?? [],
    })),
  };
}

/**
 * SMART App Launch from the environment: DOSETWIN_SMART_CLIENT_ID (dosetwin's client id at the
 * EHRs), DOSETWIN_SMART_SERVERS (the FHIR base URLs it may be launched from, comma-separated) and
 * DOSETWIN_PUBLIC_URL (its redirect URI is {DOSETWIN_PUBLIC_URL}/smart/callback); null without them.
 */
function smartConfig(env: NodeJS.ProcessEnv): SmartConfig | null {
  if (!env.DOSETWIN_SMART_CLIENT_ID) return null;
  const base = env.DOSETWIN_PUBLIC_URL;
  if (!base || !/^https?:\/\/\S+$/.test(base))
    throw new Error('DOSETWIN_SMART_CLIENT_ID needs DOSETWIN_PUBLIC_URL, the service’s http(s) address');
  return {
    clientId: env.DOSETWIN_SMART_CLIENT_ID,
    redirectUri: `${base.replace(/\/+$/, '')}/smart/callback`,
    servers: (env.DOSETWIN_SMART_SERVERS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startServer(o: ServeOptions = {}): Promise<Served> {
  const host = o.host ?? '127.0.0.1';
  if (o.plainHttp && !LOOPBACK.test(host))
    throw new Error(
      `plain HTTP (cookies without Secure) is for a loopback address only, not ${host}: serve over TLS instead`,
    );
  const dataDir = o.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data';
  const { keys, source: keySource } = loadServiceKeys(dataDir);
  const db = await openDb({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
  // Append-only triggers in place and the audit chain intact, or no service (audit/integrity.ts).
  await refuseBrokenRecord(db);
  let app: App | null = null;
  try {
    const admin = await ensureAdmin(db.db, undefined, dataDir);
    const adminPasswordFile = admin ? null : await pendingInitialPassword(db.db, dataDir);
    let demo: string[] = [];
    let demoUsers: Served['demoUsers'] = [];
    if (o.demo) {
      const a = await db.db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .orderBy('created_at')
        .executeTakeFirstOrThrow();
      demo = await loadDemo(db.db, a.id);
      demoUsers = await ensureDemoUsers(db.db);
    }
    app = await buildApp({
      db,
      keys,
      logger: o.logger ?? false,
      webRoot: o.webRoot,
      trustProxy: o.trustProxy,
      auth: { ...o.auth, secureCookie: !o.plainHttp },
      initialPasswordFile: admin?.file ?? adminPasswordFile,
      fhir: fhirAccess(o.fhirUrl === undefined ? process.env.DOSETWIN_FHIR_URL : o.fhirUrl),
      cds: cdsConfig(process.env),
      smart: smartConfig(process.env),
    });
    const url = await app.listen({ host, port: o.port ?? 8787 });
    // The analysis threads load the library and run a small search now, not at the first request
    // (a CDS hook's card has half a second). A failure here is the one the first analysis reports.
    const warming = app;
    void app.dt.analyses
      .warm()
      .catch((e: unknown) => warming.log.warn({ err: e }, 'the analysis threads did not warm up'));
    const built = app;
    const close = async (): Promise<void> => {
      await built.close();
      await db.close();
    };
    return { app, url, location: db.location, admin, adminPasswordFile, keySource, demo, demoUsers, close };
  } catch (e) {
    // A start that fails (the port taken, say) leaves nothing running; the first administrator's
    // one-time password stays in its file for the next start.
    await app?.close();
    await db.close();
    throw e;
  }
}
