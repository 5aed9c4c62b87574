/**
 * Open the database: SQLite (default; a file under the data directory, WAL, synchronous FULL so an
 * acknowledged write survives a crash) or PostgreSQL (`postgres://` URL). Migrations run on open.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
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
}

export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data are: the SQLite file or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

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
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(options.databaseUrl);
    u.password = '';
    location = u.toString();
  } else {
    dialect = 'sqlite';
    const dir = options.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data';
    let file = ':memory:';
    if (dir !== ':memory:') {
      mkdirSync(dir, { recursive: true });
      file = resolve(join(dir, 'dosetwin.sqlite'));
    }
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    location = file;
  }
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return { db, dialect, location, close: () => db.destroy() };
}
