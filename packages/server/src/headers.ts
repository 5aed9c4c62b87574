/**
 * Security headers of every answer (@fastify/helmet): one content security policy for the web
 * app, the printable report and the API documentation at /docs (scripts and workers from this
 * origin only, inline styles allowed: the component kit and the report write theirs in a style
 * element; no framing by anyone), `nosniff`, no referrer, same-origin isolation. Patient data and
 * reports are never stored by a browser or a proxy: every `/api` answer is `no-store`.
 * Strict-Transport-Security is sent over TLS only (directly, or behind a proxy the service
 * trusts, `trustProxy`): over plain HTTP on localhost it would mean nothing.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

/** One year, subdomains included, as OWASP's HSTS cheat sheet suggests. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/api/') || req.url === '/api') {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache');
    }
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
    return payload;
  });
}
