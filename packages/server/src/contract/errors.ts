/**
 * The error shape of every route: `{ error: { status, issues: Issue[] } }`, each issue naming its
 * field. The statuses and what each means are listed once here, for the OpenAPI document.
 */
import type { Issue as EngineIssue } from '@dosetwin/engine';
import { type Static, Type } from 'typebox';
import { type Assert, type Same } from './common.ts';

export const Issue = Type.Object({
  code: Type.TemplateLiteral('DT_${string}', { description: 'stable code, e.g. DT_UNIT_UNKNOWN' }),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  field: Type.String({ description: "where: 'unit', 'body.at', 'regimen.dose.unit', 'targets[0]'" }),
  message: Type.String(),
  hint: Type.Optional(Type.String({ description: 'what to do about it' })),
  fr: Type.Optional(
    Type.Object(
      { message: Type.String(), hint: Type.Optional(Type.String()) },
      { description: 'the message and hint in French, where given' },
    ),
  ),
  file: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
});
export type Issue = Static<typeof Issue>;
export type _IssueIsTheEnginesIssue = Assert<Same<Issue, EngineIssue>>;

export const ErrorBody = Type.Object({
  error: Type.Object({ status: Type.Integer(), issues: Type.Array(Issue) }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** What each error status means in this API. */
export const ERROR_STATUSES = {
  400: 'malformed request: a field missing, unknown or of the wrong type, or a body that is not JSON',
  401: 'not signed in, or the session has ended (POST /api/auth/login)',
  403: "signed in, but the role or the service may not do this (a prescriber sees their service's patients), a one-time password or a second factor comes first, or a re-authentication failed",
  404: 'no such record (or a path that is not an API route)',
  409: 'conflicts with the stored state: a duplicate, a signed (immutable) analysis, a newer version',
  413: 'the body is larger than the limit',
  415: 'the body is not application/json',
  422: 'well-formed, but its content cannot be used: a unit, a time, a value, the model; each issue names its field',
  429: 'too many attempts: failed sign-ins, or analyses running at once for one user; try again later',
  502: 'the FHIR server the service reads did not answer, or answered an error',
  503: 'the service is busy (the analyses queue is full); try again shortly',
  500: 'internal error (logged, without the request body)',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/**
 * The error body as a shared schema (`app.addSchema`): every route's error responses refer to it,
 * so the OpenAPI document states it once, among its components.
 */
export const SharedErrorBody = { ...ErrorBody, $id: 'ErrorBody', title: 'ErrorBody' };

/** Response schemas for error statuses: the one error body, described by what the status means. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): { [K in S]: typeof ErrorBody } {
  const each = statuses.map((s) => [
    s,
    Type.Unsafe<ErrorBody>({ $ref: 'ErrorBody#', description: ERROR_STATUSES[s] }),
  ]);
  return Object.fromEntries(each) as unknown as { [K in S]: typeof ErrorBody };
}
