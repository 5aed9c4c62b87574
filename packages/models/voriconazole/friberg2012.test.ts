// voriconazole/friberg2012-adult (issue 5, acceptance 1-2): Table 3 adult typical values, and a
// typical IV profile of the non-linear, time-dependent model checked against a hand-written
// fixed-step RK4 integration of the same equations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkValidity, getModel, simulateTypical } from '../src/index.ts';
import { relErr, typicalSlots } from '../src/test-support.ts';

const model = getModel('voriconazole/friberg2012-adult');
const m = model.compiled();

test('Table 3, 70-kg adult: CL 6.16 L/h, Vmax1 114 mg/h, Km 1.15 mg/L, V2 79 L, V3 103 L, Q 15.5 L/h', () => {
  const p = typicalSlots(m, { WT: 70, CYP2C19: 0 }, ['CL', 'VMAX1', 'KM', 'V2', 'V3', 'Q']);
  assert.deepEqual(p, { CL: 6.16, VMAX1: 114, KM: 1.15, V2: 79, V3: 103, Q: 15.5 });
});

test('logit parameters: F = expit(0.585) = 0.642, Vmax_inh = expit(1.50) = 0.818; CYP2C19 IM/PM: Vmax_inh = 1', () => {
  const p = typicalSlots(m, { WT: 70, CYP2C19: 0 }, ['F', 'VMAXINH']);
  assert.ok(Math.abs(p.F - 0.642) <= 0.0005);
  assert.ok(Math.abs(p.VMAXINH - 0.818) <= 0.0005);
  assert.equal(typicalSlots(m, { WT: 70, CYP2C19: 1 }, ['VMAXINH']).VMAXINH, 1);
});

/** The adult IV model integrated by classic RK4, step h (t = time since the first dose). */
function rk4(rate: number, tInf: number, times: number[], h = 1e-3): number[] {
  const [CL, V2, V3, Q, KM, V1max, T50] = [6.16, 79, 103, 15.5, 1.15, 114, 2.41];
  const inh = 1 / (1 + Math.exp(-1.5));
  // the infusion is on or off for a whole step (steps end exactly at tInf); t = n·h, no drift
  const f = (t: number, a: number[], input: number): number[] => {
    const te = Math.max(t - 1, 0);
    const vmax = V1max * (1 - (inh * te) / (te + T50 - 1));
    const c = a[0] / V2;
    return [input - (CL + vmax / (KM + c)) * c - Q * c + (Q * a[1]) / V3, Q * c - (Q * a[1]) / V3];
  };
  const step = (a: number[], k: number[], w: number): number[] => a.map((x, i) => x + w * k[i]);
  const out: number[] = [];
  let a = [0, 0];
  let n = 0;
  for (const target of times) {
    for (; n * h < target - h / 2; n++) {
      const t = n * h;
      const r = t + h / 2 < tInf ? rate : 0;
      const k1 = f(t, a, r);
      const k2 = f(t + h / 2, step(a, k1, h / 2), r);
      const k3 = f(t + h / 2, step(a, k2, h / 2), r);
      const k4 = f(t + h, step(a, k3, h), r);
      a = a.map((x, i) => x + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    }
    out.push(a[0] / V2);
  }
  return out;
}

test('typical IV profile, 6 mg/kg (420 mg) over 2 h into central: matches RK4 (h = 0.001 h) within 1e-6 rel', () => {
  // steps of 0.001 h land exactly on the kinks at t = 1 h (inhibition starts) and t = 2 h (end of
  // infusion); RK4's error is then O(h^4) ≈ 1e-12 relative, far below the engine's tolerance
  const times = [0.5, 1, 2, 3, 6, 12];
  const c = simulateTypical(model, { WT: 70, CYP2C19: 0 }, [{ time: 0, amt: 420, rate: 210, cmt: 2 }], times);
  const ref = rk4(210, 2, times);
  times.forEach((t, i) => assert.ok(relErr(c[i], ref[i]) < 1e-6, `t = ${t}: ${c[i]} vs ${ref[i]}`));
  // end of infusion about 2.5 mg/L (420 mg into 79 L, less elimination and distribution)
  assert.ok(c[2] > 2 && c[2] < 3.5, `C(2 h) = ${c[2]}`);
});

test('domain: a 30-kg patient is outside the adult model (warning); unknown CYP2C19 is taken as EM (default, reported)', () => {
  const issues = checkValidity(model, { WT: 30 });
  assert.deepEqual(
    issues.map((i) => i.code),
    ['DT_DOMAIN_OUTSIDE', 'DT_COVARIATE_DEFAULT'],
  );
});
