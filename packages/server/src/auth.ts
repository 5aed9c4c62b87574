/**
 * Accounts and sessions: scrypt password hashes (node:crypto, parameters stored in the hash),
 * constant-time comparison, login rate limit, bearer-token or cookie sessions (only the token's
 * SHA-256 is stored), and the authorisation hook every route goes through.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { reject } from './errors.ts';
import type { Database, Role } from './db/schema.ts';

export const ROLES: readonly Role[] = ['prescriber', 'pharmacologist', 'admin'];

/** Who may call a route: roles, `any` authenticated user, or `public` (login, health). */
export type Access = readonly Role[] | 'any' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  service: string;
  displayName: string;
}

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptCost = { N: 16384, r: 8, p: 1 };
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

/** A hash to compare against when the user does not exist, so the response time does not reveal it. */
let dummyHash: Promise<string> | null = null;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Failed-login limiter: at most `max` failures per key within `windowMs`. In memory (one process). */
export class LoginLimiter {
  private failures = new Map<string, number[]>();
  constructor(
    readonly max = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}
  /** Per user: `max`; per client address: ten times as many (several users behind one proxy). */
  blocked(key: string, max = this.max, now = Date.now()): boolean {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, list);
    return list.length >= max;
  }
  fail(key: string, now = Date.now()): void {
    const list = this.failures.get(key) ?? [];
    list.push(now);
    this.failures.set(key, list);
  }
  clear(key: string): void {
    this.failures.delete(key);
  }
}

export const SESSION_COOKIE = 'dt_session';
const SESSION_HOURS = 12;

export async function login(
  db: Kysely<Database>,
  limiter: LoginLimiter,
  username: string,
  password: string,
  ip: string,
): Promise<{ token: string; user: SessionUser; expiresAt: string }> {
  const keys = [`u:${username.toLowerCase()}`, `ip:${ip}`];
  if (limiter.blocked(keys[0]) || limiter.blocked(`ip:${ip}`, limiter.max * 10))
    reject('DT_RATE_LIMIT', 'username', 'too many failed logins; try again in 15 minutes');
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  dummyHash ??= hashPassword('no such user', { N: 16384, r: 8, p: 1 });
  const ok = row
    ? await verifyPassword(password, row.password_hash)
    : (await verifyPassword(password, await dummyHash)) && false;
  if (!row || !ok || row.active !== 1) {
    keys.forEach((k) => limiter.fail(k));
    reject('DT_AUTH_FAILED', 'password', 'unknown user or wrong password');
  }
  limiter.clear(keys[0]);
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString();
  await db
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: row.id,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  return { token, user: toSessionUser(row), expiresAt };
}

export function toSessionUser(row: Database['users']): SessionUser {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    service: row.service,
    displayName: row.display_name,
  };
}

function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) return h.slice(7).trim() || null;
  const cookie = req.headers.cookie;
  if (typeof cookie === 'string')
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === SESSION_COOKIE) return v.join('=') || null;
    }
  return null;
}

export async function userOfToken(db: Kysely<Database>, token: string): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.expires_at')
    .where('sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.active !== 1 || row.expires_at < new Date().toISOString()) return null;
  return toSessionUser(row);
}

export async function logout(db: Kysely<Database>, req: FastifyRequest): Promise<void> {
  const t = tokenOf(req);
  if (t) await db.deleteFrom('sessions').where('token_hash', '=', sha256(t)).execute();
}

/**
 * Every route must declare `config.access`; a route without it is refused at registration, so no
 * route can be added unguarded. Each request is authenticated, then its role checked, before any
 * body is parsed.
 */
export function installAuth(app: FastifyInstance, db: Kysely<Database>): void {
  app.decorateRequest('user', null);
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (route.config?.access === undefined) {
      // Swagger UI's and the OpenAPI document's routes: any signed-in user.
      if (url.startsWith('/docs')) route.config = { ...(route.config ?? {}), access: 'any' };
      else throw new Error(`route ${String(route.method)} ${url} declares no config.access`);
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    if (access === undefined) return; // 404 handler
    const t = tokenOf(req);
    req.user = t ? await userOfToken(db, t) : null;
    if (!req.user) reject('DT_AUTH_REQUIRED', 'authorization', 'sign in first (POST /api/auth/login)');
    if (access !== 'any' && !access.includes(req.user.role))
      reject(
        'DT_AUTH_FORBIDDEN',
        'role',
        `this needs the role ${access.join(' or ')}; you are ${req.user.role}`,
      );
  });
}
