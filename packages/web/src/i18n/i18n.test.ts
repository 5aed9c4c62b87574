// English and French dictionaries: exactly the same keys, no empty text, the same placeholders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from './en.ts';
import { fr } from './fr.ts';
import { translate } from './index.ts';

test('en and fr have exactly the same keys, none empty, with the same {placeholders}', () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  const ph = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(en) as (keyof typeof en)[]) {
    assert.ok(en[k].trim() && fr[k].trim(), k);
    assert.deepEqual(ph(fr[k]), ph(en[k]), k);
  }
});

test('placeholders are filled: recordDoses with n = 5', () => {
  assert.equal(translate('en', 'recordDoses', { n: 5 }), 'Record 5 doses');
  assert.equal(translate('fr', 'recordDoses', { n: 5 }), 'Enregistrer 5 doses');
});
