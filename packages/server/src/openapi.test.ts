// The wire contract: the OpenAPI document gives every API route a response schema for each status
// it returns (success and errors, each status provoked here through the API and checked against the
// document), camelCase fields, the analysis as stored (nothing dropped by its schema), the one
// regimen shape retained by a validation (also read from validations stored in the older shapes),
// and computed numbers that could not be computed sent as null.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Value } from 'typebox/value';
import {
  Analysis,
  ErrorBody,
  PatientRecord,
  Regimen,
  RequestDetail,
  type User,
  Validation,
} from './contract/index.ts';
import type { Database } from './db/schema.ts';
import { analysisOut } from './services/analyses.ts';
import { testApp, userWithToken, type TestApp, REAUTH } from './test-support.ts';
import { startFhirServer, type FhirTestServer } from './fhir/fhir-test-server.ts';
import { readFileSync } from 'node:fs';
import { simulatedHospital } from '@dosetwin/models';
import { totpCode } from './totp.ts';

interface OpenApiOperation {
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema?: { $ref?: string } }> }
  >;
}

describe('wire contract and OpenAPI', () => {
  let t: TestApp;
  let auth: Record<'admin' | 'presc' | 'pharm' | 'other' | 'self' | 'second', string>;
  /** Statuses seen per route (`METHOD /api/pattern/:id`), and the 2xx JSON bodies. */
  const seen = new Map<string, Set<number>>();
  const bodies: { route: string; body: unknown }[] = [];
  let patient: string;
  let request: string;
  let analysis: string;
  let pharmId: string;
  let fhir: FhirTestServer;

  before(async () => {
    // A FHIR server holding the amikacin and vancomycin patients, for the import and write-back routes.
    const fixture = (name: string) =>
      JSON.parse(
        readFileSync(new URL(`../../models/src/fhir/fixtures/${name}.json`, import.meta.url), 'utf8'),
      );
    fhir = await startFhirServer({ seed: [fixture('amikacin-first-dose'), fixture('vancomycin-icu')] });
    t = await testApp('sqlite', { loginAttempts: 3, fhir: { baseUrl: fhir.url } });
    auth = {
      admin: (await userWithToken(t.app, 'admin', 'pharmacology', 'c-admin')).auth,
      presc: (await userWithToken(t.app, 'prescriber', 'icu', 'c-presc')).auth,
      pharm: '',
      other: (await userWithToken(t.app, 'prescriber', 'cardiology', 'c-other')).auth,
      self: '',
      second: (await userWithToken(t.app, 'pharmacologist', 'pharmacology', 'c-second')).auth,
    };
    const pharm = await userWithToken(t.app, 'pharmacologist', 'pharmacology', 'c-pharm');
    auth.pharm = pharm.auth;
    pharmId = pharm.id;
  });
  after(async () => {
    await t?.close();
    await fhir?.close();
  });

  /** One call to the route `route` ('POST /api/patients/:id/samples') at `url`, recorded. */
  const hit = async (
    route: string,
    url: string,
    o: { as?: keyof typeof auth | null; body?: unknown; raw?: string; type?: string } = {},
  ) => {
    const method = route.split(' ')[0] as 'GET' | 'POST' | 'PATCH';
    const headers: Record<string, string> = {};
    if (o.as !== null) headers.authorization = auth[o.as ?? 'pharm'];
    if (o.type) headers['content-type'] = o.type;
    const res = await t.app.inject({
      method,
      url,
      headers,
      ...(o.raw !== undefined
        ? { payload: o.raw }
        : o.body !== undefined
          ? { payload: o.body as object }
          : {}),
    });
    if (!seen.has(route)) seen.set(route, new Set());
    seen.get(route)!.add(res.statusCode);
    const json = res.headers['content-type']?.toString().startsWith('application/json');
    if (json && res.statusCode < 300) bodies.push({ route, body: res.json() });
    if (res.statusCode >= 400) assert.ok(Value.Check(ErrorBody, res.json()), `${route}: ${res.body}`);
    return res;
  };
  // Fixed clinical times, so that a record sent twice is the same record (409).
  const now = Date.now();
  const at = (h: number) => new Date(now - h * 3_600_000).toISOString();

  test('every status each route returns is in the OpenAPI document, with a schema', async () => {
    // Service and accounts.
    await hit('GET /api/health', '/api/health', { as: null });
    const login = 'POST /api/auth/login';
    assert.equal(
      (await hit(login, '/api/auth/login', { as: null, body: { username: 'c-admin' } })).statusCode,
      400,
    );
    await hit(login, '/api/auth/login', {
      as: null,
      raw: 'username=x',
      type: 'application/x-www-form-urlencoded',
    });
    await hit(login, '/api/auth/login', {
      as: null,
      raw: JSON.stringify({ username: 'x'.repeat(2 << 20) }),
      type: 'application/json',
    });
    for (let k = 0; k < 4; k++)
      await hit(login, '/api/auth/login', {
        as: null,
        body: { username: 'c-other', password: 'wrong password' },
      });
    const session = await hit(login, '/api/auth/login', {
      as: null,
      body: { username: 'c-presc', password: 'correct horse battery' },
    });
    assert.equal(session.statusCode, 200, session.body);
    const logout = 'POST /api/auth/logout';
    await hit(logout, '/api/auth/logout', { as: null });
    await hit(logout, '/api/auth/logout', { raw: '{', type: 'application/json' });
    await hit(logout, '/api/auth/logout', { raw: 'x', type: 'text/csv' });
    const extra = await userWithToken(t.app, 'pharmacologist', 'pharmacology', 'c-leaving');
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/logout',
          headers: { authorization: extra.auth },
        })
      ).statusCode,
      200,
    );
    seen.get(logout)!.add(200);
    await hit('GET /api/auth/me', '/api/auth/me');
    await hit('GET /api/auth/me', '/api/auth/me', { as: null });
    await hit('GET /api/users', '/api/users', { as: 'admin' });
    await hit('GET /api/users', '/api/users', { as: 'presc' });
    const newUser = {
      username: 'c-new',
      displayName: 'Dr New',
      password: 'a long enough password',
      role: 'prescriber',
      service: 'icu',
    };
    const created = await hit('POST /api/users', '/api/users', { as: 'admin', body: newUser });
    await hit('POST /api/users', '/api/users', { as: 'admin', body: newUser });
    await hit('POST /api/users', '/api/users', { as: 'admin', body: { ...newUser, username: 'X' } });
    const uid = created.json().id as string;
    await hit('PATCH /api/users/:id', `/api/users/${uid}`, { as: 'admin', body: { service: 'nephrology' } });
    await hit('PATCH /api/users/:id', '/api/users/nobody', { as: 'admin', body: { active: false } });
    await hit('PATCH /api/users/:id', `/api/users/${uid}`, { as: 'admin', body: {} });
    // One's own account: password, second factor, sessions (a user of its own: others keep theirs).
    const self = await userWithToken(t.app, 'prescriber', 'icu', 'c-self');
    auth.self = self.auth;
    const pw = 'POST /api/auth/password';
    const newPassword = 'another long passphrase';
    await hit(pw, '/api/auth/password', {
      as: 'self',
      body: { current: 'wrong password!', password: newPassword },
    });
    await hit(pw, '/api/auth/password', { as: 'self', body: { current: self.password, password: 'short' } });
    await hit(pw, '/api/auth/password', {
      as: 'self',
      body: { current: self.password, password: 'password123456' },
    });
    const changed = await hit(pw, '/api/auth/password', {
      as: 'self',
      body: { current: self.password, password: newPassword },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const enrol = await hit('POST /api/auth/totp', '/api/auth/totp', { as: 'self', body: {} });
    const secret = enrol.json().secret as string;
    const code = await totpCode(secret);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await hit('POST /api/auth/totp/confirm', '/api/auth/totp/confirm', { as: 'self', body: { code: wrong } });
    await hit('POST /api/auth/totp/confirm', '/api/auth/totp/confirm', { as: 'self', body: { code } });
    await hit('POST /api/auth/totp/confirm', '/api/auth/totp/confirm', { as: 'self', body: { code } });
    await hit('POST /api/auth/totp', '/api/auth/totp', { as: 'self', body: {} });
    await hit('DELETE /api/auth/sessions/:id', '/api/auth/sessions/nobody', { as: 'self' });
    const sessions = await hit('GET /api/auth/sessions', '/api/auth/sessions', { as: 'self' });
    const current = (sessions.json() as { id: string; current: boolean }[]).find((x) => x.current)!;
    await hit('DELETE /api/auth/sessions/:id', `/api/auth/sessions/${current.id}`, { as: 'self' });
    const reset = 'POST /api/users/:id/password-reset';
    assert.equal((await hit(reset, `/api/users/${uid}/password-reset`, { as: 'admin' })).statusCode, 200);
    await hit(reset, '/api/users/nobody/password-reset', { as: 'admin' });
    const admins = (await hit('GET /api/users', '/api/users', { as: 'admin' })).json() as User[];
    const onlyAdmin = admins.find((u) => u.username === 'c-admin')!;
    await hit('PATCH /api/users/:id', `/api/users/${onlyAdmin.id}`, { as: 'admin', body: { active: false } });
    await hit('POST /api/users', '/api/users', {
      as: 'admin',
      body: { ...newUser, username: 'c-weak', password: 'qwerty123456' },
    });
    // The audit trail is the auditor's.
    const auditor = (await userWithToken(t.app, 'auditor', 'quality', 'c-auditor')).auth;
    for (const [route, url, who, status] of [
      ['GET /api/audit', '/api/audit?limit=5', auditor, 200],
      ['GET /api/audit', '/api/audit?limit=many', auditor, 400],
      ['GET /api/audit', '/api/audit?limit=501', auditor, 422],
      ['GET /api/audit', '/api/audit', auth.admin, 403],
      ['GET /api/audit/integrity', '/api/audit/integrity', auditor, 200],
      ['GET /api/audit/integrity', '/api/audit/integrity', auth.pharm, 403],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: who } });
      assert.equal(res.statusCode, status, `${url}: ${res.body}`);
      if (!seen.has(route)) seen.set(route, new Set());
      seen.get(route)!.add(res.statusCode);
      if (status === 200) bodies.push({ route, body: res.json() });
    }
    await hit('GET /api/models', '/api/models');
    await hit('GET /api/issues', '/api/issues');

    // Patients and records.
    const identity = {
      familyName: 'Durand',
      givenName: 'Paul',
      birthDate: '1968-04-02',
      hospitalNumber: 'C-1',
    };
    const p = await hit('POST /api/patients', '/api/patients', {
      as: 'presc',
      body: { identity, sex: 'male' },
    });
    assert.equal(p.statusCode, 201, p.body);
    patient = p.json().id;
    await hit('POST /api/patients', '/api/patients', { as: 'presc', body: { identity, sex: 'male' } });
    await hit('POST /api/patients', '/api/patients', {
      as: 'presc',
      body: { identity: { ...identity, hospitalNumber: 'C-2', birthDate: '2999-01-01' }, sex: 'male' },
    });
    await hit('POST /api/patients', '/api/patients', { as: 'admin', body: { identity, sex: 'male' } });
    await hit('GET /api/patients', '/api/patients', { as: 'presc' });
    await hit('GET /api/patients', '/api/patients', { as: 'admin' });
    await hit('GET /api/patients/search', '/api/patients/search?q=C-1', { as: 'presc' });
    await hit('GET /api/patients/search', '/api/patients/search?q=a', { as: 'presc' });
    await hit('GET /api/patients/search', '/api/patients/search?q=C-1', { as: 'admin' });
    const cov = `/api/patients/${patient}/covariates`;
    for (const [name, value, unit] of [
      ['WT', 82, 'kg'],
      ['AGE', 58, 'y'],
      ['SCR', 95, 'µmol/L'],
      ['SEX', 0, '-'],
      ['DIAL', 0, '-'],
    ] as const)
      assert.equal(
        (await hit('POST /api/patients/:id/covariates', cov, { body: { at: at(40), name, value, unit } }))
          .statusCode,
        201,
      );
    await hit('POST /api/patients/:id/covariates', cov, {
      body: { at: at(40), name: 'WT', value: 82, unit: 'kg' },
    });
    await hit('POST /api/patients/:id/covariates', cov, {
      body: { at: at(39), name: 'WT', value: 82, unit: 'mL' },
    });
    await hit('POST /api/patients/:id/covariates', '/api/patients/nobody/covariates', {
      body: { at: at(39), name: 'WT', value: 82, unit: 'kg' },
    });
    await hit('POST /api/patients/:id/covariates', cov, { body: { at: at(39), name: 'WT' } });
    const adm = `/api/patients/${patient}/administrations`;
    const dose = (h: number) => ({
      at: at(h),
      amount: 1,
      unit: 'g',
      route: 'infusion',
      duration: { value: 60, unit: 'min' },
      product: 'vial 1 g',
    });
    for (const h of [36, 24, 12])
      assert.equal(
        (await hit('POST /api/patients/:id/administrations', adm, { body: dose(h) })).statusCode,
        201,
      );
    await hit('POST /api/patients/:id/administrations', adm, { body: dose(12) });
    await hit('POST /api/patients/:id/administrations', adm, { body: { ...dose(11), unit: 'mg/L' } });
    await hit('POST /api/patients/:id/administrations', '/api/patients/nobody/administrations', {
      body: dose(11),
    });
    await hit('POST /api/patients/:id/administrations', adm, { body: { ...dose(11), route: 'iv' } });
    const smp = `/api/patients/${patient}/samples`;
    const sample = { at: at(13), value: 18.5, unit: 'mg/L', matrix: 'plasma', assay: 'IA', lloq: 2 };
    assert.equal((await hit('POST /api/patients/:id/samples', smp, { body: sample })).statusCode, 201);
    await hit('POST /api/patients/:id/samples', smp, { body: sample });
    await hit('POST /api/patients/:id/samples', smp, { body: { ...sample, at: at(14), value: -1 } });
    await hit('POST /api/patients/:id/samples', '/api/patients/nobody/samples', { body: sample });
    await hit('POST /api/patients/:id/samples', smp, { body: { ...sample, lloq: 'two' } });
    const rec = await hit('GET /api/patients/:id', `/api/patients/${patient}?identity=true`, { as: 'presc' });
    assert.deepEqual(rec.json().identity, identity);
    assert.equal(rec.json().administrations[0].duration.unit, 'min');
    assert.ok(Value.Check(PatientRecord, rec.json()));
    await hit('GET /api/patients/:id', `/api/patients/${patient}`, { as: 'other' });
    await hit('GET /api/patients/:id', '/api/patients/nobody', { as: 'presc' });
    await hit('GET /api/patients/:id', `/api/patients/${patient}?identity=maybe`, { as: 'presc' });
    const ex = await hit('GET /api/patients/:id/export', `/api/patients/${patient}/export`);
    assert.ok(!JSON.stringify(ex.json()).includes('Durand'));
    assert.deepEqual(Object.keys(ex.json().administrations[0]).sort(), [
      'amount',
      'duration',
      'route',
      'time',
      'unit',
    ]);
    await hit('GET /api/patients/:id/export', '/api/patients/nobody/export');
    await hit('GET /api/patients/:id/export', `/api/patients/${patient}/export`, { as: 'presc' });

    // Corrections: amended, entered in error, refused (unknown record, bad values, a second mark, bad body).
    const records = rec.json() as PatientRecord;
    const corr = (kind: string, id: string) => `/api/patients/${patient}/${kind}/${id}/corrections`;
    const admRoute = 'POST /api/patients/:id/administrations/:recordId/corrections';
    const firstDose = records.administrations[0];
    assert.equal(
      (
        await hit(admRoute, corr('administrations', firstDose.id), {
          as: 'presc',
          body: {
            action: 'amend',
            reason: 'product name',
            value: { ...dose(36), product: 'vial 1 g (generic)' },
          },
        })
      ).statusCode,
      201,
    );
    await hit(admRoute, corr('administrations', firstDose.id), {
      body: { action: 'amend', reason: 'time', value: dose(24) },
    });
    await hit(admRoute, corr('administrations', 'nobody'), {
      body: { action: 'entered-in-error', reason: 'x' },
    });
    await hit(admRoute, corr('administrations', firstDose.id), {
      body: { action: 'amend', reason: 'unit', value: { ...dose(36), unit: 'mg/L' } },
    });
    await hit(admRoute, corr('administrations', firstDose.id), { body: { action: 'remove', reason: 'x' } });
    const smpRoute = 'POST /api/patients/:id/samples/:recordId/corrections';
    const extraLevel = (
      await hit('POST /api/patients/:id/samples', smp, { body: { ...sample, at: at(30) } })
    ).json();
    for (let k = 0; k < 2; k++)
      await hit(smpRoute, corr('samples', extraLevel.id), {
        body: { action: 'entered-in-error', reason: 'drawn from the infusion line' },
      });
    await hit(smpRoute, corr('samples', records.samples[0].id), {
      body: { action: 'amend', reason: 'x', value: { ...sample, value: -1 } },
    });
    await hit(smpRoute, corr('samples', 'nobody'), { body: { action: 'entered-in-error', reason: 'x' } });
    await hit(smpRoute, corr('samples', records.samples[0].id), { body: { action: 'amend' } });
    const covRoute = 'POST /api/patients/:id/covariates/:recordId/corrections';
    const extraCov = (
      await hit('POST /api/patients/:id/covariates', cov, {
        body: { at: at(39), name: 'AGE', value: 58, unit: 'y' },
      })
    ).json();
    await hit(covRoute, corr('covariates', extraCov.id), {
      body: { action: 'entered-in-error', reason: 'twice' },
    });
    await hit(covRoute, corr('covariates', extraCov.id), {
      body: { action: 'amend', reason: 'x', value: { at: at(39), name: 'AGE', value: 58, unit: 'mL' } },
    });
    await hit(covRoute, corr('covariates', 'nobody'), { body: { action: 'entered-in-error', reason: 'x' } });
    await hit(covRoute, corr('covariates', extraCov.id), { body: { reason: 'x' } });
    const idRoute = 'POST /api/patients/:id/identity/corrections';
    const idUrl = `/api/patients/${patient}/identity/corrections`;
    for (const hospitalNumber of ['C-9', 'C-1'])
      assert.equal(
        (
          await hit(idRoute, idUrl, {
            as: 'presc',
            body: { action: 'amend', reason: 'checked', value: { ...identity, hospitalNumber } },
          })
        ).statusCode,
        201,
      );
    await hit(idRoute, idUrl, { body: { action: 'amend', reason: 'same', value: identity } });
    await hit(idRoute, '/api/patients/nobody/identity/corrections', {
      body: { action: 'amend', reason: 'x', value: identity },
    });
    await hit(idRoute, idUrl, { body: { action: 'entered-in-error', reason: 'x' } });
    await hit(idRoute, idUrl, { as: 'admin', body: { action: 'amend', reason: 'x', value: identity } });

    // Real dose times: a prescription, adherence records, a pill box's file, their corrections.
    const rxRoute = 'POST /api/patients/:id/prescriptions';
    const rxUrl = `/api/patients/${patient}/prescriptions`;
    const rxBody = {
      start: at(47),
      dose: { value: 1000, unit: 'mg' },
      interval: { value: 12, unit: 'h' },
      route: 'infusion',
      duration: { value: 1, unit: 'h' },
      product: 'vial 1 g',
    };
    const rx = await hit(rxRoute, rxUrl, { as: 'presc', body: rxBody });
    assert.equal(rx.statusCode, 201, rx.body);
    await hit(rxRoute, rxUrl, { body: rxBody });
    await hit(rxRoute, '/api/patients/nobody/prescriptions', { body: rxBody });
    await hit(rxRoute, rxUrl, { body: { ...rxBody, start: at(46), duration: undefined } });
    await hit(rxRoute, rxUrl, { body: { ...rxBody, route: 'rectal' } });
    const adhRoute = 'POST /api/patients/:id/adherence';
    const adhUrl = `/api/patients/${patient}/adherence`;
    const missed = await hit(adhRoute, adhUrl, {
      as: 'presc',
      body: { kind: 'missed', dueAt: at(35), source: 'clinician' },
    });
    assert.equal(missed.statusCode, 201, missed.body);
    await hit(adhRoute, adhUrl, { body: { kind: 'missed', dueAt: at(34), source: 'clinician' } });
    await hit(adhRoute, '/api/patients/nobody/adherence', {
      body: { kind: 'missed', dueAt: at(35), source: 'diary' },
    });
    await hit(adhRoute, adhUrl, { body: { kind: 'missed', source: 'phone' } });
    const boxRoute = 'POST /api/patients/:id/adherence/pillbox';
    const box = await hit(boxRoute, `/api/patients/${patient}/adherence/pillbox`, {
      as: 'presc',
      body: { csv: `opened_at\n${at(23)}\n${at(9)}\n` },
    });
    assert.equal(box.statusCode, 201, box.body);
    await hit(boxRoute, `/api/patients/${patient}/adherence/pillbox`, { body: { csv: 'when\n2026-01-01' } });
    await hit(boxRoute, '/api/patients/nobody/adherence/pillbox', { body: { csv: `opened_at\n${at(23)}` } });
    await hit(boxRoute, `/api/patients/${patient}/adherence/pillbox`, { body: {} });
    const adhCorr = 'POST /api/patients/:id/adherence/:recordId/corrections';
    const adhCorrUrl = `/api/patients/${patient}/adherence/${missed.json().id}/corrections`;
    await hit(adhCorr, adhCorrUrl, {
      body: {
        action: 'amend',
        reason: 'taken late',
        value: { kind: 'late', dueAt: at(35), takenAt: at(33), source: 'clinician' },
      },
    });
    await hit(adhCorr, adhCorrUrl, {
      body: {
        action: 'amend',
        reason: 'x',
        value: { kind: 'late', dueAt: at(35), takenAt: at(36), source: 'clinician' },
      },
    });
    await hit(adhCorr, `/api/patients/${patient}/adherence/nobody/corrections`, {
      body: { action: 'entered-in-error', reason: 'x' },
    });
    await hit(adhCorr, adhCorrUrl, { body: { action: 'entered-in-error', reason: 'x' } });
    await hit(adhCorr, adhCorrUrl, { body: { action: 'entered-in-error', reason: 'again' } });
    await hit(adhCorr, adhCorrUrl, { body: { reason: 'x' } });
    const rxCorr = 'POST /api/patients/:id/prescriptions/:recordId/corrections';
    const rxCorrUrl = `/api/patients/${patient}/prescriptions/${rx.json().id}/corrections`;
    await hit(rxCorr, rxCorrUrl, {
      body: { action: 'amend', reason: 'product', value: { ...rxBody, product: 'vial 1 g (generic)' } },
    });
    await hit(rxCorr, rxCorrUrl, { body: { action: 'entered-in-error', reason: 'records name its doses' } });
    await hit(rxCorr, `/api/patients/${patient}/prescriptions/nobody/corrections`, {
      body: { action: 'entered-in-error', reason: 'x' },
    });
    await hit(rxCorr, rxCorrUrl, {
      body: { action: 'amend', reason: 'x', value: { ...rxBody, dose: { value: 1000, unit: 'mg/L' } } },
    });
    await hit(rxCorr, rxCorrUrl, { body: { action: 'delete', reason: 'x' } });

    // Requests, analyses, validations, reports.
    const newRequest = { patientId: patient, modelId: 'vancomycin/goti2018', question: 'AUC24 400-600?' };
    const rq = await hit('POST /api/requests', '/api/requests', { as: 'presc', body: newRequest });
    request = rq.json().id;
    await hit('POST /api/requests', '/api/requests', {
      as: 'presc',
      body: { ...newRequest, patientId: 'nobody' },
    });
    await hit('POST /api/requests', '/api/requests', {
      as: 'presc',
      body: { ...newRequest, modelId: 'x/y' },
    });
    await hit('POST /api/requests', '/api/requests', { as: 'presc', body: { patientId: patient } });
    await hit('GET /api/requests', '/api/requests?status=submitted', { as: 'presc' });
    await hit('GET /api/requests', '/api/requests?status=done', { as: 'presc' });
    await hit('GET /api/requests/counts', '/api/requests/counts', { as: 'presc' });
    await hit('GET /api/requests/counts', '/api/requests/counts', { as: 'admin' });
    await hit('GET /api/requests/:id', `/api/requests/${request}`, { as: 'presc' });
    await hit('GET /api/requests/:id', '/api/requests/nobody', { as: 'presc' });
    const analyses = `/api/requests/${request}/analyses`;
    await hit('GET /api/requests/:id/report', `/api/requests/${request}/report`);
    const an = await hit('POST /api/requests/:id/analyses', analyses, { body: {} });
    assert.equal(an.statusCode, 201, an.body);
    analysis = an.json().id;
    await hit('POST /api/requests/:id/analyses', analyses, { body: { targets: ['auc24=600..400'] } });
    await hit('POST /api/requests/:id/analyses', analyses, { as: 'presc', body: {} });
    await hit('POST /api/requests/:id/analyses', '/api/requests/nobody/analyses', { body: {} });
    await hit('POST /api/requests/:id/analyses', analyses, { body: { targets: 'auc24' } });
    await hit('GET /api/analyses/:id', `/api/analyses/${analysis}`, { as: 'presc' });
    await hit('GET /api/analyses/:id', '/api/analyses/nobody');
    const validations = `/api/analyses/${analysis}/validations`;
    const regimen: Regimen = {
      dose: { value: 1250, unit: 'mg' },
      interval: { value: 12, unit: 'h' },
      route: 'infusion',
      duration: { value: 150, unit: 'min' },
      start: null,
      loading: { dose: { value: 2.5, unit: 'g' }, duration: { value: 4.5, unit: 'h' } },
    };
    const bad = await hit('POST /api/analyses/:id/validations', validations, {
      body: {
        ...REAUTH,
        decision: 'modify',
        comment: 'x',
        regimen: { ...regimen, interval: { value: 12, unit: 'mg' } },
      },
    });
    assert.equal(bad.json().error.issues[0].field, 'regimen.interval.unit');
    await hit('POST /api/analyses/:id/validations', validations, {
      body: { ...REAUTH, decision: 'maybe', comment: '' },
    });
    await hit('POST /api/analyses/:id/validations', '/api/analyses/nobody/validations', {
      body: { decision: 'reject', comment: 'x' },
    });
    const v = await hit('POST /api/analyses/:id/validations', validations, {
      body: { ...REAUTH, decision: 'modify', comment: 'AUC24 on target', regimen },
    });
    assert.equal(v.statusCode, 201, v.body);
    assert.deepEqual(v.json().regimen, regimen);
    await hit('POST /api/analyses/:id/validations', validations, {
      body: { ...REAUTH, decision: 'reject', comment: 'late' },
    });
    const report = 'GET /api/requests/:id/report';
    const html = await hit(report, `/api/requests/${request}/report`, { as: 'presc' });
    assert.match(
      html.body,
      /Regimen retained: loading dose 2.5 g over 4.5 h, then 1250 mg IV infusion over 150 min every 12 h/,
    );
    const pdf = await hit(report, `/api/requests/${request}/report?format=pdf&identity=true`, {
      as: 'presc',
    });
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    await hit(report, '/api/requests/nobody/report');
    await hit(report, `/api/requests/${request}/report?format=docx`);
    // A rejected request cannot be analysed again.
    const rq2 = await hit('POST /api/requests', '/api/requests', { as: 'presc', body: newRequest });
    const an2 = await hit('POST /api/requests/:id/analyses', `/api/requests/${rq2.json().id}/analyses`, {
      body: {},
    });
    await hit('POST /api/analyses/:id/validations', `/api/analyses/${an2.json().id}/validations`, {
      body: { ...REAUTH, decision: 'reject', comment: 'not now' },
    });
    await hit('POST /api/requests/:id/analyses', `/api/requests/${rq2.json().id}/analyses`, { body: {} });

    // The hospital's FHIR server: which one, and a patient's record imported from it.
    await hit('GET /api/fhir/server', '/api/fhir/server', { as: 'presc' });
    const fhirPatient = await hit('POST /api/patients', '/api/patients', {
      as: 'presc',
      body: { identity: { ...identity, hospitalNumber: 'C-FHIR' }, sex: 'female' },
    });
    const fhirImport = 'POST /api/patients/:id/fhir-import';
    const imported = await hit(fhirImport, `/api/patients/${fhirPatient.json().id}/fhir-import`, {
      as: 'presc',
      body: { drug: 'amikacin', fhirPatientId: 'amik-first-1' },
    });
    assert.equal(imported.statusCode, 200, imported.body);
    await hit(fhirImport, '/api/patients/nobody/fhir-import', { as: 'presc', body: { drug: 'amikacin' } });
    await hit(fhirImport, `/api/patients/${patient}/fhir-import`, {
      as: 'presc',
      body: { drug: 'amikacin', fhirPatientId: 'amik-first-1' },
    });
    await hit(fhirImport, `/api/patients/${patient}/fhir-import`, { as: 'presc', body: { drug: 'aspirin' } });
    await hit(fhirImport, `/api/patients/${patient}/fhir-import`, {
      as: 'presc',
      body: { fhirPatientId: '../x' },
    });
    // The signed decision of the vancomycin request, written back once its patient is linked.
    const writeBack = 'POST /api/requests/:id/fhir-write-back';
    await hit(writeBack, `/api/requests/${request}/fhir-write-back`, { as: 'presc', body: {} });
    await hit(fhirImport, `/api/patients/${patient}/fhir-import`, {
      as: 'presc',
      body: { drug: 'vancomycin', fhirPatientId: 'vanco-icu-1' },
    });
    const written = await hit(writeBack, `/api/requests/${request}/fhir-write-back`, {
      as: 'presc',
      body: {},
    });
    assert.equal(written.statusCode, 200, written.body);
    await hit(writeBack, `/api/requests/${request}/fhir-write-back`, { as: 'presc', body: {} });
    await hit(writeBack, '/api/requests/nobody/fhir-write-back', { as: 'presc', body: {} });
    await hit(writeBack, `/api/requests/${request}/fhir-write-back`, {
      as: 'presc',
      body: { intent: 'order' },
    });

    // Local model versions: 4 simulated vancomycin patients; a version proposed (refused first with
    // too few patients), read, listed, approved by a second pharmacologist, retired.
    const propose = 'POST /api/local-models';
    await hit(propose, '/api/local-models', { body: { modelId: 'vancomycin/nobody' } });
    const hospital = simulatedHospital({ patients: 4, seed: 9, clearanceFactor: 0.7 });
    for (const [i, r] of hospital.entries()) {
      const p = (
        await hit('POST /api/patients', '/api/patients', {
          body: {
            identity: {
              familyName: `LOCAL${i}`,
              givenName: 'Sim',
              birthDate: '1960-01-01',
              hospitalNumber: `LM-${i}`,
            },
            sex: 'male',
            service: r.attributes.WARD,
          },
        })
      ).json();
      for (const c of r.covariates)
        await hit('POST /api/patients/:id/covariates', `/api/patients/${p.id}/covariates`, { body: c });
      for (const a of r.administrations)
        await hit('POST /api/patients/:id/administrations', `/api/patients/${p.id}/administrations`, {
          body: a,
        });
      for (const { lloq: _, ...x } of r.samples)
        await hit('POST /api/patients/:id/samples', `/api/patients/${p.id}/samples`, { body: x });
      if (i === 0) await hit(propose, '/api/local-models', { body: { modelId: 'vancomycin/thomson2009' } });
      await hit('POST /api/requests', '/api/requests', {
        body: { patientId: p.id, modelId: 'vancomycin/thomson2009', question: '' },
      });
    }
    const local = (
      await hit(propose, '/api/local-models', {
        body: { modelId: 'vancomycin/thomson2009', estimate: ['TVCL'] },
      })
    ).json();
    await hit('GET /api/local-models', '/api/local-models?modelId=vancomycin%2Fthomson2009', { as: 'presc' });
    await hit('GET /api/local-models/:id', `/api/local-models/${local.id}`);
    await hit('GET /api/local-models/:id', '/api/local-models/nobody');
    await hit('GET /api/local-models/:id/model', `/api/local-models/${local.id}/model`, { as: 'presc' });
    await hit('GET /api/local-models/:id/model', '/api/local-models/nobody/model');
    const decide = 'POST /api/local-models/:id/decisions';
    await hit(decide, `/api/local-models/${local.id}/decisions`, {
      body: { decision: 'approve', ...REAUTH },
    });
    await hit(decide, `/api/local-models/${local.id}/decisions`, {
      as: 'presc',
      body: { decision: 'approve', ...REAUTH },
    });
    await hit(decide, `/api/local-models/${local.id}/decisions`, {
      as: 'second',
      body: { decision: 'reject', ...REAUTH },
    });
    await hit(decide, '/api/local-models/nobody/decisions', {
      as: 'second',
      body: { decision: 'approve', ...REAUTH },
    });
    const approved = await hit(decide, `/api/local-models/${local.id}/decisions`, {
      as: 'second',
      body: { decision: 'approve', ...REAUTH },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    await hit(decide, `/api/local-models/${local.id}/decisions`, {
      as: 'second',
      body: { decision: 'approve', ...REAUTH },
    });
    const retire = 'POST /api/local-models/:id/retirement';
    await hit(retire, `/api/local-models/${local.id}/retirement`, { body: { note: 'test', ...REAUTH } });
    await hit(retire, `/api/local-models/${local.id}/retirement`, { body: { note: 'test', ...REAUTH } });
    await hit(retire, '/api/local-models/nobody/retirement', { body: { note: 'test', ...REAUTH } });
    await hit(retire, `/api/local-models/${local.id}/retirement`, { body: {} });

    // The document: every API route, each status seen listed with its schema, the success first.
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, OpenApiOperation>> };
    const apiRoutes = t.app.routeList.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    for (const r of apiRoutes) {
      const key = `${r.method} ${r.url}`;
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      assert.ok(op, `${key} is not in the OpenAPI document`);
      const documented = Object.keys(op.responses).map(Number);
      const statuses = seen.get(key);
      assert.ok(statuses, `${key} was not called`);
      for (const s of statuses)
        assert.ok(documented.includes(s), `${key} returned ${s}; documented: ${documented.join(', ')}`);
      const success = documented.filter((s) => s < 300);
      assert.equal(success.length, 1, `${key}: one success status`);
      assert.ok(statuses.has(success[0]), `${key} never answered its success ${success[0]}`);
      for (const [s, res] of Object.entries(op.responses)) {
        assert.notEqual(res.description, 'Default Response', `${key} ${s} has no description`);
        const content = Object.values(res.content ?? {});
        assert.ok(content.length && content.every((c) => c.schema), `${key} ${s} has no schema`);
        if (Number(s) >= 400)
          assert.equal(content[0].schema!.$ref, '#/components/schemas/ErrorBody', `${key} ${s}`);
      }
    }
    assert.ok(apiRoutes.length >= 23, `${apiRoutes.length} routes`);
  });

  test('camelCase on the wire: no database column name in any response', () => {
    assert.ok(bodies.length > 20);
    const walk = (x: unknown, path: string): void => {
      if (Array.isArray(x)) return x.forEach((y, k) => walk(y, `${path}[${k}]`));
      if (!x || typeof x !== 'object') return;
      for (const [k, v] of Object.entries(x)) {
        // Free-form maps: model variable and eta names (the fit's, and the fits with the prescribed
        // and the real dose times), and the audit trail's stored before/after states.
        if (
          path.endsWith('.parameters') ||
          path.endsWith('.shrinkage') ||
          /\.adherence\.(prescribed|real|change)$/.test(path) ||
          k === 'before' ||
          k === 'after'
        )
          continue;
        assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
    };
    for (const b of bodies) walk(b.body, b.route);
  });

  test('the analysis response is the stored analysis, whole: its schema drops nothing', async () => {
    const res = await hit('GET /api/analyses/:id', `/api/analyses/${analysis}`);
    const db = t.app.dt.db.db;
    const a = await db
      .selectFrom('analyses')
      .selectAll()
      .where('id', '=', analysis)
      .executeTakeFirstOrThrow();
    const v = await db
      .selectFrom('validations')
      .selectAll()
      .where('analysis_id', '=', analysis)
      .executeTakeFirst();
    // Beside the stored rows, the signature's verification as the analysis is read.
    const stored = analysisOut(a, v);
    if (stored.validation) {
      assert.equal(res.json().validation.verified.status, 'valid');
      stored.validation.verified = res.json().validation.verified;
    }
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(stored)));
    assert.ok(Value.Check(Analysis, res.json()));
    assert.equal(res.json().fit.kind, 'map');
    assert.ok(res.json().candidates.length > 0);
    const detail = await hit('GET /api/requests/:id', `/api/requests/${request}`, { as: 'presc' });
    assert.ok(Value.Check(RequestDetail, detail.json()));
    assert.equal(detail.json().analyses[0].decision, 'modify');
  });

  test('accept retains the candidate as a regimen from the analysis start; older stored regimens read in the one shape', async () => {
    const db = t.app.dt.db.db;
    const rq = await hit('POST /api/requests', '/api/requests', {
      as: 'presc',
      body: { patientId: patient, modelId: 'vancomycin/goti2018', question: '' },
    });
    const an = (
      await hit('POST /api/requests/:id/analyses', `/api/requests/${rq.json().id}/analyses`, { body: {} })
    ).json();
    const v = await hit('POST /api/analyses/:id/validations', `/api/analyses/${an.id}/validations`, {
      body: { ...REAUTH, decision: 'accept', comment: '', candidate: 1 },
    });
    const r = an.candidates[0].regimen;
    assert.ok(Value.Check(Validation, v.json()));
    assert.deepEqual(v.json().regimen, r);
    assert.equal(r.start, an.inputs.start, 'candidate 1 starts when the analysis says');
    // A candidate as stored before candidates carried the one regimen shape.
    const c = {
      rank: 1,
      dose: r.dose.value,
      doseUnit: r.dose.unit,
      interval: r.interval.value,
      timeUnit: r.interval.unit,
      duration: r.duration.value,
      route: 'infusion',
    };

    // Validations signed before the one regimen shape: the chosen candidate, or a flat regimen.
    const legacy = async (regimenJson: string): Promise<Regimen> => {
      const rq2 = await hit('POST /api/requests', '/api/requests', {
        as: 'presc',
        body: { patientId: patient, modelId: 'vancomycin/goti2018', question: '' },
      });
      const a2 = (
        await hit('POST /api/requests/:id/analyses', `/api/requests/${rq2.json().id}/analyses`, { body: {} })
      ).json();
      const row: Database['validations'] = {
        id: `legacy-${a2.id}`,
        analysis_id: a2.id,
        request_id: rq2.json().id,
        decision: 'modify',
        comment: 'signed with an older version',
        regimen: regimenJson,
        evaluation: null,
        analysis_hash: a2.hash,
        signed_by: pharmId,
        signed_at: new Date().toISOString(),
        signature: 'x'.repeat(64),
      };
      await db.insertInto('validations').values(row).execute();
      const res = await hit('GET /api/analyses/:id', `/api/analyses/${a2.id}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().validation.regimen;
    };
    assert.deepEqual(await legacy(JSON.stringify(c)), {
      dose: { value: c.dose, unit: c.doseUnit },
      interval: { value: c.interval, unit: c.timeUnit },
      route: 'infusion',
      duration: { value: c.duration, unit: c.timeUnit },
      start: null,
      loading: null,
    });
    assert.deepEqual(
      await legacy(
        JSON.stringify({ dose: 5, doseUnit: 'mg', interval: 12, intervalUnit: 'h', route: 'oral' }),
      ),
      {
        dose: { value: 5, unit: 'mg' },
        interval: { value: 12, unit: 'h' },
        route: 'oral',
        duration: null,
        start: null,
        loading: null,
      },
    );
  });

  test('a number the engine could not compute (stored as null) is sent as null, not 0', async () => {
    const db = t.app.dt.db.db;
    const a = await db
      .selectFrom('analyses')
      .selectAll()
      .where('id', '=', analysis)
      .executeTakeFirstOrThrow();
    const candidates = JSON.parse(a.candidates);
    candidates[0].metrics[0].value = null;
    const fit = JSON.parse(a.fit);
    fit.observations[0].predicted = null;
    const copy = {
      ...a,
      id: `${a.id}-nan`,
      version: a.version + 100,
      candidates: JSON.stringify(candidates),
      fit: JSON.stringify(fit),
    };
    await db.insertInto('analyses').values(copy).execute();
    const res = await hit('GET /api/analyses/:id', `/api/analyses/${copy.id}`);
    assert.equal(res.json().candidates[0].metrics[0].value, null);
    assert.equal(res.json().fit.observations[0].predicted, null);
  });
});
