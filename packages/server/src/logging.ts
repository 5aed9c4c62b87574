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

/** Logger options: `level` ('info' for the service), optionally to another stream than stdout (tests). */
export function loggerOptions(level = 'info', stream?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  };
}
