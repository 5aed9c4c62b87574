import { DosetwinError, type Issue, fail } from '../errors.ts';
import { type PatientData, type RecordInput, patientFromRecords } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { type Exposure, computeExposure } from './exposure.ts';
import { type Target, inTarget, metricValue, needsMic, targetCentre } from './targets.ts';

/** The regimens a recommendation may choose from. Amounts in the model's dose unit, times in its time unit. */
export interface RegimenSpace {
  /** Time of the first new dose. */
  start: number;
  /** Allowed dosing intervals. */
  intervals: number[];
  /** Allowed infusion durations; 0 = bolus / oral. Default [0]. */
  durations?: number[];
  /** Dose compartment (1-based; default 0 = the model's first). */
  cmt?: number;
  /** Available unit strengths (capsules, vials); a dose is a sum of them. Absent = any dose, rounded to `step`. */
  strengths?: number[];
  /** Rounding step when there are no strengths (default 1e-6 of the continuous dose: no rounding). */
  step?: number;
  /** Most units in one dose (default 20). */
  maxUnitsPerDose?: number;
  minDose?: number;
  maxDose?: number;
  maxDailyDose?: number;
  /** Optional loading dose added to the first administration (same route). */
  loadingDose?: number;
}

export interface RecommendInput {
  sim: Simulator;
  /** The patient's records so far (doses given, concentrations measured); covariates of its last record apply to the future. */
  history: PatientData;
  /** Point estimate of the etas (MAP), or null for the typical patient (a priori). */
  point: Float64Array | null;
  /** Draws of the etas (posterior, or the prior for a priori dosing) for the probability of target attainment. */
  draws?: Float64Array[];
  /** Targets, most important first (priority 1). */
  targets: Target[];
  space: RegimenSpace;
  /** MIC (model concentration unit) and unbound fraction, for MIC-based targets. */
  mic?: number;
  fu?: number;
  /** `target` (default): closest to the primary target at the point estimate; `pta`: highest probability of attaining all targets. */
  optimiseFor?: 'target' | 'pta';
  /** Exposure evaluated at steady state of the new regimen (default), or over its first interval after the history. */
  horizon?: 'steady-state' | 'first-interval';
  maxCandidates?: number;
}

export interface Candidate {
  dose: number;
  /** How the dose is made of the strengths (strength → count), when strengths are given. */
  units: { strength: number; count: number }[];
  interval: number;
  duration: number;
  loadingDose: number;
  /** Value of each target's metric at the point estimate (same order as the targets). */
  metrics: number[];
  /** Whether each target is met at the point estimate. */
  met: boolean[];
  /** Probability of attaining each target, and all of them, over the draws. */
  pta?: { each: number[]; all: number };
  /** Exposure over the dosing interval and over 24 h at the point estimate. */
  exposure: { interval: Exposure; day: Exposure };
  /** Time after `start` when the trough is within 10 % of its steady-state value. */
  timeToSteadyState?: number;
  /** The continuous dose that hits the primary target exactly, before rounding. */
  exactDose: number;
}

export interface Recommendation {
  candidates: Candidate[];
  warnings: Issue[];
}

const SS_WINDOW_DAYS = 1;

/**
 * Search the regimen space for the doses that reach the targets. For each interval and infusion
 * duration, the continuous dose that puts the primary target's metric at its centre is found
 * (exactly by proportionality for linear models at steady state; by a bracketed secant/bisection
 * on log dose otherwise), then rounded to what can be given (sums of strengths, limits), and every
 * rounded candidate is evaluated again: the exposure shown is the one *after* rounding.
 * Candidates are ranked by targets met (by priority), then by closeness to the primary target
 * (or by PTA when optimising for it), then by fewer administrations.
 */
export function recommend(input: RecommendInput): Recommendation {
  const { sim, history, targets, space } = input;
  const warnings: Issue[] = [];
  if (!targets.length) fail('DT_TARGET', 'targets', 'no target given');
  if (!space.intervals.length || space.intervals.some((t) => !(t > 0)))
    fail('DT_REGIMEN_SPACE', 'intervals', `intervals ${JSON.stringify(space.intervals)} must be > 0`);
  if (targets.some(needsMic) && !(input.mic! > 0))
    fail('DT_TARGET', 'mic', 'a MIC-based target needs the MIC (> 0)');
  const durations = space.durations?.length ? space.durations : [0];
  if (durations.some((d) => !(d >= 0)))
    fail('DT_REGIMEN_SPACE', 'durations', 'infusion durations must be ≥ 0');
  if (space.strengths && space.strengths.some((s) => !(s > 0)))
    fail('DT_REGIMEN_SPACE', 'strengths', 'strengths must be > 0');
  const horizon = input.horizon ?? 'steady-state';
  if (history.n === 0)
    fail('DT_REGIMEN_SPACE', 'history', 'the patient has no record (covariates are read from the last one)');
  const linear = sim.model.structure.kind !== 'ode';
  const primary = [...targets].sort((a, b) => a.priority - b.priority)[0];
  const minDose = space.minDose ?? 0;
  const maxDose = space.maxDose ?? Infinity;

  // Peak and trough need local refinement; AUC-type targets do not.
  const refineExtremes = targets.some((t) =>
    ['cmin', 'trough', 'c0', 'cmax', 'peak', 'cmax_mic'].includes(t.metric),
  );
  const needsDay = targets.some((t) => t.metric === 'auc24' || t.metric === 'fauc_mic');
  const evaluate = (
    dose: number,
    tau: number,
    dur: number,
    eta: Float64Array | null,
    full = false,
  ): { interval: Exposure; day: Exposure } => {
    const p = futurePatient(history, space, dose, tau, dur, horizon);
    const from = space.start;
    const at = dur > 0 ? [from + dur + 1] : [];
    const q = {
      mic: input.mic,
      fu: input.fu,
      refineExtremes,
      gridPoints: refineExtremes || targets.some(needsMic) ? 400 : 24,
    };
    const interval = computeExposure(sim, p, eta, { from, to: from + tau, at, ...q });
    // The 24-h window only serves AUC-type metrics (auc24, fAUC/MIC): no extreme to refine.
    const day =
      tau === 24 || !(needsDay || full)
        ? interval
        : computeExposure(sim, p, eta, {
            from,
            to: from + 24 * SS_WINDOW_DAYS,
            ...q,
            refineExtremes: false,
            gridPoints: 24,
          });
    return { interval, day };
  };
  const metricAt = (dose: number, tau: number, dur: number, t: Target, eta: Float64Array | null): number => {
    try {
      const e = evaluate(dose, tau, dur, eta);
      return metricValue(t, e.interval, e.day);
    } catch (e) {
      // A dose rate above the maximal elimination rate (non-linear model) has no steady state:
      // exposure grows without bound, i.e. above any target.
      if (e instanceof DosetwinError && e.issues.some((i) => i.code === 'DT_SS_NONCONVERGENCE'))
        return Infinity;
      throw e;
    }
  };

  const candidates: Candidate[] = [];
  for (const tau of space.intervals) {
    for (const dur of durations) {
      if (dur > tau) continue;
      const centre = targetCentre(primary);
      const exact = solveDose((d) => metricAt(d, tau, dur, primary, input.point), centre, {
        proportional: linear && horizon === 'steady-state' && !needsMic(primary) && !space.loadingDose,
        lo: Math.max(minDose, 1e-9),
        hi: Number.isFinite(maxDose) ? maxDose : 1e7,
      });
      for (const dose of roundedDoses(exact, space)) {
        if (space.maxDailyDose !== undefined && (dose * 24) / tau > space.maxDailyDose * (1 + 1e-12))
          continue;
        if (metricAt(dose, tau, dur, primary, input.point) === Infinity) {
          warnings.push({
            code: 'DT_NO_STEADY_STATE',
            severity: 'warning',
            field: 'dose',
            message: `${round(dose)} every ${tau} has no steady state: the dosing rate exceeds the maximal elimination rate`,
          });
          continue;
        }
        const e = evaluate(dose, tau, dur, input.point, true);
        const metrics = targets.map((t) => metricValue(t, e.interval, e.day));
        const c: Candidate = {
          dose,
          units: composition(dose, space.strengths),
          interval: tau,
          duration: dur,
          loadingDose: space.loadingDose ?? 0,
          metrics,
          met: targets.map((t, k) => inTarget(t, metrics[k])),
          exposure: e,
          exactDose: exact,
        };
        if (input.draws?.length) {
          const hits = targets.map(() => 0);
          let all = 0;
          for (const draw of input.draws) {
            const ed = evaluate(dose, tau, dur, draw);
            let ok = true;
            targets.forEach((t, k) => {
              const v = metricValue(t, ed.interval, ed.day);
              if (inTarget(t, v)) hits[k]++;
              else ok = false;
            });
            if (ok) all++;
          }
          const n = input.draws.length;
          c.pta = { each: hits.map((h) => h / n), all: all / n };
        }
        candidates.push(c);
      }
    }
  }
  if (!candidates.length)
    warnings.push({
      code: 'DT_NO_CANDIDATE',
      severity: 'warning',
      field: 'space',
      message: 'no regimen satisfies the limits (maximum single or daily dose, strengths)',
    });

  const rankKey = (c: Candidate): number[] => {
    const metByPriority = [...new Set(targets.map((t) => t.priority))]
      .sort((a, b) => a - b)
      .map((pr) => (targets.every((t, k) => t.priority !== pr || c.met[k]) ? 0 : 1));
    const k0 = targets.indexOf(primary);
    const closeness = Math.abs(Math.log(c.metrics[k0] / targetCentre(primary)));
    const pta = c.pta ? -c.pta.all : 0;
    return input.optimiseFor === 'pta'
      ? [pta, ...metByPriority, closeness, -c.interval]
      : [...metByPriority, closeness, pta, -c.interval];
  };
  const keyed = candidates.map((c) => ({ c, k: rankKey(c) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i];
    return a.c.dose - b.c.dose;
  });
  const top = keyed.slice(0, input.maxCandidates ?? 10).map((x) => x.c);
  for (const c of top) c.timeToSteadyState = timeToSteadyState(sim, history, space, c, input.point);
  for (const c of top)
    if (c.exactDose > maxDose || c.exactDose < minDose)
      warnings.push({
        code: 'DT_DOSE_LIMIT',
        severity: 'warning',
        field: 'dose',
        message: `reaching ${primary.text} every ${c.interval} needs ${round(c.exactDose)}, outside the allowed ${minDose}..${maxDose}`,
      });
  return { candidates: top, warnings: dedupe(warnings) };
}

/** History plus the new regimen: at steady state (SS = 1 at `start`) or continuing from the history. */
function futurePatient(
  h: PatientData,
  space: RegimenSpace,
  dose: number,
  tau: number,
  dur: number,
  horizon: 'steady-state' | 'first-interval',
): PatientData {
  const last = h.n - 1;
  const cov = Array.from({ length: h.nCov }, (_, k) => h.cov[last * h.nCov + k]);
  const rate = dur > 0 ? dose / dur : 0;
  const cmt = space.cmt ?? 0;
  const addl = Math.ceil((24 * SS_WINDOW_DAYS) / tau) + 1;
  const rows: RecordInput[] = [];
  if (horizon === 'first-interval') {
    for (let i = 0; i < h.n; i++)
      if (h.time[i] <= space.start)
        rows.push({
          time: h.time[i],
          evid: h.evid[i] === 0 ? 2 : h.evid[i],
          amt: h.amt[i],
          rate: h.rate[i],
          cmt: h.cmt[i],
          ii: h.ii[i],
          addl: h.addl[i],
          ss: h.ss[i],
          cov: Array.from({ length: h.nCov }, (_, k) => h.cov[i * h.nCov + k]),
          occ: h.occ[i],
        });
  }
  const loading = space.loadingDose ?? 0;
  if (loading > 0)
    rows.push({ time: space.start, evid: 1, amt: loading, rate: dur > 0 ? loading / dur : 0, cmt, cov });
  rows.push({
    time: space.start,
    evid: 1,
    amt: dose,
    rate,
    cmt,
    ii: tau,
    addl,
    ss: horizon === 'steady-state' && loading === 0 ? 1 : 0,
    cov,
  });
  return patientFromRecords(h.id, rows, h.nCov);
}

/**
 * The continuous dose d in [lo, hi] with f(d) = target, for f increasing in d. Proportional
 * models (linear kinetics at steady state): d = target·d₀/f(d₀), exact. Otherwise a secant
 * step on log d safeguarded by bisection, to 1e-10 relative in f.
 */
export function solveDose(
  f: (d: number) => number,
  target: number,
  o: { proportional: boolean; lo: number; hi: number },
): number {
  const d0 = Math.min(Math.max(100, o.lo), o.hi);
  const f0 = f(d0);
  if (o.proportional && f0 > 0) return (target * d0) / f0;
  let a = Math.log(o.lo);
  let b = Math.log(o.hi);
  let fa = f(o.lo) - target;
  let fb = f(o.hi) - target;
  if (fa >= 0) return o.lo;
  if (fb <= 0) return o.hi;
  for (let it = 0; it < 200; it++) {
    // Secant (regula falsi, Illinois variant) in log dose, falling back to bisection.
    let c = Number.isFinite(fb) ? b - (fb * (b - a)) / (fb - fa) : NaN;
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    const fc = f(Math.exp(c)) - target;
    if (Math.abs(fc) <= 1e-10 * Math.abs(target) || b - a < 1e-14) return Math.exp(c);
    if (fc < 0) {
      a = c;
      fa = fc;
      fb /= 2;
    } else {
      b = c;
      fb = fc;
      fa /= 2;
    }
  }
  return Math.exp(0.5 * (a + b));
}

/** The administrable doses nearest to `exact`: up to two below and two above, within the limits. */
export function roundedDoses(exact: number, space: RegimenSpace): number[] {
  const lo = space.minDose ?? 0;
  const hi = space.maxDose ?? Infinity;
  let grid: number[];
  if (space.strengths?.length) grid = achievableDoses(space.strengths, space.maxUnitsPerDose ?? 20);
  else {
    const step = space.step ?? exact * 1e-6;
    const k = Math.floor(exact / step);
    grid = [k - 1, k, k + 1, k + 2].filter((x) => x > 0).map((x) => Number((x * step).toPrecision(12)));
    if (!space.step) grid.push(exact);
  }
  const ok = grid.filter((d) => d >= lo - 1e-12 && d <= hi + 1e-12).sort((a, b) => a - b);
  const below = ok.filter((d) => d <= exact).slice(-2);
  const above = ok.filter((d) => d > exact).slice(0, 2);
  return [...new Set([...below, ...above])];
}

/** Every dose that is a sum of at most `maxUnits` units of the strengths. */
export function achievableDoses(strengths: number[], maxUnits: number): number[] {
  let level = new Set<number>([0]);
  const all = new Set<number>();
  for (let u = 0; u < maxUnits; u++) {
    const next = new Set<number>();
    for (const x of level) for (const s of strengths) next.add(Number((x + s).toPrecision(12)));
    next.forEach((x) => all.add(x));
    level = next;
    if (all.size > 20000) break;
  }
  return [...all];
}

/** Fewest units making `dose` (greedy over sorted strengths, checked; exact for the usual strength sets). */
function composition(dose: number, strengths?: number[]): { strength: number; count: number }[] {
  if (!strengths?.length) return [];
  const sorted = [...strengths].sort((a, b) => b - a);
  // Small dynamic programme over units of the smallest common step.
  const step = sorted.reduce((g, s) => gcd(g, s), sorted[0]);
  const n = Math.round(dose / step);
  const units = sorted.map((s) => Math.round(s / step));
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let x = 1; x <= n; x++)
    units.forEach((u, i) => {
      if (u <= x && best[x - u] + 1 < best[x]) {
        best[x] = best[x - u] + 1;
        from[x] = i;
      }
    });
  const count = new Map<number, number>();
  for (let x = n; x > 0 && from[x] >= 0; x -= units[from[x]])
    count.set(sorted[from[x]], (count.get(sorted[from[x]]) ?? 0) + 1);
  return [...count].map(([strength, c]) => ({ strength, count: c }));
}

function gcd(a: number, b: number): number {
  // Strengths like 0.5/1/5 mg: work in 1e-6 units to stay in integers.
  let x = Math.round(a * 1e6);
  let y = Math.round(b * 1e6);
  while (y) [x, y] = [y, x % y];
  return x / 1e6;
}

/** Time after start when successive troughs come within 10 % of the steady-state trough (from the history). */
function timeToSteadyState(
  sim: Simulator,
  h: PatientData,
  space: RegimenSpace,
  c: Candidate,
  eta: Float64Array | null,
): number | undefined {
  const ssTrough = c.exposure.interval.cmin;
  if (!(ssTrough > 0)) return undefined;
  const n = 60;
  const p = futurePatient(
    h,
    { ...space, loadingDose: c.loadingDose },
    c.dose,
    c.interval,
    c.duration,
    'first-interval',
  );
  const rows: RecordInput[] = [];
  for (let i = 0; i < p.n; i++)
    rows.push({
      time: p.time[i],
      evid: p.evid[i],
      amt: p.amt[i],
      rate: p.rate[i],
      cmt: p.cmt[i],
      ii: p.ii[i],
      addl: i === p.n - 1 ? n : p.addl[i],
      ss: p.ss[i],
      cov: Array.from({ length: p.nCov }, (_, k) => p.cov[i * p.nCov + k]),
    });
  const last = rows[rows.length - 1];
  // Just before each dose: an added dose at the same time would otherwise come first.
  for (let k = 1; k <= n; k++)
    rows.push({ time: space.start + k * c.interval * (1 - 1e-12), evid: 2, cmt: 0, cov: last.cov });
  rows.sort((a, b) => a.time - b.time);
  const q = patientFromRecords(h.id, rows, h.nCov);
  const out = new Float64Array(q.n);
  sim.run(q, eta, out);
  let k = 0;
  for (let i = 0; i < q.n; i++)
    if (q.evid[i] === 2 && q.time[i] > space.start) {
      k++;
      if (Math.abs(out[i] / ssTrough - 1) <= 0.1) return k * c.interval;
    }
  return undefined;
}

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function dedupe(w: Issue[]): Issue[] {
  const seen = new Set<string>();
  return w.filter((i) => !seen.has(i.message) && (seen.add(i.message), true));
}
