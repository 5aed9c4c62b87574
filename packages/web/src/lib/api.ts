/** The service's HTTP API as the app uses it: bearer token from sign-in, JSON in and out, errors as Issues. */
import type { CandidateOut } from '@dosetwin/models';

export interface SessionUser {
  id: string;
  username: string;
  role: 'prescriber' | 'pharmacologist' | 'admin';
  service: string;
  displayName: string;
}

export interface ApiIssue {
  code: string;
  field: string;
  message: string;
  hint?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly issues: ApiIssue[],
  ) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; ') || `HTTP ${status}`);
  }
}

export interface PatientRow {
  id: string;
  pseudonym: string;
  service: string;
  sex: string;
  created_at: string;
}

export interface Administration {
  id: string;
  at: string;
  amount: number;
  unit: string;
  route: 'oral' | 'bolus' | 'infusion';
  duration_value: number | null;
  duration_unit: string | null;
  product: string;
}
export interface Sample {
  id: string;
  at: string;
  value: number;
  unit: string;
  matrix: string;
  assay: string;
  lloq: number | null;
}
export interface Covariate {
  id: string;
  at: string;
  name: string;
  value: number;
  unit: string;
}
export interface RequestRow {
  id: string;
  patient_id: string;
  pseudonym?: string;
  model_id: string;
  status: 'submitted' | 'analysed' | 'validated' | 'rejected';
  question?: string;
  created_at: string;
}
export interface PatientRecord {
  patient: PatientRow;
  identity: { family_name: string; given_name: string; birth_date: string; hospital_number: string } | null;
  covariates: Covariate[];
  administrations: Administration[];
  samples: Sample[];
  requests: RequestRow[];
}
export interface ModelInfo {
  id: string;
  version: string;
  drug: string;
  citation: string | null;
  units: { dose: string; time: string; conc: string };
  covariates: { name: string; unit: string; label: string }[];
  status: string;
}
export type { CandidateOut };
export interface Validation {
  id: string;
  decision: 'accept' | 'modify' | 'reject';
  comment: string;
  regimen: unknown;
  analysisHash: string;
  signedBy: string;
  signedAt: string;
  signature: string;
}
export interface Analysis {
  id: string;
  requestId: string;
  patientId: string;
  version: number;
  supersedes: string | null;
  modelId: string;
  modelVersion: string;
  engineVersion: string;
  inputs: import('./twin.ts').TwinInputs & { conversions: string[]; start: string };
  fit: {
    kind: 'map' | 'a priori';
    converged: boolean;
    objective: number | null;
    etaNames: string[];
    eta: number[];
    parameters: Record<string, number>;
    observations: { at: string; observed: number; predicted: number }[];
  };
  candidates: CandidateOut[];
  warnings: ApiIssue[];
  hash: string;
  createdAt: string;
  validation: Validation | null;
}
export interface RequestDetail extends RequestRow {
  question: string;
  analyses: {
    id: string;
    version: number;
    supersedes: string | null;
    created_at: string;
    decision: string | null;
  }[];
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
    const j = json as { error?: { issues?: ApiIssue[] }; message?: string } | null;
    throw new ApiError(
      r.status,
      j?.error?.issues ?? [{ code: 'DT_HTTP', field: url, message: j?.message ?? `HTTP ${r.status}` }],
    );
  }
  return json as T;
}
