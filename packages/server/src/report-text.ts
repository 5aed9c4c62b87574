/**
 * The report's words in English and French, and how it writes numbers, units, times and regimens
 * in each: numbers to 4 significant digits with the language's decimal mark, units as clinicians
 * write them (µg, mg·h/L), every time local to one zone (Europe/Paris unless configured) with its
 * UTC offset, never UTC beside local.
 */
import { issueInfo } from '@dosetwin/models';
import type { Regimen } from './contract/index.ts';

export type ReportLang = 'en' | 'fr';

/** The zone the report's times are written in unless the request or the service says otherwise. */
export const DEFAULT_REPORT_TIME_ZONE = 'Europe/Paris';

/** Whether `tz` is an IANA zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The language of `Accept-Language` (its first of fr/en), or null. */
export function langOfHeader(header: string | undefined): ReportLang | null {
  for (const part of (header ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'fr' || tag === 'en') return tag;
  }
  return null;
}

const W = {
  title: { en: 'Dose adjustment report', fr: "Compte rendu d'adaptation posologique" },
  timesNote: {
    en: 'All times are local times, {zone}.',
    fr: 'Toutes les heures sont des heures locales, {zone}.',
  },
  patient: { en: 'Patient', fr: 'Patient' },
  name: { en: 'Name', fr: 'Nom' },
  birthName: { en: 'Birth name', fr: 'Nom de naissance' },
  birthDate: { en: 'Date of birth', fr: 'Date de naissance' },
  sex: { en: 'Sex', fr: 'Sexe' },
  male: { en: 'male', fr: 'homme' },
  female: { en: 'female', fr: 'femme' },
  hospitalNumber: { en: 'Hospital number', fr: 'IPP' },
  pseudonym: { en: 'Pseudonym', fr: 'Pseudonyme' },
  identityNotAsked: {
    en: 'identity not printed (pseudonymous report)',
    fr: 'identité non imprimée (compte rendu pseudonymisé)',
  },
  service: { en: 'Service', fr: 'Service' },
  prescriber: { en: 'Prescriber', fr: 'Prescripteur' },
  requestedAt: { en: 'Requested at', fr: 'Demande du' },
  question: { en: 'Clinical question', fr: 'Question clinique' },
  decisionTitle: { en: 'Decision', fr: 'Décision' },
  decision_accept: { en: 'accepted', fr: 'accepté' },
  decision_modify: { en: 'modified', fr: 'modifié' },
  decision_reject: { en: 'rejected', fr: 'refusé' },
  decisionLine: { en: 'Decision: {d}', fr: 'Décision : {d}' },
  retained: { en: 'Regimen retained', fr: 'Schéma retenu' },
  noRegimen: { en: 'none (the proposal is rejected)', fr: 'aucun (la proposition est refusée)' },
  firstNewDose: { en: 'first new dose {t}', fr: 'première nouvelle dose le {t}' },
  comment: { en: 'Comment', fr: 'Commentaire' },
  validatedBy: { en: 'Validated by {who} on {t}', fr: 'Validé par {who} le {t}' },
  rejectedBy: { en: 'Rejected by {who} on {t}', fr: 'Rejeté par {who} le {t}' },
  chartTitle: { en: 'Concentration–time', fr: 'Concentration–temps' },
  chartCaption: {
    en: 'Levels measured (dots), individual prediction (line) with its 90 % credible band over {n} draws, the current regimen continued (dashed), targets (green), doses given (ticks) and the new regimen from its first dose (dotted line).',
    fr: 'Dosages mesurés (points), prédiction individuelle (trait) et sa bande de crédibilité à 90 % sur {n} tirages, schéma actuel poursuivi (tirets), cibles (vert), doses données (traits) et nouveau schéma à partir de sa première dose (pointillés).',
  },
  legendObserved: { en: 'measured', fr: 'mesuré' },
  legendIndividual: { en: 'individual', fr: 'individuelle' },
  legendBand: { en: '90 % band', fr: 'bande 90 %' },
  legendCurrent: { en: 'current regimen', fr: 'schéma actuel' },
  legendTarget: { en: 'target', fr: 'cible' },
  legendNew: { en: 'new regimen', fr: 'nouveau schéma' },
  exposureTitle: { en: 'Predicted exposure at steady state', fr: "Exposition prédite à l'état d'équilibre" },
  current: { en: 'Current regimen', fr: 'Schéma actuel' },
  noCurrent: {
    en: 'Current regimen: none to continue (fewer than two doses recorded).',
    fr: 'Schéma actuel : aucun à poursuivre (moins de deux doses saisies).',
  },
  target: { en: 'Target', fr: 'Cible' },
  // Printed inside parentheses after the value ("576.8 (met, individual prediction)"): no
  // parentheses of their own, which would nest.
  met: { en: 'met, individual prediction', fr: 'atteinte, prédiction individuelle' },
  notMet: { en: 'NOT met, individual prediction', fr: 'NON atteinte, prédiction individuelle' },
  ptaRow: { en: 'PTA (all targets)', fr: 'PAC (toutes les cibles)' },
  ptaExplained: {
    en: 'PTA, probability of target attainment: the share of {n} plausible versions of this patient (draws from the posterior distribution of their parameters, given the levels) in which every target is met at steady state. A PTA of 80 % means 8 in 10 such versions reach the targets; it measures the uncertainty about the patient, not the adherence to the regimen.',
    fr: "PAC, probabilité d'atteinte des cibles : la part de {n} versions plausibles de ce patient (tirages dans la distribution a posteriori de ses paramètres, compte tenu des dosages) pour lesquelles toutes les cibles sont atteintes à l'état d'équilibre. Une PAC de 80 % signifie que 8 versions sur 10 atteignent les cibles ; elle mesure l'incertitude sur le patient, pas l'observance du schéma.",
  },
  notComputed: { en: 'not computed', fr: 'non calculée' },
  parametersTitle: { en: 'Individual parameters', fr: 'Paramètres individuels' },
  fitMap: {
    en: 'Bayesian estimate (MAP) from the levels; converged: {c}',
    fr: 'Estimation bayésienne (MAP) à partir des dosages ; convergence : {c}',
  },
  fitPrior: {
    en: 'A priori: the typical patient for the covariates (no usable level)',
    fr: 'A priori : le patient type pour ces covariables (aucun dosage utilisable)',
  },
  yes: { en: 'yes', fr: 'oui' },
  no: { en: 'NO', fr: 'NON' },
  parameter: { en: 'Parameter', fr: 'Paramètre' },
  value: { en: 'Value', fr: 'Valeur' },
  unit: { en: 'Unit', fr: 'Unité' },
  halfLife: { en: 'Terminal half-life t½', fr: 'Demi-vie terminale t½' },
  distributionHalfLife: { en: 'Distribution half-life', fr: 'Demi-vie de distribution' },
  halfLifeNone: {
    en: 'No single half-life: the model is non-linear or written as differential equations.',
    fr: 'Pas de demi-vie unique : le modèle est non linéaire ou écrit en équations différentielles.',
  },
  observedVsPredicted: {
    en: 'Level {t}: measured {o}, predicted {p} {u}{c}',
    fr: 'Dosage du {t} : mesuré {o}, prédit {p} {u}{c}',
  },
  censored: { en: ' (below the LLOQ)', fr: ' (sous la LIQ)' },
  candidatesTitle: { en: 'Proposed regimens', fr: 'Schémas proposés' },
  candidateLine: {
    en: '{rank}. {regimen}: {metrics}; PTA {pta}',
    fr: '{rank}. {regimen} : {metrics} ; PAC {pta}',
  },
  recordTitle: { en: 'Record used', fr: 'Dossier utilisé' },
  doseLine: { en: 'Dose {t}: {what}', fr: 'Dose le {t} : {what}' },
  levelLine: {
    en: 'Level {t}: {v} {u} ({matrix}, {assay}){lloq}',
    fr: 'Dosage du {t} : {v} {u} ({matrix}, {assay}){lloq}',
  },
  lloq: { en: ', LLOQ {v}', fr: ', LIQ {v}' },
  covariateLine: { en: 'Covariate {t}: {name} = {v} {u}', fr: 'Covariable le {t} : {name} = {v} {u}' },
  conversionLine: { en: 'Conversion: {c}', fr: 'Conversion : {c}' },
  correctionLine: {
    en: 'Corrected {what} of {at}: {before} → {after} ({reason}; {who}, {when})',
    fr: '{what} du {at} corrigé(e) : {before} → {after} ({reason} ; {who}, le {when})',
  },
  correctedDose: { en: 'dose', fr: 'Dose' },
  correctedLevel: { en: 'level', fr: 'Dosage' },
  correctedCovariate: { en: 'covariate', fr: 'Covariable' },
  enteredInError: { en: 'entered in error, left out', fr: 'saisie erronée, écartée' },
  warningsTitle: { en: 'Warnings', fr: 'Avertissements' },
  modelTitle: { en: 'Model and computation', fr: 'Modèle et calcul' },
  modelLine: {
    en: 'Model {id} version {v}; dosetwin engine {e}',
    fr: 'Modèle {id} version {v} ; moteur dosetwin {e}',
  },
  localModelLine: {
    en: 'Local version {n} of the model, adapted to this hospital’s patients; approved by {by} on {t}',
    fr: 'Version locale {n} du modèle, adaptée aux patients de cet hôpital ; approuvée par {by} le {t}',
  },
  citation: { en: 'Reference', fr: 'Référence' },
  analysisLine: {
    en: 'Analysis version {v}, computed {t}; hash {h}',
    fr: 'Analyse version {v}, calculée le {t} ; empreinte {h}',
  },
  averagingLine: {
    en: 'Drug {drug}: averaged over {n} models, weights {w}; the chart and parameters are those of the model with the largest weight',
    fr: 'Médicament {drug} : moyenne sur {n} modèles, poids {w} ; la courbe et les paramètres sont ceux du modèle de plus grand poids',
  },
  leftOut: { en: 'Left out: {id} ({reason})', fr: 'Écarté : {id} ({reason})' },
  targetsLine: { en: 'Targets: {t}', fr: 'Cibles : {t}' },
  signatureTitle: { en: 'Signature', fr: 'Signature' },
  signatureMeaning: {
    en: 'Meaning of the signature: the pharmacologist named above has reviewed this analysis (the record used, the model, the fit and the predictions) and {what}. The signature is bound to the analysis by its hash: any change to the analysis voids it. The prescriber takes the final decision.',
    fr: "Signification de la signature : le pharmacologue nommé ci-dessus a revu cette analyse (le dossier utilisé, le modèle, l'ajustement et les prédictions) et {what}. La signature est liée à l'analyse par son empreinte : toute modification de l'analyse l'invalide. La décision finale revient au prescripteur.",
  },
  meaning_accept: {
    en: 'recommends the regimen retained above',
    fr: 'recommande le schéma retenu ci-dessus',
  },
  meaning_modify: {
    en: 'recommends the regimen retained above, which they modified from the proposals',
    fr: 'recommande le schéma retenu ci-dessus, modifié par rapport aux propositions',
  },
  meaning_reject: {
    en: 'rejects the proposed regimens: none is recommended',
    fr: 'refuse les schémas proposés : aucun n’est recommandé',
  },
  signatureLine: {
    en: 'Signature {s} over the analysis hash {h}',
    fr: "Signature {s} sur l'empreinte d'analyse {h}",
  },
  page: { en: 'page {n} of {m}', fr: 'page {n} sur {m}' },
  route_oral: { en: 'orally', fr: 'par voie orale' },
  route_bolus: { en: 'IV bolus', fr: 'en IV directe' },
  route_infusion: { en: 'IV infusion', fr: 'en perfusion IV' },
  every: { en: 'every', fr: 'toutes les' },
  over: { en: 'over', fr: 'sur' },
  loading: { en: 'loading dose {d}, then ', fr: 'dose de charge {d}, puis ' },
  from: { en: 'from {t}', fr: 'à partir du {t}' },
  time: { en: 'time', fr: 'heure' },
} as const satisfies Record<string, Record<ReportLang, string>>;

export type WordKey = keyof typeof W;

/** The report's text for `key` in `lang`, `{name}` filled from `vars`. */
export function tr(lang: ReportLang, key: WordKey, vars: Record<string, string | number> = {}): string {
  return W[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

const LOCALE: Record<ReportLang, string> = { en: 'en-GB', fr: 'fr-FR' };

/** A number to 4 significant digits, the language's decimal mark, no grouping (so nothing wraps inside it). */
export function num(x: number, lang: ReportLang, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  return new Intl.NumberFormat(LOCALE[lang], { maximumSignificantDigits: digits, useGrouping: false }).format(
    x,
  );
}

/** A percentage, whole. */
export const pct = (x: number, lang: ReportLang): string =>
  Number.isFinite(x) ? `${num(Math.round(100 * x), lang)} %` : '–';

/** A unit as clinicians write it: µ for the engine's ASCII u, · for a product. */
export function unitText(u: string): string {
  return u
    .replace(/^u(?=g|mol|L)/, 'µ')
    .replace(/\/u(?=g|L)/, '/µ')
    .replace(/\*/g, '·');
}

/** The zone's name and its UTC offset at `ms` (`Europe/Paris, UTC+01:00`). */
export function zoneText(tz: string, ms: number): string {
  return `${tz}, ${offsetText(tz, ms)}`;
}

function offsetText(tz: string, ms: number): string {
  const part = new Intl.DateTimeFormat('en', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  // 'GMT+01:00', or 'GMT' for UTC itself.
  return !part || part === 'GMT' ? 'UTC+00:00' : part.replace('GMT', 'UTC');
}

/** A time local to `tz`: `21/11/2026 08:00` (both languages write the day first), with the offset when asked. */
export function timeText(iso: string | number, lang: ReportLang, tz: string, withOffset = false): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return String(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const text = `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
  return withOffset ? `${text} (${offsetText(tz, ms)})` : text;
}

/** A calendar date `YYYY-MM-DD` as `02/04/1968`. */
export const dateText = (ymd: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ymd;
};

/** `label: value` with the language's colon (French puts a space before it). */
export const labelled = (label: string, value: string, lang: ReportLang): string =>
  `${label}${lang === 'fr' ? ' :' : ':'} ${value}`;

/**
 * A unit-conversion note of the library (`SCR 95 umol/L -> 1.07466 mg/dL`, `CRCL = 86.9 mL/min by
 * crcl_cg(…) cap 150`) in the report's language: decimal mark, units, and its few words.
 */
export function conversionText(c: string, lang: ReportLang): string {
  const t = c.replace(
    /(\d+(?:\.\d+)?)\s*(umol|ug|uL)\b/g,
    (_, n: string, u: string) => `${n} ${unitText(u)}`,
  );
  if (lang === 'en') return t.replace(/ -> /g, ' → ');
  return t
    .replace(/ -> /g, ' → ')
    .replace(/(\d)\.(\d)/g, '$1,$2')
    .replace(/\bby\b/g, 'par')
    .replace(/\bcap\b/g, 'plafond')
    .replace(/(\d) y\b/g, '$1 ans');
}

/** A quantity `{ value, unit }` written out. */
export const qty = (x: { value: number; unit: string }, lang: ReportLang): string =>
  `${num(x.value, lang)} ${unitText(x.unit)}`;

/** A regimen in words: `1250 mg IV infusion over 1 h every 12 h, from 21/11/2026 20:00`. */
export function regimenText(r: Regimen | null, lang: ReportLang, tz: string): string {
  if (!r) return '—';
  const loading = r.loading
    ? tr(lang, 'loading', {
        d: `${qty(r.loading.dose, lang)}${r.loading.duration ? ` ${tr(lang, 'over')} ${qty(r.loading.duration, lang)}` : ''}`,
      })
    : '';
  const over = r.duration ? ` ${tr(lang, 'over')} ${qty(r.duration, lang)}` : '';
  const from = r.start ? `, ${tr(lang, 'from', { t: timeText(r.start, lang, tz) })}` : '';
  return `${loading}${qty(r.dose, lang)} ${tr(lang, `route_${r.route}`)}${over} ${tr(lang, 'every')} ${qty(r.interval, lang)}${from}`;
}

/** Metric names as the report prints them. */
const METRIC: Record<string, Record<ReportLang, string>> = {
  auc24: { en: 'AUC24', fr: 'ASC24' },
  auctau: { en: 'AUC over the interval', fr: "ASC sur l'intervalle" },
  cavg: { en: 'Average concentration', fr: 'Concentration moyenne' },
  trough: { en: 'Trough', fr: 'Résiduelle' },
  peak: { en: 'Peak', fr: 'Pic' },
  c_eoi_1h: { en: 'Level 1 h after the infusion', fr: 'Concentration 1 h après la perfusion' },
  c_eoi_30min: { en: 'Level 30 min after the infusion', fr: 'Concentration 30 min après la perfusion' },
  ft_mic: { en: 'fT>MIC', fr: 'fT>CMI' },
  fauc_mic: { en: 'fAUC/MIC', fr: 'fASC/CMI' },
  cmax_mic: { en: 'Cmax/MIC', fr: 'Cmax/CMI' },
  fcmin_mic: { en: 'fCmin/MIC', fr: 'fCmin/CMI' },
};

export const metricName = (metric: string, lang: ReportLang): string => METRIC[metric]?.[lang] ?? metric;

/**
 * A target's text as the report prints it: `auc24=400..600 mg*h/L` → `ASC24 400–600 mg·h/L`;
 * a text it cannot read is printed as written.
 */
export function targetText(text: string, metric: string, lang: ReportLang): string {
  const N = '[-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?';
  const m = new RegExp(`^\\s*[a-z0-9_]+\\s*(=|<=|>=)\\s*(${N})(?:\\s*\\.\\.\\s*(${N}))?\\s*(.*)$`, 'i').exec(
    text,
  );
  if (!m) return text;
  const [, op, a, b, unit] = m;
  const range =
    b !== undefined
      ? `${num(Number(a), lang)}–${num(Number(b), lang)}`
      : `${op === '=' ? '' : `${op.replace('<=', '≤').replace('>=', '≥')} `}${num(Number(a), lang)}`;
  const rest = unit.trim().replace(/\s+at steady state$/i, '');
  return `${metricName(metric, lang)} ${range}${rest ? ` ${unitText(rest)}` : ''}`;
}

/** An issue in the report's language: the catalogue's title for its code, then its own message (values, field) in English only. */
export function issueText(i: { code: string; field: string; message: string }, lang: ReportLang): string {
  const info = issueInfo(i.code);
  if (lang === 'en' || !info) return `${info ? `${info.title.en}: ` : ''}${i.message} [${i.field}]`;
  return `${info.title.fr} : ${info.meaning.fr} [${i.field}]`;
}
