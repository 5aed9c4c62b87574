import type { Command } from 'commander';

/**
 * The record's keeping: `dosetwin audit verify` (append-only triggers in place, the audit trail's
 * hash chain intact: the start-up check, on demand), `dosetwin backup FILE` and `dosetwin restore
 * FILE` (SQLite online backup; for PostgreSQL, the pg_dump commands to run). Each reads the data
 * directory (--data-dir, else $DOSETWIN_DATA_DIR, else ./.data) or DATABASE_URL as `serve` does.
 * Exit codes: 0 done, 1 the record or the backup does not verify (or the copy failed), 2 usage.
 */
const DATA_DIR_HELP = 'SQLite data directory (default $DOSETWIN_DATA_DIR or ./.data)';

const dataDirOf = (o: { dataDir?: string }): string =>
  o.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data';
const postgresUrl = (): string | null => {
  const u = process.env.DATABASE_URL;
  return u && /^postgres(ql)?:\/\//.test(u) ? u : null;
};

type Server = typeof import('@dosetwin/server');

/**
 * Run a SQLite copy (backup or restore): with PostgreSQL, the pg_dump/pg_restore commands to run
 * instead (exit 2); a copy refused (not verified, another key, an existing file) → exit 1.
 */
async function sqliteOnly(run: (server: Server) => Promise<void>, prefix = ''): Promise<void> {
  const server = await import('@dosetwin/server');
  const pg = postgresUrl();
  if (pg) {
    process.stderr.write(`${server.pgDumpAdvice(pg).join('\n')}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    await run(server);
  } catch (e) {
    if (!server.isBackupError(e)) throw e;
    process.stderr.write(`error: ${prefix}${e.message}\n`);
    process.exitCode = 1;
  }
}

export function registerStore(program: Command): void {
  const auditCmd = program.command('audit').description('the audit trail');
  auditCmd
    .command('verify')
    .description("check the record's integrity: append-only triggers in place, audit hash chain intact")
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (opts: { dataDir?: string }) => {
      // Imported here so the other commands do not load the server and its database drivers.
      const { openDb, checkIntegrity, integrityLines } = await import('@dosetwin/server');
      const db = await openDb({ dataDir: dataDirOf(opts), databaseUrl: postgresUrl() ?? undefined });
      try {
        const r = await checkIntegrity(db);
        const lines = integrityLines(r);
        (r.ok ? process.stdout : process.stderr).write(`${db.location}\n${lines.join('\n')}\n`);
        process.exitCode = r.ok ? 0 : 1;
      } finally {
        await db.close();
      }
    });

  program
    .command('backup')
    .description('copy the database online (SQLite) into FILE, checked and private (0600)')
    .argument('<file>', 'the backup file to write (never overwritten)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action((file: string, opts: { dataDir?: string }) =>
      sqliteOnly(async ({ backupSqlite }) => {
        const r = await backupSqlite(dataDirOf(opts), file);
        process.stdout.write(
          `backup written to ${r.file} (0600): ${r.rows} audit rows, the last ${r.head.seq} at ${r.head.at}\n` +
            'the service key is not in it: keep service.key (or DOSETWIN_SECRET_KEY) apart, restore needs it\n',
        );
      }, 'backup not made: '),
    );

  program
    .command('restore')
    .description(
      "replace the database by a backup's content, the service stopped (checked first; the replaced database is kept)",
    )
    .argument('<file>', 'a file written by dosetwin backup')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action((file: string, opts: { dataDir?: string }) =>
      sqliteOnly(async ({ restoreSqlite }) => {
        const r = await restoreSqlite(dataDirOf(opts), file);
        process.stdout.write(
          `restored ${r.file} from ${file}: ${r.rows} audit rows, the last ${r.head.seq} at ${r.head.at}; the restore is audited\n` +
            (r.previous ? `the database it replaced is kept in ${r.previous}\n` : ''),
        );
      }),
    );
}
