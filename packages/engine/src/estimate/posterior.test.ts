// Issue 9, acceptance 3: on a linear-Gaussian case the sampler's posterior mean and covariance
// match the exact posterior within Monte Carlo error; the MAP mode and ETC are exact there.
//
// Model: CP(t) = C0 + SA·η_A + SB·(t/10)·η_B (linear in η, the `0 * central` term only gives the
// model a compartment), additive error σ = 0.5 mg/L, Ω = [[0.3, 0.1], [0.1, 0.2]]. With design
// rows X_j = (SA, SB·t_j/10) and y = C0 + Xη + ε the posterior is Gaussian (Bayesian linear
// regression), precision P = Ω⁻¹ + XᵀX/σ², mean μ = P⁻¹Xᵀ(y − C0)/σ².
//
// Monte Carlo error bound: each comparison passes when |estimate − exact| ≤ 4 standard errors, the
// standard error from 50 batch means of the chain (mean: of x_i; covariance: of (x_i − x̄_i)(x_j −
// x̄_j)), which accounts for autocorrelation. Under the null, a 4-SE deviation has two-sided
// probability 6e-5 per comparison; the seed is fixed, so the test is deterministic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, patient } from '../test-support/models.ts';
import { MapEstimator } from './map.ts';
import { predictionBands, samplePosterior } from './posterior.ts';

const MODEL = `
parameters  value  unit  label
  C0        10     mg/L  "intercept"
  SA        2      mg/L  "effect of eta_A"
  SB        -3     mg/L  "effect of eta_B per 10 h"
  CL        1      L/h   "unused clearance"
  V         1      L     "unused volume"

random
  eta_A ~ 0.3    eta_B ~ 0.2    cov(eta_A, eta_B) = 0.1

equations
  pk one_cmt(cl = CL, v = V)
  CP = C0 + SA * eta_A + SB * (t / 10) * eta_B + 0 * central

error
  CP ~ add(0.5)
`;

const TIMES = [1, 5, 12, 24];
const DV = [11.2, 9.1, 8.7, 5.9];
const SIGMA2 = 0.25;
const OMEGA = [0.3, 0.1, 0.1, 0.2];

/** Exact posterior mean and covariance (2×2). */
function exact(): { mu: number[]; cov: number[] } {
  const det = OMEGA[0] * OMEGA[3] - OMEGA[1] * OMEGA[2];
  const P = [OMEGA[3] / det, -OMEGA[1] / det, -OMEGA[2] / det, OMEGA[0] / det];
  const b = [0, 0];
  TIMES.forEach((t, j) => {
    const x = [2, (-3 * t) / 10];
    for (let a = 0; a < 2; a++) {
      b[a] += (x[a] * (DV[j] - 10)) / SIGMA2;
      for (let c = 0; c < 2; c++) P[a * 2 + c] += (x[a] * x[c]) / SIGMA2;
    }
  });
  const d = P[0] * P[3] - P[1] * P[2];
  const cov = [P[3] / d, -P[1] / d, -P[2] / d, P[0] / d];
  return { mu: [cov[0] * b[0] + cov[1] * b[1], cov[2] * b[0] + cov[3] * b[1]], cov };
}

function setup(): { est: MapEstimator; p: ReturnType<typeof patient> } {
  const model = compile(MODEL);
  const p = patient([{ time: 0, amt: 1, cmt: 1 }], TIMES, 1);
  let k = 0;
  for (let i = 0; i < p.n; i++)
    if (p.evid[i] === 0) {
      p.dv[i] = DV[k++];
      p.mdv[i] = 0;
    }
  return { est: new MapEstimator(model), p };
}

test('linear-Gaussian: MAP mode = posterior mean, ETC = posterior covariance (rel. 1e-6)', () => {
  const { est, p } = setup();
  const fit = est.fit(p);
  const { mu, cov } = exact();
  assert.ok(fit.converged);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(fit.eta[i] - mu[i]) <= 1e-6 * Math.abs(mu[i]), `mode ${i}`);
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(fit.cov[k] - cov[k]) <= 1e-6 * Math.abs(cov[k]), `ETC ${k}`);
});

test('linear-Gaussian: adaptive Metropolis mean and covariance within 4 Monte Carlo SE of the exact posterior', (t) => {
  const { est, p } = setup();
  const fit = est.fit(p);
  const obj = est.objective(p);
  const s = samplePosterior(obj, fit.x, fit.cov, { samples: 20000, thin: 2, seed: 20260101 });
  const { mu, cov } = exact();
  assert.equal(s.size, 20000);
  assert.ok(s.acceptance > 0.2 && s.acceptance < 0.6, `acceptance ${s.acceptance}`);
  t.diagnostic(
    `acceptance ${s.acceptance.toFixed(3)}, ESS ${Array.from(s.ess, (e) => e.toFixed(0)).join(', ')}`,
  );
  for (let i = 0; i < 2; i++) {
    t.diagnostic(
      `mean ${i}: ${s.mean[i].toFixed(5)} vs exact ${mu[i].toFixed(5)}, SE ${s.meanSe[i].toExponential(2)}`,
    );
    assert.ok(
      Math.abs(s.mean[i] - mu[i]) <= 4 * s.meanSe[i],
      `mean ${i}: ${s.mean[i]} vs ${mu[i]} ± ${s.meanSe[i]}`,
    );
  }
  // Batch-means SE of the covariance elements.
  const B = 50;
  const len = s.size / B;
  for (let a = 0; a < 2; a++)
    for (let c = 0; c <= a; c++) {
      const batch: number[] = [];
      for (let b = 0; b < B; b++) {
        let m = 0;
        for (let k = b * len; k < (b + 1) * len; k++)
          m += (s.draws[k * 2 + a] - s.mean[a]) * (s.draws[k * 2 + c] - s.mean[c]);
        batch.push(m / len);
      }
      const bm = batch.reduce((x, y) => x + y, 0) / B;
      const se = Math.sqrt(batch.reduce((x, y) => x + (y - bm) ** 2, 0) / (B - 1) / B);
      const got = s.cov[a * 2 + c];
      t.diagnostic(
        `cov ${a}${c}: ${got.toExponential(4)} vs exact ${cov[a * 2 + c].toExponential(4)}, SE ${se.toExponential(2)}`,
      );
      assert.ok(
        Math.abs(got - cov[a * 2 + c]) <= 4 * se,
        `cov ${a}${c}: ${got} vs ${cov[a * 2 + c]} ± ${se}`,
      );
    }
});

test('sampler is reproducible: same seed, same draws; another seed, other draws', () => {
  const { est, p } = setup();
  const fit = est.fit(p);
  const obj = est.objective(p);
  const a = samplePosterior(obj, fit.x, fit.cov, { samples: 200, seed: 7 });
  const b = samplePosterior(obj, fit.x, fit.cov, { samples: 200, seed: 7 });
  const c = samplePosterior(obj, fit.x, fit.cov, { samples: 200, seed: 8 });
  assert.deepEqual(a.draws, b.draws);
  assert.notDeepEqual(a.draws, c.draws);
});

test('prediction bands: quantiles of CP at the records bracket the prediction at the mode', () => {
  const { est, p } = setup();
  const fit = est.fit(p);
  const s = samplePosterior(est.objective(p), fit.x, fit.cov, { samples: 2000, seed: 3 });
  const { bands, auc } = predictionBands(est.sim, p, s, (x, eta) => eta.set(x));
  assert.equal(bands.length, TIMES.length);
  bands.forEach((b, k) => {
    assert.ok(b.q[0] < fit.ipred[k].ipred && fit.ipred[k].ipred < b.q[2], `band ${k}`);
  });
  assert.equal(auc.length, 1);
  assert.ok(auc[0].q[0] < auc[0].q[1] && auc[0].q[1] < auc[0].q[2]);
});
