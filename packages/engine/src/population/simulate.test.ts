// simulatePopulation: the etas and residuals it draws have the model's variances (within 4
// Monte Carlo SEs), and the same seed gives the same data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulator } from '../simulate/simulator.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { modelParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';

test('400 theophylline designs: var(η_k) = ω²_k and var(DV − F(η)) = σ² within 4 Monte Carlo SEs; seeded', () => {
  const { model, patients } = theophylline();
  const designs = Array.from({ length: 400 }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
  const p = modelParameters(model.ir);
  const { patients: sim, etas } = simulatePopulation(model, designs, 3, p);
  for (let k = 0; k < 3; k++) {
    const w = p.omega[k * 3 + k];
    const v = etas.reduce((s, e) => s + e[k] * e[k], 0) / etas.length;
    assert.ok(Math.abs(v - w) < 4 * w * Math.sqrt(2 / etas.length), `eta ${k}: ${v} vs ${w}`);
  }
  const s = new Simulator(model);
  let ss = 0;
  let n = 0;
  sim.forEach((q, i) => {
    const out = new Float64Array(q.n);
    s.run(q, etas[i], out);
    for (let j = 0; j < q.n; j++)
      if (q.evid[j] === 0) {
        ss += (q.dv[j] - out[j]) ** 2;
        n++;
      }
  });
  const s2 = 0.7 * 0.7;
  assert.ok(Math.abs(ss / n - s2) < 4 * s2 * Math.sqrt(2 / n), `${ss / n} vs ${s2}`);
  const again = simulatePopulation(model, designs.slice(0, 5), 3, p).patients;
  assert.deepEqual(Array.from(again[4].dv), Array.from(sim[4].dv));
});
