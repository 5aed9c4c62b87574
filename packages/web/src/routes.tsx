/**
 * The route table: every page of the app and the hash path it answers (`#/patients/:id`), with
 * the section of the header's navigation it belongs to. The shell (App) renders the first route
 * whose path matches; pages register nowhere else, and navigate with lib/nav.ts.
 */
import type { JSX } from 'react';
import type { Key } from './i18n/index.ts';
import { matchPath, type PageProps } from './lib/nav.ts';
import { AnalysisPage } from './pages/Analysis.tsx';
import { ComparePage } from './pages/Compare.tsx';
import { PatientPage } from './pages/Patient.tsx';
import { PatientsPage } from './pages/Patients.tsx';
import { RequestPage, RequestsPage } from './pages/Requests.tsx';

export type Section = 'patients' | 'requests';

export interface RouteDef {
  path: string;
  page: (props: PageProps) => JSX.Element;
  section: Section;
}

export const ROUTES: readonly RouteDef[] = [
  { path: '', page: PatientsPage, section: 'patients' },
  { path: 'patients/:id', page: PatientPage, section: 'patients' },
  { path: 'requests', page: RequestsPage, section: 'requests' },
  { path: 'requests/:id', page: RequestPage, section: 'requests' },
  { path: 'requests/:id/compare', page: ComparePage, section: 'requests' },
  { path: 'analyses/:id', page: AnalysisPage, section: 'requests' },
];

/** The header's navigation: one link per section. */
export const SECTIONS: readonly { section: Section; href: string; label: Key }[] = [
  { section: 'patients', href: '#/', label: 'patients' },
  { section: 'requests', href: '#/requests', label: 'requests' },
];

/** The route of a hash and its `:id`; an unknown hash is the patients list. */
export function resolveRoute(hash: string): { route: RouteDef; id: string } {
  for (const route of ROUTES) {
    const params = matchPath(route.path, hash);
    if (params) return { route, id: params.id ?? '' };
  }
  return { route: ROUTES[0], id: '' };
}
