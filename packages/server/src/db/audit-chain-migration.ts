/**
 * Migration 0006: the audit trail becomes a keyed hash chain without identity or clinical
 * values, and the clinical, identity, request and user tables become append-only in the
 * database itself.
 *
 * - Audit rows get a sequence number, the previous row's hash and their own (audit/chain.ts).
 *   Rows written before are redacted as rows are now written (audit/detail.ts: what they copied
 *   of a record or an identity becomes a keyed digest) and chained in their order; the migration
 *   records itself as the next row. That is the one time audit rows are rewritten: the triggers
 *   refusing it are dropped for it and created again in the same transaction.
 * - Patients, identities, covariates, administrations and samples: no DELETE, no UPDATE (a
 *   correction is a new row of `corrections`). Requests: never deleted, what was asked never
 *   changes (their status and urgency do). Users: never deleted (deactivated), their id, user
 *   name and creation time never change.
 *
 * The triggers' names are listed in `appendOnlyTriggers`: the start-up check looks for each.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { audit } from '../audit/record.ts';
import { GENESIS, type Mac, rowHash } from '../audit/chain.ts';
import { auditDetail } from '../audit/detail.ts';
import type { Database } from './schema.ts';

type Dialect = 'sqlite' | 'postgres';

/** Tables whose rows never change nor go: by the first migration, by corrections, and here. */
const APPEND_ONLY = {
  initial: ['audit', 'analyses', 'validations'],
  corrections: ['corrections'],
  here: ['patients', 'patient_identity', 'covariates', 'administrations', 'samples'],
} as const;

/** Tables never deleted from, whose listed columns never change (the others are workflow state). */
export const GUARDED: readonly { table: string; columns: readonly string[] }[] = [
  {
    table: 'requests',
    columns: ['id', 'patient_id', 'kind', 'model_id', 'question', 'created_at', 'created_by'],
  },
  { table: 'users', columns: ['id', 'username', 'created_at'] },
];

/**
 * Every trigger that keeps a table append-only: what the start-up check looks for. `optional`:
 * the table comes from another migration than the first and this one (its triggers are looked
 * for when the table exists).
 */
export function appendOnlyTriggers(dialect: Dialect): { table: string; name: string; optional?: true }[] {
  const out: { table: string; name: string; optional?: true }[] = [];
  const each = (t: string, optional?: true) => {
    const o = optional ? { optional } : {};
    if (dialect === 'postgres') out.push({ table: t, name: `${t}_append_only`, ...o });
    else out.push({ table: t, name: `${t}_no_update`, ...o }, { table: t, name: `${t}_no_delete`, ...o });
  };
  for (const t of [...APPEND_ONLY.initial, ...APPEND_ONLY.here]) each(t);
  for (const t of APPEND_ONLY.corrections) each(t, true);
  for (const g of GUARDED)
    out.push(
      { table: g.table, name: `${g.table}_no_delete` },
      { table: g.table, name: `${g.table}_guard_update` },
    );
  return out;
}

/** UPDATE and DELETE refused, whatever the columns (those added later too). */
async function appendOnly(db: Kysely<unknown>, dialect: Dialect, table: string): Promise<void> {
  const message = `DT_APPEND_ONLY: ${table} rows are not deleted or changed; a correction is a new row`;
  if (dialect === 'postgres')
    await sql`CREATE TRIGGER ${sql.raw(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
  else
    for (const op of ['UPDATE', 'DELETE'])
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON ${sql.table(table)}
        BEGIN SELECT RAISE(ABORT, ${sql.lit(message)}); END`.execute(db);
}

/** DELETE refused; UPDATE refused when it changes one of the guarded columns. */
async function guard(db: Kysely<unknown>, dialect: Dialect, g: (typeof GUARDED)[number]): Promise<void> {
  const t = sql.table(g.table);
  const message = `DT_APPEND_ONLY: ${g.table} rows are not deleted, and ${g.columns.join(', ')} never change`;
  if (dialect === 'postgres') {
    const changed = sql.join(
      g.columns.map((c) => sql`OLD.${sql.ref(c)} IS DISTINCT FROM NEW.${sql.ref(c)}`),
      sql` OR `,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${g.table}_no_delete`)} BEFORE DELETE ON ${t}
      FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${g.table}_guard_update`)} BEFORE UPDATE ON ${t}
      FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION dt_append_only()`.execute(db);
  } else {
    const changed = sql.join(
      g.columns.map((c) => sql`OLD.${sql.ref(c)} IS NOT NEW.${sql.ref(c)}`),
      sql` OR `,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${g.table}_no_delete`)} BEFORE DELETE ON ${t}
      BEGIN SELECT RAISE(ABORT, ${sql.lit(message)}); END`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${g.table}_guard_update`)} BEFORE UPDATE ON ${t}
      WHEN ${changed}
      BEGIN SELECT RAISE(ABORT, ${sql.lit(message)}); END`.execute(db);
  }
}

async function dropAuditTriggers(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`DROP TRIGGER audit_append_only ON audit`.execute(db);
  else
    for (const op of ['update', 'delete']) await sql`DROP TRIGGER ${sql.raw(`audit_no_${op}`)}`.execute(db);
}

async function createAuditTriggers(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres')
    await sql`CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
      FOR EACH ROW EXECUTE FUNCTION dt_append_only()`.execute(db);
  else
    for (const op of ['UPDATE', 'DELETE'])
      await sql`CREATE TRIGGER ${sql.raw(`audit_no_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON audit
        BEGIN SELECT RAISE(ABORT, ${sql.lit('DT_APPEND_ONLY: audit is append-only')}); END`.execute(db);
}

const parse = (s: string | null): unknown => {
  if (s === null) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

export function auditChainMigration(dialect: Dialect, mac: Mac): Migration {
  return {
    async up(udb: Kysely<unknown>): Promise<void> {
      const db = udb as Kysely<Database>;
      for (const col of ['prev_hash', 'hash'])
        await db.schema.alterTable('audit').addColumn(col, 'text').execute();
      await db.schema.alterTable('audit').addColumn('seq', 'integer').execute();

      // The rows written before: redacted and chained, in the order they were written.
      await dropAuditTriggers(udb, dialect);
      const rows = await db.selectFrom('audit').selectAll().orderBy('id').execute();
      let prev = GENESIS;
      let lastAt = '';
      let seq = 0;
      for (const r of rows) {
        seq++;
        const content = {
          seq,
          at: r.at > lastAt ? r.at : lastAt,
          user_id: r.user_id,
          action: r.action,
          entity: r.entity,
          entity_id: r.entity_id,
          patient_id: r.patient_id,
          before: auditDetail(mac, parse(r.before)),
          after: auditDetail(mac, parse(r.after)),
        };
        const hash = rowHash(mac, prev, content);
        await db
          .updateTable('audit')
          .set({ ...content, prev_hash: prev, hash })
          .where('id', '=', r.id)
          .execute();
        prev = hash;
        lastAt = content.at;
      }
      await createAuditTriggers(udb, dialect);
      await db.schema.createIndex('audit_seq_unique').on('audit').column('seq').unique().execute();

      for (const t of APPEND_ONLY.here) await appendOnly(udb, dialect, t);
      for (const g of GUARDED) await guard(udb, dialect, g);
      await audit(db, {
        user: null,
        action: 'migrate',
        entity: 'audit',
        entityId: null,
        after: { rows: rows.length, reason: 'chained; identity and clinical values redacted' },
      });
    },
  };
}
