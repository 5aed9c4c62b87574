// The predictive check on 30 held-out patients simulated with 0.7 × Thomson 2009's clearance
// (seed 12): the model with the true clearance is judged better than the published one (lower
// |bias| and median absolute error), and the published model against itself is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRng,
  individualValues,
  modelParameters,
  modelWith,
  type PatientData,
  patientFromRecords,
  simulatePopulation,
} from '@dosetwin/engine';
import { predictiveCheck } from './predictive-check.ts';
import { getModel } from './registry.ts';

const MODEL = getModel('vancomycin/thomson2009').compiled();
const TVCL = MODEL.ir.parameters.findIndex((p) => p.name === 'TVCL');

const withCl = (factor: number) => {
  const p = modelParameters(MODEL.ir);
  const theta = Float64Array.from(p.theta);
  theta[TVCL] *= factor;
  return { ...p, theta };
};

/** `n` patients (WT 50-110 kg, CrCL 20-130 mL/min) dosed for AUC24 ≈ 500 by the published typical CL, q12h over 1 h; troughs before doses 4, 6, 8; CL × `factor`. */
function localPatients(n: number, seed: number, factor: number): PatientData[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const cov = [Math.round(50 + 60 * rng.uniform()), Math.round(20 + 110 * rng.uniform())];
    const typical = patientFromRecords('t', [{ time: 0, evid: 0, mdv: 1, cov }], 2);
    const dose = Math.max(250, Math.round((250 * individualValues(MODEL, typical, null).CL) / 50) * 50);
    const design = patientFromRecords(
      `${seed}-${i + 1}`,
      [
        { time: 0, evid: 1, amt: dose, rate: dose, ii: 12, addl: 7, cov },
        ...[35.5, 59.5, 83.5].map((t) => ({ time: t, evid: 0, mdv: 0, dv: 0, cov })),
      ],
      2,
    );
    const p = simulatePopulation(MODEL, [design], seed * 1000 + i, withCl(factor)).patients[0];
    // A level is never reported below 0.5 mg/L (the additive error can draw one below 0).
    return { ...p, dv: p.dv.map((v, r) => (p.evid[r] === 0 ? Math.max(0.5, v) : v)) };
  });
}

test('predictive check, 30 held-out patients with 0.7 × the published CL (seed 12): the true-CL model is better (|bias| 2.4 % vs 13.2 %, median |rPE| 16.4 % vs 21.0 %, ± 0.5 %; RMSE 39.2 % vs 34.9 %); the published model is not better than itself', () => {
  const heldOut = localPatients(30, 12, 0.7).map((data) => ({ data, attributes: {} }));
  const truth = modelWith(MODEL, withCl(0.7));
  const c = predictiveCheck(MODEL, truth, heldOut);
  assert.equal(c.patients, 30);
  assert.equal(c.published.forecasts, 90);
  // The published model forecasts too low (its clearance is too high): negative bias.
  assert.ok(Math.abs(c.published.bias - -0.132) < 0.005, String(c.published.bias));
  assert.ok(Math.abs(c.updated.bias - -0.024) < 0.005, String(c.updated.bias));
  assert.ok(Math.abs(c.published.medianAbs - 0.21) < 0.005, String(c.published.medianAbs));
  assert.ok(Math.abs(c.updated.medianAbs - 0.164) < 0.005, String(c.updated.medianAbs));
  // The RMSE of rPE is not judged on: its tail favours the under-predicting published model.
  assert.ok(Math.abs(c.published.rmse - 0.349) < 0.005 && Math.abs(c.updated.rmse - 0.392) < 0.005);
  assert.equal(c.better, true);
  assert.equal(predictiveCheck(MODEL, MODEL, heldOut).better, false);
});
