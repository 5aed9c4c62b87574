// Write-back of a signed decision to a real FHIR R4 server (Medplum's router over its in-memory
// repository, served over HTTP): the vancomycin ICU patient imported from it, analysed, signed
// (a regimen of 1250 mg over 2 h every 12 h), written back: the server then holds a
// DiagnosticReport whose presentedForm is the signed PDF report, a MedicationRequest (intent
// proposal, 1250 mg, every 12 h, 2 h infusion, intravenous), and a Provenance naming the signer
// as the author of both; a second write-back of the same decision is refused (409).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Bundle, DiagnosticReport, MedicationRequest, Provenance } from '@medplum/fhirtypes';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { caller, REAUTH, testApp, type TestApp, userWithToken } from './test-support.ts';

const bundle = JSON.parse(
  readFileSync(new URL('../../models/src/fhir/fixtures/vancomycin-icu.json', import.meta.url), 'utf8'),
) as Bundle;

let fhir: FhirTestServer;
let t: TestApp;
before(async () => {
  fhir = await startFhirServer({ seed: [bundle] });
  t = await testApp('sqlite', { fhir: { baseUrl: fhir.url } });
});
after(async () => {
  await t?.close();
  await fhir?.close();
});

test('signed, then written back: DiagnosticReport with the PDF, MedicationRequest (proposal, timing and rate), Provenance naming the signer; once only', async () => {
  const { ok, call } = caller(t.app);
  const pres = await userWithToken(t.app, 'prescriber', 'icu');
  const analyst = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
  const signer = await userWithToken(t.app, 'pharmacologist', 'pharmacology', 'dr.signer');
  const p = (
    await ok(pres.auth, 'POST', '/api/patients', {
      identity: {
        familyName: 'Martin',
        givenName: 'Paul',
        birthDate: '1961-04-12',
        hospitalNumber: 'ICU-WB-1',
      },
      sex: 'male',
    })
  ).json().id as string;
  await ok(pres.auth, 'POST', `/api/patients/${p}/fhir-import`, {
    drug: 'vancomycin',
    fhirPatientId: 'vanco-icu-1',
  });
  const rq = (
    await ok(pres.auth, 'POST', '/api/requests', { patientId: p, drug: 'vancomycin', question: '' })
  ).json();
  // Not signed yet: nothing to write back.
  const early = await call(pres.auth, 'POST', `/api/requests/${rq.id}/fhir-write-back`, {});
  assert.equal(early.statusCode, 409, early.body);
  const a = (await ok(analyst.auth, 'POST', `/api/requests/${rq.id}/analyses`, {})).json();
  const regimen = {
    dose: { value: 1250, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 2, unit: 'h' },
    start: '2026-11-11T20:00:00+01:00',
    loading: null,
  };
  // Signed; a warning the signature must confirm (a level far from the fit…) is confirmed as asked.
  const sign = (acknowledge: string[]) =>
    call(signer.auth, 'POST', `/api/analyses/${a.id}/validations`, {
      ...REAUTH,
      decision: 'modify',
      comment: 'AUC24 on target',
      regimen,
      acknowledge,
    });
  let signed = await sign([]);
  if (signed.statusCode === 422)
    signed = await sign(
      (signed.json().error.issues as { code: string }[])
        .map((x) => x.code)
        .filter((c) => c !== 'DT_ACK_REQUIRED'),
    );
  assert.equal(signed.statusCode, 201, signed.body);
  const wb = await ok(pres.auth, 'POST', `/api/requests/${rq.id}/fhir-write-back`, { intent: 'proposal' });
  const { resources } = wb.json() as { resources: string[] };
  assert.deepEqual(
    resources.map((r) => r.split('/')[0]),
    ['DiagnosticReport', 'MedicationRequest', 'Provenance'],
  );
  const read = async <T>(ref: string): Promise<T> => (await fetch(`${fhir.url}/${ref}`)).json() as Promise<T>;
  const report = await read<DiagnosticReport>(resources[0]);
  assert.equal(report.subject?.reference, 'Patient/vanco-icu-1');
  assert.equal(report.status, 'final');
  const pdf = Buffer.from(report.presentedForm![0].data!, 'base64');
  assert.equal(report.presentedForm![0].contentType, 'application/pdf');
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  // the same PDF the report route gives (its bytes up to the creation date PDFKit writes)
  const direct = await ok(pres.auth, 'GET', `/api/requests/${rq.id}/report?format=pdf&identity=true`);
  assert.ok(
    Math.abs(direct.rawPayload.length - pdf.length) < 200,
    `${direct.rawPayload.length} vs ${pdf.length}`,
  );
  const order = await read<MedicationRequest>(resources[1]);
  assert.equal(order.intent, 'proposal');
  assert.equal(order.subject?.reference, 'Patient/vanco-icu-1');
  assert.equal(order.medicationCodeableConcept?.coding?.[0].code, 'J01XA01');
  const di = order.dosageInstruction![0];
  assert.deepEqual(di.doseAndRate?.[0].doseQuantity, {
    value: 1250,
    unit: 'mg',
    system: 'http://unitsofmeasure.org',
    code: 'mg',
  });
  assert.deepEqual(di.timing?.repeat, {
    frequency: 1,
    period: 12,
    periodUnit: 'h',
    duration: 2,
    durationUnit: 'h',
    boundsPeriod: { start: '2026-11-11T20:00:00+01:00' },
  });
  assert.equal(di.route?.coding?.[0].code, '47625008');
  assert.equal(order.requester?.display, 'Dr dr.signer');
  const prov = await read<Provenance>(resources[2]);
  assert.deepEqual(
    prov.target.map((x) => x.reference),
    [resources[0], resources[1]],
  );
  assert.equal(prov.agent[0].who.display, 'Dr dr.signer');
  assert.equal(prov.agent[0].who.identifier?.value, 'dr.signer');
  // Once only.
  const again = await call(pres.auth, 'POST', `/api/requests/${rq.id}/fhir-write-back`, {});
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.issues[0].message, /already written back: DiagnosticReport\//);
});
