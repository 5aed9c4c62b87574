// dosetwin admin reset-password, and what `dosetwin serve` prints at its first start, as an
// operator runs them (the real CLI in a child process, SQLite data directory).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startServer } from '@dosetwin/server';
import { REPO } from '../test-support.ts';

const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

/** `dosetwin ARGS` in a child process, without blocking this one's event loop. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _u, ...env } = process.env;
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

describe('dosetwin admin reset-password', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'dosetwin-admin-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('gives a one-time password that must be changed at the next sign-in, where the user is told the command line reset it; the former password no longer works; an unknown user exits 1', async () => {
    const dir = join(tmp(), 'data');
    const first = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    const initial = first.admin!.password;
    await first.close();

    const r = await run(['admin', 'reset-password', 'admin', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const oneTime = /one-time password of 'admin': (\S+)/.exec(r.stdout)?.[1];
    assert.ok(oneTime, r.stdout);
    assert.match(r.stdout, /must change it at their next sign-in/);
    assert.match(r.stdout, /second factor is kept/);

    const s = await startServer({ dataDir: dir, port: 0, webRoot: null, plainHttp: true });
    try {
      const login = (password: string) =>
        fetch(`${s.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
      assert.equal((await login(initial)).status, 401, 'the former password is replaced');
      const ok = await login(oneTime);
      assert.equal(ok.status, 200);
      const { user } = (await ok.json()) as {
        user: { pending: string; passwordReset: { by: string; at: string } | null };
      };
      assert.equal(user.pending, 'password');
      assert.equal(user.passwordReset?.by, 'the command line (dosetwin admin)');
    } finally {
      await s.close();
    }

    const none = await run(['admin', 'reset-password', 'nobody', '--data-dir', dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no user 'nobody'/);
  });

  test('dosetwin serve, first start: prints where the one-time password is (a 0600 file), never the password', async () => {
    const dir = join(tmp(), 'data');
    const c = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dir, '--plain-http'], {
      cwd: REPO,
      env: (({ DATABASE_URL: _u, ...e }) => e)(process.env),
    });
    let out = '';
    try {
      await new Promise<void>((done, fail) => {
        c.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('web app at')) done();
        });
        c.on('close', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
      });
    } finally {
      const closed = new Promise((r) => c.once('close', r));
      c.kill('SIGTERM');
      await closed;
    }
    const file = join(dir, 'initial-admin-password.txt');
    const password = /^password: (\S+)$/m.exec(readFileSync(file, 'utf8'))![1];
    assert.ok(out.includes(file), out);
    assert.ok(!out.includes(password), 'the one-time password is not printed');
  });
});
