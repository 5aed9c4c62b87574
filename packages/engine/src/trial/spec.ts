/**
 * A virtual trial, resolved to the model's units: who is simulated (a virtual population and the
 * model's inter-individual and inter-occasion variability), under which arms (a regimen with its
 * loading dose, and optionally a TDM strategy that re-doses from the twin's MAP fit of simulated
 * levels), for how long, and what is counted (PTA per target and per MIC, time to target,
 * exposure distribution, share above a toxicity threshold, per stratum).
 *
 * The trial file a user writes (drug, model id, regimen and target texts) is resolved to this
 * shape by the library (`models/src/trial.ts`); this shape holds functions (covariate mapping,
 * regimen space) so it is rebuilt from that file in every worker.
 */
import { fail } from '../errors.ts';
import type { RegimenSpace } from '../dosing/recommend.ts';
import { checkRegimen, type FutureRegimen } from '../dosing/regimen.ts';
import { needsMic, type Target } from '../dosing/targets.ts';
import type { PopulationSpec } from '../ml/population.ts';
import { checkPopulation } from '../ml/population.ts';
import type { CompiledModel } from '../model/compile.ts';

/** One round of therapeutic drug monitoring: levels drawn, then the regimen adjusted. */
export interface TdmRound {
  /** Sampling times, model time units from the first dose. */
  samples: number[];
  /** When the adjusted regimen may start (the next scheduled dose at or after it, model time). */
  adjustAt: number;
}

/**
 * Model-informed re-dosing: after each round's levels (simulated with the model's residual
 * error), the twin (MAP fit of the levels and doses so far) recommends the regimen closest to the
 * targets among the products' regimens; it replaces the current one from the next scheduled dose.
 */
export interface TdmStrategy {
  rounds: TdmRound[];
  /** The targets the twin aims for (the library's targets of the drug). */
  targets: Target[];
  /** The regimens it may choose from for a patient (products, limits; per-kg limits from the clinical variables). */
  space: (
    clinical: Readonly<Record<string, number>>,
  ) => Omit<RegimenSpace, 'start' | 'startTimes' | 'nextDue'>;
}

export interface TrialArm {
  name: string;
  /** The regimen from time 0 (model units); its `count` is ignored (doses until the end of the trial). */
  regimen: FutureRegimen;
  tdm?: TdmStrategy;
}

/** Bands of a clinical variable: below edges[0], edges[0]..edges[1], …, at or above the last edge. */
export interface StratumSpec {
  name: string;
  variable: string;
  unit: string;
  edges: number[];
}

export interface TrialEndpoints {
  /** Efficacy targets: PTA of each and of all together. */
  targets: Target[];
  /** Toxicity thresholds as targets (e.g. `auc24>=800`): the share meeting each. */
  toxicity: Target[];
  /** MICs of the PTA-versus-MIC curve (model concentration unit); the MIC targets are read at each. */
  mics: number[];
  /** The MIC of the main PTA when a target needs one. */
  mic?: number;
  /** Unbound fraction applied to concentrations compared with a MIC (default 1). */
  fu?: number;
}

export interface TrialSetup {
  model: CompiledModel;
  /** The model's covariates (model order and units) from a virtual patient's clinical variables. */
  covariates: (clinical: Readonly<Record<string, number>>) => number[];
  population: PopulationSpec;
  /** Adds derived clinical variables in place; a variable already drawn is kept. */
  derive?: (clinical: Record<string, number>) => void;
  arms: TrialArm[];
  /** Length of the trial, model time units (the endpoints are read per day of 24 h). */
  duration: number;
  endpoints: TrialEndpoints;
  strata: StratumSpec[];
  /** Virtual patients (each is simulated under every arm: paired comparisons). */
  n: number;
  /** Patients per chunk, the unit of work of threads and queue workers. */
  chunkSize: number;
  seed: number;
  /** Spacing of the extra grid on which extremes and MIC crossings are read when they need it (model time). */
  gridStep?: number;
}

/** Hours per day, in the model's time unit (the trial's days). */
export function dayLength(model: CompiledModel): number {
  const u = model.ir.units.time;
  if (u === 'h') return 24;
  if (u === 'min') return 1440;
  if (u === 'd') return 1;
  return fail('DT_TRIAL_SPEC', 'model', `time unit '${u}' of the model is not h, min or d`);
}

export function trialDays(s: TrialSetup): number {
  return Math.round(s.duration / dayLength(s.model));
}

export function chunkCount(s: TrialSetup): number {
  return Math.ceil(s.n / s.chunkSize);
}

/** Number of strata cells (the product of every stratum's band count; 1 without strata). */
export function cellCount(s: TrialSetup): number {
  return s.strata.reduce((k, st) => k * (st.edges.length + 1), 1);
}

/** Check a setup; every problem names its field. */
export function checkTrial(s: TrialSetup): void {
  const bad = (field: string, message: string): never => fail('DT_TRIAL_SPEC', field, message);
  if (!(Number.isInteger(s.n) && s.n >= 1))
    bad('n', `number of virtual patients ${s.n} must be an integer ≥ 1`);
  if (!(Number.isInteger(s.chunkSize) && s.chunkSize >= 1))
    bad('chunkSize', `chunk size ${s.chunkSize} must be an integer ≥ 1`);
  if (!Number.isInteger(s.seed)) bad('seed', `seed ${s.seed} must be an integer`);
  const day = dayLength(s.model);
  const days = s.duration / day;
  if (!(Number.isInteger(days) && days >= 1 && days <= 366))
    bad(
      'duration',
      `duration ${s.duration} ${s.model.ir.units.time} must be a whole number of days, 1 to 366`,
    );
  if (s.arms.length === 0) bad('arms', 'the trial needs at least one arm');
  s.arms.forEach((a, i) => {
    checkRegimen({ ...a.regimen, count: undefined }, `arms[${i}].regimen`);
    if (a.regimen.interval > day)
      bad(
        `arms[${i}].regimen.interval`,
        `interval ${a.regimen.interval} ${s.model.ir.units.time} is longer than a day: the endpoints are read per day`,
      );
    if (a.regimen.start !== 0) bad(`arms[${i}].regimen.start`, 'an arm starts at time 0');
    a.tdm?.rounds.forEach((r, k) => {
      const f = `arms[${i}].tdm.rounds[${k}]`;
      if (r.samples.length === 0) bad(`${f}.samples`, 'a round needs at least one sampling time');
      const prev = k > 0 ? a.tdm!.rounds[k - 1].adjustAt : 0;
      r.samples.forEach((t, j) => {
        if (!(t >= prev && t <= r.adjustAt))
          bad(
            `${f}.samples[${j}]`,
            `sampling time ${t} must lie between ${prev} and the adjustment at ${r.adjustAt}`,
          );
      });
      if (!(r.adjustAt < s.duration))
        bad(`${f}.adjustAt`, `adjustment at ${r.adjustAt} must be before the end`);
    });
    if (a.tdm && a.tdm.targets.length === 0) bad(`arms[${i}].tdm.targets`, 'the TDM strategy needs targets');
  });
  const e = s.endpoints;
  if (e.targets.length === 0) bad('endpoints.targets', 'the trial needs at least one target');
  const micTargets = [...e.targets, ...e.toxicity].some(needsMic);
  if (micTargets && !(e.mic !== undefined && e.mic > 0))
    bad('endpoints.mic', 'a target reads a MIC: give the MIC (> 0) of the main PTA');
  e.mics.forEach((m, i) => {
    if (!(m > 0)) bad(`endpoints.mics[${i}]`, `MIC ${m} must be > 0`);
  });
  if (e.fu !== undefined && !(e.fu > 0 && e.fu <= 1))
    bad('endpoints.fu', `unbound fraction ${e.fu} must be in (0, 1]`);
  s.strata.forEach((st, i) => {
    if (st.edges.length === 0) bad(`strata[${i}].edges`, 'a stratum needs at least one edge');
    st.edges.forEach((x, j) => {
      if (!Number.isFinite(x) || (j > 0 && !(x > st.edges[j - 1])))
        bad(`strata[${i}].edges[${j}]`, 'edges must be finite and increasing');
    });
  });
  if (cellCount(s) > 10000) bad('strata', `${cellCount(s)} strata cells: at most 10000`);
  if (s.gridStep !== undefined && !(s.gridStep > 0)) bad('gridStep', `grid step ${s.gridStep} must be > 0`);
  checkPopulation(s.population);
}
