/** Service health, sign-in and sessions, user administration (the audit trail: audit.ts). */
import { type Static, Type } from 'typebox';
import { Nullable, strict, Timestamp } from './common.ts';

export const Health = Type.Object(
  { status: Type.Literal('ok'), database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]) },
  { description: 'the service answers; which database it stores to' },
);
export type Health = Static<typeof Health>;

export const Role = Type.Union([
  Type.Literal('prescriber'),
  Type.Literal('pharmacologist'),
  Type.Literal('admin'),
  Type.Literal('auditor'),
]);
export type Role = Static<typeof Role>;

export const Pending = Type.Union([Type.Literal('password'), Type.Literal('totp')], {
  description:
    "what the user must do before anything else: 'password' change the one-time password, 'totp' enrol the second factor",
});
export type Pending = Static<typeof Pending>;

export const SessionUser = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    role: Role,
    service: Type.String({ description: 'hospital service (ward): a prescriber sees its patients only' }),
    displayName: Type.String(),
    pending: Nullable(Pending),
    totpEnabled: Type.Boolean({ description: 'the user signs in with a TOTP second factor' }),
    passwordReset: Nullable(
      Type.Object(
        { at: Timestamp, by: Type.String({ description: 'the administrator, by display name' }) },
        { description: 'an administrator reset the password: told at the next sign-in, until it is changed' },
      ),
    ),
  },
  { description: 'the signed-in user' },
);
export type SessionUser = Static<typeof SessionUser>;

export const Login = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ maxLength: 200 }),
    code: Type.Optional(
      Type.String({ maxLength: 10, description: 'the TOTP code, for a user with a second factor' }),
    ),
  },
  strict,
);
export type Login = Static<typeof Login>;

export const Session = Type.Object(
  {
    user: SessionUser,
    expiresAt: Timestamp,
    idleMinutes: Type.Integer({ description: 'the session ends after this long without a request' }),
  },
  {
    description:
      'signed in: the session is an HttpOnly cookie (__Host-dt_session; an API client may send its value as `Authorization: Bearer …`), never in the body',
  },
);
export type Session = Static<typeof Session>;

export const Ok = Type.Object({ ok: Type.Literal(true) }, { description: 'done' });
export type Ok = Static<typeof Ok>;

const Password = Type.String({
  minLength: 12,
  maxLength: 200,
  description: 'at least 12 characters, not the user name, not a common password',
});

export const PasswordChange = Type.Object(
  { current: Type.String({ maxLength: 200 }), password: Password },
  strict,
);
export type PasswordChange = Static<typeof PasswordChange>;

export const TotpStart = Type.Object(
  {
    password: Type.Optional(
      Type.String({ maxLength: 200, description: 'needed to replace a second factor already enrolled' }),
    ),
  },
  strict,
);
export type TotpStart = Static<typeof TotpStart>;

export const TotpEnrolment = Type.Object(
  {
    secret: Type.String({ description: 'base32, to type into an authenticator app' }),
    uri: Type.String({ description: 'otpauth:// URI (what a QR code would carry)' }),
  },
  { description: 'a second factor to confirm with a code from it' },
);
export type TotpEnrolment = Static<typeof TotpEnrolment>;

export const TotpConfirm = Type.Object({ code: Type.String({ maxLength: 10 }) }, strict);
export type TotpConfirm = Static<typeof TotpConfirm>;

export const SessionInfo = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  address: Type.String(),
  agent: Type.String(),
  secondFactor: Type.Boolean(),
  current: Type.Boolean({ description: 'the session of this request' }),
});
export type SessionInfo = Static<typeof SessionInfo>;
export const SessionList = Type.Array(SessionInfo, { description: 'your open sessions, most recent first' });

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
  service: Type.String(),
  active: Type.Boolean(),
  createdAt: Timestamp,
  mustChangePassword: Type.Boolean(),
  totpEnabled: Type.Boolean(),
});
export type User = Static<typeof User>;
export const UserList = Type.Array(User, { description: 'the accounts, by user name' });

export const NewUser = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.Optional(
      Type.String({
        minLength: 12,
        maxLength: 200,
        description:
          'a one-time password (policy as for any password); absent: the service makes one and returns it once',
      }),
    ),
    role: Role,
    service: Type.String({ minLength: 1, maxLength: 100 }),
  },
  strict,
);
export type NewUser = Static<typeof NewUser>;

export const UserCreated = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    role: Role,
    service: Type.String(),
    oneTimePassword: Nullable(
      Type.String({ description: 'made by the service (shown this once); null when given in the request' }),
    ),
  },
  { description: 'the account is created; its password must be changed at the first sign-in' },
);
export type UserCreated = Static<typeof UserCreated>;

export const UserChange = Type.Object(
  {
    active: Type.Optional(Type.Boolean({ description: 'false signs the user out at once' })),
    role: Type.Optional(Role),
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { ...strict, minProperties: 1 },
);
export type UserChange = Static<typeof UserChange>;

export const UserChanged = Type.Object(
  { id: Type.String(), ok: Type.Literal(true) },
  { description: 'the account is changed' },
);
export type UserChanged = Static<typeof UserChanged>;

export const PasswordReset = Type.Object(
  {
    id: Type.String(),
    oneTimePassword: Type.String({
      description: 'shown this once; the user must change it at the next sign-in and is told of the reset',
    }),
  },
  { description: "the user's sessions are ended; the second factor is kept" },
);
export type PasswordReset = Static<typeof PasswordReset>;
