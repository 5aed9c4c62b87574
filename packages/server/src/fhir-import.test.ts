// Import from a real FHIR R4 server (Medplum's FHIR router over its in-memory repository, served
// over HTTP in the test, seeded with the three synthetic patients' Bundles): each imported patient
// gives the same drug-level analysis as the same patient entered by hand through the API (every
// candidate's metrics and PTA within 1e-9), each refused resource is listed with its code; a second
// import changes nothing; a newer version of a level amends its record with a correction naming
// the version, and a level now entered in error marks its record entered in error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { backends, caller, testApp, type TestApp, userWithToken } from './test-support.ts';

const fixture = (name: string): Bundle =>
  JSON.parse(
    readFileSync(new URL(`../../models/src/fhir/fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Bundle;

type Row = Record<string, unknown>;
/** The same patients as the fixtures say, written as a prescriber would type them. */
const BY_HAND: Record<string, { drug: string; covariates: Row[]; administrations: Row[]; samples: Row[] }> = {
  'vanco-icu-1': {
    drug: 'vancomycin',
    covariates: [
      { at: '2026-11-10T08:00:00+01:00', name: 'AGE', value: 65.58, unit: 'y' },
      { at: '2026-11-10T08:00:00+01:00', name: 'SEX', value: 0, unit: '-' },
      { at: '2026-11-10T06:00:00+01:00', name: 'SCR', value: 1.4, unit: 'mg/dL' },
      { at: '2026-11-10T07:30:00+01:00', name: 'WT', value: 82, unit: 'kg' },
      { at: '2026-11-10T07:30:00+01:00', name: 'HT', value: 178, unit: 'cm' },
      { at: '2026-11-11T06:00:00+01:00', name: 'SCR', value: 150, unit: 'umol/L' },
    ],
    administrations: [
      ['2026-11-10T08:00:00+01:00', 2000, 2],
      ['2026-11-10T20:00:00+01:00', 1000, 1],
      ['2026-11-11T08:00:00+01:00', 1000, 1],
    ].map(([at, amount, h]) => ({
      at,
      amount,
      unit: 'mg',
      route: 'infusion',
      duration: { value: h, unit: 'h' },
      product: 'vancomycin 1 g vial',
    })),
    samples: [
      { at: '2026-11-11T07:45:00+01:00', value: 14.2, unit: 'mg/L' },
      { at: '2026-11-11T10:00:00+01:00', value: 31, unit: 'ug/mL' },
    ].map((s) => ({ ...s, matrix: 'serum', assay: 'by hand' })),
  },
  'tacro-ktx-1': {
    drug: 'tacrolimus',
    covariates: [
      { at: '2026-11-01T08:00:00+01:00', name: 'AGE', value: 47.16, unit: 'y' },
      { at: '2026-11-01T08:00:00+01:00', name: 'SEX', value: 1, unit: '-' },
      { at: '2026-10-20T10:00:00+02:00', name: 'CYP3A5', value: 1, unit: '-' },
      { at: '2026-11-01T07:00:00+01:00', name: 'WT', value: 64, unit: 'kg' },
      { at: '2026-11-01T07:00:00+01:00', name: 'HT', value: 165, unit: 'cm' },
      { at: '2026-11-02T06:00:00+01:00', name: 'HCT', value: 31, unit: '%' },
      { at: '2026-11-02T06:00:00+01:00', name: 'SCR', value: 132, unit: 'umol/L' },
    ],
    administrations: ['01T08', '01T20', '02T08', '02T20', '03T08', '03T20', '04T08'].map((d) => ({
      at: `2026-11-${d}:00:00+01:00`,
      amount: 5,
      unit: 'mg',
      route: 'oral',
      product: 'Prograf 1 mg capsule',
    })),
    samples: [
      { at: '2026-11-03T07:40:00+01:00', value: 6.8 },
      { at: '2026-11-04T07:45:00+01:00', value: 8.1 },
    ].map((s) => ({ ...s, unit: 'ng/mL', matrix: 'whole blood', assay: 'by hand' })),
  },
  'amik-first-1': {
    drug: 'amikacin',
    covariates: [
      { at: '2026-11-20T10:00:00+01:00', name: 'AGE', value: 36.73, unit: 'y' },
      { at: '2026-11-20T10:00:00+01:00', name: 'SEX', value: 1, unit: '-' },
      { at: '2026-11-20T09:00:00+01:00', name: 'WT', value: 70, unit: 'kg' },
      { at: '2026-11-20T09:00:00+01:00', name: 'HT', value: 168, unit: 'cm' },
      { at: '2026-11-20T09:30:00+01:00', name: 'SCR', value: 0.8, unit: 'mg/dL' },
      { at: '2026-11-20T09:30:00+01:00', name: 'ALB', value: 3.1, unit: 'g/dL' },
    ],
    administrations: [
      {
        at: '2026-11-20T10:00:00+01:00',
        amount: 1750,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 0.5, unit: 'h' },
        product: 'amikacin 500 mg/2 mL',
      },
    ],
    samples: [],
  },
};
const IDENTITY = (n: number) => ({
  identity: {
    familyName: `Fhir${n}`,
    givenName: 'Test',
    birthDate: '1970-01-01',
    hospitalNumber: `FH-${n}-${Date.now()}`,
  },
  sex: 'female',
});

let fhir: FhirTestServer;
before(async () => {
  fhir = await startFhirServer({
    seed: [fixture('vancomycin-icu'), fixture('tacrolimus-kidney'), fixture('amikacin-first-dose')],
  });
});
after(async () => fhir.close());

for (const { name, skip } of backends())
  describe(`FHIR import (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await testApp(name, { fhir: { baseUrl: fhir.url } });
    });
    after(async () => t.close());

    /** A drug-level analysis of a patient: every number of its candidates (regimens, metrics, PTA), in order. */
    async function analysis(auth: string, pharm: string, patientId: string, drug: string): Promise<number[]> {
      const { ok } = caller(t.app);
      const rq = (await ok(auth, 'POST', '/api/requests', { patientId, drug, question: '' })).json();
      const a = (await ok(pharm, 'POST', `/api/requests/${rq.id}/analyses`, {})).json();
      const numbers = (x: unknown): number[] =>
        typeof x === 'number'
          ? [x]
          : x && typeof x === 'object'
            ? Object.entries(x)
                .sort(([k1], [k2]) => k1.localeCompare(k2))
                .flatMap(([, v]) => numbers(v))
            : [];
      return numbers(a.candidates);
    }

    let n = 0;
    for (const [fhirId, hand] of Object.entries(BY_HAND))
      test(`${fhirId}: the import gives the analysis of the same patient entered by hand (1e-9); refusals listed; a second import changes nothing`, async () => {
        const pres = await userWithToken(t.app, 'prescriber');
        const pharm = await userWithToken(t.app, 'pharmacologist');
        const { ok } = caller(t.app);
        const imported = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
        const r = (
          await ok(pres.auth, 'POST', `/api/patients/${imported}/fhir-import`, {
            drug: hand.drug,
            fhirPatientId: fhirId,
          })
        ).json();
        assert.deepEqual(
          r.entries.filter((e: { outcome: string }) => e.outcome !== 'created'),
          [],
          'every taken resource is created',
        );
        assert.equal(
          r.entries.length,
          hand.covariates.length + hand.administrations.length + hand.samples.length,
        );
        const typed = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
        for (const c of hand.covariates) await ok(pres.auth, 'POST', `/api/patients/${typed}/covariates`, c);
        for (const d of hand.administrations)
          await ok(pres.auth, 'POST', `/api/patients/${typed}/administrations`, d);
        for (const s of hand.samples) await ok(pres.auth, 'POST', `/api/patients/${typed}/samples`, s);
        // The analyses read the same records on either database: they are compared once, on SQLite.
        const a = name === 'sqlite' ? await analysis(pres.auth, pharm.auth, imported, hand.drug) : [0];
        const b = name === 'sqlite' ? await analysis(pres.auth, pharm.auth, typed, hand.drug) : [0];
        assert.ok(a.length > 0);
        assert.equal(a.length, b.length);
        a.forEach((x, i) =>
          assert.ok(Math.abs(x - b[i]) <= 1e-9 * Math.max(1, Math.abs(b[i])), `${i}: ${x} vs ${b[i]}`),
        );
        // Refusals, each with its resource and code.
        const refused = (r.refused as { resource: string; issue: { code: string } }[])
          .map((x) => `${x.resource} ${x.issue.code}`)
          .sort();
        const expected: Record<string, string[]> = {
          'vanco-icu-1': [
            'MedicationAdministration/vi-d4 DT_FHIR_VOLUME_DOSE',
            'Observation/vi-c3 DT_FHIR_UNIT',
            'Observation/vi-c4 DT_FHIR_TIME',
            'Observation/vi-hr DT_FHIR_UNKNOWN_CODE',
          ],
          'tacro-ktx-1': ['Observation/tk-c3 DT_FHIR_UNKNOWN_CODE'],
          'amik-first-1': [],
        };
        assert.deepEqual(refused, expected[fhirId]);
        // Imported again: nothing created, nothing changed.
        const before = (await ok(pres.auth, 'GET', `/api/patients/${imported}`)).json();
        const again = (
          await ok(pres.auth, 'POST', `/api/patients/${imported}/fhir-import`, { drug: hand.drug })
        ).json();
        assert.deepEqual(
          [...new Set(again.entries.map((e: { outcome: string }) => e.outcome))],
          ['unchanged'],
        );
        const afterRecord = (await ok(pres.auth, 'GET', `/api/patients/${imported}`)).json();
        assert.deepEqual(afterRecord, before);
      });

    test('a newer version of a level amends its record (a correction naming the version); a level now entered in error marks it so', async () => {
      const pres = await userWithToken(t.app, 'prescriber');
      const { ok, call } = caller(t.app);
      // A FHIR patient of this test's own: the vancomycin patient under new ids.
      const suffix = `-${name}`;
      const fresh = structuredClone(fixture('vancomycin-icu'));
      for (const e of fresh.entry!) {
        const r = e.resource as { id: string; subject?: { reference: string } };
        r.id = `${r.id}${suffix}`;
        if (r.subject) r.subject.reference = `${r.subject.reference}${suffix}`;
        await fhir.repo.updateResource(e.resource!);
      }
      const p = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
      await ok(pres.auth, 'POST', `/api/patients/${p}/fhir-import`, {
        drug: 'vancomycin',
        fhirPatientId: `vanco-icu-1${suffix}`,
      });
      // Another dosetwin patient cannot take a FHIR patient already linked.
      const other = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
      const taken = await call(pres.auth, 'POST', `/api/patients/${other}/fhir-import`, {
        drug: 'vancomycin',
        fhirPatientId: `vanco-icu-1${suffix}`,
      });
      assert.equal(taken.statusCode, 409);
      assert.equal(taken.json().error.issues[0].code, 'DT_CONFLICT');
      // The laboratory corrects the trough (14.2 → 12.4 mg/L) and cancels the peak.
      const trough = (await fhir.repo.readResource('Observation', `vi-c1${suffix}`)) as Observation;
      await fhir.repo.updateResource({
        ...trough,
        status: 'corrected',
        valueQuantity: { ...trough.valueQuantity, value: 12.4 },
      });
      const peak = (await fhir.repo.readResource('Observation', `vi-c2${suffix}`)) as Observation;
      await fhir.repo.updateResource({ ...peak, status: 'entered-in-error' });
      const r = (
        await ok(pres.auth, 'POST', `/api/patients/${p}/fhir-import`, { drug: 'vancomycin' })
      ).json();
      const byResource = Object.fromEntries(
        (r.entries as { resource: string; outcome: string }[]).map((e) => [e.resource, e.outcome]),
      );
      assert.equal(byResource[`Observation/vi-c1${suffix}`], 'amended');
      assert.equal(byResource[`Observation/vi-c2${suffix}`], 'removed');
      assert.equal(
        (r.entries as { outcome: string }[]).filter((e) => e.outcome === 'unchanged').length,
        r.entries.length - 2,
      );
      const record = (await ok(pres.auth, 'GET', `/api/patients/${p}`)).json();
      const samples = record.samples as {
        value: number;
        status: string;
        corrections: { reason: string }[];
      }[];
      assert.deepEqual(
        samples.map((s) => [s.value, s.status]),
        [
          [12.4, 'active'],
          [31, 'entered-in-error'],
        ],
        'the records in force: the corrected trough; the peak entered in error',
      );
      assert.match(samples[0].corrections[0].reason, new RegExp(`^FHIR Observation/vi-c1${suffix} version `));
      // and once more: nothing changes
      const again = (
        await ok(pres.auth, 'POST', `/api/patients/${p}/fhir-import`, { drug: 'vancomycin' })
      ).json();
      assert.deepEqual(
        (again.entries as { resource: string; outcome: string }[])
          .filter((e) => e.outcome !== 'unchanged')
          .map((e) => e.resource),
        [`Observation/vi-c2${suffix}`],
      );
    });

    test('the FHIR server down: 502 DT_FHIR_SERVER naming the request; no server configured: 422 DT_FHIR_NOT_CONFIGURED', async () => {
      const down = await testApp(name, { fhir: { baseUrl: 'http://127.0.0.1:9/fhir/R4' } });
      try {
        const pres = await userWithToken(down.app, 'prescriber');
        const { ok, call } = caller(down.app);
        const id = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
        const r = await call(pres.auth, 'POST', `/api/patients/${id}/fhir-import`, {
          drug: 'vancomycin',
          fhirPatientId: 'x1',
        });
        assert.equal(r.statusCode, 502);
        assert.equal(r.json().error.issues[0].code, 'DT_FHIR_SERVER');
        assert.match(
          r.json().error.issues[0].message,
          /^GET http:\/\/127\.0\.0\.1:9\/fhir\/R4\/Patient\/x1: no answer/,
        );
      } finally {
        await down.close();
      }
      const none = await testApp(name);
      try {
        const pres = await userWithToken(none.app, 'prescriber');
        const { ok, call } = caller(none.app);
        const id = (await ok(pres.auth, 'POST', '/api/patients', IDENTITY(++n))).json().id as string;
        const r = await call(pres.auth, 'POST', `/api/patients/${id}/fhir-import`, {
          drug: 'vancomycin',
          fhirPatientId: 'x1',
        });
        assert.equal(r.statusCode, 422);
        assert.equal(r.json().error.issues[0].code, 'DT_FHIR_NOT_CONFIGURED');
      } finally {
        await none.close();
      }
    });
  });
