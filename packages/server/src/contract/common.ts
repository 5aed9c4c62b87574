/**
 * Building blocks of the wire contract: times, ids, quantities, nullable values, and the
 * compile-time proof that a schema's type is the type another package declares.
 */
import { type TSchema, Type } from 'typebox';

/** Refuse fields the contract does not name (a misspelt field is an error naming it, never ignored). */
export const strict = { additionalProperties: false } as const;

/** `T | null` on the wire. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** ISO 8601 date-time with a zone designator (the engine's clinical-time form). */
export const ISO_WITH_ZONE =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';

/** A clinical time in a request body: with its zone, as written at the bedside. */
export const DateTime = Type.String({
  pattern: ISO_WITH_ZONE,
  maxLength: 40,
  description: "ISO 8601 date-time with a time zone, e.g. '2026-11-12T08:00+01:00'",
});

/** A time in a response: ISO 8601 with its zone (clinical times as entered; server times in UTC). */
export const Timestamp = Type.String({ description: 'ISO 8601 date-time with a time zone' });

export const Id = Type.String({ maxLength: 64 });
export const IdParams = Type.Object({ id: Id }, strict);

/** A number with its unit (`{ value: 1000, unit: 'mg' }`); the unit is checked against the engine's table. */
export const Quantity = Type.Object(
  { value: Type.Number(), unit: Type.String({ minLength: 1, maxLength: 20 }) },
  strict,
);

/** The id of what a POST created. */
export const Created = Type.Object({ id: Type.String() }, { description: 'created' });

/**
 * `Same<A, B>` is `true` only when A and B are the same type (each field, its optionality and
 * nullability); `Assert<Same<…>>` then compiles. A schema here that describes a type declared in
 * another package carries this proof, so the two cannot drift apart unnoticed.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;
