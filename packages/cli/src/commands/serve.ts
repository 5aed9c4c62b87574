import type { Command } from 'commander';

/**
 * `dosetwin serve [--port N] [--host H] [--data-dir DIR] [--demo] [--plain-http] [--distinct-signer]`:
 * the clinical service on localhost over the embedded SQLite database (or PostgreSQL when
 * DATABASE_URL=postgres://…). The first run creates the `admin` account with a one-time password
 * kept in a 0600 file of the data directory (its path is printed, never the password: a log would
 * keep it), removed once changed. Session cookies are `__Host-` and `Secure`, for a service behind
 * TLS; `--plain-http` (loopback only) drops `Secure` for plain-HTTP development. `--distinct-signer`
 * refuses a signature by the pharmacologist who ran the analysis (off by default, so that a service
 * with one pharmacologist can work). `--trust-proxy` names the reverse proxies whose
 * X-Forwarded-For gives the client's address (the sign-in limiter counts per user and address). `--demo` loads a kidney-transplant tacrolimus patient and an
 * ICU vancomycin patient, each with a request.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the clinical service (HTTP API, OpenAPI docs at /docs) on localhost')
    .option('--port <n>', 'port', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'SQLite data directory (default $DOSETWIN_DATA_DIR or ./.data)')
    .option('--demo', 'load the demo patients (tacrolimus kidney transplant, vancomycin ICU)')
    .option('--plain-http', 'cookies without Secure, for plain HTTP on a loopback address only')
    .option('--distinct-signer', 'the pharmacologist who ran an analysis may not sign it')
    .option(
      '--trust-proxy <addresses>',
      "the reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client (default: none, the connection's address counts)",
    )
    .action(
      async (opts: {
        port: string;
        host: string;
        dataDir?: string;
        demo?: boolean;
        plainHttp?: boolean;
        distinctSigner?: boolean;
        trustProxy?: string;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          console.error(`error: --port ${opts.port} is not a port number`);
          process.exitCode = 2;
          return;
        }
        // Imported here so the other commands do not load the server and its database drivers.
        const { startServer } = await import('@dosetwin/server');
        const s = await startServer({
          port,
          host: opts.host,
          dataDir: opts.dataDir,
          databaseUrl: process.env.DATABASE_URL,
          demo: opts.demo,
          plainHttp: opts.plainHttp,
          trustProxy: opts.trustProxy,
          auth: opts.distinctSigner ? { distinctSigner: true } : undefined,
          // The service's log (JSON lines on stdout, credentials and identity redacted): on unless
          // DOSETWIN_LOG=off, so that an internal error always leaves a trace.
          logger: process.env.DOSETWIN_LOG !== 'off',
        });
        console.log(`dosetwin service at ${s.url} (API under /api, documentation at ${s.url}/docs)`);
        console.log(`database: ${s.location}`);
        if (s.admin)
          console.log(
            s.admin.file
              ? `first run: created user '${s.admin.username}'; its one-time password is in ${s.admin.file} (readable by this account only), removed once you sign in and change it`
              : `first run: created user '${s.admin.username}'; set its password with: dosetwin admin reset-password ${s.admin.username}`,
          );
        else if (s.adminPasswordFile)
          console.log(
            `the first administrator's one-time password is still unchanged: it is in ${s.adminPasswordFile}`,
          );
        if (s.demo.length) console.log(`demo patients loaded: ${s.demo.join(', ')}`);
        for (const u of s.demoUsers)
          console.log(`demo account '${u.username}' (${u.role}), one-time password ${u.password}`);
        console.log(`web app at ${s.url}/`);
        const stop = async (): Promise<void> => {
          await s.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
