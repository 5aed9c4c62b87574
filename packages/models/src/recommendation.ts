/**
 * Dose recommendations from twins: for one model (the twin's regimen search, with the start-time
 * policy and the next dose after a high level), and averaged over the library models of one drug
 * (model averaging, Uster DW et al. Clin Pharmacol Ther 2021;109(1):175-183), for a user who
 * picks a drug rather than a model. Every front end calls these; none re-implements them.
 *
 * The drug-level method, per patient:
 * 1. every candidate model of the drug is fitted (MAP) and weighed, w_m ∝ exp(−½·OFV_m) or the
 *    AIC variant (`fitDrug`);
 * 2. every model of weight ≥ {@link GENERATING_WEIGHT} proposes its own ranked candidate regimens
 *    (its twin's regimen search, the settings in the model's units); a lighter model still counts
 *    in step 3 but proposes nothing;
 * 3. the regimens proposed are pooled (the same start, dose, interval, infusion duration and
 *    loading dose in the data's units, rel. 1e-9, are one regimen);
 * 4. each pooled regimen is evaluated under every model of weight > 0 (exactly that regimen, from
 *    the same start, at the model's MAP etas and over its own posterior draws — a model's own
 *    search already evaluated the regimens it proposed exactly so: those are reused);
 * 5. the evaluations are combined by {@link modelAverage}: each metric Σ w·m_i, the PTA the
 *    mixture's Σ w·PTA_i, the targets' `met` judged on the averaged metrics; with a loading
 *    target, the loading target's metric for each regimen's loading dose is evaluated under every
 *    model and combined the same way; with a start-when-below threshold, the regimens start when
 *    the model-averaged predicted level Σ w·C_m(t) falls to it (the engine's scan on the
 *    mixture's mean), P(level ≤ C) then being the mixture's Σ w·P_m;
 * 6. the regimens are ranked as the engine ranks one model's candidates (`rankingCriteria`), on the
 *    averaged values and the mixture's PTA, then by the averaged loading metric meeting its target
 *    and closest to its centre.
 *
 * Every model searches within the limits of administration of the drug's products (maximum single,
 * daily and loading dose, infusion rate and durations; `limits.ts`), so every regimen pooled
 * respects them.
 *
 * Every number of the drug-level settings is in the data's units, and so is every number returned.
 */
import {
  type AdministrationLimits,
  BEST_PTA,
  type Candidate,
  createTwin,
  DosetwinError,
  type FutureRegimen,
  type Horizon,
  inTarget,
  type Issue,
  levelFallsTo,
  loadingMetric,
  parseTarget,
  predictedLevels,
  rankKey,
  type Recommendation,
  type RegimenSpace,
  type Target,
  targetCentre,
  topRanked,
  type Twin,
} from '@dosetwin/engine';
import {
  type AveragedCandidate,
  combineCandidates,
  type DrugModelFit,
  fitDrug,
  type FitDrugOptions,
  metricFactor,
  modelAverage,
  type ModelCandidates,
} from './averaging.ts';
import { modelWeightKg, type ProductLimits, recordedWeightKg, resolveLimits, tightened } from './limits.ts';
import { type DrugPatient, samplePolicy } from './patient.ts';
import { modelPolicy } from './policy.ts';

/** What a recommendation asks, in one system of units (a model's, or the data's for a drug). */
export interface RecommendSettings {
  /** Targets as text, most important first. */
  targets: string[];
  space: Omit<RegimenSpace, 'start' | 'startTimes' | 'nextDue'> & { durations: number[] };
  /** Allowed start times; absent = each interval's regimen when its next dose is due (or `startWhenBelow`). */
  starts?: number[];
  /** Start when the predicted level has fallen to this concentration. */
  startWhenBelow?: number;
  horizon: Horizon;
  loadingTarget?: string;
  maxLoadingDose?: number;
  loadingDuration?: number;
  mic?: number;
  fu?: number;
  /**
   * The limits of administration of the products (a library model's policy; absent: none, for a
   * model file from elsewhere, or the drug's models' own under model averaging). They tighten the
   * space's own maxima; per-kg ones are read with `weightKg`.
   */
  limits?: readonly ProductLimits[];
  /** The patient's body weight (kg) for per-kg limits; absent: the model's WT covariate at the last record. */
  weightKg?: number;
  /** Posterior (or prior) draws for the PTA, and their seed. */
  samples: number;
  seed: number;
  optimiseFor: 'target' | 'pta';
  /** How many candidates each model's search lists (and the drug level, unless `listed`). */
  maxCandidates: number;
  /**
   * Drug level: how many of the ranked averaged candidates to return (default `maxCandidates`).
   * Each model still proposes its first `maxCandidates`, so the first candidates are the same;
   * a card showing only the first asks for 1 and pays for the PTA of fewer regimens.
   */
  listed?: number;
}

/** When the next dose is given after a high level: the threshold, the time, P(level ≤ threshold) then. */
export interface NextDose {
  threshold: number;
  time: number;
  probabilityBelow: number | null;
}

export interface TwinRecommendation {
  engine: Recommendation;
  nextDose: NextDose | null;
  /** The limits the search applied, in the model's units (the space's own and the products'). */
  limits: AdministrationLimits;
}

/**
 * One model's recommendation from its twin: each interval's regimen starts when its next dose is
 * due (one interval after the last dose given, not before the last record), at the given start
 * times, or when the predicted level has fallen to `startWhenBelow`.
 */
export function recommendWithTwin(
  twin: Twin,
  s: RecommendSettings,
  targets: readonly Target[],
  loadingTarget?: Target,
): TwinRecommendation {
  const h = twin.history;
  let starts = s.starts ?? [h.time[h.n - 1]];
  let nextDue = s.starts === undefined;
  let nextDose: NextDose | null = null;
  if (s.startWhenBelow !== undefined) {
    const nd = twin.nextDose(s.startWhenBelow, h.time[h.n - 1]);
    starts = [nd.time];
    nextDue = false;
    nextDose = { threshold: s.startWhenBelow, time: nd.time, probabilityBelow: nd.probabilityBelow ?? null };
  }
  // The products' limits for this patient (per-kg ones with the weight), tightening the space's own.
  const label = resolveLimits(
    s.limits ?? [],
    twin.model.ir.units,
    s.weightKg ?? modelWeightKg(twin.model.ir, h),
  );
  const limits = tightened(s.space, label.limits);
  const engine = twin.recommend({
    targets: [...targets],
    space: { ...s.space, ...limits, start: starts[0], startTimes: starts, nextDue },
    ...(loadingTarget
      ? {
          loading: {
            target: loadingTarget,
            ...(s.maxLoadingDose !== undefined ? { maxDose: s.maxLoadingDose } : {}),
            ...(s.loadingDuration !== undefined ? { duration: s.loadingDuration } : {}),
          },
        }
      : {}),
    horizon: s.horizon,
    mic: s.mic,
    fu: s.fu,
    optimiseFor: s.optimiseFor,
    maxCandidates: s.maxCandidates,
  });
  engine.warnings.push(...label.warnings);
  return { engine, nextDose, limits };
}

// ---------------------------------------------------------------- drug level

/** Smallest weight with which a model proposes regimens (every model of weight > 0 evaluates them). */
export const GENERATING_WEIGHT = 0.01;

export const DRUG_RECOMMENDATION_METHOD =
  `model averaging (Uster 2021): every model of the drug fitted (MAP) and weighed; regimens proposed by each ` +
  `model of weight ≥ ${GENERATING_WEIGHT}, pooled; each evaluated under every model of weight > 0 ` +
  `(same start, the model's MAP etas, its own posterior draws); metrics Σ w·metric, PTA Σ w·PTA; ` +
  `ranked by targets met, PTA ≥ 50 %, closeness of the averaged primary metric to its centre (or PTA first), ` +
  `higher PTA, smaller daily dose, fewer administrations; within the products' limits of administration`;

type Units = { dose: string; time: string; conc: string };

/** A target (data units) in a model's units. */
function targetIn(t: Target, from: Units, to: Units): Target {
  const f = metricFactor(t.metric, from, to);
  return { ...t, lo: t.lo === null ? null : t.lo * f, hi: t.hi === null ? null : t.hi * f };
}

/** The settings (data units) in a model's units, `factors` = model value per data value. */
function settingsIn(s: RecommendSettings, factors: DrugModelFit['factors']): RecommendSettings {
  const t = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.time);
  const d = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.dose);
  return {
    ...s,
    space: {
      ...s.space,
      intervals: s.space.intervals.map((x) => x * factors.time),
      durations: s.space.durations.map((x) => x * factors.time),
      strengths: s.space.strengths?.map((x) => x * factors.dose),
      maxDose: d(s.space.maxDose),
      maxDailyDose: d(s.space.maxDailyDose),
      maxLoadingDose: d(s.space.maxLoadingDose),
      maxRate: s.space.maxRate === undefined ? undefined : (s.space.maxRate * factors.dose) / factors.time,
      minDuration: t(s.space.minDuration),
      maxDuration: t(s.space.maxDuration),
      durationStep: t(s.space.durationStep),
      loadingDose: d(s.space.loadingDose),
    },
    starts: s.starts?.map((x) => x * factors.time),
    startWhenBelow: s.startWhenBelow === undefined ? undefined : s.startWhenBelow * factors.conc,
    maxLoadingDose: d(s.maxLoadingDose),
    loadingDuration: t(s.loadingDuration),
    mic: s.mic === undefined ? undefined : s.mic * factors.conc,
  };
}

/** A regimen in the data's units, with the models that proposed it and their own evaluations. */
interface PooledRegimen {
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  loadingDuration: number;
  proposedBy: string[];
  own: Map<string, Candidate>;
}

const close = (a: number, b: number): boolean =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const sameRegimen = (a: PooledRegimen, b: PooledRegimen): boolean =>
  close(a.start, b.start) &&
  close(a.dose, b.dose) &&
  close(a.interval, b.interval) &&
  close(a.duration, b.duration) &&
  close(a.loadingDose, b.loadingDose) &&
  close(a.loadingDuration, b.loadingDuration);

/** One model of weight > 0, ready to evaluate regimens. */
interface Weighted {
  fit: DrugModelFit;
  twin: Twin;
  targets: Target[];
  loadingTarget?: Target;
  settings: RecommendSettings;
}

export interface DrugCandidate {
  rank: number;
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  /** The loading dose's infusion duration (0 without a loading dose). */
  loadingDuration: number;
  /** Model-averaged metric of each target (Σ w·metric), data units, keyed by the target's metric. */
  metrics: Record<string, number>;
  met: boolean[];
  /** Mixture probability of attaining each target and all of them (Σ w·PTA), or null without draws. */
  pta: { each: number[]; all: number } | null;
  proposedBy: string[];
  /**
   * With a loading target: the loading dose (0 = none, the first administration is the
   * maintenance dose), the loading target's metric averaged over the models (data units), met on
   * it, the mixture's probability of attaining it, and each model's value.
   */
  loading?: {
    dose: number;
    duration: number;
    metric: number;
    met: boolean;
    pta: number | null;
    models: { id: string; metric: number; pta: number | null }[];
  };
  /** Each model's own values (data units) and whether they meet the targets. */
  models: {
    id: string;
    weight: number;
    metrics: Record<string, number>;
    met: boolean[];
    pta: { each: number[]; all: number } | null;
  }[];
}

export interface DrugRecommendation {
  id: string;
  drug: string;
  method: string;
  units: Units;
  targets: string[];
  loadingTarget?: string;
  horizon: Horizon;
  weights: {
    scheme: string;
    criterion: string;
    generatingWeight: number;
    models: {
      id: string;
      version: string;
      citation: string;
      /** The weights' OFV: −2 ln density of the levels in the data's units. */
      objective: number;
      /** NONMEM's OBJ in the model's units. */
      obj: number | null;
      weight: number;
      converged: boolean;
      /** Whether the model proposed regimens (weight ≥ generatingWeight). */
      proposes: boolean;
      /** `a posteriori (MAP)`, or `a priori (typical patient)` without levels. */
      method: string | null;
      /** Posterior draws (prior draws a priori) behind the model's PTA. */
      posteriorDraws: number;
    }[];
    excluded: { id: string; reason: string }[];
  };
  selected: string;
  /** With a start-when-below threshold: when the averaged level falls to it, and P(level ≤ threshold) then. */
  nextDose?: NextDose & { models: { id: string; concentration: number; probabilityBelow: number | null }[] };
  /** Regimens pooled from the models' searches and evaluated under every model. */
  regimensEvaluated: number;
  candidates: DrugCandidate[];
  /** Every model's warnings, labelled with the model. */
  warnings: { model: string; code: Issue['code']; field: string; message: string; fr?: Issue['fr'] }[];
  /** Levels of the patient (0: every model a priori). */
  levels: number;
}

/**
 * When the model-averaged level Σ w·C_m(t) (data units; each model at its MAP etas, history only)
 * has fallen to `threshold` for good, from `after`: the engine's scan on the mixture's mean, and
 * the mixture's probability Σ w·P_m(C ≤ threshold) then over each model's draws.
 */
function mixtureNextDose(
  weighted: Weighted[],
  threshold: number,
  after: number,
  timeUnit: string,
): NonNullable<DrugRecommendation['nextDose']> {
  const conc = (m: Weighted, times: number[], eta: ArrayLike<number> | null): number[] => {
    const f = m.fit.factors;
    return predictedLevels(
      m.twin.sim,
      m.fit.patient,
      eta,
      times.map((t) => t * f.time),
    ).map((c) => c / f.conc);
  };
  const weights = weighted.map((m) => ({ id: m.fit.id, weight: m.fit.weight }));
  const mean = (times: number[]): number[] =>
    modelAverage(weights, (i) => conc(weighted[i], times, weighted[i].twin.point)).averaged;
  const time = levelFallsTo(mean, threshold, after, timeUnit);
  const models = weighted.map((m) => ({
    id: m.fit.id,
    concentration: conc(m, [time], m.twin.point)[0],
    probabilityBelow: m.twin.draws.length
      ? m.twin.draws.filter((d) => conc(m, [time], d)[0] <= threshold).length / m.twin.draws.length
      : null,
  }));
  const probabilityBelow = models.every((x) => x.probabilityBelow !== null)
    ? modelAverage(weights, (i) => [models[i].probabilityBelow!], 'probability').averaged[0]
    : null;
  return { threshold, time, probabilityBelow, models };
}

/** A pooled regimen (data units) in one model's units. */
function regimenUnder(m: Weighted, r: PooledRegimen): FutureRegimen {
  const f = m.fit.factors;
  return {
    start: r.start * f.time,
    dose: r.dose * f.dose,
    interval: r.interval * f.time,
    duration: r.duration * f.time,
    cmt: 0,
    ...(r.loadingDose > 0
      ? { loadingDose: r.loadingDose * f.dose, loadingDuration: r.loadingDuration * f.time }
      : {}),
  };
}

/**
 * Evaluate one regimen (data units) under one model: exactly that regimen, in the model's units,
 * at the point estimate; its PTA over the draws is {@link attainmentUnder}'s, asked only for the
 * regimens that can still be listed.
 */
function evaluateUnder(m: Weighted, r: PooledRegimen): Candidate | null {
  const reg = regimenUnder(m, r);
  try {
    const e = m.twin.evaluate(reg, m.targets, {
      horizon: m.settings.horizon,
      mic: m.settings.mic,
      fu: m.settings.fu,
      skipSteadyState: true,
      skipAttainment: true,
    });
    return {
      start: reg.start,
      dose: reg.dose,
      units: [],
      interval: reg.interval,
      duration: reg.duration ?? 0,
      loadingDose: reg.loadingDose ?? 0,
      loadingDuration: reg.loadingDuration ?? 0,
      metrics: e.metrics,
      met: e.met,
      exposure: e.exposure,
      exactDose: reg.dose,
      ceiling: { dose: Infinity, by: null },
    };
  } catch (e) {
    // No steady state under this model (a non-linear model's maximal elimination rate exceeded).
    if (e instanceof DosetwinError && e.issues.some((i) => i.code === 'DT_NO_STEADY_STATE')) return null;
    throw e;
  }
}

/** The PTA of a pooled regimen under one model, over its draws (as its evaluation would give it). */
function attainmentUnder(m: Weighted, r: PooledRegimen): { each: number[]; all: number } {
  const { each, all } = m.twin.attainment(regimenUnder(m, r), m.targets, {
    horizon: m.settings.horizon,
    mic: m.settings.mic,
    fu: m.settings.fu,
  });
  return { each, all };
}

/**
 * The model-averaged recommendation for one patient of a drug-level dataset (see the module
 * documentation for the method). `s` is in the data's units.
 */
export function recommendDrug(
  drug: string,
  input: DrugPatient,
  s: RecommendSettings,
  options: FitDrugOptions = {},
): DrugRecommendation {
  // The clinical policy for levels (a no-op on a patient it was already applied to).
  const policy = samplePolicy(input);
  const patient = policy.patient;
  const units = patient.units;
  const fit = fitDrug(drug, patient, options);
  const targets = s.targets.map((t, i) => parseTarget(t, units.conc, units.time, i + 1));
  const loadingTarget = s.loadingTarget ? parseTarget(s.loadingTarget, units.conc, units.time, 1) : undefined;
  const warnings: DrugRecommendation['warnings'] = [];
  const seen = new Set<string>();
  const warn = (model: string, list: readonly Issue[]): void => {
    for (const w of list) {
      const message = w.message.startsWith(`${model}: `) ? w.message.slice(model.length + 2) : w.message;
      const key = `${model}|${w.code}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push({ model, code: w.code, field: w.field, message, ...(w.fr ? { fr: w.fr } : {}) });
    }
  };
  // The patient's own warnings (levels not used or censored) name no model.
  warn('', policy.warnings);
  for (const x of fit.excluded)
    warn(x.id, [
      { code: 'DT_AVERAGE_EXCLUDED', severity: 'warning', field: `models.${x.id}`, message: x.reason },
    ]);
  // The patient's recorded weight, for the products' per-kg limits (each model's own WT otherwise).
  const weightKg = s.weightKg ?? recordedWeightKg(patient) ?? undefined;
  const weighted: Weighted[] = [];
  for (const m of fit.models) {
    warn(m.id, m.warnings);
    if (!(m.weight > 0)) continue;
    const twin = createTwin(m.model.compiled(), m.patient, { samples: s.samples, seed: s.seed });
    // The validity domain and non-convergence are already reported by the fit.
    warn(
      m.id,
      twin.warnings.filter(
        (w) =>
          !(w.code === 'DT_DOMAIN_OUTSIDE' || w.code === 'DT_MAP_NONCONVERGENCE') ||
          !m.warnings.some((x) => x.code === w.code),
      ),
    );
    const mu = m.model.ir.units;
    weighted.push({
      fit: m,
      twin,
      targets: targets.map((t) => targetIn(t, units, mu)),
      ...(loadingTarget ? { loadingTarget: targetIn(loadingTarget, units, mu) } : {}),
      settings: {
        ...settingsIn(s, m.factors),
        limits: s.limits ?? modelPolicy(m.model).limits,
        ...(weightKg !== undefined ? { weightKg } : {}),
      },
    });
  }

  // A start-when-below threshold: one start for every model, when the averaged level has fallen.
  let nextDose: DrugRecommendation['nextDose'];
  if (s.startWhenBelow !== undefined) {
    const last = patient.records[patient.records.length - 1].time;
    nextDose = mixtureNextDose(weighted, s.startWhenBelow, last, units.time);
    for (const m of weighted)
      m.settings = { ...m.settings, startWhenBelow: undefined, starts: [nextDose.time * m.fit.factors.time] };
  }

  // Steps 2-3: each model of weight ≥ GENERATING_WEIGHT proposes; the regimens are pooled.
  const pool: PooledRegimen[] = [];
  for (const m of weighted) {
    if (m.fit.weight < GENERATING_WEIGHT) continue;
    const { engine } = recommendWithTwin(m.twin, m.settings, m.targets, m.loadingTarget);
    warn(m.fit.id, engine.warnings);
    const f = m.fit.factors;
    for (const c of engine.candidates) {
      const r: PooledRegimen = {
        start: c.start / f.time,
        dose: c.dose / f.dose,
        interval: c.interval / f.time,
        duration: c.duration / f.time,
        loadingDose: c.loadingDose / f.dose,
        loadingDuration: c.loadingDuration / f.time,
        proposedBy: [m.fit.id],
        own: new Map([[m.fit.id, c]]),
      };
      const known = pool.find((x) => sameRegimen(x, r));
      if (known) {
        known.proposedBy.push(m.fit.id);
        known.own.set(m.fit.id, c);
      } else pool.push(r);
    }
  }

  // Steps 4-5: every pooled regimen under every weighted model, combined. The PTA under a model
  // that did not propose the regimen (a simulation per draw) waits until the ranking asks for it.
  type Averaged = AveragedCandidate & {
    start: number;
    proposedBy: string[];
    regimen: PooledRegimen;
    per: ModelCandidates[];
    /** The models whose PTA of this regimen is not computed yet. */
    pending: Weighted[];
  };
  const averaged: Averaged[] = [];
  for (const r of pool) {
    const per: ModelCandidates[] = [];
    const pending: Weighted[] = [];
    let missing: string | null = null;
    for (const m of weighted) {
      const c = r.own.get(m.fit.id) ?? evaluateUnder(m, r);
      if (!c) {
        missing = m.fit.id;
        break;
      }
      if (!c.pta && m.twin.draws.length) pending.push(m);
      per.push({
        id: m.fit.id,
        weight: m.fit.weight,
        units: m.fit.model.ir.units,
        targets: m.targets,
        candidates: [c],
      });
    }
    if (missing !== null) {
      warn(missing, [
        {
          code: 'DT_AVERAGE_REGIMEN',
          severity: 'warning',
          field: 'candidates',
          message: `${r.dose} ${units.dose} every ${r.interval} ${units.time} cannot be evaluated under this model (no steady state): left out`,
        },
      ]);
      continue;
    }
    const [c] = combineCandidates(per, units);
    averaged.push({ ...c, start: r.start, proposedBy: r.proposedBy, regimen: r, per, pending });
  }

  const weights = weighted.map((m) => ({ id: m.fit.id, weight: m.fit.weight }));
  /** The loading target's metric under every model for a pooled regimen, combined as the maintenance metrics. */
  const loadingOf = (r: PooledRegimen) => {
    const models = weighted.map((m) => {
      const f = m.fit.factors;
      const reg: FutureRegimen = {
        start: r.start * f.time,
        dose: r.dose * f.dose,
        interval: r.interval * f.time,
        duration: r.duration * f.time,
        cmt: 0,
        loadingDose: (r.loadingDose || r.dose) * f.dose,
        loadingDuration: (r.loadingDose > 0 ? r.loadingDuration : r.duration) * f.time,
      };
      const value = (eta: ArrayLike<number> | null): number =>
        loadingMetric(m.twin.sim, m.fit.patient, reg, m.loadingTarget!, eta, m.settings);
      const back = metricFactor(m.loadingTarget!.metric, m.fit.model.ir.units, units);
      // The draws' values are in the model's units: each is judged against the model's own
      // loading target (the drug level's is in the data's units).
      return {
        id: m.fit.id,
        metric: value(m.twin.point) * back,
        value,
        target: m.loadingTarget!,
        draws: m.twin.draws,
      };
    });
    const metric = modelAverage(weights, (i) => [models[i].metric]).averaged[0];
    return { metric, met: inTarget(loadingTarget!, metric), models };
  };
  /** The loading target for a listed regimen: its metric as ranked, and its probability over each model's draws. */
  const loadingListed = (r: PooledRegimen, l: ReturnType<typeof loadingOf>): DrugCandidate['loading'] => {
    const models = l.models.map((x) => ({
      id: x.id,
      metric: x.metric,
      pta: x.draws.length
        ? x.draws.filter((d) => inTarget(x.target, x.value(d))).length / x.draws.length
        : null,
    }));
    const pta = models.every((x) => x.pta !== null)
      ? modelAverage(weights, (i) => [models[i].pta!], 'probability').averaged[0]
      : null;
    return {
      dose: r.loadingDose,
      duration: r.loadingDose > 0 ? r.loadingDuration : 0,
      metric: l.metric,
      met: l.met,
      pta,
      models,
    };
  };
  const loadings = new Map(averaged.map((c) => [c, loadingTarget ? loadingOf(c.regimen) : undefined]));

  // Step 6: rank on the averaged values. Regimens that differ only by their loading dose (proposed
  // by different models): the one meeting the loading target, then the closest to its centre,
  // first; then the smaller dose.
  const keyOf = (c: Averaged, pta?: { all: number }): number[] => {
    const l = loadings.get(c);
    return [
      ...rankKey(pta ? { ...c, pta } : c, targets, s.optimiseFor),
      ...(l ? [l.met ? 0 : 1, Math.abs(Math.log(l.metric / targetCentre(loadingTarget!)))] : []),
      c.dose,
    ];
  };
  // Only the regimens that can still be listed get their PTA under every model.
  const listed = topRanked(averaged, {
    n: s.listed ?? s.maxCandidates,
    key: (c) => keyOf(c),
    bound: (c) => keyOf(c, BEST_PTA),
    settled: (c) => c.pending.length === 0,
    settle: (c) => {
      for (const m of c.pending) {
        const row = c.per.find((x) => x.id === m.fit.id)!;
        row.candidates = [{ ...row.candidates[0], pta: attainmentUnder(m, c.regimen) }];
      }
      c.pending = [];
      const [again] = combineCandidates(c.per, units);
      if (again.pta) c.pta = again.pta;
      c.models = again.models;
    },
  });
  const named = (values: number[]): Record<string, number> =>
    Object.fromEntries(targets.map((t, k) => [t.metric, values[k]]));
  const candidates: DrugCandidate[] = listed.map((c, rank) => ({
    rank: rank + 1,
    start: c.start,
    dose: c.dose,
    interval: c.interval,
    duration: c.duration,
    loadingDose: c.loadingDose,
    loadingDuration: c.regimen.loadingDuration,
    metrics: named(c.metrics),
    met: c.met,
    pta: c.pta ?? null,
    proposedBy: c.proposedBy,
    ...(loadingTarget ? { loading: loadingListed(c.regimen, loadings.get(c)!) } : {}),
    models: c.models.map((m) => ({
      id: m.id,
      weight: m.weight,
      metrics: named(m.metrics),
      met: targets.map((t, k) => inTarget(t, m.metrics[k])),
      pta: m.pta ?? null,
    })),
  }));
  const byId = new Map(weighted.map((m) => [m.fit.id, m]));
  const p0 = fit.models[0].patient;
  let levels = 0;
  for (let i = 0; i < p0.n; i++) if (p0.evid[i] === 0 && p0.mdv[i] === 0) levels++;
  return {
    id: patient.id,
    drug,
    method: DRUG_RECOMMENDATION_METHOD,
    units,
    targets: targets.map((t) => t.text),
    ...(loadingTarget ? { loadingTarget: loadingTarget.text } : {}),
    horizon: s.horizon,
    weights: {
      scheme: fit.scheme,
      criterion: fit.criterion,
      generatingWeight: GENERATING_WEIGHT,
      models: fit.models.map((m) => ({
        id: m.id,
        version: m.version,
        citation: m.citation,
        objective: m.objective,
        obj: Number.isFinite(m.fit.obj) ? m.fit.obj : null,
        weight: m.weight,
        converged: m.fit.converged,
        proposes: m.weight >= GENERATING_WEIGHT,
        method: byId.get(m.id)?.twin.method ?? null,
        posteriorDraws: byId.get(m.id)?.twin.draws.length ?? 0,
      })),
      excluded: fit.excluded,
    },
    selected: fit.models[fit.selected].id,
    ...(nextDose ? { nextDose } : {}),
    regimensEvaluated: averaged.length,
    candidates,
    warnings,
    levels,
  };
}
