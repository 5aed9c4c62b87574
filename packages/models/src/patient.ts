/**
 * The patient as every front end gives it, model-independent, and as one model reads it.
 *
 * - {@link DrugPatient}: doses, levels and covariates with their units stated once (a NONMEM-style
 *   CSV whose header states them, or the clinical record of the service and the web app);
 * - {@link clinicalPatient}: the clinical record (ISO date-times, each value with its unit) as a
 *   drug-level patient, with the clinical policy applied: which levels are used, covariates over
 *   time, routes;
 * - {@link modelPatient}: a drug-level patient in one model's units with its covariates resolved
 *   (derivations, conversions, defaults, validity domain).
 *
 * The clinical policy, stated once (each rule has a test):
 * - a level sampled before the first recorded dose is not used (warning DT_SAMPLE_BEFORE_DOSE);
 * - a level below its LLOQ is used as censored (Beal's M3: the likelihood that the concentration
 *   is below the LLOQ), never dropped (note DT_SAMPLE_BLQ);
 * - a covariate holds from its recording until its next value; before its first recording it
 *   holds back to the first dose (a weight measured the day after admission is the admission
 *   weight), unless the model gives it a default, which then applies until the first recording
 *   (e.g. a co-medication's dose before it was started); either way the output says so
 *   (DT_COVARIATE_CARRIED_BACK, DT_COVARIATE_DEFAULT_BEFORE);
 * - a covariate recorded after the last dose or level still applies to the future (a record
 *   without dose or level carries it);
 * - oral doses go to the model's depot, bolus and infusion doses to its central compartment;
 * - the whole history is one occasion (inter-occasion variability estimated from the levels and
 *   applied to the past), unless the data give occasions (OCC); new doses have none.
 */
import {
  convert,
  DosetwinError,
  type Issue,
  type PatientData,
  patientFromRecords,
  type RecordInput,
} from '@dosetwin/engine';
import type { ModelIR } from '@dosetwin/engine';
import { resolveCovariates, type PatientCovariates } from './resolve.ts';
import type { Route } from './regimen.ts';

/** One record of a patient's history, in the units of {@link DrugPatient.units}. */
export interface DrugRecord {
  time: number;
  evid?: number;
  amt?: number;
  /** Infusion rate in dose unit per time unit (> 0), or 0 (bolus / oral). Modelled rates (−1, −2) are model-specific and refused. */
  rate?: number;
  /** How a dose is given: `oral` → the model's depot, `bolus`/`infusion` → its central compartment; absent → its first compartment. */
  route?: Route;
  ii?: number;
  addl?: number;
  ss?: number;
  mdv?: number;
  dv?: number | null;
  occ?: number;
  cens?: number;
  lloq?: number;
  /** Source line, for messages. */
  line?: number;
  /** Where the record came from in the caller's terms (`samples[2]`), for messages. */
  source?: string;
  /** Its clinical date-time, when it has one (for messages). */
  at?: string;
  /** Covariates measured at this record; each applies from here on until its next value (and before its first one). */
  covariates?: PatientCovariates;
}

/** A patient's doses, levels and covariates, model-independent: every number has a stated unit. */
export interface DrugPatient {
  id: string;
  /** Units of TIME (and II), AMT (RATE is AMT per TIME), DV (and LLOQ). */
  units: { dose: string; time: string; conc: string };
  records: DrugRecord[];
  /** Covariates constant over the stay (a record's own values take precedence). */
  covariates?: PatientCovariates;
}

const err = (code: Issue['code'], field: string, message: string, hint?: string): Issue => ({
  code,
  severity: 'error',
  field,
  message,
  ...(hint ? { hint } : {}),
});

/** Checks of a drug-level patient that do not depend on a model; throws every problem found. */
export function checkDrugPatient(p: DrugPatient): void {
  const issues: Issue[] = [];
  for (const [k, dim] of [
    ['dose', 'a mass (mg, ug, g)'],
    ['time', 'a time (h, min, d)'],
    ['conc', 'a concentration (mg/L, ug/L, ng/mL)'],
  ] as const) {
    const unit = p.units?.[k];
    try {
      convert(1, unit, k === 'dose' ? 'mg' : k === 'time' ? 'h' : 'mg/L', `units.${k}`);
    } catch {
      issues.push(err('DT_DATA_UNIT', `units.${k}`, `the ${k} unit '${unit}' is not ${dim}`));
    }
  }
  if (!p.records?.length) issues.push(err('DT_DATA', 'records', `patient ${p.id} has no record`));
  p.records?.forEach((r, i) => {
    const where = r.source ?? `records[${r.line ?? i}]`;
    if ((r as { cmt?: number }).cmt)
      issues.push(
        err(
          'DT_DATA',
          `${where}.CMT`,
          'CMT is model-specific (depot, transit, central): leave it empty when fitting a drug',
          'doses then go to each model’s first compartment and levels to its first output',
        ),
      );
    if (r.rate !== undefined && r.rate < 0)
      issues.push(
        err('DT_DATA', `${where}.RATE`, `RATE ${r.rate}: a modelled rate or duration is model-specific`),
      );
    if (!Number.isFinite(r.time) || r.time < 0)
      issues.push(err('DT_DATA', `${where}.TIME`, `TIME ${r.time} must be a number ≥ 0`));
    const evid = r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0);
    if (![0, 1, 2, 3, 4].includes(evid))
      issues.push(err('DT_DATA', `${where}.EVID`, `EVID ${r.evid} is not one of 0, 1, 2, 3, 4`));
    if (r.amt !== undefined && !(r.amt >= 0))
      issues.push(err('DT_DATA', `${where}.AMT`, `AMT ${r.amt} must be a number ≥ 0`));
    if ((evid === 1 || evid === 4) && !((r.amt ?? 0) > 0) && !(r.ss && (r.rate ?? 0) > 0))
      issues.push(err('DT_DATA', `${where}.AMT`, 'dose record (EVID 1/4) with AMT 0'));
    if ((r.addl ?? 0) > 0 && !((r.ii ?? 0) > 0))
      issues.push(err('DT_DATA', `${where}.II`, `ADDL ${r.addl} needs II > 0`));
    if (i > 0 && r.time < p.records[i - 1].time && evid !== 3 && evid !== 4)
      issues.push(
        err(
          'DT_DATA',
          `${where}.TIME`,
          `TIME ${r.time} is before the previous record's ${p.records[i - 1].time}`,
        ),
      );
  });
  if (issues.length) throw new DosetwinError(issues);
}

/** The covariates in force at each record, and for each name the index of the record where it was first given. */
export interface CovariatesPerRecord {
  values: PatientCovariates[];
  firstIndex: Map<string, number>;
}

/** Covariates in force at each record: constant ones, then each record's own carried forward (backward before the first). */
export function covariatesPerRecord(p: DrugPatient): CovariatesPerRecord {
  const names = new Set<string>();
  for (const r of p.records) for (const k of Object.keys(r.covariates ?? {})) names.add(k);
  const out: Record<string, PatientCovariates[string]>[] = p.records.map(() => ({ ...(p.covariates ?? {}) }));
  const firstIndex = new Map<string, number>();
  for (const name of names) {
    let first: PatientCovariates[string] = undefined;
    for (let i = 0; i < p.records.length; i++) {
      const v = p.records[i].covariates?.[name];
      if (v !== undefined && v !== null) {
        first = v;
        firstIndex.set(name, i);
        break;
      }
    }
    let cur = first;
    p.records.forEach((r, i) => {
      const v = r.covariates?.[name];
      if (v !== undefined && v !== null) cur = v;
      if (cur !== undefined) out[i][name] = cur;
    });
  }
  return { values: out, firstIndex };
}

/** A model as a patient is read for it: a library model, or a model file. */
export interface ModelRef {
  id: string;
  ir: ModelIR;
}

/** A drug-level patient in one model's units, with what was done and what went wrong. */
export interface ModelPatient {
  /** The records for the model (null when a covariate cannot be resolved: see `errors`). */
  patient: PatientData | null;
  errors: Issue[];
  /** Validity domain, defaults used, covariates carried back to the first dose. */
  warnings: Issue[];
  /** Unit conversions and derivations done. */
  notes: string[];
  /** Data value × factor = model value: concentration, time and dose. */
  factors: { conc: number; time: number; dose: number };
}

/**
 * The patient's records in one model's units, its covariates resolved at each record (cached by
 * value set), doses in the compartment their route says. Problems are returned, not thrown, so
 * that a caller weighing several models can leave one out with its reason.
 */
export function modelPatient(
  m: ModelRef,
  p: DrugPatient,
  covs: CovariatesPerRecord = covariatesPerRecord(p),
): ModelPatient {
  const u = m.ir.units;
  const factors = {
    conc: convert(1, p.units.conc, u.conc, 'units.conc'),
    time: convert(1, p.units.time, u.time, 'units.time'),
    dose: convert(1, p.units.dose, u.dose, 'units.dose'),
  };
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const note = (is: Issue): void => {
    const k = `${is.code}|${is.field}|${is.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    (is.severity === 'error' ? errors : warnings).push(is);
  };
  // Before a covariate's first recording: carried back, or the model's default when it has one.
  const firstDose = p.records.findIndex((r) => (r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0)) === 1);
  const defaults = new Map(
    m.ir.covariates.flatMap((c) =>
      c.handling.kind === 'default' ? [[c.name, c.handling.value] as const] : [],
    ),
  );
  const values = covs.values.map((v, i) => {
    let out: Record<string, PatientCovariates[string]> | null = null;
    for (const [name, first] of covs.firstIndex) {
      if (i >= first) continue;
      if (defaults.has(name)) {
        out ??= { ...v };
        delete out[name];
      }
    }
    return out ?? v;
  });
  for (const [name, first] of covs.firstIndex) {
    const reads = m.ir.covariates.some((c) => c.name === name) || usesInput(m, name);
    if (firstDose < 0 || first <= firstDose || !reads) continue;
    const r = p.records[first];
    const when = r.source ? `at ${r.source}` : `at t = ${r.time} ${p.units.time}`;
    note(
      defaults.has(name)
        ? {
            code: 'DT_COVARIATE_DEFAULT_BEFORE',
            severity: 'warning',
            field: `covariates.${name}`,
            message: `${name} is first recorded ${when}, after the first dose: before it the model's default ${defaults.get(name)} applies`,
          }
        : {
            code: 'DT_COVARIATE_CARRIED_BACK',
            severity: 'warning',
            field: `covariates.${name}`,
            message: `${name} is first recorded ${when}, after the first dose: its first value is used from the first dose`,
          },
    );
  }
  const depot = m.ir.compartments.indexOf('depot');
  const central = m.ir.compartments.indexOf('central');
  const cache = new Map<string, number[] | null>();
  const rows: RecordInput[] = [];
  p.records.forEach((r, i) => {
    const key = JSON.stringify(values[i]);
    let resolved = cache.get(key);
    if (resolved === undefined) {
      const res = resolveCovariates(m, values[i]);
      res.issues.forEach(note);
      for (const n of res.notes) if (!notes.includes(n)) notes.push(n);
      resolved = res.issues.some((x) => x.severity === 'error') ? null : res.values;
      cache.set(key, resolved);
    }
    let cmt = 0;
    if (r.route === 'oral') {
      if (depot < 0)
        note(
          err(
            'DT_ROUTE',
            `${r.source ?? `records[${i}]`}.route`,
            `an oral dose, but ${m.id} has no depot compartment: it describes intravenous doses only`,
          ),
        );
      cmt = depot + 1;
    } else if (r.route === 'bolus' || r.route === 'infusion') {
      if (central < 0)
        note(
          err(
            'DT_ROUTE',
            `${r.source ?? `records[${i}]`}.route`,
            `${m.id} has no compartment named central for a ${r.route} dose`,
          ),
        );
      cmt = central + 1;
    }
    rows.push({
      time: r.time * factors.time,
      evid: r.evid,
      amt: r.amt === undefined ? undefined : r.amt * factors.dose,
      rate: r.rate === undefined ? undefined : (r.rate * factors.dose) / factors.time,
      cmt: r.route && (r.evid ?? 1) !== 0 && (r.evid ?? 1) !== 2 ? cmt : 0,
      ii: r.ii === undefined ? undefined : r.ii * factors.time,
      addl: r.addl,
      ss: r.ss,
      mdv: r.mdv,
      dv: r.dv === undefined || r.dv === null ? r.dv : r.dv * factors.conc,
      occ: r.occ,
      cens: r.cens,
      lloq: r.lloq === undefined ? undefined : r.lloq * factors.conc,
      line: r.line ?? i + 1,
      cov: resolved ?? [],
    });
  });
  if (errors.length) return { patient: null, errors, warnings, notes, factors };
  // The amounts and levels in the model's units, each distinct value once: `5 mg → 5000 ug`.
  const fmt = (x: number): string => String(Number(x.toPrecision(6)));
  const seenValue = new Set<string>();
  const valueNote = (v: number | null | undefined, f: number, from: string, to: string): void => {
    if (v === undefined || v === null || from === to) return;
    const n = `${fmt(v)} ${from} → ${fmt(v * f)} ${to}`;
    if (seenValue.has(n)) return;
    seenValue.add(n);
    notes.unshift(n);
  };
  for (const r of [...p.records].reverse()) {
    valueNote(r.amt, factors.dose, p.units.dose, u.dose);
    valueNote(r.dv, factors.conc, p.units.conc, u.conc);
  }
  return {
    patient: patientFromRecords(p.id, rows, m.ir.covariates.length),
    errors,
    warnings,
    notes,
    factors,
  };
}

/** Whether a model reads `name` as an input of one of its derivations (SCR for a derived CRCL). */
function usesInput(m: ModelRef, name: string): boolean {
  return m.ir.covariates.some((c) => c.derive?.args.some((a) => a.name === name));
}

/**
 * The clinical policy for levels, on a drug-level patient (the clinical record's and a CSV's
 * alike): a level before the first dose is not used (DT_SAMPLE_BEFORE_DOSE); a level below its
 * LLOQ is censored (Beal's M3, DT_SAMPLE_BLQ), never dropped. Warnings name the record's source
 * (`samples[2]`) or its data line.
 */
export function samplePolicy(p: DrugPatient): { patient: DrugPatient; warnings: Issue[] } {
  const warnings: Issue[] = [];
  const evid = (r: DrugRecord): number => r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0);
  const isLevel = (r: DrugRecord): boolean =>
    evid(r) === 0 && (r.mdv ?? (r.dv === null || r.dv === undefined ? 1 : 0)) === 0;
  const firstDose = p.records.find((r) => evid(r) === 1 || evid(r) === 4)?.time ?? -Infinity;
  const where = (r: DrugRecord, i: number): string => r.source ?? `data[line ${r.line ?? i + 1}]`;
  const records: DrugRecord[] = [];
  p.records.forEach((r, i) => {
    if (!isLevel(r)) {
      records.push(r);
      return;
    }
    const at = r.source ? (r.at ?? `t = ${r.time} ${p.units.time}`) : `t = ${r.time} ${p.units.time}`;
    if (r.time < firstDose) {
      warnings.push({
        code: 'DT_SAMPLE_BEFORE_DOSE',
        severity: 'warning',
        field: `${where(r, i)}.${r.source ? 'at' : 'TIME'}`,
        message: `the level at ${at} is before the first recorded dose; not used`,
      });
      // Kept as a record without a level: its covariates still apply from there.
      const { dv: _dv, lloq: _lloq, cens: _cens, ...rest } = r;
      if (rest.covariates && Object.keys(rest.covariates).length)
        records.push({ ...rest, evid: 2, mdv: 1, time: Math.max(r.time, firstDose) });
      return;
    }
    const dv = r.dv as number;
    if (r.lloq !== undefined && r.cens !== 1 && dv < r.lloq) {
      warnings.push({
        code: 'DT_SAMPLE_BLQ',
        severity: 'warning',
        field: `${where(r, i)}.${r.source ? 'value' : 'DV'}`,
        message: `the level at ${at} (${dv} ${p.units.conc}) is below the LLOQ ${r.lloq} ${p.units.conc}: fitted as censored (Beal's M3), not as a value`,
      });
      records.push({ ...r, cens: 1 });
      return;
    }
    records.push(r);
  });
  return { patient: { ...p, records: records.sort((a, b) => a.time - b.time) }, warnings };
}

// ---------------------------------------------------------------- the clinical record

/** A patient's clinical record: what the service stores and the web app enters (ISO date-times with a zone). */
export interface ClinicalRecord {
  patientId: string;
  administrations: {
    at: string;
    amount: number;
    unit: string;
    route: Route;
    duration: { value: number; unit: string } | null;
    product: string;
  }[];
  samples: { at: string; value: number; unit: string; matrix: string; assay: string; lloq: number | null }[];
  covariates: { at: string; name: string; value: number; unit: string }[];
}

/** The clinical record as a drug-level patient (see the module's policy), with its time origin. */
export interface ClinicalPatient {
  patient: DrugPatient;
  /** Time 0 of the records (epoch ms): the first dose. */
  originMs: number;
  /** Policy warnings (levels not used, censored levels). */
  warnings: Issue[];
  /** Index into the record's samples of each level used, record order. */
  usedSamples: number[];
}

const H = 3_600_000;
/** A clinical date-time: ISO 8601 with a time-zone designator (`2026-11-12T08:00+01:00`). */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The clinical record as a drug-level patient: times in hours from the first dose, amounts in the
 * first dose's unit, levels in the first level's unit (mg/L without levels), infusion rates from
 * their durations, routes kept; each record carries the covariates recorded at or before it (the
 * latest value of each name), and a covariate recorded after the last dose and level gets a
 * record of its own (it applies to the future).
 */
export function clinicalPatient(record: ClinicalRecord): ClinicalPatient {
  if (!record.administrations.length)
    throw new DosetwinError([
      err('DT_ANALYSIS_NO_DOSE', 'administrations', 'the patient has no recorded dose'),
    ]);
  // Every problem of the record at once, each naming its field.
  const issues: Issue[] = [];
  const time = (at: string, field: string): number => {
    const ms = Date.parse(at);
    if (typeof at !== 'string' || !ISO_WITH_ZONE.test(at) || !Number.isFinite(ms)) {
      issues.push(
        err(
          'DT_REGIMEN',
          field,
          `'${at}' is not an ISO 8601 date-time with a time zone`,
          "write e.g. '2026-11-12T08:00+01:00'",
        ),
      );
      return NaN;
    }
    return ms;
  };
  const conv = (v: number, from: string, to: string, field: string): number => {
    try {
      return convert(v, from, to, field);
    } catch (e) {
      if (e instanceof DosetwinError) issues.push(...e.issues);
      else throw e;
      return NaN;
    }
  };
  const doseMs = record.administrations.map((a, k) => time(a.at, `administrations[${k}].at`));
  record.administrations.forEach((a, k) => {
    if (!(a.amount > 0) || !Number.isFinite(a.amount))
      issues.push(
        err('DT_REGIMEN', `administrations[${k}].amount`, `amount ${a.amount} must be a positive number`),
      );
  });
  const sampleMs = record.samples.map((s, k) => time(s.at, `samples[${k}].at`));
  record.covariates.forEach((c, k) => time(c.at, `covariates[${k}].at`));
  const originMs = Math.min(...doseMs.filter(Number.isFinite));
  const hours = (ms: number): number => (ms - originMs) / H;
  const levels = record.samples.map((s, k) => ({ s, k, ms: sampleMs[k] }));
  const units = {
    dose: record.administrations[0].unit,
    time: 'h',
    conc: (levels.find((l) => l.ms >= originMs) ?? levels[0])?.s.unit ?? 'mg/L',
  };
  // The latest recorded value of every covariate at a time: a bare number for codes (unit '-').
  const covs = [...record.covariates].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const recordedAt = (ms: number, after: number): PatientCovariates => {
    const o: Record<string, number | { value: number; unit: string }> = {};
    for (const c of covs) {
      const t = Date.parse(c.at);
      if (t <= ms && t > after) o[c.name] = c.unit === '-' ? c.value : { value: c.value, unit: c.unit };
    }
    return o;
  };
  const rows: { ms: number; order: number; record: DrugRecord }[] = [];
  record.administrations.forEach((a, k) => {
    const ms = doseMs[k];
    const amt = conv(a.amount, a.unit, units.dose, `administrations[${k}].unit`);
    const rate =
      a.route === 'infusion' && a.duration
        ? amt / conv(a.duration.value, a.duration.unit, 'h', `administrations[${k}].duration.unit`)
        : 0;
    if (a.route === 'infusion' && !a.duration)
      issues.push(err('DT_REGIMEN', `administrations[${k}].duration`, 'an infusion needs its duration'));
    rows.push({
      ms,
      order: 0,
      record: {
        time: hours(ms),
        evid: 1,
        amt,
        rate,
        route: a.route,
        source: `administrations[${k}]`,
        at: a.at,
      },
    });
  });
  for (const { s, k, ms } of levels)
    rows.push({
      ms,
      order: 1,
      record: {
        time: hours(ms),
        evid: 0,
        dv: conv(s.value, s.unit, units.conc, `samples[${k}].unit`),
        ...(s.lloq !== null ? { lloq: conv(s.lloq, s.unit, units.conc, `samples[${k}].lloq`) } : {}),
        source: `samples[${k}]`,
        at: s.at,
      },
    });
  if (issues.length) throw new DosetwinError(issues);
  // Covariates recorded after every dose and level: a record of their own.
  const lastMs = Math.max(...rows.map((r) => r.ms));
  const late = [...new Set(covs.map((c) => Date.parse(c.at)).filter((t) => t > lastMs))].sort(
    (a, b) => a - b,
  );
  for (const ms of late)
    rows.push({ ms, order: 2, record: { time: hours(ms), evid: 2, source: 'covariates' } });
  // By time, doses before levels at the same instant.
  rows.sort((a, b) => a.ms - b.ms || a.order - b.order);
  let prev = -Infinity;
  const all = rows.map((r, i) => {
    const covariates = recordedAt(r.ms, i === 0 ? -Infinity : prev);
    prev = r.ms;
    return { ...r.record, ...(Object.keys(covariates).length ? { covariates } : {}) };
  });
  const policy = samplePolicy({ id: record.patientId, units, records: all });
  const records = policy.patient.records.map((r, i) => ({ ...r, line: i + 1 }));
  const warnings = policy.warnings;
  const used = records.flatMap((r) =>
    r.evid === 0 && r.source?.startsWith('samples[') ? [Number(r.source.slice(8, -1))] : [],
  );
  return {
    patient: { id: record.patientId, units, records },
    originMs,
    warnings,
    usedSamples: used,
  };
}
