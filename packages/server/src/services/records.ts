/**
 * A patient's clinical records: covariates, administrations and samples. Each entry is checked
 * beyond its schema (units by the engine's table, times with a zone and not in the future; the
 * same checks for an amendment), stored with its audit row, and read back in time order in the
 * wire's shape with its corrections applied (services/corrections.ts stores them).
 */
import type { Issue } from '@dosetwin/engine';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  Administration,
  Covariate,
  CovariateValues,
  DoseValues,
  EntryCreated,
  LevelValues,
  NewAdministration,
  NewCovariate,
  NewSample,
  Sample,
  SampleCreated,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { DEFAULT_REPORT_TIME_ZONE, timeText } from '../report-text.ts';
import { audit, isUniqueViolation, newId, nowIso, patientFor, type Tx } from '../store.ts';
import { Checks, checkCovariate } from '../validate.ts';
import {
  checkAdministrationEntry,
  checkCovariateEntry,
  checkSampleEntry,
  requireAcknowledgement,
} from './plausibility.ts';

/** Acknowledged warnings as a record's column holds them (null: none). */
export const stored = (acknowledged: readonly Issue[]): string | null =>
  acknowledged.length ? JSON.stringify(acknowledged) : null;
import { applyCorrections, type CorrectionRow, correctionsOf } from './correction-history.ts';

/** A recorded time as a clinician reads it in a message: local to the service's zone, with its offset. */
const localAt = (iso: string, lang: 'en' | 'fr'): string =>
  timeText(iso, lang, process.env.DOSETWIN_TIME_ZONE ?? DEFAULT_REPORT_TIME_ZONE, true);

type Route = Administration['route'];

/** The values entered of each kind of record (what a correction replaces). */
export const covariateValues = (r: Database['covariates']): CovariateValues => ({
  at: r.at,
  name: r.name,
  value: r.value,
  unit: r.unit,
});

export const administrationValues = (r: Database['administrations']): DoseValues => ({
  at: r.at,
  amount: r.amount,
  unit: r.unit,
  // Stored from a body whose route the schema restricted to these three.
  route: r.route as Route,
  duration: r.duration_value === null ? null : { value: r.duration_value, unit: r.duration_unit! },
  product: r.product,
});

export const sampleValues = (r: Database['samples']): LevelValues => ({
  at: r.at,
  value: r.value,
  unit: r.unit,
  matrix: r.matrix,
  assay: r.assay,
  lloq: r.lloq,
});

/** A record on the wire: its values in force, who entered it and when, its status and corrections. */
function recordOut<V>(
  r: { id: string; created_at: string; created_by: string },
  entered: V,
  corrections: readonly CorrectionRow[] | undefined,
) {
  const c = applyCorrections(entered, corrections ?? []);
  return {
    id: r.id,
    ...c.values,
    createdAt: r.created_at,
    createdBy: r.created_by,
    status: c.status,
    corrections: c.corrections,
  };
}

const byTime = <T extends { at: string }>(xs: T[]): T[] =>
  xs.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

/**
 * The patient's covariates, administrations and samples, each in time order, with their
 * corrections applied: the records in force (what analyses use), or with `withErrors` the records
 * entered in error too (the record's timeline shows them struck through).
 */
export async function recordsOf(
  db: Tx,
  patientId: string,
  options: { withErrors?: boolean } = {},
): Promise<{ covariates: Covariate[]; administrations: Administration[]; samples: Sample[] }> {
  const [covariates, administrations, samples, cc, ac, sc] = await Promise.all([
    db.selectFrom('covariates').selectAll().where('patient_id', '=', patientId).execute(),
    db.selectFrom('administrations').selectAll().where('patient_id', '=', patientId).execute(),
    db.selectFrom('samples').selectAll().where('patient_id', '=', patientId).execute(),
    correctionsOf(db, patientId, 'covariates'),
    correctionsOf(db, patientId, 'administrations'),
    correctionsOf(db, patientId, 'samples'),
  ]);
  const keep = <T extends { status: string; at: string }>(xs: T[]): T[] =>
    byTime(options.withErrors ? xs : xs.filter((x) => x.status === 'active'));
  return {
    covariates: keep(covariates.map((r) => recordOut(r, covariateValues(r), cc.get(r.id)))),
    administrations: keep(administrations.map((r) => recordOut(r, administrationValues(r), ac.get(r.id)))),
    samples: keep(samples.map((r) => recordOut(r, sampleValues(r), sc.get(r.id)))),
  };
}

type RecordTable = 'covariates' | 'administrations' | 'samples';

/** A patient's record table: its rows carry their id and patient. */
type PatientTable = RecordTable | 'prescriptions' | 'adherence_records';

/** Insert one row of a patient's record and its audit row, in one transaction. */
export async function insertAudited<T extends PatientTable>(
  db: Kysely<Database>,
  user: SessionUser,
  table: T,
  row: Database[T],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto(table)
      .values(row as never)
      .execute();
    await audit(trx, {
      user,
      action: 'create',
      entity: table,
      entityId: row.id,
      patientId: row.patient_id,
      after: row,
    });
  });
}

/** Insert one record with its audit row; a duplicate (same time) is a 409 naming `at`. */
async function insertRecord<T extends RecordTable>(
  db: Kysely<Database>,
  table: T,
  row: Database[T],
  user: SessionUser,
  duplicateMessage: { en: string; fr: string },
): Promise<{ id: string }> {
  try {
    await insertAudited(db, user, table, row);
  } catch (e) {
    if (isUniqueViolation(e))
      reject(
        'DT_DUPLICATE',
        'at',
        duplicateMessage.en,
        'to change a record (even one entered in error), correct it: amend it with the right values',
        {
          message: duplicateMessage.fr,
          hint: 'pour changer un enregistrement (même saisi par erreur), le corriger : le modifier avec les bonnes valeurs',
        },
      );
    throw e;
  }
  return { id: row.id };
}

/** Checks of a new entry's body beyond its schema, with each field named under `prefix` ('' or 'value.'); its UTC time. */
function prefixed(c: Checks, prefix: string, check: (c: Checks) => string): string {
  const inner = new Checks();
  const atUtc = check(inner);
  c.issues.push(...inner.issues.map((i) => ({ ...i, field: `${prefix}${i.field}` })));
  return atUtc;
}

/** A covariate as entered (a new one or an amendment): time, and the register's name, unit and limits. */
export function checkNewCovariate(c: Checks, b: NewCovariate, prefix = ''): string {
  return prefixed(c, prefix, (c) => {
    const atUtc = c.time(b.at, 'at');
    checkCovariate(c, b.name, b.value, b.unit);
    return atUtc;
  });
}

/** A dose as entered (a new one or an amendment): time, amount and unit, route and duration. */
export function checkNewAdministration(c: Checks, b: NewAdministration, prefix = ''): string {
  return prefixed(c, prefix, (c) => {
    const atUtc = c.time(b.at, 'at');
    c.positive(b.amount, 'amount', 'amount');
    c.unit(b.unit, 'mass', 'unit');
    if (b.route === 'infusion') {
      if (!b.duration)
        c.add('DT_REQUEST_VALUE', 'duration', 'an infusion needs its duration (value and unit)', undefined, {
          message: 'une perfusion demande sa durée (valeur et unité)',
        });
      else {
        c.positive(b.duration.value, 'duration.value', 'duration');
        c.unit(b.duration.unit, 'time', 'duration.unit');
      }
    } else if (b.duration)
      c.add('DT_REQUEST_VALUE', 'duration', `a ${b.route} dose has no duration`, undefined, {
        message: `une dose ${b.route === 'oral' ? 'orale' : 'en bolus'} n’a pas de durée`,
      });
    return atUtc;
  });
}

/** A level as entered (a new one or an amendment): time, value, LLOQ and unit. */
export function checkNewSample(c: Checks, b: NewSample, prefix = ''): string {
  return prefixed(c, prefix, (c) => {
    const atUtc = c.time(b.at, 'at');
    if (!(Number.isFinite(b.value) && b.value >= 0))
      c.add('DT_REQUEST_VALUE', 'value', `concentration ${b.value} must be ≥ 0`, undefined, {
        message: `Concentration ${b.value} : une valeur ≥ 0 est attendue`,
      });
    if (b.lloq !== undefined && !(b.lloq > 0))
      c.add('DT_REQUEST_VALUE', 'lloq', `LLOQ ${b.lloq} must be > 0 (in the sample's unit)`, undefined, {
        message: `LLOQ ${b.lloq} : une limite > 0 est attendue (dans l’unité du prélèvement)`,
      });
    c.unit(b.unit, 'conc', 'unit');
    return atUtc;
  });
}

export async function addCovariate(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewCovariate,
): Promise<EntryCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = checkNewCovariate(c, b);
  c.throwIfAny();
  const ok = requireAcknowledgement(
    await checkCovariateEntry(db, p.id, b, await recordsOf(db, p.id)),
    b.acknowledge,
  );
  const row: Database['covariates'] = {
    id: newId(),
    patient_id: p.id,
    at: b.at,
    at_utc: atUtc,
    name: b.name,
    value: b.value,
    unit: b.unit,
    created_at: nowIso(),
    created_by: user.id,
    acknowledged: stored(ok.acknowledged),
  };
  const { id } = await insertRecord(db, 'covariates', row, user, {
    en: `${b.name} is already recorded at ${localAt(b.at, 'en')}`,
    fr: `${b.name} est déjà enregistré le ${localAt(b.at, 'fr')}`,
  });
  return { id, ...ok };
}

export async function addAdministration(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewAdministration,
): Promise<EntryCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = checkNewAdministration(c, b);
  c.throwIfAny();
  const ok = requireAcknowledgement(
    await checkAdministrationEntry(db, p.id, b, await recordsOf(db, p.id)),
    b.acknowledge,
  );
  const row: Database['administrations'] = {
    id: newId(),
    patient_id: p.id,
    at: b.at,
    at_utc: atUtc,
    amount: b.amount,
    unit: b.unit,
    route: b.route,
    duration_value: b.duration?.value ?? null,
    duration_unit: b.duration?.unit ?? null,
    product: b.product,
    created_at: nowIso(),
    created_by: user.id,
    acknowledged: stored(ok.acknowledged),
  };
  const { id } = await insertRecord(db, 'administrations', row, user, {
    en: `a dose is already recorded at ${localAt(b.at, 'en')}`,
    fr: `une dose est déjà enregistrée le ${localAt(b.at, 'fr')}`,
  });
  return { id, ...ok };
}

export async function addSample(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewSample,
): Promise<SampleCreated> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = checkNewSample(c, b);
  c.throwIfAny();
  const ok = requireAcknowledgement(await checkSampleEntry(db, p.id, b), b.acknowledge);
  // A level before every recorded dose (a residual from an earlier course, or doses not yet
  // entered) is stored, and said: analyses do not use it. Doses entered in error do not count.
  const { administrations } = await recordsOf(db, p.id);
  const dose = administrations.some((a) => Date.parse(a.at) <= Date.parse(atUtc));
  const warnings: Issue[] = dose
    ? []
    : [
        {
          code: 'DT_SAMPLE_BEFORE_DOSE',
          severity: 'warning',
          field: 'at',
          message: `no dose is recorded at or before ${b.at}: analyses will not use this level unless an earlier dose is recorded`,
          hint: 'record the doses given before it (POST …/administrations)',
        },
      ];
  const row: Database['samples'] = {
    id: newId(),
    patient_id: p.id,
    at: b.at,
    at_utc: atUtc,
    value: b.value,
    unit: b.unit,
    matrix: b.matrix,
    assay: b.assay,
    lloq: b.lloq ?? null,
    created_at: nowIso(),
    created_by: user.id,
    acknowledged: stored(ok.acknowledged),
  };
  const { id } = await insertRecord(db, 'samples', row, user, {
    en: `a ${b.matrix} sample by ${b.assay} is already recorded at ${localAt(b.at, 'en')}`,
    fr: `un prélèvement (${b.matrix}, ${b.assay}) est déjà enregistré le ${localAt(b.at, 'fr')}`,
  });
  return { id, warnings, ...ok };
}
