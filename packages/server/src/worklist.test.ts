// The worklist: patients found by name, birth name or hospital number (case-insensitive, within the
// prescriber's service, '%' taken literally); the queue's counts and order (urgent first, then
// oldest); a request refused at submission when the analysis could not run (no dose, each missing
// covariate named), accepted for a drug when one of its models has every input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, testApp, type TestApp, userWithToken } from './test-support.ts';

for (const { name: backend, skip } of backends())
  describe(`worklist (${backend})`, { skip }, () => {
    let t: TestApp;
    let icu: string;
    let cardio: string;
    let pharm: string;
    before(async () => {
      t = await testApp(backend);
      icu = (await userWithToken(t.app, 'prescriber', 'icu')).auth;
      cardio = (await userWithToken(t.app, 'prescriber', 'cardiology')).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: auth },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const patient = async (auth: string, familyName: string, hospitalNumber: string, birthName?: string) => {
      const r = await call(auth, 'POST', '/api/patients', {
        identity: {
          familyName,
          givenName: 'Anne',
          ...(birthName ? { birthName } : {}),
          birthDate: '1950-01-02',
          hospitalNumber,
        },
        sex: 'female',
      });
      assert.equal(r.statusCode, 201, r.body);
      return (r.json() as { id: string }).id;
    };
    const vancomycinRecord = async (pid: string, withDial = true) => {
      for (const [name, value, unit] of [
        ['WT', 70, 'kg'],
        ['AGE', 60, 'y'],
        ['SCR', 80, 'umol/L'],
        ['SEX', 1, '-'],
        ...(withDial ? [['DIAL', 0, '-'] as const] : []),
      ] as const)
        assert.equal(
          (
            await call(icu, 'POST', `/api/patients/${pid}/covariates`, {
              at: '2026-11-20T06:00:00Z',
              name,
              value,
              unit,
            })
          ).statusCode,
          201,
        );
      assert.equal(
        (
          await call(icu, 'POST', `/api/patients/${pid}/administrations`, {
            at: '2026-11-20T08:00:00Z',
            amount: 1,
            unit: 'g',
            route: 'infusion',
            duration: { value: 1, unit: 'h' },
            product: 'vancomycine 1 g',
          })
        ).statusCode,
        201,
      );
    };

    test('search by name, birth name or hospital number, case-insensitive; a prescriber finds only their service’s', async () => {
      const a = await patient(icu, 'Lefèvre', `WL-${backend}-001`, 'Dupont');
      const b = await patient(icu, 'Lefebvre', `WL-${backend}-002`);
      const c = await patient(cardio, 'Lefort', `WL-${backend}-003`);
      const ids = async (auth: string, q: string) =>
        (
          (await call(auth, 'GET', `/api/patients/search?q=${encodeURIComponent(q)}`)).json() as {
            id: string;
          }[]
        ).map((x) => x.id);
      assert.deepEqual(new Set(await ids(pharm, 'lef')), new Set([a, b, c]));
      assert.deepEqual(new Set(await ids(icu, 'LEF')), new Set([a, b]), 'not cardiology’s patient');
      assert.deepEqual(await ids(icu, 'dupont'), [a], 'by birth name');
      assert.deepEqual(await ids(pharm, `${backend}-003`), [c], 'by part of the hospital number');
      assert.deepEqual(await ids(pharm, '%%'), [], "'%' is a character, not a wildcard");
      const match = (
        await call(pharm, 'GET', `/api/patients/search?q=${encodeURIComponent('lefèvre')}`)
      ).json();
      assert.deepEqual(match, [
        {
          id: a,
          pseudonym: match[0].pseudonym,
          service: 'icu',
          sex: 'female',
          familyName: 'Lefèvre',
          givenName: 'Anne',
          birthName: 'Dupont',
          birthDate: '1950-01-02',
          hospitalNumber: `WL-${backend}-001`,
        },
      ]);
      assert.equal(
        (await call(pharm, 'GET', '/api/patients/search?q=a')).statusCode,
        400,
        'too short to search',
      );
      // The search is audited with its count, never the text searched.
      const rows = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['after'])
        .where('entity', '=', 'patient-search')
        .execute();
      assert.ok(rows.length >= 5);
      assert.ok(rows.every((r) => !String(r.after).toLowerCase().includes('lef')));
    });

    test('completeness at submission: no dose and each missing covariate named (422); a drug with one complete model is accepted', async () => {
      const pid = await patient(icu, 'Complet', `WL-${backend}-010`);
      const none = await call(icu, 'POST', '/api/requests', {
        patientId: pid,
        modelId: 'vancomycin/goti2018',
        question: '',
      });
      assert.equal(none.statusCode, 422, none.body);
      const fields = (none.json().error.issues as { code: string; field: string }[]).map(
        (i) => `${i.code} ${i.field}`,
      );
      assert.deepEqual(fields.sort(), [
        'DT_ANALYSIS_NO_DOSE administrations',
        'DT_COVARIATE_MISSING covariates.AGE',
        'DT_COVARIATE_MISSING covariates.DIAL',
        'DT_COVARIATE_MISSING covariates.SCR',
        'DT_COVARIATE_MISSING covariates.SEX',
        'DT_COVARIATE_MISSING covariates.WT',
      ]);
      // Everything but DIAL: goti2018 refuses, naming DIAL alone.
      await vancomycinRecord(pid, false);
      const noDial = await call(icu, 'POST', '/api/requests', {
        patientId: pid,
        modelId: 'vancomycin/goti2018',
        question: '',
      });
      assert.equal(noDial.statusCode, 422);
      assert.deepEqual(
        (noDial.json().error.issues as { field: string; message: string }[]).map((i) => i.field),
        ['covariates.DIAL'],
      );
      assert.match(noDial.json().error.issues[0].message, /DIAL is needed by vancomycin\/goti2018/);
      // The drug: another vancomycin model needs no DIAL, so the request is accepted.
      const drug = await call(icu, 'POST', '/api/requests', {
        patientId: pid,
        drug: 'vancomycin',
        question: '',
      });
      assert.equal(drug.statusCode, 201, drug.body);
    });

    test('the queue: urgent first, then oldest; counts by status with the pending and urgent pending', async () => {
      const p1 = await patient(icu, 'Queue', `WL-${backend}-020`);
      await vancomycinRecord(p1);
      const before = (await call(pharm, 'GET', '/api/requests/counts')).json();
      const routine = (
        await call(icu, 'POST', '/api/requests', {
          patientId: p1,
          modelId: 'vancomycin/goti2018',
          question: 'r',
        })
      ).json().id;
      const urgent = (
        await call(icu, 'POST', '/api/requests', {
          patientId: p1,
          modelId: 'vancomycin/goti2018',
          question: 'u',
          urgency: 'urgent',
        })
      ).json().id;
      const counts = (await call(pharm, 'GET', '/api/requests/counts')).json();
      assert.equal(counts.submitted, before.submitted + 2);
      assert.equal(counts.pending, before.pending + 2);
      assert.equal(counts.urgentPending, before.urgentPending + 1);
      assert.ok(counts.oldestPendingAt !== null);
      const list = (await call(pharm, 'GET', '/api/requests?status=submitted')).json() as {
        id: string;
        urgency: string;
      }[];
      const order = list.map((r) => r.id).filter((id) => id === routine || id === urgent);
      assert.deepEqual(order, [urgent, routine]);
      assert.equal(list.find((r) => r.id === urgent)?.urgency, 'urgent');
      // Another service's prescriber counts none of them.
      const theirs = (await call(cardio, 'GET', '/api/requests/counts')).json();
      assert.equal(theirs.urgentPending, 0);
    });
  });
