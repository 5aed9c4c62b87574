/** Test helpers: an app on a fresh database (SQLite in memory, or a fresh PostgreSQL schema), users and sign-in. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AnalysisLimits } from './analysis-pool.ts';
import { buildApp, type App } from './app.ts';
import { type AuthConfig, hashPassword, type ScryptCost } from './auth.ts';
import { ephemeralMac } from './audit/detail.ts';
import { openDb } from './db/connect.ts';
import type { Role } from './db/schema.ts';
import type { FhirAccess } from './fhir/client.ts';
import type { CdsConfig } from './services/cds.ts';
import type { SmartConfig } from './services/smart.ts';
import { newId, nowIso } from './store.ts';
import { newTotpSecret, TOTP_PERIOD_S, totpCode } from './totp.ts';

export const FAST_SCRYPT: ScryptCost = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export type Backend = 'sqlite' | 'postgres';

/**
 * Backends to test. PostgreSQL needs DATABASE_URL; without it the PostgreSQL tests are skipped
 * with a message, except in CI (CI=true), where its absence is a failure.
 */
export function backends(): { name: Backend; skip: string | false }[] {
  const url = process.env.DATABASE_URL;
  const pgSkip = url
    ? false
    : process.env.CI === 'true'
      ? false
      : 'DATABASE_URL is not set: PostgreSQL tests skipped (CI runs them; see .ci/run)';
  return [
    { name: 'sqlite', skip: false },
    { name: 'postgres', skip: pgSkip },
  ];
}

export interface TestApp {
  app: App;
  close(): Promise<void>;
}

export async function testApp(
  backend: Backend,
  extra: {
    loginAttempts?: number;
    auth?: Partial<AuthConfig>;
    analysis?: Partial<AnalysisLimits>;
    fhir?: FhirAccess | null;
    cds?: CdsConfig | null;
    smart?: SmartConfig | null;
  } = {},
): Promise<TestApp> {
  if (backend === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('CI=true but DATABASE_URL is not set: .ci/run must start PostgreSQL');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    // The audit chain's key lives as long as the test (no service key file in the working directory).
    const db = await openDb({ databaseUrl: url, pgSchema: schema, poolSize: 5, auditMac: ephemeralMac() });
    const app = await buildApp({ db, scrypt: FAST_SCRYPT, ...extra });
    return {
      app,
      async close() {
        await app.close();
        await db.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  const db = await openDb({ dataDir: ':memory:' });
  const app = await buildApp({ db, scrypt: FAST_SCRYPT, ...extra });
  return {
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** The session token of a sign-in response (its cookie: the token is never in the body). */
export function tokenOfResponse(r: { headers: Record<string, unknown> }): string {
  const set = [r.headers['set-cookie']].flat().map(String);
  const m = set.map((c) => /^(?:__Host-)?dt_session=([^;]+)/.exec(c)).find(Boolean);
  if (!m) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return m[1];
}

/** `Bearer <token>` from a sign-in answered over HTTP (fetch). */
export const bearerOfFetch = (r: Response): string =>
  `Bearer ${tokenOfResponse({ headers: { 'set-cookie': r.headers.getSetCookie() } })}`;

/** A TOTP code of `secret` for a step later than any used so far (the next step's code). */
export const nextTotp = (secret: string): Promise<string> =>
  totpCode(secret, Date.now() / 1000 + TOTP_PERIOD_S);

export interface TestUser {
  id: string;
  username: string;
  /** `Bearer <token>`, for the `authorization` header. */
  auth: string;
  /** `<cookie name>=<token>`, for the `cookie` header. */
  cookie: string;
  password: string;
  /** The TOTP secret (base32) of a role that signs in with one (admin, pharmacologist), else null. */
  totp: string | null;
}

/**
 * Insert a user ready to work (password already changed; the second factor enrolled when the role
 * needs one) and sign in as a browser would (password, then the TOTP code); returns the session.
 */
export async function userWithToken(
  app: App,
  role: Role,
  service = 'nephrology',
  username?: string,
): Promise<TestUser> {
  const id = newId();
  const name = username ?? `${role}-${randomBytes(3).toString('hex')}`;
  const totp = app.dt.auth.totpRoles.includes(role) ? newTotpSecret() : null;
  await app.dt.db.db
    .insertInto('users')
    .values({
      id,
      username: name,
      display_name: `Dr ${name}`,
      password_hash: await hashPassword(PASSWORD, FAST_SCRYPT),
      role,
      service,
      active: 1,
      created_at: nowIso(),
      must_change_password: 0,
      totp_secret: totp === null ? null : app.dt.keys.seal(totp),
      totp_enabled_at: totp === null ? null : nowIso(),
    })
    .execute();
  const r = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: name, password: PASSWORD, ...(totp ? { code: await totpCode(totp) } : {}) },
  });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
  const token = tokenOfResponse(r);
  const cookieName = app.dt.auth.secureCookie ? '__Host-dt_session' : 'dt_session';
  return {
    id,
    username: name,
    auth: `Bearer ${token}`,
    cookie: `${cookieName}=${token}`,
    password: PASSWORD,
    totp,
  };
}

/**
 * A first sign-in as a new user goes through it: the one-time password, then the password of their
 * choice (`PASSWORD`), then, when the service asks for it, the second factor enrolled and confirmed.
 */
export async function firstSignIn(app: App, username: string, oneTime: string): Promise<TestUser> {
  const post = async (url: string, payload: object, auth?: string) => {
    const r = await app.inject({
      method: 'POST',
      url,
      payload,
      ...(auth ? { headers: { authorization: auth } } : {}),
    });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return r;
  };
  const login = await post('/api/auth/login', { username, password: oneTime });
  const auth = `Bearer ${tokenOfResponse(login)}`;
  const me = login.json() as { user: { id: string; pending: string | null } };
  if (me.user.pending !== 'password') throw new Error(`${username}: no password change asked`);
  await post('/api/auth/password', { current: oneTime, password: PASSWORD }, auth);
  let totp: string | null = null;
  const after = (
    await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: auth } })
  ).json();
  if (after.pending === 'totp') {
    totp = (await post('/api/auth/totp', {}, auth)).json().secret as string;
    await post('/api/auth/totp/confirm', { code: await totpCode(totp) }, auth);
  }
  const token = auth.slice(7);
  const cookieName = app.dt.auth.secureCookie ? '__Host-dt_session' : 'dt_session';
  return { id: me.user.id, username, auth, cookie: `${cookieName}=${token}`, password: PASSWORD, totp };
}

/** What a signature needs beside the decision: the signer's password, typed again. */
export const REAUTH = { reauth: { password: PASSWORD } } as const;

export const hoursAgo = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();

/** `inject` as a signed-in user: `call` returns the reply, `ok` asserts a 2xx status first. */
export function caller(app: App) {
  const call = (auth: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const ok = async (auth: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const r = await call(auth, method, url, payload);
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return r;
  };
  return { call, ok };
}

/** One dose of the shared vancomycin record (mg, IV over 1 h from a 1 g vial unless said). */
export interface TestDose {
  at: string;
  amount?: number;
  unit?: string;
  route?: 'infusion' | 'oral';
  product?: string;
}

/**
 * The vancomycin patient the server tests share, entered through the API as a prescriber would:
 * covariates 50 h ago (82 kg, 58 y, SCR 95 µmol/L, male, no dialysis), 1 g over 1 h 48, 36, 24 and
 * 12 h ago, levels of 9.8 mg/L 36.5 h ago and 29.5 mg/L 10.5 h ago (LLOQ 2 mg/L), and a
 * vancomycin/goti2018 request. Each part may be given instead. Returns the ids.
 */
export async function vancomycinRequest(
  app: App,
  auth: string,
  o: {
    identity: {
      familyName: string;
      givenName: string;
      birthDate: string;
      hospitalNumber: string;
      birthName?: string;
    };
    covariatesAt?: string;
    doses?: TestDose[];
    samples?: { at: string; value: number; assay?: string }[];
    question?: string;
  },
): Promise<{ patientId: string; doseIds: string[]; requestId: string }> {
  const { ok } = caller(app);
  const p = (await ok(auth, 'POST', '/api/patients', { identity: o.identity, sex: 'male' })).json();
  for (const [name, value, unit] of [
    ['WT', 82, 'kg'],
    ['AGE', 58, 'y'],
    ['SCR', 95, 'umol/L'],
    ['SEX', 0, '-'],
    ['DIAL', 0, '-'],
  ] as const)
    await ok(auth, 'POST', `/api/patients/${p.id}/covariates`, {
      at: o.covariatesAt ?? hoursAgo(50),
      name,
      value,
      unit,
    });
  const doseIds: string[] = [];
  const doses: TestDose[] = o.doses ?? [48, 36, 24, 12].map((h) => ({ at: hoursAgo(h) }));
  for (const d of doses) {
    const oral = d.route === 'oral';
    const r = await ok(auth, 'POST', `/api/patients/${p.id}/administrations`, {
      at: d.at,
      amount: d.amount ?? 1000,
      unit: d.unit ?? 'mg',
      route: oral ? 'oral' : 'infusion',
      ...(oral ? {} : { duration: { value: 1, unit: 'h' } }),
      product: d.product ?? (oral ? 'capsule 250 mg' : 'vial 1 g'),
    });
    doseIds.push(r.json().id);
  }
  const samples = o.samples ?? [
    { at: hoursAgo(36.5), value: 9.8 },
    { at: hoursAgo(10.5), value: 29.5 },
  ];
  for (const s of samples)
    await ok(auth, 'POST', `/api/patients/${p.id}/samples`, {
      at: s.at,
      value: s.value,
      unit: 'mg/L',
      matrix: 'serum',
      assay: s.assay ?? 'PETINIA',
      lloq: 2,
    });
  const rq = await ok(auth, 'POST', '/api/requests', {
    patientId: p.id,
    modelId: 'vancomycin/goti2018',
    question: o.question ?? '',
  });
  return { patientId: p.id, doseIds, requestId: rq.json().id };
}
