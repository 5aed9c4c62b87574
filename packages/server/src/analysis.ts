/**
 * One analysis of a dose-adjustment request, by the engine: covariates resolved by the model
 * library (derivations, unit conversions, validity domain), the patient built from clinical time
 * stamps, the MAP fit (a priori when there is no usable sample), and the regimen search over the
 * model's products toward its default targets. Numerics are the engine's; this file only wires.
 */
import { readFileSync } from 'node:fs';
import * as engine from '@dosetwin/engine';
import {
  buildPatient,
  DosetwinError,
  estimateMap,
  type Issue,
  type CompiledModel,
  type PatientData,
  parseTarget,
  recommend,
  Simulator,
  type Target,
  withPredictionTimes,
} from '@dosetwin/engine';
import {
  type AnalysisInputs,
  type CandidateOut,
  covariatesOverTime,
  defaultTargets,
  getModel,
  productSpace,
  shortCitation,
} from '@dosetwin/models';

export const ENGINE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@dosetwin/engine')), 'utf8')) as {
    version: string;
  }
).version;

export type { AnalysisInputs, CandidateOut };

export interface FitResult {
  kind: 'map' | 'a priori';
  converged: boolean;
  objective: number | null;
  etaNames: string[];
  eta: number[];
  /** Individual parameters at the estimate (the model's named variables). */
  parameters: Record<string, number>;
  /** Observed vs individual prediction, model concentration unit. */
  observations: { at: string; observed: number; predicted: number }[];
}

export interface ForecastPoint {
  at: string;
  conc: number;
}

export interface AnalysisResult {
  modelId: string;
  modelVersion: string;
  engineVersion: string;
  citation: string;
  units: { dose: string; time: string; conc: string };
  fit: FitResult;
  forecast: { concUnit: string; points: ForecastPoint[] };
  candidates: CandidateOut[];
  warnings: Issue[];
  conversions: string[];
  start: string;
}

const issue = (code: Issue['code'], field: string, message: string, hint?: string): Issue => ({
  code,
  severity: 'error',
  field,
  message,
  ...(hint ? { hint } : {}),
});

export async function runAnalysis(inputs: AnalysisInputs): Promise<AnalysisResult> {
  const model = getModel(inputs.modelId);
  const ir = model.ir;
  const compiled = model.compiled();
  const warnings: Issue[] = [];
  const notes: string[] = [];
  if (!inputs.administrations.length)
    throw new DosetwinError([
      issue('DT_ANALYSIS_NO_DOSE', 'administrations', 'the patient has no recorded dose'),
    ]);

  const resolved = covariatesOverTime(model, inputs.covariates);
  warnings.push(...resolved.warnings);
  notes.push(...resolved.notes);
  const covariates = resolved.covariates;
  const firstDoseMs = Math.min(...inputs.administrations.map((a) => Date.parse(a.at)));
  const samples = inputs.samples.filter((s, k) => {
    if (Date.parse(s.at) < firstDoseMs) {
      warnings.push({
        code: 'DT_SAMPLE_BEFORE_DOSE',
        severity: 'warning',
        field: `samples[${k}].at`,
        message: `sample at ${s.at} is before the first recorded dose; not used`,
      });
      return false;
    }
    if (s.lloq !== null && s.value < s.lloq) {
      warnings.push({
        code: 'DT_SAMPLE_BLQ',
        severity: 'warning',
        field: `samples[${k}].value`,
        message: `sample at ${s.at} (${s.value} ${s.unit}) is below the LLOQ ${s.lloq} ${s.unit}; not used`,
      });
      return false;
    }
    return true;
  });
  const built = buildPatient(ir, {
    id: inputs.patientId,
    doses: inputs.administrations.map((a) => ({
      at: a.at,
      amount: a.amount,
      unit: a.unit,
      route: a.route,
      ...(a.duration ? { duration: a.duration } : {}),
    })),
    samples: samples.map((s) => ({ at: s.at, value: s.value, unit: s.unit })),
    covariates,
  });
  const history = built.patient;
  const originMs = built.originMs;
  const toTime = (ms: number): number => engine.convert((ms - originMs) / 3_600_000, 'h', ir.units.time);
  const toIso = (t: number): string =>
    new Date(originMs + engine.convert(t, ir.units.time, 'h') * 3_600_000).toISOString();

  // Fit.
  let point: Float64Array | null = null;
  let fit: FitResult;
  const sim = new Simulator(compiled);
  const obsIdx: number[] = [];
  for (let i = 0; i < history.n; i++) if (history.evid[i] === 0 && history.mdv[i] === 0) obsIdx.push(i);
  const etaNames = ir.etas.map((e) => e.name);
  if (obsIdx.length) {
    const f = estimateMap(compiled, history, {});
    point = f.eta;
    if (!f.converged)
      warnings.push({
        code: 'DT_FIT_NOT_CONVERGED',
        severity: 'warning',
        field: 'fit',
        message: 'the MAP optimiser did not meet its convergence test; review the fit before use',
      });
    fit = {
      kind: 'map',
      converged: f.converged,
      objective: f.objective,
      etaNames: f.etaNames,
      eta: Array.from(f.eta),
      parameters: {},
      observations: f.ipred.map((o) => ({
        at: toIso(history.time[o.record]),
        observed: history.dv[o.record],
        predicted: o.ipred,
      })),
    };
  } else {
    warnings.push({
      code: 'DT_FIT_A_PRIORI',
      severity: 'warning',
      field: 'samples',
      message: 'no usable concentration: a priori dosing from covariates only',
    });
    fit = {
      kind: 'a priori',
      converged: true,
      objective: null,
      etaNames,
      eta: etaNames.map(() => 0),
      parameters: {},
      observations: [],
    };
  }
  fit.parameters = individualAtLast(compiled, history, point);

  // Regimen space from the model's products.
  const depot = ir.compartments.indexOf('depot') >= 0;
  const hToModel = (h: number): number => engine.convert(h, 'h', ir.units.time);
  const { intervals, durations, strengths } = productSpace(model);
  const lastDoseMs = Math.max(...inputs.administrations.map((a) => Date.parse(a.at)));
  const lastEventT = history.time[history.n - 1];
  const startT = inputs.start
    ? toTime(Date.parse(inputs.start))
    : Math.max(lastEventT, toTime(lastDoseMs) + Math.min(...intervals));
  if (!(startT >= lastEventT))
    throw new DosetwinError([
      issue('DT_ANALYSIS_START', 'start', 'the first new dose must be after the last record'),
    ]);

  const targetTexts = inputs.targets.length ? inputs.targets : defaultTargets(model);
  if (!targetTexts.length)
    throw new DosetwinError([
      issue('DT_TARGET', 'targets', `model ${ir.id} has no default target; give targets`),
    ]);
  const targets: Target[] = targetTexts.map((t, k) => {
    try {
      return parseTarget(t, ir.units.conc, ir.units.time, k + 1);
    } catch (e) {
      if (e instanceof DosetwinError)
        throw new DosetwinError(e.issues.map((i) => ({ ...i, field: `targets[${k}]` })));
      throw e;
    }
  });
  const rec = recommend({
    sim,
    history,
    point,
    targets,
    space: { start: startT, intervals, durations, ...(strengths.length ? { strengths } : {}) },
    maxCandidates: 5,
  });
  warnings.push(...rec.warnings);
  const route = depot ? 'oral' : 'infusion';
  const candidates: CandidateOut[] = rec.candidates.map((c, k) => ({
    rank: k + 1,
    dose: c.dose,
    doseUnit: ir.units.dose,
    units: c.units,
    interval: c.interval,
    duration: c.duration,
    timeUnit: ir.units.time,
    route,
    metrics: targets.map((t, j) => ({ target: t.text, value: c.metrics[j], met: c.met[j] })),
    exactDose: c.exactDose,
  }));

  // Forecast: the individual curve from the first dose to 48 h after the new regimen starts, with the best candidate.
  const horizon = startT + hToModel(48);
  const step = (horizon - 0) / 96;
  const times = Array.from({ length: 97 }, (_, i) => i * step);
  const forecast = { concUnit: ir.units.conc, points: forecastCurve(sim, history, point, times, toIso) };

  return {
    modelId: ir.id,
    modelVersion: ir.version,
    engineVersion: ENGINE_VERSION,
    citation: ir.citation?.text ?? shortCitation(ir),
    units: { dose: ir.units.dose, time: ir.units.time, conc: ir.units.conc },
    fit,
    forecast,
    candidates,
    warnings: [...warnings],
    conversions: [...notes, ...built.conversions],
    start: toIso(startT),
  };
}

function individualAtLast(
  m: CompiledModel,
  p: PatientData,
  eta: Float64Array | null,
): Record<string, number> {
  const s = m.newSlots();
  const last = p.n - 1;
  m.covariateSlots.forEach((slot, k) => (s[slot] = p.cov[last * p.nCov + k]));
  m.etaSlots.forEach((slot, k) => (s[slot] = eta ? eta[k] : 0));
  m.individual(s);
  const out: Record<string, number> = {};
  const skip = new Set([
    ...m.ir.parameters.map((x) => x.name),
    ...m.ir.etas.map((x) => x.name),
    ...m.ir.compartments,
  ]);
  for (const [name, slot] of m.slotOf)
    if (
      !name.startsWith('@') &&
      name !== 't' &&
      name !== 'CMT' &&
      !skip.has(name) &&
      Number.isFinite(s[slot])
    )
      out[name] = s[slot];
  return out;
}

function forecastCurve(
  sim: Simulator,
  history: PatientData,
  eta: Float64Array | null,
  times: number[],
  toIso: (t: number) => string,
): ForecastPoint[] {
  const p = withPredictionTimes(history, times);
  const out = new Float64Array(p.n);
  sim.run(p, eta, out);
  const pts: ForecastPoint[] = [];
  const want = new Set(times);
  for (let i = 0; i < p.n; i++)
    if (p.evid[i] === 2 && want.has(p.time[i])) pts.push({ at: toIso(p.time[i]), conc: out[i] });
  return pts;
}
