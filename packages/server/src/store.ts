/** Storage helpers shared by the routes: clock, ids, the audit trail, access to a patient's record. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { audit, type AuditEntry } from './audit/record.ts';
import type { SessionUser } from './auth.ts';
import type { Database } from './db/schema.ts';
import { reject } from './errors.ts';

export type Tx = Kysely<Database> | Transaction<Database>;

export const newId = (): string => randomUUID();
export const nowIso = (): string => new Date().toISOString();

// The audit trail (a keyed hash chain, no identity or clinical values): audit/record.ts.
export { audit, type AuditEntry };

/** The patient row, if the user may see it: pharmacologists see all; prescribers their own service's. */
export async function patientFor(
  db: Tx,
  user: SessionUser,
  patientId: string,
  field = 'patientId',
  /** What the caller asked for when it was not the patient (a request, an analysis): the 404 names it, not the patient. */
  asked?: { what: string; id: string },
) {
  const p = await db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
  if (user.role !== 'prescriber' && user.role !== 'pharmacologist')
    reject('DT_AUTH_FORBIDDEN', field, `the role ${user.role} does not read clinical records`);
  // Another service's patient is answered as a missing one: the answer tells nothing of the patient
  // (not even that it exists); the audit trail records the refusal.
  if (!p || (user.role === 'prescriber' && p.service !== user.service)) {
    if (p)
      await audit(db, {
        user,
        action: 'deny',
        entity: 'patient',
        entityId: p.id,
        patientId: p.id,
        after: { reason: 'other-service' },
      });
    reject('DT_NOT_FOUND', field, asked ? `no ${asked.what} '${asked.id}'` : `no patient '${patientId}'`);
  }
  return p;
}

/** Unique-constraint violation from either database, as a 409 naming the field. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '');
}

export async function inTx<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(fn);
}

/** Parse a JSON column. */
export const parseJson = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
