/**
 * The app's routes as URL hashes (`#/patients/ID`, `#/requests`, …): parsed by the shell (App) and
 * navigated to by the pages. Apart from App so that pages can navigate without importing the shell
 * that imports them.
 */
export type Route =
  | { page: 'patients' }
  | { page: 'patient'; id: string }
  | { page: 'requests' }
  | { page: 'request'; id: string }
  | { page: 'analysis'; id: string };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'patients' && parts[1]) return { page: 'patient', id: parts[1] };
  if (parts[0] === 'requests' && parts[1]) return { page: 'request', id: parts[1] };
  if (parts[0] === 'requests') return { page: 'requests' };
  if (parts[0] === 'analyses' && parts[1]) return { page: 'analysis', id: parts[1] };
  return { page: 'patients' };
}

export const go = (hash: string): void => {
  window.location.hash = hash;
};
