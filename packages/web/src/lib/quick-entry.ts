/**
 * Quick entry of administrations as a clinician says them, in English or French:
 *
 *   "Prograf 5 mg at 08:00 and 20:00 since 12 Nov"
 *   "vancomycin 1 g over 1 h at 08:00, 20:00 from 21 Nov to 22 Nov"
 *   "Prograf 5 mg à 8h et 20h depuis le 12 nov"
 *   "vancomycine 1000 mg en 60 min toutes les 12 h depuis le 21/11 08:00"
 *
 * gives one dose record per administration time (local clinical time, ISO with the zone's offset),
 * each with its amount, mass unit, route and (infusions) duration. Only times up to `now` are
 * produced: a record is what was given. Every problem is reported with the part of the text it
 * concerns, never guessed around.
 */
import { toLocalIso } from './time.ts';

export interface QuickDose {
  at: string;
  amount: number;
  unit: string;
  route: 'oral' | 'bolus' | 'infusion';
  duration?: { value: number; unit: string };
  product: string;
}

export interface QuickEntryResult {
  doses: QuickDose[];
  errors: string[];
}

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

const num = (s: string): number => Number(s.replace(',', '.'));

/** A clock time `08:00`, `8h`, `8h30`, `20 h`, `8:00`; minutes since midnight or null. */
function clock(s: string): number | null {
  const m = /^(\d{1,2})(?:\s*[:h]\s*(\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  if (h > 23 || min > 59) return null;
  if (!/[:h]/.test(s)) return null;
  return h * 60 + min;
}

const DATE_RE =
  /(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?|(\d{1,2})(?:er)?\s+([a-zéèûô]+)\.?(?:\s+(\d{4}))?/i;

/** A calendar date in the text (`12 Nov`, `12 novembre 2026`, `12/11`, `2026-11-12`), as a local midnight. */
function parseDate(s: string, now: Date): { date: Date; rest: string } | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
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
  let date = new Date(y, mo, d);
  if (date.getMonth() !== mo || date.getDate() !== d) return null;
  // Without a year, the most recent such date (12 Dec entered on 3 Jan is last year's).
  if (!explicitYear && date.getTime() > now.getTime()) date = new Date(y - 1, mo, d);
  return { date, rest: s.slice(0, m.index) + s.slice(m.index + m[0].length) };
}

/**
 * Parse one quick-entry line. `now` bounds the doses produced (default: the current time).
 */
export function parseQuickEntry(text: string, now: Date = new Date()): QuickEntryResult {
  const errors: string[] = [];
  const src = text.trim().replace(/\s+/g, ' ');
  if (!src) return { doses: [], errors: ['empty entry'] };

  // Amount and unit: the first "<number> <mass unit>".
  const am = /(\d+(?:[.,]\d+)?)\s*(mg|g|µg|ug|mcg|ng)\b/i.exec(src);
  if (!am) return { doses: [], errors: [`no amount with a unit (e.g. '5 mg') in '${src}'`] };
  const amount = num(am[1]);
  const unit = MASS[am[2].toLowerCase()];
  if (!(amount > 0)) errors.push(`amount '${am[1]}' must be > 0`);
  const product = src.slice(0, am.index).trim() + (src.slice(0, am.index).trim() ? ` ${am[0]}` : am[0]);
  let rest = src.slice(am.index + am[0].length);

  // Route: infusion when a duration is given ("over 1 h", "en 60 min", "sur 2 h"); "bolus"/"IV direct" → bolus.
  let route: QuickDose['route'] = 'oral';
  let duration: QuickDose['duration'];
  const dm = /\b(?:over|en|sur)\s+(\d+(?:[.,]\d+)?)\s*(h|min)\b/i.exec(rest);
  if (dm) {
    route = 'infusion';
    duration = { value: num(dm[1]), unit: dm[2].toLowerCase() };
    rest = rest.slice(0, dm.index) + rest.slice(dm.index + dm[0].length);
  } else if (/\b(?:bolus|iv direct|ivd)\b/i.test(src)) route = 'bolus';
  else if (/\b(?:infusion|perfusion)\b/i.test(src))
    errors.push("an infusion needs its duration (e.g. 'over 1 h' / 'en 1 h')");

  // Period: since/from/depuis/du DATE [until/to/jusqu'au/au DATE]; on/le DATE = that day only.
  let from: Date | null = null;
  let to: Date | null = null;
  let fromClock: number | null = null;
  const sm =
    /(?:^|\s)(?:since|from|depuis(?: le)?|du|à partir du)\s+(.+?)(?=\s+(?:until|to|till|jusqu'au|jusqu’au|au)\b|$)/i.exec(
      rest,
    );
  const um = /\b(?:until|to|till|jusqu'au|jusqu’au|au)\s+(.+)$/i.exec(rest);
  const om = /\b(?:on|le)\s+(.+?)(?=\s+(?:at|à)\b|$)/i.exec(rest);
  if (sm) {
    const p = parseDate(sm[1], now);
    if (!p) errors.push(`no date in '${sm[1]}' (e.g. '12 Nov', '12/11', '2026-11-12')`);
    else {
      from = p.date;
      const c = /(\d{1,2}\s*[:h]\s*\d{0,2})/.exec(p.rest);
      if (c) fromClock = clock(c[1]);
    }
  } else if (om) {
    const p = parseDate(om[1], now);
    if (p) {
      from = p.date;
      to = p.date;
    }
  }
  if (um && sm) {
    const p = parseDate(um[1], now);
    if (!p) errors.push(`no date in '${um[1]}'`);
    else to = p.date;
  }
  if (!from) errors.push("say from when: 'since 12 Nov' / 'depuis le 12 nov' (or 'on 12 Nov')");

  // Times of day: "at 08:00 and 20:00", "à 8h et 20h"; or "every 12 h" from the start time.
  const times: number[] = [];
  const tm = /(?:^|\s)(?:at|à)\s+((?:\d{1,2}\s*[:h]\s*\d{0,2}\s*(?:,|and|et|&)?\s*)+)/i.exec(rest);
  if (tm)
    for (const part of tm[1].split(/\s*(?:,|and|et|&)\s*/i).filter((x) => x.trim())) {
      const c = clock(part);
      if (c === null) errors.push(`'${part}' is not a time of day`);
      else times.push(c);
    }
  const em = /\b(?:every|toutes les|tous les|q)\s*(\d+(?:[.,]\d+)?)\s*h\b/i.exec(rest);
  const everyH = em ? num(em[1]) : null;
  if (everyH !== null && !(everyH > 0)) errors.push(`interval '${em![1]}' h must be > 0`);
  if (!times.length && everyH === null)
    errors.push("say when: 'at 08:00 and 20:00' / 'à 8h et 20h' or 'every 12 h'");
  if (times.length && everyH !== null) errors.push("give either the times of day or 'every N h', not both");
  if (everyH !== null && fromClock === null && !times.length)
    errors.push("with 'every N h', give the first time: 'since 21 Nov 08:00'");
  if (errors.length || !from) return { doses: [], errors };

  const end = to ? new Date(to.getFullYear(), to.getMonth(), to.getDate(), 23, 59, 59) : now;
  const limit = Math.min(end.getTime(), now.getTime());
  const stamps: Date[] = [];
  if (everyH !== null) {
    const t0 = new Date(from.getFullYear(), from.getMonth(), from.getDate(), 0, fromClock!);
    for (let t = t0.getTime(), k = 0; t <= limit && k < 1000; k++, t = t0.getTime() + k * everyH * 3_600_000)
      stamps.push(new Date(t));
  } else {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const first = fromClock ?? -1;
    for (let day = new Date(from), k = 0; k < 400; k++) {
      day = new Date(from.getFullYear(), from.getMonth(), from.getDate() + k);
      if (day.getTime() > limit) break;
      for (const c of sorted) {
        if (k === 0 && c < first) continue;
        const t = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, c);
        if (t.getTime() <= limit) stamps.push(t);
      }
    }
  }
  if (!stamps.length)
    return { doses: [], errors: ['no administration time falls between the start and now'] };
  return {
    doses: stamps.map((t) => ({
      at: toLocalIso(t),
      amount,
      unit,
      route,
      ...(duration ? { duration } : {}),
      product,
    })),
    errors: [],
  };
}
