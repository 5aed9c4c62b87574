// Acceptance 3: SIGKILL in the middle of a stream of writes loses no acknowledged write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from './db/connect.ts';
import { bearerOfFetch, PASSWORD } from './test-support.ts';

test('SIGKILL during 8 concurrent write streams: every acknowledged write is in the database after restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-crash-'));
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const url = await new Promise<string>((res, rej) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n')[0];
        if (buf.includes('\n')) res((JSON.parse(line) as { url: string }).url);
      });
      child.on('exit', (c) => rej(new Error(`child exited ${c}`)));
    });
    const api = async (path: string, body: unknown, auth?: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    const auth = bearerOfFetch(await api('/api/auth/login', { username: 'crash', password: PASSWORD }));
    const p = (await (
      await api(
        '/api/patients',
        {
          identity: { familyName: 'K', givenName: 'L', birthDate: '1950-01-01', hospitalNumber: 'C1' },
          sex: 'male',
        },
        auth,
      )
    ).json()) as { id: string };
    const acked: string[] = [];
    let seq = 0;
    let killed = false;
    const t0 = Date.now() - 1000 * 3_600_000;
    const stream = async () => {
      while (!killed) {
        const k = seq++;
        try {
          const r = await api(
            `/api/patients/${p.id}/covariates`,
            { at: new Date(t0 + k * 60_000).toISOString(), name: 'WT', value: 70 + (k % 10), unit: 'kg' },
            auth,
          );
          if (r.status === 201) acked.push(((await r.json()) as { id: string }).id);
        } catch {
          return; // connection refused / reset: the server is gone
        }
      }
    };
    const streams = Array.from({ length: 8 }, stream);
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    killed = true;
    await Promise.all(streams);
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r),
    );
    assert.equal(child.signalCode, 'SIGKILL');
    const db = await openDb({ dataDir: dir });
    try {
      const rows = await db.db.selectFrom('covariates').select('id').execute();
      const have = new Set(rows.map((r) => r.id));
      const lost = acked.filter((id) => !have.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);
      // Each acknowledged write has its audit row (same transaction).
      const audited = await db.db
        .selectFrom('audit')
        .select('entity_id')
        .where('entity', '=', 'covariates')
        .execute();
      const auditedIds = new Set(audited.map((a) => a.entity_id));
      assert.ok(acked.every((id) => auditedIds.has(id)));
      assert.ok(rows.length >= acked.length);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
