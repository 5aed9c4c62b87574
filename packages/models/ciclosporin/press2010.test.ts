// ciclosporin/press2010 (issue 5, acceptance 1-2): Table 4 of the paper (PMC2868991), the
// prednisolone effects, and a typical profile against the closed form of one transit compartment
// (rate ka) feeding a 2-compartment model, with its AUC checked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, individualParameters, simulateTypical } from '../src/index.ts';
import { erlangTwoCmt, relErr, typicalSlots } from '../src/test-support.ts';

const model = getModel('ciclosporin/press2010');
const m = model.compiled();

// depot →ka→ transit →ka→ central: an Erlang(2, ka) input of F·D into 2 compartments
// (erlangTwoCmt in test-support, its convolution written out there).
const transitTwoCmt = (p: Record<string, number>, dose: number, t: number): number =>
  erlangTwoCmt(p.CL, p.V1, p.Q, p.V2, p.KA, 2, p.F * dose, t);

const names = ['CL', 'V1', 'Q', 'V2', 'KA', 'F'];

test('Table 4 at 76 kg without high-dose prednisolone: CL 15 L/h, V1 56 L, Q 14 L/h, V2 125 L, ka 2.0 /h, F 0.5', () => {
  assert.deepEqual(typicalSlots(m, { WT: 76, PRED_DOSE: 10 }, names), {
    CL: 15,
    V1: 56,
    Q: 14,
    V2: 125,
    KA: 2,
    F: 0.5,
  });
});

test('prednisolone 20 mg/day or more: ka 55 % lower (0.90 /h), F 22 % lower (0.39) (1e-12 rel)', () => {
  const p = typicalSlots(m, { WT: 76, PRED_DOSE: 20 }, names);
  assert.ok(relErr(p.KA, 0.9) < 1e-12 && relErr(p.F, 0.39) < 1e-12);
  const below = typicalSlots(m, { WT: 76, PRED_DOSE: 19.9 }, names);
  assert.equal(below.KA, 2);
});

test('weight 38 kg: CL × 0.5^0.75 = 8.9191 L/h, V1 × 0.5 = 28 L (1e-12 rel)', () => {
  const p = typicalSlots(m, { WT: 38, PRED_DOSE: 0 }, names);
  assert.ok(relErr(p.CL, 15 * Math.pow(0.5, 0.75)) < 1e-12 && relErr(p.V1, 28) < 1e-12);
  assert.ok(Math.abs(p.CL - 8.9191) < 5e-5);
});

test('typical profile, 300 mg (300000 ug): = transit + 2-cpt closed form (1e-9 rel); AUC0-∞ = F·D/CL = 10000 ug·h/L', () => {
  // Mean transit time 2/ka = 1 h, so the peak comes at about 1.5 h. Hand values: k10 = 0.268,
  // k12 = 0.25, k21 = 0.112 /h → α = 0.578, β = 0.0519 /h (t½ 13 h). F·D/V1 = 150000/56 = 2679 ug/L
  // would be the peak of an instant input; absorption over ~1 h and fast distribution (α) take
  // it down to 1476 ug/L at 1.5 h; by 12 h the β phase holds 178 ug/L.
  const p = individualParameters(model, { WT: 76, PRED_DOSE: 10 });
  const times = [0.25, 0.5, 1, 1.5, 2, 4, 8, 12, 24];
  const c = simulateTypical(model, { WT: 76, PRED_DOSE: 10 }, [{ time: 0, amt: 300000, cmt: 1 }], times);
  times.forEach((t, i) => {
    const ref = transitTwoCmt(p, 300000, t);
    assert.ok(relErr(c[i], ref) < 1e-9, `t ${t}: ${c[i]} vs ${ref}`);
  });
  assert.equal(Math.max(...c), c[3], 'peak at 1.5 h of the grid');
  assert.ok(Math.abs(c[3] - 1475.5) < 0.05, `C(1.5 h) = ${c[3]}`);
  assert.ok(Math.abs(c[7] - 177.56) < 0.005, `C(12 h) = ${c[7]}`);
  const grid = Array.from({ length: 4001 }, (_, k) => k * 0.1);
  const g = simulateTypical(model, { WT: 76, PRED_DOSE: 10 }, [{ time: 0, amt: 300000, cmt: 1 }], grid);
  let auc = 0;
  for (let k = 1; k < g.length; k++) auc += ((g[k] + g[k - 1]) / 2) * 0.1;
  assert.ok(relErr(auc, (0.5 * 300000) / 15) < 1e-3, `AUC = ${auc}`);
});

test('domain: weight missing is an error naming WT; 150 kg warns', () => {
  const e = checkValidity(model, { PRED_DOSE: 10 });
  assert.deepEqual(
    e.map((i) => [i.code, i.field]),
    [['DT_COVARIATE_MISSING', 'covariates.WT']],
  );
  const w = checkValidity(model, { WT: 150, PRED_DOSE: 10 });
  assert.deepEqual(
    w.map((i) => [i.code, i.severity, i.field]),
    [['DT_DOMAIN_OUTSIDE', 'warning', 'covariates.WT']],
  );
});
