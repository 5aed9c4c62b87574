import { DosetwinError, type Issue, fail } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import type { Exposure } from './exposure.ts';
import { nextAdministrationTime } from './regimen.ts';
import {
  type AdministrationLimits,
  type CappedBy,
  doseCeiling,
  infusionFor,
  loadingCeiling,
} from './limits.ts';
import { steadyStateApproach } from './steady-state.ts';
import { attainment, loadingMetric, maintenanceExposure } from './evaluate.ts';
import { type ExposurePair, metricDef } from './metrics.ts';
import { type Target, inTarget, metricValue, needsMic, targetCentre } from './targets.ts';
import { topRanked } from './top-ranked.ts';

/**
 * The regimens a recommendation may choose from. Amounts in the model's dose unit, times in its
 * time unit. The limits of administration (maximum single, daily and loading dose, infusion rate,
 * shortest and longest infusion) shape the space: a dose is capped at what the interval allows and
 * its infusion lengthened to respect the rate, so no candidate breaks them.
 */
export interface RegimenSpace extends AdministrationLimits {
  /** Time of the first new dose. */
  start: number;
  /**
   * Allowed start times of the new regimen, searched like the intervals (default: `[start]`).
   * They matter with the first-interval horizon (the state left by the history differs); at
   * steady state they all give the same exposure, so several are refused there.
   */
  startTimes?: number[];
  /**
   * Start each interval's regimen when its next administration is due: one interval after the
   * last dose given, not before the last record (`start` and `startTimes` are then ignored).
   */
  nextDue?: boolean;
  /** Allowed dosing intervals. */
  intervals: number[];
  /**
   * Infusion durations offered; 0 = bolus / oral. Default [0]. A dose whose infusion must be longer
   * (the rate limit, the shortest infusion) is given over its shortest allowed one instead.
   */
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
  /**
   * A fixed loading dose: the first administration of the new regimen (it replaces the first
   * maintenance dose; maintenance follows one interval later). See also {@link RecommendInput.loading}.
   */
  loadingDose?: number;
}

/** A loading dose to search: reach `target` early, over the new regimen's first window. */
export interface LoadingSearch {
  /**
   * The loading target, evaluated from the patient's current state (history included) over the
   * first interval after the start (`auc24`, `fauc_mic`: the first 24 h, maintenance doses
   * within it included), e.g. `auc24=400..600` (vancomycin) or `cmax_mic>=8` (aminoglycosides).
   */
  target: Target;
  /** Largest loading dose (default: the space's `maxLoadingDose`, else `maxDose`). The daily maximum does not apply to it. */
  maxDose?: number;
  /**
   * Infusion duration of the loading dose (default: the candidate's), e.g. 2.5 h for 2500 mg of
   * vancomycin; lengthened when the rate limit asks for more.
   */
  duration?: number;
}

export interface RecommendInput {
  sim: Simulator;
  /** The patient's records so far (doses given, concentrations measured); covariates of its last record apply to the future. */
  history: PatientData;
  /** Point estimate of the etas (MAP), or null for the typical patient (a priori). */
  point: Float64Array | null;
  /** Draws of the etas (posterior, or the prior for a priori dosing) for the probability of target attainment. */
  draws?: readonly Float64Array[];
  /** Targets of the maintenance regimen, with priorities (1 = most important). */
  targets: Target[];
  space: RegimenSpace;
  /** Search a loading dose for each candidate (the maintenance is then judged at steady state). */
  loading?: LoadingSearch;
  /** MIC (model concentration unit) and unbound fraction, for MIC-based targets. */
  mic?: number;
  fu?: number;
  /** `target` (default): closest to the primary target at the point estimate; `pta`: highest probability of attaining all targets. */
  optimiseFor?: 'target' | 'pta';
  /** Exposure evaluated at steady state of the new regimen (default), or over its first interval after the history. */
  horizon?: 'steady-state' | 'first-interval';
  maxCandidates?: number;
}

/** The loading dose chosen for a candidate. */
export interface LoadingChoice {
  dose: number;
  /** Its infusion duration (the candidate's, or longer for the rate limit; 0 without a loading dose). */
  duration: number;
  units: { strength: number; count: number }[];
  /** The continuous loading dose that puts the loading target at its centre (0: none needed). */
  exactDose: number;
  /** The loading target's metric with the rounded loading dose, at the point estimate. */
  metric: number;
  met: boolean;
  /** Probability of attaining the loading target over the draws. */
  pta?: number;
}

export interface Candidate {
  /** Time of the first new administration. */
  start: number;
  dose: number;
  /** How the dose is made of the strengths (strength → count), when strengths are given. */
  units: { strength: number; count: number }[];
  interval: number;
  duration: number;
  /** First administration's amount when a loading dose is given or searched, else 0. */
  loadingDose: number;
  /** The loading dose's infusion duration (0 without a loading dose). */
  loadingDuration: number;
  loading?: LoadingChoice;
  /** Value of each target's metric at the point estimate (same order as the targets). */
  metrics: number[];
  /** Whether each target is met at the point estimate. */
  met: boolean[];
  /** Probability of attaining each target, and all of them, over the draws. */
  pta?: { each: number[]; all: number };
  /** Exposure over the dosing interval and over 24 h at the point estimate. */
  exposure: { interval: Exposure; day: Exposure };
  /**
   * Time after `start` to reach 90 % of the steady-state AUC per interval (continuous, see
   * {@link steadyStateApproach}), from the patient's current state, loading dose included.
   */
  timeToSteadyState?: number;
  /** The same in dosing intervals. */
  intervalsToSteadyState?: number;
  /** The continuous dose that hits the primary target exactly, before rounding. */
  exactDose: number;
  /** The largest dose the limits allow at this interval, and the limit that sets it (null: none). */
  ceiling: { dose: number; by: CappedBy | null };
}

export interface Recommendation {
  candidates: Candidate[];
  warnings: Issue[];
}

/**
 * Search the regimen space for the doses that reach the targets. For each start time, interval
 * and infusion duration, the continuous dose that puts the primary target's metric at its centre
 * is found (exactly by proportionality for linear models at steady state, by an affine solve for
 * linear models after a history, by a bracketed secant/bisection on log dose otherwise), then
 * rounded to what can be given (sums of strengths, limits), and every rounded candidate is
 * evaluated again: the exposure shown is the one *after* rounding. With a loading search, each
 * candidate kept gets the loading dose (rounded likewise) that puts the loading target at its
 * centre. The limits of administration shape the space (see {@link RegimenSpace}): each interval's
 * doses are capped at what it allows, each dose infused over at least what the rate limit asks.
 * Candidates are ranked by {@link rankingCriteria}; of regimens differing only by their infusion,
 * the better-ranked one is kept.
 */
export function recommend(input: RecommendInput): Recommendation {
  const { sim, history, targets, space } = input;
  const warnings: Issue[] = [];
  if (!targets.length) fail('DT_TARGET', 'targets', 'no target given');
  if (!space.intervals.length || space.intervals.some((t) => !(t > 0)))
    fail('DT_REGIMEN_SPACE', 'intervals', `intervals ${JSON.stringify(space.intervals)} must be > 0`);
  const loadingTarget = input.loading?.target;
  if ([...targets, ...(loadingTarget ? [loadingTarget] : [])].some(needsMic) && !(input.mic! > 0))
    fail('DT_TARGET', 'mic', 'a MIC-based target needs the MIC (> 0)');
  const durations = space.durations?.length ? space.durations : [0];
  if (durations.some((d) => !(d >= 0)))
    fail('DT_REGIMEN_SPACE', 'durations', 'infusion durations must be ≥ 0');
  if (space.strengths && space.strengths.some((s) => !(s > 0)))
    fail('DT_REGIMEN_SPACE', 'strengths', 'strengths must be > 0');
  const horizon = input.horizon ?? 'steady-state';
  if (history.n === 0)
    fail('DT_REGIMEN_SPACE', 'history', 'the patient has no record (covariates are read from the last one)');
  const starts = space.startTimes?.length ? [...new Set(space.startTimes)] : [space.start];
  if (starts.some((t) => !Number.isFinite(t)))
    fail('DT_REGIMEN_SPACE', 'startTimes', 'start times must be finite');
  if (starts.length > 1 && horizon === 'steady-state' && !space.nextDue)
    fail(
      'DT_REGIMEN_SPACE',
      'startTimes',
      'several start times give the same steady state: choose among them with the first-interval horizon',
    );
  if ((loadingTarget || space.loadingDose !== undefined) && horizon === 'first-interval')
    fail(
      'DT_REGIMEN_SPACE',
      'loading',
      "with a loading dose the first interval is the loading dose's: the maintenance is judged at steady state",
    );
  if (space.loadingDose !== undefined && loadingTarget)
    fail('DT_REGIMEN_SPACE', 'loading', 'give either a fixed loading dose or a loading target, not both');
  const linear = sim.model.structure.kind !== 'ode';
  const primary = [...targets].sort((a, b) => a.priority - b.priority)[0];
  const minDose = space.minDose ?? 0;
  const u = sim.model.ir.units;
  const timeUnit = u.time;
  const cmt = space.cmt ?? 0;

  const q = { targets, horizon, mic: input.mic, fu: input.fu };
  /** Maintenance exposure: at steady state, or over the first interval after the history. */
  const evaluate = (
    start: number,
    dose: number,
    tau: number,
    dur: number,
    eta: Float64Array | null,
    full = false,
  ): ExposurePair =>
    maintenanceExposure(sim, history, { start, dose, interval: tau, duration: dur, cmt }, eta, {
      ...q,
      full,
    });
  const metricAt = (
    start: number,
    dose: number,
    tau: number,
    dur: number,
    t: Target,
    eta: Float64Array | null,
  ): number => {
    try {
      const e = evaluate(start, dose, tau, dur, eta);
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
  const seen = new Set<string>();
  for (const tau of space.intervals) {
    // The limits enter the space here: the largest dose this interval allows (single, daily,
    // infusion rate over the longest infusion), and each dose's infusion below.
    const ceiling = doseCeiling(tau, space, timeUnit);
    for (const start of space.nextDue ? [nextAdministrationTime(history, tau)] : starts)
      for (const listed of durations) {
        if (listed > tau) continue;
        // The dose the target needs, looked for up to ten times what the limits allow (the
        // warnings then say it needs at least that): beyond, the search would only spend its time
        // on doses nobody can give, where a non-linear model may have no steady state.
        const exact = solveDose(
          (d) => metricAt(start, d, tau, listed, primary, input.point),
          targetCentre(primary),
          {
            proportional: linear && horizon === 'steady-state' && !needsMic(primary),
            affine: linear && metricDef(primary.metric).affine,
            lo: Math.max(minDose, 1e-9),
            hi: Number.isFinite(ceiling.dose) ? Math.min(1e7, 10 * ceiling.dose) : 1e7,
          },
        );
        for (const dose of roundedDoses(exact, { ...space, maxDose: ceiling.dose })) {
          const dur = infusionFor(dose, listed, tau, space);
          if (dur === null) continue;
          const key = `${start}|${dose}|${tau}|${dur}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (metricAt(start, dose, tau, dur, primary, input.point) === Infinity) {
            warnings.push({
              code: 'DT_NO_STEADY_STATE',
              severity: 'warning',
              field: 'dose',
              message: `${round(dose)} every ${tau} has no steady state: the dosing rate exceeds the maximal elimination rate`,
            });
            continue;
          }
          const e = evaluate(start, dose, tau, dur, input.point, true);
          const metrics = targets.map((t) => metricValue(t, e.interval, e.day));
          const loadingDuration =
            space.loadingDose !== undefined ? fixedLoadingDuration(space, dose, dur, tau) : 0;
          const c: Candidate = {
            start,
            dose,
            units: composition(dose, space.strengths),
            interval: tau,
            duration: dur,
            loadingDose: space.loadingDose ?? 0,
            loadingDuration,
            metrics,
            met: targets.map((t, k) => inTarget(t, metrics[k])),
            exposure: e,
            exactDose: exact,
            ceiling,
          };
          candidates.push(c);
        }
      }
  }
  if (!candidates.length)
    warnings.push({
      code: 'DT_NO_CANDIDATE',
      severity: 'warning',
      field: 'space',
      message:
        'no regimen satisfies the limits (maximum single or daily dose, infusion rate and duration, strengths)',
    });

  // Regimens differing only by their infusion duration read alike and, but for the duration,
  // give the same choice: the better-ranked one is kept (the what-if can still change it). The
  // PTA over the draws (most of the search's time) is computed only for the candidates that can
  // still be listed: the same list, with the same numbers, as computing it for every candidate.
  const draws = input.draws?.length ? input.draws : null;
  const top = topRanked(candidates, {
    n: input.maxCandidates ?? 10,
    key: (c) => rankKey(c, targets, input.optimiseFor),
    bound: (c) => rankKey({ ...c, pta: BEST_PTA }, targets, input.optimiseFor),
    settled: (c) => !draws || c.pta !== undefined,
    settle: (c) => {
      c.pta = attainment(
        sim,
        history,
        { start: c.start, dose: c.dose, interval: c.interval, duration: c.duration, cmt },
        draws!,
        q,
      );
    },
    group: (c) => `${c.start}|${c.dose}|${c.interval}`,
  });

  if (loadingTarget)
    for (const c of top) {
      const r = searchLoadingDose(input, c, loadingTarget);
      c.loading = r.choice;
      c.loadingDose = r.choice.dose;
      c.loadingDuration = r.choice.duration;
      if (r.warning) warnings.push(r.warning);
    }

  for (const c of top) {
    const ss = steadyStateApproach(
      sim,
      history,
      {
        start: c.start,
        dose: c.dose,
        interval: c.interval,
        duration: c.duration,
        cmt,
        ...(c.loadingDose > 0 ? { loadingDose: c.loadingDose, loadingDuration: c.loadingDuration } : {}),
      },
      input.point,
    );
    if (ss.time !== null) {
      c.timeToSteadyState = ss.time;
      c.intervalsToSteadyState = ss.intervals!;
    }
  }
  // The dose each interval would need beyond what its limits allow (the least over its
  // infusions), once per interval.
  const need = new Map<number, Candidate>();
  for (const c of top)
    if (c.exactDose > c.ceiling.dose * (1 + 1e-9)) {
      const known = need.get(c.interval);
      if (!known || c.exactDose < known.exactDose) need.set(c.interval, c);
    } else if (c.exactDose < minDose)
      warnings.push({
        code: 'DT_DOSE_LIMIT',
        severity: 'warning',
        field: 'dose',
        message: `reaching ${primary.text} every ${round(c.interval)} ${u.time} needs ${round(c.exactDose)} ${u.dose}, below the minimum ${round(minDose)} ${u.dose}`,
      });
  for (const c of need.values())
    warnings.push({
      code: 'DT_DOSE_LIMIT',
      severity: 'warning',
      field: 'dose',
      message: `reaching ${primary.text} every ${round(c.interval)} ${u.time} needs at least ${round(c.exactDose)} ${u.dose}, above the ${round(c.ceiling.dose)} ${u.dose} allowed (${LIMIT_WORDS[c.ceiling.by!]})`,
    });
  const beyond = need.size > 0;
  // No regimen within the limits meets the most important targets: say so; the candidates are
  // the best within the limits.
  const primaries = targets.map((t, k) => (t.priority === primary.priority ? k : -1)).filter((k) => k >= 0);
  if (beyond && top.length && !top.some((c) => primaries.every((k) => c.met[k])))
    warnings.push({
      code: 'DT_TARGET_BEYOND_LIMITS',
      severity: 'warning',
      field: 'targets',
      message: `no regimen within the limits of administration meets ${primaries.map((k) => targets[k].text).join(' and ')} at the individual prediction: the candidates are the closest within them`,
    });
  return { candidates: top, warnings: dedupe(warnings) };
}

/** The limit that caps a dose, in words (the warnings name it). */
const LIMIT_WORDS: Record<CappedBy, string> = {
  maxDose: 'maximum single dose',
  maxDailyDose: 'maximum daily dose',
  maxRate: 'maximum infusion rate over the longest infusion the interval allows',
};

/** The infusion of a fixed loading dose: the maintenance one, lengthened for the rate limit; refused beyond the limits. */
function fixedLoadingDuration(space: RegimenSpace, dose: number, duration: number, tau: number): number {
  const L = space.loadingDose!;
  const max = space.maxLoadingDose ?? space.maxDose;
  if (max !== undefined && L > max * (1 + 1e-9))
    fail(
      'DT_REGIMEN_SPACE',
      'loadingDose',
      `the loading dose ${round(L)} is above its maximum ${round(max)}`,
    );
  const d = infusionFor(L, duration, tau, space);
  if (d === null)
    fail(
      'DT_REGIMEN_SPACE',
      'loadingDose',
      `the loading dose ${round(L)} cannot be infused within the interval ${round(tau)} at the maximum rate`,
    );
  return L > 0 && dose >= 0 ? d! : 0;
}

/**
 * The loading dose L of one candidate: the first administration is L, maintenance follows from
 * start + τ; the loading target's metric over the first window (from the patient's current state)
 * is put at its centre, exactly by an affine solve for linear kinetics and AUC-type metrics,
 * by bracketing otherwise, between the maintenance dose and the loading maximum. Then the
 * administrable doses around it (strengths, maximum) are evaluated and, of those meeting the
 * target if any, the one closest to the centre (log scale) is kept. L = 0 (none) when starting with the maintenance dose already reaches
 * the centre, or is closest to it.
 */
function searchLoadingDose(
  input: RecommendInput,
  c: Candidate,
  target: Target,
): { choice: LoadingChoice; warning?: Issue } {
  const { sim, history, space } = input;
  // The loading dose's own maximum, and no more than its infusion at the rate limit allows
  // within the interval before the first maintenance dose.
  const maxLoading = loadingCeiling(c.interval, space, input.loading?.maxDose);
  // Its infusion: the one asked (else the maintenance one), lengthened for the rate limit. No
  // loading dose (L = the maintenance dose): the maintenance dose over its own infusion.
  const base = input.loading?.duration ?? c.duration;
  const durationOf = (L: number): number =>
    L === c.dose
      ? c.duration
      : (infusionFor(L, base, c.interval, space) ?? Math.min(c.interval, space.maxDuration ?? Infinity));
  const metric = (L: number, eta: Float64Array | null): number =>
    loadingMetric(
      sim,
      history,
      {
        start: c.start,
        dose: c.dose,
        interval: c.interval,
        duration: c.duration,
        cmt: space.cmt ?? 0,
        loadingDose: L,
        loadingDuration: durationOf(L),
      },
      target,
      eta,
      input,
    );
  const centre = targetCentre(target);
  const f = (L: number): number => metric(L, input.point);
  // No loading dose = the first administration is the maintenance dose: the search starts there.
  const fNone = f(c.dose);
  const exactDose =
    fNone >= centre
      ? 0
      : solveDose(f, centre, {
          proportional: false,
          affine: sim.model.structure.kind !== 'ode' && metricDef(target.metric).affine,
          lo: c.dose,
          hi: Math.max(c.dose, Number.isFinite(maxLoading) ? maxLoading : 1e7),
        });
  const options =
    exactDose > 0
      ? roundedDoses(exactDose, {
          ...space,
          // Without strengths, steps of a millionth around the exact dose, so that a one-sided
          // target (its bound is the centre) can be met by the step just above it.
          ...(space.strengths?.length || space.step ? {} : { step: exactDose * 1e-6 }),
          minDose: c.dose,
          maxDose: maxLoading,
        })
      : [];
  // Those meeting the target first (a one-sided target's centre is its bound), then the closest.
  const score = (v: number): number => (inTarget(target, v) ? 0 : 1e6) + Math.abs(Math.log(v / centre));
  let best = { L: c.dose, v: fNone, d: score(fNone) };
  for (const L of options) {
    if (infusionFor(L, base, c.interval, space) === null) continue;
    const v = f(L);
    const d = score(v);
    if (d < best.d) best = { L, v, d };
  }
  if (best.L === c.dose) best.L = 0;
  const choice: LoadingChoice = {
    dose: best.L,
    duration: best.L > 0 ? durationOf(best.L) : 0,
    units: composition(best.L, space.strengths),
    exactDose,
    metric: best.v,
    met: inTarget(target, best.v),
  };
  if (input.draws?.length)
    choice.pta =
      input.draws.filter((d) => inTarget(target, metric(best.L || c.dose, d))).length / input.draws.length;
  const warning: Issue | undefined =
    exactDose > 0 && exactDose >= maxLoading * (1 - 1e-12)
      ? {
          code: 'DT_DOSE_LIMIT',
          severity: 'warning',
          field: 'loading',
          message: `reaching ${target.text} early needs a loading dose of ${round(exactDose)} ${sim.model.ir.units.dose} or more; the maximum is ${round(maxLoading)} ${sim.model.ir.units.dose}`,
        }
      : undefined;
  return { choice, ...(warning ? { warning } : {}) };
}

/**
 * The continuous dose d in [lo, hi] with f(d) = target, for f increasing in d (the smallest such
 * dose when f stays at the target over a range, as a saturating fT>MIC does). Proportional
 * models (linear kinetics at steady state): d = target·d₀/f(d₀), exact. Affine ones (linear
 * kinetics after a history, AUC-type metrics): from two evaluations, checked. Otherwise a secant
 * step on log d safeguarded by bisection, to 1e-10 relative in f.
 */
export function solveDose(
  f: (d: number) => number,
  target: number,
  o: { proportional: boolean; affine?: boolean; lo: number; hi: number },
): number {
  const d0 = Math.min(Math.max(100, o.lo), o.hi);
  const f0 = f(d0);
  if (o.proportional && f0 > 0) return (target * d0) / f0;
  if (o.affine) {
    // Linear kinetics after a history: f(d) = a + b·d, two evaluations; checked, else bracketed.
    const d1 = d0 === o.hi ? d0 / 2 : Math.min(2 * d0, o.hi);
    const f1 = f(d1);
    if (f1 !== f0 && Number.isFinite(f1)) {
      const d = d0 + ((target - f0) * (d1 - d0)) / (f1 - f0);
      if (d >= o.lo && d <= o.hi && Math.abs(f(d) - target) <= 1e-9 * Math.abs(target)) return d;
    }
  }
  let a = Math.log(o.lo);
  let b = Math.log(o.hi);
  let fa = f(o.lo) - target;
  let fb = f(o.hi) - target;
  if (fa >= 0) return o.lo;
  // fb = 0: the largest dose is on a plateau at the target; the search narrows to its start.
  if (fb < 0) return o.hi;
  for (let it = 0; it < 200; it++) {
    // Secant (regula falsi, Illinois variant) in log dose, falling back to bisection.
    let c = Number.isFinite(fb) ? b - (fb * (b - a)) / (fb - fa) : NaN;
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    const fc = f(Math.exp(c)) - target;
    // A metric that saturates at its target (fT>MIC = 100 %) equals it on a whole plateau of
    // doses: the answer is the plateau's start, the smallest dose reaching it, so an exact hit
    // narrows the bracket from above instead of ending the search.
    if (fc === 0) {
      if (b - a < 1e-10) return Math.exp(c);
    } else if (Math.abs(fc) <= 1e-10 * Math.abs(target) || b - a < 1e-14) return Math.exp(c);
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
  else if (space.step) {
    const k = Math.floor(exact / space.step);
    grid = [k - 1, k, k + 1, k + 2]
      .filter((x) => x > 0)
      .map((x) => Number((x * space.step!).toPrecision(12)));
  }
  // Neither strengths nor a step: the exact dose is the only candidate (its neighbours a millionth
  // apart would be listed as separate, indistinguishable regimens).
  else grid = [exact];
  // Limits are compared relatively: achievable doses carry 12 significant digits, so a limit equal
  // to a dose (a pinned regimen: minDose = maxDose = dose) may differ from it in the 13th.
  const tol = 1e-10;
  const ok = grid.filter((d) => d >= lo * (1 - tol) && d <= hi * (1 + tol)).sort((a, b) => a - b);
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

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function dedupe(w: Issue[]): Issue[] {
  const seen = new Set<string>();
  return w.filter((i) => !seen.has(i.message) && (seen.add(i.message), true));
}

/**
 * The share of draws (posterior, or prior a priori) attaining every target below which a regimen
 * is more likely to miss its targets than to meet them, even when the individual prediction (MAP)
 * meets them: such a regimen ranks after those at or above it, and the front ends mark it.
 */
export const PTA_THRESHOLD = 0.5;

/** The highest probability of attainment a regimen can have: its rank key's lower bound before its PTA is known. */
export const BEST_PTA: { all: number } = { all: 1 };

/**
 * One criterion of the ranking, in the order they are applied:
 * - `targetsMet`: every target of priority 1 met at the individual prediction (MAP; the typical
 *   patient a priori), then every target of priority 2…;
 * - `ptaThreshold`: the probability of attaining every target over the draws at least
 *   {@link PTA_THRESHOLD};
 * - `closeness`: the primary target's metric closest to the target's centre, |ln(metric/centre)|
 *   (the bound of a one-sided target);
 * - `pta`: the higher probability of attaining every target;
 * - `dailyDose`: the smaller amount per day;
 * - `interval`: the longer interval (fewer administrations);
 * - `start`: the earlier start;
 * - `infusion`: the shorter infusion;
 * - `dose`: the smaller dose.
 */
export type RankCriterion =
  | 'targetsMet'
  | 'ptaThreshold'
  | 'closeness'
  | 'pta'
  | 'dailyDose'
  | 'interval'
  | 'start'
  | 'infusion'
  | 'dose';

/**
 * The ranking rule, stated once: the criteria in the order they decide (a later one only breaks
 * ties of the earlier ones). Optimising for the PTA puts the PTA first. Every front end explains
 * the ranking from this list (the library's texts of each criterion are keyed by it).
 */
export function rankingCriteria(optimiseFor: 'target' | 'pta' = 'target'): RankCriterion[] {
  return optimiseFor === 'pta'
    ? ['pta', 'targetsMet', 'closeness', 'dailyDose', 'interval', 'start', 'infusion', 'dose']
    : [
        'targetsMet',
        'ptaThreshold',
        'closeness',
        'pta',
        'dailyDose',
        'interval',
        'start',
        'infusion',
        'dose',
      ];
}

/**
 * The ranking of candidate regimens as sort keys (smaller first), criterion by criterion in the
 * order of {@link rankingCriteria}. Used for one model's candidates and for model-averaged ones alike.
 */
export function rankKey(
  c: {
    metrics: readonly number[];
    met: readonly boolean[];
    pta?: { all: number };
    dose: number;
    interval: number;
    start: number;
    duration: number;
  },
  targets: readonly Target[],
  optimiseFor: 'target' | 'pta' = 'target',
): number[] {
  const primary = [...targets].sort((a, b) => a.priority - b.priority)[0];
  const k0 = targets.indexOf(primary);
  const key = (x: RankCriterion): number[] => {
    switch (x) {
      case 'targetsMet':
        return [...new Set(targets.map((t) => t.priority))]
          .sort((a, b) => a - b)
          .map((pr) => (targets.every((t, k) => t.priority !== pr || c.met[k]) ? 0 : 1));
      case 'ptaThreshold':
        return [c.pta && c.pta.all < PTA_THRESHOLD ? 1 : 0];
      case 'closeness':
        // Rounded to 1e-9 so that regimens equally close (e.g. the same daily dose of a linear
        // drug) tie on it, and the next keys decide rather than rounding noise.
        return [Math.round(1e9 * Math.abs(Math.log(c.metrics[k0] / targetCentre(primary)))) / 1e9];
      case 'pta':
        return [c.pta ? -c.pta.all : 0];
      case 'dailyDose':
        return [Number((c.dose / c.interval).toPrecision(10))];
      case 'interval':
        return [-c.interval];
      case 'start':
        return [c.start];
      case 'infusion':
        return [c.duration];
      case 'dose':
        return [c.dose];
    }
  };
  return rankingCriteria(optimiseFor).flatMap(key);
}

/** Lexicographic comparison of two rank keys. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
