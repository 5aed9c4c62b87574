// Corrections of the record, on SQLite and PostgreSQL: a dose amended with a reason is what the
// next analysis uses (the library's analysis of the corrected record, to the last digit), the
// values before are kept with the reason, author and time, the analysis says it used a corrected
// record; an oral dose on an IV-only model, which made every analysis fail, is marked entered in
// error and the analysis runs; the identity is amended (a wrong hospital number freed); every
// correction is audited; the corrections table refuses UPDATE and DELETE; mistakes in a correction
// are refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyse as libraryAnalyse } from '@dosetwin/models';
import type { Analysis, PatientRecord } from './contract/index.ts';
import {
  backends,
  caller,
  hoursAgo,
  testApp,
  userWithToken,
  vancomycinRequest,
  type TestApp,
} from './test-support.ts';

for (const b of backends()) {
  describe(`corrections on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let presc: string;
    let pharm: string;
    let other: string;
    before(async () => {
      t = await testApp(b.name);
      presc = (await userWithToken(t.app, 'prescriber', 'icu', `presc-${b.name}`)).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
      other = (await userWithToken(t.app, 'prescriber', 'cardiology')).auth;
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).call(auth, method, url, payload);
    const ok = async (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      (await caller(t.app).ok(auth, method, url, payload)).json();
    const issue = (r: { json(): unknown }) =>
      (r.json() as { error: { issues: { code: string; field: string }[] } }).error.issues[0];

    /** A vancomycin patient: covariates, doses every 12 h (amounts in mg), 2 levels, and a goti2018 request. */
    const patient = async (hn: string, amounts: number[], oral?: number) => {
      const r = await vancomycinRequest(t.app, presc, {
        identity: { familyName: 'Correct', givenName: 'Me', birthDate: '1961-02-03', hospitalNumber: hn },
        doses: amounts.map((amount, k) => ({
          at: hoursAgo(48 - 12 * k),
          amount,
          ...(k === oral ? { route: 'oral' as const } : {}),
        })),
      });
      return { id: r.patientId, doses: r.doseIds, request: r.requestId };
    };
    /** The library's analysis of the record an analysis stored (as it was computed). */
    const library = (a: Analysis) =>
      libraryAnalyse({
        patientId: a.inputs.patientId,
        modelId: a.inputs.modelId,
        administrations: a.inputs.administrations,
        samples: a.inputs.samples,
        covariates: a.inputs.covariates,
        targets: a.inputs.targets,
        start: null,
      });

    test('a dose of 2000 mg corrected to 1000 mg: the next analysis uses 1000 mg (CL = the library’s on the corrected record), keeps 2000 mg struck with the reason, and says so', async () => {
      const p = await patient(`COR-${b.name}-1`, [1000, 2000, 1000, 1000]);
      const wrong: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.equal(wrong.inputs.administrations[1].amount, 2000);
      assert.equal(wrong.inputs.corrections, undefined);

      const corr = await ok(
        presc,
        'POST',
        `/api/patients/${p.id}/administrations/${p.doses[1]}/corrections`,
        {
          action: 'amend',
          reason: 'transcription error: 1 g was given',
          value: {
            at: wrong.inputs.administrations[1].at,
            amount: 1000,
            unit: 'mg',
            route: 'infusion',
            duration: { value: 1, unit: 'h' },
            product: 'vial 1 g',
          },
        },
      );
      assert.equal(corr.seq, 1);

      const right: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.deepEqual(
        right.inputs.administrations.map((x) => x.amount),
        [1000, 1000, 1000, 1000],
      );
      // The analysis is the library's on the corrected record, and differs from the wrong one's.
      const lib = library(right);
      assert.deepEqual(right.fit.parameters, lib.fit.parameters);
      assert.deepEqual(right.candidates, lib.candidates);
      const clWrong = wrong.fit.parameters.CL;
      const clRight = right.fit.parameters.CL;
      assert.ok(Math.abs(clRight / clWrong - 1) > 0.05, `CL ${clWrong} → ${clRight}`);
      // The library on the uncorrected record gives the wrong one's CL: the correction is what changed it.
      assert.equal(library(wrong).fit.parameters.CL, clWrong);
      // It says so: the correction, with the values before and after, the reason, author and time.
      const said = right.inputs.corrections!;
      assert.equal(said.length, 1);
      assert.equal(said[0].record, 'administration');
      assert.equal(said[0].action, 'amend');
      assert.equal(said[0].reason, 'transcription error: 1 g was given');
      assert.equal(said[0].author, `Dr presc-${b.name}`);
      assert.equal((said[0].before as { amount: number }).amount, 2000);
      assert.equal((said[0].after as { amount: number }).amount, 1000);

      // The record: the dose in force is 1000 mg, its history keeps 2000 mg.
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      const dose = rec.administrations.find((x) => x.id === p.doses[1])!;
      assert.equal(dose.amount, 1000);
      assert.equal(dose.status, 'active');
      assert.equal(dose.corrections[0].before.amount, 2000);
      assert.equal(dose.corrections[0].after!.amount, 1000);
      assert.match(dose.corrections[0].createdAt, /^\d{4}-\d{2}-\d{2}T/);
      // The export holds the corrected record, without history.
      const ex = await ok(pharm, 'GET', `/api/patients/${p.id}/export`);
      assert.deepEqual(
        ex.administrations.map((x: { amount: number }) => x.amount),
        [1000, 1000, 1000, 1000],
      );
      assert.ok(!('corrections' in ex.administrations[0]));

      // Audited: who corrected which record.
      const rows = await t.app.dt.db.db
        .selectFrom('audit')
        .selectAll()
        .where('action', '=', 'correct')
        .where('entity_id', '=', p.doses[1])
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].entity, 'administrations');
      assert.equal(rows[0].patient_id, p.id);
      assert.equal(JSON.parse(rows[0].after!).action, 'amend');

      // A second correction numbers after the first; the history keeps both.
      await ok(pharm, 'POST', `/api/patients/${p.id}/administrations/${p.doses[1]}/corrections`, {
        action: 'entered-in-error',
        reason: 'this dose was not given (patient in theatre)',
      });
      const rec2: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      const d2 = rec2.administrations.find((x) => x.id === p.doses[1])!;
      assert.equal(d2.status, 'entered-in-error');
      assert.deepEqual(
        d2.corrections.map((c) => [c.seq, c.action, c.before.amount, c.after?.amount ?? null]),
        [
          [1, 'amend', 2000, 1000],
          [2, 'entered-in-error', 1000, null],
        ],
      );
      const third: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.equal(third.inputs.administrations.length, 3);
      assert.equal(third.inputs.corrections!.length, 2);
    });

    test('an oral dose on an IV-only model makes the analysis fail; marked entered in error, the analysis runs on the other doses', async () => {
      const p = await patient(`COR-${b.name}-2`, [1000, 1000, 500, 1000], 2);
      const failed = await call(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.equal(failed.statusCode, 422, failed.body);
      await ok(presc, 'POST', `/api/patients/${p.id}/administrations/${p.doses[2]}/corrections`, {
        action: 'entered-in-error',
        reason: 'entered on the wrong patient',
      });
      const a: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.deepEqual(
        a.inputs.administrations.map((x) => x.route),
        ['infusion', 'infusion', 'infusion'],
      );
      assert.equal(a.fit.kind, 'map');
      assert.deepEqual(a.fit.parameters, library(a).fit.parameters);
      assert.equal(a.inputs.corrections![0].action, 'entered-in-error');
      assert.equal(a.inputs.corrections![0].after, null);
      // A level and a covariate are corrected the same way.
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      const wt = rec.covariates.find((c) => c.name === 'WT')!;
      await ok(presc, 'POST', `/api/patients/${p.id}/covariates/${wt.id}/corrections`, {
        action: 'amend',
        reason: 'weighed again on the bed scale',
        value: { at: wt.at, name: 'WT', value: 78, unit: 'kg' },
      });
      const lvl = rec.samples[1];
      await ok(presc, 'POST', `/api/patients/${p.id}/samples/${lvl.id}/corrections`, {
        action: 'amend',
        reason: 'the laboratory corrected the result',
        value: { at: lvl.at, value: 27.5, unit: 'mg/L', matrix: 'serum', assay: 'PETINIA', lloq: 2 },
      });
      const a2: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.equal(a2.inputs.covariates.find((c) => c.name === 'WT')!.value, 78);
      assert.equal(a2.inputs.samples[1].value, 27.5);
      assert.deepEqual(
        a2.inputs.corrections!.map((c) => c.record),
        ['administration', 'covariate', 'sample'],
      );
      assert.deepEqual(a2.fit.parameters, library(a2).fit.parameters);
    });

    test('mistakes in a correction are refused naming the field; another service cannot correct; the corrections table is append-only', async () => {
      const p = await patient(`COR-${b.name}-3`, [1000, 1000]);
      const url = `/api/patients/${p.id}/administrations/${p.doses[0]}/corrections`;
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      const at = rec.administrations[0].at;
      const good = {
        at,
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
        product: 'vial 1 g',
      };
      const cases: [unknown, number, string, string][] = [
        [
          { action: 'amend', reason: '  ', value: { ...good, amount: 900 } },
          422,
          'DT_REQUEST_VALUE',
          'reason',
        ],
        [{ action: 'amend', reason: 'x' }, 400, 'DT_REQUEST', 'value'],
        [
          { action: 'amend', reason: 'x', value: { ...good, unit: 'mL' } },
          422,
          'DT_UNIT_INCOMPATIBLE',
          'value.unit',
        ],
        [
          { action: 'amend', reason: 'x', value: { ...good, amount: -5 } },
          422,
          'DT_REQUEST_VALUE',
          'value.amount',
        ],
        [{ action: 'amend', reason: 'x', value: good }, 422, 'DT_REQUEST_VALUE', 'value'],
        [
          { action: 'amend', reason: 'x', value: { ...good, at: rec.administrations[1].at } },
          409,
          'DT_DUPLICATE',
          'value.at',
        ],
        [{ action: 'entered-in-error', reason: 'x', value: good }, 400, 'DT_REQUEST', 'value'],
        [{ action: 'delete', reason: 'x' }, 400, 'DT_REQUEST', 'body.action'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await call(presc, 'POST', url, body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
        if (status !== 400 || code !== 'DT_REQUEST' || field !== 'body.action') {
          assert.equal(issue(r).code, code, r.body);
          assert.equal(issue(r).field, field, r.body);
        } else assert.ok(issue(r).field.startsWith('body.action'), r.body);
      }
      // Unknown record; another patient's record; another service.
      const unknown = await call(presc, 'POST', `/api/patients/${p.id}/samples/${p.doses[0]}/corrections`, {
        action: 'entered-in-error',
        reason: 'x',
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(issue(unknown).field, 'recordId');
      // Another service's patient: refused as the record routes refuse it (not found, or forbidden).
      const foreign = await call(other, 'POST', url, { action: 'entered-in-error', reason: 'x' });
      assert.ok([403, 404].includes(foreign.statusCode), foreign.body);
      // Entered in error twice: the second is a conflict.
      await ok(presc, 'POST', url, { action: 'entered-in-error', reason: 'duplicate entry' });
      const twice = await call(presc, 'POST', url, { action: 'entered-in-error', reason: 'again' });
      assert.equal(twice.statusCode, 409);
      assert.equal(issue(twice).field, 'action');
      // The database refuses to change or remove a correction.
      const db = t.app.dt.db.db;
      await assert.rejects(db.updateTable('corrections').set({ reason: 'x' }).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('corrections').execute(), /append-only/);
    });

    test('identity amended with a reason: the record shows the identity in force and the one before; the wrong hospital number is free again', async () => {
      const p = await ok(presc, 'POST', '/api/patients', {
        identity: {
          familyName: 'Dupon',
          givenName: 'Jean',
          birthDate: '1950-01-02',
          hospitalNumber: `HN-${b.name}-9`,
        },
        sex: 'male',
      });
      const right = {
        familyName: 'Dupont',
        givenName: 'Jean',
        birthDate: '1950-01-02',
        hospitalNumber: `HN-${b.name}-7`,
      };
      const taken = await ok(presc, 'POST', '/api/patients', {
        identity: { ...right, familyName: 'Other', hospitalNumber: `HN-${b.name}-8` },
        sex: 'female',
      });
      // Another patient's number is refused.
      const dup = await call(presc, 'POST', `/api/patients/${p.id}/identity/corrections`, {
        action: 'amend',
        reason: 'typo',
        value: { ...right, hospitalNumber: `HN-${b.name}-8` },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(issue(dup).field, 'value.hospitalNumber');
      await ok(presc, 'POST', `/api/patients/${p.id}/identity/corrections`, {
        action: 'amend',
        reason: 'name and hospital number checked against the ID card',
        value: right,
      });
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}?identity=true`);
      assert.equal(rec.identity!.familyName, 'Dupont');
      assert.equal(rec.identity!.hospitalNumber, `HN-${b.name}-7`);
      assert.equal(rec.identityCorrections[0].before.familyName, 'Dupon');
      assert.equal(rec.identityCorrections[0].reason, 'name and hospital number checked against the ID card');
      // Without the identity, no identity history.
      assert.deepEqual((await ok(presc, 'GET', `/api/patients/${p.id}`)).identityCorrections, []);
      // The wrong number is free; the right one is taken.
      await ok(presc, 'POST', '/api/patients', {
        identity: {
          familyName: 'Real',
          givenName: 'Owner',
          birthDate: '1970-01-02',
          hospitalNumber: `HN-${b.name}-9`,
        },
        sex: 'female',
      });
      const again = await call(presc, 'POST', '/api/patients', {
        identity: { ...right, familyName: 'Twin' },
        sex: 'male',
      });
      assert.equal(again.statusCode, 409);
      assert.equal(issue(again).field, 'identity.hospitalNumber');
      assert.ok(taken.id);
    });
  });
}
