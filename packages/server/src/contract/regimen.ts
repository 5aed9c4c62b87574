/**
 * The one regimen shape on the wire: @dosetwin/models' `Regimen` (every number with its unit), as
 * the body of a 'modify' validation and as the regimen a validation retains.
 */
import type { Regimen as ModelRegimen } from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, DateTime, Nullable, type Same, strict } from './common.ts';

/** A positive amount or time with its unit. */
export const PositiveQuantity = Type.Object(
  {
    value: Type.Number({ exclusiveMinimum: 0 }),
    unit: Type.String({ minLength: 1, maxLength: 20 }),
  },
  strict,
);

export const RouteName = Type.Union([Type.Literal('oral'), Type.Literal('bolus'), Type.Literal('infusion')]);

export const Regimen = Type.Object(
  {
    dose: PositiveQuantity,
    interval: PositiveQuantity,
    route: RouteName,
    duration: Nullable(PositiveQuantity),
    start: Nullable(DateTime),
    loading: Nullable(Type.Object({ dose: PositiveQuantity, duration: Nullable(PositiveQuantity) }, strict)),
  },
  {
    ...strict,
    description:
      'a regimen: dose and interval with their units, route, infusion duration (infusion only, else null), first new administration (null: when the next dose is due), loading dose or null',
  },
);
export type Regimen = Static<typeof Regimen>;

// The wire's regimen is the library's: changing one without the other does not compile.
export type _RegimenIsTheModelsRegimen = Assert<Same<Regimen, ModelRegimen>>;
