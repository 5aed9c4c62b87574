/**
 * What `recommend --model` and `recommend --drug` share: the command's settings in a model's
 * units and the ranked candidates of one patient under one model from its state (the drug-level
 * recommendation runs it for each model of the drug).
 */
import { type Issue, type Twin, convert, parseTarget } from '@dosetwin/engine';
import { dedupeIssues } from '@dosetwin/models';
import { type RecommendSettings, recommendWithTwin } from '@dosetwin/models';
import { argError } from '../io.ts';

/** A concentration in the model's unit: `15`, or `15 mg/L` / `15000 ng/mL` (converted). */
export const concentration = (s: string, unit: string, field: string): number => {
  const m = /^\s*([\d.eE+-]+)\s*(\S+)?\s*$/.exec(s);
  const v = m ? Number(m[1]) : NaN;
  if (!(v > 0) || !Number.isFinite(v)) argError(field, `'${s}' is not a concentration > 0`);
  return m![2] ? convert(v, m![2], unit, field) : v;
};

/** Where a setting came from: the command's options, the library model's file, or the defaults. */
export type SettingSource = 'options' | 'products' | 'defaults';
export interface SpaceSources {
  strengths: SettingSource;
  intervals: SettingSource;
  durations: SettingSource;
}

/**
 * What the command asks, the same for every patient (and every model, under model averaging):
 * the library's recommendation settings, where the targets and the space came from, and the
 * start-when-below threshold as written (`15` in the unit of the model or data, or `15 mg/L`).
 */
export interface Settings extends Omit<RecommendSettings, 'startWhenBelow'> {
  /** 'options' (--target) or 'model defaults' (the library model's targets). */
  targetsSource: 'options' | 'model defaults';
  spaceSources: SpaceSources;
  startWhenBelow?: string;
}

/** The settings in one model's units, the start-when-below threshold read in its concentration unit. */
export function modelSettings(s: Settings, concUnit: string): RecommendSettings {
  return {
    ...s,
    startWhenBelow:
      s.startWhenBelow === undefined
        ? undefined
        : concentration(s.startWhenBelow, concUnit, '--start-when-below'),
  };
}

/** The fit summary of a twin for the output (etas in model order, OBJ, convergence); empty a priori. */
export function fitSummary(twin: Twin): Record<string, unknown> {
  const f = twin.fit;
  return f ? { eta: Array.from(f.eta), etaNames: f.etaNames, obj: f.obj, converged: f.converged } : {};
}

/**
 * `recommend --model`'s output for one patient: its twin (MAP or a priori, with draws), the
 * recommendation of the models library from it, and what was asked.
 */
export function recommendationOut(
  twin: Twin,
  s: Settings,
  dataWarnings: readonly Issue[] = [],
): Record<string, unknown> {
  const ir = twin.model.ir;
  const p = twin.history;
  const targets = s.targets.map((t, i) => parseTarget(t, ir.units.conc, ir.units.time, i + 1));
  const loadingTarget = s.loadingTarget
    ? parseTarget(s.loadingTarget, ir.units.conc, ir.units.time, 1)
    : undefined;
  const {
    engine: r,
    nextDose,
    limits,
  } = recommendWithTwin(twin, modelSettings(s, ir.units.conc), targets, loadingTarget);
  const warnings = dedupeIssues([...dataWarnings, ...twin.warnings, ...r.warnings]);
  return {
    id: p.id,
    method: twin.method,
    model: { id: ir.id, version: ir.version, citation: ir.citation?.text ?? null },
    units: ir.units,
    targets: targets.map((t) => t.text),
    targetsSource: s.targetsSource,
    // The regimen space searched and where each part came from (options, the model's products, defaults).
    space: {
      strengths: s.space.strengths ?? null,
      intervals: s.space.intervals,
      durations: s.space.durations,
      source: s.spaceSources,
    },
    // The limits of administration the search applied (the products' and the options'), model units.
    limits,
    ...(loadingTarget ? { loadingTarget: loadingTarget.text } : {}),
    horizon: s.horizon,
    // What was asked, so that the recommendation carries its inputs.
    inputs: {
      space: s.space,
      starts: s.starts ?? 'next dose due',
      ...(s.startWhenBelow !== undefined ? { startWhenBelow: s.startWhenBelow } : {}),
      ...(s.maxLoadingDose !== undefined ? { maxLoadingDose: s.maxLoadingDose } : {}),
      ...(s.loadingDuration !== undefined ? { loadingDuration: s.loadingDuration } : {}),
      ...(s.mic !== undefined ? { mic: s.mic, fu: s.fu ?? 1 } : {}),
      samples: s.samples,
      seed: s.seed,
      optimiseFor: s.optimiseFor,
      records: p.n,
      levels: Array.from(p.evid).filter((e, i) => e === 0 && p.mdv[i] === 0).length,
    },
    ...fitSummary(twin),
    posteriorDraws: twin.draws.length,
    ...(nextDose ? { nextDose } : {}),
    candidates: r.candidates.map((c, rank) => ({
      rank: rank + 1,
      start: c.start,
      dose: c.dose,
      interval: c.interval,
      duration: c.duration,
      units: c.units,
      loadingDose: c.loadingDose,
      loadingDuration: c.loadingDuration,
      ...(c.loading ? { loading: c.loading } : {}),
      metrics: Object.fromEntries(targets.map((t, k) => [t.metric, c.metrics[k]])),
      met: c.met,
      pta: c.pta ?? null,
      exactDose: c.exactDose,
      timeToSteadyState: c.timeToSteadyState ?? null,
      intervalsToSteadyState: c.intervalsToSteadyState ?? null,
    })),
    warnings: warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
  };
}
