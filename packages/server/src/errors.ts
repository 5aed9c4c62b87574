/**
 * Errors as data at the HTTP edge: every failure leaves as `{ error: { status, issues: Issue[] } }`.
 * The engine and the server speak `Issue`; `statusOf` is the ONE place an issue code becomes an
 * HTTP status (STYLE §5).
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import { issueInfo } from '@dosetwin/models';
import type { FastifyError, FastifyInstance, RouteOptions } from 'fastify';
import { type ErrorBody, type ErrorStatus, errorResponses } from './contract/index.ts';

/** Code → HTTP status. Codes not listed: 422 (the request is well-formed but its content cannot be used). */
const STATUS: Record<string, number> = {
  DT_REQUEST: 400,
  DT_REQUEST_BODY: 400,
  DT_AUTH_REQUIRED: 401,
  DT_AUTH_FAILED: 401,
  DT_AUTH_FORBIDDEN: 403,
  DT_NOT_FOUND: 404,
  DT_CONFLICT: 409,
  DT_DUPLICATE: 409,
  DT_IMMUTABLE: 409,
  DT_BODY_TOO_LARGE: 413,
  DT_MEDIA_TYPE: 415,
  DT_RATE_LIMIT: 429,
  DT_ANALYSIS_BUSY: 429,
  DT_SERVICE_BUSY: 503,
  // Credentials and signatures.
  DT_AUTH_CODE: 401,
  DT_AUTH_PENDING: 403,
  DT_REAUTH: 403,
  DT_SIGN_SEPARATION: 403,
  DT_LAST_ADMIN: 409,
  DT_SIGNATURE_INVALID: 409,
};

/** The HTTP status of a set of issues: the most specific (highest-precedence) error's code. */
export function statusOf(issues: readonly Pick<Issue, 'code' | 'severity'>[]): number {
  const errors = issues.filter((i) => i.severity === 'error');
  if (!errors.length) return 422;
  const order = [401, 403, 404, 413, 415, 429, 503, 409, 400, 422];
  const statuses = errors.map((i) => STATUS[i.code] ?? 422);
  return order.find((s) => statuses.includes(s)) ?? 422;
}

/** Throw one issue (with its French text, where given). */
export function reject(
  code: Issue['code'],
  field: string,
  message: string,
  hint?: string,
  fr?: Issue['fr'],
): never {
  throw new DosetwinError([
    { code, severity: 'error', field, message, ...(hint ? { hint } : {}), ...(fr ? { fr } : {}) },
  ]);
}

/** The schema's complaint about a field, in French, by the JSON Schema keyword that failed. */
function schemaFr(keyword: string, field: string, params: Record<string, unknown>): string {
  switch (keyword) {
    case 'required':
      return `${field} : champ obligatoire manquant`;
    case 'additionalProperties':
      return `champ inconnu « ${String(params.additionalProperty)} »`;
    case 'type':
      return `${field} : type attendu ${String(params.type)}`;
    case 'pattern':
    case 'format':
      return field.endsWith('at') || /date|time|start/i.test(field)
        ? `${field} : pas une date-heure ISO 8601 avec fuseau horaire (par ex. « 2026-11-12T08:00+01:00 »)`
        : `${field} : format non reconnu`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return `${field} : valeur non permise`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `${field} : valeur trop petite (${String(params.comparison ?? '≥')} ${String(params.limit)})`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `${field} : valeur trop grande (${String(params.comparison ?? '≤')} ${String(params.limit)})`;
    case 'minLength':
    case 'minItems':
      return `${field} : trop court`;
    case 'maxLength':
    case 'maxItems':
      return `${field} : trop long`;
    default:
      return `${field} : valeur invalide`;
  }
}

/**
 * An issue with a French text: its own where its raiser gave one, else the catalogue's title and
 * action for its code, with the field named, so that a French user never reads only English.
 */
export function withFrench(i: Issue): Issue {
  if (i.fr) return i;
  const info = issueInfo(i.code);
  if (!info) return i;
  return { ...i, fr: { message: `${i.field} : ${info.title.fr}`, hint: info.action.fr } };
}

/** Fastify's own error codes (bad JSON, body too large, wrong content type…) as issues. */
function fromFastify(e: FastifyError): Issue[] {
  if (e.validation) {
    return e.validation.map((v) => {
      const params = v.params as Record<string, unknown>;
      const base = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
      const prop =
        typeof params.missingProperty === 'string'
          ? params.missingProperty
          : typeof params.additionalProperty === 'string'
            ? params.additionalProperty
            : '';
      const where = e.validationContext ?? 'body';
      const field = [where, base, prop].filter(Boolean).join('.');
      const message =
        typeof params.additionalProperty === 'string'
          ? `unknown field '${params.additionalProperty}'`
          : `${field} ${v.message ?? 'is invalid'}`;
      return {
        code: 'DT_REQUEST',
        severity: 'error',
        field,
        message,
        fr: { message: schemaFr(v.keyword, field, params) },
      } as Issue;
    });
  }
  const map: Record<string, [Issue['code'], string, string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: ['DT_BODY_TOO_LARGE', 'body', 'the request body is larger than the limit'],
    FST_ERR_CTP_INVALID_JSON_BODY: ['DT_REQUEST_BODY', 'body', 'the body is not valid JSON'],
    FST_ERR_CTP_EMPTY_JSON_BODY: ['DT_REQUEST_BODY', 'body', 'the body is empty; a JSON object is expected'],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ['DT_MEDIA_TYPE', 'content-type', 'the body must be application/json'],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
      'DT_REQUEST_BODY',
      'content-length',
      'content-length does not match the body',
    ],
  };
  const m = e.code ? map[e.code] : undefined;
  if (m) return [{ code: m[0], severity: 'error', field: m[1], message: m[2] }];
  if (e instanceof SyntaxError)
    return [
      { code: 'DT_REQUEST_BODY', severity: 'error', field: 'body', message: 'the body is not valid JSON' },
    ];
  return [];
}

/**
 * The error statuses an API route answers before or beside its handler, added to the responses it
 * declares (its success and its own errors), so that the OpenAPI document lists every status each
 * route returns: 401 from the sign-in check (all but public routes), 403 from the role, pending-step
 * and origin checks, 400 from the schemas (params, query, body: a field missing, unknown or of
 * the wrong type), 413 and 415 from the body parser, 500 for anything unforeseen.
 */
export function documentErrors(route: RouteOptions): void {
  if (!route.url.startsWith('/api/')) return;
  const access = route.config?.access;
  const statuses: ErrorStatus[] = [];
  if (access !== 'public') statuses.push(401);
  // 403: a role the route does not serve, a pending step (one-time password, TOTP enrolment), or a
  // cookie-borne change from another origin.
  if (access !== 'public') statuses.push(403);
  const withBody = [route.method].flat().some((m) => m === 'POST' || m === 'PATCH' || m === 'PUT');
  if (withBody || route.schema?.params || route.schema?.querystring) statuses.push(400);
  if (withBody) statuses.push(413, 415);
  statuses.push(500);
  route.schema = {
    ...route.schema,
    response: { ...errorResponses(...statuses), ...(route.schema?.response as object | undefined) },
  };
}

/**
 * The error handler and the 404 handler of the app, and the documentation of the errors every
 * route may give. Unknown errors are logged (without bodies) and give 500.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.addHook('onRoute', documentErrors);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let issues: Issue[];
    let status: number;
    if (err instanceof DosetwinError) {
      issues = [...err.issues];
      status = statusOf(issues);
    } else {
      issues = fromFastify(err);
      if (issues.length) status = statusOf(issues);
      else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
        issues = [{ code: 'DT_REQUEST', severity: 'error', field: 'request', message: err.message }];
      } else {
        req.log.error({ err: { message: err.message, code: err.code, stack: err.stack } }, 'internal error');
        status = 500;
        issues = [{ code: 'DT_INTERNAL', severity: 'error', field: 'server', message: 'internal error' }];
      }
    }
    const body: ErrorBody = { error: { status, issues: issues.map(withFrench) } };
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = {
      error: {
        status: 404,
        issues: [
          {
            code: 'DT_NOT_FOUND',
            severity: 'error',
            field: 'url',
            message: `no route ${req.method} ${req.url.split('?')[0]}`,
          },
        ],
      },
    };
    return reply.status(404).send(body);
  });
}
