/**
 * Backup and restore of the SQLite database, online (the service may keep running and writing).
 *
 * A backup is SQLite's online backup (better-sqlite3's `backup`) taken in one step, hence inside
 * one read transaction: a consistent snapshot holding every write committed before it began, so
 * every write the service had acknowledged. It is written beside its destination, made a single
 * self-contained file (rollback journal, not WAL), checked (append-only triggers in place, audit
 * chain intact under the service key), made 0600, then renamed into place: a backup file is
 * complete or absent.
 *
 * A restore checks the backup the same way before touching anything (a backup from another
 * service key, or altered since, is refused), keeps the database it replaces (0600, beside it),
 * copies the backup in with the same online API (SQLite's locks, not a file copy under an open
 * connection) and audits the restore as a new row of the restored trail. It is meant for a
 * stopped service: a running one would go on from the restored content, but a write of its own
 * racing the restore's audit row could be refused (two processes writing one SQLite file).
 * A backup writes nothing to the live database, for the same reason: it is not audited there.
 *
 * The service key is not in the backup (it is kept outside the database on purpose): whoever
 * restores needs it too. PostgreSQL is backed up with its own tools (`pgDumpAdvice`).
 */
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ChainHead } from './audit/chain.ts';
import { checkIntegrity, integrityLines } from './audit/integrity.ts';
import { audit, registerAuditChain } from './audit/record.ts';
import { type Db, openDb, privateDir, privateFiles } from './db/connect.ts';
import type { Database } from './db/schema.ts';
import { loadServiceKeys } from './keys.ts';

export const DB_FILE = 'dosetwin.sqlite';

/** What a backup or a restore did, for the person who ran it. */
export interface BackupResult {
  /** The file written (the backup), or the database restored. */
  file: string;
  /** Audit rows in the copy and its last row. */
  rows: number;
  head: ChainHead;
  /** Restore: where the database it replaced is kept (null when there was none). */
  previous: string | null;
}

/** Every page in one step: the copy is one read transaction, never restarted by a writer. */
const ALL_PAGES = { progress: () => 0x7fffffff };

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

/** The integrity report of an SQLite file under the data directory's service key. */
async function integrityOfFile(file: string, dataDir: string) {
  const sqlite = new SQLite(file, { fileMustExist: true });
  const k = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  registerAuditChain(k, { dialect: 'sqlite', mac: loadServiceKeys(dataDir).keys.auditMac });
  const db: Db = { db: k, dialect: 'sqlite', location: file, close: () => k.destroy() };
  try {
    return await checkIntegrity(db);
  } finally {
    await db.close();
  }
}

/** Refuse with every problem named (the CLI prints the message). */
class BackupError extends Error {}

/** `dosetwin backup FILE`: an online, checked, 0600 copy of the data directory's database. */
export async function backupSqlite(dataDir: string, target: string): Promise<BackupResult> {
  const source = resolve(join(dataDir, DB_FILE));
  const file = resolve(target);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source}`);
  if (file === source) throw new BackupError('the backup cannot be the database itself');
  if (!existsSync(dirname(file))) throw new BackupError(`the directory ${dirname(file)} does not exist`);
  if (existsSync(file)) throw new BackupError(`${file} exists: a backup never overwrites a file`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    const src = new SQLite(source, { fileMustExist: true });
    src.pragma('busy_timeout = 5000');
    try {
      await src.backup(partial, ALL_PAGES);
    } finally {
      src.close();
    }
    const copy = new SQLite(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    chmodSync(partial, 0o600);
    const r = await integrityOfFile(partial, dataDir);
    if (!r.ok)
      throw new BackupError(
        `the copy does not verify, so the database does not either:\n${integrityLines(r).join('\n')}`,
      );
    renameSync(partial, file);
    return { file, rows: r.rows, head: r.head, previous: null };
  } finally {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
  }
}

/** `dosetwin restore FILE`: the data directory's database becomes the backup's content. */
export async function restoreSqlite(dataDir: string, backup: string): Promise<BackupResult> {
  const file = resolve(backup);
  if (!existsSync(file)) throw new BackupError(`there is no backup at ${file}`);
  const r = await integrityOfFile(file, dataDir);
  if (!r.ok)
    throw new BackupError(
      `the backup does not verify under this data directory's service key (made under another key, or altered since): nothing was restored\n${integrityLines(r).join('\n')}`,
    );
  privateDir(dataDir);
  const target = resolve(join(dataDir, DB_FILE));
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${stamp()}`;
    const live = new SQLite(target, { fileMustExist: true });
    live.pragma('busy_timeout = 5000');
    try {
      await live.backup(previous, ALL_PAGES);
    } finally {
      live.close();
    }
    chmodSync(previous, 0o600);
  } else privateFiles(target);
  const src = new SQLite(file, { fileMustExist: true, readonly: true });
  try {
    await src.backup(target, ALL_PAGES);
  } finally {
    src.close();
  }
  privateFiles(target);
  // Opened as the service opens it (WAL, migrations of a later version), and the restore recorded.
  const db = await openDb({ dataDir });
  try {
    await audit(db.db, {
      user: null,
      action: 'restore',
      entity: 'database',
      entityId: null,
      after: { rows: r.rows, hash: r.head.hash },
    });
  } finally {
    await db.close();
  }
  return { file: target, rows: r.rows, head: r.head, previous };
}

export const isBackupError = (e: unknown): e is Error => e instanceof BackupError;

/** What to run instead for PostgreSQL (the URL shown without its password). */
export function pgDumpAdvice(databaseUrl: string): string[] {
  const u = new URL(databaseUrl);
  u.password = '';
  const url = u.toString();
  return [
    'dosetwin backup and restore copy the SQLite database; PostgreSQL is backed up with its own tools:',
    `  pg_dump --format=custom --file=FILE '${url}'       (a consistent snapshot, online)`,
    `  pg_restore --clean --if-exists --single-transaction --dbname='${url}' FILE`,
    'then run dosetwin audit verify. Keep the service key (service.key or DOSETWIN_SECRET_KEY) apart from the dump:',
    'without it the audit chain and the signatures cannot be checked; with the dump beside it, they can be forged.',
  ];
}
