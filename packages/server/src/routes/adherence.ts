/**
 * Real dose times: a patient's prescriptions, adherence records (missed, late, early, extra doses)
 * and a pill box's file, and their corrections (services/adherence.ts, services/corrections.ts).
 * The patient's record (`GET /patients/:id`) lists them with their corrections.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import {
  AdherenceCreated,
  CorrectionCreated,
  CorrectionParams,
  errorResponses,
  IdParams,
  NewAdherenceCorrection,
  NewAdherenceRecord,
  NewPrescription,
  NewPrescriptionCorrection,
  PillBoxImported,
  PillBoxUpload,
} from '../contract/index.ts';
import { addAdherenceRecord, addPrescription, importPillBox } from '../services/adherence.ts';
import { correctRecord } from '../services/corrections.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;

export const adherenceRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = ctx.db;

    app.post(
      '/patients/:id/prescriptions',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: NewPrescription,
          response: { 201: AdherenceCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return addPrescription(db, req.user!, req.params.id, req.body);
      },
    );

    app.post(
      '/patients/:id/adherence',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: NewAdherenceRecord,
          response: { 201: AdherenceCreated, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return addAdherenceRecord(db, req.user!, req.params.id, req.body);
      },
    );

    app.post(
      '/patients/:id/adherence/pillbox',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['clinical data'],
          params: IdParams,
          body: PillBoxUpload,
          response: { 201: PillBoxImported, ...errorResponses(404, 409, 422) },
        },
      },
      async (req, reply) => {
        reply.status(201);
        return importPillBox(db, req.user!, req.params.id, req.body);
      },
    );

    for (const [path, entity, body] of [
      ['prescriptions', 'prescriptions', NewPrescriptionCorrection],
      ['adherence', 'adherence_records', NewAdherenceCorrection],
    ] as const)
      app.post(
        `/patients/:id/${path}/:recordId/corrections`,
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
          return correctRecord(db, req.user!, req.params.id, entity, req.params.recordId, req.body);
        },
      );
  };
