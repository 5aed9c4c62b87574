/**
 * From a patient's clinical record to a library model's inputs, shared by the server's analysis
 * and the browser's twin (pure: no Node or DOM API, so the web bundle can import it): the
 * covariates recorded over time (each with its unit) resolved into the model's covariate columns,
 * and the model's default targets as target text.
 */
import { type ClinicalCovariate, DosetwinError, type Issue, type ModelIR } from '@dosetwin/engine';
import type { LibraryModel } from './registry.ts';
import { resolveCovariates, type PatientCovariates } from './resolve.ts';

/** One recorded covariate value: `WT 82 kg` at a date-time (ISO with zone); unit `-` for codes (SEX). */
export interface RecordedCovariate {
  at: string;
  name: string;
  value: number;
  unit: string;
}

/**
 * The latest recorded value of every name at or before `ms` (epoch milliseconds), as the input of
 * {@link resolveCovariates}: `{ value, unit }`, or a bare number for unit `-`.
 */
export function recordedCovariatesAt(recorded: readonly RecordedCovariate[], ms: number): PatientCovariates {
  const sorted = [...recorded].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const input: Record<string, number | { value: number; unit: string }> = {};
  for (const o of sorted)
    if (Date.parse(o.at) <= ms) input[o.name] = o.unit === '-' ? o.value : { value: o.value, unit: o.unit };
  return input;
}

export interface CovariatesOverTime {
  /** At each recorded time that resolves, every model covariate (model order, declared unit). */
  covariates: ClinicalCovariate[];
  /** Warnings of the resolution (validity domain, defaults used), each message once. */
  warnings: Issue[];
  /** Unit conversions and derivations done, each once. */
  notes: string[];
}

/**
 * Covariates over time: at each recorded time, the latest value of every name resolved by the
 * model (derivations, unit conversions, validity domain). A time whose values do not resolve
 * (e.g. SCr not yet measured) is skipped; when none resolves, the first time's errors are thrown
 * (or, with nothing recorded, the model's own requirements: defaults only).
 */
export function covariatesOverTime(
  model: LibraryModel,
  recorded: readonly RecordedCovariate[],
): CovariatesOverTime {
  const times = [...new Set(recorded.map((o) => o.at))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const covariates: ClinicalCovariate[] = [];
  const warnings: Issue[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  let firstErrors: Issue[] | null = null;
  for (const at of times) {
    const r = resolveCovariates(model, recordedCovariatesAt(recorded, Date.parse(at)));
    const errors = r.issues.filter((i) => i.severity === 'error');
    if (errors.length) {
      firstErrors ??= errors;
      continue;
    }
    for (const w of r.issues)
      if (!seen.has(w.message)) {
        seen.add(w.message);
        warnings.push(w);
      }
    for (const n of r.notes) if (!notes.includes(n)) notes.push(n);
    model.ir.covariates.forEach((c, k) =>
      covariates.push({ at, name: c.name, value: r.byName[c.name] ?? r.values[k], unit: c.unit }),
    );
  }
  if (!covariates.length) {
    if (firstErrors) throw new DosetwinError(firstErrors);
    const r = resolveCovariates(model, {});
    const errors = r.issues.filter((i) => i.severity === 'error');
    if (errors.length) throw new DosetwinError(errors);
  }
  return { covariates, warnings, notes };
}

/** Target metric names written in model files that the engine knows under another name. */
const METRIC_ALIAS: Readonly<Record<string, string>> = { c0: 'trough', ctrough: 'trough' };

/** The model's `targets` block as target text (`auc24=400..600 mg*h/L`, `trough<=15 mg/L`). */
export function defaultTargetTexts(ir: ModelIR): string[] {
  return ir.targets.map((t) => {
    const metric = METRIC_ALIAS[t.metric] ?? t.metric;
    const unit = t.unit === '-' ? '' : ` ${t.unit}`;
    if (t.lo !== null && t.hi !== null) return `${metric}=${t.lo}..${t.hi}${unit}`;
    if (t.lo !== null) return `${metric}>=${t.lo}${unit}`;
    return `${metric}<=${t.hi}${unit}`;
  });
}

// The stored shapes of an analysis, shared by the server (which writes them) and the browser twin
// (which rebuilds the same patient from them).

export type { AnalysisInputs } from './analysis.ts';

/** One ranked candidate regimen of a stored analysis (model units). */
export interface CandidateOut {
  rank: number;
  dose: number;
  doseUnit: string;
  units: { strength: number; count: number }[];
  interval: number;
  duration: number;
  timeUnit: string;
  route: string;
  metrics: { target: string; value: number; met: boolean }[];
  exactDose: number;
}
