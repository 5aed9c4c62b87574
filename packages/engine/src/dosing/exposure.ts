import { fail } from '../errors.ts';
import { withPredictionTimes } from '../events/grid.ts';
import { emptyPatient, type PatientData } from '../events/records.ts';
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
  /**
   * ∫ C dt over the window: a closed form's own integral between events when C is a multiple of
   * one compartment's amount (exact to rounding), else adaptive Gauss–Legendre (~1e-12).
   */
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
 * infusion end. A smooth extreme inside the window is then refined by Newton steps on the slope
 * (parabola vertices; the time of the peak to ~1e-10 of the window, its level to rounding); an
 * extreme at a kink, a jump or a window end, and the MIC crossings, on {@link REFINE_STAGES}
 * successive local grids, each 20× finer (within window/(gridPoints·20^5), e.g. 4e-8 h for 48 h
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
  // The grid's times in any order, repeats included: the run sorts them and keeps each once.
  const grid: number[] = [];
  for (let i = 0; i <= n; i++) grid.push(q.from + ((q.to - q.from) * i) / n);
  for (let i = 0; i < patient.n; i++) {
    const t = patient.time[i];
    if (inWindow(t)) grid.push(t);
    if (patient.rate[i] > 0 && patient.amt[i] > 0) {
      for (let j = 0; j <= patient.addl[i]; j++) {
        const end = t + j * patient.ii[i] + patient.amt[i] / patient.rate[i];
        if (inWindow(end)) grid.push(end);
      }
    }
  }
  for (const t of q.at ?? []) if (inWindow(t)) grid.push(t);

  // The grid's run and each refinement's fill one patient and one output buffer in turn (a run
  // reads only what it wrote): no dozen typed arrays allocated per run, nor per exposure.
  const scratch = scratchOf(sim, patient);
  const evaluate = (times: number[], withAuc: boolean): PredictionRun =>
    predictionRun(sim, patient, times, cmt, withAuc ? output : -1, scratch)(eta);

  // Concentrations on the grid (no integral: uniform steps reuse the solver's cached propagators),
  // then the AUC from a run with the two window ends only, integrated exactly between events.
  const first = evaluate(grid, false);
  const auc = q.auc ?? windowAuc(sim, patient, q.from, q.to, output)(eta);
  const at = (t: number): number => first.c[first.t.indexOf(t)];

  const argmax = (c: number[]): number => {
    let b = 0;
    for (let i = 1; i < c.length; i++) if (c[i] > c[b]) b = i;
    return b;
  };
  const argmin = (c: number[]): number => {
    let b = 0;
    for (let i = 1; i < c.length; i++) if (c[i] < c[b]) b = i;
    return b;
  };
  // An extreme on successive local grids around the best point: any profile (kinks at infusion
  // ends, plateaus, an extreme at a window end), one run of 41 times per stage.
  const staged = (pick: (c: number[]) => number): { t: number; c: number } => {
    let cur = first;
    let best = pick(cur.c);
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
  // A smooth extreme inside the window (the usual peak after an oral dose, a trough between
  // doses): Newton's method on the profile's slope, each step the vertex of the parabola through
  // three levels (the grid's best point and its neighbours, then a shrinking stencil around the
  // last vertex), one run of 3 times per step instead of 41 per stage. Where the parabola does
  // not open the right way or its vertex leaves the grid cell (a kink, a plateau), the grids above
  // decide. null = not settled here.
  const newton = (sign: 1 | -1, t: number[], c: number[]): { t: number; c: number } | null => {
    const lo = t[0];
    const hi = t[2];
    // The stencil's half-width stays above 1e-4 of the cell: narrower, the rounding of the levels
    // (ε·C/(C''·h)) would outweigh the parabola's own error (C'''·h²/(6·C'')) in the vertex.
    const hMin = (hi - lo) * 1e-4;
    for (let step = 0; step < 8; step++) {
      const d0 = (c[1] - c[0]) / (t[1] - t[0]);
      const d1 = (c[2] - c[1]) / (t[2] - t[1]);
      const curv = (d1 - d0) / (t[2] - t[0]);
      if (!(sign * curv < 0)) return null;
      const x = (t[0] + t[1]) / 2 - d0 / (2 * curv);
      if (!(x > lo && x < hi)) return null;
      const move = Math.abs(x - t[1]);
      const h = Math.min(Math.max(move, hMin), x - lo, hi - x);
      const e = evaluate([x - h, x, x + h], false);
      if (e.t.length !== 3) return null;
      t = e.t;
      c = e.c;
      // Converged: the vertex moved by far less than the stencil, and its level is the stencil's
      // extreme (a jump at the cell's end, e.g. a bolus, fails this). The vertex's level is then
      // within rounding of the best level read, which cannot place the extreme as finely. The
      // stencil must lie inside the cell: one reaching its end may straddle a jump there.
      if (move <= hMin * 1e-3)
        return t[0] > lo && t[2] < hi && sign * (c[1] - c[0]) >= 0 && sign * (c[1] - c[2]) >= 0
          ? { t: t[1], c: c[1] }
          : null;
    }
    return null;
  };
  const refine = (sign: 1 | -1, pick: (c: number[]) => number): { t: number; c: number } => {
    const { t, c } = first;
    const b = pick(c);
    const last = t.length - 1;
    const found = { t: t[b], c: c[b] };
    if (b > 0 && b < last)
      return newton(sign, [t[b - 1], t[b], t[b + 1]], [c[b - 1], c[b], c[b + 1]]) ?? staged(pick);
    if (last < 1) return found;
    // At a window end (a trough before the next dose, the level at a dose opening the window): the
    // end is the extreme unless the profile first moves past it, read a ten-thousandth of the
    // first cell inside; then the extreme lies within that cell.
    const n = b === 0 ? 1 : last - 1;
    const near = evaluate([t[b] + (t[n] - t[b]) * 1e-4], false);
    if (near.t.length !== 1) return staged(pick);
    if (!(sign * (near.c[0] - c[b]) > 0)) return found;
    const inner = { t: near.t[0], c: near.c[0] };
    const cell =
      b === 0
        ? newton(sign, [t[0], inner.t, t[1]], [c[0], inner.c, c[1]])
        : newton(sign, [t[last - 1], inner.t, t[last]], [c[last - 1], inner.c, c[last]]);
    return cell ?? staged(pick);
  };
  const coarse = (pick: (c: number[]) => number): { t: number; c: number } => ({
    t: first.t[pick(first.c)],
    c: first.c[pick(first.c)],
  });
  const mx = q.refineExtremes === false ? coarse(argmax) : refine(1, argmax);
  const mn = q.refineExtremes === false ? coarse(argmin) : refine(-1, argmin);
  const gridMax = Math.max(...first.c);
  const gridMin = Math.min(...first.c);
  const result: Exposure = {
    from: q.from,
    to: q.to,
    auc,
    cavg: auc / (q.to - q.from),
    cmax: Math.max(mx.c, gridMax),
    tmax: mx.c >= gridMax ? mx.t : first.t[argmax(first.c)],
    cmin: Math.min(mn.c, gridMin),
    tmin: mn.c <= gridMin ? mn.t : first.t[argmin(first.c)],
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

/** Levels (and cumulative AUC when integrated, else empty) at sorted, distinct prediction times. */
interface PredictionRun {
  t: number[];
  c: number[];
  auc: number[];
}

/** The distinct times in increasing order (a typed array's numeric sort, no comparator calls). */
function sortedDistinct(times: readonly number[]): number[] {
  // Already strictly increasing (a refinement's stencil): a copy, no typed array to sort.
  let increasing = true;
  for (let i = 1; i < times.length && increasing; i++) if (!(times[i] > times[i - 1])) increasing = false;
  if (increasing) return times.slice();
  const a = Float64Array.from(times).sort();
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) out.push(a[i]);
  return out;
}

/** A patient and an output buffer that successive runs fill (each run before the next is built). */
interface Scratch {
  patient: PatientData;
  out: Float64Array;
}

/**
 * The scratch of a simulator's exposures: one thread computes one exposure at a time (nothing of
 * the scratch outlives the call), so successive exposures, a fit's hundreds of patients, share its
 * arrays, grown as needed.
 */
const SCRATCH = new WeakMap<Simulator, Scratch>();

function scratchOf(sim: Simulator, patient: PatientData): Scratch {
  let s = SCRATCH.get(sim);
  if (!s) {
    s = { patient: emptyPatient(patient.id, 0, patient.nCov), out: new Float64Array(0) };
    SCRATCH.set(sim, s);
  }
  return s;
}

/**
 * One simulation of the patient with prediction records at `times`, as a function of the eta
 * vector: the records are built once, so the draws of a PTA rerun only the simulation.
 * `integrate` = the output whose AUC accumulates (-1: none). With `scratch`, the records and the
 * levels go into its arrays (valid until the next run built on it).
 */
function predictionRun(
  sim: Simulator,
  patient: PatientData,
  times: readonly number[],
  cmt: number,
  integrate: number,
  scratch?: Scratch,
): (eta: ArrayLike<number> | null) => PredictionRun {
  const sorted = sortedDistinct(times);
  const p = withPredictionTimes(patient, sorted, cmt, scratch?.patient);
  if (scratch && scratch.out.length < p.n) scratch.out = new Float64Array(p.time.length);
  return (eta) => {
    const out = scratch ? scratch.out : new Float64Array(p.n);
    const cum = integrate >= 0 ? new Float64Array(p.n) : undefined;
    const prev = sim.integrateOutput;
    sim.integrateOutput = integrate;
    try {
      sim.run(p, eta, out, cum);
    } finally {
      sim.integrateOutput = prev;
    }
    const c: number[] = [];
    // The cumulative AUC only for a run that integrates (the others' is never read).
    const auc: number[] = [];
    for (let i = 0; i < p.n; i++)
      if (p.evid[i] === 2 && p.line[i] === 0) {
        c.push(out[i]);
        if (cum) auc.push(cum[i]);
      }
    return { t: sorted, c, auc };
  };
}

/**
 * ∫ C dt of one output over [from, to], as a function of the eta vector: one run with the two
 * window ends only, integrated exactly between events (what {@link computeExposure} reports as
 * `auc`, to the last digit). The records are built once for every eta it is called with.
 */
export function windowAuc(
  sim: Simulator,
  patient: PatientData,
  from: number,
  to: number,
  output = 0,
): (eta: ArrayLike<number> | null) => number {
  if (!(to > from) || !Number.isFinite(from) || !Number.isFinite(to))
    fail('DT_EXPOSURE_WINDOW', 'window', `window [${from}, ${to}] must have to > from, both finite`);
  if (output < 0 || output >= sim.model.ir.errors.length)
    fail(
      'DT_EXPOSURE_OUTPUT',
      'output',
      `output ${output} does not exist (model has ${sim.model.ir.errors.length})`,
    );
  const cmt = sim.model.ir.errors[output].cmts[0] ?? 0;
  const run = predictionRun(sim, patient, [from, to], cmt, output);
  return (eta) => {
    const ends = run(eta);
    return ends.auc[ends.auc.length - 1] - ends.auc[0];
  };
}
