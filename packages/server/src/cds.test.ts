// CDS Hooks against a real FHIR R4 server (Medplum's router over its in-memory repository, asking
// for the granted bearer token) holding the synthetic vancomycin patient, with calls signed by a
// registered CDS client (ES384 JWT, jose): order-select with prefetch answers one card whose
// proposal, exposure and PTA are those of the drug-level analysis of the same record
// (runAnalysis), with a suggestion replacing the draft order and a SMART link; without prefetch the
// service fetches the record with the granted token (same card); order-sign after order-select for
// the same record answers the same proposal without analysing again, a changed record is analysed
// (the cache keyed by the analysis's inputs); malformed or unauthenticated
// calls get 400/401/404 naming the problem; an order of another drug gets no card.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { drugFile, importedRecord, importFhir } from '@dosetwin/models';
import type { Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { runAnalysis } from './analysis.ts';
import { CdsAnalysisCache } from './services/cds-cache.ts';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { testApp, type TestApp } from './test-support.ts';

const bundle = JSON.parse(
  readFileSync(new URL('../../models/src/fhir/fixtures/vancomycin-icu.json', import.meta.url), 'utf8'),
) as Bundle;
const BASE = 'https://dosetwin.test';
const ISS = 'https://ehr.test';
const TOKEN = 'granted-token-123';

const draft: MedicationRequest = {
  resourceType: 'MedicationRequest',
  id: 'draft-1',
  status: 'draft',
  intent: 'order',
  subject: { reference: 'Patient/vanco-icu-1' },
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.whocc.no/atc', code: 'J01XA01' }],
    text: 'vancomycin',
  },
  dosageInstruction: [
    { text: '1 g every 12 h', doseAndRate: [{ doseQuantity: { value: 1000, unit: 'mg' } }] },
  ],
};
const aspirin: MedicationRequest = {
  ...draft,
  id: 'draft-2',
  medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'B01AC06' }] },
};

let fhir: FhirTestServer;
let t: TestApp;
let key: CryptoKey;
let otherKey: CryptoKey;
let prefetch: Record<string, unknown>;
const cache = new CdsAnalysisCache(16);

const jwt = (o: { aud?: string; key?: CryptoKey; iss?: string } = {}): Promise<string> =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: 'k1', typ: 'JWT' })
    .setIssuer(o.iss ?? ISS)
    .setAudience(o.aud ?? `${BASE}/cds-services/dosetwin-order-select`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(o.key ?? key);

const hookBody = (o: Record<string, unknown> = {}) => ({
  hook: 'order-select',
  hookInstance: randomUUID(),
  context: {
    userId: 'Practitioner/p1',
    patientId: 'vanco-icu-1',
    selections: ['MedicationRequest/draft-1'],
    draftOrders: { resourceType: 'Bundle', entry: [{ resource: draft }, { resource: aspirin }] },
  },
  prefetch,
  ...o,
});

before(async () => {
  fhir = await startFhirServer({ seed: [bundle], requireToken: (tk) => tk === TOKEN });
  const pair = await generateKeyPair('ES384');
  key = pair.privateKey;
  otherKey = (await generateKeyPair('ES384')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384' };
  t = await testApp('sqlite', {
    cds: {
      baseUrl: BASE,
      launchUrl: `${BASE}/smart/launch`,
      clients: [{ iss: ISS, keys: createLocalJWKSet({ keys: [jwk] }), fhirServers: [fhir.url] }],
      cache,
    },
  });
  // The prefetch as the EHR fills the discovery's templates.
  const get = async (path: string) =>
    (await fetch(`${fhir.url}/${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  prefetch = {
    patient: await get('Patient/vanco-icu-1'),
    observations: await get('Observation?subject=Patient/vanco-icu-1&_count=500'),
    administrations: await get('MedicationAdministration?subject=Patient/vanco-icu-1&_count=500'),
  };
});
after(async () => {
  await t?.close();
  await fhir?.close();
});

const call = async (body: unknown, o: { auth?: string | null; id?: string; lang?: string } = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/cds-services/${o.id ?? 'dosetwin-order-select'}`,
    headers: {
      ...(o.auth === null ? {} : { authorization: `Bearer ${o.auth ?? (await jwt())}` }),
      ...(o.lang ? { 'accept-language': o.lang } : {}),
    },
    payload: body as object,
  });

describe('CDS Hooks', () => {
  test('discovery: order-select and order-sign, each asking for the patient, observations and administrations', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/cds-services' });
    assert.equal(r.statusCode, 200);
    const s = r.json().services as { hook: string; id: string; prefetch: Record<string, string> }[];
    assert.deepEqual(
      s.map((x) => [x.hook, x.id]),
      [
        ['order-select', 'dosetwin-order-select'],
        ['order-sign', 'dosetwin-order-sign'],
      ],
    );
    assert.equal(s[0].prefetch.observations, 'Observation?subject=Patient/{{context.patientId}}&_count=500');
  });

  let withPrefetch: { summary: string; suggestions: { actions: { resource: MedicationRequest }[] }[] };
  test('order-select with prefetch: one card (the vancomycin order; none for aspirin) with the analysis’s first candidate, its exposure and PTA, a suggestion replacing the draft, a SMART link', async () => {
    const r = await call(hookBody());
    assert.equal(r.statusCode, 200, r.body);
    const cards = r.json().cards;
    assert.equal(cards.length, 1);
    const card = cards[0];
    withPrefetch = card;
    const imp = importFhir(bundle, drugFile('vancomycin')!);
    const expected = await runAnalysis({
      kind: 'drug',
      inputs: {
        ...importedRecord('vanco-icu-1', imp),
        drug: 'vancomycin',
        formulation: null,
        targets: [],
        start: null,
      },
    });
    const best = expected.candidates[0];
    const action = card.suggestions[0].actions[0];
    assert.equal(action.type, 'update');
    assert.equal(action.resource.id, 'draft-1');
    assert.equal(action.resource.resourceType, 'MedicationRequest');
    const di = action.resource.dosageInstruction;
    const maintenance = di[di.length - 1];
    assert.deepEqual(maintenance.doseAndRate[0].doseQuantity, {
      value: best.regimen.dose.value,
      unit: best.regimen.dose.unit,
      system: 'http://unitsofmeasure.org',
      code: best.regimen.dose.unit,
    });
    assert.deepEqual(
      [maintenance.timing.repeat.period, maintenance.timing.repeat.periodUnit],
      [best.regimen.interval.value, best.regimen.interval.unit],
    );
    assert.ok(card.detail.includes(`${Math.round(best.pta!.all * 100)} %`), card.detail);
    assert.ok(card.detail.includes('a posteriori: fitted to 2 level(s)'), card.detail);
    assert.match(card.summary, new RegExp(`^dosetwin: ${best.regimen.dose.value} mg`));
    assert.ok(card.summary.length <= 140);
    assert.deepEqual(card.links[0].type, 'smart');
    assert.match(card.detail, /4 element\(s\) of the record not used: .*DT_FHIR_VOLUME_DOSE/);
  });

  test('order-sign after order-select for the same record: the same proposal, not analysed again; a changed record is analysed', async () => {
    const [hits, misses] = [cache.hits, cache.misses];
    const sign = await call(hookBody({ hook: 'order-sign' }), {
      id: 'dosetwin-order-sign',
      auth: await jwt({ aud: `${BASE}/cds-services/dosetwin-order-sign` }),
    });
    assert.equal(sign.statusCode, 200, sign.body);
    const card = sign.json().cards[0];
    assert.equal(card.summary, withPrefetch.summary);
    assert.deepEqual(
      card.suggestions[0].actions[0].resource,
      withPrefetch.suggestions[0].actions[0].resource,
    );
    assert.deepEqual([cache.hits, cache.misses], [hits + 1, misses]);
  });

  test('the cache is keyed by the analysis inputs: the same inputs in another key order are one analysis, a changed level is another', async () => {
    const c = new CdsAnalysisCache(2);
    const imp = importFhir(bundle, drugFile('vancomycin')!);
    const inputs = {
      ...importedRecord('vanco-icu-1', imp),
      drug: 'vancomycin',
      formulation: null,
      targets: [],
      start: null,
    };
    let analysed = 0;
    const analyse = async () => (analysed++, []);
    await c.candidates(inputs, analyse);
    const reordered = Object.fromEntries(Object.entries(inputs).reverse()) as typeof inputs;
    await c.candidates(reordered, analyse);
    assert.equal(analysed, 1);
    // A cache keyed by the patient alone would answer the old proposal here.
    const level = inputs.samples[inputs.samples.length - 1];
    const changed = {
      ...inputs,
      samples: [...inputs.samples.slice(0, -1), { ...level, value: level.value + 1 }],
    };
    await c.candidates(changed, analyse);
    assert.deepEqual([analysed, c.hits, c.misses], [2, 1, 2]);
    // A refusal is not kept: the next call analyses again.
    const refuse = async () => {
      analysed++;
      throw new Error('refused');
    };
    const other = { ...inputs, drug: 'gentamicin' };
    await assert.rejects(c.candidates(other, refuse));
    await assert.rejects(c.candidates(other, refuse));
    assert.equal(analysed, 4);
  });

  test('without prefetch: the record is read from the FHIR server with the granted token, and the card is the same', async () => {
    const before = fhir.log.length;
    const r = await call(
      hookBody({
        prefetch: undefined,
        fhirServer: fhir.url,
        fhirAuthorization: {
          access_token: TOKEN,
          token_type: 'Bearer',
          scope: 'patient/Observation.rs patient/MedicationAdministration.rs patient/Patient.r',
          subject: 'dosetwin',
        },
      }),
    );
    assert.equal(r.statusCode, 200, r.body);
    const asked = fhir.log.slice(before);
    assert.ok(asked.length >= 3);
    assert.ok(asked.every((x) => x.authorization === `Bearer ${TOKEN}`));
    const card = r.json().cards[0];
    assert.equal(card.summary, withPrefetch.summary);
    assert.deepEqual(
      card.suggestions[0].actions[0].resource,
      withPrefetch.suggestions[0].actions[0].resource,
    );
  });

  test('malformed or unauthenticated calls: 400, 401 and 404, each naming the problem', async () => {
    const codeOf = async (r: Awaited<ReturnType<typeof call>>) => [
      r.statusCode,
      r.json().error.issues[0].code,
    ];
    const noPatient = hookBody();
    delete (noPatient.context as Record<string, unknown>).patientId;
    assert.deepEqual(await codeOf(await call(noPatient)), [400, 'DT_REQUEST']);
    assert.deepEqual(await codeOf(await call(hookBody({ hook: 'order-sign' }))), [400, 'DT_CDS_REQUEST']);
    assert.deepEqual(await codeOf(await call(hookBody({ prefetch: undefined }))), [400, 'DT_CDS_REQUEST']);
    const elsewhere = hookBody({
      prefetch: undefined,
      fhirServer: 'http://169.254.169.254/fhir',
      fhirAuthorization: { access_token: 'x', token_type: 'Bearer', scope: 's', subject: 'd' },
    });
    const r = await call(elsewhere);
    assert.deepEqual(await codeOf(r), [400, 'DT_CDS_REQUEST']);
    assert.equal(r.json().error.issues[0].field, 'fhirServer');
    assert.deepEqual(await codeOf(await call(hookBody(), { auth: null })), [401, 'DT_CDS_AUTH']);
    assert.deepEqual(await codeOf(await call(hookBody(), { auth: await jwt({ key: otherKey }) })), [
      401,
      'DT_CDS_AUTH',
    ]);
    assert.deepEqual(
      await codeOf(await call(hookBody(), { auth: await jwt({ aud: `${BASE}/cds-services/elsewhere` }) })),
      [401, 'DT_CDS_AUTH'],
    );
    assert.deepEqual(await codeOf(await call(hookBody(), { auth: await jwt({ iss: 'https://intruder' }) })), [
      401,
      'DT_CDS_AUTH',
    ]);
    assert.deepEqual(await codeOf(await call(hookBody(), { id: 'nothing' })), [404, 'DT_NOT_FOUND']);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/cds-services/dosetwin-order-select',
      headers: { authorization: `Bearer ${await jwt()}`, 'content-type': 'application/json' },
      payload: '{"hook":',
    });
    assert.equal(bad.statusCode, 400);
  });

  test('an order of a drug outside the library: no card', async () => {
    const r = await call(
      hookBody({ context: { ...hookBody().context, selections: ['MedicationRequest/draft-2'] } }),
    );
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().cards, []);
  });
});
