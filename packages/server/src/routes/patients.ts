/**
 * Patients and their clinical records (covariates, administrations, samples). Identity is
 * returned only when asked for (`?identity=true`); exports are pseudonymised; every read and
 * change is audited (services/patients.ts, services/records.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import {
  CorrectionCreated,
  CorrectionParams,
  errorResponses,
  IdParams,
  NewAdministration,
  NewCovariate,
  NewCovariateCorrection,
  NewDoseCorrection,
  NewIdentityCorrection,
  NewLevelCorrection,
  NewPatient,
  NewSample,
  PatientCreated,
  PatientExport,
  PatientList,
  PatientRecord,
  EntryCreated,
  SampleCreated,
  RecordQuery,
} from '../contract/index.ts';
import { correctIdentity, correctRecord } from '../services/corrections.ts';
import { createPatient, exportPatient, listPatients, patientRecord } from '../services/patients.ts';
import { addAdministrationChecked } from '../services/adherence.ts';
import { addCovariate, addSample } from '../services/records.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;

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
          body: NewPatient,
          response: { 201: PatientCreated, ...errorResponses(409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return createPatient(db, req.user!, req.body);
      },
    );

    app.get(
      '/patients',
      { config: { access: CLINICAL }, schema: { tags: ['patients'], response: { 200: PatientList } } },
      async (req) => listPatients(db, req.user!),
    );

    app.get(
      '/patients/:id',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['patients'],
          params: IdParams,
          querystring: RecordQuery,
          response: { 200: PatientRecord, ...errorResponses(404) },
        },
      },
      async (req) => patientRecord(db, req.user!, req.params.id, req.query.identity === 'true'),
    );

    app.post(
      '/patients/:id/covariates',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: NewCovariate,
          response: { 201: EntryCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return addCovariate(db, req.user!, req.params.id, req.body);
      },
    );

    app.post(
      '/patients/:id/administrations',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: NewAdministration,
          response: { 201: EntryCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return addAdministrationChecked(db, req.user!, req.params.id, req.body);
      },
    );

    app.post(
      '/patients/:id/samples',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: NewSample,
          response: { 201: SampleCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return addSample(db, req.user!, req.params.id, req.body);
      },
    );

    // Corrections: a dose, a level or a covariate amended or marked entered in error; the identity amended.
    for (const [kind, body] of [
      ['administrations', NewDoseCorrection],
      ['samples', NewLevelCorrection],
      ['covariates', NewCovariateCorrection],
    ] as const)
      app.post(
        `/patients/:id/${kind}/:recordId/corrections`,
        {
          config: { access: CLINICAL },
          schema: {
            tags: ['clinical data'],
            params: CorrectionParams,
            body,
            response: { 201: CorrectionCreated, ...errorResponses(404, 409, 422) },
          },
        },
        async (req, reply) => {
          reply.status(201);
          return correctRecord(db, req.user!, req.params.id, kind, req.params.recordId, req.body);
        },
      );

    app.post(
      '/patients/:id/identity/corrections',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['patients'],
          params: IdParams,
          body: NewIdentityCorrection,
          response: { 201: CorrectionCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return correctIdentity(db, req.user!, req.params.id, req.body);
      },
    );

    app.get(
      '/patients/:id/export',
      {
        config: { access: ['pharmacologist'] },
        schema: {
          tags: ['patients'],
          params: IdParams,
          response: { 200: PatientExport, ...errorResponses(404) },
        },
      },
      async (req) => exportPatient(db, req.user!, req.params.id),
    );
  };
