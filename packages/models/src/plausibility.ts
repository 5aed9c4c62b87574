/**
 * Plausibility of what a clinician enters — a dose, a level, a covariate, a regimen — against the
 * drug's bounds (`plausibility` in its drug file) and the covariate register: outside the hard
 * bounds an entry is refused (an error Issue naming the field), outside the soft bounds it needs
 * an acknowledgement (a warning Issue: the service records it only when the request acknowledges
 * its code). Every message names the field, in English and in French (`Issue.fr`); a value
 * converted to the drug's unit is echoed (`1.5 g = 1 500 mg`); a value that would be usual in
 * another unit of the same kind says so (15 ng/mL read as mg/L, SCR in mg/dL entered as µmol/L).
 *
 * The service checks each entry with these functions, the analyses (service, browser, CLI) the
 * whole record ({@link checkClinicalRecord}, {@link checkDrugData}); no front end keeps bounds of
 * its own.
 */
import { convert, type Issue, type ModelIR, type PatientData } from '@dosetwin/engine';
import { type Bilingual, covariateEntry, plausibilityIssue } from './covariate-register.ts';
import { convertCovariate } from './covariates.ts';
import type { DrugPlausibility, PlausibleRange } from './drug.ts';
import { drugFile } from './drugs.ts';
import type { ClinicalRecord, DrugPatient, DrugRecord } from './patient.ts';
import type { Quantity, Regimen, Route } from './regimen.ts';
import { modelsForDrug } from './registry.ts';

/** What a check found: issues (errors refuse, warnings need an acknowledgement) and the conversions done. */
export interface EntryCheck {
  issues: Issue[];
  /** Each value converted to the drug's or the register's unit: `1.5 g = 1 500 mg`. */
  conversions: Bilingual[];
}

/** The drug (its file's name or folder) an entry is checked for; null = bounds valid for any drug. */
export interface EntryContext {
  drug: string | null;
  /** Body weight at the time, in kg (per-kg doses are checked only with it). */
  weightKg: number | null;
  /**
   * The routes the model(s) in use can take (an analysed model: see {@link modelRoutes}); absent =
   * those of the drug's library models.
   */
  routes?: readonly Route[];
}

/** Codes whose warnings must be acknowledged before an entry is stored or an analysis signed. */
export const ACKNOWLEDGED_CODES = [
  'DT_DOSE_UNUSUAL',
  'DT_SAMPLE_UNUSUAL',
  'DT_COVARIATE_UNUSUAL',
  'DT_REGIMEN_UNUSUAL',
  'DT_ROUTE_UNUSUAL',
  'DT_LEVEL_IMPLAUSIBLE',
  'DT_LEVEL_UNIT_SLIP',
  'DT_ETA_EXTREME',
  'DT_MAP_NONCONVERGENCE',
  'DT_ENTRY_OLD',
  'DT_DOSE_REPEATED',
] as const;

/** The warnings among `issues` that need an acknowledgement (see {@link ACKNOWLEDGED_CODES}). */
export function needingAcknowledgement(issues: readonly Issue[]): Issue[] {
  return issues.filter(
    (i) => i.severity === 'warning' && (ACKNOWLEDGED_CODES as readonly string[]).includes(i.code),
  );
}

// ---------------------------------------------------------------- bounds

const ANY = (unit: string, lo: number, hi: number, why: string): PlausibleRange => ({
  unit,
  hard: { lo, hi },
  soft: { lo, hi },
  why,
});

/**
 * Bounds when the drug is not known: wide enough for any drug of the library and any patient,
 * narrow enough to refuse what cannot be a dose, a level or an interval.
 */
export const ANY_DRUG: DrugPlausibility = {
  dose: ANY('mg', 0.001, 100_000, 'no drug is given as less than 1 µg or more than 100 g at once'),
  dosePerKg: ANY('mg/kg', 0, Infinity, 'checked per drug only'),
  dailyDose: ANY('mg', 0, 200_000, 'no drug is given as more than 200 g a day'),
  level: ANY('mg/L', 0, 100_000, 'no drug level reaches 100 g/L'),
  interval: ANY('h', 0.25, 720, 'no regimen repeats more often than every 15 min or less often than monthly'),
};

/** The bounds of a drug (by name or folder), or {@link ANY_DRUG}. */
export function drugBounds(drug: string | null): DrugPlausibility {
  return (drug && drugFile(drug)?.plausibility) || ANY_DRUG;
}

// ---------------------------------------------------------------- numbers and units as shown

const UNIT_SHOWN: Record<string, string> = {
  ug: 'µg',
  mcg: 'µg',
  'ug/L': 'µg/L',
  'ug/mL': 'µg/mL',
  'umol/L': 'µmol/L',
};
const showUnit = (u: string): string => UNIT_SHOWN[u] ?? u;

/**
 * A number as clinicians read it: 6 significant digits at most, thousands grouped by a space,
 * a decimal point in English and a decimal comma in French.
 */
export function formatNumber(x: number, lang: 'en' | 'fr'): string {
  if (!Number.isFinite(x)) return String(x);
  const v = Number(x.toPrecision(6));
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (a !== 0 && (a >= 1e9 || a < 1e-4)) {
    const [m, e] = a.toExponential(2).split('e');
    return `${sign}${lang === 'fr' ? m.replace('.', ',') : m}e${e}`;
  }
  const [int, frac] = String(a).split('.');
  const grouped = int.length >= 4 ? int.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : int;
  return `${sign}${grouped}${frac ? (lang === 'fr' ? ',' : '.') + frac : ''}`;
}

const q = (x: number, unit: string, lang: 'en' | 'fr'): string =>
  unit === '-' ? formatNumber(x, lang) : `${formatNumber(x, lang)} ${showUnit(unit)}`;
const bi = (f: (lang: 'en' | 'fr') => string): Bilingual => ({ en: f('en'), fr: f('fr') });
const rangeText = (r: { lo: number; hi: number }, unit: string, lang: 'en' | 'fr'): string =>
  r.lo <= 0 ? `≤ ${q(r.hi, unit, lang)}` : `${formatNumber(r.lo, lang)}–${q(r.hi, unit, lang)}`;

/** Convert, or null when the units do not convert (an unknown unit, another dimension). */
function tryConvert(v: number, from: string, to: string): number | null {
  try {
    return convert(v, from, to);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the range check

/** What is checked: its words in both languages and the issue codes for its two kinds of finding. */
interface Subject {
  field: string;
  label: Bilingual;
  hard: Issue['code'];
  soft: Issue['code'];
}

const issue = (
  severity: 'error' | 'warning',
  code: Issue['code'],
  field: string,
  message: Bilingual,
  hint?: Bilingual,
): Issue => ({
  code,
  severity,
  field,
  message: message.en,
  ...(hint ? { hint: hint.en } : {}),
  fr: { message: message.fr, ...(hint ? { hint: hint.fr } : {}) },
});

/**
 * A value (entered as `value unit`, `x` in the range's unit) against a range: an error outside
 * the hard bounds, a warning outside the soft ones; `alternatives` are the units of the same kind
 * the number could have been meant in, suggested when the number in them would be usual.
 */
function rangeIssue(
  s: Subject,
  x: number,
  value: number,
  unit: string,
  r: PlausibleRange,
  alternatives: readonly string[] = [],
  toRangeUnit: (v: number, from: string) => number | null = (v, from) => tryConvert(v, from, r.unit),
): Issue | null {
  const shown = (lang: 'en' | 'fr'): string =>
    unit === r.unit || !Number.isFinite(x)
      ? q(value, unit, lang)
      : `${q(value, unit, lang)} (${q(x, r.unit, lang)})`;
  if (!Number.isFinite(x))
    return issue(
      'error',
      s.hard,
      s.field,
      bi((l) =>
        l === 'en'
          ? `${s.label.en} ${q(value, unit, l)}: not a finite number`
          : `${s.label.fr} ${q(value, unit, l)} : pas un nombre fini`,
      ),
    );
  const hard = x < r.hard.lo || x > r.hard.hi;
  const soft = x < r.soft.lo || x > r.soft.hi;
  if (!hard && !soft) return null;
  const meant = alternatives.filter((u) => {
    if (u === unit) return false;
    const y = toRangeUnit(value, u);
    return y !== null && y >= r.soft.lo && y <= r.soft.hi;
  });
  const slip = meant.length
    ? bi((l) =>
        l === 'en'
          ? `was it ${meant.map((u) => q(value, u, l)).join(' or ')}? `
          : `s’agissait-il de ${meant.map((u) => q(value, u, l)).join(' ou ')} ? `,
      )
    : { en: '', fr: '' };
  if (hard)
    return issue(
      'error',
      s.hard,
      s.field,
      bi((l) =>
        l === 'en'
          ? `${s.label.en} ${shown(l)}: not plausible, outside ${rangeText(r.hard, r.unit, l)}`
          : `${s.label.fr} ${shown(l)} : valeur invraisemblable, hors de ${rangeText(r.hard, r.unit, l)}`,
      ),
      {
        en: `${slip.en}check the value and its unit (${r.why})`,
        fr: `${slip.fr}vérifier la valeur et son unité`,
      },
    );
  return issue(
    'warning',
    s.soft,
    s.field,
    bi((l) =>
      l === 'en'
        ? `${s.label.en} ${shown(l)}: unusual (usually ${rangeText(r.soft, r.unit, l)}); confirm it to record it`
        : `${s.label.fr} ${shown(l)} : valeur inhabituelle (habituellement ${rangeText(r.soft, r.unit, l)}) ; la confirmer pour l’enregistrer`,
    ),
    {
      en: `${slip.en}acknowledge it if it is right (${r.why})`,
      fr: `${slip.fr}confirmer si la valeur est juste`,
    },
  );
}

const conversion = (value: number, from: string, x: number, to: string): Bilingual =>
  bi((l) => `${q(value, from, l)} = ${q(x, to, l)}`);

// ---------------------------------------------------------------- routes

/** The routes a model can take: oral needs a depot compartment, bolus and infusion a central one. */
export function modelRoutes(ir: Pick<ModelIR, 'compartments'>): Route[] {
  const out: Route[] = [];
  if (ir.compartments.includes('depot')) out.push('oral');
  if (ir.compartments.includes('central')) out.push('bolus', 'infusion');
  return out;
}

/** The routes some library model of the drug can take (every route when the drug is not known). */
function drugModelRoutes(drug: string | null): Route[] {
  const models = drug ? modelsForDrug(drugFile(drug)?.drug ?? drug) : [];
  if (!models.length) return ['oral', 'bolus', 'infusion'];
  return [...new Set(models.flatMap((m) => modelRoutes(m.ir)))];
}

const ROUTE_WORDS: Record<Route, Bilingual> = {
  oral: { en: 'oral', fr: 'orale' },
  bolus: { en: 'bolus', fr: 'bolus' },
  infusion: { en: 'infusion', fr: 'perfusion' },
};

// ---------------------------------------------------------------- doses

/** One administration as entered. */
export interface DoseEntry {
  amount: number;
  unit: string;
  route: Route;
  /** Infusion duration (route `infusion`), else null. */
  duration: Quantity | null;
}

const MASS_UNITS = ['g', 'mg', 'ug'];
const CONC_UNITS = ['g/L', 'mg/L', 'ug/L', 'ng/L'];

/** Words of the fields checked, both languages. */
const LABEL = {
  dose: { en: 'Dose', fr: 'Dose' },
  loading: { en: 'Loading dose', fr: 'Dose de charge' },
  perKg: { en: 'Dose per kg', fr: 'Dose par kg' },
  daily: { en: 'Dose over 24 h', fr: 'Dose sur 24 h' },
  level: { en: 'Level', fr: 'Concentration' },
  interval: { en: 'Dosing interval', fr: 'Intervalle entre les doses' },
  duration: { en: 'Infusion duration', fr: 'Durée de perfusion' },
  route: { en: 'Route', fr: 'Voie' },
} satisfies Record<string, Bilingual>;

/**
 * One administration: its amount (hard and soft bounds; per kg with a weight), its route (one the
 * drug's models can take — else refused —, one its products are given by — else asked), its
 * infusion duration (positive, at most a week; outside the products' range or above their
 * maximum rate: asked). `field(k)` names the body field of `amount`, `route`, `duration`.
 */
export function checkDose(
  ctx: EntryContext,
  d: DoseEntry,
  field: (k: 'amount' | 'route' | 'duration') => string,
  label: Bilingual = LABEL.dose,
  /** The label's maximum infusion rate is a rule for what is to be given (a regimen), not for doses recorded. */
  rate: 'check' | 'skip' = 'skip',
): EntryCheck {
  const b = drugBounds(ctx.drug);
  const file = ctx.drug ? drugFile(ctx.drug) : null;
  const issues: Issue[] = [];
  const conversions: Bilingual[] = [];
  const mg = tryConvert(d.amount, d.unit, b.dose.unit);
  if (mg === null) return { issues, conversions }; // the unit itself is the caller's check
  if (d.unit !== b.dose.unit && Number.isFinite(mg))
    conversions.push(conversion(d.amount, d.unit, mg, b.dose.unit));
  const subject = {
    field: field('amount'),
    label,
    hard: 'DT_DOSE_IMPLAUSIBLE',
    soft: 'DT_DOSE_UNUSUAL',
  } as const;
  const perKgRange = b.dosePerKg;
  const w = ctx.weightKg;
  const withWeight = w !== null && w > 0 && Number.isFinite(w) && Number.isFinite(perKgRange.hard.hi);
  // The amount alone against the hard bounds always; against the soft ones only without a weight
  // (with one, the per-kg bounds say more: a neonate's 5 mg is usual, an adult's is not).
  const amountRange = withWeight ? { ...b.dose, soft: b.dose.hard } : b.dose;
  const a = rangeIssue(subject, mg, d.amount, d.unit, amountRange, withWeight ? [] : MASS_UNITS);
  if (a) issues.push(a);
  if (withWeight && !a && Number.isFinite(mg)) {
    const perKg = mg / w;
    const hardOut = perKg < perKgRange.hard.lo || perKg > perKgRange.hard.hi;
    const softOut = perKg < perKgRange.soft.lo || perKg > perKgRange.soft.hi;
    if (hardOut || softOut) {
      const r = hardOut ? perKgRange.hard : perKgRange.soft;
      const alt = MASS_UNITS.filter((u) => {
        const y = tryConvert(d.amount, u, b.dose.unit);
        return u !== d.unit && y !== null && y / w >= perKgRange.soft.lo && y / w <= perKgRange.soft.hi;
      });
      const said = (l: 'en' | 'fr'): string =>
        `${label[l]} ${q(d.amount, d.unit, l)} ${l === 'en' ? 'for' : 'pour'} ${q(w, 'kg', l)} (${q(Number(perKg.toPrecision(3)), perKgRange.unit, l)})`;
      const slip = (l: 'en' | 'fr'): string =>
        alt.length
          ? l === 'en'
            ? `was it ${q(d.amount, alt[0], l)}? `
            : `s’agissait-il de ${q(d.amount, alt[0], l)} ? `
          : '';
      issues.push(
        issue(
          hardOut ? 'error' : 'warning',
          hardOut ? subject.hard : subject.soft,
          subject.field,
          bi((l) =>
            hardOut
              ? l === 'en'
                ? `${said(l)}: not plausible, outside ${rangeText(r, perKgRange.unit, l)}`
                : `${said(l)} : valeur invraisemblable, hors de ${rangeText(r, perKgRange.unit, l)}`
              : l === 'en'
                ? `${said(l)}: unusual (usually ${rangeText(r, perKgRange.unit, l)}); confirm it to record it`
                : `${said(l)} : valeur inhabituelle (habituellement ${rangeText(r, perKgRange.unit, l)}) ; la confirmer pour l’enregistrer`,
          ),
          hardOut
            ? {
                en: `${slip('en')}check the value, its unit and the weight (${perKgRange.why})`,
                fr: `${slip('fr')}vérifier la valeur, son unité et le poids`,
              }
            : {
                en: `${slip('en')}acknowledge it if it is right (${perKgRange.why})`,
                fr: `${slip('fr')}confirmer si la valeur est juste`,
              },
        ),
      );
    }
  }
  // Routes: one no model can take is refused; one no product is given by is asked.
  const routes = ctx.routes ?? drugModelRoutes(ctx.drug);
  const route = ROUTE_WORDS[d.route];
  if (!routes.includes(d.route))
    issues.push(
      issue(
        'error',
        'DT_ROUTE',
        field('route'),
        bi((l) =>
          l === 'en'
            ? `Route ${route.en}: ${ctx.routes ? 'the model' : `no library model of ${ctx.drug}`} can represent it (${routes.map((r) => ROUTE_WORDS[r].en).join(', ')} only)`
            : `Voie ${route.fr} : ${ctx.routes ? 'le modèle ne peut pas la représenter' : 'aucun modèle de la bibliothèque pour ce médicament ne peut la représenter'} (seulement ${routes.map((r) => ROUTE_WORDS[r].fr).join(', ')})`,
        ),
        {
          en: 'check the route; record the dose as it was given',
          fr: 'vérifier la voie ; saisir la dose telle qu’elle a été donnée',
        },
      ),
    );
  else if (file && !file.formulations.some((f) => f.routes.includes(d.route)))
    issues.push(
      issue(
        'warning',
        'DT_ROUTE_UNUSUAL',
        field('route'),
        bi((l) =>
          l === 'en'
            ? `Route ${route.en}: no ${file.drug} product of the library is given so (${[...new Set(file.formulations.flatMap((f) => f.routes))].join(', ')}): confirm it to record it`
            : `Voie ${route.fr} : aucun produit de la bibliothèque pour ce médicament n’est donné ainsi : la confirmer pour l’enregistrer`,
        ),
      ),
    );
  // The infusion duration.
  if (d.route === 'infusion' && d.duration) {
    const h = tryConvert(d.duration.value, d.duration.unit, 'h');
    const products = file?.formulations.filter((f) => f.routes.includes('infusion') && f.infusion) ?? [];
    const durations = products.map((f) => ({
      lo: tryConvert(f.infusion!.duration.lo, f.infusion!.duration.unit, 'h') ?? 0,
      hi: tryConvert(f.infusion!.duration.hi, f.infusion!.duration.unit, 'h') ?? Infinity,
    }));
    const soft = durations.length
      ? { lo: Math.min(...durations.map((x) => x.lo)), hi: Math.max(...durations.map((x) => x.hi)) }
      : { lo: 0, hi: 168 };
    // A label's maximum rate lengthens the usual infusion of a large dose (vancomycin 1250 mg at
    // 10 mg/min: 125 min at least): up to an hour beyond that least duration is usual too.
    const labelRate = products.find((f) => f.infusion!.maxRate)?.infusion!.maxRate ?? null;
    if (labelRate && Number.isFinite(mg)) {
      const [massUnit, timeUnit] = labelRate.unit.split('/');
      const leastH =
        (tryConvert(mg, b.dose.unit, massUnit) ?? NaN) /
        labelRate.value /
        (tryConvert(1, 'h', timeUnit) ?? NaN);
      if (Number.isFinite(leastH)) soft.hi = Math.max(soft.hi, leastH + 1);
    }
    if (h !== null) {
      const r: PlausibleRange = {
        unit: 'h',
        hard: { lo: 1 / 60, hi: 168 },
        soft: { lo: Math.max(soft.lo, 1 / 60), hi: Math.min(soft.hi, 168) },
        why: products.length ? `the product’s label: ${products[0].infusion!.note}` : 'at most a week',
      };
      const di = rangeIssue(
        {
          field: field('duration'),
          label: LABEL.duration,
          hard: 'DT_REGIMEN_IMPLAUSIBLE',
          soft: 'DT_REGIMEN_UNUSUAL',
        },
        h,
        d.duration.value,
        d.duration.unit,
        r,
        ['h', 'min'],
      );
      if (di) issues.push(di);
      // The label's maximum rate (vancomycin: 10 mg/min).
      const maxRate = products.find((f) => f.infusion!.maxRate)?.infusion!.maxRate ?? null;
      if (rate === 'check' && !di && !a && maxRate && Number.isFinite(mg) && h > 0) {
        const [massUnit, timeUnit] = maxRate.unit.split('/');
        const rate = (tryConvert(mg, b.dose.unit, massUnit) ?? NaN) / (tryConvert(h, 'h', timeUnit) ?? NaN);
        if (rate > maxRate.value * (1 + 1e-9))
          issues.push(
            issue(
              'warning',
              'DT_REGIMEN_UNUSUAL',
              field('duration'),
              bi((l) =>
                l === 'en'
                  ? `Infusion rate ${q(rate, maxRate.unit, l)} (${q(d.amount, d.unit, l)} over ${q(d.duration!.value, d.duration!.unit, l)}) is above the label’s ${q(maxRate.value, maxRate.unit, l)}: confirm it to record it`
                  : `Débit de perfusion ${q(rate, maxRate.unit, l)} (${q(d.amount, d.unit, l)} en ${q(d.duration!.value, d.duration!.unit, l)}) au-dessus des ${q(maxRate.value, maxRate.unit, l)} du résumé des caractéristiques : le confirmer pour l’enregistrer`,
              ),
              {
                en: `at most ${q(maxRate.value, maxRate.unit, 'en')}, i.e. ${q(mg / (maxRate.value * (tryConvert(1, 'h', timeUnit) ?? 60)), 'h', 'en')} for this dose`,
                fr: `au plus ${q(maxRate.value, maxRate.unit, 'fr')}, soit ${q(mg / (maxRate.value * (tryConvert(1, 'h', timeUnit) ?? 60)), 'h', 'fr')} pour cette dose`,
              },
            ),
          );
      }
    }
  }
  return { issues, conversions };
}

/** One administration at a time (epoch ms) in the dose unit of the drug's bounds. */
export interface TimedDose {
  ms: number;
  amount: number;
  unit: string;
}

const DAY_MS = 24 * 3_600_000;

/**
 * The most given in any 24 h that contains `at` (epoch ms), every window starting at a dose, or
 * in any 24 h at all (`at` null); NaN when an amount does not convert.
 */
export function maxDailyDose(doses: readonly TimedDose[], unit: string, at: number | null = null): number {
  const mg = doses.map((d) => ({ ms: d.ms, x: tryConvert(d.amount, d.unit, unit) ?? NaN }));
  let best = 0;
  for (const s of mg) {
    if (at !== null && !(s.ms <= at && at < s.ms + DAY_MS)) continue;
    const sum = mg.filter((d) => d.ms >= s.ms && d.ms < s.ms + DAY_MS).reduce((t, d) => t + d.x, 0);
    if (Number.isNaN(sum)) return NaN;
    best = Math.max(best, sum);
  }
  return best;
}

/** The most given in 24 h against the drug's daily bounds (a soft or hard issue on `field`). */
export function checkDailyDose(ctx: EntryContext, total: number, field: string): Issue | null {
  const b = drugBounds(ctx.drug);
  return rangeIssue(
    { field, label: LABEL.daily, hard: 'DT_DOSE_IMPLAUSIBLE', soft: 'DT_DOSE_UNUSUAL' },
    total,
    total,
    b.dailyDose.unit,
    b.dailyDose,
  );
}

// ---------------------------------------------------------------- levels

/** A measured level as entered. */
export interface LevelEntry {
  value: number;
  unit: string;
  lloq: number | null;
}

/**
 * A level against the drug's bounds, in the drug's level unit: above the hard bound refused;
 * above the soft bound, or below it while above its LLOQ, asked (a level in ng/mL read as mg/L is
 * a thousand times too small). The conversion to the drug's unit is echoed.
 */
export function checkLevel(ctx: EntryContext, s: LevelEntry, field: string): EntryCheck {
  const b = drugBounds(ctx.drug).level;
  const x = tryConvert(s.value, s.unit, b.unit);
  if (x === null) return { issues: [], conversions: [] };
  const conversions = s.unit !== b.unit && Number.isFinite(x) ? [conversion(s.value, s.unit, x, b.unit)] : [];
  // A level below its own LLOQ is a censored value, not a small one.
  const censored = s.lloq !== null && s.value <= s.lloq;
  const range = censored ? { ...b, soft: { lo: b.hard.lo, hi: b.soft.hi } } : b;
  const i = rangeIssue(
    { field, label: LABEL.level, hard: 'DT_SAMPLE_IMPLAUSIBLE', soft: 'DT_SAMPLE_UNUSUAL' },
    x,
    s.value,
    s.unit,
    range,
    CONC_UNITS,
  );
  return { issues: i ? [i] : [], conversions };
}

// ---------------------------------------------------------------- covariates

/** A recorded covariate value (as the clinical record holds it). */
export interface CovariateValue {
  at: string;
  name: string;
  value: number;
  unit: string;
}

/**
 * A covariate: the register's hard limits and codes (refused), its usual range (asked, with the
 * unit it was probably meant in), its conversion to the register's unit echoed; with the
 * patient's other recorded values, a weight and height whose body-mass index is below 8 or above
 * 80 kg/m2 is asked too.
 */
export function checkCovariateValue(
  name: string,
  value: number,
  unit: string,
  field: string,
  others: readonly CovariateValue[] = [],
): EntryCheck {
  const e = covariateEntry(name);
  const hard = plausibilityIssue(name, value, unit);
  if (hard) return { issues: [{ ...hard, field }], conversions: [] };
  if (!e || e.codes || !e.units.includes(unit)) return { issues: [], conversions: [] };
  const x = convertCovariate(value, unit, e.unit, e.quantity);
  if (x === null) return { issues: [], conversions: [] };
  const conversions = unit !== e.unit ? [conversion(value, unit, x, e.unit)] : [];
  const issues: Issue[] = [];
  const label = { en: `${e.label.en} (${name})`, fr: `${e.label.fr} (${name})` };
  if (e.usual && e.limits) {
    const r: PlausibleRange = { unit: e.unit, hard: e.limits, soft: e.usual, why: e.usual.why };
    const i = rangeIssue(
      { field, label, hard: 'DT_COVARIATE_IMPLAUSIBLE', soft: 'DT_COVARIATE_UNUSUAL' },
      x,
      value,
      unit,
      r,
      e.units,
      (v, from) => convertCovariate(v, from, e.unit, e.quantity),
    );
    if (i) issues.push(i);
  }
  // Weight against height: a body-mass index no one has.
  if ((name === 'WT' || name === 'HT') && !issues.length) {
    const other = latest(others, name === 'WT' ? 'HT' : 'WT');
    const wt = name === 'WT' ? x : other;
    const htCm = name === 'HT' ? x : other;
    if (wt !== null && htCm !== null && htCm > 0) {
      const bmi = wt / (htCm / 100) ** 2;
      if (bmi < 8 || bmi > 80)
        issues.push(
          issue(
            'warning',
            'DT_COVARIATE_UNUSUAL',
            field,
            bi((l) =>
              l === 'en'
                ? `${label.en} ${q(value, unit, l)}: with a ${name === 'WT' ? `height of ${q(htCm, 'cm', l)}` : `weight of ${q(wt, 'kg', l)}`} the body-mass index is ${formatNumber(Number(bmi.toPrecision(3)), l)} kg/m2: confirm it to record it`
                : `${label.fr} ${q(value, unit, l)} : avec ${name === 'WT' ? `une taille de ${q(htCm, 'cm', l)}` : `un poids de ${q(wt, 'kg', l)}`}, l’indice de masse corporelle est ${formatNumber(Number(bmi.toPrecision(3)), l)} kg/m2 : la confirmer pour l’enregistrer`,
            ),
            {
              en: 'is the weight in kg and the height in cm?',
              fr: 'le poids est-il en kg et la taille en cm ?',
            },
          ),
        );
    }
  }
  // A child's weight or height recorded for an adult: a digit lost (7 kg for 70 kg) or another
  // unit; adults below 30 kg or 120 cm exist (anorexia, dwarfism), so it is asked, not refused.
  if ((name === 'WT' || name === 'HT') && !issues.length) {
    const age = latest(others, 'AGE');
    const floor = ADULT_FLOOR[name];
    if (age !== null && age >= 18 && x < floor.value)
      issues.push(
        issue(
          'warning',
          'DT_COVARIATE_UNUSUAL',
          field,
          bi((l) =>
            l === 'en'
              ? `${label.en} ${q(value, unit, l)}: unusual for an adult (age ${q(age, 'y', l)}; usually ≥ ${q(floor.value, e.unit, l)}); confirm it to record it`
              : `${label.fr} ${q(value, unit, l)} : valeur inhabituelle pour un adulte (âge ${formatNumber(age, l)} ans ; habituellement ≥ ${q(floor.value, e.unit, l)}) ; la confirmer pour l’enregistrer`,
          ),
          floor.hint,
        ),
      );
  }
  return { issues, conversions };
}

/** The least weight and height usual for an adult (18 years or more), and what to check below them. */
const ADULT_FLOOR: Record<'WT' | 'HT', { value: number; hint: Bilingual }> = {
  WT: {
    value: 30,
    hint: {
      en: 'was a digit lost (7 kg for 70 kg)? check the weight and its unit',
      fr: 'un chiffre manque-t-il (7 kg pour 70 kg) ? vérifier le poids et son unité',
    },
  },
  HT: {
    value: 120,
    hint: {
      en: 'was it in m or inches? check the height and its unit',
      fr: 'était-ce en m ou en pouces ? vérifier la taille et son unité',
    },
  },
};

/** The latest recorded value of a covariate in the register's unit, or null. */
function latest(values: readonly CovariateValue[], name: string, atMs = Infinity): number | null {
  const e = covariateEntry(name);
  const found = values
    .filter((c) => c.name === name && Date.parse(c.at) <= atMs)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  if (!found || !e) return null;
  return convertCovariate(found.value, found.unit, e.unit, e.quantity);
}

/**
 * The body weight (kg) in force at a time: the latest recorded at or before it, else the first
 * one after it (carried back, as the analyses do); null without any.
 */
export function weightAt(values: readonly CovariateValue[], at: string): number | null {
  const ms = Date.parse(at);
  const before = latest(values, 'WT', ms);
  if (before !== null) return before;
  const after = values.filter((c) => c.name === 'WT').sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  return after ? latest([after], 'WT') : null;
}

// ---------------------------------------------------------------- regimens

/**
 * A regimen (a decision's retained regimen): its doses (maintenance and loading, as
 * {@link checkDose}), its interval (the drug's bounds), an infusion no longer than its interval
 * (refused: it would overlap the next one), and its most in 24 h.
 */
export function checkRegimen(ctx: EntryContext, r: Regimen, prefix = 'regimen'): EntryCheck {
  const b = drugBounds(ctx.drug);
  const out = checkDose(
    ctx,
    { amount: r.dose.value, unit: r.dose.unit, route: r.route, duration: r.duration },
    (k) => (k === 'amount' ? `${prefix}.dose.value` : `${prefix}.${k}`),
    LABEL.dose,
    'check',
  );
  const issues = [...out.issues];
  const conversions = [...out.conversions];
  if (r.loading) {
    const l = checkDose(
      ctx,
      {
        amount: r.loading.dose.value,
        unit: r.loading.dose.unit,
        route: r.route,
        duration: r.loading.duration,
      },
      (k) =>
        k === 'amount'
          ? `${prefix}.loading.dose.value`
          : k === 'duration'
            ? `${prefix}.loading.duration`
            : `${prefix}.route`,
      LABEL.loading,
      'check',
    );
    issues.push(...l.issues.filter((i) => i.code !== 'DT_ROUTE' && i.code !== 'DT_ROUTE_UNUSUAL'));
    conversions.push(...l.conversions);
  }
  const tauH = tryConvert(r.interval.value, r.interval.unit, 'h');
  if (tauH !== null) {
    if (r.interval.unit !== 'h' && Number.isFinite(tauH))
      conversions.push(conversion(r.interval.value, r.interval.unit, tauH, 'h'));
    const ii = rangeIssue(
      {
        field: `${prefix}.interval.value`,
        label: LABEL.interval,
        hard: 'DT_REGIMEN_IMPLAUSIBLE',
        soft: 'DT_REGIMEN_UNUSUAL',
      },
      tauH,
      r.interval.value,
      r.interval.unit,
      b.interval,
      ['h', 'min', 'd'],
    );
    if (ii) issues.push(ii);
    const durH = r.duration ? tryConvert(r.duration.value, r.duration.unit, 'h') : null;
    if (durH !== null && Number.isFinite(tauH) && durH > tauH * (1 + 1e-9))
      issues.push(
        issue(
          'error',
          'DT_REGIMEN_IMPLAUSIBLE',
          `${prefix}.duration.value`,
          bi((l) =>
            l === 'en'
              ? `Infusion duration ${q(r.duration!.value, r.duration!.unit, l)} is longer than the dosing interval ${q(r.interval.value, r.interval.unit, l)}: each infusion would overlap the next`
              : `Durée de perfusion ${q(r.duration!.value, r.duration!.unit, l)} plus longue que l’intervalle entre les doses ${q(r.interval.value, r.interval.unit, l)} : chaque perfusion chevaucherait la suivante`,
          ),
          {
            en: 'a continuous infusion lasts exactly its interval (e.g. 24 h every 24 h)',
            fr: 'une perfusion continue dure exactement son intervalle (par ex. 24 h toutes les 24 h)',
          },
        ),
      );
    const mg = tryConvert(r.dose.value, r.dose.unit, b.dailyDose.unit);
    if (
      !ii &&
      mg !== null &&
      !out.issues.some((i) => i.severity === 'error' && i.code === 'DT_DOSE_IMPLAUSIBLE')
    ) {
      const daily = mg * Math.max(1, Math.ceil(24 / tauH - 1e-9));
      const di = checkDailyDose(ctx, daily, `${prefix}.dose.value`);
      if (di) issues.push(di);
    }
  }
  return { issues, conversions };
}

/** How far ahead a retained regimen's first dose is usual (days): later, a date mistyped. */
const LATE_START_DAYS = 7;

/**
 * A retained regimen's first new dose: before the last dose recorded, refused (it would overlap
 * the doses given: a date mistyped); more than a week ahead, asked.
 */
export function checkRegimenStart(
  start: string | null,
  lastDoseAt: string | null,
  nowMs: number,
  field = 'regimen.start',
): Issue[] {
  const ms = start === null ? NaN : Date.parse(start);
  if (!Number.isFinite(ms)) return [];
  if (lastDoseAt !== null && ms < Date.parse(lastDoseAt))
    return [
      issue(
        'error',
        'DT_REGIMEN_IMPLAUSIBLE',
        field,
        bi((l) =>
          l === 'en'
            ? `First new dose at ${start}: before the last recorded dose (${lastDoseAt})`
            : `Première nouvelle dose le ${start} : avant la dernière dose enregistrée (${lastDoseAt})`,
        ),
        {
          en: 'a new regimen starts after the doses given; check the date',
          fr: 'un nouveau schéma commence après les doses données ; vérifier la date',
        },
      ),
    ];
  const days = (ms - nowMs) / 86_400_000;
  if (days > LATE_START_DAYS)
    return [
      issue(
        'warning',
        'DT_REGIMEN_UNUSUAL',
        field,
        bi((l) =>
          l === 'en'
            ? `First new dose at ${start}: in ${formatNumber(Math.floor(days), l)} days; confirm it to record it`
            : `Première nouvelle dose le ${start} : dans ${formatNumber(Math.floor(days), l)} jours ; la confirmer pour l’enregistrer`,
        ),
        { en: 'was the date typed right?', fr: 'la date a-t-elle été bien saisie ?' },
      ),
    ];
  return [];
}

// ---------------------------------------------------------------- whole records

/**
 * A clinical record for a drug (the analyses' check): every administration, level and covariate,
 * and the most given in any 24 h. Fields name the record's lists (`administrations[2].amount`).
 */
export function checkClinicalRecord(
  drug: string | null,
  record: ClinicalRecord,
  routes?: readonly Route[],
): Issue[] {
  const issues: Issue[] = [];
  record.administrations.forEach((a, k) => {
    const ctx: EntryContext = {
      drug,
      weightKg: weightAt(record.covariates, a.at),
      ...(routes ? { routes } : {}),
    };
    issues.push(
      ...checkDose(ctx, a, (f) => `administrations[${k}].${f === 'duration' ? 'duration.value' : f}`).issues,
    );
  });
  const b = drugBounds(drug);
  const daily = maxDailyDose(
    record.administrations.map((a) => ({ ms: Date.parse(a.at), amount: a.amount, unit: a.unit })),
    b.dailyDose.unit,
  );
  if (Number.isFinite(daily)) {
    const d = checkDailyDose({ drug, weightKg: null }, daily, 'administrations');
    if (d) issues.push(d);
  }
  record.samples.forEach((s, k) =>
    issues.push(...checkLevel({ drug, weightKg: null }, s, `samples[${k}].value`).issues),
  );
  record.covariates.forEach((c, k) =>
    issues.push(
      ...checkCovariateValue(
        c.name,
        c.value,
        c.unit,
        `covariates[${k}].value`,
        record.covariates.filter((o) => o !== c),
      ).issues,
    ),
  );
  return issues;
}

/**
 * A drug-level dataset (the CLI's NONMEM-style data, in its stated units) for a drug: each dose
 * (AMT; with RATE, its duration) and level (DV) against the drug's bounds, as warnings: a dataset
 * is fitted as given, but a dose of 5 µg of tacrolimus (doses in mg read in the model's µg) is said.
 */
export function checkDrugData(drug: string, p: DrugPatient): Issue[] {
  const out: Issue[] = [];
  const where = (i: number): string => p.records[i].source ?? `data[line ${p.records[i].line ?? i + 1}]`;
  const wt = (i: number): number | null => {
    const v = p.records[i].covariates?.WT ?? p.covariates?.WT;
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object') return convertCovariate(v.value, v.unit, 'kg', 'other');
    return null;
  };
  p.records.forEach((r, i) => {
    const evid = r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0);
    if ((evid === 1 || evid === 4) && r.amt !== undefined && r.amt > 0) {
      const hours = r.rate && r.rate > 0 ? r.amt / r.rate : null;
      const route: Route = r.route ?? (hours ? 'infusion' : 'bolus');
      const d = checkDose(
        { drug, weightKg: wt(i), routes: ['oral', 'bolus', 'infusion'] },
        {
          amount: r.amt,
          unit: p.units.dose,
          route,
          duration: hours === null ? null : { value: hours * convert(1, p.units.time, 'h'), unit: 'h' },
        },
        (k) => `${where(i)}.${k === 'amount' ? 'AMT' : k === 'duration' ? 'RATE' : 'CMT'}`,
      );
      out.push(...d.issues.filter((x) => x.code !== 'DT_ROUTE_UNUSUAL'));
    }
    if (evid === 0 && r.dv !== undefined && r.dv !== null && (r.mdv ?? 0) === 0 && r.cens !== 1)
      out.push(
        ...checkLevel(
          { drug, weightKg: null },
          { value: r.dv, unit: p.units.conc, lloq: r.lloq ?? null },
          `${where(i)}.DV`,
        ).issues,
      );
  });
  // A dataset is data already recorded: what would be refused at entry is said, not refused.
  return out.map((x) => ({ ...x, severity: 'warning' }));
}

/**
 * A NONMEM-style dataset read in a model's units (the CLI without units in the header), checked
 * as {@link checkDrugData} for the model's drug: doses and levels against the drug's bounds, as
 * warnings naming the data line (`data[line 3].AMT`).
 */
export function checkModelData(
  ir: Pick<ModelIR, 'drug' | 'units' | 'compartments' | 'covariates'>,
  p: PatientData,
): Issue[] {
  if (!ir.drug || !drugFile(ir.drug)) return [];
  const depot = ir.compartments.indexOf('depot') + 1;
  const wtIndex = ir.covariates.findIndex((c) => c.name === 'WT' && c.unit === 'kg');
  const records: DrugRecord[] = [];
  for (let i = 0; i < p.n; i++)
    records.push({
      time: p.time[i],
      evid: p.evid[i],
      amt: p.amt[i],
      rate: p.rate[i],
      mdv: p.mdv[i],
      dv: Number.isFinite(p.dv[i]) ? p.dv[i] : null,
      cens: p.cens?.[i] ?? 0,
      line: p.line[i],
      ...(depot > 0 && p.cmt[i] === depot ? { route: 'oral' as const } : {}),
      ...(wtIndex >= 0 ? { covariates: { WT: p.cov[i * p.nCov + wtIndex] } } : {}),
    });
  return checkDrugData(ir.drug, { id: p.id, units: ir.units, records });
}

// ---------------------------------------------------------------- entry times

/** How far back an entry is usual: older, the year was probably mistyped (2025 for 2026). */
const OLD_ENTRY_DAYS = 365;
/** Two doses of the same amount this close (minutes) are likely one entered twice. */
const REPEATED_DOSE_MIN = 90;

/** What an entry's time is checked against: the patient's birth date, now, the doses recorded. */
export interface EntryTimeContext {
  /** `YYYY-MM-DD`, or null when not known. */
  birthDate: string | null;
  nowMs: number;
  /** The doses in force (for a dose entry: one of the same amount close by looks entered twice). */
  doses: readonly { at: string; amount: number; unit: string }[];
}

const DATE_WORDS = {
  dose: { en: 'Dose', fr: 'Dose' },
  level: { en: 'Level', fr: 'Concentration' },
  covariate: { en: 'Value', fr: 'Valeur' },
} satisfies Record<string, Bilingual>;

/**
 * An entry's time against the patient: before the birth date, refused (a year or a birth date
 * mistyped); more than a year ago, asked (2025 typed for 2026); a dose of the same amount within
 * 90 min of a recorded one, asked (the same dose entered twice, once at the planned and once at
 * the real time). `field` names the time ('at'), `amountField` the dose's amount.
 */
export function checkEntryTime(
  kind: 'dose' | 'level' | 'covariate',
  entry: { at: string; amount?: number; unit?: string },
  ctx: EntryTimeContext,
  field = 'at',
): Issue[] {
  const out: Issue[] = [];
  const ms = Date.parse(entry.at);
  if (!Number.isFinite(ms)) return out;
  const what = DATE_WORDS[kind];
  const day = entry.at.slice(0, 10);
  if (ctx.birthDate && day < ctx.birthDate)
    out.push(
      issue(
        'error',
        'DT_ENTRY_BEFORE_BIRTH',
        field,
        bi((l) =>
          l === 'en'
            ? `${what.en} dated ${day}: before the patient's birth (${ctx.birthDate})`
            : `${what.fr} datée du ${day} : antérieure à la naissance du patient (${ctx.birthDate})`,
        ),
        {
          en: 'check the year of the date, and the birth date in the identity',
          fr: 'vérifier l’année de la date, et la date de naissance de l’identité',
        },
      ),
    );
  else if (ms < ctx.nowMs - OLD_ENTRY_DAYS * 86_400_000) {
    const days = Math.floor((ctx.nowMs - ms) / 86_400_000);
    out.push(
      issue(
        'warning',
        'DT_ENTRY_OLD',
        field,
        bi((l) =>
          l === 'en'
            ? `${what.en} dated ${day}: ${formatNumber(days, l)} days ago, more than a year; confirm it to record it`
            : `${what.fr} datée du ${day} : il y a ${formatNumber(days, l)} jours, plus d’un an ; la confirmer pour l’enregistrer`,
        ),
        { en: 'was the year typed right?', fr: 'l’année a-t-elle été bien saisie ?' },
      ),
    );
  }
  if (kind === 'dose' && entry.amount !== undefined && entry.unit !== undefined) {
    const mg = tryConvert(entry.amount, entry.unit, 'mg');
    const twin = ctx.doses.find((d) => {
      const gap = Math.abs(Date.parse(d.at) - ms);
      const dmg = tryConvert(d.amount, d.unit, 'mg');
      return (
        gap > 0 &&
        gap <= REPEATED_DOSE_MIN * 60_000 &&
        mg !== null &&
        dmg !== null &&
        Math.abs(dmg - mg) <= 1e-9 * mg
      );
    });
    if (twin) {
      const minutes = Math.round(Math.abs(Date.parse(twin.at) - ms) / 60_000);
      out.push(
        issue(
          'warning',
          'DT_DOSE_REPEATED',
          field,
          bi((l) =>
            l === 'en'
              ? `Dose ${q(entry.amount!, entry.unit!, l)} ${minutes} min from the same dose recorded at ${twin.at}: entered twice? confirm it to record it`
              : `Dose ${q(entry.amount!, entry.unit!, l)} à ${minutes} min de la même dose enregistrée le ${twin.at} : saisie deux fois ? la confirmer pour l’enregistrer`,
          ),
          {
            en: 'if it is the same dose, correct the recorded one instead (its time)',
            fr: 'si c’est la même dose, corriger plutôt celle qui est enregistrée (son heure)',
          },
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- dates

/**
 * Whether an ISO 8601 date-time's calendar date and clock time exist (not 30 February, not
 * 24:30): `Date.parse` rolls such dates over silently.
 */
export function isCalendarDateTime(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return true;
}
