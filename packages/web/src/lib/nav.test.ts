// Hash routes: a path of the route table matches a hash exactly, its `:name` parts are the parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchPath } from './nav.ts';

test('matchPath: literal parts must be equal, :params are read, lengths must agree', () => {
  assert.deepEqual(matchPath('requests/:id', '#/requests/r1'), { id: 'r1' });
  assert.deepEqual(matchPath('requests', '#/requests'), {});
  assert.deepEqual(matchPath('requests', '#/requests/'), {});
  assert.equal(matchPath('requests', '#/requests/r1'), null);
  assert.equal(matchPath('requests/:id', '#/requests'), null);
  assert.equal(matchPath('patients/:id', '#/requests/r1'), null);
  assert.deepEqual(matchPath('', '#/'), {});
  assert.deepEqual(matchPath('', ''), {});
  assert.equal(matchPath('', '#/analyses/a1'), null);
  assert.deepEqual(matchPath('analyses/:id', '#/analyses/a%201'), { id: 'a 1' });
});
