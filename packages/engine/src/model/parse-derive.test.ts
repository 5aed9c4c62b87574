// The covariates table's `derive` clause (issue 5) and the products block: parsed into the IR,
// existing rows unchanged, malformed rules reported with line and column.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseModel } from './parse.ts';

const HEAD = `model test/derive version 0.0.1\nunits dose mg | time h | conc mg/L\n`;
const BODY = `parameters value unit label\n  CL 3 L/h "cl"\n  V 30 L "v"\nequations\n  pk one_cmt(cl = CL, v = V)\n  CP = central / V\nerror\n  CP ~ prop(0.1)\n`;

describe('covariates: derive clause', () => {
  test('call with unit-annotated arguments, then options with and without units', () => {
    const ir = parseModel(
      `${HEAD}covariates unit valid label handling
  WT    kg      30..200  "total body weight"  required
  CRCL  mL/min  5..150   "Cockcroft-Gault"    derive crcl_cg(SCR mg/dL, AGE, WT, SEX) cap 150 scr_min 1 mg/dL scr_min_age 65 y   # Goti
  BSA   m2      0.5..3   "Du Bois"            derive bsa_dubois(WT kg, HT cm)
${BODY}`,
    );
    const [wt, crcl, bsa] = ir.covariates;
    assert.equal(wt.derive, undefined);
    assert.deepEqual(wt.handling, { kind: 'required' });
    assert.deepEqual(crcl.handling, { kind: 'required' });
    assert.deepEqual(crcl.derive, {
      fn: 'crcl_cg',
      args: [
        { name: 'SCR', unit: 'mg/dL' },
        { name: 'AGE', unit: null },
        { name: 'WT', unit: null },
        { name: 'SEX', unit: null },
      ],
      options: [
        { key: 'cap', value: 150, unit: null },
        { key: 'scr_min', value: 1, unit: 'mg/dL' },
        { key: 'scr_min_age', value: 65, unit: 'y' },
      ],
      text: 'derive crcl_cg(SCR mg/dL, AGE, WT, SEX) cap 150 scr_min 1 mg/dL scr_min_age 65 y',
    });
    assert.deepEqual(bsa.derive?.args, [
      { name: 'WT', unit: 'kg' },
      { name: 'HT', unit: 'cm' },
    ]);
    assert.deepEqual(bsa.derive?.options, []);
  });

  test('a malformed rule is an error at the derive column', () => {
    for (const bad of [
      'derive crcl_cg SCR, AGE',
      'derive crcl_cg(SCR mg/dL extra, AGE)',
      'derive crcl_cg(SCR) cap',
      'derive crcl_cg(SCR) cap high',
    ]) {
      assert.throws(
        () =>
          parseModel(
            `${HEAD}covariates unit valid label handling\n  CRCL mL/min 5..150 "cg" ${bad}\n${BODY}`,
          ),
        (e: unknown) =>
          e instanceof DosetwinError &&
          e.issues.length === 1 &&
          e.issues[0].line === 4 &&
          e.issues[0].column === 27 &&
          e.issues[0].field === 'covariates.CRCL',
        bad,
      );
    }
  });
});

describe('products block', () => {
  test('lines kept in order, comments stripped; absent block leaves the field undefined', () => {
    const ir = parseModel(
      `${HEAD}${BODY}products   vial 500, 1000 mg     # EU SmPC\n  infusion 1..4 h\n  interval 8, 12, 24 h\n`,
    );
    assert.deepEqual(ir.products, ['vial 500, 1000 mg', 'infusion 1..4 h', 'interval 8, 12, 24 h']);
    assert.equal(parseModel(`${HEAD}${BODY}`).products, undefined);
  });
});
