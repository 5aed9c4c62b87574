// Child process of crash.test.ts: a server on a SQLite file, with one prescriber (password already
// changed, no second factor needed), printing its port.
import { buildApp } from './app.ts';
import { hashPassword } from './auth.ts';
import { openDb } from './db/connect.ts';
import { newId, nowIso } from './store.ts';
import { FAST_SCRYPT, PASSWORD } from './test-support.ts';

const db = await openDb({ dataDir: process.argv[2] });
await db.db
  .insertInto('users')
  .values({
    id: newId(),
    username: 'crash',
    display_name: 'crash',
    password_hash: await hashPassword(PASSWORD, FAST_SCRYPT),
    role: 'prescriber',
    service: 'icu',
    active: 1,
    created_at: nowIso(),
    must_change_password: 0,
  })
  .execute();
const app = await buildApp({ db, scrypt: FAST_SCRYPT });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
