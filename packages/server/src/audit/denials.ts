/**
 * Every refusal of access is audited: an answer 401 (not signed in, session ended), 403 (wrong
 * role) or 429 (too many attempts) to an API or documentation route becomes an audit row `deny`
 * on the route (its pattern, never its values), with the status, the issue code, the caller's
 * address and the user when known. Sign-in failures are audited where they are decided (with the
 * account tried), so a 401 from the sign-in route is not recorded twice. The row is written
 * before the answer leaves: a test reading the trail right after a refusal finds it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { audit } from './record.ts';

const DENIALS = new Set([401, 403, 429]);
/** Routes whose own handler audits its refusals (the account tried, the reason). */
const AUDITED_BY_HANDLER = new Set(['POST /api/auth/login']);

function codeOf(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const b = JSON.parse(payload) as { error?: { issues?: { code?: unknown }[] } };
    const c = b.error?.issues?.[0]?.code;
    return typeof c === 'string' ? c : null;
  } catch {
    return null;
  }
}

export function installDenialAudit(app: FastifyInstance, db: Kysely<Database>): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!DENIALS.has(reply.statusCode)) return payload;
    const path = req.url.split('?')[0];
    if (!(path.startsWith('/api/') || path.startsWith('/docs'))) return payload;
    const route = `${req.method} ${req.routeOptions.url ?? path}`;
    if (AUDITED_BY_HANDLER.has(route)) return payload;
    await audit(db, {
      user: req.user ? { id: req.user.id } : null,
      action: 'deny',
      entity: 'route',
      entityId: route,
      after: { status: reply.statusCode, code: codeOf(payload), route, address: req.ip },
    });
    return payload;
  });
}
