// The covariate form and the timeline write what the register says: every entry offered, labels
// in the UI language, coded values with their meaning (SEX 0 = male, 1 = female).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COVARIATE_REGISTER } from '@dosetwin/models';
import { codeLabel, COVARIATES, covariateLabel, covariateOf, covariateValue } from './covariate-labels.ts';

test('every register entry is offered, including those the models added (ECMO, LIVING, PRED_DOSE, CSA_DOSE, PNA, GA)', () => {
  assert.deepEqual(
    COVARIATES.map((c) => c.name),
    Object.keys(COVARIATE_REGISTER),
  );
  for (const n of ['ECMO', 'LIVING', 'PRED_DOSE', 'CSA_DOSE', 'PNA', 'GA'])
    assert.ok(covariateOf(n), `${n} offered`);
  assert.equal(covariateOf('WEIGHT'), null);
});

test('labels in the UI language; codes with their meaning; values with their unit', () => {
  assert.equal(covariateLabel('WT', 'en'), 'WT — Body weight');
  assert.equal(covariateLabel('WT', 'fr'), 'WT — Poids');
  const sex = covariateOf('SEX')!.codes!;
  assert.deepEqual(
    sex.map((c) => codeLabel(c, 'en')),
    ['0 = male', '1 = female'],
  );
  assert.deepEqual(
    sex.map((c) => codeLabel(c, 'fr')),
    ['0 = homme', '1 = femme'],
  );
  assert.equal(covariateValue({ name: 'SEX', value: 1, unit: '-' }, 'fr'), '1 (femme)');
  assert.equal(covariateValue({ name: 'ECMO', value: 1, unit: '-' }, 'en'), '1 (on ECMO)');
  assert.equal(covariateValue({ name: 'SCR', value: 95, unit: 'umol/L' }, 'en'), '95 µmol/L');
  assert.equal(covariateValue({ name: 'WT', value: 2.15, unit: 'kg' }, 'fr'), '2,15 kg');
  // A unitless value without codes keeps the language's decimal mark too.
  assert.equal(covariateValue({ name: 'RATIO', value: 0.35, unit: '-' }, 'fr'), '0,35');
  assert.equal(covariateValue({ name: 'RATIO', value: 0.35, unit: '-' }, 'en'), '0.35');
});
