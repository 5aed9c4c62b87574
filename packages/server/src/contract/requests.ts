/**
 * Dose-adjustment requests: a prescriber asks a question about a patient, under a library model or
 * for a drug (every model of the drug, averaged).
 */
import { type Static, Type } from 'typebox';
import { Id, Nullable, strict, Timestamp } from './common.ts';
import { Regimen } from './regimen.ts';
import { Decision } from './validations.ts';

export const RequestStatus = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('analysed'),
  Type.Literal('validated'),
  Type.Literal('rejected'),
]);
export type RequestStatus = Static<typeof RequestStatus>;

export const RequestUrgency = Type.Union([Type.Literal('routine'), Type.Literal('urgent')], {
  description: 'urgent requests come first in the queue; default routine',
});
export type RequestUrgency = Static<typeof RequestUrgency>;

export const NewRequest = Type.Object(
  {
    patientId: Id,
    modelId: Type.Optional(Type.String({ maxLength: 100, description: 'a library model (GET /api/models)' })),
    drug: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "a drug ('vancomycin'): every library model of it, averaged; give modelId or drug",
      }),
    ),
    question: Type.String({ maxLength: 2000 }),
    urgency: Type.Optional(RequestUrgency),
  },
  strict,
);
export type NewRequest = Static<typeof NewRequest>;

export const RequestCreated = Type.Object(
  { id: Type.String(), status: RequestStatus },
  { description: 'the request is submitted' },
);
export type RequestCreated = Static<typeof RequestCreated>;

/** What a request is about: a model (its drug beside it), or a drug's models averaged (modelId null). */
const Subject = {
  kind: Type.Union([Type.Literal('model'), Type.Literal('drug')]),
  modelId: Nullable(Type.String()),
  drug: Type.String(),
};

/** A request as its patient's record lists it. */
export const RequestSummary = Type.Object({
  id: Type.String(),
  patientId: Type.String(),
  ...Subject,
  question: Type.String(),
  status: RequestStatus,
  createdAt: Timestamp,
  createdBy: Type.String(),
});
export type RequestSummary = Static<typeof RequestSummary>;

export const RequestQuery = Type.Object({ status: Type.Optional(RequestStatus) }, strict);
export type RequestQuery = Static<typeof RequestQuery>;

/** A request in the work list, with its patient's pseudonym. */
export const RequestListItem = Type.Object({
  id: Type.String(),
  patientId: Type.String(),
  pseudonym: Type.String(),
  ...Subject,
  status: RequestStatus,
  urgency: RequestUrgency,
  createdAt: Timestamp,
});
export type RequestListItem = Static<typeof RequestListItem>;
export const RequestList = Type.Array(RequestListItem, {
  description:
    "the requests the user may see, urgent first, then oldest first (a prescriber: their service's)",
});

export const RequestDetail = Type.Object(
  {
    ...RequestSummary.properties,
    analyses: Type.Array(
      Type.Object({
        id: Type.String(),
        version: Type.Integer(),
        supersedes: Nullable(Type.String()),
        createdAt: Timestamp,
        decision: Nullable({ ...Decision, description: 'the signed decision; null while not validated' }),
      }),
    ),
    inForce: Nullable(
      Type.Object(
        {
          analysisId: Type.String(),
          version: Type.Integer(),
          decision: Decision,
          regimen: Nullable(Regimen),
          signedAt: Timestamp,
          signedBy: Type.String({ description: "the signer's name" }),
        },
        {
          description:
            'the signed decision in force: the latest accepted or modified version, else the latest rejected one (a later rejected version leaves an accepted regimen in force)',
        },
      ),
    ),
    pendingVersion: Nullable(
      Type.Integer({
        description:
          'a newer unsigned version than the decision in force: it supersedes that decision once signed',
      }),
    ),
  },
  { description: 'the request and its analyses, by version' },
);
export type RequestDetail = Static<typeof RequestDetail>;
