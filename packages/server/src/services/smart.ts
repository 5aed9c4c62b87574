/**
 * The web app launched from the EHR (SMART App Launch 2.x; smart/client.ts does the protocol):
 * `GET /smart/launch?iss=…&launch=…` (EHR launch; without `launch`: standalone) sends the signed-in
 * clinician to the EHR's authorization server, `GET /smart/callback` exchanges the code, keeps the
 * tokens in the service (the database, sealed with the service key, for that user, FHIR server and
 * patient: smart-tokens.ts; never in the browser), links the dosetwin patient to the patient in
 * context — created from the FHIR Patient (name, birth date, identifier, sex) the first time — and
 * opens the app on it. The FHIR import then reads the record with that token.
 */
import { DosetwinError } from '@dosetwin/engine';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { fhirGet } from '../fhir/client.ts';
import type { ServiceKeys } from '../keys.ts';
import { beginLaunch, completeLaunch, type PendingLaunch } from '../smart/client.ts';
import { audit, nowIso } from '../store.ts';
import { createPatient } from './patients.ts';
import { keepGrant } from './smart-tokens.ts';

export interface SmartConfig {
  /** dosetwin's client id at the EHRs, and its redirect URI (`https://dosetwin.example/smart/callback`). */
  clientId: string;
  redirectUri: string;
  /** The FHIR servers (SMART `iss`) dosetwin may be launched from; any other is refused. */
  servers: string[];
}

const PENDING_MS = 10 * 60_000;
const norm = (u: string): string => u.replace(/\/+$/, '');

/**
 * Launches under way, in this process only (a launch lasts seconds; one begun before a restart is
 * begun again). The tokens granted are kept in the database (smart-tokens.ts).
 */
export class SmartStore {
  private pending = new Map<string, { launch: PendingLaunch; userId: string; until: number }>();
  begin(userId: string, launch: PendingLaunch): void {
    const now = Date.now();
    for (const [k, v] of this.pending) if (v.until < now) this.pending.delete(k);
    this.pending.set(launch.state, { launch, userId, until: now + PENDING_MS });
  }
  take(userId: string, state: string): PendingLaunch | null {
    const p = this.pending.get(state);
    this.pending.delete(state);
    return p && p.userId === userId && p.until >= Date.now() ? p.launch : null;
  }
}

const smartReject = (field: string, en: string, fr: string): never =>
  reject('DT_SMART', field, en, undefined, { message: fr });

export function requireSmart(s: { config: SmartConfig; store: SmartStore } | null): {
  config: SmartConfig;
  store: SmartStore;
} {
  if (!s)
    smartReject(
      'smart',
      'the service is not registered as a SMART app',
      'le service n’est pas enregistré comme application SMART',
    );
  return s!;
}

/** The authorization URL the clinician is sent to. */
export async function smartLaunch(
  smart: { config: SmartConfig; store: SmartStore },
  user: SessionUser,
  q: { iss: string; launch?: string },
): Promise<string> {
  if (!smart.config.servers.map(norm).includes(norm(q.iss)))
    smartReject(
      'iss',
      `${q.iss} is not an EHR dosetwin is registered with`,
      `${q.iss} n’est pas un DPI où dosetwin est enregistré`,
    );
  const { url, pending } = await beginLaunch({
    iss: norm(q.iss),
    clientId: smart.config.clientId,
    redirectUri: smart.config.redirectUri,
    launch: q.launch,
  });
  smart.store.begin(user.id, pending);
  return url;
}

type Json = Record<string, unknown>;

/** The code exchanged, the token kept, the patient linked (created the first time): its dosetwin id. */
export async function smartCallback(
  db: Kysely<Database>,
  keys: ServiceKeys,
  smart: { config: SmartConfig; store: SmartStore },
  user: SessionUser,
  callbackUrl: string,
  state: string,
): Promise<string> {
  const pending = smart.store.take(user.id, state);
  if (!pending)
    smartReject(
      'state',
      'no launch under way for this state (expired, or another user’s)',
      'aucun lancement en cours pour cet état (expiré, ou d’un autre utilisateur)',
    );
  const session = await completeLaunch(pending!, callbackUrl);
  await keepGrant(db, keys, user.id, session);
  const server = norm(session.iss);
  const linked = await db
    .selectFrom('fhir_patients')
    .select('patient_id')
    .where('fhir_server', '=', server)
    .where('fhir_id', '=', session.patient)
    .executeTakeFirst();
  if (linked) return linked.patient_id;
  // The first launch on this patient: the dosetwin patient from the FHIR Patient.
  const p = await fhirGet({ baseUrl: server, token: session.accessToken }, `Patient/${session.patient}`);
  const name = ((p.name as Json[] | undefined) ?? [])[0] ?? {};
  const family = typeof name.family === 'string' ? name.family : null;
  const given =
    Array.isArray(name.given) && typeof name.given[0] === 'string' ? (name.given[0] as string) : null;
  const birthDate =
    typeof p.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(p.birthDate) ? p.birthDate : null;
  const idf = ((p.identifier as Json[] | undefined) ?? []).find((i) => typeof i.value === 'string');
  const hospitalNumber =
    typeof idf?.value === 'string' && /^[A-Za-z0-9-]{1,40}$/.test(idf.value) ? idf.value : null;
  const sex = p.gender === 'male' || p.gender === 'female' ? p.gender : null;
  const missing = [
    !family && 'name.family',
    !given && 'name.given',
    !birthDate && 'birthDate',
    !hospitalNumber && 'identifier',
    !sex && 'gender',
  ].filter(Boolean);
  if (missing.length)
    throw new DosetwinError([
      {
        code: 'DT_SMART',
        severity: 'error',
        field: `Patient/${session.patient}`,
        message: `the FHIR Patient lacks ${missing.join(', ')}: create the patient by hand, then import`,
        fr: {
          message: `le Patient FHIR n’a pas ${missing.join(', ')} : créer le patient à la main, puis importer`,
        },
      },
    ]);
  const created = await createPatient(db, user, {
    identity: {
      familyName: family!,
      givenName: given!,
      birthDate: birthDate!,
      hospitalNumber: hospitalNumber!,
    },
    sex: sex!,
  });
  await db
    .insertInto('fhir_patients')
    .values({
      patient_id: created.id,
      fhir_server: server,
      fhir_id: session.patient,
      linked_at: nowIso(),
      linked_by: user.id,
    })
    .execute();
  await audit(db, {
    user,
    action: 'create',
    entity: 'fhir_patients',
    entityId: created.id,
    patientId: created.id,
    after: { fhir_server: server, via: 'smart-launch' },
  });
  return created.id;
}
