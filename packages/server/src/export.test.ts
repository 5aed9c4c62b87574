// The pseudonymised export attacked as a re-identifier would: every field that found the patient
// again (identity, in-app pseudonym, ids, calendar and entry times, exact age, free text) is gone,
// two exports of one patient cannot be joined, and what is left is the record's right values.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ageBand, completedYears, hoursFrom, SUBJECT_RE } from './pseudonymise.ts';
import { backends, testApp, type TestApp, userWithToken } from './test-support.ts';

test('age bands: by completed years on the day, children by stage, adults by decade, 90 and over open', () => {
  const at = '2026-12-06T10:00:00Z';
  assert.equal(completedYears('2008-12-06', at), 18);
  assert.equal(completedYears('2008-12-07', at), 17);
  assert.deepEqual(ageBand('2008-12-06', at), { min: 18, max: 29, unit: 'y' });
  assert.deepEqual(ageBand('2008-12-07', at), { min: 12, max: 17, unit: 'y' });
  assert.deepEqual(ageBand('2026-03-01', at), { min: 0, max: 0, unit: 'y' });
  assert.deepEqual(ageBand('1953-07-19', at), { min: 70, max: 79, unit: 'y' });
  assert.deepEqual(ageBand('1936-12-06', at), { min: 90, max: null, unit: 'y' });
  assert.deepEqual(ageBand('1936-12-07', at), { min: 80, max: 89, unit: 'y' });
  // Hours to the minute, across a change of offset.
  assert.deepEqual(hoursFrom('2026-03-29T00:30:00+01:00', '2026-03-29T04:00:00+02:00'), {
    value: 2.5,
    unit: 'h',
  });
});

const IDENTITY = {
  familyName: 'Vexmoor',
  givenName: 'Ottiline',
  birthDate: '1953-07-19',
  hospitalNumber: 'HN-5508812',
};

for (const b of backends()) {
  describe(`pseudonymised export on ${b.name}`, { skip: b.skip }, () => {
    let t: TestApp;
    let auth: string;
    let pseudonym: string;
    let patientId: string;
    const ids: string[] = [];
    // The first dose two days ago, to the minute: every other time is from it.
    const t0 = Math.floor((Date.now() - 48 * 3_600_000) / 60_000) * 60_000;
    const at = (hours: number) => new Date(t0 + hours * 3_600_000).toISOString();
    const post = async (url: string, payload: object) => {
      const r = await t.app.inject({ method: 'POST', url, headers: { authorization: auth }, payload });
      assert.equal(r.statusCode, 201, r.body);
      return r.json();
    };

    before(async () => {
      t = await testApp(b.name);
      const pharm = await userWithToken(t.app, 'pharmacologist', 'icu', 'dr.exporter');
      auth = pharm.auth;
      ids.push(pharm.id);
      const p = await post('/api/patients', { identity: IDENTITY, sex: 'female' });
      patientId = p.id;
      pseudonym = p.pseudonym;
      for (const [name, value, unit] of [
        ['WT', 61.3, 'kg'],
        ['AGE', 73, 'y'],
      ] as const)
        ids.push((await post(`/api/patients/${p.id}/covariates`, { at: at(-12), name, value, unit })).id);
      for (const h of [0, 12])
        ids.push(
          (
            await post(`/api/patients/${p.id}/administrations`, {
              at: at(h),
              amount: 1000,
              unit: 'mg',
              route: 'infusion',
              duration: { value: 1, unit: 'h' },
              product: 'vancomycin 1 g vial, prepared for Mme Vexmoor',
            })
          ).id,
        );
      for (const [h, matrix] of [
        [11.5, 'plasma'],
        [23.75, 'tube of Ottiline V.'],
      ] as const)
        ids.push(
          (
            await post(`/api/patients/${p.id}/samples`, {
              at: at(h),
              value: 17.25,
              unit: 'mg/L',
              matrix,
              assay: 'immunoassay, bed 12 (Vexmoor)',
            })
          ).id,
        );
    });
    after(async () => t?.close());

    test('no field that finds the patient again: identity, pseudonym, ids, dates, entry times, exact age, free text', async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/patients/${patientId}/export`,
        headers: { authorization: auth },
      });
      assert.equal(r.statusCode, 200, r.body);
      const ex = r.json();
      // The subject code is random hexadecimal and may contain digits such as the birth year's or
      // the exact age's, so it is taken out before looking; it is checked against its pattern below.
      const text = r.body.replaceAll(ex.subject, '');
      for (const v of [
        ...Object.values(IDENTITY),
        'Vexmoor',
        'Ottiline',
        '1953',
        pseudonym,
        patientId,
        ...ids,
        'dr.exporter',
        'immunoassay',
        'prepared for',
        'createdAt',
        'createdBy',
        '"at"',
      ])
        assert.ok(!text.includes(v), `the export shows '${v}'`);
      // The exact age, 73 years, nowhere as a number.
      assert.doesNotMatch(text, /(?<![\d.])73(?![\d.])/);
      // No calendar date or time of day anywhere.
      assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/);
      assert.match(ex.subject, SUBJECT_RE);
      assert.deepEqual(ex.ageBand, { min: 70, max: 79, unit: 'y' });
      assert.equal(ex.timeOrigin, 'first dose');
      assert.equal(ex.sex, 'female');
      assert.deepEqual(ex.covariates, [
        { time: { value: -12, unit: 'h' }, name: 'WT', value: 61.3, unit: 'kg' },
      ]);
      assert.deepEqual(
        ex.administrations.map((d: { time: { value: number }; amount: number; duration: unknown }) => [
          d.time.value,
          d.amount,
          d.duration,
        ]),
        [
          [0, 1000, { value: 1, unit: 'h' }],
          [12, 1000, { value: 1, unit: 'h' }],
        ],
      );
      assert.deepEqual(ex.samples, [
        { time: { value: 11.5, unit: 'h' }, value: 17.25, unit: 'mg/L', matrix: 'plasma', lloq: null },
        { time: { value: 23.75, unit: 'h' }, value: 17.25, unit: 'mg/L', matrix: 'other', lloq: null },
      ]);
    });

    test('two exports of one patient carry different subject codes; the audit trail knows which patient each was', async () => {
      const get = async () =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/patients/${patientId}/export`,
            headers: { authorization: auth },
          })
        ).json().subject as string;
      const [s1, s2] = [await get(), await get()];
      assert.notEqual(s1, s2);
      const rows = await t.app.dt.db.db
        .selectFrom('audit')
        .select(['patient_id', 'after'])
        .where('action', '=', 'export')
        .execute();
      for (const s of [s1, s2])
        assert.ok(
          rows.some((x) => x.patient_id === patientId && JSON.parse(x.after!).subject === s),
          `the export ${s} is not in the trail`,
        );
    });
  });
}
