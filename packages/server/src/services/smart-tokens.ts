/**
 * The tokens an EHR granted at a SMART launch, kept in the database (table smart_tokens) for the
 * user who launched, the FHIR server and the patient in context: they outlive a restart of the
 * service and are used by no one else. The access and refresh tokens are sealed with the service
 * key (keys.ts: AES-256-GCM), together with the row's user, server and patient, so that whoever
 * holds the database alone can neither read them nor move one to another user's row. An access
 * token about to expire is renewed with the refresh token (openid-client) before it is used;
 * signing out revokes the user's grants at the EHR (when it offers revocation) and deletes them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { FhirAccess } from '../fhir/client.ts';
import type { ServiceKeys } from '../keys.ts';
import {
  refreshSession,
  revokeSession,
  type SmartConfiguration,
  type SmartSession,
} from '../smart/client.ts';
import { nowIso } from '../store.ts';

/** An access token with less than this left is renewed before use (a FHIR import takes seconds). */
export const RENEW_BEFORE_MS = 60_000;

const norm = (u: string): string => u.replace(/\/+$/, '');

/** What is sealed: the tokens and what they are bound to. */
interface Sealed {
  userId: string;
  server: string;
  patient: string;
  accessToken: string;
  refreshToken: string | null;
}

type Row = Database['smart_tokens'];

const seal = (keys: ServiceKeys, userId: string, s: SmartSession): string =>
  keys.seal(
    JSON.stringify({
      userId,
      server: norm(s.iss),
      patient: s.patient,
      accessToken: s.accessToken,
      refreshToken: s.refreshToken,
    } satisfies Sealed),
  );

/** The grant of a row, or null when its seal does not open or is bound to another row. */
function sessionOf(keys: ServiceKeys, row: Row): SmartSession | null {
  let v: Sealed;
  try {
    v = JSON.parse(keys.open(row.sealed)) as Sealed;
  } catch {
    return null;
  }
  if (v.userId !== row.user_id || v.server !== row.fhir_server || v.patient !== row.fhir_patient) return null;
  return {
    iss: row.fhir_server,
    accessToken: v.accessToken,
    refreshToken: v.refreshToken,
    scope: row.scope,
    patient: row.fhir_patient,
    expiresAt: row.expires_at === null ? null : Date.parse(row.expires_at),
    smart: JSON.parse(row.authorization_server) as SmartConfiguration,
    clientId: row.client_id,
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Keep the grant of a completed launch (replacing the user's earlier one for that server and patient). */
export async function keepGrant(
  db: Kysely<Database>,
  keys: ServiceKeys,
  userId: string,
  s: SmartSession,
): Promise<void> {
  const server = norm(s.iss);
  await db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('smart_tokens')
      .where('user_id', '=', userId)
      .where('fhir_server', '=', server)
      .where('fhir_patient', '=', s.patient)
      .execute();
    await tx
      .insertInto('smart_tokens')
      .values({
        id: randomUUID(),
        user_id: userId,
        fhir_server: server,
        fhir_patient: s.patient,
        sealed: seal(keys, userId, s),
        scope: s.scope,
        expires_at: iso(s.expiresAt),
        authorization_server: JSON.stringify(s.smart),
        client_id: s.clientId,
        created_at: nowIso(),
        refreshed_at: null,
      })
      .execute();
  });
}

// One renewal at a time per grant in this process: the EHR may rotate the refresh token, and a
// second renewal with the spent one would make it revoke the whole grant.
const renewing = new Map<string, Promise<SmartSession>>();

/**
 * The access to a FHIR patient the user was granted by a launch, renewed first when its access
 * token is about to expire; null when the user holds no grant for it. A grant that cannot be
 * renewed is deleted and refused (DT_SMART: launch again from the EHR).
 */
export async function grantedAccess(
  db: Kysely<Database>,
  keys: ServiceKeys,
  userId: string,
  server: string,
  fhirPatientId: string,
): Promise<FhirAccess | null> {
  const row = await db
    .selectFrom('smart_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('fhir_server', '=', norm(server))
    .where('fhir_patient', '=', fhirPatientId)
    .executeTakeFirst();
  if (!row) return null;
  const s = sessionOf(keys, row);
  if (!s) return null;
  if (s.expiresAt === null || s.expiresAt - Date.now() > RENEW_BEFORE_MS)
    return { baseUrl: s.iss, token: s.accessToken };
  let pending = renewing.get(row.id);
  if (!pending) {
    pending = (async () => {
      try {
        const next = await refreshSession(s);
        await db
          .updateTable('smart_tokens')
          .set({
            sealed: seal(keys, userId, next),
            scope: next.scope,
            expires_at: iso(next.expiresAt),
            refreshed_at: nowIso(),
          })
          .where('id', '=', row.id)
          .execute();
        return next;
      } catch (e) {
        await db.deleteFrom('smart_tokens').where('id', '=', row.id).execute();
        throw e;
      } finally {
        renewing.delete(row.id);
      }
    })();
    renewing.set(row.id, pending);
  }
  const next = await pending;
  return { baseUrl: next.iss, token: next.accessToken };
}

/**
 * Sign-out: the user's grants revoked at their EHRs (best effort, when offered) and deleted.
 * Returns how many there were.
 */
export async function revokeGrants(db: Kysely<Database>, keys: ServiceKeys, userId: string): Promise<number> {
  const rows = await db.selectFrom('smart_tokens').selectAll().where('user_id', '=', userId).execute();
  await db.deleteFrom('smart_tokens').where('user_id', '=', userId).execute();
  await Promise.all(
    rows.map(async (row) => {
      const s = sessionOf(keys, row);
      if (s) await revokeSession(s).catch(() => false);
    }),
  );
  return rows.length;
}
