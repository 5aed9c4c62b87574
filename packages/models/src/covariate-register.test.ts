// The covariate register against the library: every covariate of every model and every input or
// result of a derivation has an entry, in units the entry accepts and converts; SEX's coding is the
// one the derivations compute with; each model's validity range lies within the hard limits; the
// inputs a user must enter for a model are enough to resolve it, and each required one is needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COVARIATE_REGISTER,
  covariateEntry,
  patientInputs,
  plausibilityIssue,
} from './covariate-register.ts';
import { bsaMosteller, convertCovariate, DERIVATIONS, IMPLICIT, quantityOf } from './covariates.ts';
import { getModel, listModels } from './registry.ts';
import { resolveCovariates } from './resolve.ts';

const models = listModels();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

test('every covariate of every library model is registered, with the model’s unit among the accepted units', () => {
  for (const m of models)
    for (const c of m.ir.covariates) {
      const e = covariateEntry(c.name);
      assert.ok(e, `${m.id}: ${c.name} is not in the register`);
      assert.ok(
        e.units.includes(c.unit),
        `${m.id}: ${c.name} in ${c.unit}; the register accepts ${e.units.join(', ')}`,
      );
      if (e.codes) {
        assert.equal(c.unit, '-', `${m.id}: ${c.name} is coded`);
        const values = e.codes.map((k) => k.value);
        assert.ok(
          c.valid && values.includes(c.valid.lo!) && values.includes(c.valid.hi!),
          `${m.id}: ${c.name} valid ${JSON.stringify(c.valid)} within the codes ${values.join(', ')}`,
        );
      }
      if (c.derive)
        assert.ok(e.derivedBy.includes(c.derive.fn), `${m.id}: ${c.name} derived by ${c.derive.fn}`);
    }
});

test('every derivation input and result, and every implicit derivation, is registered in units it accepts', () => {
  const results = new Map<string, string>();
  for (const e of Object.values(COVARIATE_REGISTER)) for (const fn of e.derivedBy) results.set(fn, e.name);
  assert.deepEqual(
    [...results.keys()].sort(),
    Object.keys(DERIVATIONS).sort(),
    'each derivation produces one entry',
  );
  for (const [fn, d] of Object.entries(DERIVATIONS)) {
    const out = COVARIATE_REGISTER[results.get(fn)!];
    assert.ok(
      out.units.includes(d.unit),
      `${fn} gives ${d.unit}; ${out.name} accepts ${out.units.join(', ')}`,
    );
    for (const i of d.inputs) {
      const e = covariateEntry(i.role);
      assert.ok(e, `${fn}: input ${i.role} is not in the register`);
      assert.ok(e.units.includes(i.unit), `${fn}: ${i.role} in ${i.unit}`);
      assert.equal(e.quantity, i.quantity, `${fn}: ${i.role} quantity`);
    }
  }
  for (const [name, imp] of Object.entries(IMPLICIT)) {
    assert.ok(covariateEntry(name)?.derivedBy.includes(imp.fn), `${name} by ${imp.fn}`);
    for (const a of imp.args) assert.ok(covariateEntry(a), `${name}: input ${a}`);
  }
  for (const m of models)
    for (const c of m.ir.covariates)
      for (const a of c.derive?.args ?? []) {
        const e = covariateEntry(a.name);
        assert.ok(e, `${m.id}: ${c.derive!.fn} input ${a.name} is not in the register`);
        if (a.unit) assert.ok(e.units.includes(a.unit), `${m.id}: ${a.name} in ${a.unit}`);
      }
});

describe('every register entry', () => {
  for (const e of Object.values(COVARIATE_REGISTER))
    test(`${e.name}: labels and description in English and French; units convert to ${e.unit} and back (rel 1e-12); codes or limits`, () => {
      for (const t of [e.label, e.description]) assert.ok(t.en.length > 1 && t.fr.length > 1, e.name);
      assert.equal(e.units[0], e.unit, 'canonical unit first');
      assert.equal(e.quantity, quantityOf(e.name));
      for (const u of e.units) {
        const x = convertCovariate(1.7, u, e.unit, e.quantity);
        assert.ok(x !== null && x > 0, `${u} → ${e.unit}`);
        assert.ok(rel(convertCovariate(x, e.unit, u, e.quantity)!, 1.7) < 1e-12, `${u} round trip`);
      }
      if (e.type === 'quantity') {
        assert.equal(e.codes, null);
        assert.ok(
          e.limits && e.limits.lo < e.limits.hi && e.limits.why.length > 10,
          'limits with a rationale',
        );
      } else {
        assert.equal(e.unit, '-');
        assert.equal(e.limits, null);
        assert.ok(e.codes && e.codes.length >= 2, 'codes');
        for (const k of e.codes) assert.ok(k.en && k.fr, `${e.name} ${k.value}: labels`);
        if (e.type === 'binary')
          assert.deepEqual(
            e.codes.map((k) => k.value),
            [0, 1],
          );
      }
    });
});

test('SEX: 0 = male, 1 = female, the coding the derivations compute with (Cockcroft–Gault × 0.85 for 1, rel 1e-12)', () => {
  const sex = COVARIATE_REGISTER.SEX;
  assert.deepEqual(
    sex.codes!.map((k) => `${k.value} ${k.en} ${k.fr}`),
    ['0 male homme', '1 female femme'],
  );
  const cg = (s: number): number => DERIVATIONS.crcl_cg.compute([1, 60, 70, s], {});
  assert.ok(rel(cg(1), 0.85 * cg(0)) < 1e-12);
  assert.ok(rel(cg(0), ((140 - 60) * 70) / 72) < 1e-12);
  // The one model taking SEX as a covariate states the same coding.
  assert.match(
    getModel('mycophenolic-acid/vanhest2005').ir.covariates.find((c) => c.name === 'SEX')!.label,
    /0 = male, 1 = female/,
  );
});

test('every model’s validity range lies within the register’s hard limits (converted to the canonical unit)', () => {
  for (const m of models)
    for (const c of m.ir.covariates) {
      const e = covariateEntry(c.name)!;
      if (!e.limits || !c.valid) continue;
      for (const b of [c.valid.lo, c.valid.hi]) {
        if (b === null) continue;
        const v = convertCovariate(b, c.unit, e.unit, e.quantity)!;
        assert.ok(v >= e.limits.lo && v <= e.limits.hi, `${m.id}: ${c.name} ${b} ${c.unit} = ${v} ${e.unit}`);
      }
    }
});

test('BSA limits are the Mosteller BSA at the WT and HT limits (0.033 and 7.05 m2)', () => {
  const { WT, HT, BSA } = COVARIATE_REGISTER;
  const lo = bsaMosteller({ weightKg: WT.limits!.lo, heightCm: HT.limits!.lo });
  const hi = bsaMosteller({ weightKg: WT.limits!.hi, heightCm: HT.limits!.hi });
  assert.ok(BSA.limits!.lo <= lo && Math.abs(lo - 0.0333) < 5e-5, String(lo));
  assert.ok(BSA.limits!.hi >= hi && Math.abs(hi - 7.05) < 5e-3, String(hi));
});

// Inputs by hand from each covariates table (derive rules expanded; IBW from HT and SEX).
const INPUTS: Record<string, string[]> = {
  'vancomycin/goti2018': ['WT kg', 'SCR mg/dL', 'AGE y', 'SEX -', 'DIAL -'],
  'meropenem/li2006': ['SCR mg/dL', 'AGE y', 'HT cm', 'SEX -', 'WT kg'],
  'gentamicin/germovsek2016': ['WT kg', 'GA wk', 'PNA d', 'SCR umol/L'],
  'piperacillin/kim2022': ['WT kg', 'CYSC mg/L', 'AGE y', 'SEX -', 'ECMO -'],
  'tacrolimus/andrews2017': [
    'WT kg',
    'CYP3A5 - optional',
    'LIVING -',
    'HT cm',
    'SCR umol/L',
    'HCT L/L',
    'ASSAY - optional',
  ],
  'vancomycin/colin2019': ['WT kg', 'AGE y', 'GA wk', 'SCR mg/dL'],
  'everolimus/terheine2018': ['WT kg', 'HT cm', 'SEX -', 'HCT L/L', 'PRED_DOSE mg/day'],
  'ciclosporin/woillard2014': [],
};

for (const [id, expected] of Object.entries(INPUTS))
  test(`patientInputs(${id}): ${expected.map((x) => x.split(' ')[0]).join(', ') || 'none'}`, () => {
    assert.deepEqual(
      patientInputs(getModel(id)).map((i) => `${i.name} ${i.unit}${i.required ? '' : ' optional'}`),
      expected,
    );
  });

// A plausible value of each input, in the register's canonical unit.
const TYPICAL: Record<string, number> = {
  WT: 60,
  HT: 165,
  AGE: 45,
  SCR: 80,
  CYSC: 1,
  GA: 39,
  PNA: 10,
  HCT: 0.35,
  ALB: 40,
  BSA: 1.7,
  LBW: 50,
  PRED_DOSE: 10,
  CSA_DOSE: 300,
};

describe('the inputs of every library model resolve it, and each required input is needed', () => {
  for (const m of models)
    test(m.id, () => {
      const inputs = patientInputs(m);
      const patient = Object.fromEntries(
        inputs.map((i) => [i.name, i.entry.codes ? 0 : { value: TYPICAL[i.name], unit: i.entry.unit }]),
      );
      const errors = (p: typeof patient): string[] =>
        resolveCovariates(m, p)
          .issues.filter((x) => x.severity === 'error')
          .map((x) => x.message);
      assert.deepEqual(errors(patient), []);
      for (const i of inputs.filter((x) => x.required)) {
        const without = { ...patient };
        delete without[i.name];
        assert.ok(errors(without).length > 0, `${i.name} is needed`);
      }
    });
});

test('plausibilityIssue: values outside the hard limits or the codes, unknown names and units; plausible values pass', () => {
  const codeOf = (name: string, v: number, u: string): string | null => {
    const i = plausibilityIssue(name, v, u);
    return i ? `${i.code} ${i.message}` : null;
  };
  assert.equal(codeOf('WT', 70, 'kg'), null);
  assert.equal(codeOf('WT', 70000, 'g'), null);
  assert.equal(codeOf('HCT', 35, '%'), null);
  assert.equal(codeOf('SCR', 1.2, 'mg/dL'), null);
  assert.equal(codeOf('SEX', 1, '-'), null);
  assert.equal(
    codeOf('HCT', 35, 'L/L'),
    'DT_COVARIATE_IMPLAUSIBLE HCT is 35 L/L; a haematocrit lies within 0.05..0.85 L/L',
  );
  assert.equal(
    codeOf('SCR', 1.2, 'umol/L'),
    'DT_COVARIATE_IMPLAUSIBLE SCR is 1.2 umol/L; a serum creatinine lies within 5..3000 umol/L',
  );
  assert.equal(
    codeOf('WT', 1500, 'lb'),
    'DT_COVARIATE_IMPLAUSIBLE WT is 1500 lb (680.4 kg); a body weight lies within 0.2..650 kg',
  );
  assert.equal(codeOf('SEX', 2, '-'), 'DT_COVARIATE_IMPLAUSIBLE SEX is 2; it takes 0 (male) or 1 (female)');
  assert.equal(plausibilityIssue('SEX', 2, '-')?.hint, 'SEX is 0 = male, 1 = female');
  assert.equal(
    codeOf('WT', 70, 'cm'),
    'DT_COVARIATE_IMPLAUSIBLE WT is given in cm; it is entered in kg, g, lb',
  );
  assert.equal(codeOf('FOO', 1, '-'), 'DT_COVARIATE_IMPLAUSIBLE FOO is not a known covariate');
});
