/**
 * Local versions of library models: a pharmacologist proposes one (fitted on the service's
 * patients, or uploaded), another approves or rejects it, and only an approved version in force is
 * used by analyses. The evidence is the library's `LocalModelEvidence` (models/src/local-model.ts).
 */
import type { LocalModelEvidence as LibraryEvidence } from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, Nullable, type Same, strict, Timestamp } from './common.ts';
import { Reauth } from './validations.ts';

const Num = Type.Number();
const Triple = Type.Tuple([Num, Num, Num]);

const GroupStats = Type.Object({
  by: Type.String(),
  group: Type.String(),
  patients: Type.Integer(),
  forecasts: Type.Integer(),
  bias: Num,
  ci: Nullable(Type.Tuple([Num, Num])),
  mean: Num,
  rmse: Num,
  medianAbs: Num,
  flagged: Type.Boolean(),
});

const AuditRows = Type.Object({ overall: GroupStats, groups: Type.Array(GroupStats) });

const VpcBin = Type.Object({
  lo: Num,
  hi: Num,
  time: Num,
  count: Type.Integer(),
  observed: Triple,
  simulated: Type.Tuple([Triple, Triple, Triple]),
});

export const LocalModelEvidence = Type.Object(
  {
    published: Type.Object({ id: Type.String(), version: Type.String(), citation: Type.String() }),
    method: Type.Union([Type.Literal('focei-prior'), Type.Literal('uploaded')]),
    date: Type.String(),
    patients: Type.Object({
      local: Type.Integer(),
      fitted: Type.Integer(),
      heldOut: Type.Integer(),
      excluded: Type.Array(Type.Object({ patientId: Type.String(), reason: Type.String() })),
    }),
    fit: Type.Object({
      ofv: Num,
      converged: Type.Boolean(),
      iterations: Type.Integer(),
      shrinkage: Type.Record(Type.String(), Num),
    }),
    parameters: Type.Array(
      Type.Object({
        name: Type.String(),
        kind: Type.Union([Type.Literal('theta'), Type.Literal('omega'), Type.Literal('sigma')]),
        unit: Type.String(),
        published: Num,
        local: Num,
        estimated: Type.Boolean(),
      }),
    ),
    predictiveCheck: Type.Object({
      patients: Type.Integer(),
      published: GroupStats,
      updated: GroupStats,
      better: Type.Boolean(),
    }),
    biasAudit: Type.Object({ published: AuditRows, local: AuditRows }),
    gof: Type.Array(
      Type.Object({
        id: Type.String(),
        time: Num,
        dv: Num,
        pred: Nullable(Num),
        ipred: Nullable(Num),
        cwres: Nullable(Num),
        censored: Type.Boolean(),
      }),
    ),
    vpc: Type.Array(VpcBin),
    pcvpc: Type.Array(VpcBin),
    individual: Type.Array(
      Type.Object({
        id: Type.String(),
        observed: Type.Array(Type.Object({ time: Num, dv: Num, censored: Type.Boolean() })),
        curve: Type.Object({ time: Type.Array(Num), pred: Type.Array(Num), ipred: Type.Array(Num) }),
      }),
    ),
    units: Type.Object({ time: Type.String(), conc: Type.String() }),
  },
  { description: 'what the approver reads: parameters, predictive check, bias audit, diagnostics' },
);
export type LocalModelEvidence = Static<typeof LocalModelEvidence>;
export type _EvidenceIsTheLibrarys = Assert<Same<LocalModelEvidence, LibraryEvidence>>;

export const LocalModelStatus = Type.Union([
  Type.Literal('proposed'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('retired'),
]);

const Person = Type.Object({ id: Type.String(), name: Type.String() });

/** A local version as listed: its provenance and state, without the evidence. */
export const LocalModelSummary = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  version: Type.Integer(),
  /** The IR's version, what analyses record (`2009+local.2`). */
  modelVersion: Type.String(),
  status: LocalModelStatus,
  /** Approved and not superseded nor retired: what analyses of the model use. */
  inForce: Type.Boolean(),
  method: Type.Union([Type.Literal('focei-prior'), Type.Literal('uploaded')]),
  citation: Type.String(),
  patients: Type.Integer(),
  proposedBy: Person,
  proposedAt: Timestamp,
  decidedBy: Nullable(Person),
  decidedAt: Nullable(Timestamp),
  decisionNote: Nullable(Type.String()),
  retiredBy: Nullable(Person),
  retiredAt: Nullable(Timestamp),
});
export type LocalModelSummary = Static<typeof LocalModelSummary>;

export const LocalModel = Type.Object(
  { ...LocalModelSummary.properties, evidence: LocalModelEvidence },
  { description: 'a local version of a library model with its evidence' },
);
export type LocalModel = Static<typeof LocalModel>;

export const LocalModelQuery = Type.Object(
  { modelId: Type.Optional(Type.String({ maxLength: 100 })) },
  strict,
);

export const NewLocalModel = Type.Object(
  {
    modelId: Type.String({
      maxLength: 100,
      description: "the library model adapted, e.g. 'vancomycin/thomson2009'",
    }),
    estimate: Type.Optional(
      Type.Array(Type.String({ maxLength: 40 }), {
        maxItems: 30,
        description: 'θ estimated from the local patients (the others stay published); default: all',
      }),
    ),
    uploaded: Type.Optional(
      Type.String({
        maxLength: 200_000,
        description:
          'a model file (.dtm) of the same structure fitted elsewhere: judged on the local patients, not fitted',
      }),
    ),
  },
  strict,
);
export type NewLocalModel = Static<typeof NewLocalModel>;

export const LocalModelDecision = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'why (a rejection needs it)' })),
    // A version in force changes every later analysis of the model: decided as a signature is.
    reauth: Reauth,
  },
  strict,
);
export type LocalModelDecision = Static<typeof LocalModelDecision>;

export const LocalModelRetirement = Type.Object(
  {
    note: Type.String({ minLength: 1, maxLength: 2000, description: 'why the version is retired' }),
    reauth: Reauth,
  },
  strict,
);
export type LocalModelRetirement = Static<typeof LocalModelRetirement>;

/** What an analysis records of the local version it used. */
export const AnalysisLocalModel = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer(),
    modelVersion: Type.String(),
    approvedBy: Type.String(),
    approvedAt: Timestamp,
  },
  { description: 'the approved local version of the model the analysis used' },
);
export type AnalysisLocalModel = Static<typeof AnalysisLocalModel>;

/** A local version's model (the engine's IR), for the browser's twin of an analysis made with it. */
export const LocalModelIr = Type.Object(
  {
    id: Type.String(),
    modelId: Type.String(),
    modelVersion: Type.String(),
    status: LocalModelStatus,
    ir: Type.Unknown({ description: "the engine's ModelIR of the local version (plain JSON)" }),
  },
  { description: 'the model of a local version, for the what-if of an analysis made with it' },
);
export type LocalModelIr = Static<typeof LocalModelIr>;
