/** Storage helpers shared by the routes: clock, ids, the audit trail, access to a patient's record. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { SessionUser } from './auth.ts';
import type { Database } from './db/schema.ts';
import { reject } from './errors.ts';

export type Tx = Kysely<Database> | Transaction<Database>;

export const newId = (): string => randomUUID();
export const nowIso = (): string => new Date().toISOString();

export interface AuditEntry {
  user: SessionUser | null;
  action: 'read' | 'create' | 'update' | 'correct' | 'login' | 'logout' | 'export' | 'analyse' | 'validate';
  entity: string;
  entityId: string | null;
  patientId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Append one audit row (in the caller's transaction when given one). */
export async function audit(db: Tx, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      at: nowIso(),
      user_id: e.user?.id ?? null,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      patient_id: e.patientId ?? null,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    })
    .execute();
}

/** The patient row, if the user may see it: pharmacologists see all; prescribers their own service. */
export async function patientFor(db: Tx, user: SessionUser, patientId: string, field = 'patientId') {
  const p = await db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
  if (!p) reject('DT_NOT_FOUND', field, `no patient '${patientId}'`);
  if (user.role === 'prescriber' && p.service !== user.service)
    reject(
      'DT_AUTH_FORBIDDEN',
      field,
      `patient ${p.pseudonym} belongs to service ${p.service}, not yours (${user.service})`,
    );
  if (user.role === 'admin')
    reject('DT_AUTH_FORBIDDEN', field, 'administrators do not read clinical records');
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
