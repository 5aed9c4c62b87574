/**
 * Entry plausibility on the wire: the codes a request acknowledges (warnings it confirms), the
 * warnings acknowledged as stored with an entry or a signature, and the conversions echoed
 * (`1.5 g = 1 500 mg`) in both languages.
 */
import { type Static, Type } from 'typebox';
import { Issue } from './errors.ts';

export const Acknowledge = Type.Array(Type.String({ pattern: '^DT_[A-Z0-9_]+$', maxLength: 60 }), {
  maxItems: 30,
  uniqueItems: true,
  description:
    "codes of the warnings confirmed (e.g. ['DT_DOSE_UNUSUAL']): without them a request raising such warnings is refused with DT_ACK_REQUIRED listing them",
});
export type Acknowledge = Static<typeof Acknowledge>;

export const Acknowledged = Type.Array(Issue, {
  description: 'the warnings confirmed with this entry or signature, as they were raised',
});
export type Acknowledged = Static<typeof Acknowledged>;

export const Conversion = Type.Object(
  { en: Type.String(), fr: Type.String() },
  { description: "a value converted to the drug's or the register's unit: '1.5 g = 1 500 mg'" },
);
export type Conversion = Static<typeof Conversion>;

/** An entry stored: with the warnings it confirmed and the conversions done. */
export const EntryCreated = Type.Object(
  {
    id: Type.String(),
    acknowledged: Acknowledged,
    conversions: Type.Array(Conversion),
  },
  { description: 'the record is stored' },
);
export type EntryCreated = Static<typeof EntryCreated>;
