// Unit checking by dimensional analysis: known-bad equations give a finding naming the line and
// the units (and the factor when only the scale differs); the benchmark models give none.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BENCH_MODELS, BENCH_RUNS } from '../test-support/bench-data.ts';
import { modelText } from '../test-support/models.ts';
import { parseModel } from './parse.ts';
import { checkUnits, parseUnit } from './units-check.ts';

const P = `parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 70 L "v"\n  KA 1 1/h "ka"\n  CLML 60 mL/min "cl in mL/min"\ncovariates unit valid label handling\n  WT kg 1..300 "weight" required\n`;
const E = `error\n  CP ~ prop(0.1)\n`;
const check = (eq: string, units?: string) => {
  let src = modelText(`${P}equations\n${eq}${E}`);
  if (units) src = src.replace('units dose mg | time h | conc mg/L', units);
  return checkUnits(parseModel(src, 'u.dtm'));
};

describe('findings', () => {
  const cases: { name: string; eq: string; units?: string; line: number; message: RegExp }[] = [
    {
      name: 'clearance in mL/min with a volume in L: factor',
      eq: '  pk one_cmt(cl = CLML, v = TVV)\n  CP = central / TVV\n',
      line: 11,
      message: /cl of one_cmt is in mL\/min; the model computes in L\/h \(factor 0\.06\)/,
    },
    {
      name: 'weight added to a volume',
      eq: '  V = TVV + WT\n  pk one_cmt(cl = TVCL, v = V)\n  CP = central / V\n',
      line: 11,
      message: /'\+' between L and kg/,
    },
    {
      name: 'exp() of a weight',
      eq: '  CL = TVCL * exp(WT)\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n',
      line: 11,
      message: /exp\(\) of kg/,
    },
    {
      name: 'raw WT^0.75',
      eq: '  CL = TVCL * WT^0.75\n  pk one_cmt(cl = CL, v = TVV)\n  CP = central / TVV\n',
      line: 11,
      message: /kg raised to 0\.75/,
    },
    {
      name: 'output scale differs from the declared concentration unit',
      eq: '  pk one_cmt(cl = TVCL, v = TVV)\n  CP = central / TVV\n',
      units: 'units dose mg | time h | conc ng/mL',
      line: 14,
      message: /output CP is in g\/L|output CP is in mg\/L.*factor 1000/,
    },
    {
      name: 'ka with a volume',
      eq: '  pk one_cmt(cl = TVCL, v = TVV, ka = TVV)\n  CP = central / TVV\n',
      line: 11,
      message: /ka of one_cmt is in L; expected 1\/h|ka of one_cmt is in L; expected/,
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      const issues = check(c.eq, c.units);
      const hit = issues.find((i) => c.message.test(i.message));
      assert.ok(hit, `no finding matches ${c.message}; got ${issues.map((i) => i.message).join(' | ')}`);
      assert.equal(hit.severity, 'warning');
      assert.equal(hit.code, 'DT_MODEL_UNIT');
      assert.equal(hit.line, c.line);
    });
  test('normalised covariates and consistent units give no finding', () => {
    assert.deepEqual(
      check(
        '  CL = TVCL * (WT / 70)^0.75\n  V = TVV * WT / 70\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n',
      ),
      [],
    );
  });
});

test('the benchmark models have no unit finding', () => {
  for (const run of BENCH_RUNS) {
    const issues = checkUnits(parseModel(readFileSync(`${BENCH_MODELS}/${run}.dtm`, 'utf8'), `${run}.dtm`));
    assert.deepEqual(issues, [], run);
  }
});

test('unit parsing: scales relative to g, L, h (rel 1e-12)', () => {
  const cases: [string, number][] = [
    ['mg/L', 1e-3],
    ['ng/mL', 1e-6],
    ['mg*h/L', 1e-3],
    ['mL/min', 1e-3 * 60],
    ['1/(mL/min)', 1 / 0.06],
    ['mL/min/1.73m2', 0.06 / 1.73],
    ['%', 0.01],
  ];
  for (const [u, scale] of cases) {
    const p = parseUnit(u);
    assert.ok(p && Math.abs(p.scale / scale - 1) < 1e-12, `${u}: ${p?.scale}`);
  }
  assert.equal(parseUnit('furlong'), null);
});
