/** Start the service: open the database, create the first admin, optionally load the demo, listen. */
import { buildApp, type App } from './app.ts';
import { openDb } from './db/connect.ts';
import { ensureAdmin, ensureDemoUsers, loadDemo } from './setup.ts';

export interface ServeOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  demo?: boolean;
  logger?: boolean;
  /** Directory of the built web app (default packages/web/dist). */
  webRoot?: string | null;
}

export interface Served {
  app: App;
  url: string;
  location: string;
  /** Set on the first run only: the admin's one-time password. */
  admin: { username: string; password: string } | null;
  demo: string[];
  /** With `demo`, the demo's clinical accounts created by this run, with their one-time passwords. */
  demoUsers: { username: string; password: string; role: string }[];
  /** Stop listening and close the database. */
  close(): Promise<void>;
}

export async function startServer(o: ServeOptions = {}): Promise<Served> {
  const db = await openDb({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
  const admin = await ensureAdmin(db.db);
  let demo: string[] = [];
  let demoUsers: Served['demoUsers'] = [];
  if (o.demo) {
    const a = await db.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    demo = await loadDemo(db.db, a.id);
    demoUsers = await ensureDemoUsers(db.db);
  }
  const app = await buildApp({ db, logger: o.logger ?? false, webRoot: o.webRoot });
  const url = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8787 });
  const close = async (): Promise<void> => {
    await app.close();
    await db.close();
  };
  return { app, url, location: db.location, admin, demo, demoUsers, close };
}
