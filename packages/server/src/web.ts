/**
 * The clinician web app's files (packages/web/dist, built by Vite) served at `/`: files by path
 * (assets fingerprinted, cached for a year), any other non-API path answered with index.html (the
 * app routes in the browser). Paths are resolved inside the root only; `/api/…` and `/docs` never
 * reach here. When the app is not built, `/` answers 404 saying how to build it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build -w @dosetwin/web` writes the app. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Content security policy of the app's pages: scripts and workers from this origin only; inline
 * styles allowed (the component kit writes its CSS variables in a style element); no framing.
 */
export const CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export function installWebApp(app: FastifyInstance, webRoot: string | null = DEFAULT_WEB_ROOT): void {
  const root = webRoot ? resolve(webRoot) : null;
  const built = (): boolean => root !== null && existsSync(join(root, 'index.html'));

  const send = (reply: FastifyReply, file: string): FastifyReply => {
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    reply.header('content-type', type);
    reply.header('x-content-type-options', 'nosniff');
    if (file.includes(`${sep}assets${sep}`))
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    else reply.header('cache-control', 'no-cache');
    if (type.startsWith('text/html')) {
      reply.header('content-security-policy', CSP);
      reply.header('referrer-policy', 'no-referrer');
    }
    return reply.send(readFileSync(file));
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0]);
    } catch {
      return reply.callNotFound();
    }
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/docs')) return reply.callNotFound();
    if (!built())
      return reply.status(404).send({
        error: {
          status: 404,
          issues: [
            {
              code: 'DT_WEB_NOT_BUILT',
              severity: 'error',
              field: 'url',
              // No file path in an answer: the log at start-up says where the app was looked for.
              message: 'the web app is not built; the API is at /api, its documentation at /docs',
              hint: 'npm run build -w @dosetwin/web (npm start builds it and starts the service)',
            },
          ],
        },
      });
    const file = resolve(root!, `.${path}`);
    const inside = file === root || file.startsWith(root! + sep);
    if (inside && existsSync(file) && statSync(file).isFile()) return send(reply, file);
    // A path with an extension names a file: missing is 404. Others are the app's own routes.
    if (!inside || extname(path)) return reply.callNotFound();
    return send(reply, join(root!, 'index.html'));
  };
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, handler);
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, handler);
}
