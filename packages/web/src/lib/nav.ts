import type { SessionUser } from '@dosetwin/server/contract';

/**
 * Navigation by URL hash (`#/patients/ID`): matching a hash against a path of the route table
 * (src/routes.tsx, the one place pages are registered) and going to a hash. Apart from the table,
 * so that pages can navigate without importing the table that imports them.
 */

/** What every page of the route table receives: the `:id` of its path ('' when it has none) and the signed-in user. */
export interface PageProps {
  id: string;
  user: SessionUser;
}

/** The parameters of `hash` under `path` (`requests/:id` matches `#/requests/r1` → `{ id: 'r1' }`), or null. */
export function matchPath(path: string, hash: string): Record<string, string> | null {
  const want = path.split('/').filter(Boolean);
  const got = hash
    .replace(/^#?\/?/, '')
    .split('/')
    .filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [k, w] of want.entries()) {
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[k]);
    else if (w !== got[k]) return null;
  }
  return params;
}

export const go = (hash: string): void => {
  window.location.hash = hash;
};
