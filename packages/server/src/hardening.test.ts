// Headers, logs and the smaller findings, replayed as the probe did: patient data and reports
// cached by a browser or a proxy, content sniffed, the report or /docs framed or without a content
// security policy, HSTS sent over plain HTTP, a password or a name in the log, another ward's
// patient named in a refusal, a body amplified into a 16× answer, '__proto__' and bad URL escapes
// answered with misleading messages, NUL and bidi overrides stored in a name, a file path in a 404.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildApp, type App } from './app.ts';
import { openDb } from './db/connect.ts';
import { MAX_SCHEMA_ISSUES } from './errors.ts';
import { loggerOptions } from './logging.ts';
import { caller, FAST_SCRYPT, PASSWORD, REAUTH, userWithToken, vancomycinRequest } from './test-support.ts';

const NAME = { familyName: 'Brightwater', givenName: 'Evangeline' };

describe('security headers, redacted logs and the smaller findings', () => {
  let app: App;
  let closeDb: () => Promise<void>;
  const log: string[] = [];
  let presc: Awaited<ReturnType<typeof userWithToken>>;
  let pharm: Awaited<ReturnType<typeof userWithToken>>;
  let requestId: string;
  let patientId: string;

  before(async () => {
    const db = await openDb({ dataDir: ':memory:' });
    app = await buildApp({
      db,
      scrypt: FAST_SCRYPT,
      trustProxy: '127.0.0.1',
      logger: loggerOptions('info', { write: (line: string) => void log.push(line) }),
      // No web app, whether or not packages/web/dist was built in this checkout: its 404s are tested.
      webRoot: null,
    });
    closeDb = db.close;
    presc = await userWithToken(app, 'prescriber', 'icu', 'dr.hardening');
    pharm = await userWithToken(app, 'pharmacologist', 'pharmacology');
    const r = await vancomycinRequest(app, presc.auth, {
      identity: { ...NAME, birthDate: '1961-05-17', hospitalNumber: 'HN-HARD-1' },
      covariatesAt: '2026-11-20T06:00:00Z',
      doses: ['2026-11-20T07:00:00Z', '2026-11-20T19:00:00Z'].map((at) => ({
        at,
        amount: 1,
        unit: 'g',
        product: 'vancomycine 1 g',
      })),
      samples: [{ at: '2026-11-20T21:00:00Z', value: 27.4 }],
    });
    requestId = r.requestId;
    patientId = r.patientId;
  });
  after(async () => {
    await app?.close();
    await closeDb?.();
  });

  test('patient data and reports are no-store and nosniff; the report, /docs and the API carry the CSP with frame-ancestors none', async () => {
    const { ok } = caller(app);
    const a = (await ok(pharm.auth, 'POST', `/api/requests/${requestId}/analyses`, {})).json();
    await ok(pharm.auth, 'POST', `/api/analyses/${a.id}/validations`, {
      ...REAUTH,
      decision: 'accept',
      comment: 'as proposed',
    });
    const answers = {
      record: await ok(presc.auth, 'GET', `/api/patients/${patientId}?identity=true`),
      reportHtml: await ok(presc.auth, 'GET', `/api/requests/${requestId}/report?format=html&identity=true`),
      reportPdf: await ok(presc.auth, 'GET', `/api/requests/${requestId}/report?format=pdf`),
      export: await ok(pharm.auth, 'GET', `/api/patients/${patientId}/export`),
    };
    for (const [what, r] of Object.entries(answers)) {
      assert.equal(r.headers['cache-control'], 'no-store', what);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/, what);
    }
    assert.match(String(answers.reportHtml.headers['content-type']), /^text\/html/);
    assert.match(String(answers.reportHtml.headers['content-security-policy']), /script-src 'self'/);
    // The documentation: the page and its assets, with the same policy, framed by no one.
    for (const url of ['/docs', '/docs/static/index.html', '/docs/json']) {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: pharm.auth } });
      assert.ok(r.statusCode < 400 || r.statusCode === 401, `${url}: ${r.statusCode}`);
      assert.match(
        String(r.headers['content-security-policy']),
        /default-src 'self'.*frame-ancestors 'none'/,
        url,
      );
      assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(r.headers['x-frame-options'], 'DENY', url);
    }
  });

  test('HSTS only over TLS: behind the trusted proxy saying https, not over plain HTTP nor from an untrusted one', async () => {
    const get = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
      app.inject({ method: 'GET', url: '/api/health', headers, remoteAddress });
    assert.equal(
      (await get({ 'x-forwarded-proto': 'https' })).headers['strict-transport-security'],
      'max-age=31536000; includeSubDomains',
    );
    assert.equal((await get({})).headers['strict-transport-security'], undefined);
    assert.equal(
      (await get({ 'x-forwarded-proto': 'https' }, '10.1.2.3')).headers['strict-transport-security'],
      undefined,
    );
  });

  test('the log: one JSON line per request and answer, without the password, the token, nor the name', async () => {
    const before = log.length;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: presc.username, password: 'Wrong-Password-Sesame-42' },
    });
    assert.equal(login.statusCode, 401);
    const created = await app.inject({
      method: 'POST',
      url: '/api/patients',
      headers: { authorization: presc.auth, cookie: presc.cookie },
      payload: { identity: { ...NAME, birthDate: '1961-05-17', hospitalNumber: 'HN-HARD-2' }, sex: 'female' },
    });
    assert.equal(created.statusCode, 201, created.body);
    // A search by name: the name travels in the query string, which the log keeps without values.
    const search = await app.inject({
      method: 'GET',
      url: `/api/patients/search?q=${NAME.familyName}`,
      headers: { authorization: presc.auth },
    });
    assert.equal(search.statusCode, 200, search.body);
    const lines = log.slice(before);
    const text = lines.join('\n');
    assert.ok(lines.length >= 4, text);
    const entries = lines.map(
      (l) => JSON.parse(l) as { req?: { url?: string }; res?: { statusCode?: number } },
    );
    assert.ok(entries.some((e) => e.req?.url === '/api/patients'));
    assert.ok(
      entries.some((e) => e.req?.url === '/api/patients/search?q=[redacted]'),
      text,
    );
    assert.ok(entries.some((e) => e.res?.statusCode === 401));
    for (const secret of [
      'Wrong-Password-Sesame-42',
      PASSWORD,
      presc.auth.slice('Bearer '.length),
      NAME.familyName,
      NAME.givenName,
      'HN-HARD-2',
      '1961-05-17',
    ])
      assert.ok(!text.includes(secret), `the log holds '${secret}'`);
    // An object that does carry them is logged redacted.
    app.log.info(
      { body: { password: 'p4ss', identity: { familyName: 'Zed', hospitalNumber: 'HN-9' } } },
      'probe',
    );
    const probe = log.at(-1)!;
    assert.ok(!/p4ss|Zed|HN-9/.test(probe), probe);
    assert.match(probe, /\[redacted\]/);
  });

  test("another ward's patient is answered 404 without naming it or its service; the refusal is audited", async () => {
    const other = await userWithToken(app, 'prescriber', 'cardiology');
    for (const url of [
      `/api/patients/${patientId}`,
      `/api/patients/${patientId}?identity=true`,
      `/api/requests/${requestId}`,
      `/api/requests/${requestId}/report`,
    ]) {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: other.auth } });
      assert.equal(r.statusCode, 404, r.body);
      for (const s of ['icu', 'P-', NAME.familyName]) assert.ok(!r.body.includes(s), `${url} shows '${s}'`);
      // A request's refusal names the request asked for, not its patient.
      if (url.startsWith('/api/requests')) assert.ok(!r.body.includes(patientId), `${url} names the patient`);
    }
    const denied = await app.dt.db.db
      .selectFrom('audit')
      .selectAll()
      .where('user_id', '=', other.id)
      .where('action', '=', 'deny')
      .execute();
    assert.ok(denied.length >= 4 && denied.every((d) => d.patient_id === patientId));
  });

  test('schema complaints are capped: 2000 unknown fields give at most 11 issues and a smaller answer than the body', async () => {
    const body: Record<string, unknown> = { sex: 'male' };
    for (let i = 0; i < 2000; i++) body[`unknown_field_${i}`] = i;
    body['x'.repeat(5000)] = 1;
    const r = await app.inject({
      method: 'POST',
      url: '/api/patients',
      headers: { authorization: presc.auth },
      payload: body,
    });
    assert.equal(r.statusCode, 400);
    const issues = r.json().error.issues as { message: string }[];
    assert.equal(issues.length, MAX_SCHEMA_ISSUES + 1);
    assert.match(issues.at(-1)!.message, /^and \d+ more problems of the same request, not listed$/);
    assert.ok(
      r.body.length < JSON.stringify(body).length / 10,
      `${r.body.length} bytes for ${JSON.stringify(body).length}`,
    );
    const long = await app.inject({
      method: 'POST',
      url: '/api/patients',
      headers: { authorization: presc.auth },
      payload: {
        sex: 'male',
        identity: { ...NAME, birthDate: '1961-05-17', hospitalNumber: 'HN-3' },
        ['y'.repeat(5000)]: 1,
      },
    });
    assert.equal(long.statusCode, 400);
    assert.ok(long.body.length < 1000, `${long.body.length} bytes`);
  });

  test("'__proto__' and 'constructor.prototype' bodies, bad JSON and bad URL escapes each get their own message, in English and French", async () => {
    const raw = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/api/patients',
        headers: { authorization: presc.auth, 'content-type': 'application/json' },
        payload,
      });
    for (const payload of [
      '{"sex":"male","__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
    ]) {
      const r = await raw(payload);
      assert.equal(r.statusCode, 400);
      const i = r.json().error.issues[0];
      assert.equal(i.code, 'DT_REQUEST_BODY');
      assert.match(i.message, /holds a '__proto__' or 'constructor.prototype' key/);
      assert.match(i.fr.message, /contient une clé « __proto__ »/);
    }
    // A field named constructor that is not an object with a prototype is an unknown field, no more.
    const c = await raw('{"constructor":"x"}');
    assert.equal(c.statusCode, 400);
    assert.match(
      c
        .json()
        .error.issues.map((i: { message: string }) => i.message)
        .join(),
      /unknown field 'constructor'/,
    );
    const bad = await raw('{"sex": male}');
    assert.equal(bad.json().error.issues[0].message, 'the body is not valid JSON');
    for (const url of ['/api/patients/%E0%A4%A', '/api/patients/%ZZ']) {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: presc.auth } });
      assert.equal(r.statusCode, 400, url);
      const i = r.json().error.issues[0];
      assert.deepEqual([i.code, i.field], ['DT_REQUEST', 'url']);
      assert.match(i.message, /percent-escape that is not UTF-8/);
      assert.match(i.fr.message, /échappement/);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('NUL, other controls and bidi overrides are refused in names (and any text), naming the field and the code point', async () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['NUL', { familyName: 'Mar\u0000tin' }, 'body.identity.familyName', 'U+0000'],
      ['right-to-left override', { givenName: 'Paul\u202Egnp.exe' }, 'body.identity.givenName', 'U+202E'],
      ['isolate', { familyName: 'A\u2066B' }, 'body.identity.familyName', 'U+2066'],
      ['escape', { givenName: 'x\u001b[31m' }, 'body.identity.givenName', 'U+001B'],
    ];
    for (const [what, change, field, cp] of cases) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/patients',
        headers: { authorization: presc.auth },
        payload: {
          identity: { ...NAME, birthDate: '1961-05-17', hospitalNumber: `HN-C-${cp.slice(2)}`, ...change },
          sex: 'male',
        },
      });
      assert.equal(r.statusCode, 422, `${what}: ${r.body}`);
      const i = r.json().error.issues[0];
      assert.deepEqual([i.code, i.field], ['DT_REQUEST_VALUE', field], what);
      assert.ok(i.message.includes(cp) && i.fr.message.includes(cp), what);
    }
    const rows = await app.dt.db.db.selectFrom('patient_identity').select('family_name').execute();
    assert.ok(rows.every((x) => !['\u0000', '\u202E', '\u2066'].some((c) => x.family_name.includes(c))));
    // Accented letters, apostrophes, hyphens and spaces pass.
    const okName = await app.inject({
      method: 'POST',
      url: '/api/patients',
      headers: { authorization: presc.auth },
      payload: {
        identity: {
          familyName: "N'Diaye-Lefèvre",
          givenName: 'Anaïs Zoé',
          birthDate: '1961-05-17',
          hospitalNumber: 'HN-OK',
        },
        sex: 'female',
      },
    });
    assert.equal(okName.statusCode, 201, okName.body);
  });

  test('a 404 shows no file path', async () => {
    for (const url of [
      '/nothing.js',
      '/../../etc/passwd',
      '/api/nothing',
      '/docs/static/../../package.json',
    ]) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.doesNotMatch(
        r.body,
        /\/work\/|\/home\/|\/tmp\/|packages\/|node_modules|dist/,
        `${url}: ${r.body}`,
      );
    }
  });
});

test('an internal error (the database gone) is a 500 saying nothing of it, and a log line with its stack', async () => {
  const lines: string[] = [];
  const db = await openDb({ dataDir: ':memory:' });
  const app = await buildApp({
    db,
    scrypt: FAST_SCRYPT,
    logger: loggerOptions('info', { write: (line: string) => void lines.push(line) }),
  });
  try {
    const u = await userWithToken(app, 'prescriber', 'icu');
    await db.close();
    const r = await app.inject({ method: 'GET', url: '/api/patients', headers: { authorization: u.auth } });
    assert.equal(r.statusCode, 500);
    assert.deepEqual(
      r.json().error.issues.map((i: { code: string; message: string }) => [i.code, i.message]),
      [['DT_INTERNAL', 'internal error']],
    );
    const errors = lines.map(
      (l) => JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } },
    );
    const e = errors.find((x) => x.level === 50 && x.msg === 'internal error');
    assert.ok(e?.err?.stack && /\n\s+at /.test(e.err.stack), lines.join('\n'));
  } finally {
    await app.close();
  }
});
