// Bias audit: a simulated hospital where one subgroup (patients on dialysis, clearance 45 % below
// the model's) is mis-modelled; that subgroup, and only it, is flagged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patientFromRecords } from '../events/records.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { modelParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';
import { biasAudit } from './update.ts';

test('the dialysis subgroup (CL −45 %) is flagged (|bias| > 10 %), the others and the ward grouping are not (seeded)', () => {
  const { model } = theophylline();
  const design = (id: string) =>
    patientFromRecords(
      id,
      [
        { time: 0, amt: 320, cmt: 1, evid: 1 },
        ...[2, 6, 12].map((t) => ({ time: t, evid: 0, cmt: 2, mdv: 0, dv: 0 })),
      ],
      0,
    );
  const p = modelParameters(model.ir);
  p.theta.set([1.59, 2.75, 31.8]);
  p.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  p.addSd[0] = 0.3;
  const well = simulatePopulation(
    model,
    Array.from({ length: 60 }, (_, i) => design(`N${i + 1}`)),
    5,
    p,
  ).patients;
  const dialysis = { ...p, theta: Float64Array.from([1.59, 0.55 * 2.75, 31.8]) };
  const sick = simulatePopulation(
    model,
    Array.from({ length: 30 }, (_, i) => design(`D${i + 1}`)),
    6,
    dialysis,
  ).patients;
  const audit = biasAudit(model, [...well, ...sick], {
    dialysis: (q) => (q.id.startsWith('D') ? 'yes' : 'no'),
    ward: (q) => (Number(q.id.slice(1)) % 2 ? 'A' : 'B'),
  });
  const find = (by: string, g: string) => audit.find((a) => a.by === by && a.group === g)!;
  assert.equal(find('dialysis', 'yes').n, 30);
  assert.ok(find('dialysis', 'yes').flagged, `${find('dialysis', 'yes').biasPct}`);
  assert.ok(!find('dialysis', 'no').flagged, `${find('dialysis', 'no').biasPct}`);
  assert.deepEqual(
    audit.filter((a) => a.flagged).map((a) => `${a.by}=${a.group}`),
    ['dialysis=yes'],
  );
});
