/**
 * `dosetwin recommend --drug NAME`: a dose recommendation averaged over the library models of one
 * drug (model averaging, Uster DW et al. Clin Pharmacol Ther 2021;109(1):175-183), for a user who
 * picks a drug rather than a model.
 *
 * Method, per patient:
 * 1. every candidate model of the drug is fitted to the same doses and levels (MAP) and weighed,
 *    w_m ∝ exp(−½·OFV_m) or the AIC variant (`fitDrug`, options --scheme, --criterion,
 *    --formulation, --models, --outside-domain);
 * 2. every model of weight ≥ {@link GENERATING_WEIGHT} proposes its own ranked candidate regimens
 *    (the recommendation search of `recommend --model`, the settings converted to the model's
 *    units); a model below it still counts in step 3 but proposes nothing (its weight is too small
 *    to make a regimen worth listing on its own);
 * 3. the regimens proposed are pooled (the same start, dose, interval, infusion duration and
 *    loading dose in the data's units, rel. 1e-9, are one regimen);
 * 4. each pooled regimen is evaluated under every model of weight > 0 (`pinnedSpace`: exactly that
 *    regimen, from the same start converted to the model's time unit), at the model's MAP etas
 *    for the metrics and over the model's own posterior draws (the same --samples and --seed) for
 *    the probability of target attainment;
 * 5. the evaluations are combined (`combineCandidates`): each metric is the weighted mean Σ w·m_i,
 *    the PTA the mixture's Σ w·PTA_i, the targets' `met` judged on the averaged metrics;
 * 6. the regimens are ranked as the engine ranks one model's candidates, on the averaged values:
 *    targets met by priority, then closeness of the averaged primary metric to the target's
 *    centre (log scale; or the mixture PTA first with --optimise pta), then fewer administrations
 *    (longer interval), earlier start, shorter infusion, smaller dose; --max-candidates are listed.
 *
 * Every number the user gives (intervals, durations, strengths, limits, start times, MIC, targets
 * without a unit) is in the data's units, the ones its header states (`TIME (h)`, `AMT (mg)`,
 * `DV (mg/L)`), and so is every number printed.
 */
import {
  type Candidate,
  type Issue,
  type PatientData,
  Simulator,
  type Target,
  convert,
  inTarget,
  parseTarget,
  recommend,
} from '@dosetwin/engine';
import {
  type AveragedCandidate,
  type DrugModelFit,
  type DrugPatient,
  type FitDrugOptions,
  type ModelCandidates,
  combineCandidates,
  fitDrug,
  pinnedSpace,
} from '@dosetwin/models';
import { patientState, type PatientState } from './patient-state.ts';
import { recommendFromState, type Settings } from './recommend.ts';

/** Smallest weight with which a model proposes regimens (every model of weight > 0 evaluates them). */
export const GENERATING_WEIGHT = 0.01;

type Units = { dose: string; time: string; conc: string };

/** Factor from a metric's value in `from` units to `to` units. */
function metricFactor(metric: Target['metric'], from: Units, to: Units): number {
  if (metric === 'auc24' || metric === 'auctau')
    return convert(1, from.conc, to.conc, 'units.conc') * convert(1, from.time, to.time, 'units.time');
  if (metric === 'ft_mic' || metric === 'fauc_mic' || metric === 'cmax_mic') return 1;
  return convert(1, from.conc, to.conc, 'units.conc');
}

/** A target (data units) in a model's units. */
function targetIn(t: Target, from: Units, to: Units): Target {
  const f = metricFactor(t.metric, from, to);
  return { ...t, lo: t.lo === null ? null : t.lo * f, hi: t.hi === null ? null : t.hi * f };
}

/** The command's settings (data units) in a model's units, `factors` = model value per data value. */
function settingsIn(s: Settings, factors: DrugModelFit['factors']): Settings {
  const t = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.time);
  const d = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factors.dose);
  return {
    ...s,
    space: {
      ...s.space,
      intervals: s.space.intervals.map((x) => x * factors.time),
      durations: s.space.durations?.map((x) => x * factors.time),
      strengths: s.space.strengths?.map((x) => x * factors.dose),
      maxDose: d(s.space.maxDose),
      maxDailyDose: d(s.space.maxDailyDose),
      loadingDose: d(s.space.loadingDose),
    },
    starts: s.starts?.map((x) => x * factors.time),
    maxLoadingDose: d(s.maxLoadingDose),
    loadingDuration: t(s.loadingDuration),
    mic: s.mic === undefined ? undefined : s.mic * factors.conc,
  };
}

/** A regimen in the data's units. */
interface Regimen {
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  /** Models whose own search proposed it. */
  proposedBy: string[];
}

const close = (a: number, b: number): boolean =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const sameRegimen = (a: Regimen, b: Regimen): boolean =>
  close(a.start, b.start) &&
  close(a.dose, b.dose) &&
  close(a.interval, b.interval) &&
  close(a.duration, b.duration) &&
  close(a.loadingDose, b.loadingDose);

/** One model of weight > 0, ready to evaluate regimens. */
interface Weighted {
  fit: DrugModelFit;
  sim: Simulator;
  state: PatientState;
  targets: Target[];
  settings: Settings;
}

export interface DrugCandidate {
  rank: number;
  start: number;
  dose: number;
  interval: number;
  duration: number;
  loadingDose: number;
  /** Model-averaged metric of each target (Σ w·metric), data units. */
  metrics: Record<string, number>;
  met: boolean[];
  /** Mixture probability of attaining each target and all of them (Σ w·PTA), or null without draws. */
  pta: { each: number[]; all: number } | null;
  proposedBy: string[];
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
  horizon: Settings['horizon'];
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
      posteriorDraws: number;
    }[];
    excluded: { id: string; reason: string }[];
  };
  selected: string;
  inputs: Record<string, unknown>;
  /** Regimens pooled from the models' searches and evaluated under every model. */
  regimensEvaluated: number;
  candidates: DrugCandidate[];
  /** Every model's warnings, labelled with the model. */
  warnings: { model: string; code: string; field: string; message: string }[];
}

export const METHOD =
  `model averaging (Uster 2021): every model of the drug fitted (MAP) and weighed; regimens proposed by each ` +
  `model of weight ≥ ${GENERATING_WEIGHT}, pooled; each evaluated under every model of weight > 0 ` +
  `(same start, the model's MAP etas, its own posterior draws); metrics Σ w·metric, PTA Σ w·PTA; ` +
  `ranked by targets met, closeness of the averaged primary metric to its centre (or PTA), fewer administrations`;

/** Evaluate one regimen (data units) under one model: exactly that regimen, the model's units. */
function evaluateUnder(m: Weighted, r: Regimen, warnings: Issue[]): Candidate | null {
  const f = m.fit.factors;
  const s = m.settings;
  const res = recommend({
    sim: m.sim,
    history: m.fit.patient,
    point: m.state.point,
    draws: m.state.draws.length ? m.state.draws : undefined,
    targets: m.targets,
    space: pinnedSpace(
      {
        dose: r.dose * f.dose,
        interval: r.interval * f.time,
        duration: r.duration * f.time,
        ...(r.loadingDose > 0 ? { loadingDose: r.loadingDose * f.dose } : {}),
      },
      r.start * f.time,
    ),
    horizon: s.horizon,
    mic: s.mic,
    fu: s.fu,
    optimiseFor: s.optimiseFor,
    maxCandidates: 1,
  });
  // The pinned space's dose bounds are the regimen itself: its DT_DOSE_LIMIT warnings are noise.
  warnings.push(...res.warnings.filter((w) => w.code !== 'DT_DOSE_LIMIT'));
  return res.candidates[0] ?? null;
}

/** Rank key of an averaged candidate, as the engine ranks one model's candidates. */
function rankKey(c: AveragedCandidate & { start: number }, targets: Target[], s: Settings): number[] {
  const metByPriority = [...new Set(targets.map((t) => t.priority))]
    .sort((a, b) => a - b)
    .map((pr) => (targets.every((t, k) => t.priority !== pr || c.met[k]) ? 0 : 1));
  const primary = [...targets].sort((a, b) => a.priority - b.priority)[0];
  const k0 = targets.indexOf(primary);
  const centre =
    primary.lo !== null && primary.hi !== null ? (primary.lo + primary.hi) / 2 : (primary.lo ?? primary.hi)!;
  const closeness = Math.round(1e9 * Math.abs(Math.log(c.metrics[k0] / centre))) / 1e9;
  const pta = c.pta ? -c.pta.all : 0;
  return s.optimiseFor === 'pta'
    ? [pta, ...metByPriority, closeness, -c.interval, c.start, c.duration, c.dose]
    : [...metByPriority, closeness, pta, -c.interval, c.start, c.duration, c.dose];
}

/**
 * The model-averaged recommendation for one patient of a drug-level dataset (see the module
 * documentation for the method). `s` is in the data's units.
 */
export function recommendDrugForPatient(
  drug: string,
  patient: DrugPatient,
  s: Settings,
  options: FitDrugOptions,
): DrugRecommendation {
  const units = patient.units;
  const fit = fitDrug(drug, patient, options);
  const targets = s.targets.map((t, i) => parseTarget(t, units.conc, units.time, i + 1));
  const warnings: DrugRecommendation['warnings'] = [];
  const seen = new Set<string>();
  const warn = (model: string, list: readonly Issue[]): void => {
    for (const w of list) {
      const message = w.message.startsWith(`${model}: `) ? w.message.slice(model.length + 2) : w.message;
      const key = `${model}|${w.code}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push({ model, code: w.code, field: w.field, message });
    }
  };
  for (const x of fit.excluded)
    warn(x.id, [
      { code: 'DT_AVERAGE_EXCLUDED', severity: 'warning', field: `models.${x.id}`, message: x.reason },
    ]);
  const weighted: Weighted[] = [];
  for (const m of fit.models) {
    warn(m.id, m.warnings);
    if (!(m.weight > 0)) continue;
    const compiled = m.model.compiled();
    const state = patientState(compiled, m.patient, { samples: s.samples, seed: s.seed });
    warn(
      m.id,
      // The validity domain is already reported by the fit, per covariate.
      state.warnings.filter(
        (w) => w.code !== 'DT_DOMAIN_OUTSIDE' || !m.warnings.some((x) => x.code === w.code),
      ),
    );
    const mu = m.model.ir.units;
    weighted.push({
      fit: m,
      sim: new Simulator(compiled),
      state,
      targets: targets.map((t) => targetIn(t, units, mu)),
      settings: settingsIn(s, m.factors),
    });
  }

  // Steps 2-3: each model of weight ≥ GENERATING_WEIGHT proposes; the regimens are pooled.
  const pool: Regimen[] = [];
  for (const m of weighted) {
    if (m.fit.weight < GENERATING_WEIGHT) continue;
    const { engine } = recommendFromState(
      m.fit.model.compiled(),
      m.fit.patient,
      m.settings,
      m.state,
      m.targets,
    );
    warn(m.fit.id, engine.warnings);
    const f = m.fit.factors;
    for (const c of engine.candidates) {
      const r: Regimen = {
        start: c.start / f.time,
        dose: c.dose / f.dose,
        interval: c.interval / f.time,
        duration: c.duration / f.time,
        loadingDose: c.loadingDose / f.dose,
        proposedBy: [m.fit.id],
      };
      const known = pool.find((x) => sameRegimen(x, r));
      if (known) known.proposedBy.push(m.fit.id);
      else pool.push(r);
    }
  }

  // Steps 4-5: every pooled regimen under every weighted model, combined.
  const evalWarnings = new Map<string, Issue[]>(weighted.map((m) => [m.fit.id, []]));
  const averaged: (AveragedCandidate & { start: number; proposedBy: string[] })[] = [];
  for (const r of pool) {
    const per: ModelCandidates[] = [];
    let missing: string | null = null;
    for (const m of weighted) {
      const c = evaluateUnder(m, r, evalWarnings.get(m.fit.id)!);
      if (!c) {
        missing = m.fit.id;
        break;
      }
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
    averaged.push({ ...c, start: r.start, proposedBy: r.proposedBy });
  }
  for (const [id, list] of evalWarnings) warn(id, list);

  // Step 6: rank on the averaged values.
  const keyed = averaged.map((c) => ({ c, k: rankKey(c, targets, s) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i];
    return 0;
  });
  const named = (values: number[]): Record<string, number> =>
    Object.fromEntries(targets.map((t, k) => [t.metric, values[k]]));
  const candidates: DrugCandidate[] = keyed.slice(0, s.maxCandidates).map(({ c }, rank) => ({
    rank: rank + 1,
    start: c.start,
    dose: c.dose,
    interval: c.interval,
    duration: c.duration,
    loadingDose: c.loadingDose,
    metrics: named(c.metrics),
    met: c.met,
    pta: c.pta ?? null,
    proposedBy: c.proposedBy,
    models: c.models.map((m) => ({
      id: m.id,
      weight: m.weight,
      metrics: named(m.metrics),
      met: targets.map((t, k) => inTarget(t, m.metrics[k])),
      pta: m.pta ?? null,
    })),
  }));
  const byId = new Map(weighted.map((m) => [m.fit.id, m]));
  const levels = (p: PatientData): number =>
    Array.from(p.evid).filter((e, i) => e === 0 && p.mdv[i] === 0).length;
  return {
    id: patient.id,
    drug,
    method: METHOD,
    units,
    targets: targets.map((t) => t.text),
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
        posteriorDraws: byId.get(m.id)?.state.draws.length ?? 0,
      })),
      excluded: fit.excluded,
    },
    selected: fit.models[fit.selected].id,
    inputs: {
      space: s.space,
      starts: s.starts ?? 'next dose due',
      ...(s.mic !== undefined ? { mic: s.mic, fu: s.fu ?? 1 } : {}),
      samples: s.samples,
      seed: s.seed,
      optimiseFor: s.optimiseFor,
      records: patient.records.length,
      levels: levels(fit.models[0].patient),
    },
    regimensEvaluated: averaged.length,
    candidates,
    warnings,
  };
}

const r4 = (x: number): string => String(Number(x.toPrecision(4)));
/** A weight to 3 decimals; a non-zero one below 0.0005 with 2 significant digits, never a bare 0.000. */
const weight = (w: number): string => (w > 0 && w < 5e-4 ? w.toPrecision(2) : w.toFixed(3));
const short = (id: string): string => id.slice(id.indexOf('/') + 1);

/** The pharmacist's text report of one patient's model-averaged recommendation. */
export function drugRecommendationText(r: DrugRecommendation): string[] {
  const u = r.units;
  const why = `${r.weights.scheme === 'aic' ? 'AIC (OFV + 2k)' : 'likelihood exp(−OFV/2)'}, OFV = ${r.weights.criterion === 'laplace' ? 'NONMEM OBJ' : 'MAP objective'}`;
  const out = [
    `${r.id}: ${r.drug}, averaged over ${r.weights.models.length} model(s), weights by ${why}; units ${u.dose}, ${u.time}, ${u.conc}`,
  ];
  const w = Math.max(5, ...r.weights.models.map((m) => m.id.length));
  const cw = Math.max(8, ...r.weights.models.map((m) => m.citation.length));
  out.push(`  ${'model'.padEnd(w)}  ${'citation'.padEnd(cw)}  ${'OFV'.padStart(9)}  ${'weight'.padStart(6)}`);
  for (const m of r.weights.models)
    out.push(
      `  ${m.id.padEnd(w)}  ${m.citation.padEnd(cw)}  ${m.objective.toFixed(3).padStart(9)}  ${weight(m.weight).padStart(6)}` +
        `${m.id === r.selected ? '  ← selected' : ''}${m.proposes ? '' : '  (too light to propose regimens)'}${m.converged ? '' : '  (not converged)'}`,
    );
  for (const x of r.weights.excluded) out.push(`  left out: ${x.id}: ${x.reason}`);
  out.push(
    `  ${r.regimensEvaluated} regimen(s) proposed by the models, each evaluated under every model; exposure averaged Σ w·x (each model's), PTA of the mixture Σ w·PTA:`,
  );
  for (const c of r.candidates) {
    const metrics = Object.entries(c.metrics)
      .map(
        ([name, v], k) =>
          `${name} ${r4(v)}${c.met[k] ? ' ✓' : ' ✗'} (per model: ${c.models.map((m) => `${short(m.id)} ${r4(m.metrics[name])}`).join(', ')})`,
      )
      .join('; ');
    out.push(
      `  #${c.rank} ${c.loadingDose > 0 ? `${c.loadingDose} ${u.dose} then ` : ''}${c.dose} ${u.dose} every ${c.interval} ${u.time}` +
        `${c.duration ? ` over ${c.duration} ${u.time}` : ''} from t = ${r4(c.start)}: ${metrics}` +
        (c.pta ? `; PTA ${(100 * c.pta.all).toFixed(0)} %` : ''),
    );
  }
  if (!r.candidates.length) out.push('  no regimen to propose');
  for (const x of r.warnings)
    if (x.code !== 'DT_AVERAGE_EXCLUDED') out.push(`  warning [${x.model}] ${x.code}: ${x.message}`);
  return out;
}
