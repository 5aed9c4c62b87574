// GET /api/models: every library model with what a user enters for it (the covariate register's
// patientInputs) and the targets it is used with (its drug file's, with the model's overrides).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listModels, modelPolicy, patientInputs } from '@dosetwin/models';
import type { ModelInfo } from './contract/index.ts';
import { testApp, userWithToken, type TestApp } from './test-support.ts';

describe('GET /api/models', () => {
  let t: TestApp;
  let list: ModelInfo[];
  before(async () => {
    t = await testApp('sqlite');
    const { auth } = await userWithToken(t.app, 'prescriber', 'icu');
    const r = await t.app.inject({ method: 'GET', url: '/api/models', headers: { authorization: auth } });
    assert.equal(r.statusCode, 200);
    list = r.json() as ModelInfo[];
  });
  after(async () => t?.close());

  test('every library model, each with its inputs and its policy targets as the library gives them', () => {
    assert.deepEqual(
      list.map((m) => m.id),
      listModels().map((m) => m.id),
    );
    for (const m of listModels()) {
      const info = list.find((x) => x.id === m.id)!;
      assert.deepEqual(
        info.inputs,
        patientInputs(m).map(({ name, unit, required, usedFor }) => ({ name, unit, required, usedFor })),
        m.id,
      );
      assert.deepEqual(info.targets, modelPolicy(m).targets, m.id);
    }
  });

  test('the models the old form could not serve: their inputs are named (ECMO, LIVING, PRED_DOSE, CSA_DOSE, PNA, GA)', () => {
    const names = (id: string): string[] => list.find((m) => m.id === id)!.inputs.map((i) => i.name);
    assert.deepEqual(names('piperacillin/kim2022'), ['WT', 'CYSC', 'AGE', 'SEX', 'ECMO']);
    assert.ok(names('tacrolimus/andrews2017').includes('LIVING'));
    assert.ok(names('ciclosporin/press2010').includes('PRED_DOSE'));
    assert.ok(names('everolimus/terheine2018').includes('PRED_DOSE'));
    assert.ok(names('mycophenolic-acid/vanhest2005').includes('CSA_DOSE'));
    assert.deepEqual(names('gentamicin/germovsek2016'), ['WT', 'GA', 'PNA', 'SCR']);
    // goti2018: CRCL is derived (Cockcroft-Gault), so its inputs are asked for instead.
    const goti = list.find((m) => m.id === 'vancomycin/goti2018')!;
    assert.deepEqual(
      goti.inputs.map((i) => [i.name, i.unit, i.required, i.usedFor.join('+')]),
      [
        ['WT', 'kg', true, 'WT+CRCL'],
        ['SCR', 'mg/dL', true, 'CRCL'],
        ['AGE', 'y', true, 'CRCL'],
        ['SEX', '-', true, 'CRCL'],
        ['DIAL', '-', true, 'DIAL'],
      ],
    );
    assert.deepEqual(
      goti.targets.map((x) => [x.text, x.source]),
      [['auc24=400..600 mg*h/L', 'drug']],
    );
  });
});
