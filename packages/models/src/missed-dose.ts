/**
 * "I forgot my dose / I am late", for one patient's twin: the engine's options after a missed or
 * late dose (`missedDoseGuidance`) on the clinical clock (ISO date-times with their zone), every
 * number with its unit, beside the label's rule of the patient's formulation from the drug file,
 * and the same options as a plain-language sheet for the patient (EN/FR). The service, the web
 * app and the CLI all call this; none computes an option itself.
 */
import {
  convert,
  DosetwinError,
  type Issue,
  type MissedDoseGuidance,
  type MissedDoseOptionId,
  type MissedDoseOutcome,
} from '@dosetwin/engine';
import type { ClinicalTwin } from './analysis.ts';
import type { Bilingual } from './covariate-register.ts';
import type { DrugMissedDose } from './drug.ts';
import { drugFile } from './drugs.ts';
import { type Quantity, type Regimen, toFutureRegimen } from './regimen.ts';

export interface MissedDoseRequest {
  /** The regimen the patient is on (its start is not read). */
  regimen: Regimen;
  /** The patient's formulation (drug file id, e.g. `prograf-capsule`, or the product as recorded, e.g. `Prograf`), for the label's rule; null: none shown. */
  formulation: string | null;
  /** When the missed dose was due, and when the patient asks (ISO 8601 with a zone). */
  dueAt: string;
  at: string;
  /** The window; null: the drug file's (read as it says, e.g. on troughs); given here, it is read on the whole curve. */
  efficacy?: Quantity | null;
  toxicity?: Quantity | null;
}

/** One way to go on, on the clinical clock. */
export interface MissedDoseChoice {
  id: MissedDoseOptionId | 'as-prescribed';
  /** 1 = best; 0 for the regimen taken on time. */
  rank: number;
  /** True for the option the label's rule amounts to at this delay. */
  label: boolean;
  doses: { at: string; amount: Quantity }[];
  /** P(within the window for the horizon) over the draws, or null without draws. */
  pWithin: number | null;
  /** Hours below the efficacy threshold and above the toxicity one (mean over the draws, else at the point estimate). */
  hoursBelow: number;
  hoursAbove: number;
  /** At the point estimate: the level before the next scheduled dose, the AUC of the missed dose's interval, and their change from the regimen taken on time (−0.4 = 40 % lower). */
  trough: Quantity;
  aucInterval: Quantity;
  troughChange: number;
  aucChange: number;
  /** The point estimate's curve over the horizon (epoch ms, model concentration unit). */
  curve: { ms: number[]; conc: number[] };
}

export interface MissedDoseAdvice {
  modelId: string;
  method: string;
  draws: number;
  dueAt: string;
  at: string;
  delay: Quantity;
  horizon: Quantity;
  window: { efficacy: Quantity; toxicity: Quantity; reads: DrugMissedDose['reads']; source: string };
  /** The label's rule of the patient's formulation, and the option it amounts to at this delay; null: none in the drug file. */
  labelRule: {
    rule: Bilingual;
    citation: string;
    option: MissedDoseOptionId;
    /** Options the label rules out: never the patient's advice. */
    forbids: MissedDoseOptionId[];
  } | null;
  reference: MissedDoseChoice;
  /** Best first. */
  options: MissedDoseChoice[];
  warnings: Issue[];
}

const H = 3_600_000;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const issue = (field: string, message: string, hint?: string): Issue => ({
  code: 'DT_MISSED_DOSE',
  severity: 'error',
  field,
  message,
  ...(hint ? { hint } : {}),
});

/** The options after a missed or late dose for a clinical twin (see the module). */
export function missedDoseAdvice(ct: ClinicalTwin, req: MissedDoseRequest): MissedDoseAdvice {
  const ir = ct.model.ir;
  const issues: Issue[] = [];
  const ms = (v: string, field: string): number => {
    const t = Date.parse(v);
    if (typeof v !== 'string' || !ISO_WITH_ZONE.test(v) || !Number.isFinite(t)) {
      issues.push(
        issue(field, `'${v}' is not an ISO 8601 date-time with a time zone`, "e.g. '2026-12-05T20:00+01:00'"),
      );
      return NaN;
    }
    return t;
  };
  const dueMs = ms(req.dueAt, 'dueAt');
  const atMs = ms(req.at, 'at');
  const drug = drugFile(ir.drug || ct.model.id.split('/')[0]);
  const policy = drug?.missedDose;
  const efficacy = req.efficacy ?? policy?.efficacy ?? null;
  const toxicity = req.toxicity ?? policy?.toxicity ?? null;
  if (!efficacy)
    issues.push(
      issue('efficacy', `no efficacy threshold: the ${ir.drug || 'drug'} file states none; give one`),
    );
  if (!toxicity)
    issues.push(
      issue('toxicity', `no toxicity threshold: the ${ir.drug || 'drug'} file states none; give one`),
    );
  if (issues.length) throw new DosetwinError(issues);
  const conc = (q: Quantity, field: string): number => convert(q.value, q.unit, ir.units.conc, field);
  const reg = toFutureRegimen(req.regimen, ir.units, ct.toTime(dueMs), ct.doseCmt(req.regimen.route));
  const reads = req.efficacy || req.toxicity ? 'concentration' : (policy?.reads ?? 'concentration');
  const g: MissedDoseGuidance = ct.twin.missedDose({
    dose: reg.dose,
    interval: reg.interval,
    duration: reg.duration,
    cmt: reg.cmt,
    due: reg.start,
    now: ct.toTime(atMs),
    efficacy: conc(efficacy!, 'efficacy.unit'),
    toxicity: conc(toxicity!, 'toxicity.unit'),
    reads,
  });
  const delayH = (atMs - dueMs) / H;
  // The formulation by its id, or by its brand in the product's name as recorded ('Prograf 1 mg').
  const named = req.formulation?.toLowerCase() ?? null;
  const formulation = named
    ? (drug?.formulations.find((f) => f.id === named || (f.brand && named.includes(f.brand.toLowerCase())))
        ?.id ?? null)
    : null;
  const rule = policy?.rules.find((r) => formulation && r.formulations.includes(formulation));
  const labelOption: MissedDoseOptionId | null = rule
    ? delayH < convert(rule.takeWithin.value, rule.takeWithin.unit, 'h', 'takeWithin')
      ? 'take-now'
      : 'skip'
    : null;
  const hours = (t: number): number => convert(t, ir.units.time, 'h', 'time');
  const iso = (t: number): string => new Date(ct.toMs(t)).toISOString();
  const doseUnit = req.regimen.dose.unit;
  const choice = (o: MissedDoseOutcome): MissedDoseChoice => ({
    id: o.id,
    rank: o.rank,
    label: o.id === labelOption,
    doses: o.doses.map((d) => ({
      at: iso(d.time),
      amount: { value: convert(d.amount, ir.units.dose, doseUnit, 'dose'), unit: doseUnit },
    })),
    pWithin: o.pWithin,
    hoursBelow: hours(o.timeBelow.mean ?? o.timeBelow.point),
    hoursAbove: hours(o.timeAbove.mean ?? o.timeAbove.point),
    trough: { value: o.trough, unit: ir.units.conc },
    aucInterval: { value: o.aucInterval, unit: `${ir.units.conc}*${ir.units.time}` },
    troughChange: o.trough / g.reference.trough - 1,
    aucChange: o.aucInterval / g.reference.aucInterval - 1,
    curve: { ms: o.times.map((t) => ct.toMs(t)), conc: o.conc },
  });
  return {
    modelId: ct.model.id,
    method: ct.twin.method,
    draws: g.draws,
    dueAt: req.dueAt,
    at: req.at,
    delay: { value: delayH, unit: 'h' },
    horizon: { value: hours(g.horizonEnd - g.now), unit: 'h' },
    window: {
      efficacy: efficacy!,
      toxicity: toxicity!,
      reads,
      source: req.efficacy || req.toxicity ? 'given with the request' : policy!.why,
    },
    labelRule:
      rule && labelOption
        ? { rule: rule.rule, citation: rule.citation, option: labelOption, forbids: rule.forbids }
        : null,
    reference: choice(g.reference),
    options: g.options.map(choice),
    warnings: ct.warnings,
  };
}

/** The clock time of an ISO instant in the zone of another ISO text (`+01:00`, `Z`): `20:00`. */
function clock(isoUtc: string, zoneOf: string): string {
  const m = /(Z|[+-]\d{2}:\d{2})$/.exec(zoneOf);
  const off =
    !m || m[1] === 'Z'
      ? 0
      : (m[1][0] === '-' ? -1 : 1) * (Number(m[1].slice(1, 3)) * 60 + Number(m[1].slice(4)));
  const d = new Date(Date.parse(isoUtc) + off * 60_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

const amountText = (q: Quantity, lang: 'en' | 'fr'): string =>
  `${lang === 'fr' ? String(Number(q.value.toPrecision(3))).replace('.', ',') : Number(q.value.toPrecision(3))} ${q.unit}`;

/** One option as the patient reads it. */
export function optionSentence(c: MissedDoseChoice, advice: MissedDoseAdvice, lang: 'en' | 'fr'): string {
  const [first, second] = c.doses;
  const dueMs = Date.parse(advice.dueAt);
  const at = (d: { at: string }): string => clock(d.at, advice.at);
  const now = c.doses.find(
    (d) => Date.parse(d.at) > dueMs && Date.parse(d.at) <= Date.parse(advice.at) + 60_000,
  );
  const fr = lang === 'fr';
  switch (c.id) {
    case 'take-now':
      return fr
        ? `Prenez maintenant votre dose (${amountText(first.amount, lang)}), puis la suivante à ${at(second)} comme d’habitude.`
        : `Take your dose now (${amountText(first.amount, lang)}), then the next one at ${at(second)} as usual.`;
    case 'take-reduced':
      return fr
        ? `Prenez maintenant une dose réduite (${amountText(first.amount, lang)}), puis la suivante à ${at(second)} comme d’habitude.`
        : `Take a reduced dose now (${amountText(first.amount, lang)}), then the next one at ${at(second)} as usual.`;
    case 'skip':
      return fr
        ? `Ne prenez pas la dose oubliée ; prenez la suivante à ${at(first)} comme d’habitude (${amountText(first.amount, lang)}).`
        : `Leave out the forgotten dose; take the next one at ${at(first)} as usual (${amountText(first.amount, lang)}).`;
    case 'next-early':
      return fr
        ? `Ne prenez pas la dose oubliée ; avancez la suivante à ${at(first)} (${amountText(first.amount, lang)}), puis reprenez les heures habituelles.`
        : `Leave out the forgotten dose; take the next one early, at ${at(first)} (${amountText(first.amount, lang)}), then go back to your usual times.`;
    case 'double-next':
      return fr
        ? `Ne prenez pas la dose oubliée ; prenez une double dose à ${at(first)} (${amountText(first.amount, lang)}).`
        : `Leave out the forgotten dose; take a double dose at ${at(first)} (${amountText(first.amount, lang)}).`;
    default:
      return now
        ? fr
          ? `Dose prise à l’heure (${amountText(now.amount, lang)}).`
          : `Dose taken on time (${amountText(now.amount, lang)}).`
        : '';
  }
}

/**
 * What the patient is advised: the best-ranked option the label does not rule out (a double dose
 * is never advised to a patient whose leaflet forbids it, however the simulation ranks it), and
 * its dose to take now, if it has one (what the patient records once taken).
 */
export function advisedOption(advice: MissedDoseAdvice): {
  choice: MissedDoseChoice;
  doseNow: { at: string; amount: Quantity } | null;
} {
  const forbidden = new Set<string>(advice.labelRule?.forbids ?? []);
  const choice = advice.options.find((o) => !forbidden.has(o.id)) ?? advice.options[0];
  const atMs = Date.parse(advice.at);
  const doseNow = choice.doses.find((d) => Math.abs(Date.parse(d.at) - atMs) < 60_000) ?? null;
  return { choice, doseNow };
}

/**
 * The patient's sheet: what to do (the best-ranked option the label allows), what the label says, and when to call
 * the care team, in plain words. The clinician sees the same options in detail.
 */
export function patientSheet(advice: MissedDoseAdvice, lang: 'en' | 'fr'): string[] {
  const fr = lang === 'fr';
  const best = advisedOption(advice).choice;
  const lines = [
    fr
      ? `Votre dose prévue à ${clock(new Date(Date.parse(advice.dueAt)).toISOString(), advice.dueAt)} n’a pas été prise (${formatHours(advice.delay.value)} de retard).`
      : `Your dose due at ${clock(new Date(Date.parse(advice.dueAt)).toISOString(), advice.dueAt)} was not taken (${formatHours(advice.delay.value)} late).`,
    (fr ? 'Ce que nous vous conseillons : ' : 'What we advise: ') + optionSentence(best, advice, lang),
  ];
  if (advice.labelRule)
    lines.push((fr ? 'La notice dit : ' : 'The leaflet says: ') + advice.labelRule.rule[lang]);
  lines.push(
    fr
      ? 'Ne prenez jamais deux doses à la fois sans l’accord de votre équipe de soins. En cas de doute, ou si vous oubliez plus d’une dose, appelez-la.'
      : 'Never take two doses at once unless your care team has said so. If in doubt, or if you miss more than one dose, call them.',
  );
  return lines;
}

/** A delay as a clock reads it in both languages: `11 h 50`. */
function formatHours(h: number): string {
  const whole = Math.floor(h + 1e-9);
  const min = Math.round((h - whole) * 60);
  return min ? `${whole} h ${String(min).padStart(2, '0')}` : `${whole} h`;
}

/**
 * The due time a patient means by "last night" (epoch ms), on a schedule of one dose every
 * `intervalMs` through `anchorMs` (any dose on it: the prescription's first, the last recorded):
 * the latest due time before `nowMs` in the evening (17:00 or later) of the day before, read in
 * the patient's zone (`offsetMin`, minutes east of UTC); else the latest due time before now.
 */
export function lastNightDue(anchorMs: number, intervalMs: number, nowMs: number, offsetMin: number): number {
  if (!(intervalMs > 0) || !Number.isFinite(anchorMs) || !Number.isFinite(nowMs)) return NaN;
  const local = (ms: number): Date => new Date(ms + offsetMin * 60_000);
  const yesterday = local(nowMs - 24 * H)
    .toISOString()
    .slice(0, 10);
  // The latest due time strictly before now, then back over the two days before it.
  let t = anchorMs + Math.ceil((nowMs - anchorMs) / intervalMs - 1) * intervalMs;
  if (t >= nowMs) t -= intervalMs;
  const latest = t;
  for (; t > nowMs - 48 * H; t -= intervalMs) {
    const d = local(t);
    if (d.toISOString().slice(0, 10) === yesterday && d.getUTCHours() >= 17) return t;
  }
  return latest;
}
