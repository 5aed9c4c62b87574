/**
 * Reading a FHIR R4 server: one patient's resources the import reads (the Patient, its
 * Observations and MedicationAdministrations, all pages, and the Medications and Specimens they
 * reference), with a bearer token when the service holds one (SMART), never sent to the browser.
 * A server that does not answer, or answers an error, is DT_FHIR_SERVER (HTTP 502) naming the
 * request, never an empty record.
 */
import { DosetwinError } from '@dosetwin/engine';

export interface FhirAccess {
  /** The server's base URL (`https://ehr.example/fhir/R4`). */
  baseUrl: string;
  /** The access token granted to dosetwin (SMART), or null. */
  token?: string | null;
}

const serverError = (what: string, message: string, fr: string): DosetwinError =>
  new DosetwinError([
    {
      code: 'DT_FHIR_SERVER',
      severity: 'error',
      field: 'fhir',
      message: `${what}: ${message}`,
      hint: 'check the FHIR server address and that dosetwin’s access is granted',
      fr: {
        message: `${what} : ${fr}`,
        hint: 'vérifier l’adresse du serveur FHIR et que l’accès de dosetwin est accordé',
      },
    },
  ]);

type Json = Record<string, unknown>;

/** GET a path or absolute URL of the server as JSON (`application/fhir+json`). */
export async function fhirGet(access: FhirAccess, pathOrUrl: string): Promise<Json> {
  const base = access.baseUrl.replace(/\/+$/, '');
  const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${base}/${pathOrUrl.replace(/^\/+/, '')}`;
  // Only the configured server is asked, even when a Bundle's next link names another.
  if (!url.startsWith(`${base}/`) && url !== base)
    throw serverError(`GET ${url}`, `not under the FHIR server ${base}`, `hors du serveur FHIR ${base}`);
  const get = (): Promise<Response> =>
    fetch(url, {
      headers: {
        accept: 'application/fhir+json',
        ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
      },
      signal: AbortSignal.timeout(30_000),
    });
  let res: Response;
  try {
    try {
      res = await get();
    } catch (e) {
      // A GET may be sent again: once, when the connection failed (a kept-alive connection the
      // server closed just as it was reused), not when the server was too slow.
      if ((e as Error).name === 'TimeoutError') throw e;
      res = await get();
    }
  } catch (e) {
    throw serverError(
      `GET ${url}`,
      `no answer (${(e as Error).message})`,
      `pas de réponse (${(e as Error).message})`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw serverError(`GET ${url}`, `HTTP ${res.status}`, `HTTP ${res.status}`);
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) return j as Json;
  } catch {
    // falls through to the error below
  }
  throw serverError(
    `GET ${url}`,
    'the answer is not a JSON resource',
    'la réponse n’est pas une ressource JSON',
  );
}

/** Every page of a search, up to `max` resources (the import refuses a larger record whole). */
async function searchAll(access: FhirAccess, path: string, max: number, out: unknown[]): Promise<void> {
  let next: string | null = path;
  while (next && out.length <= max) {
    const page = await fhirGet(access, next);
    for (const e of Array.isArray(page.entry) ? (page.entry as Json[]) : []) {
      // Searches may include OperationOutcomes (mode outcome): they are not the patient's resources.
      if ((e.search as Json | undefined)?.mode === 'outcome') continue;
      out.push(e.resource);
    }
    const link = (Array.isArray(page.link) ? (page.link as Json[]) : []).find((l) => l.relation === 'next');
    next = typeof link?.url === 'string' ? link.url : null;
  }
}

/**
 * The resources of one patient that the import reads: the Patient, its Observations and
 * MedicationAdministrations, and the Medications and Specimens they reference outside themselves.
 */
export async function patientResources(
  access: FhirAccess,
  fhirPatientId: string,
  max = 20000,
): Promise<unknown[]> {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(fhirPatientId))
    throw new DosetwinError([
      {
        code: 'DT_REQUEST_VALUE',
        severity: 'error',
        field: 'fhirPatientId',
        message: `'${fhirPatientId}' is not a FHIR id (letters, digits, '-' and '.', at most 64)`,
        fr: {
          message: `« ${fhirPatientId} » n’est pas un identifiant FHIR (lettres, chiffres, « - » et « . », 64 au plus)`,
        },
      },
    ]);
  const out: unknown[] = [await fhirGet(access, `Patient/${fhirPatientId}`)];
  const subject = encodeURIComponent(`Patient/${fhirPatientId}`);
  await searchAll(access, `Observation?subject=${subject}&_count=500`, max, out);
  await searchAll(access, `MedicationAdministration?subject=${subject}&_count=500`, max, out);
  const refs = new Set<string>();
  for (const r of out as Json[]) {
    for (const ref of [
      (r?.medicationReference as Json | undefined)?.reference,
      (r?.specimen as Json | undefined)?.reference,
    ])
      if (typeof ref === 'string' && /^(Medication|Specimen)\/[A-Za-z0-9\-.]{1,64}$/.test(ref)) refs.add(ref);
  }
  for (const ref of refs) out.push(await fhirGet(access, ref));
  return out;
}

/** POST a transaction Bundle to the server's base; its response Bundle, or DT_FHIR_SERVER. */
export async function fhirTransaction(access: FhirAccess, bundle: Json): Promise<Json> {
  const base = access.baseUrl.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(base, {
      method: 'POST',
      headers: {
        accept: 'application/fhir+json',
        'content-type': 'application/fhir+json',
        ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
      },
      body: JSON.stringify(bundle),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw serverError(
      `POST ${base}`,
      `no answer (${(e as Error).message})`,
      `pas de réponse (${(e as Error).message})`,
    );
  }
  const text = await res.text();
  if (!res.ok)
    throw serverError(`POST ${base}`, `HTTP ${res.status} ${text.slice(0, 300)}`, `HTTP ${res.status}`);
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw serverError(`POST ${base}`, 'the answer is not JSON', 'la réponse n’est pas du JSON');
  }
}
