/**
 * Model averaging and selection across the library models of one drug, for one patient (Uster DW
 * et al. Clin Pharmacol Ther 2021;109(1):175-183, doi:10.1002/cpt.2065): each candidate model is
 * fitted (MAP) to the same doses and levels, its objective put on the data's scale, and the
 * weights w_m ∝ exp(−½·OFV_m) (or the AIC variant) combine the models' individual predictions,
 * exposures and probabilities of target attainment. The numerics are the engine's
 * (`modelWeights`, `averagePredictions`, `dataScaleObjective`); this file resolves each model's
 * covariates and units, checks that the likelihoods are comparable, and says why a model is left
 * out.
 *
 * Choices, each tested:
 * - a model whose required covariate is missing (neither given nor derivable) is left out with a
 *   warning naming the covariate; so is a model whose fit fails (non-finite objective);
 * - a model used outside its validity domain stays in, with the validity warning (the data then
 *   decide through its likelihood; leaving it out would make the result jump when a covariate
 *   crosses a range bound); `outsideDomain: 'exclude'` leaves it out instead;
 * - the likelihoods are compared only on the same observations of the same quantity: models that
 *   measure another analyte, fraction (total/unbound) or matrix (whole blood vs plasma/serum), or
 *   that do not read every observation, are refused with an error naming the model.
 */
import {
  type Candidate,
  type CompiledModel,
  computeExposure,
  convert,
  dataScaleObjective,
  DosetwinError,
  type Issue,
  type MapFit,
  MapEstimator,
  type MapOptions,
  metricUnitFactor,
  mixtureProbability,
  modelWeights,
  averagePredictions,
  type PatientData,
  type RegimenSpace,
  Simulator,
  type Target,
  type WeightScheme,
  withPredictionTimes,
} from '@dosetwin/engine';
import { checkCovariateUnits } from './drug-data.ts';
import { candidateModels } from './drug-models.ts';
import { individualParameters } from './evaluate.ts';
import { shortCitation, type LibraryModel } from './registry.ts';
import {
  checkDrugPatient,
  covariatesPerRecord,
  type DrugPatient,
  type DrugRecord,
  modelPatient,
} from './patient.ts';

export type { DrugPatient, DrugRecord };

export interface FitDrugOptions {
  /** Formulation (brand) the patient takes, for drugs whose models are formulation-specific. */
  formulation?: string;
  /** Restrict the candidates to these model ids. */
  models?: readonly string[];
  /** `likelihood` (default, Uster 2021) or `aic` (penalised by 2 per estimated eta). */
  scheme?: WeightScheme;
  /**
   * Objective the weights use: `map` (default; the MAP objective at the mode, −2 ln posterior
   * density up to a constant, as Uster 2021 and mapbayr) or `laplace` (NONMEM's OBJ = MAP
   * objective + ln|Ω| − ln|ETC|, the Laplace approximation of −2 ln of the marginal likelihood).
   */
  criterion?: 'map' | 'laplace';
  /** Models used outside their validity domain: `keep` (default, with the warning) or `exclude`. */
  outsideDomain?: 'keep' | 'exclude';
  /** Options of each model's MAP estimator. */
  map?: MapOptions;
}

/** One candidate model's fit, in the model's own units unless stated. */
export interface DrugModelFit {
  id: string;
  version: string;
  /** `Goti 2018`. */
  citation: string;
  model: LibraryModel;
  /** The patient as this model reads it (its units, its covariates per record). */
  patient: PatientData;
  fit: MapFit;
  /**
   * The MAP etas in the simulator's layout: model order, then the fitted inter-occasion etas of
   * each occasion of the history (a past window is predicted with its occasion's; new doses none).
   */
  point: Float64Array;
  /** −2 ln density of the data in the data's units (criterion `map` or `laplace`), the basis of the weight. */
  objective: number;
  /** Estimated etas (k of the AIC scheme). */
  parameters: number;
  weight: number;
  /** The model's parameters, etas and covariates at the last record, at the MAP etas (CL, V1, …; model units). */
  individual: Record<string, number>;
  /** Data value × factor = model value: concentration, time and dose. */
  factors: { conc: number; time: number; dose: number };
  /** This model's warnings (validity domain, defaults, non-convergence). */
  warnings: Issue[];
  /** Unit conversions and derivations done for this model. */
  notes: string[];
}

export interface DrugFit {
  drug: string;
  id: string;
  units: DrugPatient['units'];
  scheme: WeightScheme;
  criterion: 'map' | 'laplace';
  /** Fitted candidates, library order; weights sum to 1. */
  models: DrugModelFit[];
  /** Index into `models` of the largest weight (model selection). */
  selected: number;
  /** Library models of the drug not in the average, and why. */
  excluded: { id: string; reason: string }[];
  /** Every model's warnings (each names its model) and the exclusions. */
  warnings: Issue[];
}

const err = (code: Issue['code'], field: string, message: string, hint?: string): Issue => ({
  code,
  severity: 'error',
  field,
  message,
  ...(hint ? { hint } : {}),
});

/**
 * What a model measures, reduced to what makes likelihoods comparable: analyte | fraction |
 * matrix, read from the `measured` line before any `;` (later notes, e.g. "free fraction 0.91 used
 * for fT>MIC", do not change what the levels are). The fraction is `unbound` when a comma field
 * says unbound or free, else total; serum and plasma are one matrix, whole blood another.
 */
export function measuredKey(measured: string): string {
  const head = measured.toLowerCase().split(';')[0];
  const fields = head.split(',').map((f) => f.trim());
  const analyte = fields[0].split('(')[0].trim();
  const fraction = fields.some((f) => /^(unbound|free)\b/.test(f)) ? 'unbound' : 'total';
  const matrix = /whole blood/.test(head)
    ? 'whole blood'
    : /\b(plasma|serum)\b/.test(head)
      ? 'plasma/serum'
      : 'unstated';
  return `${analyte} | ${fraction} | ${matrix}`;
}

/**
 * Parameters, etas and covariates only: amounts, outputs and whatever is computed from them
 * (0 outside the solver, e.g. everolimus's plasma and red-cell concentrations) are left out.
 */
function namedValues(m: LibraryModel, all: Record<string, number>): Record<string, number> {
  const drop = new Set([...m.compiled().dynamicNames, ...m.ir.errors.map((e) => e.output)]);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !drop.has(k)));
}

/**
 * Fit every candidate model of `drug` to the patient and weigh them (see the module
 * documentation). Throws a DosetwinError when no model can be fitted (every reason listed), when
 * the candidates do not measure the same quantity, or when a model does not read every
 * observation.
 */
export function fitDrug(drug: string, patient: DrugPatient, options: FitDrugOptions = {}): DrugFit {
  checkDrugPatient(patient);
  const cand = candidateModels(drug, { formulation: options.formulation, models: options.models });
  checkCovariateUnits([patient], cand.models);
  const criterion = options.criterion ?? 'map';
  const scheme = options.scheme ?? 'likelihood';
  if (criterion !== 'map' && criterion !== 'laplace')
    throw new DosetwinError([
      err('DT_AVERAGE_CRITERION', 'criterion', `'${String(criterion)}' is not map or laplace`),
    ]);
  const keys = new Map(cand.models.map((m) => [m.id, measuredKey(m.ir.measured)]));
  const distinct = [...new Set(keys.values())];
  if (distinct.length > 1) {
    const ref = keys.get(cand.models[0].id)!;
    throw new DosetwinError(
      cand.models
        .filter((m) => keys.get(m.id) !== ref)
        .map((m) =>
          err(
            'DT_AVERAGE_INCOMPARABLE',
            `models.${m.id}`,
            `${m.id} measures '${m.ir.measured}' (${keys.get(m.id)}), ${cand.models[0].id} '${cand.models[0].ir.measured}' (${ref}): their likelihoods are not comparable`,
            'restrict the models to those measuring what the levels are',
          ),
        ),
    );
  }
  const covs = covariatesPerRecord(patient);
  const nObsData = patient.records.filter(
    (r) =>
      (r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0)) === 0 &&
      (r.mdv ?? (r.dv === null || r.dv === undefined ? 1 : 0)) === 0,
  ).length;
  const excluded = [...cand.excluded];
  const warnings: Issue[] = [];
  const leaveOut = (id: string, reason: string): void => {
    excluded.push({ id, reason });
    warnings.push({
      code: 'DT_AVERAGE_EXCLUDED',
      severity: 'warning',
      field: `models.${id}`,
      message: `${id} left out of the average: ${reason}`,
    });
  };
  const fits: Omit<DrugModelFit, 'weight'>[] = [];
  for (const m of cand.models) {
    const built = modelPatient(m, patient, covs);
    if (!built.patient) {
      leaveOut(m.id, built.errors.map((e) => e.message).join('; '));
      continue;
    }
    const mw = built.warnings.map((w) => ({ ...w, message: `${m.id}: ${w.message}` }));
    if (options.outsideDomain === 'exclude' && built.warnings.some((w) => w.code === 'DT_DOMAIN_OUTSIDE')) {
      leaveOut(
        m.id,
        built.warnings
          .filter((w) => w.code === 'DT_DOMAIN_OUTSIDE')
          .map((w) => w.message)
          .join('; '),
      );
      continue;
    }
    const compiled: CompiledModel = m.compiled();
    const est = new MapEstimator(compiled, options.map ?? {});
    let obj;
    try {
      obj = est.objective(built.patient);
    } catch (e) {
      if (e instanceof DosetwinError)
        throw new DosetwinError(
          e.issues.map((i) => ({
            ...i,
            message: `${m.id}: ${i.message}`,
            field: `models.${m.id}.${i.field}`,
          })),
        );
      throw e;
    }
    if (obj.nObs !== nObsData)
      throw new DosetwinError([
        err(
          'DT_AVERAGE_INCOMPARABLE',
          `models.${m.id}`,
          `${m.id} reads ${obj.nObs} of the ${nObsData} observations: its likelihood is not comparable`,
        ),
      ]);
    const fit = est.fit(built.patient);
    const raw = criterion === 'laplace' ? fit.obj : fit.objective;
    if (!Number.isFinite(raw)) {
      leaveOut(m.id, `its MAP fit failed (${fit.message})`);
      continue;
    }
    if (!fit.converged)
      mw.push({
        code: 'DT_MAP_NONCONVERGENCE',
        severity: 'warning',
        field: `models.${m.id}.fit`,
        message: `${m.id}: MAP estimation did not converge: ${fit.message}`,
      });
    const last = patient.records.length - 1;
    fits.push({
      id: m.id,
      version: m.ir.version,
      citation: shortCitation(m.ir),
      model: m,
      patient: built.patient,
      fit,
      point: Float64Array.from(obj.simulatorEta(fit.x)),
      objective: dataScaleObjective(raw, obj, built.factors.conc),
      parameters: fit.x.length,
      individual: namedValues(m, individualParameters(m, covs.values[last], fit.eta)),
      factors: built.factors,
      warnings: mw,
      notes: built.notes,
    });
    warnings.push(...mw);
  }
  if (!fits.length)
    throw new DosetwinError(
      excluded.map((x) =>
        err('DT_AVERAGE_NO_MODEL', `models.${x.id}`, `${x.id} cannot be used: ${x.reason}`),
      ),
    );
  const w = modelWeights(
    fits.map((f) => ({ label: f.id, objective: f.objective, parameters: f.parameters })),
    scheme,
  );
  return {
    drug,
    id: patient.id,
    units: patient.units,
    scheme,
    criterion,
    models: fits.map((f, i) => ({ ...f, weight: w.weights[i] })),
    selected: w.selected,
    excluded,
    warnings,
  };
}

export interface DrugPrediction {
  /** Times (data unit, ascending). */
  times: number[];
  /** Each model's individual prediction at the times (data concentration unit), `fit.models` order. */
  models: Float64Array[];
  /** Model-averaged prediction (mixture mean). */
  averaged: Float64Array;
  /** The selected model's prediction. */
  selected: Float64Array;
}

/**
 * Concentrations at `times` (data time unit) after the patient's records (doses planned after
 * the last level may be in the records: they do not change the fit), at each model's MAP etas
 * (future occasions: IOV 0), with the covariates of the record at or after each time.
 */
export function predictDrug(f: DrugFit, times: readonly number[]): DrugPrediction {
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.some((t) => !Number.isFinite(t)))
    throw new DosetwinError([err('DT_AVERAGE_TIMES', 'times', 'prediction times must be finite numbers')]);
  const per = f.models.map((m) => {
    const q = withPredictionTimes(
      m.patient,
      sorted.map((t) => t * m.factors.time),
    );
    const out = new Float64Array(q.n);
    new Simulator(m.model.compiled()).run(q, m.point, out);
    const res = new Float64Array(sorted.length);
    let k = 0;
    for (let i = 0; i < q.n; i++) if (q.evid[i] === 2 && q.line[i] === 0) res[k++] = out[i] / m.factors.conc;
    return res;
  });
  return {
    times: sorted,
    models: per,
    averaged: Float64Array.from(modelAverage(f.models, (i) => per[i]).averaged),
    selected: per[f.selected],
  };
}

export interface DrugExposure {
  /** Window (data time unit). */
  from: number;
  to: number;
  /** Per model (fit.models order) and averaged: AUC (data conc × time), Cavg, Cmin, Cmax (data conc). */
  models: { auc: number; cavg: number; cmin: number; cmax: number }[];
  averaged: { auc: number; cavg: number; cmin: number; cmax: number };
}

/**
 * Exposure over a window (data time unit) after the records, per model and model-averaged (the
 * weighted mean of each metric, Uster 2021's averaged forecast).
 */
export function exposureDrug(f: DrugFit, window: { from: number; to: number }): DrugExposure {
  const per = f.models.map((m) => {
    const e = computeExposure(new Simulator(m.model.compiled()), m.patient, m.point, {
      from: window.from * m.factors.time,
      to: window.to * m.factors.time,
    });
    const c = m.factors.conc;
    return { auc: e.auc / c / m.factors.time, cavg: e.cavg / c, cmin: e.cmin / c, cmax: e.cmax / c };
  });
  const [auc, cavg, cmin, cmax] = modelAverage(f.models, (i) => [
    per[i].auc,
    per[i].cavg,
    per[i].cmin,
    per[i].cmax,
  ]).averaged;
  return { from: window.from, to: window.to, models: per, averaged: { auc, cavg, cmin, cmax } };
}

// ---------------------------------------------------------------- recommendations

/**
 * A regimen space that holds exactly one regimen (dose, interval, infusion duration, model
 * units): the engine's `recommend` then evaluates that regimen alone (its exposure at the point
 * estimate and its PTA over the draws), so the same candidates can be evaluated under each model.
 */
export function pinnedSpace(
  regimen: { dose: number; interval: number; duration: number; loadingDose?: number },
  start: number,
  cmt = 0,
): RegimenSpace {
  return {
    start,
    intervals: [regimen.interval],
    durations: [regimen.duration],
    strengths: [regimen.dose],
    maxUnitsPerDose: 1,
    minDose: regimen.dose,
    maxDose: regimen.dose,
    cmt,
    ...(regimen.loadingDose ? { loadingDose: regimen.loadingDose } : {}),
  };
}

/** One model's recommendation candidates, in that model's units, with its targets as parsed for it. */
export interface ModelCandidates {
  id: string;
  weight: number;
  units: { dose: string; time: string; conc: string };
  targets: Target[];
  candidates: Candidate[];
}

export interface AveragedCandidate {
  /** Dose, loading dose (output dose unit), interval, infusion duration (output time unit). */
  dose: number;
  loadingDose: number;
  interval: number;
  duration: number;
  /** Weighted mean of each target's metric (output units), target order. */
  metrics: number[];
  met: boolean[];
  /** Probability of attaining each target and all of them under the mixture Σ w_m·P_m. */
  pta?: { each: number[]; all: number };
  /** Each model's values, in the output units. */
  models: { id: string; weight: number; metrics: number[]; pta?: { each: number[]; all: number } }[];
}

/** Factor from a model's unit of a metric to the output unit (the engine's metric registry says its dimension). */
export function metricFactor(
  metric: string,
  from: ModelCandidates['units'],
  to: ModelCandidates['units'],
): number {
  return metricUnitFactor(metric, from, to);
}

/**
 * Model averaging as one combinator over any per-model output (as mapbayr's
 * `model_averaging(…, output_function)`): each model's output (a list of numbers: predictions,
 * metrics, probabilities) and their weighted mean Σ w_m·y_m, weights normalised over the models
 * given. Probabilities average to the mixture's probability (Σ w_m·P_m, checked in [0, 1]).
 */
export function modelAverage(
  models: readonly { id: string; weight: number }[],
  output: (index: number) => ArrayLike<number>,
  kind: 'mean' | 'probability' = 'mean',
): { models: number[][]; averaged: number[] } {
  let total = 0;
  for (const m of models) total += m.weight;
  if (!(total > 0))
    throw new DosetwinError([err('DT_AVERAGE_EMPTY', 'models', 'no model with a weight > 0 to average')]);
  const w = models.map((m) => m.weight / total);
  const per = models.map((_, i) => Array.from(output(i)));
  const averaged =
    kind === 'probability'
      ? per[0].map((_, k) =>
          mixtureProbability(
            w,
            per.map((p) => p[k]),
          ),
        )
      : Array.from(
          averagePredictions(
            w,
            per,
            models.map((m) => m.id),
          ),
        );
  return { models: per, averaged };
}

/**
 * Combine the candidates that each model's recommendation gave for the *same* regimens (e.g. by
 * {@link pinnedSpace}) into model-averaged exposures (weighted mean of each metric) and PTA (the
 * mixture's Σ w_m·P_m), in the output units `units`. A regimen (matched on dose, interval,
 * duration and loading dose after unit conversion, rel. 1e-9) must have been evaluated under every
 * model of weight > 0 (an error names the model that lacks it); models of weight 0 are ignored.
 * Targets are matched by position and must name the same metrics. The result keeps the order of
 * the first weighted model's candidates; `met` is re-evaluated on the averaged metrics against
 * the targets of the first weighted model, converted.
 */
export function combineCandidates(
  perModel: readonly ModelCandidates[],
  units: ModelCandidates['units'],
): AveragedCandidate[] {
  const used = perModel.filter((m) => m.weight > 0);
  if (!used.length)
    throw new DosetwinError([err('DT_AVERAGE_EMPTY', 'models', 'no model with a weight > 0 to combine')]);
  const ref = used[0];
  for (const m of used)
    if (
      m.targets.length !== ref.targets.length ||
      m.targets.some((t, k) => t.metric !== ref.targets[k].metric)
    )
      throw new DosetwinError([
        err(
          'DT_AVERAGE_TARGETS',
          `models.${m.id}.targets`,
          `${m.id} has targets ${m.targets.map((t) => t.metric).join(', ')}, ${ref.id} ${ref.targets.map((t) => t.metric).join(', ')}: evaluate the same targets under every model`,
        ),
      ]);
  const key = (m: ModelCandidates, c: Candidate): number[] => {
    const d = convert(1, m.units.dose, units.dose, 'dose');
    const t = convert(1, m.units.time, units.time, 'time');
    return [c.dose * d, c.interval * t, c.duration * t, c.loadingDose * d];
  };
  const same = (a: number[], b: number[]): boolean =>
    a.every(
      (x, i) => Math.abs(x - b[i]) <= 1e-9 * Math.max(Math.abs(x), Math.abs(b[i]), 1e-12) || x === b[i],
    );
  const refTargets = ref.targets.map((t) => {
    const f = metricFactor(t.metric, ref.units, units);
    return { ...t, lo: t.lo === null ? null : t.lo * f, hi: t.hi === null ? null : t.hi * f };
  });
  return ref.candidates.map((c0) => {
    const k0 = key(ref, c0);
    const rows = used.map((m) => {
      const c = m.candidates.find((x) => same(key(m, x), k0));
      if (!c)
        throw new DosetwinError([
          err(
            'DT_AVERAGE_REGIMEN',
            `models.${m.id}.candidates`,
            `${m.id} has no evaluation of ${k0[0]} ${units.dose} every ${k0[1]} ${units.time}${k0[2] ? ` over ${k0[2]} ${units.time}` : ''}: evaluate the same regimens under every model`,
          ),
        ]);
      return {
        id: m.id,
        weight: m.weight,
        metrics: c.metrics.map((v, k) => v * metricFactor(m.targets[k].metric, m.units, units)),
        pta: c.pta,
      };
    });
    const metrics = modelAverage(used, (i) => rows[i].metrics).averaged;
    const out: AveragedCandidate = {
      dose: k0[0],
      interval: k0[1],
      duration: k0[2],
      loadingDose: k0[3],
      metrics,
      met: refTargets.map(
        (t, k) =>
          (t.lo === null || metrics[k] >= t.lo * (1 - 1e-12)) &&
          (t.hi === null || metrics[k] <= t.hi * (1 + 1e-12)),
      ),
      models: rows,
    };
    if (rows.every((r) => r.pta)) {
      const p = modelAverage(used, (i) => [...rows[i].pta!.each, rows[i].pta!.all], 'probability').averaged;
      out.pta = { each: p.slice(0, -1), all: p[p.length - 1] };
    }
    return out;
  });
}
