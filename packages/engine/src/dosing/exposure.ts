import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';

/** Successive local refinements of an extreme or a MIC crossing (each one simulation run). */
export const REFINE_STAGES = 5;

/** What to measure over a window of one patient's predicted profile. Times in model time units. */
export interface ExposureQuery {
  from: number;
  to: number;
  /** Output (error model) index; default 0. */
  output?: number;
  /** Minimum inhibitory concentration, in the model's concentration unit, for %fT>MIC, fAUC/MIC, Cmax/MIC. */
  mic?: number;
  /** Unbound fraction applied to concentrations compared with the MIC (default 1). */
  fu?: number;
  /** Times at which to report the concentration (e.g. end of infusion + 1 h). */
  at?: number[];
  /** Points of the first-pass grid over the window (default 400). */
  gridPoints?: number;
  /** Refine Cmax/Cmin on local grids (default true); false = grid values only, faster when only AUC matters. */
  refineExtremes?: boolean;
  /**
   * The AUC over the window when the caller already has it (e.g. several windows of one profile
   * from one integral run, `aucs` in steady-state.ts): the integral run is then skipped.
   */
  auc?: number;
}

export interface Exposure {
  from: number;
  to: number;
  /** ∫ C dt over the window (exact to ~1e-12: adaptive Gauss–Legendre between events). */
  auc: number;
  /** AUC / window length. */
  cavg: number;
  cmax: number;
  tmax: number;
  cmin: number;
  tmin: number;
  /** Concentrations at `query.at`. */
  cAt: number[];
  /**
   * With a MIC: the MIC and unbound fraction used, time with fu·C > MIC (model time units), its %
   * of the window, fu·AUC/MIC, Cmax/MIC.
   */
  mic?: {
    mic: number;
    fu: number;
    tAbove: number;
    fTAbovePct: number;
    fAucOverMic: number;
    cmaxOverMic: number;
  };
}

/**
 * Exposure of one patient (records = history and planned doses) at one eta vector over a
 * window. Extremes and MIC crossings are located on a grid that includes every record and
 * infusion end, then refined on {@link REFINE_STAGES} successive local grids, each 20× finer
 * (the located time is within window/(gridPoints·20^5) of the true one, e.g. 4e-8 h for 48 h
 * and 400 points). AUC comes from the simulator's exact integral, not from the grid.
 */
export function computeExposure(
  sim: Simulator,
  patient: PatientData,
  eta: ArrayLike<number> | null,
  q: ExposureQuery,
): Exposure {
  const output = q.output ?? 0;
  const fu = q.fu ?? 1;
  if (!(q.to > q.from) || !Number.isFinite(q.from) || !Number.isFinite(q.to))
    fail('DT_EXPOSURE_WINDOW', 'window', `window [${q.from}, ${q.to}] must have to > from, both finite`);
  if (q.mic !== undefined && !(q.mic > 0)) fail('DT_EXPOSURE_MIC', 'mic', `MIC ${q.mic} must be > 0`);
  if (!(fu > 0 && fu <= 1)) fail('DT_EXPOSURE_FU', 'fu', `unbound fraction ${fu} must be in (0, 1]`);
  if (output < 0 || output >= sim.model.ir.errors.length)
    fail(
      'DT_EXPOSURE_OUTPUT',
      'output',
      `output ${output} does not exist (model has ${sim.model.ir.errors.length})`,
    );
  const cmt = sim.model.ir.errors[output].cmts[0] ?? 0;
  const n = q.gridPoints ?? 400;
  const inWindow = (t: number): boolean => t >= q.from && t <= q.to;
  const grid = new Set<number>();
  for (let i = 0; i <= n; i++) grid.add(q.from + ((q.to - q.from) * i) / n);
  for (let i = 0; i < patient.n; i++) {
    const t = patient.time[i];
    if (inWindow(t)) grid.add(t);
    if (patient.rate[i] > 0 && patient.amt[i] > 0) {
      for (let j = 0; j <= patient.addl[i]; j++) {
        const end = t + j * patient.ii[i] + patient.amt[i] / patient.rate[i];
        if (inWindow(end)) grid.add(end);
      }
    }
  }
  for (const t of q.at ?? []) if (inWindow(t)) grid.add(t);

  const evaluate = (times: number[], withAuc: boolean): { t: number[]; c: number[]; auc: number[] } => {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const p = withPredictionTimes(patient, sorted, cmt);
    const out = new Float64Array(p.n);
    const cum = new Float64Array(p.n);
    const prev = sim.integrateOutput;
    sim.integrateOutput = withAuc ? output : -1;
    try {
      sim.run(p, eta, out, withAuc ? cum : undefined);
    } finally {
      sim.integrateOutput = prev;
    }
    const c: number[] = [];
    const auc: number[] = [];
    for (let i = 0; i < p.n; i++)
      if (p.evid[i] === 2 && p.line[i] === 0) {
        c.push(out[i]);
        auc.push(cum[i]);
      }
    return { t: sorted, c, auc };
  };

  // Concentrations on the grid (no integral: uniform steps reuse the solver's cached propagators),
  // then the AUC from a run with the two window ends only, integrated exactly between events.
  const first = evaluate([...grid], false);
  let auc: number;
  if (q.auc !== undefined) auc = q.auc;
  else {
    const ends = evaluate([q.from, q.to], true);
    auc = ends.auc[ends.auc.length - 1] - ends.auc[0];
  }
  const at = (t: number): number => first.c[first.t.indexOf(t)];

  // Refine the extremes and the MIC crossings on local grids.
  const refine = (
    pts: { t: number[]; c: number[] },
    pick: (c: number[]) => number,
  ): { t: number; c: number } => {
    let best = pick(pts.c);
    let cur = pts;
    for (let stage = 0; stage < REFINE_STAGES; stage++) {
      const lo = cur.t[Math.max(0, best - 1)];
      const hi = cur.t[Math.min(cur.t.length - 1, best + 1)];
      if (!(hi > lo)) break;
      const local = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
      cur = evaluate(local, false);
      best = pick(cur.c);
    }
    return { t: cur.t[best], c: cur.c[best] };
  };
  const argmax = (c: number[]): number => c.reduce((b, v, i) => (v > c[b] ? i : b), 0);
  const argmin = (c: number[]): number => c.reduce((b, v, i) => (v < c[b] ? i : b), 0);
  const coarse = (pick: (c: number[]) => number): { t: number; c: number } => ({
    t: first.t[pick(first.c)],
    c: first.c[pick(first.c)],
  });
  const mx = q.refineExtremes === false ? coarse(argmax) : refine(first, argmax);
  const mn = q.refineExtremes === false ? coarse(argmin) : refine(first, argmin);
  const result: Exposure = {
    from: q.from,
    to: q.to,
    auc,
    cavg: auc / (q.to - q.from),
    cmax: Math.max(mx.c, ...first.c),
    tmax: mx.c >= Math.max(...first.c) ? mx.t : first.t[argmax(first.c)],
    cmin: Math.min(mn.c, ...first.c),
    tmin: mn.c <= Math.min(...first.c) ? mn.t : first.t[argmin(first.c)],
    cAt: (q.at ?? []).map((t) => (inWindow(t) ? at(t) : evaluate([t], false).c[0])),
  };
  if (q.mic !== undefined) {
    const mic = q.mic;
    const above = (c: number): boolean => fu * c > mic;
    let tAbove = 0;
    for (let i = 1; i < first.t.length; i++) {
      const [t0, t1] = [first.t[i - 1], first.t[i]];
      const [a0, a1] = [above(first.c[i - 1]), above(first.c[i])];
      if (a0 && a1) tAbove += t1 - t0;
      else if (a0 !== a1) {
        // One crossing in (t0, t1): locate it on two successively finer local grids.
        let lo = t0;
        let hi = t1;
        for (let stage = 0; stage < REFINE_STAGES; stage++) {
          const local = Array.from({ length: 41 }, (_, k) => lo + ((hi - lo) * k) / 40);
          const e = evaluate(local, false);
          let j = 1;
          while (j < e.t.length - 1 && above(e.c[j]) === a0) j++;
          [lo, hi] = [e.t[j - 1], e.t[j]];
          if (stage === REFINE_STAGES - 1) {
            // Linear interpolation of fu·C − MIC within the last cell.
            const f0 = fu * e.c[j - 1] - mic;
            const f1 = fu * e.c[j] - mic;
            const tc = f1 === f0 ? lo : lo + ((hi - lo) * f0) / (f0 - f1);
            tAbove += a0 ? tc - t0 : t1 - tc;
          }
        }
      }
    }
    result.mic = {
      mic,
      fu,
      tAbove,
      fTAbovePct: (100 * tAbove) / (q.to - q.from),
      fAucOverMic: (fu * auc) / mic,
      cmaxOverMic: result.cmax / mic,
    };
  }
  return result;
}
