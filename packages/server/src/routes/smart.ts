/**
 * SMART App Launch (services/smart.ts): the launch the EHR opens and the callback its
 * authorization server redirects to. The clinician is signed in to dosetwin; the tokens stay in
 * the service (its database, sealed), the browser only follows redirects.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../context.ts';
import { errorResponses } from '../contract/index.ts';
import { requireSmart, smartCallback, smartLaunch } from '../services/smart.ts';

const CLINICAL = ['prescriber', 'pharmacologist'] as const;
const Redirect = Type.Null({
  description: 'a redirect (302): to the EHR to authorize, then to the patient in the app',
});

export const smartRoutes =
  (ctx: Ctx): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/smart/launch',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['smart'],
          querystring: Type.Object(
            {
              iss: Type.String({ maxLength: 500, description: "the EHR's FHIR base URL" }),
              launch: Type.Optional(Type.String({ maxLength: 500, description: 'the EHR launch context' })),
            },
            { additionalProperties: false },
          ),
          response: { 302: Redirect, ...errorResponses(422) },
        },
      },
      async (req, reply) =>
        reply.redirect(await smartLaunch(requireSmart(ctx.smart), req.user!, req.query), 302),
    );
    app.get(
      '/smart/callback',
      {
        config: { access: CLINICAL },
        schema: {
          tags: ['smart'],
          querystring: Type.Object(
            {
              code: Type.String({ maxLength: 2000 }),
              state: Type.String({ maxLength: 200 }),
              iss: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 302: Redirect, ...errorResponses(422, 502) },
        },
      },
      async (req, reply) => {
        const smart = requireSmart(ctx.smart);
        const url = new URL(req.url, smart.config.redirectUri).href;
        const id = await smartCallback(ctx.db.db, ctx.keys, smart, req.user!, url, req.query.state);
        return reply.redirect(`/#/patients/${id}`, 302);
      },
    );
  };
