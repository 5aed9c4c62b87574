/**
 * Quick entry of administrations as a clinician says them, in English or French:
 *
 *   "Prograf 5 mg per os at 08:00 and 20:00 since 12 Nov"
 *   "vancomycin 1 g IV over 1 h at 08:00, 20:00 from 21 Nov to 22 Nov"
 *   "Prograf 5 mg PO à 8h et 20h depuis le 12 nov"
 *   "vancomycine 15 mg/kg IV en 60 min toutes les 12 h depuis le 4/12 à 8h"
 *   "vancomycine 2 g/24 h en continu depuis hier à 8h"
 *
 * gives one dose record per administration time (local clinical time, ISO with the zone's offset),
 * each with its amount, mass unit, route and (infusions) duration. Only times up to `now` are
 * produced: a record is what was given. Nothing is guessed: a missing route, an IV dose without
 * its duration, an impossible calendar date, a dose per kg without a recorded weight are errors;
 * a date without a year that lies ahead of today (read as last year's) and a series of more than
 * {@link MAX_UNCONFIRMED} doses need the user's confirmation; what was computed (mg/kg × weight, a
 * continuous infusion) is returned as notes to show. Messages are i18n keys with their values, so
 * the form shows them in the UI's language.
 */
import type { Key } from '../i18n/en.ts';
import { toLocalIso } from './time.ts';

export interface QuickDose {
  at: string;
  amount: number;
  unit: string;
  route: 'oral' | 'bolus' | 'infusion';
  duration?: { value: number; unit: string };
  product: string;
}

/** A message for the UI: an i18n key and its values. */
export interface QuickMessage {
  key: Key;
  vars?: Record<string, string | number>;
}

export interface QuickEntryResult {
  doses: QuickDose[];
  /** Why nothing can be recorded. */
  errors: QuickMessage[];
  /** What the user must confirm before the doses are recorded. */
  confirm: QuickMessage[];
  /** What was computed from the text, to show beside the preview. */
  notes: QuickMessage[];
}

export interface QuickContext {
  /** The latest time a dose may have (default: the current time). */
  now?: Date;
  /** The patient's recorded weight in kg (the latest), for doses per kg; null when none is recorded. */
  weightKg?: number | null;
}

/** Longer series than this are recorded only once confirmed (a year of doses by mistake is 730). */
export const MAX_UNCONFIRMED = 60;
/** The most doses one entry produces. */
const MAX_DOSES = 1000;

const MONTHS: Record<string, number> = {
  jan: 0,
  janv: 0,
  janvier: 0,
  january: 0,
  feb: 1,
  fev: 1,
  fév: 1,
  fevr: 1,
  févr: 1,
  février: 1,
  fevrier: 1,
  february: 1,
  mar: 2,
  mars: 2,
  march: 2,
  apr: 3,
  avr: 3,
  avril: 3,
  april: 3,
  may: 4,
  mai: 4,
  jun: 5,
  juin: 5,
  june: 5,
  jul: 6,
  juil: 6,
  juillet: 6,
  july: 6,
  aug: 7,
  aou: 7,
  aoû: 7,
  août: 7,
  aout: 7,
  august: 7,
  sep: 8,
  sept: 8,
  septembre: 8,
  september: 8,
  oct: 9,
  octobre: 9,
  october: 9,
  nov: 10,
  novembre: 10,
  november: 10,
  dec: 11,
  déc: 11,
  décembre: 11,
  decembre: 11,
  december: 11,
};

const MASS: Record<string, string> = { mg: 'mg', g: 'g', µg: 'ug', ug: 'ug', mcg: 'ug', ng: 'ng' };
const TO_MG: Record<string, number> = { g: 1000, mg: 1, ug: 1e-3, ng: 1e-6 };

const num = (s: string): number => Number(s.replace(',', '.'));
const pad = (n: number): string => String(n).padStart(2, '0');
const dayText = (d: Date): string => `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;

/** A clock time `08:00`, `8h`, `8h30`, `20 h`, `8:00`; minutes since midnight or null. */
function clock(s: string): number | null {
  const m = /^(\d{1,2})\s*[:h]\s*(\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

const DATE_RE =
  /(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?|(\d{1,2})(?:er)?\s+([a-zéèûô]+)\.?(?:\s+(\d{4}))?|\b(avant-hier|hier|aujourd'hui|aujourd’hui|yesterday|today)\b/i;

type DateRead =
  { ok: true; date: Date; explicitYear: boolean; rest: string } | { ok: false; error: QuickMessage } | null;

/** A calendar date in the text (`12 Nov`, `12 novembre 2026`, `12/11`, `2026-11-12`, `hier`), as a local midnight. */
function readDate(s: string, now: Date): DateRead {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const rest = s.slice(0, m.index) + s.slice(m.index + m[0].length);
  if (m[10]) {
    const back = /avant/i.test(m[10]) ? 2 : /hier|yesterday/i.test(m[10]) ? 1 : 0;
    return {
      ok: true,
      date: new Date(now.getFullYear(), now.getMonth(), now.getDate() - back),
      explicitYear: true,
      rest,
    };
  }
  let y: number;
  let mo: number;
  let d: number;
  let explicitYear = true;
  if (m[1]) [y, mo, d] = [+m[1], +m[2] - 1, +m[3]];
  else if (m[4]) {
    d = +m[4];
    mo = +m[5] - 1;
    explicitYear = m[6] !== undefined;
    y = m[6] ? (m[6].length === 2 ? 2000 + +m[6] : +m[6]) : now.getFullYear();
  } else {
    const key = m[8].toLowerCase();
    if (!(key in MONTHS)) return null;
    d = +m[7];
    mo = MONTHS[key];
    explicitYear = m[9] !== undefined;
    y = m[9] ? +m[9] : now.getFullYear();
  }
  const date = new Date(y, mo, d);
  // 30 February is not 2 March: an impossible date is refused, never rolled over.
  if (mo > 11 || date.getMonth() !== mo || date.getDate() !== d)
    return { ok: false, error: { key: 'qe_impossibleDate', vars: { text: m[0] } } };
  return { ok: true, date, explicitYear, rest };
}

/** Parse one quick-entry line. */
export function parseQuickEntry(text: string, ctx: QuickContext = {}): QuickEntryResult {
  const now = ctx.now ?? new Date();
  const errors: QuickMessage[] = [];
  const confirm: QuickMessage[] = [];
  const notes: QuickMessage[] = [];
  const fail = (e: QuickMessage[]): QuickEntryResult => ({ doses: [], errors: e, confirm: [], notes: [] });
  const src = text.trim().replace(/\s+/g, ' ');
  if (!src) return fail([{ key: 'qe_empty' }]);

  // Amount and unit: the first "<number> <mass unit>", per kg or per period when it says so.
  const am =
    /(\d+(?:[.,]\d+)?)\s*(mg|g|µg|ug|mcg|ng)(\s*\/\s*kg)?(?:\s*\/\s*(\d+(?:[.,]\d+)?)\s*h)?(?![a-zµ])/i.exec(
      src,
    );
  if (!am) return fail([{ key: 'qe_noAmount', vars: { text: src } }]);
  let amount = num(am[1]);
  let unit = MASS[am[2].toLowerCase()];
  if (!(amount > 0)) errors.push({ key: 'qe_amountPositive', vars: { text: am[1] } });
  if (am[3]) {
    const w = ctx.weightKg;
    if (!(w !== null && w !== undefined && w > 0))
      errors.push({ key: 'qe_noWeight', vars: { text: am[0].trim() } });
    else {
      // mg/kg × kg: the dose in mg, to 0.1 mg (the unit kept when it is mg or g).
      const mg = Math.round(amount * TO_MG[unit] * w * 10) / 10;
      notes.push({
        key: 'qe_perKg',
        vars: { dose: `${am[1]} ${am[2]}/kg`, weight: `${w} kg`, amount: `${mg} mg` },
      });
      amount = mg;
      unit = 'mg';
    }
  }
  const perPeriodH = am[4] !== undefined ? num(am[4]) : null;
  const product = src.slice(0, am.index).trim();
  let rest = ` ${src.slice(am.index + am[0].length)} `;
  const said = (re: RegExp): boolean => re.test(rest);

  // Route: from the words (IV, per os, bolus…), an infusion's duration, or a continuous infusion.
  let route: QuickDose['route'] | null = null;
  let duration: QuickDose['duration'];
  const continuous = perPeriodH !== null || said(/\s(?:en continu|continuous|continuously|IVSE|IVC)\s/i);
  const dm = /\s(?:over|en|sur)\s+(\d+(?:[.,]\d+)?)\s*(h|min)\b/i.exec(rest);
  if (dm && !continuous) {
    duration = { value: num(dm[1]), unit: dm[2].toLowerCase() };
    rest = rest.slice(0, dm.index) + ' ' + rest.slice(dm.index + dm[0].length);
  }
  const words = {
    oral: said(/\s(?:per os|po|p\.o\.|os|oral|orale|orally|par voie orale|by mouth|cp|gélule|comprimé)\s/i),
    bolus: said(/\s(?:bolus|ivd|iv direct|iv directe|iv push)\s/i),
    iv: said(/\s(?:iv|ivl|intraveineuse?|intravenous|perfusion|infusion)\s/i),
    sc: said(/\s(?:sc|s\/c|sous-cutanée?|subcutaneous)\s/i),
    im: said(/\s(?:im|intramusculaire|intramuscular)\s/i),
  };
  if (words.sc || words.im)
    errors.push({ key: 'qe_routeUnsupported', vars: { route: words.sc ? 'SC' : 'IM' } });
  else if (continuous) {
    if (words.oral || words.bolus) errors.push({ key: 'qe_routeConflict' });
    route = 'infusion';
  } else if (words.bolus) {
    if (duration) errors.push({ key: 'qe_routeConflict' });
    route = 'bolus';
  } else if (duration) {
    if (words.oral) errors.push({ key: 'qe_routeConflict' });
    route = 'infusion';
  } else if (words.iv) errors.push({ key: 'qe_ivDuration' });
  else if (words.oral) route = 'oral';
  else errors.push({ key: 'qe_noRoute' });

  // Interval: "every 12 h", "toutes les 12 h", "q12h", or the continuous infusion's period.
  const em = /\s(?:every|toutes les|tous les|q)\s*(\d+(?:[.,]\d+)?)\s*h\b/i.exec(rest);
  let everyH = em ? num(em[1]) : null;
  if (em) rest = rest.slice(0, em.index) + ' ' + rest.slice(em.index + em[0].length);
  if (continuous) {
    const period = perPeriodH ?? everyH;
    const over = /\s(?:over|sur)\s+(\d+(?:[.,]\d+)?)\s*h\b/i.exec(rest);
    const p = period ?? (over ? num(over[1]) : null);
    if (p === null) errors.push({ key: 'qe_continuousPeriod' });
    else {
      everyH = p;
      duration = { value: p, unit: 'h' };
      notes.push({ key: 'qe_continuous', vars: { amount: `${amount} ${unit}`, hours: p } });
    }
  }
  if (everyH !== null && !(everyH > 0))
    errors.push({ key: 'qe_intervalPositive', vars: { text: em?.[1] ?? '' } });

  // Period: since/from/depuis DATE [à HH] [until/jusqu'au DATE]; on/le DATE (or a bare date) = that day.
  let from: Date | null = null;
  let to: Date | null = null;
  let fromClock: number | null = null;
  const takeDate = (s: string): Date | null => {
    const r = readDate(s, now);
    if (r === null) return null;
    if (!r.ok) {
      errors.push(r.error);
      return null;
    }
    if (r.date.getTime() > now.getTime()) {
      if (r.explicitYear) {
        errors.push({ key: 'qe_futureDate', vars: { date: dayText(r.date) } });
        return null;
      }
      // "20 Dec" on 6 Dec: last year's, but only once the user says so.
      const last = new Date(r.date.getFullYear() - 1, r.date.getMonth(), r.date.getDate());
      confirm.push({ key: 'qe_confirmLastYear', vars: { date: dayText(last) } });
      return last;
    }
    return r.date;
  };
  const sm =
    /\s(?:since|from|depuis(?: le)?|du|à partir du|starting)\s+(.+?)(?=\s(?:until|to|till|jusqu'au|jusqu’au|au)\s|$)/i.exec(
      rest,
    );
  const um = /\s(?:until|to|till|jusqu'au|jusqu’au|au)\s+(.+)$/i.exec(rest);
  if (sm) {
    const errs = errors.length;
    from = takeDate(sm[1]);
    if (!from && errors.length === errs) errors.push({ key: 'qe_noDate', vars: { text: sm[1].trim() } });
    const read = readDate(sm[1], now);
    const after = read?.ok ? read.rest : '';
    const c = /(?:^|\s)(?:at|à)?\s*(\d{1,2}\s*[:h]\s*\d{0,2})(?=\s|$)/i.exec(after);
    if (c) fromClock = clock(c[1]);
    if (um) {
      const e2 = errors.length;
      to = takeDate(um[1]);
      if (!to && errors.length === e2) errors.push({ key: 'qe_noDate', vars: { text: um[1].trim() } });
    }
  } else {
    const om = /\s(?:on|le)\s+(.+?)(?=\s(?:at|à)\s|$)/i.exec(rest);
    const bare = om ? om[1] : rest;
    const r = readDate(bare, now);
    if (r) {
      from = takeDate(bare);
      to = from;
    }
  }
  if (
    !from &&
    !errors.some((e) => e.key === 'qe_noDate' || e.key === 'qe_impossibleDate' || e.key === 'qe_futureDate')
  )
    errors.push({ key: 'qe_noStart' });

  // Times of day: "at 08:00 and 20:00", "à 8h et 20h".
  let times: number[] = [];
  const tm = /\s(?:at|à)\s+((?:\d{1,2}\s*[:h]\s*\d{0,2}\s*(?:,|and|et|&)?\s*)+)/i.exec(rest);
  if (tm)
    for (const part of tm[1].split(/\s*(?:,|\band\b|\bet\b|&)\s*/i).filter((x) => x.trim())) {
      const c = clock(part);
      if (c === null) errors.push({ key: 'qe_badTime', vars: { text: part.trim() } });
      else times.push(c);
    }
  // "depuis le 4/12 à 8h toutes les 12 h": the time said with the start is where the series begins.
  if (everyH !== null && times.length === 1) {
    fromClock ??= times[0];
    if (fromClock === times[0]) times = [];
  }
  if (!times.length && everyH === null) errors.push({ key: 'qe_noTimes' });
  if (times.length && everyH !== null) errors.push({ key: 'qe_timesAndEvery' });
  if (everyH !== null && fromClock === null && !times.length) errors.push({ key: 'qe_everyNeedsStart' });
  if (errors.length || !from) return { doses: [], errors, confirm: [], notes: [] };

  const end = to ? new Date(to.getFullYear(), to.getMonth(), to.getDate(), 23, 59, 59) : now;
  const limit = Math.min(end.getTime(), now.getTime());
  const stamps: Date[] = [];
  if (everyH !== null) {
    const t0 = new Date(from.getFullYear(), from.getMonth(), from.getDate(), 0, fromClock!);
    for (
      let k = 0, t = t0.getTime();
      t <= limit && k < MAX_DOSES;
      k++, t = t0.getTime() + k * everyH * 3_600_000
    )
      stamps.push(new Date(t));
  } else {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const first = fromClock ?? -1;
    for (let k = 0; k < MAX_DOSES; k++) {
      const day = new Date(from.getFullYear(), from.getMonth(), from.getDate() + k);
      if (day.getTime() > limit) break;
      for (const c of sorted) {
        if (k === 0 && c < first) continue;
        const t = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, c);
        if (t.getTime() <= limit && stamps.length < MAX_DOSES) stamps.push(t);
      }
    }
  }
  if (!stamps.length) return fail([{ key: 'qe_noneYet' }]);
  if (stamps.length > MAX_UNCONFIRMED) confirm.push({ key: 'qe_confirmLong', vars: { n: stamps.length } });
  return {
    doses: stamps.map((t) => ({
      at: toLocalIso(t),
      amount,
      unit,
      route: route!,
      ...(duration ? { duration } : {}),
      product: product || `${amount} ${unit}`,
    })),
    errors: [],
    confirm,
    notes,
  };
}
