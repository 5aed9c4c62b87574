/**
 * Errors as data at the HTTP edge: every failure leaves as `{ error: { status, issues: Issue[] } }`.
 * The engine and the server speak `Issue`; `statusOf` is the ONE place an issue code becomes an
 * HTTP status (STYLE §5).
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import { issueInfo } from '@dosetwin/models';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
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
  DT_LOCAL_MODEL_SELF_APPROVAL: 403,
  DT_LOCAL_MODEL_APPROVER: 403,
  DT_LOCAL_MODEL_NOT_APPROVED: 409,
  DT_LOCAL_MODEL_STATE: 409,
  DT_LAST_ADMIN: 409,
  DT_SIGNATURE_INVALID: 409,
  // The hospital's FHIR server.
  DT_FHIR_SERVER: 502,
  // CDS Hooks calls.
  DT_CDS_REQUEST: 400,
  DT_CDS_AUTH: 401,
};

/** The HTTP status of a set of issues: the most specific (highest-precedence) error's code. */
export function statusOf(issues: readonly Pick<Issue, 'code' | 'severity'>[]): number {
  const errors = issues.filter((i) => i.severity === 'error');
  if (!errors.length) return 422;
  const order = [401, 403, 404, 413, 415, 429, 503, 502, 409, 400, 422];
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

/**
 * At most this many schema complaints per answer, then one saying how many more: a body of a
 * thousand unknown fields must not come back as a thousand messages (an answer many times the
 * size of the request).
 */
export const MAX_SCHEMA_ISSUES = 10;
/** A field name taken from the body is echoed at most this long. */
const MAX_ECHOED_NAME = 64;
const clip = (name: string): string =>
  name.length > MAX_ECHOED_NAME ? `${name.slice(0, MAX_ECHOED_NAME)}…` : name;

/** Fastify's own error codes (bad JSON, body too large, wrong content type…) as issues. */
function fromFastify(e: FastifyError): Issue[] {
  if (e.validation) {
    const all = e.validation;
    const shown = all.slice(0, MAX_SCHEMA_ISSUES).map((v) => {
      const params = v.params as Record<string, unknown>;
      const base = clip((v.instancePath || '').replace(/^\//, '').replace(/\//g, '.'));
      const prop =
        typeof params.missingProperty === 'string'
          ? params.missingProperty
          : typeof params.additionalProperty === 'string'
            ? clip(params.additionalProperty)
            : '';
      const where = e.validationContext ?? 'body';
      const field = [where, base, prop].filter(Boolean).join('.');
      const message =
        typeof params.additionalProperty === 'string'
          ? `unknown field '${prop}'`
          : `${field} ${v.message ?? 'is invalid'}`;
      return {
        code: 'DT_REQUEST',
        severity: 'error',
        field,
        message,
        fr: { message: schemaFr(v.keyword, field, { ...params, additionalProperty: prop }) },
      } as Issue;
    });
    const more = all.length - shown.length;
    if (more > 0)
      shown.push({
        code: 'DT_REQUEST',
        severity: 'error',
        field: e.validationContext ?? 'body',
        message: `and ${more} more problems of the same request, not listed`,
        fr: { message: `et ${more} autres problèmes dans la même requête, non listés` },
      });
    return shown;
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

/**
 * Errors Fastify meets before routing (Fastify's `frameworkErrors`): a URL whose percent-escapes
 * do not decode (`%E0%A4%A`, `%ZZ`) is answered like any other bad request, naming the URL
 * (not echoing it) with the headers of every answer, not with Fastify's own body.
 */
export function frameworkError(e: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const badUrl = e.code === 'FST_ERR_BAD_URL';
  const issue: Issue = badUrl
    ? {
        code: 'DT_REQUEST',
        severity: 'error',
        field: 'url',
        message:
          "the URL holds a percent-escape that is not UTF-8 (as '%E0%A4%A' or '%ZZ'): escape each byte as %XX",
        fr: {
          message:
            'url : l’adresse contient un échappement « % » qui n’est pas de l’UTF-8 (comme « %E0%A4%A » ou « %ZZ ») : échapper chaque octet en %XX',
        },
      }
    : { code: 'DT_REQUEST', severity: 'error', field: 'url', message: 'the request cannot be routed' };
  const body: ErrorBody = { error: { status: 400, issues: [issue] } };
  void reply
    .status(400)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .send(body);
}
