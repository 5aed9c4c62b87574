// Entry mistakes, one table: unit slips, absurd values, wrong routes, impossible and future dates,
// duplicates, missing covariates, each sent through the HTTP API as a clinician would make it. Each
// row says what must happen: refused (a 4xx naming the field) or held until acknowledged
// (DT_ACK_REQUIRED naming the field and the warning's code); either way with a French message
// beside the English one, itself naming what was wrong (the dose, the level, the weight…). An
// acknowledged entry is stored with its acknowledgement; and at the end, a level entered in ng/mL
// as if in mg/L goes through the whole workflow: its acknowledgement at entry, the unit-slip
// warning of the fit blocking the signature until acknowledged, and the signed report listing
// what was acknowledged, in English and in French.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Issue } from '@dosetwin/engine';
import { backends, hoursAgo, REAUTH, testApp, type TestApp, userWithToken } from './test-support.ts';

interface ErrorBody {
  error: { status: number; issues: Issue[] };
}

/** The patient a row works on: a complete vancomycin record, or one without creatinine or doses. */
type Setup = 'complete' | 'noScr' | 'noDose';

/** What a row's URL and body may use. */
interface RowCtx {
  patient: string;
  /** A stored dose of the patient (corrections). */
  dose: string;
  /** The shared analysis (decisions). */
  analysis: string;
}

interface Row {
  mistake: string;
  method?: 'POST';
  url: (c: RowCtx) => string;
  body: (c: RowCtx) => Record<string, unknown>;
  /** Sent first (the original of a duplicate, the earlier doses of a day). */
  first?: (c: RowCtx) => Record<string, unknown> | Record<string, unknown>[];
  setup?: Setup;
  status: number;
  /** The code of the issue naming `field` (for an acknowledgement, the warning's code). */
  code: string;
  field: string;
  /** Held until acknowledged (422 DT_ACK_REQUIRED), then stored with the acknowledgement. */
  ack?: true;
  /** The French message (of the issue naming the field) names what is wrong in words. */
  fr: RegExp;
}

const FUTURE = (): string => new Date(Date.now() + 2 * 86_400_000).toISOString();
/** A time entered twice (a duplicate): the same string both times. */
const TWICE = hoursAgo(6);
const base = {
  dose: (over: Record<string, unknown> = {}) => ({
    at: hoursAgo(12),
    amount: 1000,
    unit: 'mg',
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
    product: 'vancomycine 1 g',
    ...over,
  }),
  level: (over: Record<string, unknown> = {}) => ({
    at: hoursAgo(2),
    value: 12,
    unit: 'mg/L',
    matrix: 'plasma',
    assay: 'immunoassay',
    ...over,
  }),
  cov: (name: string, value: number, unit: string, over: Record<string, unknown> = {}) => ({
    at: hoursAgo(3),
    name,
    value,
    unit,
    ...over,
  }),
  regimen: (over: Record<string, unknown> = {}) => ({
    dose: { value: 1250, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 2, unit: 'h' },
    start: null,
    loading: null,
    ...over,
  }),
};
const doses = (c: RowCtx) => `/api/patients/${c.patient}/administrations`;
const levels = (c: RowCtx) => `/api/patients/${c.patient}/samples`;
const covariates = (c: RowCtx) => `/api/patients/${c.patient}/covariates`;
const decide = (c: RowCtx) => `/api/analyses/${c.analysis}/validations`;
const modify = (over: Record<string, unknown>) => () => ({
  ...REAUTH,
  decision: 'modify',
  comment: 'ajusté',
  regimen: base.regimen(over),
});

const ROWS: Row[] = [
  // Doses: absurd amounts and unit slips (vancomycin, 70 kg).
  {
    mistake: 'dose 10 g (10 000 mg)',
    url: doses,
    body: () => base.dose({ amount: 10, unit: 'g' }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'amount',
    fr: /Dose 10 g \(10 000 mg\) : valeur invraisemblable/,
  },
  {
    mistake: 'dose 1 mg (1 g meant)',
    url: doses,
    body: () => base.dose({ amount: 1 }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'amount',
    fr: /Dose 1 mg pour 70 kg.*invraisemblable.*s’agissait-il de 1 g/,
  },
  {
    mistake: 'dose 1500 g',
    url: doses,
    body: () => base.dose({ amount: 1500, unit: 'g' }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'amount',
    fr: /Dose 1 500 g/,
  },
  {
    mistake: 'dose 1e308 mg',
    url: doses,
    body: () => base.dose({ amount: 1e308 }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'amount',
    fr: /Dose 1,00e\+308 mg/,
  },
  {
    mistake: 'dose 1000 µg (1000 mg meant)',
    url: doses,
    body: () => base.dose({ unit: 'ug' }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'amount',
    fr: /Dose 1 000 µg.*s’agissait-il de 1 000 mg/,
  },
  {
    mistake: 'dose 0 mg',
    url: doses,
    body: () => base.dose({ amount: 0 }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'amount',
    fr: /Quantité 0/,
  },
  {
    mistake: 'dose −500 mg',
    url: doses,
    body: () => base.dose({ amount: -500 }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'amount',
    fr: /Quantité −?-?500/,
  },
  {
    mistake: 'dose 4 g (57 mg/kg) at once',
    url: doses,
    body: () => base.dose({ amount: 4, unit: 'g' }),
    status: 422,
    code: 'DT_DOSE_UNUSUAL',
    field: 'amount',
    ack: true,
    fr: /Dose 4 g pour 70 kg.*inhabituelle/,
  },
  {
    mistake: 'dose 150 mg (2 mg/kg)',
    url: doses,
    body: () => base.dose({ amount: 150 }),
    status: 422,
    code: 'DT_DOSE_UNUSUAL',
    field: 'amount',
    ack: true,
    fr: /Dose 150 mg pour 70 kg.*inhabituelle/,
  },
  {
    mistake: 'a fourth dose within 24 h (8.2 g a day)',
    url: doses,
    first: () => [
      base.dose({ at: hoursAgo(20), amount: 2400 }),
      base.dose({ at: hoursAgo(16), amount: 2400 }),
    ],
    body: () => base.dose({ amount: 2400 }),
    status: 422,
    code: 'DT_DOSE_UNUSUAL',
    field: 'amount',
    ack: true,
    fr: /Dose sur 24 h 8 200 mg.*inhabituelle/,
  },
  {
    mistake: 'dose in mg/L',
    url: doses,
    body: () => base.dose({ unit: 'mg/L' }),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'unit',
    fr: /unité « mg\/L » n’est pas une masse/,
  },
  {
    mistake: 'dose in an unknown unit',
    url: doses,
    body: () => base.dose({ unit: 'cp' }),
    status: 422,
    code: 'DT_UNIT_UNKNOWN',
    field: 'unit',
    fr: /unité « cp »/,
  },
  {
    mistake: 'dose for a drug not in the library',
    url: doses,
    body: () => base.dose({ drug: 'vancomicyn' }),
    status: 422,
    code: 'DT_DRUG_UNKNOWN',
    field: 'drug',
    fr: /vancomicyn/,
  },
  // Routes and infusions.
  {
    mistake: 'oral vancomycin for an IV model',
    url: doses,
    body: () => base.dose({ route: 'oral', duration: undefined }),
    status: 422,
    code: 'DT_ROUTE',
    field: 'route',
    fr: /Voie orale/,
  },
  {
    mistake: 'vancomycin as an IV bolus',
    url: doses,
    body: () => base.dose({ route: 'bolus', duration: undefined }),
    status: 422,
    code: 'DT_ROUTE_UNUSUAL',
    field: 'route',
    ack: true,
    fr: /Voie bolus/,
  },
  {
    mistake: 'infusion without its duration',
    url: doses,
    body: () => base.dose({ duration: undefined }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'duration',
    fr: /perfusion.*durée/i,
  },
  {
    mistake: 'infusion over 0 h',
    url: doses,
    body: () => base.dose({ duration: { value: 0, unit: 'h' } }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'duration.value',
    fr: /Durée 0/,
  },
  {
    mistake: 'infusion duration in mg',
    url: doses,
    body: () => base.dose({ duration: { value: 1, unit: 'mg' } }),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'duration.unit',
    fr: /n’est pas une durée/,
  },
  {
    mistake: 'infusion over 60 h (minutes typed as hours)',
    url: doses,
    body: () => base.dose({ duration: { value: 60, unit: 'h' } }),
    status: 422,
    code: 'DT_REGIMEN_UNUSUAL',
    field: 'duration.value',
    ack: true,
    fr: /Durée de perfusion 60 h.*s’agissait-il de 60 min/,
  },
  // Dates.
  {
    mistake: 'dose in two days',
    url: doses,
    body: () => base.dose({ at: FUTURE() }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /est dans le futur/,
  },
  {
    mistake: 'dose on 30 February',
    url: doses,
    body: () => base.dose({ at: '2026-02-30T08:00:00+01:00' }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /n’est pas une date du calendrier/,
  },
  {
    mistake: 'dose at 25:10',
    url: doses,
    body: () => base.dose({ at: '2026-11-30T25:10:00+01:00' }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /« 2026-11-30T25:10:00\+01:00 » n’est pas une date-heure ISO 8601/,
  },
  {
    mistake: 'dose without a time zone',
    url: doses,
    body: () => base.dose({ at: '2026-11-30T08:00' }),
    status: 400,
    code: 'DT_REQUEST',
    field: 'body.at',
    fr: /body\.at : pas une date-heure ISO 8601 avec fuseau horaire/,
  },
  {
    mistake: 'dose in 1826',
    url: doses,
    body: () => base.dose({ at: '1826-12-01T08:00:00+01:00' }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /antérieur à 1900/,
  },
  {
    mistake: 'dose in 1956, before the birth (1966)',
    url: doses,
    body: () => base.dose({ at: '1956-12-01T08:00:00+01:00' }),
    status: 422,
    code: 'DT_ENTRY_BEFORE_BIRTH',
    field: 'at',
    fr: /Dose datée du 1956-12-01 : antérieure à la naissance du patient \(1966-03-04\)/,
  },
  {
    mistake: 'level dated last year (the year mistyped)',
    url: levels,
    body: () => base.level({ at: new Date(Date.now() - 400 * 86_400_000).toISOString() }),
    status: 422,
    code: 'DT_ENTRY_OLD',
    field: 'at',
    ack: true,
    fr: /Concentration datée du .* : il y a 400 jours, plus d’un an.*l’année a-t-elle été bien saisie/,
  },
  {
    mistake: 'creatinine dated before the birth',
    url: covariates,
    body: () => base.cov('SCR', 80, 'umol/L', { at: '1960-01-01T08:00:00+01:00' }),
    status: 422,
    code: 'DT_ENTRY_BEFORE_BIRTH',
    field: 'at',
    fr: /Valeur datée du 1960-01-01 : antérieure à la naissance/,
  },
  {
    mistake: 'the same 1 g dose entered again 30 min later (planned and real time)',
    url: doses,
    body: () => base.dose({ at: hoursAgo(23.5) }),
    status: 422,
    code: 'DT_DOSE_REPEATED',
    field: 'at',
    ack: true,
    fr: /Dose 1 000 mg à 30 min de la même dose enregistrée.*saisie deux fois/,
  },
  // Duplicates.
  {
    mistake: 'the same dose entered twice',
    url: doses,
    first: () => base.dose({ at: TWICE }),
    body: () => base.dose({ at: TWICE }),
    status: 409,
    code: 'DT_DUPLICATE',
    field: 'at',
    // The time as the ward reads it (local, with its offset), not the UTC text sent.
    fr: /une dose est déjà enregistrée le \d\d\/\d\d\/\d{4} \d\d:\d\d \(UTC[+-]\d\d:\d\d\)/,
  },
  {
    mistake: 'the same level entered twice',
    url: levels,
    first: () => base.level({ at: TWICE }),
    body: () => base.level({ at: TWICE }),
    status: 409,
    code: 'DT_DUPLICATE',
    field: 'at',
    fr: /déjà enregistré/,
  },
  {
    mistake: 'the same weight entered twice',
    url: covariates,
    first: () => base.cov('WT', 71, 'kg', { at: TWICE }),
    body: () => base.cov('WT', 71, 'kg', { at: TWICE }),
    status: 409,
    code: 'DT_DUPLICATE',
    field: 'at',
    fr: /déjà enregistré/,
  },
  // Levels.
  {
    mistake: 'level 15 ng/mL typed as mg/L: 0.015 mg/L',
    url: levels,
    body: () => base.level({ value: 15, unit: 'ng/mL' }),
    status: 422,
    code: 'DT_SAMPLE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Concentration 15 ng\/mL \(0,015 mg\/L\).*s’agissait-il de 15 (mg\/L|µg\/mL)/,
  },
  {
    mistake: 'level 15 µg/L (15 mg/L meant)',
    url: levels,
    body: () => base.level({ value: 15, unit: 'ug/L' }),
    status: 422,
    code: 'DT_SAMPLE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Concentration 15 µg\/L/,
  },
  {
    mistake: 'level 15 000 mg/L (µg/L meant)',
    url: levels,
    body: () => base.level({ value: 15000 }),
    status: 422,
    code: 'DT_SAMPLE_IMPLAUSIBLE',
    field: 'value',
    fr: /Concentration 15 000 mg\/L : valeur invraisemblable.*s’agissait-il de 15 000 µg\/L/,
  },
  {
    mistake: 'level 1717 mg/L',
    url: levels,
    body: () => base.level({ value: 1717 }),
    status: 422,
    code: 'DT_SAMPLE_IMPLAUSIBLE',
    field: 'value',
    fr: /Concentration 1 717 mg\/L/,
  },
  {
    mistake: 'level 150 mg/L',
    url: levels,
    body: () => base.level({ value: 150 }),
    status: 422,
    code: 'DT_SAMPLE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Concentration 150 mg\/L : valeur inhabituelle/,
  },
  {
    mistake: 'level −3 mg/L',
    url: levels,
    body: () => base.level({ value: -3 }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'value',
    fr: /Concentration −?-?3/,
  },
  {
    mistake: 'level in µmol/L',
    url: levels,
    body: () => base.level({ unit: 'umol/L' }),
    status: 422,
    code: 'DT_UNIT_MOLAR',
    field: 'unit',
    fr: /µmol\/L|umol\/L/,
  },
  {
    mistake: 'level in kg',
    url: levels,
    body: () => base.level({ unit: 'kg' }),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'unit',
    fr: /n’est pas une concentration/,
  },
  {
    mistake: 'level with a LLOQ of 0',
    url: levels,
    body: () => base.level({ lloq: 0 }),
    status: 422,
    code: 'DT_REQUEST_VALUE',
    field: 'lloq',
    fr: /LLOQ 0/,
  },
  {
    mistake: 'level taken tomorrow',
    url: levels,
    body: () => base.level({ at: FUTURE() }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /est dans le futur/,
  },
  {
    mistake: 'level on 31 April',
    url: levels,
    body: () => base.level({ at: '2026-04-31T08:00:00+02:00' }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /n’est pas une date du calendrier/,
  },
  // Covariates.
  {
    mistake: 'weight 950 kg',
    url: covariates,
    body: () => base.cov('WT', 950, 'kg'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /WT.*950 kg/,
  },
  {
    mistake: 'weight 70 000 kg (grams typed as kg)',
    url: covariates,
    body: () => base.cov('WT', 70000, 'kg'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /WT.*70 ?000 kg/,
  },
  {
    mistake: 'weight 320 kg',
    url: covariates,
    body: () => base.cov('WT', 320, 'kg'),
    status: 422,
    code: 'DT_COVARIATE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Poids.*320 kg : valeur inhabituelle/,
  },
  {
    mistake: 'weight 7 kg for a 60-year-old (a digit lost)',
    url: covariates,
    body: () => base.cov('WT', 7, 'kg'),
    status: 422,
    code: 'DT_COVARIATE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Poids \(WT\) 7 kg : valeur inhabituelle pour un adulte.*un chiffre manque/,
  },
  {
    mistake: 'height 90 cm for a 60-year-old',
    url: covariates,
    body: () => base.cov('HT', 90, 'cm'),
    status: 422,
    code: 'DT_COVARIATE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /Taille \(HT\) 90 cm : avec un poids de 70 kg, l’indice de masse corporelle est 86,4 kg\/m2/,
  },
  {
    mistake: 'weight in mL',
    url: covariates,
    body: () => base.cov('WT', 70, 'mL'),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'unit',
    fr: /WT ne peut pas être donnée en « mL »/,
  },
  {
    mistake: 'height 17.5 cm (1.75 m meant) with 70 kg',
    url: covariates,
    body: () => base.cov('HT', 17.5, 'cm'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /HT.*17,?5 cm/,
  },
  {
    mistake: 'SCR 0.9 µmol/L (mg/dL meant)',
    url: covariates,
    body: () => base.cov('SCR', 0.9, 'umol/L'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /SCR.*0,9 µmol\/L.*0,9 mg\/dL/,
  },
  {
    mistake: 'SCR 9 µmol/L (mg/dL meant)',
    url: covariates,
    body: () => base.cov('SCR', 9, 'umol/L'),
    status: 422,
    code: 'DT_COVARIATE_UNUSUAL',
    field: 'value',
    ack: true,
    fr: /SCR\).*9 µmol\/L.*s’agissait-il de 9 mg\/dL/,
  },
  {
    mistake: 'SCR 95 mg/dL (µmol/L meant)',
    url: covariates,
    body: () => base.cov('SCR', 95, 'mg/dL'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /SCR.*95 mg\/dL/,
  },
  {
    mistake: 'SCR in mmol/L',
    url: covariates,
    body: () => base.cov('SCR', 0.08, 'mmol/L'),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'unit',
    fr: /SCR ne peut pas être donnée en « mmol\/L »/,
  },
  {
    mistake: 'age 150 years',
    url: covariates,
    body: () => base.cov('AGE', 150, 'y'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /AGE.*150/,
  },
  {
    mistake: 'sex coded 2',
    url: covariates,
    body: () => base.cov('SEX', 2, '-'),
    status: 422,
    code: 'DT_COVARIATE_IMPLAUSIBLE',
    field: 'value',
    fr: /SEX.*2/,
  },
  {
    mistake: 'a covariate not in the register',
    url: covariates,
    body: () => base.cov('WEIGHT', 70, 'kg'),
    status: 422,
    code: 'DT_COVARIATE_UNKNOWN',
    field: 'name',
    fr: /WEIGHT n’est pas une covariable/,
  },
  {
    mistake: 'weight measured next week',
    url: covariates,
    body: () => base.cov('WT', 70, 'kg', { at: FUTURE() }),
    status: 422,
    code: 'DT_REQUEST_TIME',
    field: 'at',
    fr: /est dans le futur/,
  },
  // Requests with missing data.
  {
    mistake: 'request without creatinine',
    setup: 'noScr',
    url: () => '/api/requests',
    body: (c) => ({ patientId: c.patient, modelId: 'vancomycin/goti2018', question: 'posologie ?' }),
    status: 422,
    code: 'DT_COVARIATE_MISSING',
    field: 'covariates.SCR',
    fr: /SCR est nécessaire à vancomycin\/goti2018/,
  },
  {
    mistake: 'request without any dose',
    setup: 'noDose',
    url: () => '/api/requests',
    body: (c) => ({ patientId: c.patient, modelId: 'vancomycin/goti2018', question: 'posologie ?' }),
    status: 422,
    code: 'DT_ANALYSIS_NO_DOSE',
    field: 'administrations',
    fr: /aucune dose/,
  },
  // Corrections are checked as entries are.
  {
    mistake: 'a dose amended to 10 g',
    url: (c) => `/api/patients/${c.patient}/administrations/${c.dose}/corrections`,
    body: () => ({
      action: 'amend',
      reason: 'saisie',
      value: base.dose({ at: hoursAgo(24), amount: 10, unit: 'g' }),
    }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'value.amount',
    fr: /Dose 10 g/,
  },
  // Decisions: a modified regimen is checked before it is signed.
  {
    mistake: "'modify' to 1500 g every 12 h",
    url: decide,
    body: modify({ dose: { value: 1500, unit: 'g' } }),
    status: 422,
    code: 'DT_DOSE_IMPLAUSIBLE',
    field: 'regimen.dose.value',
    fr: /Dose 1 500 g/,
  },
  {
    mistake: "'modify' to 1e308 mg every 1e-300 h",
    url: decide,
    body: modify({
      dose: { value: 1e308, unit: 'mg' },
      interval: { value: 1e-300, unit: 'h' },
      duration: { value: 1e-301, unit: 'h' },
    }),
    status: 422,
    code: 'DT_REGIMEN_IMPLAUSIBLE',
    field: 'regimen.interval.value',
    fr: /Intervalle entre les doses 1,00e-300 h/,
  },
  {
    mistake: "'modify' to an oral regimen for an IV-only model",
    url: decide,
    body: modify({ route: 'oral', duration: null }),
    status: 422,
    code: 'DT_ROUTE',
    field: 'regimen.route',
    fr: /Voie orale/,
  },
  {
    mistake: "'modify' to an infusion longer than its interval",
    url: decide,
    body: modify({ duration: { value: 13, unit: 'h' } }),
    status: 422,
    code: 'DT_REGIMEN_IMPLAUSIBLE',
    field: 'regimen.duration.value',
    fr: /plus longue que l’intervalle/,
  },
  {
    mistake: "'modify' to 2 g over 30 min (66.7 mg/min)",
    url: decide,
    body: modify({ dose: { value: 2000, unit: 'mg' }, duration: { value: 30, unit: 'min' } }),
    status: 422,
    code: 'DT_REGIMEN_UNUSUAL',
    field: 'regimen.duration',
    ack: true,
    fr: /Durée de perfusion 30 min \(0,5 h\) : valeur inhabituelle/,
  },
  {
    mistake: "'modify' to every 2 h",
    url: decide,
    body: modify({ interval: { value: 2, unit: 'h' }, duration: { value: 1, unit: 'h' } }),
    status: 422,
    code: 'DT_REGIMEN_UNUSUAL',
    field: 'regimen.interval.value',
    ack: true,
    fr: /Intervalle entre les doses 2 h/,
  },
  {
    mistake: "'modify' starting in 2025, before the doses given (the year mistyped)",
    url: decide,
    body: modify({ start: '2025-12-06T20:00:00+01:00' }),
    status: 422,
    code: 'DT_REGIMEN_IMPLAUSIBLE',
    field: 'regimen.start',
    fr: /Première nouvelle dose le 2025-12-06T20:00:00\+01:00 : avant la dernière dose enregistrée/,
  },
  {
    mistake: "'modify' starting in 2027 (the year mistyped)",
    url: decide,
    body: modify({ start: new Date(Date.now() + 365 * 86_400_000).toISOString() }),
    status: 422,
    code: 'DT_REGIMEN_UNUSUAL',
    field: 'regimen.start',
    ack: true,
    fr: /Première nouvelle dose le .* : dans 36[45] jours.*la date a-t-elle été bien saisie/,
  },
  {
    mistake: 'infusion of 1 g over 1 min (1 h meant)',
    url: doses,
    body: () => base.dose({ duration: { value: 1, unit: 'min' } }),
    status: 422,
    code: 'DT_REGIMEN_UNUSUAL',
    field: 'duration.value',
    ack: true,
    fr: /Durée de perfusion 1 min/,
  },
  {
    mistake: "'modify' with the dose in litres",
    url: decide,
    body: modify({ dose: { value: 1, unit: 'L' } }),
    status: 422,
    code: 'DT_UNIT_INCOMPATIBLE',
    field: 'regimen.dose.unit',
    fr: /n’est pas une masse/,
  },
];

for (const { name: backend, skip } of backends()) {
  describe(`entry mistakes through the API (${backend})`, { skip }, () => {
    let t: TestApp;
    let presc: string;
    let pharm: string;
    let analysis: string;
    let n = 0;
    before(async () => {
      t = await testApp(backend);
      presc = (await userWithToken(t.app, 'prescriber', 'icu')).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
    });
    after(async () => t?.close());

    const send = async (auth: string, method: 'POST' | 'GET', url: string, payload?: object, lang = 'en') => {
      const r = await t.app.inject({
        method,
        url,
        headers: { authorization: auth, 'accept-language': lang },
        ...(payload === undefined ? {} : { payload }),
      });
      return { status: r.statusCode, json: () => r.json(), body: r.body };
    };
    const ok = async (auth: string, url: string, payload: object) => {
      const r = await send(auth, 'POST', url, payload);
      assert.ok(r.status < 300, `${url}: ${r.status} ${r.body}`);
      return r.json() as { id: string };
    };
    /** A fresh patient (70 kg, no height, 60 y, creatinine 80 µmol/L, a 1 g dose 24 h ago) and, when complete, a vancomycin request. */
    const patient = async (setup: Setup): Promise<{ patient: string; dose: string; request: string }> => {
      n += 1;
      const patient = (
        await ok(presc, '/api/patients', {
          identity: {
            familyName: 'Erreur',
            givenName: `Cas ${n}`,
            birthDate: '1966-03-04',
            hospitalNumber: `MIS-${n}`,
          },
          sex: 'male',
        })
      ).id;
      for (const [name, value, unit] of [
        ['WT', 70, 'kg'],
        ['AGE', 60, 'y'],
        ['SEX', 0, '-'],
        ['DIAL', 0, '-'],
        ...(setup === 'noScr' ? [] : [['SCR', 80, 'umol/L'] as const]),
      ] as const)
        await ok(presc, `/api/patients/${patient}/covariates`, { at: hoursAgo(30), name, value, unit });
      const dose =
        setup === 'noDose'
          ? ''
          : (await ok(presc, `/api/patients/${patient}/administrations`, base.dose({ at: hoursAgo(24) }))).id;
      const request =
        setup === 'complete'
          ? (
              await ok(presc, '/api/requests', {
                patientId: patient,
                modelId: 'vancomycin/goti2018',
                question: 'q',
              })
            ).id
          : '';
      return { patient, dose, request };
    };

    before(async () => {
      const p = await patient('complete');
      analysis = (await ok(pharm, `/api/requests/${p.request}/analyses`, {})).id;
    });

    test(`the table holds ${ROWS.length} mistakes (at least 45), of every kind`, () => {
      assert.ok(ROWS.length >= 45, String(ROWS.length));
      assert.ok(ROWS.filter((r) => r.ack).length >= 10);
      assert.ok(ROWS.filter((r) => !r.ack).length >= 35);
    });

    for (const row of ROWS)
      test(`${row.mistake} → ${row.ack ? `acknowledgement of ${row.code}` : `${row.status} ${row.code}`} on '${row.field}', named in English and French`, async () => {
        const p = await patient(row.setup ?? 'complete');
        const c: RowCtx = { patient: p.patient, dose: p.dose, analysis };
        // Decisions are the pharmacologist's; entries the prescriber's.
        const who = row.url(c).startsWith('/api/analyses') ? pharm : presc;
        for (const b of [row.first?.(c) ?? []].flat()) await ok(who, row.url(c), b);
        const en = await send(who, 'POST', row.url(c), row.body(c), 'en');
        assert.equal(en.status, row.status, `${row.mistake}: ${en.body}`);
        const issues = (en.json() as ErrorBody).error.issues;
        const named = issues.find((i) => i.field === row.field && i.code === row.code);
        assert.ok(named, `${row.code} on '${row.field}' in ${JSON.stringify(issues, null, 1)}`);
        assert.ok(named.message.length > 10, named.message);
        // French beside English, naming what is wrong; never the English text again.
        assert.ok(named.fr, `no French message: ${JSON.stringify(named)}`);
        assert.match(`${named.fr.message} ${named.fr.hint ?? ''}`, row.fr);
        assert.notEqual(named.fr.message, named.message);
        // The same answer whatever the language asked: both texts are given, the UI picks.
        const fr = await send(who, 'POST', row.url(c), row.body(c), 'fr');
        assert.equal(fr.status, row.status);
        if (!row.ack) {
          assert.equal(named.severity, 'error');
          assert.ok(!issues.some((i) => i.code === 'DT_ACK_REQUIRED'));
          return;
        }
        // Held: DT_ACK_REQUIRED lists the field and the code; nothing stored.
        assert.equal(named.severity, 'warning');
        const held = issues.find((i) => i.code === 'DT_ACK_REQUIRED');
        assert.ok(held, JSON.stringify(issues));
        assert.ok(held.message.includes(`${row.field} (${row.code})`), held.message);
        assert.ok(held.fr?.message.includes(`${row.field} (${row.code})`), held.fr?.message);
        // Acknowledging another code does not do.
        const wrong = await send(who, 'POST', row.url(c), {
          ...row.body(c),
          acknowledge: ['DT_SOMETHING_ELSE'],
        });
        assert.equal(wrong.status, 422, wrong.body);
        if (who === pharm) return; // the decision's acknowledgement is played at the end (a signature is final)
        const codes = [...new Set(issues.filter((i) => i.severity === 'warning').map((i) => i.code))];
        const stored = await send(who, 'POST', row.url(c), { ...row.body(c), acknowledge: codes });
        assert.equal(stored.status, 201, stored.body);
        const created = stored.json() as { id: string; acknowledged: Issue[] };
        assert.ok(created.acknowledged.some((i) => i.code === row.code && i.field === row.field));
        // Stored with the entry, as acknowledged.
        const table = row.url(c).endsWith('/samples')
          ? 'samples'
          : row.url(c).endsWith('/covariates')
            ? 'covariates'
            : 'administrations';
        const saved = await t.app.dt.db.db
          .selectFrom(table)
          .select('acknowledged')
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow();
        const kept = JSON.parse(saved.acknowledged ?? '[]') as Issue[];
        assert.ok(
          kept.some((i) => i.code === row.code && i.field === row.field && i.fr),
          saved.acknowledged ?? '',
        );
      });

    test('a level of 15 entered in ng/mL for mg/L: acknowledged at entry, its unit slip blocks the signature until acknowledged, and the report lists both (EN, FR)', async () => {
      const p = await patient('complete');
      // The trough of 15 mg/L typed with the unit ng/mL: 0.015 mg/L, acknowledged as if right.
      const level = base.level({ at: hoursAgo(13), value: 15, unit: 'ng/mL' });
      const held = await send(presc, 'POST', `/api/patients/${p.patient}/samples`, level);
      assert.equal(held.status, 422);
      await ok(presc, `/api/patients/${p.patient}/samples`, { ...level, acknowledge: ['DT_SAMPLE_UNUSUAL'] });
      const a = await ok(pharm, `/api/requests/${p.request}/analyses`, {});
      const analysis = (await send(pharm, 'GET', `/api/analyses/${a.id}`)).json() as { warnings: Issue[] };
      const slip = analysis.warnings.find((w) => w.code === 'DT_LEVEL_UNIT_SLIP');
      assert.ok(slip, JSON.stringify(analysis.warnings.map((w) => w.code)));
      assert.match(slip.fr!.message, /erreur d’unité/);
      // Accepting the top candidate without acknowledging the slip is refused, naming it.
      const url = `/api/analyses/${a.id}/validations`;
      const refused = await send(pharm, 'POST', url, { ...REAUTH, decision: 'accept', comment: '' });
      assert.equal(refused.status, 422, refused.body);
      const issues = (refused.json() as ErrorBody).error.issues;
      assert.equal(issues[0].code, 'DT_ACK_REQUIRED');
      assert.ok(issues[0].message.includes(`${slip.field} (DT_LEVEL_UNIT_SLIP)`), issues[0].message);
      const blocking = [...new Set(issues.slice(1).map((i) => i.code))];
      // Acknowledging part of them is not enough.
      const part = await send(pharm, 'POST', url, {
        ...REAUTH,
        decision: 'accept',
        comment: '',
        acknowledge: blocking.filter((x) => x !== 'DT_LEVEL_UNIT_SLIP'),
      });
      assert.equal(part.status, 422, part.body);
      // Nothing was signed by the refusals.
      const report0 = await send(presc, 'GET', `/api/requests/${p.request}/report`);
      assert.equal(report0.status, 409, report0.body);
      const signed = await ok(pharm, url, {
        ...REAUTH,
        decision: 'accept',
        comment: 'vérifié avec le laboratoire',
        acknowledge: blocking,
      });
      assert.ok(signed.id);
      const v = (await send(pharm, 'GET', `/api/analyses/${a.id}`)).json() as {
        validation: { acknowledged: Issue[] };
      };
      assert.deepEqual(
        [...new Set(v.validation.acknowledged.map((i) => i.code))].sort(),
        [...blocking].sort(),
      );
      // The report lists every acknowledged warning: the entry's (the level) and the signature's.
      const fr = (await send(presc, 'GET', `/api/requests/${p.request}/report?lang=fr`)).body;
      assert.match(fr, /Avertissements confirmés/);
      assert.match(fr, /Concentration 15 ng\/mL \(0,015 mg\/L\) : valeur inhabituelle/);
      assert.match(fr, /erreur d’unité/);
      const en = (await send(presc, 'GET', `/api/requests/${p.request}/report?lang=en`)).body;
      assert.match(en, /Acknowledged warnings/);
      assert.match(en, /Level 15 ng\/mL \(0.015 mg\/L\): unusual/);
      assert.match(en, /unit slip/);
    });
  });
}
