// Local model versions in the service, on SQLite and PostgreSQL: 16 simulated vancomycin patients
// with 0.6 × Thomson 2009's clearance entered through the API; one pharmacologist proposes a
// local version (TVCL fitted), a prescriber and the proposer cannot approve it, analyses never use
// it until a second pharmacologist approves it, then they use it and say so (analysis, report),
// until it is retired; a rejected version is never used; each step is in the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simulatedHospital } from '@dosetwin/models';
import { pdfText } from './pdf-text.ts';
import {
  backends,
  caller,
  REAUTH,
  testApp,
  type TestApp,
  type TestUser,
  userWithToken,
} from './test-support.ts';

const MODEL = 'vancomycin/thomson2009';
const reauth = REAUTH.reauth;

for (const { name: backend, skip } of backends())
  describe(`local models (${backend})`, { skip }, () => {
    let t: TestApp;
    let proposer: TestUser;
    let second: TestUser;
    let presc: TestUser;
    let requestIds: string[] = [];
    let localId = '';
    before(async () => {
      t = await testApp(backend);
      proposer = await userWithToken(t.app, 'pharmacologist', 'pharmacy', 'dr.proposer');
      second = await userWithToken(t.app, 'pharmacologist', 'pharmacy', 'dr.second');
      presc = await userWithToken(t.app, 'prescriber', 'ICU');
      const { ok } = caller(t.app);
      const records = simulatedHospital({ patients: 16, seed: 5, clearanceFactor: 0.6 });
      requestIds = [];
      for (const [i, r] of records.entries()) {
        const p = (
          await ok(proposer.auth, 'POST', '/api/patients', {
            identity: {
              familyName: `HOSP${i + 1}`,
              givenName: 'Sim',
              birthDate: '1960-01-01',
              hospitalNumber: `L-${backend}-${i + 1}`,
            },
            sex: r.covariates.find((c) => c.name === 'SEX')!.value === 0 ? 'male' : 'female',
            service: r.attributes.WARD,
          })
        ).json();
        for (const c of r.covariates) await ok(proposer.auth, 'POST', `/api/patients/${p.id}/covariates`, c);
        for (const a of r.administrations)
          await ok(proposer.auth, 'POST', `/api/patients/${p.id}/administrations`, a);
        for (const { lloq, ...s } of r.samples)
          await ok(
            proposer.auth,
            'POST',
            `/api/patients/${p.id}/samples`,
            lloq === null ? s : { ...s, lloq },
          );
        const rq = await ok(proposer.auth, 'POST', '/api/requests', {
          patientId: p.id,
          modelId: MODEL,
          question: '',
        });
        requestIds.push(rq.json().id);
      }
    });
    after(() => t.close());

    test('proposed from the 16 patients: version 1, proposed, TVCL below the published 2.99 L/h, predictive check on 8 held-out patients, evidence stored', async () => {
      const { call } = caller(t.app);
      const r = await call(proposer.auth, 'POST', '/api/local-models', {
        modelId: MODEL,
        estimate: ['TVCL'],
      });
      assert.equal(r.statusCode, 201, r.body);
      const m = r.json();
      localId = m.id;
      assert.equal(m.version, 1);
      assert.equal(m.status, 'proposed');
      assert.equal(m.inForce, false);
      assert.equal(m.modelVersion, '1.0.0+local.1');
      assert.equal(m.proposedBy.name, 'Dr dr.proposer');
      assert.match(m.citation, /Thomson/);
      assert.deepEqual(
        [m.evidence.patients.local, m.evidence.patients.fitted, m.evidence.patients.heldOut],
        [16, 8, 8],
      );
      const tvcl = m.evidence.parameters.find((p: { name: string }) => p.name === 'TVCL');
      assert.ok(tvcl.local < 2.6 && tvcl.published === 2.99, JSON.stringify(tvcl));
      assert.equal(m.evidence.predictiveCheck.patients, 8);
      assert.equal(m.evidence.gof.length, 24);
      // Patients named by pseudonym, never by identity.
      assert.ok(!r.body.includes('HOSP1'));
      const list = (
        await call(presc.auth, 'GET', `/api/local-models?modelId=${encodeURIComponent(MODEL)}`)
      ).json();
      assert.deepEqual(
        list.map((x: { id: string; status: string }) => [x.id, x.status]),
        [[localId, 'proposed']],
      );
      assert.equal(list[0].evidence, undefined);
      // The version's model for the browser's twin: its IR carries the local TVCL and version.
      const ir = (await call(presc.auth, 'GET', `/api/local-models/${localId}/model`)).json();
      assert.equal(ir.modelVersion, '1.0.0+local.1');
      assert.equal(ir.ir.version, '1.0.0+local.1');
      assert.equal(ir.ir.parameters.find((p: { name: string }) => p.name === 'TVCL').value, tvcl.local);
    });

    test('until approved it is never used: an analysis uses the published model, and asking for the proposed version is refused with DT_LOCAL_MODEL_NOT_APPROVED (409, EN/FR)', async () => {
      const { call } = caller(t.app);
      const a = await call(proposer.auth, 'POST', `/api/requests/${requestIds[0]}/analyses`, {});
      assert.equal(a.statusCode, 201, a.body);
      assert.equal(a.json().modelVersion, '1.0.0');
      assert.equal(a.json().localModel, null);
      const r = await call(proposer.auth, 'POST', `/api/requests/${requestIds[0]}/analyses`, {
        localModelId: localId,
      });
      assert.equal(r.statusCode, 409, r.body);
      const issue = r.json().error.issues[0];
      assert.equal(issue.code, 'DT_LOCAL_MODEL_NOT_APPROVED');
      assert.equal(issue.field, 'localModelId');
      assert.match(issue.message, /proposed, not approved/);
      assert.match(issue.fr.message, /non approuvée/);
    });

    test('a prescriber cannot approve (DT_LOCAL_MODEL_APPROVER, 403), nor the proposer (DT_LOCAL_MODEL_SELF_APPROVAL, 403); a second pharmacologist approves; approving again is DT_LOCAL_MODEL_STATE (409)', async () => {
      const { call } = caller(t.app);
      const url = `/api/local-models/${localId}/decisions`;
      const p = await call(presc.auth, 'POST', url, { decision: 'approve', reauth });
      assert.equal(p.statusCode, 403, p.body);
      assert.equal(p.json().error.issues[0].code, 'DT_LOCAL_MODEL_APPROVER');
      const s = await call(proposer.auth, 'POST', url, { decision: 'approve', reauth });
      assert.equal(s.statusCode, 403, s.body);
      assert.equal(s.json().error.issues[0].code, 'DT_LOCAL_MODEL_SELF_APPROVAL');
      assert.match(s.json().error.issues[0].fr.message, /un autre pharmacologue/);
      // The decision is re-authenticated as a signature: without it the body is refused, with a
      // wrong password the version stays proposed.
      const bare = await call(second.auth, 'POST', url, { decision: 'approve' });
      assert.equal(bare.statusCode, 400, bare.body);
      const wrong = await call(second.auth, 'POST', url, {
        decision: 'approve',
        reauth: { password: 'not my password' },
      });
      assert.equal(wrong.json().error.issues[0].code, 'DT_REAUTH', wrong.body);
      assert.equal(
        (await call(second.auth, 'GET', `/api/local-models/${localId}`)).json().status,
        'proposed',
      );
      const ok = await call(second.auth, 'POST', url, {
        decision: 'approve',
        note: 'bias -> near 0 on held-out',
        reauth,
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().status, 'approved');
      assert.equal(ok.json().inForce, true);
      assert.equal(ok.json().decidedBy.name, 'Dr dr.second');
      const again = await call(second.auth, 'POST', url, { decision: 'approve', reauth });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.issues[0].code, 'DT_LOCAL_MODEL_STATE');
    });

    test('once approved, an analysis uses it and records it (analysis and its PDF report); signing evaluates the retained regimen under it; null asks for the published model', async () => {
      const { call, ok } = caller(t.app);
      const a = (await ok(proposer.auth, 'POST', `/api/requests/${requestIds[1]}/analyses`, {})).json();
      assert.equal(a.modelVersion, '1.0.0+local.1');
      assert.deepEqual(
        { id: a.localModel.id, version: a.localModel.version, by: a.localModel.approvedBy },
        { id: localId, version: 1, by: 'Dr dr.second' },
      );
      const read = (await ok(second.auth, 'GET', `/api/analyses/${a.id}`)).json();
      assert.equal(read.localModel.modelVersion, '1.0.0+local.1');
      const v = await call(second.auth, 'POST', `/api/analyses/${a.id}/validations`, {
        decision: 'accept',
        comment: '',
        ...REAUTH,
      });
      assert.equal(v.statusCode, 201, v.body);
      const pdf = await call(second.auth, 'GET', `/api/requests/${requestIds[1]}/report?format=pdf&lang=fr`);
      const text = (await pdfText(pdf.rawPayload)).pages.join('\n');
      assert.match(
        text,
        /Version locale 1 du modèle, adaptée aux patients de cet hôpital ; approuvée par Dr dr\.second/,
      );
      assert.match(text, /1\.0\.0\+local\.1/);
      const en = (await call(second.auth, 'GET', `/api/requests/${requestIds[1]}/report?lang=en`)).body;
      assert.match(en, /Local version 1 of the model/);
      const pub = (
        await ok(proposer.auth, 'POST', `/api/requests/${requestIds[2]}/analyses`, { localModelId: null })
      ).json();
      assert.equal(pub.modelVersion, '1.0.0');
      assert.equal(pub.localModel, null);
    });

    test('a second proposal rejected by the second pharmacologist (a note is required) is never used; retiring version 1 sends analyses back to the published model; the audit trail holds propose, approve, reject, retire', async () => {
      const { call, ok } = caller(t.app);
      const v2 = (
        await ok(proposer.auth, 'POST', '/api/local-models', { modelId: MODEL, estimate: ['TVCL', 'TVV1'] })
      ).json();
      assert.equal(v2.version, 2);
      const url = `/api/local-models/${v2.id}/decisions`;
      const noNote = await call(second.auth, 'POST', url, { decision: 'reject', reauth });
      assert.equal(noNote.statusCode, 400, noNote.body);
      assert.equal(noNote.json().error.issues[0].field, 'note');
      const rej = await ok(second.auth, 'POST', url, {
        decision: 'reject',
        note: 'V1 poorly informed by troughs',
        reauth,
      });
      assert.equal(rej.json().status, 'rejected');
      const r = await call(proposer.auth, 'POST', `/api/requests/${requestIds[3]}/analyses`, {
        localModelId: v2.id,
      });
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().error.issues[0].code, 'DT_LOCAL_MODEL_NOT_APPROVED');
      // The version in force is still 1.
      const a = (await ok(proposer.auth, 'POST', `/api/requests/${requestIds[3]}/analyses`, {})).json();
      assert.equal(a.localModel.id, localId);
      const ret = await ok(second.auth, 'POST', `/api/local-models/${localId}/retirement`, {
        note: 'new assay',
        reauth,
      });
      assert.equal(ret.json().status, 'retired');
      assert.equal(ret.json().retiredBy.name, 'Dr dr.second');
      const b = (await ok(proposer.auth, 'POST', `/api/requests/${requestIds[4]}/analyses`, {})).json();
      assert.equal(b.localModel, null);
      assert.equal(b.modelVersion, '1.0.0');
      const rows = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['action', 'entity_id', 'user_id'])
        .where('entity', '=', 'local-model')
        .where('action', '!=', 'read')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((x) => [x.action, x.entity_id, x.user_id]),
        [
          ['propose', localId, proposer.id],
          ['approve', localId, second.id],
          ['propose', v2.id, proposer.id],
          ['reject', v2.id, second.id],
          ['retire', localId, second.id],
        ],
      );
    });
  });
