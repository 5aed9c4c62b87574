// Clinical service throughput: the analysis endpoint (engine MAP fit + regimen search + storage)
// and a patient-record read, with 50 concurrent clients on loopback (autocannon), on SQLite and,
// when DATABASE_URL is set, PostgreSQL. Returns a Markdown section for bench/results.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp, hashPassword, openDb, type Db } from '@dosetwin/server';

const CONNECTIONS = 50;
const DURATION_S = 5;
const SCRYPT = { N: 1024, r: 8, p: 1 };

interface Row {
  db: string;
  endpoint: string;
  rps: number;
  p50: number;
  p99: number;
  n: number;
  errors: number;
}

async function prepare(
  db: Db,
): Promise<{ url: string; auth: string; rid: string; pid: string; close(): Promise<void> }> {
  await db.db
    .insertInto('users')
    .values({
      id: 'bench-user',
      username: 'bench',
      display_name: 'bench',
      password_hash: await hashPassword('bench password', SCRYPT),
      role: 'pharmacologist',
      service: 'icu',
      active: 1,
      created_at: new Date().toISOString(),
    })
    .execute();
  const app = await buildApp({ db, scrypt: SCRYPT });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const post = async (path: string, body: unknown, auth?: string) =>
    (await (
      await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, string>;
  const auth = `Bearer ${(await post('/api/auth/login', { username: 'bench', password: 'bench password' })).token}`;
  const ago = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const pid = (
    await post(
      '/api/patients',
      {
        identity: { familyName: 'B', givenName: 'C', birthDate: '1960-01-01', hospitalNumber: 'BENCH' },
        sex: 'male',
      },
      auth,
    )
  ).id;
  for (const [name, value, unit] of [
    ['WT', 82, 'kg'],
    ['AGE', 58, 'y'],
    ['SCR', 95, 'umol/L'],
    ['SEX', 0, '-'],
    ['DIAL', 0, '-'],
  ])
    await post(`/api/patients/${pid}/covariates`, { at: ago(60), name, value, unit }, auth);
  for (let k = 0; k < 4; k++)
    await post(
      `/api/patients/${pid}/administrations`,
      {
        at: ago(50 - 12 * k),
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
        product: 'vial',
      },
      auth,
    );
  for (const [h, v] of [
    [12.5, 28.5],
    [2.5, 11.2],
  ])
    await post(
      `/api/patients/${pid}/samples`,
      { at: ago(h), value: v, unit: 'mg/L', matrix: 'plasma', assay: 'IA', lloq: 2 },
      auth,
    );
  const rid = (
    await post('/api/requests', { patientId: pid, modelId: 'vancomycin/goti2018', question: 'bench' }, auth)
  ).id;
  return { url, auth, rid, pid, close: () => app.close() };
}

async function load(
  url: string,
  auth: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<Omit<Row, 'db' | 'endpoint'>> {
  const r = await autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    n: r.requests.total,
    errors: r.errors + r.non2xx,
  };
}

async function benchOne(name: string, db: Db): Promise<Row[]> {
  const s = await prepare(db);
  try {
    const rows: Row[] = [];
    console.error(`server bench: ${name} analysis…`);
    rows.push({
      db: name,
      endpoint: 'POST /api/requests/:id/analyses',
      ...(await load(`${s.url}/api/requests/${s.rid}/analyses`, s.auth, 'POST', '{}')),
    });
    console.error(`server bench: ${name} record read…`);
    rows.push({
      db: name,
      endpoint: 'GET /api/patients/:id',
      ...(await load(`${s.url}/api/patients/${s.pid}`, s.auth, 'GET')),
    });
    return rows;
  } finally {
    await s.close();
  }
}

export async function benchServer(): Promise<string> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-bench-'));
  try {
    const db = await openDb({ dataDir: dir });
    try {
      rows.push(...(await benchOne('SQLite (WAL, synchronous FULL)', db)));
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  let pgNote = '';
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const db = await openDb({ databaseUrl: url, pgSchema: schema, poolSize: 10 });
    try {
      rows.push(...(await benchOne('PostgreSQL', db)));
    } finally {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  } else pgNote = '\nPostgreSQL: not run (DATABASE_URL not set).\n';
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  return [
    '## Clinical service (packages/server)',
    '',
    `${CONNECTIONS} concurrent clients (autocannon) on loopback for ${DURATION_S} s per row; server and load generator in one Node process.`,
    'The analysis is the ICU vancomycin patient (Goti 2018, 2 levels): MAP fit, regimen search over the model products, forecast, stored with its audit row.',
    '',
    '| database | endpoint | requests/s | p50 ms | p99 ms | requests | errors |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) => `| ${r.db} | ${r.endpoint} | ${f(r.rps)} | ${f(r.p50)} | ${f(r.p99)} | ${r.n} | ${r.errors} |`,
    ),
    pgNote,
  ].join('\n');
}
