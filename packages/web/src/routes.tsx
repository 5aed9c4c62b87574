/**
 * The route table: every page of the app and the hash path it answers (`#/patients/:id`), with
 * the section of the header's navigation it belongs to. The shell (App) renders the first route
 * whose path matches; pages register nowhere else, and navigate with lib/nav.ts.
 */
import type { Role } from '@dosetwin/server/contract';
import type { JSX } from 'react';
import type { Key } from './i18n/index.ts';
import { matchPath, type PageProps } from './lib/nav.ts';
import { AccountPage } from './pages/Account.tsx';
import { AnalysisPage } from './pages/Analysis.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { ComparePage } from './pages/Compare.tsx';
import { DiaryPage } from './pages/Diary.tsx';
import { LocalModelPage } from './pages/LocalModel.tsx';
import { LocalModelsPage } from './pages/LocalModels.tsx';
import { PatientPage } from './pages/Patient.tsx';
import { PatientsPage } from './pages/Patients.tsx';
import { PlaygroundPage } from './pages/Playground.tsx';
import { TrialPage } from './pages/Trial.tsx';
import { RequestPage, RequestsPage } from './pages/Requests.tsx';
import { UsersPage } from './pages/Users.tsx';

export type Section = 'patients' | 'requests' | 'localModels' | 'users' | 'account' | 'audit';

/** The clinical pages: an administrator reads no clinical record (the service refuses it). */
const CLINICAL: readonly Role[] = ['prescriber', 'pharmacologist'];

export interface RouteDef {
  path: string;
  page: (props: PageProps) => JSX.Element;
  section: Section;
  /** Who may open it (default: the clinical roles). */
  roles?: readonly Role[];
}

export const ROUTES: readonly RouteDef[] = [
  { path: '', page: PatientsPage, section: 'patients' },
  { path: 'patients/:id', page: PatientPage, section: 'patients' },
  { path: 'requests', page: RequestsPage, section: 'requests' },
  { path: 'requests/:id', page: RequestPage, section: 'requests' },
  { path: 'requests/:id/compare', page: ComparePage, section: 'requests' },
  { path: 'analyses/:id', page: AnalysisPage, section: 'requests' },
  // The patient's dose diary on the analysis's twin: a missed or late dose and what to do.
  { path: 'analyses/:id/diary', page: DiaryPage, section: 'requests' },
  // Local versions of library models: proposed, approved by a second pharmacologist, diagnostics.
  { path: 'local-models', page: LocalModelsPage, section: 'localModels', roles: ['pharmacologist'] },
  { path: 'local-models/:id', page: LocalModelPage, section: 'localModels', roles: ['pharmacologist'] },
  { path: 'admin/users', page: UsersPage, section: 'users', roles: ['admin'] },
  // The auditor's only page, hence its first: the pseudonymised trail (the service serves it to no other role).
  { path: 'audit', page: AuditPage, section: 'audit', roles: ['auditor'] },
  {
    path: 'account',
    page: AccountPage,
    section: 'account',
    roles: ['prescriber', 'pharmacologist', 'admin'],
  },
];

/**
 * Pages anyone may open, signed in or not: the teaching playground. The shell renders them without
 * waiting to learn who is signed in, and they call no API (they work offline once loaded).
 */
export const PUBLIC_ROUTES: readonly { path: string; page: () => JSX.Element }[] = [
  { path: 'playground', page: PlaygroundPage },
  // Virtual trials of the library's models, computed in the browser.
  { path: 'trial', page: TrialPage },
];

/** The public page of a hash, or null. */
export const resolvePublicRoute = (hash: string) =>
  PUBLIC_ROUTES.find((r) => matchPath(r.path, hash) !== null) ?? null;

const allows = (r: { roles?: readonly Role[] }, role: Role | undefined): boolean =>
  role === undefined || (r.roles ?? CLINICAL).includes(role);

/** The header's navigation: one link per section. */
export const SECTIONS: readonly {
  section: Section;
  href: string;
  label: Key;
  /** A shorter label below a laptop's width, so that the header keeps one line down to 768 px. */
  short?: Key;
  roles?: readonly Role[];
}[] = [
  { section: 'patients', href: '#/', label: 'patients' },
  { section: 'requests', href: '#/requests', label: 'requests' },
  {
    section: 'localModels',
    href: '#/local-models',
    label: 'lm_nav',
    short: 'lm_navShort',
    roles: ['pharmacologist'],
  },
  { section: 'users', href: '#/admin/users', label: 'users', roles: ['admin'] },
  { section: 'audit', href: '#/audit', label: 'audit', roles: ['auditor'] },
  {
    section: 'account',
    href: '#/account',
    label: 'account',
    roles: ['prescriber', 'pharmacologist', 'admin'],
  },
];

/** The sections a role sees in the header. */
export const sectionsFor = (role: Role) => SECTIONS.filter((s) => allows(s, role));

/**
 * The route of a hash and its `:id`; an unknown hash, or one the role may not open, is the role's
 * first page (the patients list; the users for an administrator).
 */
export function resolveRoute(hash: string, role?: Role): { route: RouteDef; id: string } {
  for (const route of ROUTES) {
    const params = matchPath(route.path, hash);
    if (params && allows(route, role)) return { route, id: params.id ?? '' };
  }
  return { route: ROUTES.find((r) => allows(r, role)) ?? ROUTES[0], id: '' };
}
