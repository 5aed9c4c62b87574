/**
 * The trial file: a virtual trial as a user writes it (JSON, and the same object through an API),
 * with a library model id, regimens and targets as text with their units, and the virtual
 * population of the drug file (its preset's joint covariate distribution and derivations), a
 * covariate table, or distributions of its own. `resolveTrial` turns it into the engine's
 * `TrialSetup` in the model's units: the regimen and target parsers, the drug's targets and
 * products (the TDM arm's regimen space with its per-kg limits) are the library's own.
 */
import {
  convert,
  DosetwinError,
  parseRegimen,
  parseTarget,
  type PopulationSpec,
  type ReportLabels,
  type StratumSpec,
  type Target,
  type TrialSetup,
  type VariableSpec,
} from '@dosetwin/engine';
import { resolveLimits } from './limits.ts';
import { presetFor, virtualModel } from './ml-presets.ts';
import { defaultTargets, modelPolicy, productSpace } from './policy.ts';
import { getModel } from './registry.ts';

export interface TrialFile {
  name?: string;
  /** Library model id (`vancomycin/goti2018`). */
  model: string;
  /**
   * The virtual population: the drug file's preset (default: the drug's first), with variables of
   * the trial's own replacing or adding to the preset's, or a covariate table (rows resampled).
   */
  population?: {
    preset?: string;
    variables?: VariableSpec[];
    table?: { columns: { name: string; unit: string }[]; rows: number[][] };
  };
  arms: {
    name?: string;
    /** As a prescription: `1000 mg q12h over 1 h`, `2000 mg over 2 h then 1000 mg q12h over 1 h`. */
    regimen: string;
    /** Model-informed re-dosing after levels; hours from the first dose. */
    tdm?: { rounds: { samples: number[]; adjustAt: number }[]; targets?: string[] };
  }[];
  /** Trial length in days. */
  days: number;
  /** Efficacy targets as text with units; default the drug's targets for the model. */
  targets?: string[];
  /** Toxicity thresholds as targets, e.g. `auc24>=800 mg*h/L`. */
  toxicity?: string[];
  /** MICs of the PTA-versus-MIC curve and of the main PTA, in `micUnit` (default mg/L). */
  mics?: number[];
  mic?: number;
  micUnit?: string;
  fu?: number;
  strata?: StratumSpec[];
  n: number;
  chunkSize?: number;
  seed: number;
}

export interface ResolvedTrial {
  setup: TrialSetup;
  labels: ReportLabels;
  /** The targets' and thresholds' texts (in the report's order), the model and its units. */
  meta: {
    name: string;
    model: string;
    units: { dose: string; conc: string; time: string };
    targets: string[];
    toxicity: string[];
    mics: number[];
    micUnit: string;
    regimens: string[];
  };
}

const bad = (field: string, message: string, hint?: string): never => {
  throw new DosetwinError([
    { code: 'DT_TRIAL_SPEC', severity: 'error', field, message, ...(hint ? { hint } : {}) },
  ]);
};

/** Parses with `field` named in the errors of the engine's parsers. */
function at<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DosetwinError)
      throw new DosetwinError(
        e.issues.map((i) => ({ ...i, field: `${field}${i.field ? ` (${i.field})` : ''}` })),
      );
    throw e;
  }
}

/** Default patients per chunk: small enough for progress and retries, large enough to amortise a task. */
export const DEFAULT_CHUNK = 500;

export function resolveTrial(f: TrialFile): ResolvedTrial {
  if (typeof f !== 'object' || f === null) bad('trial', 'the trial file must be a JSON object');
  if (typeof f.model !== 'string') bad('model', 'give the library model id, e.g. "vancomycin/goti2018"');
  const lib = at('model', () => getModel(f.model));
  const model = lib.compiled();
  const ir = lib.ir;
  const u = ir.units;
  const preset = presetFor(f.population?.preset ?? ir.drug ?? '');
  if (!preset)
    bad(
      'population.preset',
      `no virtual population for ${f.population?.preset ?? ir.drug ?? f.model}`,
      'the drug file lists its presets (mlPresets)',
    );
  if (f.population?.preset && preset!.name !== f.population.preset && preset!.drug !== f.population.preset)
    bad('population.preset', `unknown preset '${f.population.preset}'`);
  const vm = at('population', () => virtualModel(preset!, f.model));
  let population: PopulationSpec;
  if (f.population?.table) {
    const t = f.population.table;
    population = { kind: 'table', label: 'covariate table', columns: t.columns, rows: t.rows };
  } else {
    const own = f.population?.variables ?? [];
    const base = preset!.population.kind === 'distribution' ? preset!.population.variables : [];
    population = {
      kind: 'distribution',
      label: own.length
        ? `${preset!.population.label}, with the trial's own variables`
        : preset!.population.label,
      // The preset's variables in order, each replaced by the trial's of that name; then the new ones.
      variables: [
        ...base.map((v) => own.find((o) => o.name === v.name) ?? v),
        ...own.filter((o) => !base.some((v) => v.name === o.name)),
      ],
    };
  }
  if (!Array.isArray(f.arms) || f.arms.length === 0) bad('arms', 'give at least one arm with its regimen');
  const targetTexts = f.targets?.length ? f.targets : defaultTargets(lib);
  if (targetTexts.length === 0) bad('targets', `no target given and none in the library for ${f.model}`);
  const parse = (field: string, texts: string[]): Target[] =>
    texts.map((t, i) => at(`${field}[${i}]`, () => parseTarget(t, u.conc, u.time, i + 1)));
  const targets = parse('targets', targetTexts);
  const toxicity = parse('toxicity', f.toxicity ?? []);
  const micUnit = f.micUnit ?? 'mg/L';
  const toConc = (v: number, field: string): number =>
    at(field, () => parseTarget(`trough>=${v} ${micUnit}`, u.conc, u.time).lo!);
  const space = productSpace(lib);
  const limits = modelPolicy(lib).limits;
  const arms = f.arms.map((a, i) => {
    if (typeof a.regimen !== 'string')
      bad(`arms[${i}].regimen`, "give the regimen as text, e.g. '1000 mg q12h over 1 h'");
    const regimen = at(`arms[${i}].regimen`, () => parseRegimen(a.regimen, u, 0).regimen);
    if (regimen.start !== 0) bad(`arms[${i}].regimen`, 'an arm starts at the first dose: leave out "from"');
    const tdmTargets = a.tdm?.targets?.length
      ? parse(`arms[${i}].tdm.targets`, a.tdm.targets)
      : parse('targets', defaultTargets(lib));
    return {
      name: a.name ?? a.regimen,
      regimen: { ...regimen, count: undefined },
      ...(a.tdm
        ? {
            tdm: {
              rounds: a.tdm.rounds.map((r) => ({
                samples: r.samples.map((t) => convert(t, 'h', u.time, `arms[${i}].tdm.samples`)),
                adjustAt: convert(r.adjustAt, 'h', u.time, `arms[${i}].tdm.adjustAt`),
              })),
              targets: tdmTargets,
              // The products' regimens, within the label's limits for the patient's weight.
              space: (c: Readonly<Record<string, number>>) => {
                const label = resolveLimits(limits, u, Number.isFinite(c.WT) ? c.WT : null);
                const base = {
                  intervals: space.intervals,
                  durations: space.durations,
                  ...(space.strengths.length ? { strengths: space.strengths } : {}),
                };
                return { ...base, ...label.limits };
              },
            },
          }
        : {}),
    };
  });
  const day = convert(24, 'h', u.time, 'model.units.time');
  if (!(Number.isInteger(f.days) && f.days >= 1)) bad('days', `days ${f.days} must be an integer ≥ 1`);
  const setup: TrialSetup = {
    model,
    covariates: vm.covariates,
    population,
    derive: preset!.derive,
    arms,
    duration: f.days * day,
    endpoints: {
      targets,
      toxicity,
      mics: (f.mics ?? []).map((m, i) => toConc(m, `mics[${i}]`)),
      ...(f.mic !== undefined ? { mic: toConc(f.mic, 'mic') } : {}),
      ...(f.fu !== undefined ? { fu: f.fu } : {}),
    },
    strata: f.strata ?? [],
    n: f.n,
    chunkSize: f.chunkSize ?? DEFAULT_CHUNK,
    seed: f.seed,
  };
  return {
    setup,
    labels: { arms: arms.map((a) => a.name), strata: setup.strata },
    meta: {
      name: f.name ?? `${f.model}: ${arms.map((a) => a.name).join(' vs ')}`,
      model: f.model,
      units: { dose: u.dose, conc: u.conc, time: u.time },
      targets: targetTexts,
      toxicity: f.toxicity ?? [],
      mics: f.mics ?? [],
      micUnit,
      regimens: f.arms.map((a) => a.regimen),
    },
  };
}
