/**
 * The service's HTTP API as the app uses it: the session cookie the sign-in set (HttpOnly: never
 * read or kept by the app), JSON in and out, errors as Issues. The shapes are the service's
 * contract, imported as types only (nothing of the server enters the bundle).
 */
import type { ErrorBody, Issue } from '@dosetwin/server/contract';

/** An issue as the app shows it: the service's, or one the app makes for a failure without a body. */
export type ApiIssue = Pick<Issue, 'code' | 'field' | 'message' | 'hint' | 'fr'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly issues: ApiIssue[],
  ) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; ') || `HTTP ${status}`);
  }
}

/**
 * The event the app hears when the service no longer knows the session (it ended after 30 min
 * without activity, at its 12 h end, or was revoked): the app then shows the sign-in page.
 */
export const SESSION_ENDED = 'dosetwin:session-ended';

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`/api${url}`, {
    method,
    headers,
    // The session is the service's HttpOnly cookie: no token is ever in reach of the page's scripts.
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const j = json as (Partial<ErrorBody> & { message?: string }) | null;
    // Asking who is signed in, or signing in, answers 401 by design; elsewhere it means the session ended.
    if (r.status === 401 && url !== '/auth/me' && url !== '/auth/login')
      window.dispatchEvent(new Event(SESSION_ENDED));
    throw new ApiError(
      r.status,
      j?.error?.issues ?? [{ code: 'DT_HTTP', field: url, message: j?.message ?? `HTTP ${r.status}` }],
    );
  }
  return json as T;
}
