// Real dose times in the service, on SQLite and PostgreSQL: a tacrolimus patient's prescription
// (Prograf 8 mg every 12 h from 08:00 five days ago) and adherence records with their sources. The
// analysis's dose history is the library's doseHistory of the stored parts (to the entry), and
// its fit says how much the records change the estimate (the library's historyEffect, to the last
// digit); records are corrected, never edited (amended, entered in error, with reason and author,
// audited); a pill box's file becomes records; mistakes are refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DoseEvent, doseHistory, historyEffect, isoInZone } from '@dosetwin/models';
import type { Analysis, PatientRecord } from './contract/index.ts';
import { backends, caller, testApp, userWithToken, type TestApp } from './test-support.ts';

const H = 3_600_000;
// 08:00 (+01:00) five days ago: doses due at 08:00 and 20:00 since.
const day0 = new Date(Date.now() + H - 5 * 24 * H).toISOString().slice(0, 10);
const START = `${day0}T08:00+01:00`;
const due = (k: number): string => isoInZone(Date.parse(START) + k * 12 * H, 60);
const later = (k: number, hours: number): string => isoInZone(Date.parse(due(k)) + hours * H, 60);

for (const b of backends()) {
  describe(`real dose times on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let presc: string;
    let pharm: string;
    before(async () => {
      t = await testApp(b.name);
      presc = (await userWithToken(t.app, 'prescriber', 'transplant', `presc-adh-${b.name}`)).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology', `pharm-adh-${b.name}`)).auth;
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).call(auth, method, url, payload);
    const ok = async (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      (await caller(t.app).ok(auth, method, url, payload)).json();
    const issues = (r: { json(): unknown }) =>
      (r.json() as { error: { issues: { code: string; field: string }[] } }).error.issues.map((i) => ({
        code: i.code,
        field: i.field,
      }));

    /** The patient: HCT, CYP3A5 expresser, the prescription, a trough the morning after dose 7. */
    const patient = async (hn: string) => {
      const p = await ok(presc, 'POST', '/api/patients', {
        identity: { familyName: 'Adherence', givenName: 'Test', birthDate: '1970-03-04', hospitalNumber: hn },
        sex: 'male',
      });
      for (const [name, value, unit] of [
        ['HCT', 35, '%'],
        ['CYP3A5', 1, '-'],
      ] as const)
        await ok(presc, 'POST', `/api/patients/${p.id}/covariates`, { at: later(0, -1), name, value, unit });
      const rx = await ok(presc, 'POST', `/api/patients/${p.id}/prescriptions`, {
        start: START,
        dose: { value: 8, unit: 'mg' },
        interval: { value: 12, unit: 'h' },
        route: 'oral',
        product: 'Prograf',
      });
      await ok(presc, 'POST', `/api/patients/${p.id}/samples`, {
        at: later(8, -0.25),
        value: 4.0,
        unit: 'ng/mL',
        matrix: 'whole blood',
        assay: 'LC-MS/MS',
      });
      const rq = await ok(presc, 'POST', '/api/requests', {
        patientId: p.id,
        modelId: 'tacrolimus/woillard2011-prograf',
        question: 'forgotten doses?',
      });
      return { id: p.id as string, prescription: rx.id as string, request: rq.id as string };
    };

    /** The library's history and effect of what an analysis stored (its own computation, redone). */
    const library = (a: Analysis) => {
      const s = a.inputs.adherence!;
      const events: DoseEvent[] = s.records.map((r) => ({
        dueAt: r.dueAt,
        status: r.kind,
        takenAt: r.takenAt,
        amount: r.amount,
        source: r.source,
      }));
      const h = doseHistory({
        prescriptions: s.prescriptions.map((x) => ({
          regimen: {
            dose: x.dose,
            interval: x.interval,
            route: x.route,
            duration: x.duration,
            start: x.start,
            loading: null,
          },
          product: x.product,
          until: x.until,
        })),
        administrations: s.recorded,
        events,
        until: s.until,
      });
      const inputs = {
        patientId: a.inputs.patientId,
        modelId: a.inputs.modelId,
        covariates: a.inputs.covariates,
        samples: a.inputs.samples,
        targets: a.inputs.targets,
      };
      return { h, effect: historyEffect(inputs, h, events) };
    };

    test('a prescription and its records are stored with their source and audited; the record lists them; mistakes are refused naming the field', async () => {
      const p = await patient(`ADH-${b.name}-1`);
      const missed = await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'missed',
        dueAt: due(7),
        source: 'diary',
      });
      await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'extra',
        takenAt: later(2, 3),
        amount: { value: 1, unit: 'mg' },
        source: 'clinician',
      });
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      assert.deepEqual(
        rec.prescriptions.map((x) => [x.start, x.dose, x.interval, x.route, x.product, x.until, x.status]),
        [[START, { value: 8, unit: 'mg' }, { value: 12, unit: 'h' }, 'oral', 'Prograf', null, 'active']],
      );
      assert.deepEqual(
        rec.adherence.map((x) => [x.kind, x.dueAt, x.takenAt, x.source, x.status]),
        [
          ['extra', null, later(2, 3), 'clinician', 'active'],
          ['missed', due(7), null, 'diary', 'active'],
        ],
      );
      const audited = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['entity', 'entity_id'])
        .where('patient_id', '=', p.id)
        .where('action', '=', 'create')
        .execute();
      assert.ok(audited.some((x) => x.entity === 'prescriptions' && x.entity_id === p.prescription));
      assert.ok(audited.some((x) => x.entity === 'adherence_records' && x.entity_id === missed.id));

      const bad = async (body: object, expected: { code: string; field: string }[], status = 422) => {
        const r = await call(presc, 'POST', `/api/patients/${p.id}/adherence`, body);
        assert.equal(r.statusCode, status, r.body);
        assert.deepEqual(issues(r), expected);
      };
      // 21:00 is no prescribed time; the dose of 20:00 has its record already; a missed dose has no time.
      await bad({ kind: 'missed', dueAt: later(7, 1), source: 'diary' }, [
        { code: 'DT_ADHERENCE', field: 'dueAt' },
      ]);
      await bad({ kind: 'late', dueAt: due(7), takenAt: later(7, 2), source: 'pillbox' }, [
        { code: 'DT_ADHERENCE', field: 'dueAt' },
      ]);
      await bad({ kind: 'missed', dueAt: due(5), takenAt: later(5, 1), source: 'diary' }, [
        { code: 'DT_ADHERENCE', field: 'takenAt' },
      ]);
      await bad({ kind: 'late', dueAt: due(5), takenAt: later(5, -1), source: 'diary' }, [
        { code: 'DT_ADHERENCE', field: 'takenAt' },
      ]);
      await bad({ kind: 'extra', takenAt: later(3, 2), source: 'diary' }, [
        { code: 'DT_ADHERENCE', field: 'amount' },
      ]);
      // A dose due tomorrow has not happened; 80 mg of tacrolimus at once is not a dose.
      await bad({ kind: 'missed', dueAt: due(14), source: 'diary' }, [
        { code: 'DT_REQUEST_TIME', field: 'dueAt' },
      ]);
      // 80 mg of tacrolimus at once is unusual: stored only once confirmed, the warnings kept.
      const extra = {
        kind: 'extra',
        takenAt: later(3, 2),
        amount: { value: 80, unit: 'mg' },
        source: 'clinician',
      };
      const unusual = await call(presc, 'POST', `/api/patients/${p.id}/adherence`, extra);
      assert.equal(unusual.statusCode, 422);
      assert.deepEqual(
        [...new Set(issues(unusual).map((i) => `${i.code} ${i.field}`))],
        ['DT_ACK_REQUIRED acknowledge', 'DT_DOSE_UNUSUAL amount.value'],
      );
      const confirmed = await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        ...extra,
        acknowledge: ['DT_DOSE_UNUSUAL'],
      });
      assert.ok(confirmed.acknowledged.length >= 1);
      assert.ok(confirmed.acknowledged.every((i: { code: string }) => i.code === 'DT_DOSE_UNUSUAL'));
      const forgot = await call(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'forgot',
        dueAt: due(5),
        source: 'diary',
      });
      assert.equal(forgot.statusCode, 400);
      assert.deepEqual(
        [...new Set(issues(forgot).map((i) => `${i.code} ${i.field}`))],
        ['DT_REQUEST body.kind'],
      );
      // A prescription: the same start twice; 80 mg every 12 h.
      const rx = await call(presc, 'POST', `/api/patients/${p.id}/prescriptions`, {
        start: START,
        dose: { value: 4, unit: 'mg' },
        interval: { value: 12, unit: 'h' },
        route: 'oral',
        product: 'Prograf',
      });
      assert.equal(rx.statusCode, 409);
      assert.deepEqual(issues(rx), [{ code: 'DT_DUPLICATE', field: 'start' }]);
      const big = await call(presc, 'POST', `/api/patients/${p.id}/prescriptions`, {
        start: due(9),
        dose: { value: 80, unit: 'mg' },
        interval: { value: 12, unit: 'h' },
        route: 'oral',
        product: 'Prograf',
      });
      assert.equal(big.statusCode, 422, big.body);
      assert.ok(
        issues(big).some((i) => i.field === 'dose.value'),
        big.body,
      );
    });

    test('the analysis’s dose history is the library’s (prescription, administrations recorded, records), and its fit says how much the records change CL/F (the library’s two fits, exactly)', async () => {
      const p = await patient(`ADH-${b.name}-2`);
      // The ward recorded the first dose at its time: it is that dose, not a second one.
      await ok(presc, 'POST', `/api/patients/${p.id}/administrations`, {
        at: due(0),
        amount: 8,
        unit: 'mg',
        route: 'oral',
        product: 'Prograf',
      });
      const before: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      const dueSoFar = Math.floor((Date.now() - Date.parse(START)) / (12 * H)) + 1;
      assert.equal(before.inputs.administrations.length, dueSoFar);
      assert.deepEqual(before.fit.adherence?.change.CL, 0);
      await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'missed',
        dueAt: due(7),
        source: 'diary',
      });
      await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'late',
        dueAt: due(6),
        takenAt: later(6, 3),
        source: 'diary',
      });
      const a: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      const lib = library(a);
      assert.deepEqual(a.inputs.administrations, lib.h.administrations);
      assert.equal(a.inputs.administrations.length, dueSoFar - 1);
      assert.ok(!a.inputs.administrations.some((x) => Date.parse(x.at) === Date.parse(due(7))));
      assert.ok(a.inputs.administrations.some((x) => x.at === later(6, 3)));
      assert.deepEqual(a.inputs.adherence!.prescribed, lib.h.prescribed);
      assert.deepEqual(a.fit.adherence, lib.effect);
      // A dose entered at the time of the dose the diary says was missed contradicts it: refused.
      const contradicts = await call(presc, 'POST', `/api/patients/${p.id}/administrations`, {
        at: due(7),
        amount: 8,
        unit: 'mg',
        route: 'oral',
        product: 'Prograf',
      });
      assert.equal(contradicts.statusCode, 422, contradicts.body);
      assert.deepEqual(issues(contradicts), [{ code: 'DT_ADHERENCE', field: 'at' }]);
      // The trough after a forgotten dose, read as if it was taken, makes clearance look higher.
      assert.ok(a.fit.adherence!.change.CL < -0.05, `CL change ${a.fit.adherence!.change.CL}`);
      assert.equal(a.fit.adherence!.missed, 1);
      assert.equal(a.fit.adherence!.late, 1);
      assert.equal(a.fit.parameters.CL, a.fit.adherence!.real.CL);
    });

    test('corrections: a missed dose amended to late is taken at its time by the next analysis, the values before kept with reason and author; entered in error, the dose is the prescription’s again; a prescription whose doses records name cannot go first; the tables refuse UPDATE', async () => {
      const p = await patient(`ADH-${b.name}-3`);
      const m = await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'missed',
        dueAt: due(7),
        source: 'diary',
      });
      const url = `/api/patients/${p.id}/adherence/${m.id}/corrections`;
      const c1 = await ok(presc, 'POST', url, {
        action: 'amend',
        reason: 'the patient took it at 23:00, said on the phone',
        value: { kind: 'late', dueAt: due(7), takenAt: later(7, 3), source: 'clinician' },
      });
      assert.equal(c1.seq, 1);
      const a1: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.ok(a1.inputs.administrations.some((x) => x.at === later(7, 3)));
      assert.ok(!a1.inputs.administrations.some((x) => Date.parse(x.at) === Date.parse(due(7))));
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      const r = rec.adherence.find((x) => x.id === m.id)!;
      assert.equal(r.kind, 'late');
      assert.deepEqual(
        r.corrections.map((c) => [c.action, c.reason, c.before.kind, c.after?.kind, c.author.length > 0]),
        [['amend', 'the patient took it at 23:00, said on the phone', 'missed', 'late', true]],
      );
      // An amendment is checked as an entry: taken before it was due.
      const wrong = await call(presc, 'POST', url, {
        action: 'amend',
        reason: 'typo',
        value: { kind: 'late', dueAt: due(7), takenAt: later(7, -2), source: 'clinician' },
      });
      assert.equal(wrong.statusCode, 422);
      assert.deepEqual(issues(wrong), [{ code: 'DT_ADHERENCE', field: 'value.takenAt' }]);
      // The prescription cannot be entered in error while a record names one of its doses.
      const rx = await call(
        presc,
        'POST',
        `/api/patients/${p.id}/prescriptions/${p.prescription}/corrections`,
        {
          action: 'entered-in-error',
          reason: 'wrong patient',
        },
      );
      assert.equal(rx.statusCode, 422);
      assert.deepEqual(issues(rx), [{ code: 'DT_ADHERENCE', field: `adherence[${m.id}].dueAt` }]);
      await ok(presc, 'POST', url, { action: 'entered-in-error', reason: 'not this patient’s diary' });
      const a2: Analysis = await ok(pharm, 'POST', `/api/requests/${p.request}/analyses`, {});
      assert.ok(a2.inputs.administrations.some((x) => Date.parse(x.at) === Date.parse(due(7))));
      assert.deepEqual(a2.inputs.adherence!.records, []);
      const audited = await t.app.dt.db.db
        .selectFrom('audit')
        .select('action')
        .where('entity', '=', 'adherence_records')
        .where('entity_id', '=', m.id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audited.map((x) => x.action),
        ['create', 'correct', 'correct'],
      );
      const db = t.app.dt.db.db;
      await assert.rejects(
        db.updateTable('adherence_records').set({ source: 'clinician' }).execute(),
        /append-only/,
      );
      await assert.rejects(db.updateTable('prescriptions').set({ product: 'x' }).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('adherence_records').execute(), /append-only/);
    });

    test('a pill box file: the doses due while it was used become records (missed, late, extra) with source pillbox; a dose already recorded keeps its record; errors name the line', async () => {
      const p = await patient(`ADH-${b.name}-4`);
      await ok(presc, 'POST', `/api/patients/${p.id}/adherence`, {
        kind: 'missed',
        dueAt: due(5),
        source: 'diary',
      });
      const csv = [
        'device;opened_at',
        `box;${later(2, 0.1)}`,
        `box;${later(3, 0.2)}`,
        `box;${later(4, 2.5)}`,
        `box;${later(4, 3)}`,
        `box;${later(6, 0)}`,
      ].join('\n');
      // The second opening 30 min after the first is a dose taken twice, or the box opened twice:
      // confirmed before anything is stored.
      const twice = await call(presc, 'POST', `/api/patients/${p.id}/adherence/pillbox`, { csv });
      assert.equal(twice.statusCode, 422);
      assert.deepEqual(issues(twice), [
        { code: 'DT_ACK_REQUIRED', field: 'acknowledge' },
        { code: 'DT_DOSE_REPEATED', field: 'csv.takenAt' },
      ]);
      const none: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      assert.equal(none.adherence.length, 1);
      const r = await ok(presc, 'POST', `/api/patients/${p.id}/adherence/pillbox`, {
        csv,
        acknowledge: ['DT_DOSE_REPEATED'],
      });
      assert.deepEqual(
        r.created.map((x: { kind: string; dueAt: string | null; takenAt: string | null; source: string }) => [
          x.kind,
          x.dueAt,
          x.takenAt,
          x.source,
        ]),
        [
          ['late', due(4), later(4, 2.5), 'pillbox'],
          ['extra', null, later(4, 3), 'pillbox'],
        ],
      );
      // Dose 5 had no opening: the diary's record of it is kept.
      assert.deepEqual(
        r.kept.map((x: { dueAt: string; kind: string }) => [x.dueAt, x.kind]),
        [[due(5), 'missed']],
      );
      const rec: PatientRecord = await ok(presc, 'GET', `/api/patients/${p.id}`);
      assert.equal(rec.adherence.filter((x) => x.source === 'pillbox').length, 2);
      const badCsv = await call(presc, 'POST', `/api/patients/${p.id}/adherence/pillbox`, {
        csv: `opened_at\n${later(2, 0)}\n2026-12-01 08:00\n`,
      });
      assert.equal(badCsv.statusCode, 422);
      assert.deepEqual(issues(badCsv), [{ code: 'DT_PILLBOX_CSV', field: 'csv line 3' }]);
    });
  });
}
