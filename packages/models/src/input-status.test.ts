// What a record still lacks for a library model or a drug's models: recorded, covered by a
// measured derived covariate, optional (model default) or missing; checked on real library models.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patientInputs } from './covariate-register.ts';
import { drugInputStatus, inputStatus } from './input-status.ts';
import { getModel, modelsForDrug } from './registry.ts';

const names = (...n: string[]): { name: string }[] => n.map((name) => ({ name }));
const states = (s: { name: string; state: string }[]): Record<string, string> =>
  Object.fromEntries(s.map((x) => [x.name, x.state]));

test('goti2018: nothing recorded → every input missing; WT and SCR recorded → AGE, SEX, DIAL missing', () => {
  const needs = patientInputs(getModel('vancomycin/goti2018'));
  assert.deepEqual(states(inputStatus(needs, [])), {
    WT: 'missing',
    SCR: 'missing',
    AGE: 'missing',
    SEX: 'missing',
    DIAL: 'missing',
  });
  assert.deepEqual(states(inputStatus(needs, names('WT', 'SCR'))), {
    WT: 'recorded',
    SCR: 'recorded',
    AGE: 'missing',
    SEX: 'missing',
    DIAL: 'missing',
  });
});

test('a measured CRCL covers the Cockcroft-Gault inputs that feed only CRCL (WT still feeds WT)', () => {
  const needs = patientInputs(getModel('vancomycin/goti2018'));
  assert.deepEqual(states(inputStatus(needs, names('CRCL', 'DIAL'))), {
    WT: 'missing',
    SCR: 'covered',
    AGE: 'covered',
    SEX: 'covered',
    DIAL: 'recorded',
  });
});

test('andrews2017: CYP3A5 and ASSAY have model defaults → optional, never missing', () => {
  const s = states(inputStatus(patientInputs(getModel('tacrolimus/andrews2017')), names('WT')));
  assert.equal(s.CYP3A5, 'optional');
  assert.equal(s.ASSAY, 'optional');
  assert.equal(s.LIVING, 'missing');
  assert.equal(s.WT, 'recorded');
});

test('vancomycin models for an adult without GA: GA missing for colin2019 only, each input listed once', () => {
  const models = modelsForDrug('vancomycin').map((m) => ({ id: m.id, inputs: patientInputs(m) }));
  const s = drugInputStatus(models, names('WT', 'AGE', 'SCR', 'SEX', 'DIAL'));
  assert.deepEqual(
    s.map((x) => x.name),
    [...new Set(s.map((x) => x.name))],
  );
  const ga = s.find((x) => x.name === 'GA')!;
  assert.equal(ga.state, 'missing');
  assert.deepEqual(ga.models, [{ id: 'vancomycin/colin2019', state: 'missing' }]);
  const wt = s.find((x) => x.name === 'WT')!;
  assert.equal(wt.state, 'recorded');
  assert.equal(wt.models.length, models.length);
  assert.deepEqual(
    s.filter((x) => x.state !== 'recorded').map((x) => x.name),
    ['GA'],
  );
});

test('the worst state wins over the models: missing for one model is missing', () => {
  const s = drugInputStatus(
    [
      { id: 'a', inputs: [{ name: 'X', required: false, usedFor: ['X'] }] },
      { id: 'b', inputs: [{ name: 'X', required: true, usedFor: ['Y'] }] },
      { id: 'c', inputs: [{ name: 'X', required: true, usedFor: ['Z'] }] },
    ],
    names('Z'),
  );
  assert.deepEqual(s, [
    {
      name: 'X',
      state: 'missing',
      models: [
        { id: 'a', state: 'optional' },
        { id: 'b', state: 'missing' },
        { id: 'c', state: 'covered' },
      ],
    },
  ]);
});
