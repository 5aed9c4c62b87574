// SMART App Launch 2.x against a real authorization server (oidc-provider playing the EHR: PKCE
// required, SMART v2 scopes on the FHIR server as a resource, a clinician who signs in and
// consents) and a real FHIR server (Medplum's router) that accepts only the tokens the EHR issued
// and serves `.well-known/smart-configuration`: an EHR launch opens dosetwin on the patient in
// context (created from the FHIR Patient, linked), whose record is then imported with the granted
// token (every FHIR request carries it; no dosetwin response does); a standalone launch gives the
// patient the EHR picks; an EHR not registered, a state not under way, and no dosetwin session are
// refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { startTestEhr, type TestEhr } from './smart/smart-test-ehr.ts';
import { caller, REAUTH, testApp, type TestApp, type TestUser, userWithToken } from './test-support.ts';

const fixture = (name: string): Bundle =>
  JSON.parse(
    readFileSync(new URL(`../../models/src/fhir/fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Bundle;
const REDIRECT = 'https://dosetwin.test/smart/callback';

let fhir: FhirTestServer;
let ehr: TestEhr;
let t: TestApp;
let pres: TestUser;
const granted = new Set<string>();
before(async () => {
  const options: Parameters<typeof startFhirServer>[0] = {
    seed: [fixture('vancomycin-icu'), fixture('tacrolimus-kidney')],
  };
  fhir = await startFhirServer(options);
  ehr = await startTestEhr({
    fhirBase: fhir.url,
    redirectUri: REDIRECT,
    launches: { 'launch-42': 'vanco-icu-1' },
    standalonePatient: 'tacro-ktx-1',
  });
  options.smartConfiguration = ehr.smartConfiguration;
  options.requireToken = async (token) => (await ehr.verify(token)) !== null;
  t = await testApp('sqlite', {
    smart: { clientId: 'dosetwin', redirectUri: REDIRECT, servers: [fhir.url] },
  });
  pres = await userWithToken(t.app, 'prescriber', 'icu');
});
after(async () => {
  await t?.close();
  await ehr?.close();
  await fhir?.close();
});

/** The clinician's browser at the EHR: follow its redirects (with its cookies) back to dosetwin's callback. */
async function authorize(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = url;
  for (let i = 0; i < 12; i++) {
    const r = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const k = kv.slice(0, kv.indexOf('='));
      jar.set(k, kv.slice(kv.indexOf('=') + 1));
    }
    const loc = r.headers.get('location');
    if (!loc) throw new Error(`${r.status} at ${next}: ${await r.text()}`);
    next = new URL(loc, next).href;
    if (next.startsWith(REDIRECT)) return new URL(next);
  }
  throw new Error('too many redirects');
}

async function launch(query: string): Promise<{ location: string; body: string }> {
  const start = await t.app.inject({
    method: 'GET',
    url: `/smart/launch?${query}`,
    headers: { authorization: pres.auth },
  });
  assert.equal(start.statusCode, 302, start.body);
  const to = new URL(String(start.headers.location));
  assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(to.searchParams.get('aud'), fhir.url);
  assert.match(to.searchParams.get('scope')!, /patient\/Observation\.rs\?category=laboratory/);
  const back = await authorize(to.href);
  const cb = await t.app.inject({
    method: 'GET',
    url: `/smart/callback${back.search}`,
    headers: { authorization: pres.auth },
  });
  assert.equal(cb.statusCode, 302, cb.body);
  granted.add(back.searchParams.get('code')!);
  return { location: String(cb.headers.location), body: cb.body + JSON.stringify(cb.headers) };
}

test('EHR launch: the app opens on the patient in context (created from the FHIR Patient, linked); the record is imported with the granted token, which no response carries', async () => {
  const { location, body } = await launch(`iss=${encodeURIComponent(fhir.url)}&launch=launch-42`);
  const m = /^\/#\/patients\/([\w-]+)$/.exec(location);
  assert.ok(m, location);
  const { ok } = caller(t.app);
  const rec = (await ok(pres.auth, 'GET', `/api/patients/${m[1]}?identity=true`)).json();
  assert.equal(rec.identity.familyName, 'Martin');
  assert.equal(rec.identity.hospitalNumber, 'ICU-20261110-01');
  const before = fhir.log.length;
  const r = await ok(pres.auth, 'POST', `/api/patients/${m[1]}/fhir-import`, { drug: 'vancomycin' });
  const entries = r.json().entries as { outcome: string }[];
  assert.equal(entries.length, 11);
  assert.deepEqual([...new Set(entries.map((e) => e.outcome))], ['created']);
  const asked = fhir.log.slice(before);
  assert.ok(asked.length >= 3);
  const tokens = new Set(asked.map((x) => x.authorization));
  assert.equal(tokens.size, 1);
  const token = [...tokens][0]!.slice(7);
  assert.notEqual(await ehr.verify(token), null);
  assert.ok(!body.includes(token) && !r.body.includes(token), 'the token never leaves the service');
  // Launched again: the same patient.
  const again = await launch(`iss=${encodeURIComponent(fhir.url)}&launch=launch-42`);
  assert.equal(again.location, location);
});

test('the launched patient, analysed and signed: the decision written back with the granted token (no FHIR server configured otherwise): DiagnosticReport with the PDF, MedicationRequest, Provenance', async () => {
  const { ok, call } = caller(t.app);
  const id = (await launch(`iss=${encodeURIComponent(fhir.url)}&launch=launch-42`)).location
    .split('/')
    .pop()!;
  const analyst = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
  const signer = await userWithToken(t.app, 'pharmacologist', 'pharmacology');
  const rq = (
    await ok(pres.auth, 'POST', '/api/requests', { patientId: id, drug: 'vancomycin', question: '' })
  ).json();
  const a = (await ok(analyst.auth, 'POST', `/api/requests/${rq.id}/analyses`, {})).json();
  const sign = (acknowledge: string[]) =>
    call(signer.auth, 'POST', `/api/analyses/${a.id}/validations`, {
      ...REAUTH,
      decision: 'accept',
      comment: '',
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
  const before = fhir.log.length;
  const wb = await ok(pres.auth, 'POST', `/api/requests/${rq.id}/fhir-write-back`, {});
  const resources = wb.json().resources as string[];
  assert.deepEqual(
    resources.map((r) => r.split('/')[0]),
    ['DiagnosticReport', 'MedicationRequest', 'Provenance'],
  );
  const asked = fhir.log.slice(before);
  assert.ok(asked.some((x) => x.method === 'POST'));
  for (const x of asked) assert.notEqual(await ehr.verify(x.authorization!.slice(7)), null);
});

test('standalone launch: the patient the EHR picks (the tacrolimus patient) is opened', async () => {
  const { location } = await launch(`iss=${encodeURIComponent(fhir.url)}`);
  const id = location.split('/').pop()!;
  const rec = (await caller(t.app).ok(pres.auth, 'GET', `/api/patients/${id}?identity=true`)).json();
  assert.equal(rec.identity.familyName, 'Durand');
});

test('refused: an EHR dosetwin is not registered with, a state not under way, no dosetwin session', async () => {
  const { call } = caller(t.app);
  const other = await call(
    pres.auth,
    'GET',
    `/smart/launch?iss=${encodeURIComponent('https://other.example/fhir')}`,
  );
  assert.equal(other.statusCode, 422);
  assert.equal(other.json().error.issues[0].code, 'DT_SMART');
  const stale = await call(pres.auth, 'GET', '/smart/callback?code=x&state=not-a-launch');
  assert.equal(stale.statusCode, 422);
  assert.equal(stale.json().error.issues[0].field, 'state');
  const anonymous = await t.app.inject({
    method: 'GET',
    url: `/smart/launch?iss=${encodeURIComponent(fhir.url)}`,
  });
  assert.equal(anonymous.statusCode, 401);
});
