// Acceptance 1: the whole workflow through the API, on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pdfText } from './pdf-text.ts';
import {
  backends,
  hoursAgo,
  testApp,
  userWithToken,
  type TestApp,
  REAUTH,
  firstSignIn,
} from './test-support.ts';

for (const b of backends()) {
  describe(`workflow on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await testApp(b.name);
    });
    after(async () => t?.close());

    test('users → patient → doses, samples → request → analysis → validation → report; audit; immutability', async () => {
      const { app } = t;
      const admin = await userWithToken(app, 'admin', 'pharmacology');
      const call = async (auth: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
        const r = await app.inject({
          method,
          url,
          headers: { authorization: auth },
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
        return {
          status: r.statusCode,
          body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body,
          raw: r,
        };
      };
      // Admin creates the clinical users; they sign in.
      for (const [username, role, service] of [
        ['dr.prescriber', 'prescriber', 'nephrology'],
        ['dr.pharmaco', 'pharmacologist', 'pharmacology'],
      ]) {
        const r = await call(admin.auth, 'POST', '/api/users', {
          username,
          displayName: `Dr ${username}`,
          password: 'a long enough password',
          role,
          service,
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      // First sign-in: the one-time password, then one of their own (and the pharmacologist's second factor).
      const signIn = async (username: string) =>
        (await firstSignIn(app, username, 'a long enough password')).auth;
      const presc = await signIn('dr.prescriber');
      const pharm = await signIn('dr.pharmaco');

      // Prescriber: patient, covariates, doses, samples, request.
      const p = await call(presc, 'POST', '/api/patients', {
        identity: {
          familyName: 'Martin',
          givenName: 'Claire',
          birthDate: '1971-03-09',
          hospitalNumber: 'H123456',
        },
        sex: 'female',
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const pid = p.body.id as string;
      for (const [name, value, unit] of [
        ['HCT', 31, '%'],
        ['CYP3A5', 0, '-'],
      ] as const)
        assert.equal(
          (
            await call(presc, 'POST', `/api/patients/${pid}/covariates`, {
              at: hoursAgo(80),
              name,
              value,
              unit,
            })
          ).status,
          201,
        );
      for (let k = 0; k < 6; k++) {
        const r = await call(presc, 'POST', `/api/patients/${pid}/administrations`, {
          at: hoursAgo(72 - 12 * k),
          amount: 5,
          unit: 'mg',
          route: 'oral',
          product: 'Prograf 5 mg',
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      for (const [h, v] of [
        [12.25, 12.6],
        [10, 24.1],
      ])
        assert.equal(
          (
            await call(presc, 'POST', `/api/patients/${pid}/samples`, {
              at: hoursAgo(h),
              value: v,
              unit: 'ng/mL',
              matrix: 'whole blood',
              assay: 'LC-MS/MS',
              lloq: 1,
            })
          ).status,
          201,
        );
      const rq = await call(presc, 'POST', '/api/requests', {
        patientId: pid,
        modelId: 'tacrolimus/woillard2011-prograf',
        question: 'Trough 12.6 ng/mL; adjust?',
      });
      assert.equal(rq.status, 201, JSON.stringify(rq.body));
      const rid = rq.body.id as string;

      // The prescriber may not analyse; the pharmacologist does.
      assert.equal((await call(presc, 'POST', `/api/requests/${rid}/analyses`, {})).status, 403);
      const an = await call(pharm, 'POST', `/api/requests/${rid}/analyses`, {});
      assert.equal(an.status, 201, JSON.stringify(an.body));
      const a = an.body;
      assert.equal(a.modelId, 'tacrolimus/woillard2011-prograf');
      assert.equal(a.modelVersion, '1.0.0');
      assert.match(a.engineVersion, /^\d+\.\d+\.\d+/);
      assert.equal(a.fit.kind, 'map');
      assert.equal(a.fit.observations.length, 2);
      assert.ok(a.candidates.length >= 1);
      assert.ok(a.candidates[0].metrics[0].met, JSON.stringify(a.candidates[0]));
      assert.ok(a.forecast.times.length > 50);
      assert.ok(a.inputs.conversions.some((c: string) => /5 mg → 5000 ug/.test(c)));

      // Report before validation: refused.
      assert.equal((await call(presc, 'GET', `/api/requests/${rid}/report`)).status, 409);
      // Validate (accept candidate 1), signed.
      const v = await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
        ...REAUTH,
        decision: 'accept',
        comment: 'agree',
        candidate: 1,
      });
      assert.equal(v.status, 201, JSON.stringify(v.body));
      assert.equal(v.body.analysisHash, a.hash);
      assert.equal(v.body.signatureAlgorithm, 'ed25519');
      assert.match(v.body.signature, /^[A-Za-z0-9_-]{86}$/);
      // Immutable: a second validation is refused; re-analysis creates version 2 superseding version 1.
      assert.equal(
        (
          await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
            ...REAUTH,
            decision: 'reject',
            comment: 'changed my mind',
          })
        ).status,
        409,
      );
      const a2 = await call(pharm, 'POST', `/api/requests/${rid}/analyses`, {});
      assert.equal(a2.status, 201);
      assert.equal(a2.body.version, 2);
      assert.equal(a2.body.supersedes, a.id);
      const a1 = await call(pharm, 'GET', `/api/analyses/${a.id}`);
      assert.equal(a1.body.hash, a.hash);
      assert.equal(a1.body.validation.decision, 'accept');
      // The database itself refuses to change an analysis or the audit trail.
      await assert.rejects(
        app.dt.db.db.updateTable('analyses').set({ hash: 'x' }).where('id', '=', a.id).execute(),
      );
      await assert.rejects(app.dt.db.db.deleteFrom('audit').execute());
      // Validate version 2 too (so the report shows the latest signed analysis).
      const v2 = await call(pharm, 'POST', `/api/analyses/${a2.body.id}/validations`, {
        ...REAUTH,
        decision: 'accept',
        comment: 'v2',
        candidate: 1,
      });
      assert.equal(v2.status, 201);

      // Report: model citation, inputs, estimate, recommendation, validator, time.
      const rep = await call(presc, 'GET', `/api/requests/${rid}/report`);
      assert.equal(rep.status, 200);
      const html = rep.raw.body;
      for (const s of [
        'Woillard JB',
        'Br J Clin Pharmacol 2011',
        'Dose ',
        'Level ',
        '12.6 ng/mL',
        'HCT = 31 %',
        'Individual parameters',
        '<td>CL</td>',
        'Validated by Dr dr.pharmaco on',
        'Decision: accepted',
      ])
        assert.ok(html.includes(s), `report lacks '${s}'`);
      assert.ok(!html.includes('Martin'), 'identity only on request');
      const withId = await call(presc, 'GET', `/api/requests/${rid}/report?identity=true`);
      assert.ok(withId.raw.body.includes('MARTIN Claire'));
      const pdf = await call(presc, 'GET', `/api/requests/${rid}/report?format=pdf`);
      assert.equal(pdf.status, 200);
      assert.equal(pdf.raw.headers['content-type'], 'application/pdf');
      assert.ok(pdf.raw.rawPayload.subarray(0, 5).toString() === '%PDF-');
      assert.ok((await pdfText(pdf.raw.rawPayload)).pages.join(' ').includes('Woillard JB'));

      // Prescriber of another service cannot read the patient.
      const other = await userWithToken(app, 'prescriber', 'cardiology');
      // Another service's patient is answered as a missing one (nothing said of it).
      assert.equal((await call(other.auth, 'GET', `/api/patients/${pid}`)).status, 404);
      // Reading the record is audited; identity is not in the clinical view.
      const rec = await call(presc, 'GET', `/api/patients/${pid}`);
      assert.equal(rec.status, 200);
      assert.equal(rec.body.identity, null);
      assert.equal(rec.body.administrations.length, 6);
      const auditor = await userWithToken(app, 'auditor', 'quality');
      const trail = await call(auditor.auth, 'GET', `/api/audit?patientId=${pid}&limit=500`);
      const actions = trail.body.entries.map(
        (x: { action: string; entity: string }) => `${x.action}:${x.entity}`,
      );
      for (const x of [
        'create:patient',
        'create:administrations',
        'create:samples',
        'analyse:analysis',
        'validate:validation',
        'read:patient',
        'read:report',
        'read:report+identity',
      ])
        assert.ok(actions.includes(x), `audit lacks ${x}: ${actions.join(' ')}`);
      // Export is pseudonymised.
      const ex = await call(pharm, 'GET', `/api/patients/${pid}/export`);
      assert.equal(ex.status, 200);
      assert.ok(!JSON.stringify(ex.body).includes('Martin') && !JSON.stringify(ex.body).includes('H123456'));
      assert.match(ex.body.subject, /^S-[0-9A-F]{10}$/);
    });

    test('vancomycin ICU patient: SCr in µmol/L → CrCL derived; a priori without levels; OpenAPI served', async () => {
      const { app } = t;
      const pharm = await userWithToken(app, 'pharmacologist', 'icu');
      const post = (url: string, payload: object) =>
        app.inject({ method: 'POST', url, headers: { authorization: pharm.auth }, payload });
      const p = (
        await post('/api/patients', {
          identity: {
            familyName: 'X',
            givenName: 'Y',
            birthDate: '1960-01-01',
            hospitalNumber: `V${Date.now()}`,
          },
          sex: 'male',
        })
      ).json();
      for (const [name, value, unit] of [
        ['WT', 82, 'kg'],
        ['AGE', 58, 'y'],
        ['SCR', 95, 'µmol/L'],
        ['SEX', 0, '-'],
        ['DIAL', 0, '-'],
      ] as const)
        assert.equal(
          (await post(`/api/patients/${p.id}/covariates`, { at: hoursAgo(40), name, value, unit }))
            .statusCode,
          201,
        );
      for (let k = 0; k < 3; k++)
        assert.equal(
          (
            await post(`/api/patients/${p.id}/administrations`, {
              at: hoursAgo(36 - 12 * k),
              amount: 1,
              unit: 'g',
              route: 'infusion',
              duration: { value: 60, unit: 'min' },
              product: 'vial 1 g',
            })
          ).statusCode,
          201,
        );
      const rq = (
        await post('/api/requests', { patientId: p.id, modelId: 'vancomycin/goti2018', question: '' })
      ).json();
      const an = await post(`/api/requests/${rq.id}/analyses`, {});
      assert.equal(an.statusCode, 201, an.body);
      const a = an.json();
      assert.equal(a.fit.kind, 'a priori');
      assert.ok(
        a.inputs.conversions.some((c: string) => /CRCL = /.test(c)),
        a.inputs.conversions.join('\n'),
      );
      assert.ok(a.candidates[0].metrics[0].target.startsWith('auc24'));
      const docs = await app.inject({
        method: 'GET',
        url: '/docs/json',
        headers: { authorization: pharm.auth },
      });
      assert.equal(docs.statusCode, 200);
      assert.ok(Object.keys(docs.json().paths).includes('/api/requests/{id}/analyses'));
    });
  });
}
