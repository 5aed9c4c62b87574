/**
 * A patient's clinical records: covariates, administrations and samples. Each entry is checked
 * beyond its schema (units by the engine's table, times with a zone and not in the future),
 * stored with its audit row, and read back in time order in the wire's shape.
 */
import type { Issue } from '@dosetwin/engine';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  Administration,
  Covariate,
  NewAdministration,
  NewCovariate,
  NewSample,
  Sample,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso, patientFor, type Tx } from '../store.ts';
import { Checks, checkCovariate } from '../validate.ts';

type Route = Administration['route'];

export const covariateOut = (r: Database['covariates']): Covariate => ({
  id: r.id,
  at: r.at,
  name: r.name,
  value: r.value,
  unit: r.unit,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

export const administrationOut = (r: Database['administrations']): Administration => ({
  id: r.id,
  at: r.at,
  amount: r.amount,
  unit: r.unit,
  // Stored from a body whose route the schema restricted to these three.
  route: r.route as Route,
  duration: r.duration_value === null ? null : { value: r.duration_value, unit: r.duration_unit! },
  product: r.product,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

export const sampleOut = (r: Database['samples']): Sample => ({
  id: r.id,
  at: r.at,
  value: r.value,
  unit: r.unit,
  matrix: r.matrix,
  assay: r.assay,
  lloq: r.lloq,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** The patient's covariates, administrations and samples, each in time order. */
export async function recordsOf(
  db: Tx,
  patientId: string,
): Promise<{ covariates: Covariate[]; administrations: Administration[]; samples: Sample[] }> {
  const [covariates, administrations, samples] = await Promise.all([
    db.selectFrom('covariates').selectAll().where('patient_id', '=', patientId).orderBy('at_utc').execute(),
    db
      .selectFrom('administrations')
      .selectAll()
      .where('patient_id', '=', patientId)
      .orderBy('at_utc')
      .execute(),
    db.selectFrom('samples').selectAll().where('patient_id', '=', patientId).orderBy('at_utc').execute(),
  ]);
  return {
    covariates: covariates.map(covariateOut),
    administrations: administrations.map(administrationOut),
    samples: samples.map(sampleOut),
  };
}

type RecordTable = 'covariates' | 'administrations' | 'samples';

/** Insert one record with its audit row; a duplicate (same time) is a 409 naming `at`. */
async function insertRecord<T extends RecordTable>(
  db: Kysely<Database>,
  table: T,
  row: Database[T],
  user: SessionUser,
  duplicateMessage: string,
): Promise<{ id: string }> {
  try {
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
  } catch (e) {
    if (isUniqueViolation(e)) reject('DT_DUPLICATE', 'at', duplicateMessage);
    throw e;
  }
  return { id: row.id };
}

export async function addCovariate(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewCovariate,
): Promise<{ id: string }> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = c.time(b.at, 'at');
  checkCovariate(c, b.name, b.value, b.unit);
  c.throwIfAny();
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
  };
  return insertRecord(db, 'covariates', row, user, `${b.name} is already recorded at ${b.at}`);
}

export async function addAdministration(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewAdministration,
): Promise<{ id: string }> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = c.time(b.at, 'at');
  c.positive(b.amount, 'amount', 'amount');
  c.unit(b.unit, 'mass', 'unit');
  if (b.route === 'infusion') {
    if (!b.duration) c.add('DT_REQUEST_VALUE', 'duration', 'an infusion needs its duration (value and unit)');
    else {
      c.positive(b.duration.value, 'duration.value', 'duration');
      c.unit(b.duration.unit, 'time', 'duration.unit');
    }
  } else if (b.duration) c.add('DT_REQUEST_VALUE', 'duration', `a ${b.route} dose has no duration`);
  c.throwIfAny();
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
  };
  return insertRecord(db, 'administrations', row, user, `a dose is already recorded at ${b.at}`);
}

export async function addSample(
  db: Kysely<Database>,
  user: SessionUser,
  patientId: string,
  b: NewSample,
): Promise<{ id: string; warnings: Issue[] }> {
  const p = await patientFor(db, user, patientId, 'id');
  const c = new Checks();
  const atUtc = c.time(b.at, 'at');
  if (!(Number.isFinite(b.value) && b.value >= 0))
    c.add('DT_REQUEST_VALUE', 'value', `concentration ${b.value} must be ≥ 0`);
  if (b.lloq !== undefined && !(b.lloq > 0))
    c.add('DT_REQUEST_VALUE', 'lloq', `LLOQ ${b.lloq} must be > 0 (in the sample's unit)`);
  c.unit(b.unit, 'conc', 'unit');
  c.throwIfAny();
  // A level before every recorded dose (a residual from an earlier course, or doses not yet
  // entered) is stored, and said: analyses do not use it.
  const dose = await db
    .selectFrom('administrations')
    .select('id')
    .where('patient_id', '=', p.id)
    .where('at_utc', '<=', atUtc)
    .limit(1)
    .executeTakeFirst();
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
  };
  const { id } = await insertRecord(
    db,
    'samples',
    row,
    user,
    `a ${b.matrix} sample by ${b.assay} is already recorded at ${b.at}`,
  );
  return { id, warnings };
}
