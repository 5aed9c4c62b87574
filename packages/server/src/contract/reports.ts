/** The printable report of a validated request: HTML, or PDF. */
import { type Static, Type } from 'typebox';
import { strict } from './common.ts';

export const ReportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('html'), Type.Literal('pdf')], { description: 'default html' }),
    ),
    identity: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description:
          "true: the patient's name, birth name, birth date and hospital number on the report (audited)",
      }),
    ),
    lang: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('fr')], {
        description: "the report's language; default: the Accept-Language header's first of fr/en, else en",
      }),
    ),
    tz: Type.Optional(
      Type.String({
        maxLength: 64,
        pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$',
        description:
          "the IANA time zone every time is printed in (e.g. 'Europe/Paris'); default: the service's DOSETWIN_TIME_ZONE, else Europe/Paris",
      }),
    ),
  },
  strict,
);
export type ReportQuery = Static<typeof ReportQuery>;

/** The report's body: its media type says which. */
export const Report = {
  description: 'the report of the latest signed analysis',
  content: {
    'text/html': { schema: Type.String() },
    'application/pdf': { schema: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' }) },
  },
} as const;
