import { DosetwinError, type Issue } from '../errors.ts';
import type { ModelIR } from '../model/ir.ts';
import { convert, isKnownUnit } from '../units.ts';
import { type PatientData, type RecordInput, patientFromRecords } from './records.ts';

/** A clinical date-time: ISO 8601 with a time-zone designator, e.g. `2026-11-12T08:00+01:00`. */
export type ClinicalTime = string;

export interface ClinicalDose {
  at: ClinicalTime;
  amount: number;
  /** Mass unit of `amount` (mg, g, ug, µg, mcg, ng). */
  unit: string;
  /** `oral` → the model's depot; `bolus` / `infusion` → its central compartment. */
  route: 'oral' | 'bolus' | 'infusion';
  /** Infusion duration with its unit (h, min), for `infusion`. */
  duration?: { value: number; unit: string };
  /** Explicit compartment number (1-based), overriding the route's default. */
  cmt?: number;
}

export interface ClinicalSample {
  at: ClinicalTime;
  value: number;
  /** Concentration unit (mg/L, ug/mL, ng/mL, ug/L…). */
  unit: string;
  cmt?: number;
}

export interface ClinicalCovariate {
  at: ClinicalTime;
  name: string;
  value: number;
  unit: string;
}

export interface ClinicalRegimen {
  id: string;
  doses: ClinicalDose[];
  samples?: ClinicalSample[];
  covariates?: ClinicalCovariate[];
  /** Time zero; default: the earliest dose or sample. */
  origin?: ClinicalTime;
}

export interface BuiltPatient {
  patient: PatientData;
  /** Time zero as epoch milliseconds. */
  originMs: number;
  /** Every unit conversion applied, e.g. `samples[0]: 12 ng/mL → 0.012 mg/L`. */
  conversions: string[];
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Build a patient's NONMEM records from clinical time stamps: doses and samples at date-times,
 * amounts and concentrations in any known unit (converted to the model's units, each conversion
 * reported), covariates measured over time (the latest measurement at or before a record applies;
 * before the first one, the first one). Every problem names its field (`doses[2].at`).
 */
export function buildPatient(model: ModelIR, reg: ClinicalRegimen): BuiltPatient {
  const issues: Issue[] = [];
  const bad = (field: string, message: string, hint?: string): void => {
    issues.push({ code: 'DT_REGIMEN', severity: 'error', field, message, ...(hint ? { hint } : {}) });
  };
  const conversions: string[] = [];
  const parseTime = (s: string, field: string): number => {
    if (typeof s !== 'string' || !ISO_WITH_ZONE.test(s)) {
      bad(
        field,
        `'${s}' is not an ISO 8601 date-time with a time zone`,
        "write e.g. '2026-11-12T08:00+01:00' or '2026-11-12T07:00Z'",
      );
      return NaN;
    }
    const ms = Date.parse(s);
    if (!Number.isFinite(ms)) bad(field, `'${s}' is not a valid date-time`);
    return ms;
  };
  const conv = (v: number, from: string, to: string, field: string): number => {
    try {
      const x = convert(v, from, to, field);
      if (from !== to) conversions.push(`${field}: ${v} ${from} → ${x} ${to}`);
      return x;
    } catch (e) {
      if (e instanceof DosetwinError) issues.push(...e.issues);
      else throw e;
      return NaN;
    }
  };
  const hoursToModel = (h: number, field: string): number => conv(h, 'h', model.units.time, field);
  const depot = model.compartments.indexOf('depot');
  const central = model.compartments.indexOf('central');

  const events: { ms: number; row: RecordInput }[] = [];
  reg.doses.forEach((d, k) => {
    const f = `doses[${k}]`;
    const ms = parseTime(d.at, `${f}.at`);
    if (!(d.amount > 0) || !Number.isFinite(d.amount))
      bad(`${f}.amount`, `amount ${d.amount} must be a positive number`);
    const amt = conv(d.amount, d.unit, model.units.dose, `${f}.unit`);
    let cmt = d.cmt ?? (d.route === 'oral' ? depot + 1 : central + 1);
    if (d.cmt === undefined && d.route === 'oral' && depot < 0) {
      bad(`${f}.route`, `oral dose, but model ${model.id} has no depot compartment`, 'give cmt explicitly');
      cmt = 0;
    }
    if (d.cmt === undefined && d.route !== 'oral' && central < 0) {
      bad(`${f}.route`, `model ${model.id} has no compartment named central`, 'give cmt explicitly');
      cmt = 0;
    }
    if (!Number.isInteger(cmt) || cmt < 0 || cmt > model.compartments.length)
      bad(`${f}.cmt`, `compartment ${cmt} does not exist`);
    let rate = 0;
    if (d.route === 'infusion') {
      if (!d.duration) bad(`${f}.duration`, 'an infusion needs its duration');
      else {
        const dur = conv(d.duration.value, d.duration.unit, model.units.time, `${f}.duration`);
        if (!(dur > 0)) bad(`${f}.duration`, `duration ${d.duration.value} ${d.duration.unit} must be > 0`);
        rate = amt / dur;
      }
    } else if (d.route !== 'oral' && d.route !== 'bolus')
      bad(`${f}.route`, `route '${String(d.route)}' is not oral, bolus or infusion`);
    events.push({ ms, row: { time: 0, evid: 1, amt, rate, cmt } });
  });
  (reg.samples ?? []).forEach((s, k) => {
    const f = `samples[${k}]`;
    const ms = parseTime(s.at, `${f}.at`);
    if (!Number.isFinite(s.value) || s.value < 0)
      bad(`${f}.value`, `concentration ${s.value} must be a number ≥ 0`);
    const dv = conv(s.value, s.unit, model.units.conc, `${f}.unit`);
    events.push({ ms, row: { time: 0, evid: 0, dv, mdv: 0, cmt: s.cmt ?? 0 } });
  });
  const covs = model.covariates.map((c) =>
    (reg.covariates ?? [])
      .map((x, k) => ({ x, k }))
      .filter(({ x }) => x.name === c.name)
      .map(({ x, k }) => {
        const f = `covariates[${k}]`;
        const ms = parseTime(x.at, `${f}.at`);
        let v = x.value;
        if (x.unit !== c.unit) {
          if (isKnownUnit(x.unit) && isKnownUnit(c.unit)) v = conv(x.value, x.unit, c.unit, `${f}.unit`);
          else bad(`${f}.unit`, `${c.name} is in ${x.unit}; the model expects ${c.unit}`);
        }
        if (!Number.isFinite(v)) bad(`${f}.value`, `${c.name} ${x.value} is not a number`);
        return { ms, v };
      })
      .sort((a, b) => a.ms - b.ms),
  );
  model.covariates.forEach((c, k) => {
    if (!covs[k].length && c.handling.kind === 'required')
      bad(`covariates.${c.name}`, `the model needs ${c.name} (${c.label}, ${c.unit})`);
  });
  if (!events.length) bad('doses', 'no dose and no sample');
  if (issues.length) throw new DosetwinError(issues);

  // Stable order: by time, doses before samples at the same instant.
  events.sort((a, b) => a.ms - b.ms || (b.row.evid ?? 0) - (a.row.evid ?? 0));
  const originMs = reg.origin !== undefined ? parseTime(reg.origin, 'origin') : events[0].ms;
  if (issues.length) throw new DosetwinError(issues);
  const rows = events.map(({ ms, row }) => {
    const cov = model.covariates.map((c, k) => {
      const list = covs[k];
      if (!list.length) return c.handling.kind === 'default' ? c.handling.value : NaN;
      let v = list[0].v;
      for (const x of list) if (x.ms <= ms) v = x.v;
      return v;
    });
    return { ...row, time: hoursToModel((ms - originMs) / 3_600_000, 'time'), cov };
  });
  if (rows.some((r) => r.time < 0))
    throw new DosetwinError([
      { code: 'DT_REGIMEN', severity: 'error', field: 'origin', message: 'an event is before the origin' },
    ]);
  return {
    patient: patientFromRecords(reg.id, rows, model.covariates.length),
    originMs,
    conversions: [...new Set(conversions)],
  };
}
