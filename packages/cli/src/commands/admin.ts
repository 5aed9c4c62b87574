import { DosetwinError } from '@dosetwin/engine';
import type { Command } from 'commander';

/**
 * `dosetwin admin reset-password USER [--remove-totp]`: at the server, for the administrator who
 * lost their password (or a user's, without the web app). The user gets a one-time password,
 * printed once here, which they must change at their next sign-in, where they are told it was
 * reset from the command line; their sessions end. Their second factor is kept unless
 * `--remove-totp` (a lost device): they then enrol a new one. Reads the data directory (--data-dir,
 * else $DOSETWIN_DATA_DIR, else ./.data) or DATABASE_URL as `serve` does. Exit codes: 0 done, 1 no
 * such user, 2 usage.
 */
export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description("accounts, at the server's command line");
  admin
    .command('reset-password')
    .description('give USER a one-time password to change at their next sign-in; their sessions end')
    .argument('<user>', 'the user name')
    .option('--remove-totp', 'also remove their second factor (a lost device): they enrol a new one')
    .option('--data-dir <dir>', 'SQLite data directory (default $DOSETWIN_DATA_DIR or ./.data)')
    .action(async (user: string, opts: { removeTotp?: boolean; dataDir?: string }) => {
      // Imported here so the other commands do not load the server and its database drivers.
      const { openDb, resetPasswordOfUser } = await import('@dosetwin/server');
      const url = process.env.DATABASE_URL;
      const db = await openDb({
        dataDir: opts.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data',
        databaseUrl: url && /^postgres(ql)?:\/\//.test(url) ? url : undefined,
      });
      try {
        const r = await resetPasswordOfUser(db.db, user, { removeTotp: opts.removeTotp });
        process.stdout.write(
          [
            `one-time password of '${r.username}': ${r.oneTimePassword}`,
            'give it to them in person; they must change it at their next sign-in, where they are told it was reset here.',
            'their sessions have ended.',
            r.totpRemoved
              ? 'their second factor was removed: they enrol a new one after changing the password.'
              : 'their second factor is kept (--remove-totp removes it, for a lost device).',
          ].join('\n') + '\n',
        );
      } catch (e) {
        if (!(e instanceof DosetwinError)) throw e;
        process.stderr.write(`error: ${e.issues.map((i) => i.message).join('; ')}\n`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
