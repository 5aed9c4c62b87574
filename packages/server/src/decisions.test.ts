// Decisions stay put, on SQLite and PostgreSQL: a re-analysis is a new version that changes
// neither the request's status nor the signed report until it is itself signed; rejecting a later
// version leaves an earlier modified regimen in force (status and report); the signed report is
// marked "superseded by unsigned version N" while a newer version awaits signature.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Analysis, Regimen, RequestDetail } from './contract/index.ts';
import {
  decisionInForce,
  pendingVersion,
  rejectedAfter,
  requestStatusOf,
} from './services/decision-in-force.ts';
import {
  backends,
  caller,
  REAUTH,
  testApp,
  userWithToken,
  vancomycinRequest,
  type TestApp,
} from './test-support.ts';
import { pdfText } from './pdf-text.ts';

test('decision in force: the latest accepted or modified version, else the latest rejected', () => {
  const v = (version: number, decision: 'accept' | 'modify' | 'reject' | null) => ({
    id: `a${version}`,
    version,
    decision,
  });
  assert.equal(requestStatusOf([]), 'submitted');
  assert.equal(requestStatusOf([v(1, null), v(2, null)]), 'analysed');
  assert.equal(requestStatusOf([v(1, 'reject')]), 'rejected');
  assert.equal(requestStatusOf([v(1, 'modify'), v(2, null)]), 'validated');
  assert.equal(requestStatusOf([v(1, 'modify'), v(2, 'reject')]), 'validated');
  assert.equal(decisionInForce([v(1, 'modify'), v(2, 'reject'), v(3, null)])?.version, 1);
  assert.equal(decisionInForce([v(1, 'modify'), v(2, 'reject'), v(3, 'accept')])?.version, 3);
  assert.equal(decisionInForce([v(1, 'reject'), v(2, 'reject')])?.version, 2);
  assert.equal(pendingVersion([v(1, 'modify'), v(2, 'reject'), v(3, null)])?.version, 3);
  assert.equal(pendingVersion([v(1, 'modify'), v(2, 'reject')]), null);
  assert.equal(pendingVersion([v(1, null), v(2, null)]), null, 'nothing signed: nothing superseded');
  assert.deepEqual(
    rejectedAfter([v(1, 'modify'), v(2, 'reject'), v(3, null)]).map((x) => x.version),
    [2],
  );
});

for (const b of backends()) {
  describe(`decisions stay put on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let presc: string;
    let pharm: string;
    before(async () => {
      t = await testApp(b.name);
      presc = (await userWithToken(t.app, 'prescriber', 'icu')).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).call(auth, method, url, payload);
    const ok = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).ok(auth, method, url, payload);
    /** A vancomycin patient (4 doses of 1 g, 2 levels) and a request under goti2018. */
    const newRequest = async (hn: string): Promise<string> =>
      (
        await vancomycinRequest(t.app, presc, {
          identity: { familyName: 'Stay', givenName: 'Put', birthDate: '1960-05-06', hospitalNumber: hn },
        })
      ).requestId;
    const analyse = async (rid: string): Promise<Analysis> =>
      (await ok(pharm, 'POST', `/api/requests/${rid}/analyses`, {})).json();
    const detail = async (rid: string): Promise<RequestDetail> =>
      (await ok(presc, 'GET', `/api/requests/${rid}`)).json();
    const reportOf = async (rid: string): Promise<string> =>
      (await ok(presc, 'GET', `/api/requests/${rid}/report`)).body;
    /** A time as the report writes it: local to Paris (the report's default zone), day first. */
    const paris = (iso: string): string => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/Paris',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(new Date(iso))
          .map((x) => [x.type, x.value]),
      );
      return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
    };
    /** The report without its later-versions notice (the section the notice adds). */
    const withoutNotice = (html: string): string =>
      html.replace(/<section><h2>Later versions<\/h2>.*?<\/section>\n/s, '');

    test('modify v1; re-analyse (v2 unsigned): still validated, same report marked superseded by unsigned version 2; reject v2: still validated, v1 in force; accept v3: v3 in force', async () => {
      const rid = await newRequest(`STAY-${b.name}-1`);
      const a1 = await analyse(rid);
      assert.equal((await detail(rid)).status, 'analysed');
      const retained: Regimen = {
        dose: { value: 1250, unit: 'mg' },
        interval: { value: 12, unit: 'h' },
        route: 'infusion',
        duration: { value: 150, unit: 'min' },
        start: a1.candidates[0].regimen.start,
        loading: null,
      };
      await ok(pharm, 'POST', `/api/analyses/${a1.id}/validations`, {
        ...REAUTH,
        decision: 'modify',
        comment: 'AUC24 on target with 1250 mg every 12 h',
        regimen: retained,
      });
      const d1 = await detail(rid);
      assert.equal(d1.status, 'validated');
      assert.equal(d1.inForce?.version, 1);
      assert.deepEqual(d1.inForce?.regimen, retained);
      assert.equal(d1.pendingVersion, null);
      const signed = await reportOf(rid);
      assert.ok(signed.includes('Decision: modified'), signed);
      assert.ok(signed.includes('Regimen retained: 1250 mg IV infusion over 150 min every 12 h'), signed);
      assert.ok(!signed.includes('Superseded'));

      // Re-analysis: version 2, unsigned. Nothing signed changes.
      const a2 = await analyse(rid);
      assert.equal(a2.version, 2);
      const d2 = await detail(rid);
      assert.equal(d2.status, 'validated');
      assert.equal(d2.inForce?.analysisId, a1.id);
      assert.equal(d2.pendingVersion, 2);
      const marked = await reportOf(rid);
      assert.ok(
        marked.includes(
          'Superseded by unsigned version 2 (computed ' +
            paris(a2.createdAt) +
            '): this signed decision (version 1) stays in force until version 2 is signed.',
        ),
        marked,
      );
      assert.equal(withoutNotice(marked), signed, 'the signed report, word for word, under the notice');
      // The PDF carries the notice too.
      const pdf = (
        await pdfText((await ok(presc, 'GET', `/api/requests/${rid}/report?format=pdf`)).rawPayload)
      ).pages.join(' ');
      assert.ok(pdf.includes('Superseded by unsigned version 2'));
      // The signed version reads as signed, with its retained regimen.
      const back: Analysis = (await ok(presc, 'GET', `/api/analyses/${a1.id}`)).json();
      assert.deepEqual(back.validation?.regimen, retained);

      // Rejecting version 2 leaves version 1's regimen in force: the request stays validated.
      const rej = await ok(pharm, 'POST', `/api/analyses/${a2.id}/validations`, {
        ...REAUTH,
        decision: 'reject',
        comment: 'the new level is haemolysed; keep 1250 mg every 12 h',
      });
      const d3 = await detail(rid);
      assert.equal(d3.status, 'validated');
      assert.equal(d3.inForce?.analysisId, a1.id);
      assert.deepEqual(d3.inForce?.regimen, retained);
      assert.equal(d3.pendingVersion, null);
      assert.deepEqual(
        d3.analyses.map((a) => a.decision),
        ['modify', 'reject'],
      );
      const afterReject = await reportOf(rid);
      assert.ok(
        afterReject.includes(
          `Version 2 was rejected at ${paris(rej.json().signedAt)}: this decision (version 1) stays in force.`,
        ),
      );
      assert.equal(withoutNotice(afterReject), signed);
      // The audit trail records the status before and after each step.
      const trail = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['action', 'before', 'after'])
        .where('action', 'in', ['analyse', 'validate'])
        .where('entity_id', 'in', [a2.id, rej.json().id])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        trail.map((x) => [
          x.action,
          JSON.parse(x.before!).requestStatus as string,
          JSON.parse(x.after!).requestStatus as string,
        ]),
        [
          ['analyse', 'validated', 'validated'],
          ['validate', 'validated', 'validated'],
        ],
      );

      // Version 3, accepted: it is in force, the report is its own, without notice.
      const a3 = await analyse(rid);
      assert.equal((await detail(rid)).pendingVersion, 3);
      await ok(pharm, 'POST', `/api/analyses/${a3.id}/validations`, {
        ...REAUTH,
        decision: 'accept',
        comment: '',
        candidate: 1,
      });
      const d4 = await detail(rid);
      assert.equal(d4.status, 'validated');
      assert.equal(d4.inForce?.version, 3);
      assert.equal(d4.inForce?.decision, 'accept');
      const v3 = await reportOf(rid);
      assert.ok(v3.includes(`Analysis version 3, computed ${paris(a3.createdAt)}`));
      assert.ok(v3.includes('Decision: accepted'));
      assert.ok(!v3.includes('Later versions'));
    });

    test('a rejected first version rejects the request (no re-analysis); an older unsigned version cannot be signed', async () => {
      const rid = await newRequest(`STAY-${b.name}-2`);
      const a1 = await analyse(rid);
      const a2 = await analyse(rid);
      assert.equal((await detail(rid)).status, 'analysed');
      assert.equal((await detail(rid)).inForce, null);
      const old = await call(pharm, 'POST', `/api/analyses/${a1.id}/validations`, {
        ...REAUTH,
        decision: 'accept',
        comment: '',
      });
      assert.equal(old.statusCode, 409);
      assert.equal(old.json().error.issues[0].code, 'DT_CONFLICT');
      // No signed decision yet: no report.
      assert.equal((await call(presc, 'GET', `/api/requests/${rid}/report`)).statusCode, 409);
      await ok(pharm, 'POST', `/api/analyses/${a2.id}/validations`, {
        ...REAUTH,
        decision: 'reject',
        comment: 'levels drawn during the infusion',
      });
      const d = await detail(rid);
      assert.equal(d.status, 'rejected');
      assert.equal(d.inForce?.decision, 'reject');
      assert.equal(d.inForce?.regimen, null);
      assert.equal((await call(pharm, 'POST', `/api/requests/${rid}/analyses`, {})).statusCode, 409);
    });
  });
}
