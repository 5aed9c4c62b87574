// The shared step from a clinical record to a model's covariate columns (used by the server's
// analysis and the browser twin): values by hand (Cockcroft–Gault), the latest value at each
// recorded time, unresolvable times skipped, errors naming the covariate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError, parseTarget } from '@dosetwin/engine';
import { covariatesOverTime, defaultTargetTexts, recordedCovariatesAt } from './clinical.ts';
import { getModel } from './registry.ts';

const goti = getModel('vancomycin/goti2018');
const rec = (at: string, name: string, value: number, unit: string) => ({ at, name, value, unit });
const D0 = '2026-11-20T06:00:00Z';
const D1 = '2026-11-21T06:00:00Z';
const D_1 = '2026-11-19T06:00:00Z';

test('CRCL over time by hand: (140 − age)·WT/(72·SCr mg/dL), SCr 95 µmol/L then 1.5 mg/dL (rel. 1e-12); a time without SCr is skipped', () => {
  const recorded = [
    rec(D1, 'SCR', 1.5, 'mg/dL'),
    rec(D_1, 'WT', 80, 'kg'), // SCr not measured yet: this time cannot be resolved
    rec(D0, 'WT', 82, 'kg'),
    rec(D0, 'AGE', 58, 'y'),
    rec(D0, 'SCR', 95, 'umol/L'),
    rec(D0, 'SEX', 0, '-'),
    rec(D0, 'DIAL', 0, '-'),
  ];
  const r = covariatesOverTime(goti, recorded);
  assert.deepEqual(
    r.covariates.map((c) => `${c.at} ${c.name} ${c.unit}`),
    [D0, D1].flatMap((at) => [`${at} WT kg`, `${at} CRCL mL/min`, `${at} DIAL -`]),
  );
  const crcl = r.covariates.filter((c) => c.name === 'CRCL').map((c) => c.value);
  const rel = (a: number, b: number): number => Math.abs(a - b) / b;
  assert.ok(rel(crcl[0], ((140 - 58) * 82) / (72 * (95 / 88.4))) < 1e-12, String(crcl[0]));
  assert.ok(rel(crcl[1], ((140 - 58) * 82) / (72 * 1.5)) < 1e-12, String(crcl[1]));
  assert.ok(r.notes.length > 0, 'the derivation is reported');
  // The latest value of each name at a time; codes (unit '-') as bare numbers.
  assert.deepEqual(recordedCovariatesAt(recorded, Date.parse(D0) + 1), {
    WT: { value: 82, unit: 'kg' },
    AGE: { value: 58, unit: 'y' },
    SCR: { value: 95, unit: 'umol/L' },
    SEX: 0,
    DIAL: 0,
  });
});

test('no resolvable time: the first time’s errors, naming the covariate', () => {
  assert.throws(
    () => covariatesOverTime(goti, [rec(D0, 'WT', 82, 'kg')]),
    (e: unknown) => e instanceof DosetwinError && e.issues.some((i) => i.field === 'covariates.CRCL'),
  );
  assert.throws(
    () => covariatesOverTime(goti, []),
    (e: unknown) => e instanceof DosetwinError && e.issues.some((i) => i.field.startsWith('covariates.')),
  );
});

// Models that keep a targets block of their own (overrides of their drug file): thomson2009's
// trough, andrews2019's two c0 rows.
test('default targets as text parse back to the model’s bounds (trough alias of c0)', () => {
  for (const id of ['vancomycin/thomson2009', 'tacrolimus/andrews2019']) {
    const ir = getModel(id).ir;
    const texts = defaultTargetTexts(ir);
    assert.equal(texts.length, ir.targets.length);
    texts.forEach((t, k) => {
      const p = parseTarget(t, ir.units.conc, ir.units.time, k + 1);
      assert.equal(p.lo, ir.targets[k].lo, t);
      assert.equal(p.hi, ir.targets[k].hi, t);
      assert.notEqual(p.metric, 'c0');
    });
  }
});
