/**
 * The audit trail as the auditor reads it: pseudonymised rows (ids, the patient's pseudonym, the
 * operator's user name; never a patient's identity or a clinical value), filtered and paged, and
 * the integrity of the record (append-only triggers, the hash chain).
 */
import { type Static, Type } from 'typebox';
import { Id, Nullable, strict, Timestamp } from './common.ts';

const Day = Type.String({
  pattern:
    '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,3})?)?Z)?$',
  description: "a UTC day ('2026-11-12') or instant ('2026-11-12T08:00:00Z')",
});

export const AuditQuery = Type.Object(
  {
    userId: Type.Optional(Id),
    patientId: Type.Optional(Id),
    action: Type.Optional(
      Type.String({ pattern: '^[a-z-]{1,30}$', description: "'read', 'deny', 'validate'…" }),
    ),
    entity: Type.Optional(
      Type.String({ pattern: '^[a-z_+-]{1,40}$', description: "'patient', 'route', 'audit'…" }),
    ),
    from: Type.Optional(Day),
    to: Type.Optional({ ...Day, description: 'up to (a day: that whole day)' }),
    before: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,12}$',
        description: 'rows before this sequence number (the next page)',
      }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: 'rows per page, at most 500; default 100' }),
    ),
  },
  strict,
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEntry = Type.Object({
  seq: Type.Integer({ description: 'place in the hash chain' }),
  at: Timestamp,
  userId: Nullable(Type.String()),
  username: Nullable(Type.String({ description: 'the operator (staff account), not a patient' })),
  action: Type.String({
    description: 'read, create, update, login, logout, export, analyse, validate, correct, deny, migrate…',
  }),
  entity: Type.String(),
  entityId: Nullable(Type.String()),
  patientId: Nullable(Type.String()),
  pseudonym: Nullable(Type.String({ description: "the patient's pseudonym" })),
  before: Type.Unknown({
    description: 'the state before: a keyed digest, and the ids, statuses and roles in it; or null',
  }),
  after: Type.Unknown({ description: 'the state after, as `before`' }),
  hash: Type.String({ description: "the row's hash in the chain" }),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object(
  {
    entries: Type.Array(AuditEntry),
    next: Nullable(Type.Integer({ description: 'pass as `before` for the next page; null: no more' })),
  },
  { description: 'audit rows, most recent first' },
);
export type AuditPage = Static<typeof AuditPage>;

export const AuditIntegrity = Type.Object(
  {
    ok: Type.Boolean(),
    rows: Type.Integer(),
    head: Type.Object({ seq: Type.Integer(), hash: Type.String(), at: Type.String() }),
    triggers: Type.Array(Type.String({ description: 'an append-only trigger missing, disabled or altered' })),
    chain: Type.Array(Type.Object({ seq: Nullable(Type.Integer()), problem: Type.String() })),
  },
  { description: 'the append-only triggers and the hash chain, checked now' },
);
export type AuditIntegrity = Static<typeof AuditIntegrity>;
