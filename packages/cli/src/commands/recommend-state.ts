/**
 * What `recommend --model` and `recommend --drug` share: the command's settings in a model's
 * units and the ranked candidates of one patient under one model from its state (the drug-level
 * recommendation runs it for each model of the drug).
 */
import {
  type CompiledModel,
  type Issue,
  type PatientData,
  type RecommendInput,
  Simulator,
  type Target,
  convert,
  nextDoseTime,
  parseTarget,
  type Recommendation,
  recommend,
} from '@dosetwin/engine';
import { argError } from '../io.ts';
import type { PatientState } from './patient-state.ts';

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

/** What the command asks, the same for every patient (and every model, under model averaging). */
export interface Settings {
  targets: string[];
  /** 'options' (--target) or 'model defaults' (the library model's targets block). */
  targetsSource: 'options' | 'model defaults';
  space: Omit<RecommendInput['space'], 'start'> & { durations: number[] };
  spaceSources: SpaceSources;
  /** Allowed start times; absent = the last record (or the time the level falls below `startWhenBelow`). */
  starts?: number[];
  startWhenBelow?: string;
  horizon: 'steady-state' | 'first-interval';
  loadingTarget?: string;
  maxLoadingDose?: number;
  loadingDuration?: number;
  mic?: number;
  fu?: number;
  samples: number;
  seed: number;
  optimiseFor: 'target' | 'pta';
  maxCandidates: number;
}

/**
 * The ranked candidates of one patient under one model from its state, for targets already in
 * the model's units (and every setting in the model's units): what `recommend --drug` runs for
 * each model, with the state computed once.
 */
export function recommendFromState(
  model: CompiledModel,
  p: PatientData,
  s: Settings,
  state: PatientState,
  targets: Target[],
  loadingTargetInModelUnits?: Target,
): { out: Record<string, unknown>; engine: Recommendation } {
  const ir = model.ir;
  const loadingTarget =
    loadingTargetInModelUnits ??
    (s.loadingTarget ? parseTarget(s.loadingTarget, ir.units.conc, ir.units.time, 1) : undefined);
  const sim = new Simulator(model);
  const warnings: Issue[] = [...state.warnings];
  // Default: each interval's regimen starts when its next administration is due.
  let starts = s.starts ?? [p.time[p.n - 1]];
  let nextDue = s.starts === undefined;
  let nextDose: Record<string, unknown> | null = null;
  if (s.startWhenBelow !== undefined) {
    // Wait until the predicted level (MAP, or typical a priori) falls to the threshold.
    const threshold = concentration(s.startWhenBelow, ir.units.conc, '--start-when-below');
    const nd = nextDoseTime(
      sim,
      p,
      state.point,
      { threshold, after: p.time[p.n - 1] },
      state.draws.length ? state.draws : undefined,
    );
    starts = [nd.time];
    nextDue = false;
    nextDose = { threshold, time: nd.time, probabilityBelow: nd.probabilityBelow ?? null };
  }
  const r = recommend({
    sim,
    history: p,
    point: state.point,
    draws: state.draws.length ? state.draws : undefined,
    targets,
    space: { ...s.space, start: starts[0], startTimes: starts, nextDue },
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
  warnings.push(...r.warnings);
  const out = {
    id: p.id,
    method: state.method,
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
    ...state.fit,
    posteriorDraws: state.draws.length,
    ...(nextDose ? { nextDose } : {}),
    candidates: r.candidates.map((c, rank) => ({
      rank: rank + 1,
      start: c.start,
      dose: c.dose,
      interval: c.interval,
      duration: c.duration,
      units: c.units,
      loadingDose: c.loadingDose,
      ...(c.loading ? { loading: { ...c.loading, duration: s.loadingDuration ?? c.duration } } : {}),
      metrics: Object.fromEntries(targets.map((t, k) => [t.metric, c.metrics[k]])),
      met: c.met,
      pta: c.pta ?? null,
      exactDose: c.exactDose,
      timeToSteadyState: c.timeToSteadyState ?? null,
      intervalsToSteadyState: c.intervalsToSteadyState ?? null,
    })),
    warnings: warnings.map((w) => ({ code: w.code, field: w.field, message: w.message })),
  };
  return { out, engine: r };
}
