/**
 * The pharmacologist's signed decision on an analysis: accept a ranked candidate, modify (the
 * regimen retained instead, in the one regimen shape) or reject, with a comment; signed by user,
 * time and the analysis's hash.
 */
import { type Static, Type } from 'typebox';
import { Nullable, strict, Timestamp } from './common.ts';
import { RetainedEvaluation } from './forecast.ts';
import { Acknowledge, Acknowledged } from './plausibility.ts';
import { Regimen } from './regimen.ts';

/** A decision's author re-authenticates: the password or a code of the second factor. */
export const Reauth = Type.Object(
  {
    password: Type.Optional(Type.String({ maxLength: 200 })),
    code: Type.Optional(Type.String({ maxLength: 10, description: 'a TOTP code' })),
  },
  {
    ...strict,
    description: 'the signer re-authenticates: the password or a code of the second factor',
  },
);

export const Decision = Type.Union([Type.Literal('accept'), Type.Literal('modify'), Type.Literal('reject')]);
export type Decision = Static<typeof Decision>;

export const NewValidation = Type.Object(
  {
    decision: Decision,
    comment: Type.String({ maxLength: 4000, description: "required for 'modify' and 'reject'" }),
    candidate: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 20,
        description: "'accept': the rank of the chosen candidate (default 1)",
      }),
    ),
    regimen: Type.Optional({ ...Regimen, description: "'modify': the regimen retained instead" }),
    acknowledge: Type.Optional(Acknowledge),
    reauth: Reauth,
  },
  strict,
);
export type NewValidation = Static<typeof NewValidation>;

export const Validation = Type.Object(
  {
    id: Type.String(),
    decision: Decision,
    comment: Type.String(),
    regimen: Nullable(Regimen),
    evaluation: Nullable(RetainedEvaluation),
    analysisHash: Type.String({ description: 'SHA-256 of the analysis signed' }),
    signedBy: Type.String(),
    signedAt: Timestamp,
    signature: Type.String({
      description:
        "with signatureAlgorithm 'ed25519': the service key's signature (base64url) of the signed record's canonical JSON (analysis and its hash, decision, comment, regimen, evaluation, signer, time, meaning, re-authentication); without: the SHA-256 of a validation signed before keyed signatures",
    }),
    acknowledged: Acknowledged,
    signatureAlgorithm: Nullable(Type.String()),
    signatureKey: Nullable(Type.String({ description: "the id of the service key's public key" })),
    meaning: Nullable(
      Type.String({ description: 'what the signature means (approval or rejection), as signed' }),
    ),
    reauth: Nullable(
      Type.Union([Type.Literal('password'), Type.Literal('totp')], {
        description: 'how the signer re-authenticated at signing',
      }),
    ),
    verified: Type.Optional(
      Type.Object(
        {
          status: Type.Union([
            Type.Literal('valid'),
            Type.Literal('invalid'),
            Type.Literal('other-key'),
            Type.Literal('unkeyed'),
          ]),
          reason: Type.String(),
        },
        {
          description:
            "the signature checked as the analysis is read (GET /api/analyses/:id): 'valid' only when the service key's signature verifies over the stored row and the analysis is the one signed; anything else is a record altered or signed elsewhere, which no report is produced from",
        },
      ),
    ),
  },
  { description: 'the signed validation; the regimen retained (null for reject)' },
);
export type Validation = Static<typeof Validation>;
