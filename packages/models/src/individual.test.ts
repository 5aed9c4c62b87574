// Individual parameters with units and half-lives: the half-lives against closed forms written out
// here (1 compartment: ln2·V/CL; 2 compartments: the quadratic's roots; 3 compartments: Vieta's
// relations and the 2-compartment limit), the units against the model files' tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispositionRates, individualSummary } from './individual.ts';

const close = (a: number, b: number, rel = 1e-9): boolean => Math.abs(a - b) <= rel * Math.abs(b);

test('one compartment: t½ = ln 2 · V / CL (vancomycin/buelga2005, CL 3 L/h, V 60 L → 13.86 h, rel 1e-9)', () => {
  const s = individualSummary('vancomycin/buelga2005', { CL: 3, V: 60 });
  assert.ok(close(s.halfLife!.value, (Math.LN2 * 60) / 3), String(s.halfLife?.value));
  assert.equal(s.halfLife!.unit, 'h');
  assert.deepEqual(s.distributionHalfLives, []);
  assert.deepEqual(
    s.parameters.map((p) => [p.name, p.unit, p.structural]),
    [
      ['CL', 'L/h', true],
      ['V', 'L', true],
    ],
  );
});

test('two compartments: α, β of k10 = 0.1, k12 = 0.2, k21 = 0.05 /h are (0.35 ± √0.1025)/2 (rel 1e-12)', () => {
  const [a, b] = dispositionRates({ k10: 0.1, k12: 0.2, k21: 0.05 });
  assert.ok(close(a, (0.35 + Math.sqrt(0.1025)) / 2, 1e-12));
  assert.ok(close(b, (0.35 - Math.sqrt(0.1025)) / 2, 1e-12));
  // vancomycin/goti2018 (2 compartments): CL 4 L/h, V1 30 L, Q 5 L/h, V2 40 L → β from the same formula.
  const s = individualSummary('vancomycin/goti2018', { CL: 4, V1: 30, Q: 5, V2: 40 });
  const [k10, k12, k21] = [4 / 30, 5 / 30, 5 / 40];
  const sum = k10 + k12 + k21;
  const beta = (sum - Math.sqrt(sum * sum - 4 * k10 * k21)) / 2;
  assert.ok(close(s.halfLife!.value, Math.LN2 / beta), `${s.halfLife?.value} vs ${Math.LN2 / beta}`);
  assert.equal(s.distributionHalfLives.length, 1);
  assert.deepEqual(
    s.parameters.filter((p) => p.structural).map((p) => `${p.name} ${p.unit}`),
    ['CL L/h', 'V1 L', 'Q L/h', 'V2 L'],
  );
});

test('three compartments: the roots satisfy Vieta (sum, pairwise sum, product; rel 1e-10) and tend to 2 compartments as k13 → 0', () => {
  const k = { k10: 0.3, k12: 0.4, k21: 0.2, k13: 0.05, k31: 0.01 };
  const r = dispositionRates(k);
  assert.equal(r.length, 3);
  assert.ok(r[0] > r[1] && r[1] > r[2] && r[2] > 0);
  assert.ok(close(r[0] + r[1] + r[2], k.k10 + k.k12 + k.k13 + k.k21 + k.k31, 1e-10));
  assert.ok(
    close(
      r[0] * r[1] + r[0] * r[2] + r[1] * r[2],
      k.k10 * k.k21 + k.k10 * k.k31 + k.k12 * k.k31 + k.k13 * k.k21 + k.k21 * k.k31,
      1e-10,
    ),
  );
  assert.ok(close(r[0] * r[1] * r[2], k.k10 * k.k21 * k.k31, 1e-10));
  const two = dispositionRates({ k10: 0.3, k12: 0.4, k21: 0.2 });
  const near = dispositionRates({ k10: 0.3, k12: 0.4, k21: 0.2, k13: 1e-9, k31: 5 });
  assert.ok(close(near[1], two[0], 1e-6) && close(near[2], two[1], 1e-6), `${near} vs ${two}`);
});

test('an explicit-ODE model with saturable elimination has no half-life (voriconazole/friberg2012-adult), its parameters keep their units', () => {
  const s = individualSummary('voriconazole/friberg2012-adult', { CL: 6.16, V2: 79, KM: 1.15, VMAX1: 114 });
  assert.equal(s.halfLife, null);
  assert.equal(s.halfLifeReason, 'not-linear');
  const unit = Object.fromEntries(s.parameters.map((p) => [p.name, p.unit]));
  assert.deepEqual(unit, { CL: 'L/h', V2: 'L', KM: 'mg/L', VMAX1: 'mg/h' });
});
