import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { FiniteDifferences } from '../estimate/jacobian.ts';
import { cholesky, forwardSolve } from '../estimate/linalg.ts';
import { quantileSorted } from '../estimate/posterior.ts';
import { MapObjective, withVarianceTap } from '../estimate/objective.ts';
import { residualVariance } from '../simulate/residual.ts';
import { Simulator } from '../simulate/simulator.ts';
import { withPredictionTimes } from '../events/grid.ts';
import { modelWith, type PopulationParameters } from './parameters.ts';
import { simulatePopulation } from './simulate.ts';

/** Goodness-of-fit values of one observation. */
export interface ObservationDiagnostic {
  id: string;
  time: number;
  /** Observed value (the LLOQ for a censored one). */
  dv: number;
  /** Population prediction (η = 0). */
  pred: number;
  /** Individual prediction (at the empirical Bayes estimates). */
  ipred: number;
  /** Individual weighted residual (DV − IPRED)/SD at IPRED; NaN when censored. */
  iwres: number;
  /**
   * Conditional weighted residual (Hooker AC et al., Pharm Res 2007;24:2187–2197): the subject's
   * residuals y − (F(η̂) − Gη̂) decorrelated by the Cholesky factor of GΩGᵀ + diag(var(η̂)), G = ∂F/∂η
   * at η̂ (log scale for an exp error); NaN when censored.
   */
  cwres: number;
  /** Below the limit of quantification (M3). */
  censored: boolean;
}

/**
 * PRED, IPRED, IWRES and CWRES of every observation at population parameters p and each subject's
 * etas (model order, as a fit's individual estimates). Inter-occasion etas are taken as 0.
 */
export function goodnessOfFit(
  model: CompiledModel,
  patients: readonly PatientData[],
  p: PopulationParameters,
  etas: readonly ArrayLike<number>[],
): ObservationDiagnostic[] {
  const m = modelWith(model, p);
  const sim = new Simulator(m.ir.errors.some((e) => e.kind === 'variance') ? withVarianceTap(m) : m);
  const jac = new FiniteDifferences('central', sim.advancer.exact ? 1e-4 : 1e-3);
  const out: ObservationDiagnostic[] = [];
  patients.forEach((patient, i) => {
    const obj = new MapObjective(sim, patient);
    const n = obj.n;
    const nObs = obj.nObs;
    const x = new Float64Array(n);
    for (let a = 0; a < n; a++) if (obj.occasion[a] === 0) x[a] = etas[i][obj.etaIndex[a]];
    const F0 = new Float64Array(obj.nPred);
    const okPred = obj.predict(new Float64Array(n), F0);
    const F = new Float64Array(obj.nPred);
    const J = new Float64Array(obj.nPred * n);
    const ok = jac.compute(obj, x, F, J);
    const errs = m.ir.errors;
    // Transformed scale (ln for exp errors): G, its Jacobian and the variance per observation.
    const G = new Float64Array(nObs);
    const Jg = new Float64Array(nObs * n);
    const v = new Float64Array(nObs);
    for (let j = 0; j < nObs; j++) {
      const e = errs[obj.obsOutput[j]];
      const isExp = e.kind === 'exp';
      G[j] = isExp ? Math.log(F[j]) : F[j];
      for (let a = 0; a < n; a++) Jg[j * n + a] = isExp ? J[j * n + a] / F[j] : J[j * n + a];
      v[j] = residualVariance(e, F[j], obj.obsVarAt[j] >= 0 ? F[obj.obsVarAt[j]] : null);
    }
    // CWRES over the quantified observations.
    const q = Array.from({ length: nObs }, (_, j) => j).filter((j) => obj.obsCens[j] === 0);
    const cw = new Float64Array(nObs).fill(NaN);
    if (ok && q.length) {
      const k = q.length;
      const C = new Float64Array(k * k);
      const P = obj.priorCov;
      for (let a = 0; a < k; a++)
        for (let b = 0; b <= a; b++) {
          let s = 0;
          for (let r = 0; r < n; r++)
            for (let c = 0; c < n; c++) s += Jg[q[a] * n + r] * P[r * n + c] * Jg[q[b] * n + c];
          C[a * k + b] = C[b * k + a] = s + (a === b ? v[q[a]] : 0);
        }
      const L = new Float64Array(k * k);
      if (cholesky(k, C, L)) {
        const res = q.map((j) => {
          let gx = 0;
          for (let a = 0; a < n; a++) gx += Jg[j * n + a] * x[a];
          return obj.obsY[j] - (G[j] - gx);
        });
        const w = forwardSolve(k, L, res, new Float64Array(k));
        q.forEach((j, a) => (cw[j] = w[a]));
      }
    }
    for (let j = 0; j < nObs; j++) {
      const e = errs[obj.obsOutput[j]];
      const isExp = e.kind === 'exp';
      const cens = obj.obsCens[j] === 1;
      const y = obj.obsY[j];
      out.push({
        id: patient.id,
        time: patient.time[obj.obsRecord[j]],
        dv: isExp ? Math.exp(y) : y,
        pred: okPred ? F0[j] : NaN,
        ipred: ok ? F[j] : NaN,
        iwres: ok && !cens ? (y - G[j]) / Math.sqrt(v[j]) : NaN,
        cwres: cw[j],
        censored: cens,
      });
    }
  });
  return out;
}

/** One time bin of a visual predictive check. */
export interface VpcBin {
  /** Time range of the bin's observations and their median time. */
  lo: number;
  hi: number;
  time: number;
  count: number;
  /** 5th, 50th and 95th percentiles of the observed values. */
  observed: [number, number, number];
  /**
   * For each of the 5th, 50th and 95th percentiles of the simulated replicates: its 2.5th, 50th and
   * 97.5th percentile over the replicates (the 95 % confidence band of that percentile).
   */
  simulated: [[number, number, number], [number, number, number], [number, number, number]];
}

/** Options of {@link vpc}. */
export interface VpcOptions {
  replicates?: number;
  seed?: number;
  /** Number of time bins, of about equal numbers of observations (default 8). */
  bins?: number;
  /**
   * Prediction-corrected VPC (Bergstrand M et al., AAPS J 2011;13:143–151): every observed and
   * simulated value is multiplied by PRED_bin / PRED_ij (the bin's median PRED over the
   * observation's PRED), removing the variability that the design (doses, covariates) explains.
   * Observations whose PRED is 0 (before any drug arrives) are left out.
   */
  predictionCorrected?: boolean;
}

/**
 * Visual predictive check: the design of the data (doses, times, covariates) simulated `replicates`
 * times at population parameters p (etas from Ω, residual errors), and per time bin the observed
 * 5th, 50th and 95th percentiles beside the simulated ones' 95 % bands. Censored observations
 * are left out of the observed percentiles (their simulated counterparts too).
 */
export function vpc(
  model: CompiledModel,
  patients: readonly PatientData[],
  p: PopulationParameters,
  options: VpcOptions = {},
): VpcBin[] {
  const R = options.replicates ?? 200;
  const seed = options.seed ?? 1;
  const nb = options.bins ?? 8;
  // Observations (quantified), their times and PREDs.
  const m = modelWith(model, p);
  const sim = new Simulator(m);
  const obs: { i: number; r: number; time: number; dv: number; pred: number }[] = [];
  patients.forEach((pt, i) => {
    const pred = new Float64Array(pt.n);
    sim.run(pt, null, pred);
    for (let r = 0; r < pt.n; r++)
      // A prediction-corrected VPC cannot scale an observation whose PRED is 0 (before absorption).
      if (
        pt.evid[r] === 0 &&
        pt.mdv[r] === 0 &&
        pt.cens?.[r] !== 1 &&
        (!options.predictionCorrected || pred[r] > 0)
      )
        obs.push({ i, r, time: pt.time[r], dv: pt.dv[r], pred: pred[r] });
  });
  const order = obs.map((_, k) => k).sort((a, b) => obs[a].time - obs[b].time);
  const binOf = new Int32Array(obs.length);
  const groups: number[][] = [];
  let g = -1;
  order.forEach((k, rank) => {
    const b = Math.min(nb - 1, Math.floor((rank * nb) / order.length));
    // Observations at the same time stay in one bin.
    if (g < 0 || (b > g && obs[k].time !== obs[order[rank - 1]].time)) {
      g++;
      groups.push([]);
    }
    groups[g].push(k);
    binOf[k] = g;
  });
  const median = (v: number[]): number =>
    quantileSorted(
      [...v].sort((a, b) => a - b),
      0.5,
    );
  const binPred = groups.map((ks) => median(ks.map((k) => obs[k].pred)));
  const corr = (k: number, y: number): number =>
    options.predictionCorrected ? (y * binPred[binOf[k]]) / obs[k].pred : y;
  const pct = (v: number[]): [number, number, number] => {
    const s = [...v].sort((a, b) => a - b);
    return [quantileSorted(s, 0.05), quantileSorted(s, 0.5), quantileSorted(s, 0.95)];
  };
  const simPct = groups.map(() => [[], [], []] as number[][]);
  for (let rep = 0; rep < R; rep++) {
    const data = simulatePopulation(model, patients, seed + rep, p).patients;
    groups.forEach((ks, b) => {
      const q = pct(ks.map((k) => corr(k, data[obs[k].i].dv[obs[k].r])));
      for (let t = 0; t < 3; t++) simPct[b][t].push(q[t]);
    });
  }
  return groups.map((ks, b) => {
    const times = ks.map((k) => obs[k].time);
    const band = (t: number): [number, number, number] => {
      const s = [...simPct[b][t]].sort((x, y) => x - y);
      return [quantileSorted(s, 0.025), quantileSorted(s, 0.5), quantileSorted(s, 0.975)];
    };
    return {
      lo: Math.min(...times),
      hi: Math.max(...times),
      time: median(times),
      count: ks.length,
      observed: pct(ks.map((k) => corr(k, obs[k].dv))),
      simulated: [band(0), band(1), band(2)],
    };
  });
}

/** One subject's observations and its population and individual curves, for an individual-fit plot. */
export interface IndividualFit {
  id: string;
  /** Quantified and censored observations (DV; the LLOQ for a censored one). */
  observed: { time: number; dv: number; censored: boolean }[];
  /** A grid from the first to the last record, with PRED (η = 0) and IPRED (the subject's η̂). */
  curve: { time: number[]; pred: number[]; ipred: number[] };
}

/**
 * Each subject's curves at population parameters p on `points` times evenly spread over its
 * records (the doses' peaks between observations are what a plot of PRED and IPRED at the
 * observation times alone would hide). Inter-occasion etas are taken as 0.
 */
export function individualFits(
  model: CompiledModel,
  patients: readonly PatientData[],
  p: PopulationParameters,
  etas: readonly ArrayLike<number>[],
  points = 60,
): IndividualFit[] {
  const sim = new Simulator(modelWith(model, p));
  return patients.map((patient, i) => {
    const t0 = patient.time[0];
    const t1 = patient.time[patient.n - 1];
    const grid = Array.from({ length: points }, (_, k) => t0 + ((t1 - t0) * k) / Math.max(1, points - 1));
    const q = withPredictionTimes(patient, grid);
    const pred = new Float64Array(q.n);
    const ipred = new Float64Array(q.n);
    sim.run(q, null, pred);
    sim.run(q, etas[i], ipred);
    const added = Array.from({ length: q.n }, (_, r) => r).filter((r) => q.evid[r] === 2 && q.line[r] === 0);
    const observed: IndividualFit['observed'] = [];
    for (let r = 0; r < patient.n; r++)
      if (patient.evid[r] === 0 && patient.mdv[r] === 0)
        observed.push({ time: patient.time[r], dv: patient.dv[r], censored: patient.cens?.[r] === 1 });
    return {
      id: patient.id,
      observed,
      curve: {
        time: added.map((r) => q.time[r]),
        pred: added.map((r) => pred[r]),
        ipred: added.map((r) => ipred[r]),
      },
    };
  });
}
