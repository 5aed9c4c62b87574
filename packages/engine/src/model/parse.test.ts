// The model language: a full model parses to the IR it reads as; every malformed file gives one
// clear error with line, column and the problem (never a crash, never a silent wrong model).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { compileModel } from './compile.ts';
import { parseModel } from './parse.ts';

const FULL = `model    examplomycin/doe2020   version 1.2.0    # FICTITIOUS model for tests
drug     examplomycin
cite     Doe J, Roe R. J Fict Pharmacol 2020;12:34-56. doi:10.0000/jfp.2020.034
units    dose mg | time h | conc mg/L
measured examplomycin, total, plasma
population  112 patients; age 19-88 y; weight 45-140 kg

covariates   unit     valid     label                        handling
  WT         kg       45..140   "total body weight"          required
  CRCL       mL/min   10..180   "Cockcroft-Gault"            default 100
  SEX        -        0..1      "0 male, 1 female"           default 0

parameters   value    unit      label                        source
  TVCL       3.1      L/h       "CL for 70 kg, CrCL 100"     T3 row 1
  TVV        38       L         "V for 70 kg"                T3 row 2
  CRCL_CL    0.72     -         "exponent of CrCL on CL"     T3 row 3
  FFEM       0.8e0    -         "bioavailability factor, female"

random                                      # variances
  eta_CL ~ 0.090    eta_V ~ sd(0.2)    cov(eta_CL, eta_V) = 0.018
  iov eta_occ ~ 0.01

equations
  CL = TVCL * (WT/70)^0.75 * (CRCL/100)^CRCL_CL * exp(eta_CL + eta_occ)
  V  = TVV * (WT/70) * exp(eta_V)
  if (SEX == 1) {
    F1 = FFEM
  } else if (SEX == 2) {
    F1 = 0.9
  } else {
    F1 = 1
  }
  bioav(central) = F1
  pk one_cmt(cl = CL, v = V)
  CP = central / V

error
  CP ~ prop(0.15) + add(sd = 0.5)  combine sd

targets
  auc24    400..600 mg*h/L    at steady state
  trough   ..15     mg/L      alarm: toxicity

verified
  CL = 3.1 L/h for WT 70 kg, CRCL 100 mL/min    Doe 2020 T3
`;

describe('a full model file', () => {
  const ir = parseModel(FULL, 'doe2020.dtm');
  test('metadata, citation DOI and units', () => {
    assert.equal(ir.id, 'examplomycin/doe2020');
    assert.equal(ir.version, '1.2.0');
    assert.equal(ir.citation?.doi, '10.0000/jfp.2020.034');
    assert.deepEqual(ir.units, { dose: 'mg', time: 'h', conc: 'mg/L' });
  });
  test('covariates with units, validity ranges and missing-value handling', () => {
    assert.deepEqual(
      ir.covariates.map((c) => [c.name, c.unit, c.valid, c.handling]),
      [
        ['WT', 'kg', { lo: 45, hi: 140 }, { kind: 'required' }],
        ['CRCL', 'mL/min', { lo: 10, hi: 180 }, { kind: 'default', value: 100 }],
        ['SEX', '-', { lo: 0, hi: 1 }, { kind: 'default', value: 0 }],
      ],
    );
  });
  test('parameters and Ω (variances; sd() squared; covariance both sides)', () => {
    assert.deepEqual(
      ir.parameters.map((p) => [p.name, p.value, p.unit, p.source]),
      [
        ['TVCL', 3.1, 'L/h', 'T3 row 1'],
        ['TVV', 38, 'L', 'T3 row 2'],
        ['CRCL_CL', 0.72, '-', 'T3 row 3'],
        ['FFEM', 0.8, '-', ''],
      ],
    );
    assert.deepEqual(
      ir.etas.map((e) => [e.name, e.iov]),
      [
        ['eta_CL', false],
        ['eta_V', false],
        ['eta_occ', true],
      ],
    );
    assert.ok(Math.abs(ir.omega[1][1] - 0.04) < 1e-15);
    assert.equal(ir.omega[0][1], 0.018);
    assert.equal(ir.omega[1][0], 0.018);
    assert.equal(ir.omega[2][2], 0.01);
  });
  test('residual error: combined, SD-sum convention', () => {
    assert.deepEqual(
      ir.errors.map((e) => [e.output, e.kind, e.addSd, e.propSd, e.sum]),
      [['CP', 'combined', 0.5, 0.15, 'sd']],
    );
  });
  test('targets and the verification record', () => {
    assert.deepEqual(
      ir.targets.map((t) => [t.metric, t.lo, t.hi, t.unit]),
      [
        ['auc24', 400, 600, 'mg*h/L'],
        ['trough', null, 15, 'mg/L'],
      ],
    );
    assert.equal(ir.verified.length, 1);
  });
  test('compiles: closed form, if/else if/else evaluated per record', () => {
    const m = compileModel(ir);
    assert.equal(m.structure.kind, 'closed');
    const s = m.newSlots();
    const set = (name: string, v: number): number => (s[m.slotOf.get(name)!] = v);
    set('WT', 70);
    set('CRCL', 100);
    for (const [sex, f] of [
      [0, 1],
      [1, 0.8],
      [2, 0.9],
    ]) {
      set('SEX', sex);
      m.individual(s);
      assert.equal(s[m.cmtProps.bioav[0]], f, `F1 for SEX ${sex}`);
    }
    assert.ok(Math.abs(s[m.slotOf.get('CL')!] - 3.1) < 1e-12, 'CL = TVCL at the reference covariates');
  });
});

const BASE = `model t/m\nunits dose mg | time h | conc mg/L\nparameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 70 L "v"\nrandom\n  eta_CL ~ 0.1\n`;
const EQ = (lines: string): string => `${BASE}equations\n${lines}error\n  CP ~ prop(0.1)\n`;
// line numbers: BASE has 7 lines, 'equations' is line 8, the first equation line is 9.

const BAD: { name: string; src: string; line: number; column?: number; message: RegExp }[] = [
  {
    name: 'undefined variable, with suggestion',
    src: EQ('  CL = TVCL * exp(eta_cl)\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    column: 19,
    message: /'eta_cl' is not defined.*did you mean 'eta_CL'/,
  },
  {
    name: 'unknown function',
    src: EQ('  CL = TVCL * expo(eta_CL)\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    column: 15,
    message: /unknown function 'expo'/,
  },
  {
    name: 'unbalanced parenthesis',
    src: EQ('  CL = TVCL * exp(eta_CL\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    message: /expected '\)'/,
  },
  {
    name: "missing '}'",
    src: EQ('  if (TVCL > 1) {\n    CL = TVCL\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\n'),
    line: 11,
    message: /unknown structure|missing '\}'|expected/,
  },
  {
    name: 'if without else leaves a variable possibly undefined',
    src: EQ('  if (TVCL > 1) {\n    CL = TVCL\n  }\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n'),
    line: 12,
    message: /'CL' may be undefined.*line 9/,
  },
  {
    name: 'assigning to a parameter',
    src: EQ('  TVCL = 3\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    message: /cannot assign to 'TVCL': it is a parameter/,
  },
  {
    name: 'lag depending on time',
    src: EQ('  lag(depot) = 0.5 * t\n  pk one_cmt(cl = TVCL, v = TVV, ka = 1)\n  CP = central / TVV\n'),
    line: 9,
    message: /lag\(depot\) depends on the amounts or on time/,
  },
  {
    name: 'unknown compartment in lag()',
    src: EQ('  lag(gut) = 0.5\n  pk one_cmt(cl = TVCL, v = TVV, ka = 1)\n  CP = central / TVV\n'),
    line: 9,
    message: /'gut' is not a compartment/,
  },
  {
    name: 'output not computed',
    src: EQ('  pk one_cmt(cl = TVCL, v = TVV)\n  CC = central / TVV\n'),
    line: 12,
    message: /output 'CP' is not computed/,
  },
  {
    name: 'unknown pk structure',
    src: EQ('  pk four_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    column: 6,
    message: /unknown structure 'four_cmt'/,
  },
  {
    name: 'missing structure argument',
    src: EQ('  pk two_cmt(cl = TVCL, v1 = TVV)\n  CP = central / TVV\n'),
    line: 9,
    message: /'two_cmt' needs q, v2/,
  },
  {
    name: 'unknown block',
    src: `${BASE}equatons\n  CP = 1\n`,
    line: 8,
    column: 1,
    message: /unknown block 'equatons'/,
  },
  {
    name: 'covariate row without quoted label',
    src: `${BASE}covariates unit valid label handling\n  WT kg 1..300 weight required\nequations\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\nerror\n  CP ~ prop(0.1)\n`,
    line: 9,
    message: /label must be "quoted"/,
  },
  {
    name: 'bad validity range',
    src: `${BASE}covariates unit valid label handling\n  WT kg 300..1 "weight" required\nequations\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\nerror\n  CP ~ prop(0.1)\n`,
    line: 9,
    message: /bad validity range '300..1'/,
  },
  {
    name: 'parameter value not a number',
    src: `model t/m\nunits dose mg | time h | conc mg/L\nparameters value unit label\n  TVCL four L/h "cl"\n`,
    line: 4,
    message: /value 'four' is not a number/,
  },
  {
    name: 'eta declared twice',
    src: `${BASE}  eta_CL ~ 0.2\n`,
    line: 8,
    message: /eta 'eta_CL' declared twice/,
  },
  {
    name: 'covariance of an unknown eta',
    src: `${BASE}  cov(eta_CL, eta_V) = 0.01\n`,
    line: 8,
    message: /'eta_V' is not a declared eta/,
  },
  {
    name: 'negative variance',
    src: `${BASE.replace('eta_CL ~ 0.1', 'eta_CL ~ -0.1')}`,
    line: 7,
    message: /variance of eta_CL must be ≥ 0/,
  },
  {
    name: 'unknown residual error term',
    src: `${BASE}equations\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\nerror\n  CP ~ proportional(0.1)\n`,
    line: 12,
    message: /unknown residual error term 'proportional'/,
  },
  {
    name: 'unexpected character',
    src: EQ('  CL = TVCL $ 2\n'),
    line: 9,
    column: 13,
    message: /unexpected character '\$'/,
  },
  {
    name: 'chained comparison',
    src: EQ('  X = 1 < TVCL < 5\n  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\n'),
    line: 9,
    message: /comparisons cannot be chained/,
  },
  { name: 'missing units', src: `model t/m\nequations\n  CP = 1\n`, line: 1, message: /missing 'units'/ },
];

describe('malformed model files give one clear error with line and column', () => {
  for (const c of BAD) {
    test(c.name, () => {
      let caught: unknown;
      try {
        compileModel(parseModel(c.src, 'bad.dtm'));
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof DosetwinError, `expected a DosetwinError, got ${String(caught)}`);
      const hit = caught.issues.find((i) => c.message.test(i.message + ' ' + (i.hint ?? '')));
      assert.ok(hit, `no issue matches ${c.message}; got: ${caught.message}`);
      assert.equal(hit.file, 'bad.dtm');
      assert.equal(hit.line, c.line, `line of: ${hit.message}`);
      if (c.column !== undefined) assert.equal(hit.column, c.column, `column of: ${hit.message}`);
    });
  }

  test('fuzz: 2000 random truncations and byte flips of a valid model never crash (seeded)', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const chars = '(){}=+-*/^#"~,.:|\n abcxyz019';
    for (let k = 0; k < 2000; k++) {
      let src = FULL;
      if (k % 2 === 0) src = src.slice(0, Math.floor(rnd() * src.length));
      else {
        const pos = Math.floor(rnd() * src.length);
        src = src.slice(0, pos) + chars[Math.floor(rnd() * chars.length)] + src.slice(pos + 1);
      }
      try {
        compileModel(parseModel(src, 'fuzz.dtm'));
      } catch (e) {
        assert.ok(e instanceof DosetwinError, `input #${k} crashed with ${String(e)}`);
        assert.ok(e.issues.length >= 1 && e.issues.every((i) => i.message.length > 0));
      }
    }
  });
});
