/**
 * The service's log: Fastify's pino, one JSON line per event (a request, its answer, an internal
 * error with its stack), on standard output. Bodies are never logged, and whatever could carry a
 * credential or a patient's identity is redacted wherever it appears in a logged object: the
 * authorization and cookie headers, the session cookie set, passwords, tokens, second-factor
 * codes and secrets, names, birth dates and hospital numbers.
 */
import type { FastifyServerOptions } from 'fastify';

const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'code',
  'totp',
  'secret',
  'familyName',
  'givenName',
  'birthName',
  'birthDate',
  'hospitalNumber',
  'family_name',
  'given_name',
  'birth_date',
  'hospital_number',
];

export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/** Where log lines go: standard output by default; tests pass a collector. */
export interface LogDestination {
  write(line: string): void;
}

/**
 * A URL as logged: the path, and the query string's names without their values (a patient search
 * sends the searched name there: `/api/patients/search?q=[redacted]`). Paths hold ids only.
 */
export function loggedUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((kv) => `${kv.split('=')[0].slice(0, 40)}=[redacted]`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  ip: string;
  socket?: { remotePort?: number };
}

/** Logger options: `level` ('info' for the service), optionally to another stream than stdout (tests). */
export function loggerOptions(level = 'info', stream?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: loggedUrl(req.url),
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    ...(stream ? { stream } : {}),
  };
}
