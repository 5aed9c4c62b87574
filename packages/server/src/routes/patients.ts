/**
 * Patients (identity apart from clinical data), covariate observations, administrations and
 * samples. Every read of a record and every change is audited; identity is returned only when
 * asked for (`?identity=true`) and exports are pseudonymised.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../app.ts';
import type { SessionUser } from '../auth.ts';
import { reject } from '../errors.ts';
import { audit, isUniqueViolation, newId, nowIso, patientFor } from '../store.ts';
import { Checks, checkCovariate, ISO_WITH_ZONE } from '../validate.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;
const At = Type.String({ pattern: ISO_WITH_ZONE, maxLength: 40, description: 'ISO 8601 with time zone' });
const Unit = Type.String({ minLength: 1, maxLength: 20 });
const Num = Type.Number();
const Text = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const strict = { additionalProperties: false } as const;

export const patientRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = ctx.db;

    app.post(
      '/patients',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['patients'],
          body: Type.Object(
            {
              identity: Type.Object(
                {
                  familyName: Text(),
                  givenName: Text(),
                  birthDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
                  hospitalNumber: Type.String({ pattern: '^[A-Za-z0-9-]{1,40}$' }),
                },
                strict,
              ),
              sex: Type.Union([Type.Literal('male'), Type.Literal('female')]),
              service: Type.Optional(Text(100)),
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const b = req.body;
        const c = new Checks();
        const bd = Date.parse(`${b.identity.birthDate}T00:00Z`);
        if (!Number.isFinite(bd) || bd > Date.now() || bd < Date.parse('1900-01-01T00:00Z'))
          c.add(
            'DT_REQUEST_VALUE',
            'identity.birthDate',
            `${b.identity.birthDate} is not a past date after 1900`,
          );
        const service = b.service ?? user.service;
        if (user.role === 'prescriber' && service !== user.service)
          c.add(
            'DT_AUTH_FORBIDDEN',
            'service',
            `a prescriber creates patients in their own service (${user.service})`,
          );
        c.throwIfAny();
        const id = newId();
        const row = {
          id,
          pseudonym: `P-${randomBytes(5).toString('hex').toUpperCase()}`,
          service,
          sex: b.sex,
          created_at: nowIso(),
          created_by: user.id,
        };
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('patients').values(row).execute();
            await trx
              .insertInto('patient_identity')
              .values({
                patient_id: id,
                family_name: b.identity.familyName,
                given_name: b.identity.givenName,
                birth_date: b.identity.birthDate,
                hospital_number: b.identity.hospitalNumber,
              })
              .execute();
            await audit(trx, {
              user,
              action: 'create',
              entity: 'patient',
              entityId: id,
              patientId: id,
              after: { ...row, identity: b.identity },
            });
          });
        } catch (e) {
          if (isUniqueViolation(e))
            reject(
              'DT_DUPLICATE',
              'identity.hospitalNumber',
              `a patient with hospital number ${b.identity.hospitalNumber} exists`,
            );
          throw e;
        }
        reply.status(201);
        return { id, pseudonym: row.pseudonym, service };
      },
    );

    app.get('/patients', { config: { access: CLINICAL }, schema: { tags: ['patients'] } }, async (req) => {
      const user = req.user!;
      let q = db
        .selectFrom('patients')
        .select(['id', 'pseudonym', 'service', 'sex', 'created_at'])
        .orderBy('created_at');
      if (user.role === 'prescriber') q = q.where('service', '=', user.service);
      const rows = await q.execute();
      await audit(db, {
        user,
        action: 'read',
        entity: 'patient-list',
        entityId: null,
        after: { count: rows.length },
      });
      return rows;
    });

    app.get(
      '/patients/:id',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['patients'],
          params: IdParams,
          querystring: Type.Object(
            { identity: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
            strict,
          ),
        },
      },
      async (req) => {
        const user = req.user!;
        const p = await patientFor(db, user, req.params.id, 'id');
        const withIdentity = req.query.identity === 'true';
        const [covariates, administrations, samples, requests, identity] = await Promise.all([
          db.selectFrom('covariates').selectAll().where('patient_id', '=', p.id).orderBy('at_utc').execute(),
          db
            .selectFrom('administrations')
            .selectAll()
            .where('patient_id', '=', p.id)
            .orderBy('at_utc')
            .execute(),
          db.selectFrom('samples').selectAll().where('patient_id', '=', p.id).orderBy('at_utc').execute(),
          db
            .selectFrom('requests')
            .selectAll()
            .where('patient_id', '=', p.id)
            .orderBy('created_at')
            .execute(),
          withIdentity
            ? db.selectFrom('patient_identity').selectAll().where('patient_id', '=', p.id).executeTakeFirst()
            : Promise.resolve(undefined),
        ]);
        await audit(db, {
          user,
          action: 'read',
          entity: withIdentity ? 'patient+identity' : 'patient',
          entityId: p.id,
          patientId: p.id,
        });
        return { patient: p, identity: identity ?? null, covariates, administrations, samples, requests };
      },
    );

    /** Insert one clinical record with its audit row; a duplicate gives 409 naming the field. */
    const insertRecord = async (
      table: 'covariates' | 'administrations' | 'samples',
      row: Record<string, unknown> & { id: string; patient_id: string },
      user: SessionUser,
      duplicateMessage: string,
    ): Promise<void> => {
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
    };

    app.post(
      '/patients/:id/covariates',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: Type.Object(
            {
              at: At,
              name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,30}$' }),
              value: Num,
              unit: Unit,
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const p = await patientFor(db, user, req.params.id, 'id');
        const b = req.body;
        const c = new Checks();
        const atUtc = c.time(b.at, 'at');
        checkCovariate(c, b.name, b.value, b.unit);
        c.throwIfAny();
        const row = {
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
        await insertRecord('covariates', row, user, `${b.name} is already recorded at ${b.at}`);
        reply.status(201);
        return { id: row.id };
      },
    );

    app.post(
      '/patients/:id/administrations',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: Type.Object(
            {
              at: At,
              amount: Num,
              unit: Unit,
              route: Type.Union([Type.Literal('oral'), Type.Literal('bolus'), Type.Literal('infusion')]),
              duration: Type.Optional(Type.Object({ value: Num, unit: Unit }, strict)),
              product: Text(),
            },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const p = await patientFor(db, user, req.params.id, 'id');
        const b = req.body;
        const c = new Checks();
        const atUtc = c.time(b.at, 'at');
        c.positive(b.amount, 'amount', 'amount');
        c.unit(b.unit, 'mass', 'unit');
        if (b.route === 'infusion') {
          if (!b.duration)
            c.add('DT_REQUEST_VALUE', 'duration', 'an infusion needs its duration (value and unit)');
          else {
            c.positive(b.duration.value, 'duration.value', 'duration');
            c.unit(b.duration.unit, 'time', 'duration.unit');
          }
        } else if (b.duration) c.add('DT_REQUEST_VALUE', 'duration', `a ${b.route} dose has no duration`);
        c.throwIfAny();
        const row = {
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
        await insertRecord('administrations', row, user, `a dose is already recorded at ${b.at}`);
        reply.status(201);
        return { id: row.id };
      },
    );

    app.post(
      '/patients/:id/samples',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: Type.Object(
            { at: At, value: Num, unit: Unit, matrix: Text(60), assay: Text(100), lloq: Type.Optional(Num) },
            strict,
          ),
        },
      },
      async (req, reply) => {
        const user = req.user!;
        const p = await patientFor(db, user, req.params.id, 'id');
        const b = req.body;
        const c = new Checks();
        const atUtc = c.time(b.at, 'at');
        if (!(Number.isFinite(b.value) && b.value >= 0))
          c.add('DT_REQUEST_VALUE', 'value', `concentration ${b.value} must be ≥ 0`);
        if (b.lloq !== undefined && !(b.lloq > 0))
          c.add('DT_REQUEST_VALUE', 'lloq', `LLOQ ${b.lloq} must be > 0 (in the sample's unit)`);
        c.unit(b.unit, 'conc', 'unit');
        c.throwIfAny();
        const dose = await db
          .selectFrom('administrations')
          .select('id')
          .where('patient_id', '=', p.id)
          .where('at_utc', '<=', atUtc)
          .limit(1)
          .executeTakeFirst();
        if (!dose)
          reject(
            'DT_SAMPLE_BEFORE_DOSE',
            'at',
            `no dose is recorded at or before ${b.at}`,
            'record the doses first (POST …/administrations)',
          );
        const row = {
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
        await insertRecord(
          'samples',
          row,
          user,
          `a ${b.matrix} sample by ${b.assay} is already recorded at ${b.at}`,
        );
        reply.status(201);
        return { id: row.id };
      },
    );

    app.get(
      '/patients/:id/export',
      { config: { access: ['pharmacologist'] }, schema: { tags: ['patients'], params: IdParams } },
      async (req) => {
        const user = req.user!;
        const p = await patientFor(db, user, req.params.id, 'id');
        const strip = <T extends { id: string; patient_id: string; created_by: string }>(r: T) => {
          const { id: _i, patient_id: _p, created_by: _c, ...rest } = r;
          return rest;
        };
        const [covariates, administrations, samples] = await Promise.all([
          db.selectFrom('covariates').selectAll().where('patient_id', '=', p.id).orderBy('at_utc').execute(),
          db
            .selectFrom('administrations')
            .selectAll()
            .where('patient_id', '=', p.id)
            .orderBy('at_utc')
            .execute(),
          db.selectFrom('samples').selectAll().where('patient_id', '=', p.id).orderBy('at_utc').execute(),
        ]);
        await audit(db, { user, action: 'export', entity: 'patient', entityId: p.id, patientId: p.id });
        return {
          pseudonym: p.pseudonym,
          sex: p.sex,
          covariates: covariates.map(strip),
          administrations: administrations.map(strip),
          samples: samples.map(strip),
        };
      },
    );
  };
