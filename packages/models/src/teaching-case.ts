/**
 * Teaching cases with a hidden truth, for the playground: an instructor writes (or generates from a
 * library model) a patient whose individual parameters are known; a student chooses when to draw
 * levels within the case's allowed times and budget, receives the true patient's levels with the
 * model's residual error (seeded: the same case gives the same level at the same time, whoever
 * asks), chooses a maintenance dose, and is scored on the TRUE patient's exposure under that dose
 * against the case's target, less a cost per level drawn.
 *
 * The case file is JSON (`format: "dosetwin-case/1"`); {@link parseCase} reads it and names every
 * problem, in English and French. Times in the file are hours from the first dose; every number
 * carries its unit where it has one. The truth travels in the file: the playground hides it from
 * the student's view until the instructor's, which is enough for a workshop, not for an exam.
 */
import {
  convert,
  createRng,
  DosetwinError,
  evaluateRegimen,
  individualValues,
  type Issue,
  observe,
  predictedLevels,
  priorDraws,
} from '@dosetwin/engine';
import { type ClinicalTwin, clinicalTwin, futureRegimen } from './analysis.ts';
import type { ClinicalRecord } from './patient.ts';
import type { Quantity, Regimen, Route } from './regimen.ts';
import { getModel } from './registry.ts';

export const CASE_FORMAT = 'dosetwin-case/1';

/** Time 0 of every case (the first dose): cases are read in hours from it, the clock is for the engine. */
export const CASE_ORIGIN = '2026-01-05T08:00:00.000Z';

export interface TeachingCase {
  format: typeof CASE_FORMAT;
  id: string;
  /** What the student reads (the instructor's words, in the workshop's language). */
  title: string;
  /** A library model (`vancomycin/thomson2009`). */
  modelId: string;
  covariates: { name: string; value: number; unit: string }[];
  /** The doses already given from time 0: `count` administrations every `interval`. */
  given: { dose: Quantity; interval: Quantity; route: Route; duration: Quantity | null; count: number };
  /** The true patient: each eta of the model by name. */
  truth: { etas: Record<string, number> };
  /** The times a level may be drawn (h from the first dose) and how many may be. */
  sampling: { timesH: number[]; budget: number };
  /** The target the dose is judged on (`auc24=400..600 mg*h/L`), at steady state. */
  target: string;
  /** Seed of the residual errors. */
  seed: number;
  /** Points taken off per level drawn. */
  scoring: { pointsPerSample: number };
}

/** A level the student received: which allowed time, when, and the value measured. */
export interface CaseLevel {
  index: number;
  tH: number;
  value: number;
  unit: string;
}

const H_MS = 3_600_000;
const at = (tH: number): string => new Date(Date.parse(CASE_ORIGIN) + tH * H_MS).toISOString();

function issue(code: `DT_CASE_${string}`, field: string, en: string, fr: string): Issue {
  return { code, severity: 'error', field, message: en, fr: { message: fr } };
}

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Read and check a case file; every problem at once, each naming its field, in English and French. */
export function parseCase(text: string): TeachingCase {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DosetwinError([
      issue(
        'DT_CASE_FILE',
        'file',
        `the case file is not JSON (${why})`,
        `le fichier de cas n’est pas du JSON (${why})`,
      ),
    ]);
  }
  if (!isObj(raw) || raw.format !== CASE_FORMAT)
    throw new DosetwinError([
      issue(
        'DT_CASE_FILE',
        'format',
        `the file is not a dosetwin case: "format" must be "${CASE_FORMAT}"`,
        `le fichier n’est pas un cas dosetwin : « format » doit valoir « ${CASE_FORMAT} »`,
      ),
    ]);
  const issues: Issue[] = [];
  const bad = (field: string, en: string, fr: string) => issues.push(issue('DT_CASE_FIELD', field, en, fr));
  const text_ = (field: string): string => {
    const v = raw[field];
    if (typeof v !== 'string' || !v.trim())
      bad(field, `${field} must be a non-empty text`, `${field} doit être un texte non vide`);
    return typeof v === 'string' ? v : '';
  };
  const quantity = (x: unknown, field: string, positive = true): Quantity => {
    if (!isObj(x) || !num(x.value) || typeof x.unit !== 'string' || !x.unit) {
      bad(
        field,
        `${field} must be { "value": number, "unit": text }`,
        `${field} doit être { "value": nombre, "unit": texte }`,
      );
      return { value: NaN, unit: '' };
    }
    if (positive && !(x.value > 0))
      bad(
        `${field}.value`,
        `${field} must be > 0, got ${x.value}`,
        `${field} doit être > 0 (reçu ${x.value})`,
      );
    return { value: x.value, unit: x.unit };
  };
  const id = text_('id');
  const title = text_('title');
  const modelId = text_('modelId');
  const target = text_('target');
  const seed = raw.seed;
  if (!num(seed) || !Number.isInteger(seed) || seed < 0)
    bad(
      'seed',
      `seed must be a whole number ≥ 0, got ${String(seed)}`,
      `seed doit être un entier ≥ 0 (reçu ${String(seed)})`,
    );
  const covariates: TeachingCase['covariates'] = [];
  if (!Array.isArray(raw.covariates))
    bad('covariates', 'covariates must be a list', 'covariates doit être une liste');
  else
    raw.covariates.forEach((c, k) => {
      const f = `covariates[${k}]`;
      if (!isObj(c) || typeof c.name !== 'string' || !num(c.value) || typeof c.unit !== 'string')
        bad(f, `${f} must be { "name", "value", "unit" }`, `${f} doit être { "name", "value", "unit" }`);
      else covariates.push({ name: c.name, value: c.value, unit: c.unit });
    });
  const g = raw.given;
  let given: TeachingCase['given'] = {
    dose: { value: NaN, unit: '' },
    interval: { value: NaN, unit: '' },
    route: 'infusion',
    duration: null,
    count: 0,
  };
  if (!isObj(g))
    bad('given', 'given (the doses already given) is missing', 'given (les doses déjà administrées) manque');
  else {
    const route = g.route;
    if (route !== 'oral' && route !== 'bolus' && route !== 'infusion')
      bad(
        'given.route',
        `given.route must be oral, bolus or infusion, got ${String(route)}`,
        `given.route doit valoir oral, bolus ou infusion (reçu ${String(route)})`,
      );
    const count = g.count;
    if (!num(count) || !Number.isInteger(count) || count < 1)
      bad(
        'given.count',
        `given.count must be a whole number ≥ 1, got ${String(count)}`,
        `given.count doit être un entier ≥ 1 (reçu ${String(count)})`,
      );
    given = {
      dose: quantity(g.dose, 'given.dose'),
      interval: quantity(g.interval, 'given.interval'),
      route: (route as Route) ?? 'infusion',
      duration: route === 'infusion' ? quantity(g.duration, 'given.duration') : null,
      count: num(count) ? count : 0,
    };
  }
  const truth = raw.truth;
  const etas: Record<string, number> = {};
  if (!isObj(truth) || !isObj(truth.etas))
    bad(
      'truth.etas',
      'truth.etas (the true patient’s etas by name) is missing',
      'truth.etas (les etas du vrai patient, par nom) manque',
    );
  else
    for (const [k, v] of Object.entries(truth.etas)) {
      if (!num(v))
        bad(`truth.etas.${k}`, `truth.etas.${k} must be a number`, `truth.etas.${k} doit être un nombre`);
      else etas[k] = v;
    }
  const s = raw.sampling;
  let sampling: TeachingCase['sampling'] = { timesH: [], budget: 0 };
  if (!isObj(s) || !Array.isArray(s.timesH) || !s.timesH.length || !s.timesH.every((t) => num(t) && t >= 0))
    bad(
      'sampling.timesH',
      'sampling.timesH must list the allowed times (h ≥ 0 from the first dose)',
      'sampling.timesH doit lister les heures de prélèvement permises (h ≥ 0 depuis la première dose)',
    );
  else {
    const budget = s.budget;
    if (!num(budget) || !Number.isInteger(budget) || budget < 1 || budget > s.timesH.length)
      bad(
        'sampling.budget',
        `sampling.budget must be a whole number from 1 to ${s.timesH.length} (the allowed times), got ${String(budget)}`,
        `sampling.budget doit être un entier de 1 à ${s.timesH.length} (les heures permises), reçu ${String(budget)}`,
      );
    if (new Set(s.timesH).size !== s.timesH.length)
      bad(
        'sampling.timesH',
        'sampling.timesH lists a time twice',
        'sampling.timesH cite deux fois la même heure',
      );
    sampling = { timesH: s.timesH as number[], budget: num(budget) ? budget : 0 };
  }
  const sc = raw.scoring;
  if (!isObj(sc) || !num(sc.pointsPerSample) || sc.pointsPerSample < 0)
    bad(
      'scoring.pointsPerSample',
      'scoring.pointsPerSample (points taken off per level, ≥ 0) is missing',
      'scoring.pointsPerSample (points retirés par prélèvement, ≥ 0) manque',
    );
  if (issues.length) throw new DosetwinError(issues);
  const c: TeachingCase = {
    format: CASE_FORMAT,
    id,
    title,
    modelId,
    covariates,
    given,
    truth: { etas },
    sampling,
    target,
    seed: seed as number,
    scoring: { pointsPerSample: (sc as { pointsPerSample: number }).pointsPerSample },
  };
  checkAgainstModel(c);
  return c;
}

/** The case against its library model: known, usable for a case, its etas named, its patient and target valid. */
function checkAgainstModel(c: TeachingCase): void {
  let model;
  try {
    model = getModel(c.modelId);
  } catch {
    throw new DosetwinError([
      issue(
        'DT_CASE_MODEL',
        'modelId',
        `${c.modelId} is not a model of the library`,
        `${c.modelId} n’est pas un modèle de la bibliothèque`,
      ),
    ]);
  }
  const ir = model.ir;
  const issues: Issue[] = [];
  if (ir.etas.some((e) => e.iov))
    issues.push(
      issue(
        'DT_CASE_MODEL',
        'modelId',
        `${c.modelId} has inter-occasion variability: a case's truth is one set of etas`,
        `${c.modelId} a une variabilité inter-occasion : la vérité d’un cas est un seul jeu d’etas`,
      ),
    );
  if (ir.errors[0]?.kind === 'variance')
    issues.push(
      issue(
        'DT_CASE_MODEL',
        'modelId',
        `${c.modelId} states its residual error as an expression; choose a model with add, prop or exp error`,
        `${c.modelId} exprime son erreur résiduelle par une expression ; choisir un modèle à erreur additive, proportionnelle ou exponentielle`,
      ),
    );
  const names = ir.etas.map((e) => e.name);
  for (const n of names)
    if (!(n in c.truth.etas))
      issues.push(
        issue(
          'DT_CASE_MODEL',
          `truth.etas.${n}`,
          `the truth has no ${n} (the model's etas: ${names.join(', ')})`,
          `la vérité n’a pas de ${n} (etas du modèle : ${names.join(', ')})`,
        ),
      );
  for (const n of Object.keys(c.truth.etas))
    if (!names.includes(n))
      issues.push(
        issue(
          'DT_CASE_MODEL',
          `truth.etas.${n}`,
          `${n} is not an eta of ${c.modelId} (${names.join(', ')})`,
          `${n} n’est pas un eta de ${c.modelId} (${names.join(', ')})`,
        ),
      );
  if (issues.length) throw new DosetwinError(issues);
  // The patient and the target as the library reads them (its errors name the covariate or the target).
  caseTwin(c, []);
  const tau = convert(c.given.interval.value, c.given.interval.unit, 'h', 'given.interval.unit');
  const end = c.given.count * tau;
  const late = c.sampling.timesH.filter((t) => t > end);
  if (late.length)
    throw new DosetwinError([
      issue(
        'DT_CASE_FIELD',
        'sampling.timesH',
        `${late.join(', ')} h come after the doses given (last interval ends at ${end} h)`,
        `${late.join(', ')} h viennent après les doses administrées (le dernier intervalle finit à ${end} h)`,
      ),
    ]);
}

/** The true etas in the model's order. */
export function truthVector(c: TeachingCase): Float64Array {
  return Float64Array.from(getModel(c.modelId).ir.etas.map((e) => c.truth.etas[e.name]));
}

/** The case's record with the levels received: what the student's twin is fitted on. */
export function caseRecord(
  c: TeachingCase,
  levels: readonly CaseLevel[],
): ClinicalRecord & { modelId: string; targets: string[] } {
  const tau = convert(c.given.interval.value, c.given.interval.unit, 'h', 'given.interval.unit');
  const amount = c.given.dose;
  return {
    modelId: c.modelId,
    targets: [c.target],
    patientId: c.id,
    administrations: Array.from({ length: c.given.count }, (_, k) => ({
      at: at(k * tau),
      amount: amount.value,
      unit: amount.unit,
      route: c.given.route,
      duration: c.given.duration,
      product: 'case',
    })),
    samples: [...levels]
      .sort((a, b) => a.tH - b.tH)
      .map((l) => ({
        at: at(l.tH),
        value: l.value,
        unit: l.unit,
        matrix: 'plasma',
        assay: 'case',
        lloq: null,
      })),
    covariates: c.covariates.map((x) => ({ at: at(0), name: x.name, value: x.value, unit: x.unit })),
  };
}

/** The library's twin of the case's record (a priori without levels). */
export function caseTwin(c: TeachingCase, levels: readonly CaseLevel[], samples = 0): ClinicalTwin {
  return clinicalTwin(caseRecord(c, levels), { samples, seed: c.seed });
}

/** The regimen the student's dose is for: the case's interval and route, from when the next dose is due. */
export function caseRegimen(c: TeachingCase, dose: Quantity): Regimen {
  const tau = convert(c.given.interval.value, c.given.interval.unit, 'h', 'given.interval.unit');
  return {
    dose,
    interval: c.given.interval,
    route: c.given.route,
    duration: c.given.duration,
    start: at(c.given.count * tau),
    loading: null,
  };
}

/**
 * The levels at the allowed times `picked` (indices into `sampling.timesH`): the true patient's
 * prediction with residual error. Each allowed time has its own seeded stream, so a level does not
 * depend on which others were drawn; a draw at or below 0 (additive error) is drawn again.
 */
export function caseLevels(c: TeachingCase, picked: readonly number[]): CaseLevel[] {
  const n = c.sampling.timesH.length;
  const wrong = picked.filter((k) => !Number.isInteger(k) || k < 0 || k >= n);
  if (wrong.length)
    throw new DosetwinError([
      issue(
        'DT_CASE_SAMPLING',
        'samples',
        `time ${wrong.join(', ')} is not one of the case's ${n} allowed times`,
        `l’heure ${wrong.join(', ')} n’est pas l’une des ${n} heures permises du cas`,
      ),
    ]);
  if (new Set(picked).size !== picked.length)
    throw new DosetwinError([
      issue(
        'DT_CASE_SAMPLING',
        'samples',
        'the same time is drawn twice',
        'la même heure est prélevée deux fois',
      ),
    ]);
  if (picked.length > c.sampling.budget)
    throw new DosetwinError([
      issue(
        'DT_CASE_SAMPLING',
        'samples',
        `${picked.length} levels asked, the case allows ${c.sampling.budget}`,
        `${picked.length} prélèvements demandés, le cas en permet ${c.sampling.budget}`,
      ),
    ]);
  const ct = caseTwin(c, []);
  const ir = ct.model.ir;
  const truth = truthVector(c);
  // One prediction per time: the same level to the last bit whichever other times are drawn.
  const f = picked.map(
    (k) =>
      predictedLevels(ct.twin.sim, ct.twin.history, truth, [
        convert(c.sampling.timesH[k], 'h', ir.units.time, 'sampling.timesH'),
      ])[0],
  );
  return picked.map((k, j) => {
    const rng = createRng((c.seed * 1_000_003 + 7919 * (k + 1)) >>> 0);
    let y = 0;
    for (let tries = 0; tries < 1000 && !(y > 0); tries++) y = observe(ir.errors[0], f[j], rng.normal());
    return { index: k, tH: c.sampling.timesH[k], value: y, unit: ir.units.conc };
  });
}

/** The true patient's individual parameters (the model's named values at the truth). */
export function caseTruth(c: TeachingCase): Record<string, number> {
  const ct = caseTwin(c, []);
  return individualValues(ct.model.compiled(), ct.twin.history, truthVector(c));
}

/** A score and what it is made of. */
export interface CaseScore {
  /** The target's metric for the true patient under the dose, at steady state (model units). */
  metric: number;
  lo: number | null;
  hi: number | null;
  /** 100 in the target, falling linearly in |ln(metric/bound)| to 0 at a factor 2 outside. */
  attainment: number;
  penalty: number;
  /** max(0, attainment − penalty). */
  score: number;
}

/**
 * The score of a metric against a target range and the levels used: 100 inside [lo, hi]; outside,
 * 100·(1 − |ln(m/bound)|/ln 2), 0 at a factor of 2 from the nearest bound or beyond; less
 * `pointsPerSample` per level, never below 0.
 */
export function scorePoints(
  metric: number,
  lo: number | null,
  hi: number | null,
  samplesUsed: number,
  pointsPerSample: number,
): Omit<CaseScore, 'metric' | 'lo' | 'hi'> {
  const bound = lo !== null && metric < lo ? lo : hi !== null && metric > hi ? hi : null;
  const attainment =
    bound === null ? 100 : 100 * Math.max(0, 1 - Math.abs(Math.log(metric / bound)) / Math.LN2);
  const penalty = samplesUsed * pointsPerSample;
  return { attainment, penalty, score: Math.max(0, attainment - penalty) };
}

/** The student's score: the TRUE patient's metric under `dose` (steady state) and the levels used. */
export function caseScore(c: TeachingCase, dose: Quantity, samplesUsed: number): CaseScore {
  if (!(dose.value > 0) || !Number.isFinite(dose.value))
    throw new DosetwinError([
      issue(
        'DT_CASE_SAMPLING',
        'dose',
        `the dose must be a number > 0, got ${dose.value}`,
        `la dose doit être un nombre > 0 (reçu ${dose.value})`,
      ),
    ]);
  const ct = caseTwin(c, []);
  const target = ct.targets[0];
  const e = evaluateRegimen({
    sim: ct.twin.sim,
    history: ct.twin.history,
    point: truthVector(c),
    targets: [target],
    regimen: futureRegimen(ct, caseRegimen(c, dose)),
    skipSteadyState: true,
  });
  const metric = e.metrics[0];
  return {
    metric,
    lo: target.lo,
    hi: target.hi,
    ...scorePoints(metric, target.lo, target.hi, samplesUsed, c.scoring.pointsPerSample),
  };
}

/**
 * A series of `n` cases from one: the same patient, drug and target, each with its truth drawn
 * from the model's prior (Ω, seeded by `seed`) and its own residual seed; ids `<id>-1`, `<id>-2`…
 */
export function caseSeries(base: TeachingCase, n: number, seed: number): TeachingCase[] {
  const model = getModel(base.modelId);
  const draws = priorDraws(model.compiled(), n, seed);
  return draws.map((d, k) => ({
    ...base,
    id: `${base.id}-${k + 1}`,
    truth: { etas: Object.fromEntries(model.ir.etas.map((e, i) => [e.name, d[i]])) },
    seed: base.seed + k + 1,
  }));
}
