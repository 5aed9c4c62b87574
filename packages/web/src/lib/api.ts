/**
 * The service's HTTP API as the app uses it: bearer token from sign-in, JSON in and out, errors as
 * Issues. The shapes are the service's contract, imported as types only (nothing of the server
 * enters the bundle).
 */
import type { ErrorBody, Issue } from '@dosetwin/server/contract';

/** An issue as the app shows it: the service's, or one the app makes for a failure without a body. */
export type ApiIssue = Pick<Issue, 'code' | 'field' | 'message' | 'hint'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly issues: ApiIssue[],
  ) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; ') || `HTTP ${status}`);
  }
}

const TOKEN_KEY = 'dosetwin.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const t = getToken();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`/api${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const j = json as (Partial<ErrorBody> & { message?: string }) | null;
    throw new ApiError(
      r.status,
      j?.error?.issues ?? [{ code: 'DT_HTTP', field: url, message: j?.message ?? `HTTP ${r.status}` }],
    );
  }
  return json as T;
}
