// The web app's files at `/`: files by path with their types and caching, app routes → index.html,
// nothing outside the root, the API's 404 untouched, and a clear answer when the app is not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp, type App } from './app.ts';
import { FAST_SCRYPT } from './test-support.ts';
import { CSP } from './web.ts';

describe('web app files', () => {
  let dir: string;
  let app: App;
  let bare: App;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dt-web-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>dosetwin</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    app = await buildApp({
      database: { dataDir: ':memory:' },
      scrypt: FAST_SCRYPT,
      webRoot: join(dir, 'dist'),
    });
    bare = await buildApp({
      database: { dataDir: ':memory:' },
      scrypt: FAST_SCRYPT,
      webRoot: join(dir, 'nothing'),
    });
  });
  after(async () => {
    await app?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ and app routes give index.html with the CSP; assets their type and a one-year cache', async () => {
    for (const url of ['/', '/index.html', '/patients/123', '/analyses/x?y=1']) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.body, '<!doctype html><title>dosetwin</title>');
      assert.equal(r.headers['content-security-policy'], CSP);
      assert.equal(r.headers['cache-control'], 'no-cache');
    }
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log(1)');
  });

  test('missing files, paths outside the root and unknown API routes are 404 (JSON naming the url)', async () => {
    for (const url of [
      '/assets/missing.js',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/api/nope',
      '/api',
    ]) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().error.issues[0].field, 'url', url);
      assert.ok(!r.body.includes('outside the root'), url);
    }
    // A malformed escape is refused by the router (400), never a 5xx.
    assert.equal((await app.inject({ method: 'GET', url: '/bad%E0%A4%A.js' })).statusCode, 400);
    // The API still answers under /api.
    assert.equal((await app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
  });

  test('not built: / is a 404 that says how to build the app', async () => {
    const r = await bare.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 404);
    const issue = r.json().error.issues[0];
    assert.equal(issue.code, 'DT_WEB_NOT_BUILT');
    assert.match(issue.hint, /npm run build -w @dosetwin\/web/);
  });
});
