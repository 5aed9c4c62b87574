/** Service health, sign-in and sessions, user administration and the audit trail. */
import { type Static, Type } from 'typebox';
import { Id, Nullable, strict, Timestamp } from './common.ts';

export const Health = Type.Object(
  { status: Type.Literal('ok'), database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]) },
  { description: 'the service answers; which database it stores to' },
);
export type Health = Static<typeof Health>;

export const Role = Type.Union([
  Type.Literal('prescriber'),
  Type.Literal('pharmacologist'),
  Type.Literal('admin'),
]);
export type Role = Static<typeof Role>;

export const SessionUser = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    role: Role,
    service: Type.String({ description: 'hospital service (ward): a prescriber sees its patients only' }),
    displayName: Type.String(),
  },
  { description: 'the signed-in user' },
);
export type SessionUser = Static<typeof SessionUser>;

export const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ maxLength: 200 }) },
  strict,
);
export type Login = Static<typeof Login>;

export const Session = Type.Object(
  {
    token: Type.String({ description: 'send as `Authorization: Bearer …`' }),
    user: SessionUser,
    expiresAt: Timestamp,
  },
  { description: 'signed in: the bearer token (also set as an HttpOnly cookie), the user, the expiry' },
);
export type Session = Static<typeof Session>;

export const Ok = Type.Object({ ok: Type.Literal(true) }, { description: 'done' });
export type Ok = Static<typeof Ok>;

const Password = Type.String({ minLength: 12, maxLength: 200 });

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
  service: Type.String(),
  active: Type.Boolean(),
  createdAt: Timestamp,
});
export type User = Static<typeof User>;
export const UserList = Type.Array(User, { description: 'the accounts, by user name' });

export const NewUser = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Password,
    role: Role,
    service: Type.String({ minLength: 1, maxLength: 100 }),
  },
  strict,
);
export type NewUser = Static<typeof NewUser>;

export const UserCreated = Type.Object(
  { id: Type.String(), username: Type.String(), role: Role, service: Type.String() },
  { description: 'the account is created' },
);
export type UserCreated = Static<typeof UserCreated>;

export const UserChange = Type.Object(
  {
    active: Type.Optional(Type.Boolean({ description: 'false signs the user out at once' })),
    role: Type.Optional(Role),
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    password: Type.Optional(Password),
  },
  { ...strict, minProperties: 1 },
);
export type UserChange = Static<typeof UserChange>;

export const UserChanged = Type.Object(
  { id: Type.String(), ok: Type.Literal(true) },
  { description: 'the account is changed' },
);
export type UserChanged = Static<typeof UserChanged>;

export const AuditQuery = Type.Object(
  {
    patientId: Type.Optional(Id),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,4}$', description: 'most recent first; default 200' }),
    ),
  },
  strict,
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  userId: Nullable(Type.String()),
  action: Type.String({ description: 'read, create, update, login, logout, export, analyse, validate' }),
  entity: Type.String(),
  entityId: Nullable(Type.String()),
  patientId: Nullable(Type.String()),
  before: Type.Unknown({ description: 'the state before (JSON), or null' }),
  after: Type.Unknown({ description: 'the state after (JSON), or null' }),
});
export type AuditEntry = Static<typeof AuditEntry>;
export const AuditTrail = Type.Array(AuditEntry, { description: 'audit rows, most recent first' });
