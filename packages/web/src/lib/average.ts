/**
 * Model averaging over the library's models of the patient's drug, in the browser, by the
 * library's own `fitDrug` (Uster DW et al., Clin Pharmacol Ther 2021;109:175-183): the analysis's
 * records become a model-independent `DrugPatient` (every number with its unit), `fitDrug` fits
 * each candidate model (MAP), puts its objective on the data's scale and weighs the models; this
 * file only adds, per weighted model, the steady-state exposure of the regimen being tried, and
 * says why a model is not in the average.
 */
import { convert, DosetwinError, parseTarget, Simulator } from '@dosetwin/engine';
import {
  fitDrug,
  formulationsOf,
  metricFactor,
  type LibraryModel,
  modelsForDrug,
  recordedCovariatesAt,
  type DrugFit,
  type DrugPatient,
  type DrugRecord,
} from '@dosetwin/models';
import { regimenMetrics, type Regimen, type Twin, type TwinInputs, usedSamples } from './twin.ts';
import type { AverageRow } from './worker-protocol.ts';

export interface DrugPatientOf {
  patient: DrugPatient;
  /** Time 0 of the records (epoch ms): the first dose, as the twin's. */
  originMs: number;
}

/**
 * The analysis's doses, levels (those the twin fits) and recorded covariates as a drug-level
 * patient: times in h from the first dose, amounts in the first dose's unit, levels in the first
 * level's unit (mg/L without levels), infusion rates from their durations; each record carries the
 * covariates in force at its time (the latest recorded value of each name; before the first
 * record, the first ones), as the twin's patient reads them.
 */
export function drugPatientOf(inputs: TwinInputs): DrugPatientOf {
  const samples = usedSamples(inputs);
  const units = { dose: inputs.administrations[0].unit, time: 'h', conc: samples[0]?.unit ?? 'mg/L' };
  const originMs = Math.min(...inputs.administrations.map((a) => Date.parse(a.at)));
  const firstCovMs = Math.min(...inputs.covariates.map((c) => Date.parse(c.at)));
  const covariatesAt = (ms: number) => recordedCovariatesAt(inputs.covariates, Math.max(ms, firstCovMs));
  const hours = (ms: number): number => (ms - originMs) / 3_600_000;
  const rows: { ms: number; order: number; record: DrugRecord }[] = [];
  inputs.administrations.forEach((a, k) => {
    const ms = Date.parse(a.at);
    const amt = convert(a.amount, a.unit, units.dose, `administrations[${k}].unit`);
    const rate =
      a.route === 'infusion' && a.duration
        ? amt / convert(a.duration.value, a.duration.unit, 'h', `administrations[${k}].duration`)
        : 0;
    rows.push({
      ms,
      order: 0,
      record: { time: hours(ms), evid: 1, amt, rate, covariates: covariatesAt(ms) },
    });
  });
  samples.forEach((s, k) => {
    const ms = Date.parse(s.at);
    const dv = convert(s.value, s.unit, units.conc, `samples[${k}].unit`);
    rows.push({ ms, order: 1, record: { time: hours(ms), evid: 0, dv, covariates: covariatesAt(ms) } });
  });
  // By time, doses before levels at the same instant (as the twin's patient).
  rows.sort((a, b) => a.ms - b.ms || a.order - b.order);
  return {
    patient: { id: inputs.patientId, units, records: rows.map((r, i) => ({ ...r.record, line: i + 1 })) },
    originMs,
  };
}

/**
 * Why a drug-level fit cannot give this model the patient's doses (null: it can): such a fit puts
 * every dose in each model's first compartment, so oral doses need a model that starts with its
 * depot, and intravenous ones a model that does not.
 */
function routeProblem(m: LibraryModel, routes: ReadonlySet<string>): string | null {
  const first = m.ir.compartments[0];
  if (routes.has('oral') && first !== 'depot')
    return `oral doses, but the model's first compartment is '${first}', not a depot`;
  const iv = [...routes].filter((r) => r !== 'oral');
  if (iv.length && first === 'depot')
    return `${iv.join('/')} doses go to the central compartment; a drug-level fit gives every dose to the first one (the depot)`;
  return null;
}

/** The formulation the patient takes: the current model's brand (the one the products name first), if any. */
function formulationOf(
  current: LibraryModel,
  drugModels: LibraryModel[],
  inputs: TwinInputs,
): string | undefined {
  const named = (brands: string[]): string | undefined =>
    brands.find((b) => inputs.administrations.some((a) => a.product.toLowerCase().includes(b.toLowerCase())));
  const own = formulationsOf(current);
  return named(own) ?? own[0] ?? named(drugModels.flatMap((m) => formulationsOf(m)));
}

/** Fit and weigh the drug's models (the library's `fitDrug`); models it cannot take are listed with the reason. */
export function fitDrugModels(
  inputs: TwinInputs,
  current: Twin,
): { fit: DrugFit | null; originMs: number; excluded: Map<string, string> } {
  const drug = current.ir.drug;
  const all = modelsForDrug(drug);
  const routes = new Set(inputs.administrations.map((a) => a.route));
  const excluded = new Map<string, string>();
  for (const m of all) {
    const why = routeProblem(m, routes);
    if (why) excluded.set(m.id, why);
  }
  const { patient, originMs } = drugPatientOf(inputs);
  const usable = all.filter((m) => !excluded.has(m.id)).map((m) => m.id);
  if (!usable.length) return { fit: null, originMs, excluded };
  let fit: DrugFit | null = null;
  try {
    fit = fitDrug(drug, patient, { models: usable, formulation: formulationOf(current.model, all, inputs) });
  } catch (e) {
    // No model could be fitted: each one's reason.
    if (!(e instanceof DosetwinError) || e.issues.some((i) => i.code !== 'DT_AVERAGE_NO_MODEL')) throw e;
    for (const i of e.issues) excluded.set(i.field.replace(/^models\./, ''), i.message);
    return { fit: null, originMs, excluded };
  }
  for (const x of fit.excluded) if (!excluded.has(x.id)) excluded.set(x.id, x.reason);
  return { fit, originMs, excluded };
}

/**
 * One row per library model of the drug (library order): its weight and data-scale objective from
 * `fitDrug`, and the regimen's steady-state metrics for the twin's targets at its MAP etas (in the
 * twin's units); or why it is not in the average.
 */
export function averageModels(inputs: TwinInputs, current: Twin, regimen: Regimen): AverageRow[] {
  const { fit, originMs, excluded } = fitDrugModels(inputs, current);
  return modelsForDrug(current.ir.drug).map((lib): AverageRow => {
    const m = fit?.models.find((x) => x.id === lib.id);
    if (!m)
      return {
        modelId: lib.id,
        objective: null,
        weight: null,
        metrics: [],
        error: excluded.get(lib.id) ?? 'not a candidate for this patient',
      };
    const ir = m.model.ir;
    const view = {
      ir,
      sim: new Simulator(m.model.compiled()),
      history: m.patient,
      originMs,
      point: m.fit.eta,
      targets: current.targets.map((t, k) => parseTarget(t.text, ir.units.conc, ir.units.time, k + 1)),
    };
    return {
      modelId: m.id,
      objective: m.objective,
      weight: m.weight,
      // Values in the twin's units, as its own forecast shows them.
      metrics: regimenMetrics(view, regimen).metrics.map((x) => ({
        target: x.target,
        value: x.value * metricFactor(x.metric, ir.units, current.ir.units),
        met: x.met,
      })),
    };
  });
}
