import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { createRng } from '../simulate/rng.ts';
import { cholesky } from './linalg.ts';
import type { MapObjective } from './objective.ts';

export interface PosteriorOptions {
  /** Draws kept (default 2000). */
  samples?: number;
  /** Iterations discarded first (default max(500, samples/4)). */
  burnIn?: number;
  /** Keep every `thin`-th iteration (default 2). */
  thin?: number;
  /** Seed of the pure-rand stream (default 1): the same seed gives the same draws. */
  seed?: number;
}

/** Draws of x from its posterior, with summaries and Monte Carlo standard errors. */
export interface PosteriorSample {
  /** Dimension of x (`MapObjective.names`). */
  n: number;
  names: string[];
  /** Number of draws. */
  size: number;
  /** Draws, row-major: draws[s * n + i]. */
  draws: Float64Array;
  /** Acceptance rate of the Metropolis steps. */
  acceptance: number;
  mean: Float64Array;
  sd: Float64Array;
  /** Posterior covariance (n×n, row-major). */
  cov: Float64Array;
  /** Monte Carlo standard error of each mean, by batch means (50 batches). */
  meanSe: Float64Array;
  /** Effective sample size of each component, (sd / meanSe)². */
  ess: Float64Array;
  /** Quantile p of component i (type-7 interpolation, as R's default). */
  quantile(i: number, p: number): number;
}

/**
 * Samples the posterior density π(x) ∝ exp(−f(x)/2) of one patient's random effects by adaptive
 * Metropolis (Haario, Saksman & Tamminen, Bernoulli 2001;7:223–242): a Gaussian random-walk
 * proposal with covariance s_d·(C + εI), s_d = 2.38²/d (Gelman, Roberts & Gilks 1996), where C is
 * the conditional covariance at the mode (ETC) for the first 200 iterations and then the running
 * covariance of the chain, ε = 1e-8·mean(diag ETC). The chain starts at the mode. Exact for any
 * posterior shape (multimodal, skewed, bounded by kinks) given enough draws; the ETC start makes
 * it efficient for the near-Gaussian posteriors of typical TDM data. Seeded (pure-rand
 * xoroshiro128+), no other randomness: reproducible.
 *
 * Cost: (burnIn + samples·thin) evaluations of f, one simulator run each.
 */
export function samplePosterior(
  obj: MapObjective,
  mode: ArrayLike<number>,
  modeCov: ArrayLike<number>,
  options: PosteriorOptions = {},
): PosteriorSample {
  const n = obj.n;
  const samples = options.samples ?? 2000;
  const burnIn = options.burnIn ?? Math.max(500, Math.floor(samples / 4));
  const thin = options.thin ?? 2;
  const rng = createRng(options.seed ?? 1);
  const sd = (2.38 * 2.38) / Math.max(n, 1);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += modeCov[i * n + i] / n;
  const eps = 1e-8 * (meanDiag > 0 && Number.isFinite(meanDiag) ? meanDiag : 1);
  const t0 = 200;

  const x = Float64Array.from(mode);
  let fx = obj.value(x);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const C = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  const Lp = new Float64Array(n * n);
  // Proposal factor from the ETC (or the prior covariance if the ETC is not usable).
  C.set(Array.from({ length: n * n }, (_, k) => modeCov[k]));
  if (!cholesky(n, C, L)) cholesky(n, obj.priorCov, L);
  for (let k = 0; k < n * n; k++) L[k] *= Math.sqrt(sd);
  // Running mean and covariance (Welford) of the chain, for the adaptation.
  const runMean = new Float64Array(n);
  const runM2 = new Float64Array(n * n);
  const draws = new Float64Array(samples * n);
  let accepted = 0;
  let kept = 0;
  const total = burnIn + samples * thin;
  for (let t = 1; t <= total; t++) {
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    for (let i = 0; i < n; i++) {
      let v = x[i];
      for (let j = 0; j <= i; j++) v += L[i * n + j] * z[j];
      y[i] = v;
    }
    const fy = obj.value(y);
    // Metropolis: accept with probability min(1, π(y)/π(x)) = min(1, exp((f(x) − f(y))/2)).
    if (fy < Infinity && Math.log(rng.uniform()) < 0.5 * (fx - fy)) {
      x.set(y);
      fx = fy;
      accepted++;
    }
    // Welford update with the current state.
    for (let i = 0; i < n; i++) {
      const di = x[i] - runMean[i];
      runMean[i] += di / t;
      for (let j = 0; j <= i; j++) runM2[i * n + j] += di * (x[j] - runMean[j]);
    }
    if (t >= t0 && t % 10 === 0) {
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          const v = runM2[i * n + j] / (t - 1) + (i === j ? eps : 0);
          C[i * n + j] = v;
          C[j * n + i] = v;
        }
      if (cholesky(n, C, Lp)) for (let k = 0; k < n * n; k++) L[k] = Lp[k] * Math.sqrt(sd);
    }
    if (t > burnIn && (t - burnIn) % thin === 0) {
      draws.set(x, kept * n);
      kept++;
    }
  }
  return summarise(n, obj.names, draws, accepted / total);
}

/** Summaries of draws (row-major, n columns). */
export function summarise(
  n: number,
  names: string[],
  draws: Float64Array,
  acceptance: number,
): PosteriorSample {
  const size = n > 0 ? draws.length / n : 0;
  const mean = new Float64Array(n);
  for (let s = 0; s < size; s++) for (let i = 0; i < n; i++) mean[i] += draws[s * n + i] / size;
  const cov = new Float64Array(n * n);
  for (let s = 0; s < size; s++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        cov[i * n + j] += ((draws[s * n + i] - mean[i]) * (draws[s * n + j] - mean[j])) / (size - 1);
  const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(cov[i * n + i]));
  const meanSe = new Float64Array(n);
  const ess = new Float64Array(n);
  const B = 50;
  const len = Math.floor(size / B);
  for (let i = 0; i < n && len > 0; i++) {
    let ss = 0;
    for (let b = 0; b < B; b++) {
      let m = 0;
      for (let s = b * len; s < (b + 1) * len; s++) m += draws[s * n + i] / len;
      ss += (m - mean[i]) * (m - mean[i]);
    }
    meanSe[i] = Math.sqrt(ss / (B - 1) / B);
    ess[i] = meanSe[i] > 0 ? (sd[i] / meanSe[i]) ** 2 : size;
  }
  const sorted: Float64Array[] = [];
  const quantile = (i: number, p: number): number => {
    if (!sorted[i]) sorted[i] = Float64Array.from({ length: size }, (_, s) => draws[s * n + i]).sort();
    return quantileSorted(sorted[i], p);
  };
  return { n, names, size, draws, acceptance, mean, sd, cov, meanSe, ess, quantile };
}

/** Type-7 quantile of sorted values (linear interpolation between order statistics). */
export function quantileSorted(v: ArrayLike<number>, p: number): number {
  const m = v.length;
  if (m === 0) return NaN;
  const h = (m - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(m - 1, lo + 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/** Credible band of predictions at the EVID 0/2 records of a patient. */
export interface PredictionBand {
  /** Record index, time, CMT. */
  record: number;
  time: number;
  cmt: number;
  /** Quantiles of the prediction at `probs`, in order. */
  q: number[];
}

/**
 * Posterior predictive credible bands of the model predictions: each draw of x is mapped to the
 * model's etas by `toEta` (typically between-subject etas from the draw, inter-occasion etas 0 =
 * the forecast convention), the patient (e.g. with future doses and a grid of EVID 2 records) is
 * simulated, and the quantiles `probs` of the predictions at every EVID 0/2 record are returned,
 * with the same quantiles of the area under the curve (linear trapezoids over those records, per
 * observation compartment) from the first to the last of them.
 */
export function predictionBands(
  sim: Simulator,
  patient: PatientData,
  sample: PosteriorSample,
  toEta: (draw: Float64Array, eta: Float64Array) => void,
  probs: readonly number[] = [0.05, 0.5, 0.95],
): { bands: PredictionBand[]; auc: { cmt: number; from: number; to: number; q: number[] }[] } {
  const recs: number[] = [];
  for (let i = 0; i < patient.n; i++) if (patient.evid[i] === 0 || patient.evid[i] === 2) recs.push(i);
  const S = sample.size;
  const values = recs.map(() => new Float64Array(S));
  const cmts = [...new Set(recs.map((i) => patient.cmt[i]))];
  const aucs = cmts.map(() => new Float64Array(S));
  const out = new Float64Array(patient.n);
  const eta = new Float64Array(sim.model.ir.etas.length);
  const draw = new Float64Array(sample.n);
  for (let s = 0; s < S; s++) {
    draw.set(sample.draws.subarray(s * sample.n, (s + 1) * sample.n));
    eta.fill(0);
    toEta(draw, eta);
    try {
      sim.run(patient, eta, out);
    } catch {
      out.fill(NaN);
    }
    recs.forEach((i, k) => (values[k][s] = out[i]));
    cmts.forEach((c, k) => {
      let area = 0;
      let prev = -1;
      for (const i of recs) {
        if (patient.cmt[i] !== c) continue;
        if (prev >= 0) area += 0.5 * (out[i] + out[prev]) * (patient.time[i] - patient.time[prev]);
        prev = i;
      }
      aucs[k][s] = area;
    });
  }
  const qs = (v: Float64Array): number[] => {
    const finite = Float64Array.from(v.filter(Number.isFinite)).sort();
    return probs.map((p) => quantileSorted(finite, p));
  };
  const bands = recs.map((i, k) => ({
    record: i,
    time: patient.time[i],
    cmt: patient.cmt[i],
    q: qs(values[k]),
  }));
  const auc = cmts.map((c, k) => {
    const times = recs.filter((i) => patient.cmt[i] === c).map((i) => patient.time[i]);
    return { cmt: c, from: times[0], to: times[times.length - 1], q: qs(aucs[k]) };
  });
  return { bands, auc };
}
