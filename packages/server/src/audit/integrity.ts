/**
 * The integrity of the record, checked at start-up (`dosetwin serve` refuses to start when it
 * fails) and by `dosetwin audit verify`: every append-only trigger is in place and enabled and
 * still refuses (its body raises), and the audit chain is intact from its first row to its last.
 */
import { DosetwinError } from '@dosetwin/engine';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { appendOnlyTriggers } from '../db/audit-chain-migration.ts';
import { type ChainHead, type ChainProblem, type ChainedRow, START, verifyChain } from './chain.ts';
import { chainOf } from './record.ts';

export interface IntegrityReport {
  /** Append-only triggers missing, disabled or no longer refusing: `table.trigger: what`. */
  triggers: string[];
  /** Rows of the audit trail that do not fit the chain. */
  chain: ChainProblem[];
  rows: number;
  /** The last row: note it to detect later a trail cut short after it. */
  head: ChainHead;
  ok: boolean;
}

/** Each append-only trigger, with what is wrong with it (empty when all are in place). */
export async function triggerProblems(db: Db): Promise<string[]> {
  const tables = new Set(
    (db.dialect === 'postgres'
      ? await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema()`.execute(db.db)
      : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db.db)
    ).rows.map((x) => x.name),
  );
  const expected = appendOnlyTriggers(db.dialect).filter((e) => !e.optional || tables.has(e.table));
  const problems: string[] = [];
  if (db.dialect === 'postgres') {
    const r = await sql<{ table: string; name: string; enabled: string; body: string }>`
      SELECT c.relname AS table, t.tgname AS name, t.tgenabled AS enabled, p.prosrc AS body
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal`.execute(db.db);
    const have = new Map(r.rows.map((x) => [`${x.table}.${x.name}`, x]));
    for (const e of expected) {
      const t = have.get(`${e.table}.${e.name}`);
      if (!t) problems.push(`${e.table}.${e.name}: missing`);
      else if (t.enabled === 'D') problems.push(`${e.table}.${e.name}: disabled`);
      else if (!/RAISE\s+EXCEPTION/i.test(t.body))
        problems.push(`${e.table}.${e.name}: its function no longer refuses`);
    }
  } else {
    const r = await sql<{ table: string; name: string; body: string }>`
      SELECT tbl_name AS "table", name, sql AS body FROM sqlite_master WHERE type = 'trigger'`.execute(db.db);
    const have = new Map(r.rows.map((x) => [`${x.table}.${x.name}`, x]));
    for (const e of expected) {
      const t = have.get(`${e.table}.${e.name}`);
      if (!t) problems.push(`${e.table}.${e.name}: missing`);
      else if (!/RAISE\s*\(\s*ABORT/i.test(t.body)) problems.push(`${e.table}.${e.name}: no longer refuses`);
    }
  }
  return problems;
}

const PAGE = 2000;

/** Walk the whole audit trail in the order it was written, checking the chain. */
export async function verifyAuditChain(
  db: Db,
): Promise<{ rows: number; head: ChainHead; problems: ChainProblem[] }> {
  const { mac } = chainOf(db.db);
  let head = START;
  let rows = 0;
  let after = -1;
  const problems: ChainProblem[] = [];
  for (;;) {
    const page = await db.db
      .selectFrom('audit')
      .select([
        'id',
        'seq',
        'at',
        'user_id',
        'action',
        'entity',
        'entity_id',
        'patient_id',
        'before',
        'after',
        'prev_hash',
        'hash',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (!page.length) break;
    const r = verifyChain(mac, head, page as ChainedRow[]);
    head = r.head;
    problems.push(...r.problems);
    rows += page.length;
    after = page[page.length - 1].id;
    // A broken chain is broken: the first problems name where; thousands more would not help.
    if (problems.length >= 50) break;
  }
  return { rows, head, problems };
}

export async function checkIntegrity(db: Db): Promise<IntegrityReport> {
  const triggers = await triggerProblems(db);
  const { rows, head, problems } = await verifyAuditChain(db);
  return { triggers, chain: problems, rows, head, ok: triggers.length === 0 && problems.length === 0 };
}

/** The report as lines for a person (the CLI, the start-up refusal). */
export function integrityLines(r: IntegrityReport): string[] {
  const lines = [
    ...r.triggers.map((t) => `append-only trigger ${t}`),
    ...r.chain.map((p) => `audit row ${p.seq ?? '(no sequence number)'}: ${p.problem}`),
  ];
  lines.push(
    r.ok
      ? `audit trail intact: ${r.rows} rows, last ${r.head.seq} at ${r.head.at || '—'} (hash ${r.head.hash.slice(0, 16)}…); append-only triggers in place`
      : `integrity check FAILED (${r.triggers.length} trigger problems, ${r.chain.length} chain problems, ${r.rows} rows read)`,
  );
  return lines;
}

/**
 * Refuse to serve over a record whose integrity is broken: the database is closed and the error
 * names each trigger and row at fault (`dosetwin audit verify` prints the same).
 */
export async function refuseBrokenRecord(db: Db): Promise<void> {
  const r = await checkIntegrity(db);
  if (r.ok) return;
  await db.close();
  throw new DosetwinError([
    {
      code: 'DT_AUDIT_BROKEN',
      severity: 'error',
      field: 'database',
      message: `the record's integrity is broken, the service does not start: ${integrityLines(r).join('; ')}`,
      hint: "restore the last good backup (dosetwin restore FILE), or investigate with 'dosetwin audit verify'; a dropped append-only trigger means someone changed the database outside the service",
    },
  ]);
}
