/**
 * The candidates explained, in the words every front end shows (the page, the report, the CLI's
 * text): what the ranking rule is — the engine's `rankingCriteria`, criterion by criterion — what
 * "met" means (the individual prediction in range) and what the PTA is (the share of the posterior
 * draws in range), with the PTA threshold below which a regimen met at the individual prediction
 * is more likely missed than met. English and French.
 */
import { PTA_THRESHOLD, type RankCriterion, rankingCriteria } from '@dosetwin/engine';
import type { Bilingual } from './covariate-register.ts';
import type { Quantity, Regimen } from './regimen.ts';

export type Lang = keyof Bilingual;

const pct = Math.round(PTA_THRESHOLD * 100);

/** Each ranking criterion in words, keyed by the engine's criterion. */
export const RANK_CRITERIA: Readonly<Record<RankCriterion, Bilingual>> = {
  targetsMet: {
    en: 'every target met at the individual prediction, the most important targets first',
    fr: 'toutes les cibles atteintes selon la prédiction individuelle, les cibles prioritaires d’abord',
  },
  ptaThreshold: {
    en: `a probability of target attainment of at least ${pct} %`,
    fr: `une probabilité d’atteinte de la cible d’au moins ${pct} %`,
  },
  closeness: {
    en: 'the predicted exposure closest to the centre of the primary target',
    fr: 'l’exposition prédite la plus proche du centre de la cible principale',
  },
  pta: { en: 'the higher probability of target attainment', fr: 'la plus forte probabilité d’atteinte' },
  dailyDose: { en: 'the smaller daily dose', fr: 'la plus petite dose journalière' },
  interval: {
    en: 'the longer interval (fewer administrations)',
    fr: 'l’intervalle le plus long (moins d’administrations)',
  },
  start: { en: 'the earlier start', fr: 'le début le plus tôt' },
  infusion: { en: 'the shorter infusion', fr: 'la perfusion la plus courte' },
  dose: { en: 'the smaller dose', fr: 'la dose unitaire la plus petite' },
};

/** The ranking rule as one sentence: the criteria in the engine's order. */
export function rankingRule(lang: Lang, optimiseFor: 'target' | 'pta' = 'target'): string {
  const steps = rankingCriteria(optimiseFor).map((c) => RANK_CRITERIA[c][lang]);
  return lang === 'fr'
    ? `Les schémas sont classés par : ${steps.join(', puis ')}. Tous respectent les limites d’administration des produits (dose maximale par prise, par jour et de charge, débit et durée de perfusion).`
    : `Regimens are ranked by: ${steps.join(', then ')}. All stay within the products' limits of administration (maximum single, daily and loading dose, infusion rate and duration).`;
}

/** What a target marked met (✓) means. */
export const MET_MEANING: Bilingual = {
  en: "✓ met: the individual prediction (the MAP estimate from the patient's levels; the typical patient without a level) is within the target.",
  fr: '✓ atteinte : la prédiction individuelle (estimation MAP à partir des concentrations du patient ; le patient typique sans concentration) est dans la cible.',
};

/** What the PTA is, and what a PTA below the threshold means beside a ✓. */
export const PTA_MEANING: Bilingual = {
  en: `PTA: the probability of target attainment, the share of the posterior draws (prior draws without a level) in which every target is met. Below ${pct} %, a regimen met at the individual prediction is more likely to miss the target than to meet it (marked ⚠).`,
  fr: `PAC : probabilité d’atteinte de la cible (PTA), part des tirages a posteriori (a priori sans concentration) dans lesquels toutes les cibles sont atteintes. Sous ${pct} %, un schéma atteignant la cible selon la prédiction individuelle a plus de chances de la manquer que de l’atteindre (marqué ⚠).`,
};

/** Whether a candidate's PTA is below the threshold (null: no draws). */
export function ptaBelowThreshold(pta: { all: number } | null | undefined): boolean {
  return !!pta && pta.all < PTA_THRESHOLD;
}

/** What can tell apart two candidates with the same dose and interval. */
export type RegimenDifference = 'duration' | 'start' | 'loading' | 'route';

/**
 * For each regimen of a list, what sets it apart from the others that read alike (the same dose
 * and interval, "1500 mg / 24 h" twice): the infusion duration, the start, the loading dose or the
 * route where they differ; [] for a regimen no other reads like. Every front end shows these beside
 * the dose and interval so that no two candidates read the same.
 */
export function alikeDifferences(regimens: readonly Regimen[]): RegimenDifference[][] {
  const q = (x: Quantity | null | undefined): string => (x ? `${x.value} ${x.unit}` : '-');
  const fields: Record<RegimenDifference, (r: Regimen) => string> = {
    duration: (r) => q(r.duration),
    start: (r) => r.start ?? '-',
    loading: (r) => (r.loading ? `${q(r.loading.dose)} ${q(r.loading.duration)}` : '-'),
    route: (r) => r.route,
  };
  const base = (r: Regimen): string => `${q(r.dose)}|${q(r.interval)}`;
  return regimens.map((r, i) => {
    const alike = regimens.filter((o, j) => j !== i && base(o) === base(r));
    return (Object.keys(fields) as RegimenDifference[]).filter((f) =>
      alike.some((o) => fields[f](o) !== fields[f](r)),
    );
  });
}
