// GET /api/issues: the issue catalogue of the model library, as it is, for any signed-in user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ISSUE_CATALOGUE, issueInfo } from '@dosetwin/models';
import { Value } from 'typebox/value';
import { IssueCatalogue, type IssueInfo } from './contract/index.ts';
import { testApp, userWithToken, type TestApp } from './test-support.ts';

describe('GET /api/issues', () => {
  let t: TestApp;
  let list: IssueInfo[];
  before(async () => {
    t = await testApp('sqlite');
    const { auth } = await userWithToken(t.app, 'prescriber', 'icu');
    const r = await t.app.inject({ method: 'GET', url: '/api/issues', headers: { authorization: auth } });
    assert.equal(r.statusCode, 200);
    list = r.json() as IssueInfo[];
  });
  after(async () => t?.close());

  test('the whole catalogue, as the library gives it', () => {
    assert.ok(Value.Check(IssueCatalogue, list));
    assert.deepEqual(list, JSON.parse(JSON.stringify(ISSUE_CATALOGUE)));
  });

  test('a code the service raises: a level before every recorded dose', () => {
    const e = list.find((x) => x.code === 'DT_SAMPLE_BEFORE_DOSE')!;
    assert.deepEqual(e, issueInfo('DT_SAMPLE_BEFORE_DOSE'));
    assert.equal(e.severity, 'warning');
    assert.equal(e.area, 'clinical policy');
    assert.deepEqual(e.raisedIn, ['models', 'server']);
    assert.equal(e.title.en, 'Level before the first dose');
    assert.equal(e.title.fr, 'Concentration antérieure à la première dose');
    assert.match(e.meaning.fr, /taux résiduel/);
  });

  test('signed-in users only, like the model library', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/issues' });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error.issues[0].code, 'DT_AUTH_REQUIRED');
  });
});
