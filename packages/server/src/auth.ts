/**
 * Accounts and sessions: scrypt password hashes (node:crypto, OWASP's parameters, stored in the
 * hash so that an older hash is still read and replaced at the next sign-in), sessions (only the
 * token's SHA-256 is stored; an HttpOnly `__Host-` cookie, or `Authorization: Bearer` for API
 * clients; an idle timeout and an absolute end), what a user must do before using the service (a
 * one-time password to change, a second factor to enrol) and the authorisation hook every route
 * goes through.
 */
import { createHash, randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { reject } from './errors.ts';
import type { Database, Role, UserRow } from './db/schema.ts';

export const ROLES: readonly Role[] = ['prescriber', 'pharmacologist', 'admin', 'auditor'];

/** Who may call a route: roles, `any` authenticated user, or `public` (login, health). */
export type Access = readonly Role[] | 'any' | 'public';

/** What a signed-in user must do before anything else: change a one-time password, enrol TOTP. */
export type Pending = 'password' | 'totp';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The route serves a user with a pending step (sign-out, own account, password, TOTP). */
    pending?: true;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    session: SessionInfo | null;
  }
}

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  service: string;
  displayName: string;
}

export interface SessionInfo {
  id: string;
  /** The second factor was given at sign-in (or enrolled in this session). */
  mfa: boolean;
  pending: Pending | null;
  /** Sent as a cookie (a browser), not as a bearer header. */
  viaCookie: boolean;
}

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** OWASP Password Storage Cheat Sheet (2023–): scrypt N = 2^17, r = 8, p = 1 (128 MiB). */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  return new Promise((res, rej) =>
    scryptCb(
      password.normalize('NFC'),
      salt,
      KEYLEN,
      { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r },
      (e, k) => (e ? rej(e) : res(k)),
    ),
  );
}

/** `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password, Buffer.from(parts[4], 'base64url'), { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with other parameters than `cost` (then rehashed at sign-in). */
export function needsRehash(stored: string, cost: ScryptCost): boolean {
  const [, N, r, p] = stored.split('$').map(Number);
  return N !== cost.N || r !== cost.r || p !== cost.p;
}

/** A hash to compare against when the user does not exist, so the response time does not reveal it. */
const dummyHashes = new Map<string, Promise<string>>();
export function dummyHash(cost: ScryptCost): Promise<string> {
  const k = `${cost.N}/${cost.r}/${cost.p}`;
  if (!dummyHashes.has(k)) dummyHashes.set(k, hashPassword(randomBytes(16).toString('hex'), cost));
  return dummyHashes.get(k)!;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** How sessions and sign-in behave (AppOptions, `dosetwin serve` options). */
export interface AuthConfig {
  /** `__Host-dt_session` with `Secure` (behind TLS); false: `dt_session` without it, plain HTTP on localhost only. */
  secureCookie: boolean;
  /** Minutes without a request after which a session ends (default 30). */
  idleMinutes: number;
  /** Hours after which a session ends whatever its activity (default 12). */
  sessionHours: number;
  /** Attempts per (user, address) before each one waits (default 5). */
  loginAttempts: number;
  /** Roles that must sign in with a second factor (default admin and pharmacologist: those who sign). */
  totpRoles: readonly Role[];
  /** The signer of an analysis must be another user than the one who ran it. */
  distinctSigner: boolean;
}

export const DEFAULT_AUTH: AuthConfig = {
  secureCookie: true,
  idleMinutes: 30,
  sessionHours: 12,
  loginAttempts: 5,
  totpRoles: ['admin', 'pharmacologist'],
  distinctSigner: false,
};

export const cookieName = (cfg: Pick<AuthConfig, 'secureCookie'>): string =>
  cfg.secureCookie ? '__Host-dt_session' : 'dt_session';

/** The `Set-Cookie` value of a session (HttpOnly, SameSite=Strict, Path=/; Secure unless plain HTTP). */
export function sessionCookie(cfg: AuthConfig, token: string | null, expiresAt?: string): string {
  const attrs = [
    `${cookieName(cfg)}=${token ?? ''}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    ...(cfg.secureCookie ? ['Secure'] : []),
    token && expiresAt ? `Expires=${new Date(expiresAt).toUTCString()}` : 'Max-Age=0',
  ];
  return attrs.join('; ');
}

/** What a user must still do: change a one-time password, then enrol TOTP if the role needs it. */
export function pendingOf(row: UserRow, cfg: Pick<AuthConfig, 'totpRoles'>): Pending | null {
  if (row.must_change_password === 1) return 'password';
  if (cfg.totpRoles.includes(row.role) && !row.totp_secret) return 'totp';
  return null;
}

export function toSessionUser(row: UserRow): SessionUser {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    service: row.service,
    displayName: row.display_name,
  };
}

/** Open a session; returns its token (given to the client once, never stored). */
export async function createSession(
  db: Kysely<Database>,
  cfg: AuthConfig,
  userId: string,
  client: { address: string; agent: string; mfa: boolean },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + cfg.sessionHours * 3_600_000).toISOString();
  const id = randomUUID();
  await db
    .insertInto('sessions')
    .values({
      id,
      token_hash: sha256(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      address: client.address,
      agent: client.agent.slice(0, 200),
      mfa: client.mfa ? 1 : 0,
    })
    .execute();
  return { id, token, expiresAt };
}

/** Activity is written at most once a minute: a busy session does not write on every request. */
const TOUCH_MS = 60_000;

/**
 * The user and session of a token, or null when there is none, its user is inactive, or it has
 * expired or been idle too long (then it is deleted).
 */
export async function sessionOfToken(
  db: Kysely<Database>,
  cfg: AuthConfig,
  token: string,
  now = new Date(),
): Promise<{ user: SessionUser; row: UserRow; session: Omit<SessionInfo, 'viaCookie'> } | null> {
  const s = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!s) return null;
  const row = await db.selectFrom('users').selectAll().where('id', '=', s.user_id).executeTakeFirst();
  const idle = now.getTime() - Date.parse(s.last_seen_at);
  if (!row || row.active !== 1 || s.expires_at <= now.toISOString() || idle >= cfg.idleMinutes * 60_000) {
    await db.deleteFrom('sessions').where('id', '=', s.id).execute();
    return null;
  }
  if (idle >= TOUCH_MS)
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', s.id)
      .execute();
  return {
    user: toSessionUser(row),
    row,
    session: { id: s.id, mfa: s.mfa === 1, pending: pendingOf(row, cfg) },
  };
}

/** Delete sessions past their end or idle too long. */
export async function purgeSessions(
  db: Kysely<Database>,
  cfg: AuthConfig,
  now = new Date(),
): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now.toISOString()),
        eb('last_seen_at', '<=', new Date(now.getTime() - cfg.idleMinutes * 60_000).toISOString()),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function tokenOf(req: FastifyRequest, cfg: AuthConfig): { token: string; viaCookie: boolean } | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) {
    const token = h.slice(7).trim();
    return token ? { token, viaCookie: false } : null;
  }
  const cookie = req.headers.cookie;
  const name = cookieName(cfg);
  if (typeof cookie === 'string')
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === name) return v.join('=') ? { token: v.join('='), viaCookie: true } : null;
    }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route must declare `config.access`; a route without it is refused at registration, so no
 * route can be added unguarded. Each request is authenticated, then its role checked, then any
 * pending step (a one-time password, TOTP enrolment) enforced, before any body is parsed. A
 * cookie-borne request that changes something must come from the service's own origin (with
 * SameSite=Strict, a second guard against cross-site requests).
 */
export function installAuth(app: FastifyInstance, db: Kysely<Database>, cfg: AuthConfig): void {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (route.config?.access === undefined) {
      // Swagger UI's and the OpenAPI document's routes: any signed-in user.
      if (url.startsWith('/docs')) route.config = { ...(route.config ?? {}), access: 'any' };
      else throw new Error(`route ${String(route.method)} ${url} declares no config.access`);
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    if (access === undefined) return; // 404 handler
    const t = tokenOf(req, cfg);
    const found = t ? await sessionOfToken(db, cfg, t.token) : null;
    if (!found) reject('DT_AUTH_REQUIRED', 'authorization', 'sign in first (POST /api/auth/login)');
    req.user = found.user;
    req.session = { ...found.session, viaCookie: t!.viaCookie };
    if (access !== 'any' && !access.includes(req.user.role))
      reject(
        'DT_AUTH_FORBIDDEN',
        'role',
        `this needs the role ${access.join(' or ')}; you are ${req.user.role}`,
      );
    const pending = req.session.pending;
    if (pending && !req.routeOptions.config?.pending)
      reject(
        'DT_AUTH_PENDING',
        pending,
        pending === 'password'
          ? 'change your one-time password first (POST /api/auth/password)'
          : 'enrol your second factor first (POST /api/auth/totp, then /api/auth/totp/confirm)',
      );
    const origin = req.headers.origin;
    if (t!.viaCookie && !SAFE_METHODS.has(req.method) && typeof origin === 'string') {
      let host: string | null = null;
      try {
        host = new URL(origin).host;
      } catch {
        host = null;
      }
      if (host !== req.host)
        reject('DT_AUTH_FORBIDDEN', 'origin', `a request from ${origin} may not act on this service`);
    }
  });
}
