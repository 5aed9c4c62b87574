/**
 * Writing the audit trail: one chained row per event (chain.ts), in the caller's transaction when
 * given one. A row says who, what, when and on which ids; never a name, a birth date, a hospital
 * number or a clinical value. What a change wrote is kept as a keyed digest (whoever holds the
 * record and the key can check that it is what was written; no one can read it back from the
 * trail), beside the few fields that are neither identity nor clinical (ids, versions, statuses,
 * roles, decisions).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { GENESIS, type Mac, rowHash } from './chain.ts';
import { auditDetail } from './detail.ts';

type Tx = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  /** Who: the signed-in user (null: the service itself, or an anonymous caller). */
  user: { id: string } | null;
  /** read, create, update, login, logout, export, analyse, validate, deny, migrate… */
  action: string;
  entity: string;
  entityId: string | null;
  patientId?: string | null;
  /** The state before and after: stored as a digest and the fields `auditDetail` keeps. */
  before?: unknown;
  after?: unknown;
}

interface Chain {
  dialect: 'sqlite' | 'postgres';
  mac: Mac;
}

// A Kysely instance, its transactions and its views (withSchema, withPlugin) share one dialect
// adapter object: the chain of a database is found from any of them without passing it around.
const chains = new WeakMap<object, Chain>();
const adapterOf = (db: Tx): object => db.getExecutor().adapter;

/** Attach the audit chain's key to a database (openDb does, before migrating). */
export function registerAuditChain(db: Kysely<Database>, chain: Chain): void {
  chains.set(adapterOf(db), chain);
}

export function chainOf(db: Tx): Chain {
  const c = chains.get(adapterOf(db));
  if (!c) throw new Error('this database was not opened by openDb: it has no audit chain key');
  return c;
}

/** A digest of a text under the chain's key (e.g. a user name tried at a failed sign-in). */
export const auditDigest = (db: Tx, text: string): string => chainOf(db).mac(`name\n${text}`);

/**
 * Append one audit row, chained to the last: in the caller's transaction when given one (the row
 * is written, or rolled back, with the change it records), else in a transaction of its own.
 * PostgreSQL serialises the writers of the chain with a transaction-scoped advisory lock; SQLite
 * transactions are serialised already. A row's time never goes back: with the clock behind the
 * last row's time, the row takes that time.
 */
export async function audit(db: Tx, e: AuditEntry): Promise<void> {
  const chain = chainOf(db);
  const before = auditDetail(chain.mac, e.before);
  const after = auditDetail(chain.mac, e.after);
  const write = async (trx: Tx): Promise<void> => {
    if (chain.dialect === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.dosetwin_audit'))`.execute(trx);
    const last = await trx
      .selectFrom('audit')
      .select(['seq', 'hash', 'at'])
      .where('seq', 'is not', null)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const now = new Date().toISOString();
    const content = {
      seq: (last?.seq ?? 0) + 1,
      at: last && last.at > now ? last.at : now,
      user_id: e.user?.id ?? null,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      patient_id: e.patientId ?? null,
      before,
      after,
    };
    const prev = last?.hash ?? GENESIS;
    await trx
      .insertInto('audit')
      .values({ ...content, prev_hash: prev, hash: rowHash(chain.mac, prev, content) })
      .execute();
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
}
