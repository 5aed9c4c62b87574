/**
 * CDS Hooks 2.0 (cds-hooks.hl7.org): the discovery document and the hook request and response of
 * dosetwin's `order-select` and `order-sign` services. Fields are the specification's.
 */
import { type Static, Type } from 'typebox';

export const CdsService = Type.Object({
  hook: Type.String(),
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  prefetch: Type.Record(Type.String(), Type.String()),
});

export const CdsDiscovery = Type.Object(
  { services: Type.Array(CdsService) },
  {
    description: "the services and the prefetch each asks for ('{{context.patientId}}' filled in by the EHR)",
  },
);
export type CdsDiscovery = Static<typeof CdsDiscovery>;

export const CdsParams = Type.Object(
  { id: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

export const CdsRequest = Type.Object(
  {
    hook: Type.Union([Type.Literal('order-select'), Type.Literal('order-sign')]),
    hookInstance: Type.String({ minLength: 1, maxLength: 200 }),
    fhirServer: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
    fhirAuthorization: Type.Optional(
      Type.Object({
        access_token: Type.String({ minLength: 1, maxLength: 10_000 }),
        token_type: Type.Literal('Bearer'),
        expires_in: Type.Optional(Type.Number()),
        scope: Type.String({ maxLength: 2000 }),
        subject: Type.String({ maxLength: 200 }),
        patient: Type.Optional(Type.String({ maxLength: 64 })),
      }),
    ),
    context: Type.Object({
      userId: Type.String({ maxLength: 200 }),
      patientId: Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$' }),
      encounterId: Type.Optional(Type.String({ maxLength: 200 })),
      selections: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
      draftOrders: Type.Object(
        {
          resourceType: Type.Literal('Bundle'),
          entry: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 500 })),
        },
        { description: 'the draft orders, a Bundle of MedicationRequest (and others)' },
      ),
    }),
    prefetch: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  {
    description: 'a CDS Hooks call; prefetch as asked in the discovery, else fetched with fhirAuthorization',
  },
);
export type CdsRequest = Static<typeof CdsRequest>;

const Link = Type.Object({
  label: Type.String(),
  url: Type.String(),
  type: Type.Union([Type.Literal('absolute'), Type.Literal('smart')]),
  appContext: Type.Optional(Type.String()),
});

export const CdsCard = Type.Object({
  uuid: Type.String(),
  summary: Type.String({ maxLength: 140 }),
  detail: Type.Optional(Type.String()),
  indicator: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  source: Type.Object({ label: Type.String(), url: Type.Optional(Type.String()) }),
  suggestions: Type.Optional(
    Type.Array(
      Type.Object({
        label: Type.String(),
        uuid: Type.String(),
        isRecommended: Type.Optional(Type.Boolean()),
        actions: Type.Array(
          Type.Object({
            type: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
            description: Type.String(),
            resource: Type.Unknown(),
          }),
        ),
      }),
    ),
  ),
  selectionBehavior: Type.Optional(Type.Literal('at-most-one')),
  links: Type.Optional(Type.Array(Link)),
});
export type CdsCard = Static<typeof CdsCard>;

export const CdsResponse = Type.Object(
  { cards: Type.Array(CdsCard) },
  { description: "the cards: the twin's proposal for each library drug ordered (none for other orders)" },
);
export type CdsResponse = Static<typeof CdsResponse>;
