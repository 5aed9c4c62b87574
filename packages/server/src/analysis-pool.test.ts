// The frozen event loop, replayed: analyses run on the pool's worker threads, so the service
// answers while one runs; an analysis past the time limit ends with a named error; a user past
// the per-user limit is refused by name while others are served. On SQLite and PostgreSQL.
//
// The heavy analysis is a plausible record, not a forged one (the dose that froze the service,
// 1e308 mg, is now refused at entry and at analysis): voriconazole (Michaelis–Menten, ODEs) taken
// for 20 days, 40 doses and 10 levels, which takes the library more than a minute to analyse on
// this machine. Timing (how long /api/health takes meanwhile) is the bench's (bench/server.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { evaluateRetainedRegimen } from './analysis.ts';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisPool, analysisLimitsFromEnv, BUNDLE_KEEP_MS, pruneBundles } from './analysis-pool.ts';
import type { Regimen, StoredInputs } from './contract/index.ts';
import { retainedSubject } from './services/validations.ts';
import {
  backends,
  hoursAgo,
  REAUTH,
  testApp,
  userWithToken,
  type TestApp,
  type TestUser,
  vancomycinRequest,
} from './test-support.ts';

const DAYS = 20;

interface Reply {
  status: number;
  body: { error?: { issues: { code: string; field: string; message: string }[] } } & Record<string, unknown>;
}

for (const b of backends()) {
  describe(`analysis pool on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let url: string;
    let presc: TestUser;
    let pharm: TestUser;
    let other: TestUser;
    let heavy: string;
    let light: string;
    let lightAnalysis: { id: string; warnings: { code: string }[] };
    const http = async (auth: string | null, method: 'GET' | 'POST', path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: (await r.json()) as Reply['body'] };
    };
    const ok = async (auth: string, path: string, body: unknown) => {
      const r = await http(auth, 'POST', path, body);
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { id: string };
    };

    before(async () => {
      // One thread, so the heavy analysis holds it; 4 s of running time at most; one analysis per user.
      t = await testApp(b.name, { analysis: { threads: 1, timeoutMs: 4000, perUser: 1 } });
      url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      presc = await userWithToken(t.app, 'prescriber', 'icu');
      pharm = await userWithToken(t.app, 'pharmacologist', 'icu');
      other = await userWithToken(t.app, 'pharmacologist', 'icu');
      const patient = async (hn: string) =>
        (
          await ok(presc.auth, '/api/patients', {
            identity: { familyName: 'Durand', givenName: 'Luc', birthDate: '1958-02-11', hospitalNumber: hn },
            sex: 'male',
          })
        ).id;
      // Voriconazole 200 mg orally every 12 h for 20 days, a level every other day.
      const v = await patient('POOL-1');
      for (const [name, value, unit] of [
        ['WT', 70, 'kg'],
        ['CYP2C19', 0, '-'],
      ] as const)
        await ok(presc.auth, `/api/patients/${v}/covariates`, {
          at: hoursAgo(DAYS * 24 + 2),
          name,
          value,
          unit,
        });
      for (let k = 0; k < DAYS * 2; k++)
        await ok(presc.auth, `/api/patients/${v}/administrations`, {
          at: hoursAgo(DAYS * 24 - 12 * k),
          amount: 200,
          unit: 'mg',
          route: 'oral',
          product: 'tablet 200 mg',
        });
      for (let d = 1; d < DAYS; d += 2)
        await ok(presc.auth, `/api/patients/${v}/samples`, {
          at: hoursAgo(DAYS * 24 - 24 * d + 0.5),
          value: 2 + (d % 3),
          unit: 'mg/L',
          matrix: 'plasma',
          assay: 'LC-MS/MS',
          lloq: 0.1,
        });
      heavy = (
        await ok(presc.auth, '/api/requests', {
          patientId: v,
          modelId: 'voriconazole/friberg2012-adult',
          question: 'trough?',
        })
      ).id;
      // The vancomycin patient of the other tests: one dose, one level; analysed in about a second.
      light = (
        await vancomycinRequest(t.app, presc.auth, {
          identity: {
            familyName: 'Durand',
            givenName: 'Luc',
            birthDate: '1958-02-11',
            hospitalNumber: 'POOL-2',
          },
          covariatesAt: hoursAgo(30),
          doses: [{ at: hoursAgo(24) }],
          samples: [{ at: hoursAgo(12), value: 9.8 }],
        })
      ).requestId;
    });
    after(async () => t?.close());

    test('/api/health is answered while a heavy analysis runs; past the time limit the analysis ends with DT_ANALYSIS_TIMEOUT (422), not a hang', async () => {
      let settled = false;
      const analysis = http(pharm.auth, 'POST', `/api/requests/${heavy}/analyses`, {}).finally(() => {
        settled = true;
      });
      // Health answers served while the analysis is in flight. On the event loop (before the
      // pool), none was: the service answered nothing until the analysis ended.
      let served = 0;
      while (!settled) {
        const h = await http(null, 'GET', '/api/health');
        assert.equal(h.status, 200);
        if (!settled) served++;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(served >= 3, `only ${served} health answers while the analysis ran`);
      const a = await analysis;
      assert.equal(a.status, 422, JSON.stringify(a.body));
      assert.deepEqual(
        a.body.error!.issues.map((i) => [i.code, i.field]),
        [['DT_ANALYSIS_TIMEOUT', 'analysis']],
      );
      assert.match(a.body.error!.issues[0].message, /did not finish within 4 s/);
      // The thread was freed: the next analysis runs (a new worker) and is stored.
      const next = await http(pharm.auth, 'POST', `/api/requests/${light}/analyses`, {});
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.equal(next.body.modelId, 'vancomycin/goti2018');
      lightAnalysis = next.body as unknown as typeof lightAnalysis;
      assert.deepEqual(t.app.dt.analyses.load(), { running: 0, waiting: 0 });
    });

    test('a second analysis or a signature of the same user while one runs → 429 DT_ANALYSIS_BUSY; another user waits for the thread and is served; once it ends the signature is evaluated on a worker', async () => {
      const first = http(pharm.auth, 'POST', `/api/requests/${heavy}/analyses`, {});
      // The first analysis is counted as soon as its request reaches the pool.
      while (t.app.dt.analyses.load().running === 0) await new Promise((r) => setTimeout(r, 20));
      const second = await http(pharm.auth, 'POST', `/api/requests/${light}/analyses`, {});
      assert.equal(second.status, 429, JSON.stringify(second.body));
      assert.deepEqual(
        second.body.error!.issues.map((i) => [i.code, i.field]),
        [['DT_ANALYSIS_BUSY', 'user']],
      );
      assert.match(second.body.error!.issues[0].message, /at most 1 at once/);
      // Signing evaluates the retained regimen on the pool too, within the same limit.
      const decision = (a: typeof lightAnalysis) => ({
        ...REAUTH,
        decision: 'accept',
        candidate: 1,
        comment: 'as proposed',
        acknowledge: [...new Set(a.warnings.map((w) => w.code))],
      });
      const busySign = await http(
        pharm.auth,
        'POST',
        `/api/analyses/${lightAnalysis.id}/validations`,
        decision(lightAnalysis),
      );
      assert.equal(busySign.status, 429, JSON.stringify(busySign.body));
      assert.equal(busySign.body.error!.issues[0].code, 'DT_ANALYSIS_BUSY');
      // Another pharmacologist is not refused: their analysis waits for the thread, then runs.
      const others = http(other.auth, 'POST', `/api/requests/${light}/analyses`, {});
      const [a, o] = await Promise.all([first, others]);
      assert.equal(a.body.error!.issues[0].code, 'DT_ANALYSIS_TIMEOUT');
      assert.equal(o.status, 201, JSON.stringify(o.body));
      // Once the first has ended, the same user signs the latest version (the other user's; the
      // retained regimen evaluated on a worker) and may analyse again.
      const latest = o.body as unknown as typeof lightAnalysis;
      const signed = await http(
        pharm.auth,
        'POST',
        `/api/analyses/${latest.id}/validations`,
        decision(latest),
      );
      assert.equal(signed.status, 201, JSON.stringify(signed.body));
      // The worker's evaluation is the library's on this thread, to the last digit (same seed).
      const stored = latest as unknown as { kind: 'model'; inputs: StoredInputs; modelId: string };
      const here = evaluateRetainedRegimen(
        retainedSubject(stored.kind, stored.inputs, stored.modelId),
        stored.modelId,
        signed.body.regimen as Regimen,
      );
      assert.ok(here.pta !== null);
      assert.deepEqual(signed.body.evaluation, JSON.parse(JSON.stringify(here)));
      const again = await http(pharm.auth, 'POST', `/api/requests/${light}/analyses`, {});
      assert.equal(again.status, 201, JSON.stringify(again.body));
    });
  });
}

describe('analysis pool limits', () => {
  test('a worker past its heap limit ends the analysis with DT_ANALYSIS_MEMORY and its place in the pool is given back', async () => {
    // 2 MB of old-generation heap cannot hold the library's analysis of the vancomycin patient
    // (it runs within 8 MB; the default limit is 1024 MB).
    const pool = new AnalysisPool({ threads: 1, memoryMb: 2, timeoutMs: 60_000 });
    try {
      const subject = {
        kind: 'model' as const,
        inputs: {
          patientId: 'p',
          modelId: 'vancomycin/goti2018',
          administrations: [
            {
              at: '2026-12-01T08:00:00Z',
              amount: 1000,
              unit: 'mg',
              route: 'infusion' as const,
              duration: { value: 1, unit: 'h' },
              product: 'vial 1 g',
            },
          ],
          samples: [
            {
              at: '2026-12-01T20:00:00Z',
              value: 9.8,
              unit: 'mg/L',
              matrix: 'serum',
              assay: 'PETINIA',
              lloq: 2,
            },
          ],
          covariates: [
            { at: '2026-12-01T07:00:00Z', name: 'WT', value: 82, unit: 'kg' },
            { at: '2026-12-01T07:00:00Z', name: 'AGE', value: 58, unit: 'y' },
            { at: '2026-12-01T07:00:00Z', name: 'SCR', value: 95, unit: 'umol/L' },
            { at: '2026-12-01T07:00:00Z', name: 'SEX', value: 0, unit: '-' },
            { at: '2026-12-01T07:00:00Z', name: 'DIAL', value: 0, unit: '-' },
          ],
          targets: [],
          start: null,
        },
      };
      // Whether the thread runs out while loading the code or while analysing, the answer is the
      // same, and so is the next one's (no analysis left waiting for a thread that cannot start).
      for (let k = 0; k < 2; k++)
        await assert.rejects(pool.analyse('u', subject), (e: Error & { issues?: { code: string }[] }) => {
          assert.deepEqual(
            e.issues?.map((i) => i.code),
            ['DT_ANALYSIS_MEMORY'],
            e.stack,
          );
          return true;
        });
      assert.deepEqual(pool.load(), { running: 0, waiting: 0 });
    } finally {
      await pool.close();
    }
  });

  test('limits from the environment: seconds to ms, whole numbers; a value that is not a positive number is refused by name', () => {
    assert.deepEqual(
      analysisLimitsFromEnv({
        DOSETWIN_ANALYSIS_THREADS: '3',
        DOSETWIN_ANALYSIS_TIMEOUT_S: '2.5',
        DOSETWIN_ANALYSIS_MEMORY_MB: '512',
        DOSETWIN_ANALYSIS_PER_USER: '1',
        DOSETWIN_ANALYSIS_QUEUE: '10.7',
      }),
      { threads: 3, timeoutMs: 2500, memoryMb: 512, perUser: 1, queue: 10 },
    );
    assert.deepEqual(analysisLimitsFromEnv({}), {});
    assert.throws(
      () => analysisLimitsFromEnv({ DOSETWIN_ANALYSIS_PER_USER: '0' }),
      /DOSETWIN_ANALYSIS_PER_USER=0/,
    );
    assert.throws(() => analysisLimitsFromEnv({ DOSETWIN_ANALYSIS_TIMEOUT_S: 'ten' }), /TIMEOUT_S=ten/);
  });
});

test('compiled workers of earlier sources are removed once a day old; this process’s, recent ones and other files stay', () => {
  const dir = `${mkdtempSync(join(tmpdir(), 'dt-bundles-'))}/`;
  try {
    const now = Date.now();
    const file = (name: string, ageMs: number): string => {
      writeFileSync(dir + name, 'x');
      const t = (now - ageMs) / 1000;
      utimesSync(dir + name, t, t);
      return dir + name;
    };
    const mine = file('aaaa.mjs', 3 * BUNDLE_KEEP_MS);
    file('old.mjs', BUNDLE_KEEP_MS + 60_000);
    file('old.mjs.123.tmp', 2 * BUNDLE_KEEP_MS);
    file('recent.mjs', BUNDLE_KEEP_MS - 60_000);
    file('notes.txt', 5 * BUNDLE_KEEP_MS);
    assert.deepEqual(pruneBundles(dir, mine, now).sort(), ['old.mjs', 'old.mjs.123.tmp']);
    assert.deepEqual(readdirSync(dir).sort(), ['aaaa.mjs', 'notes.txt', 'recent.mjs']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
