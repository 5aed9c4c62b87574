/** What the routes and the service modules share: the database, the password cost, the login limiter. */
import type { LoginLimiter, ScryptCost } from './auth.ts';
import type { Db } from './db/connect.ts';

export interface Ctx {
  db: Db;
  scrypt: ScryptCost;
  limiter: LoginLimiter;
}
