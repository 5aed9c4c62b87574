/**
 * Open the database: SQLite (default; a file under the data directory, WAL, synchronous FULL so an
 * acknowledged write survives a crash) or PostgreSQL (`postgres://` URL). Migrations run on open.
 * The SQLite data directory is private to the service's account (0700), its database, WAL and
 * shared-memory files too (0600). The audit trail's chain key (from the service key, outside the
 * database) is attached to the database before migrating.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Mac } from '../audit/chain.ts';
import { ephemeralMac } from '../audit/detail.ts';
import { registerAuditChain } from '../audit/record.ts';
import { loadServiceKeys } from '../keys.ts';
import { type Dialect, migrationProvider } from './migrations.ts';
import type { Database } from './schema.ts';

export interface DbOptions {
  /** `postgres://…` for PostgreSQL; absent = SQLite in `dataDir`. */
  databaseUrl?: string;
  /** SQLite data directory (default `DOSETWIN_DATA_DIR` or `./.data`); `:memory:` for an in-memory database. */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); default `public`. Tests use one schema each. */
  pgSchema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /**
   * The audit chain's keyed hash. Default: from the service key of the data directory (keys.ts),
   * for PostgreSQL too; a key of the process's own for an in-memory database (`dataDir: ':memory:'`).
   */
  auditMac?: Mac;
  /**
   * Read an existing database without writing anything (a federated node): SQLite opened read-only
   * (the file must exist; the directory's modes are left as they are), PostgreSQL sessions read-only;
   * no migration, no audit key.
   */
  readOnly?: boolean;
}

export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data are: the SQLite file or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Make the data directory private (0700), creating it if needed. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Create the database file readable by the service's account only, and tighten the WAL and
 * shared-memory files left by an earlier run; SQLite gives the files it creates later (WAL,
 * journal) the database file's mode.
 */
export function privateFiles(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
    if (existsSync(f)) chmodSync(f, 0o600);
}

export async function openDb(options: DbOptions = {}): Promise<Db> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let location: string;
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    dialect = 'postgres';
    const schema = options.pgSchema;
    if (schema !== undefined && !SCHEMA_RE.test(schema))
      throw new Error(`bad PostgreSQL schema name '${schema}'`);
    if (schema) {
      const c = new pg.Client({ connectionString: options.databaseUrl });
      await c.connect();
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.end();
    }
    const pgOptions = [
      ...(schema ? [`-c search_path=${schema}`] : []),
      ...(options.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ].join(' ');
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(pgOptions ? { options: pgOptions } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(options.databaseUrl);
    u.password = '';
    location = u.toString();
  } else {
    dialect = 'sqlite';
    const dir = options.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data';
    let file = ':memory:';
    if (options.readOnly) {
      file = resolve(join(dir, 'dosetwin.sqlite'));
      if (!existsSync(file))
        throw new Error(`no dosetwin database in ${resolve(dir)} (${file} does not exist)`);
      const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
      sqlite.pragma('busy_timeout = 5000');
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
      return { db, dialect, location: file, close: () => db.destroy() };
    }
    if (dir !== ':memory:') {
      privateDir(dir);
      file = resolve(join(dir, 'dosetwin.sqlite'));
      privateFiles(file);
    }
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    location = file;
  }
  if (options.readOnly) return { db, dialect, location, close: () => db.destroy() };
  const keyDir = options.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data';
  let auditMac = options.auditMac;
  try {
    auditMac ??= keyDir === ':memory:' ? ephemeralMac() : loadServiceKeys(keyDir).keys.auditMac;
  } catch (e) {
    await db.destroy();
    throw e;
  }
  registerAuditChain(db, { dialect, mac: auditMac });
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect, auditMac),
    // Kysely looks for its migration tables in every schema unless told which: another schema's
    // (a test running beside) would be taken for this one's.
    ...(dialect === 'postgres' && options.pgSchema ? { migrationTableSchema: options.pgSchema } : {}),
    // Migrations are numbered as they were planned, not as they were merged: a database that has a
    // later one still takes an earlier one written after it (each stands on its own).
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return { db, dialect, location, close: () => db.destroy() };
}
