import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { type FutureRegimen, hasIov, regimenPatient } from './regimen.ts';

/** How fast a regimen approaches its steady state, from the patient's current state. */
export interface SteadyStateApproach {
  /** AUC over one dosing interval at steady state. */
  aucTauSs: number;
  /** AUC over each successive interval from the regimen's start (as many as were simulated). */
  aucTau: number[];
  /** The fraction asked for (default 0.9). */
  fraction: number;
  /**
   * First interval (1-based) whose AUC is within 1 − fraction of the steady-state AUC, i.e.
   * |AUC_k / AUC_ss − 1| ≤ 1 − fraction; null if not within the intervals simulated.
   */
  interval: number | null;
  /**
   * Continuous number of intervals: the relative shortfall s_k = |1 − AUC_k/AUC_ss| is
   * interpolated log-linearly in k between the bracketing intervals; 1 when the first interval
   * is already within. Exact when s_k is geometric, as for a one-compartment model from an empty
   * state: s_k = e^{−k·kel·τ}, so 90 % is reached after ln(10)/(kel·τ) intervals (≥ 1), i.e.
   * ln(10)/kel = 3.3 half-lives.
   */
  intervals: number | null;
  /** intervals·τ: time after the start to reach the fraction (model time unit). */
  time: number | null;
}

/** Intervals simulated at first, and at most (long half-lives relative to the interval). */
const FIRST_INTERVALS = 16;
const MAX_INTERVALS = 1200;

/**
 * Time for a regimen to reach a fraction (default 90 %) of its steady-state exposure per interval,
 * starting from the patient's state at the regimen's start (history included, loading dose
 * included): the AUC of each successive interval against the AUC of an interval at steady state.
 */
export function steadyStateApproach(
  sim: Simulator,
  history: PatientData,
  regimen: FutureRegimen,
  eta: ArrayLike<number> | null,
  o: { fraction?: number; output?: number } = {},
): SteadyStateApproach {
  const fraction = o.fraction ?? 0.9;
  if (!(fraction > 0 && fraction < 1))
    fail('DT_STEADY_STATE', 'fraction', `fraction ${fraction} must be in (0, 1)`);
  const output = o.output ?? 0;
  const tau = regimen.interval;
  const ss = aucs(sim, regimenPatient(history, regimen, { steadyState: true, count: 2 }), eta, output, [
    regimen.start,
    regimen.start + tau,
  ]);
  const aucTauSs = ss[1] - ss[0];
  let n = FIRST_INTERVALS;
  for (;;) {
    const times = Array.from({ length: n + 1 }, (_, k) => regimen.start + k * tau);
    const cum = aucs(
      sim,
      regimenPatient(history, regimen, { count: n, closeOccasion: hasIov(sim) }),
      eta,
      output,
      times,
    );
    const aucTau = Array.from({ length: n }, (_, k) => cum[k + 1] - cum[k]);
    const tol = 1 - fraction;
    const k = aucTau.findIndex((a) => Math.abs(1 - a / aucTauSs) <= tol * (1 + 1e-12));
    if (k >= 0 || n >= MAX_INTERVALS) {
      if (k < 0) return { aucTauSs, aucTau, fraction, interval: null, intervals: null, time: null };
      // Already within over the first interval (the history, or a loading dose): 1 interval.
      let intervals = 1;
      if (k > 0) {
        const s0 = Math.abs(1 - aucTau[k - 1] / aucTauSs);
        const s1 = Math.max(Math.abs(1 - aucTau[k] / aucTauSs), Number.MIN_VALUE);
        // ln s is linear in the interval number between k and k + 1 (1-based).
        intervals = s0 > s1 ? k + Math.log(s0 / tol) / Math.log(s0 / s1) : k + 1;
      }
      return { aucTauSs, aucTau, fraction, interval: k + 1, intervals, time: intervals * tau };
    }
    n = Math.min(MAX_INTERVALS, n * 10);
  }
}

/** Cumulative AUC of `output` at `times` (from the patient's first record). */
export function aucs(
  sim: Simulator,
  p: PatientData,
  eta: ArrayLike<number> | null,
  output: number,
  times: number[],
): number[] {
  const cmt = sim.model.ir.errors[output]?.cmts[0] ?? 0;
  const q = withPredictionTimes(p, times, cmt);
  const out = new Float64Array(q.n);
  const cum = new Float64Array(q.n);
  const prev = sim.integrateOutput;
  sim.integrateOutput = output;
  try {
    sim.run(q, eta, out, cum);
  } finally {
    sim.integrateOutput = prev;
  }
  const v: number[] = [];
  for (let i = 0; i < q.n; i++) if (q.evid[i] === 2 && q.line[i] === 0) v.push(cum[i]);
  return v;
}
