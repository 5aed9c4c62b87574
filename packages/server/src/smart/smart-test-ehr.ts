/**
 * A SMART EHR for tests: oidc-provider as the authorization server (PKCE required, SMART v2
 * scopes for the FHIR server as a resource, opaque access tokens), its SMART configuration at
 * `/.well-known/smart-configuration`, a clinician signed in and consenting automatically, and the
 * launch context: the patient of an EHR launch's `launch` value, or of a standalone launch, given
 * in the token response (`patient`). `verify` checks an access token the way the FHIR server does.
 * A launch asking for `online_access` gets a refresh token (rotated at each use, as oidc-provider
 * does for public clients); tokens are revoked at `/token/revocation` (RFC 7009).
 */
export const smartConfigurationOf = (issuer: string, scopes: string[]) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: `${issuer}/token/revocation`,
  capabilities: [
    'launch-ehr',
    'launch-standalone',
    'client-public',
    'context-ehr-patient',
    'context-standalone-patient',
    'permission-v2',
  ],
  code_challenge_methods_supported: ['S256'],
  scopes_supported: scopes,
});
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface TestEhr {
  issuer: string;
  /** The SMART configuration the FHIR server serves at its `.well-known/smart-configuration`. */
  smartConfiguration: object;
  /** The access token's grant, or null for an unknown or expired token. */
  verify(token: string): Promise<{ scope: string } | null>;
  /** The lifetime of the access tokens issued from now on, seconds (default 3600). */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

export async function startTestEhr(o: {
  fhirBase: string;
  redirectUri: string;
  /** EHR launch values → patient ids. */
  launches: Record<string, string>;
  /** The patient a standalone launch picks. */
  standalonePatient: string;
}): Promise<TestEhr> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resourceScopes =
    'launch launch/patient patient/Patient.r patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs patient/MedicationAdministration.rs patient/DiagnosticReport.cs patient/MedicationRequest.c patient/Provenance.c';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const launchOfGrant = new Map<string, string>();
  let accessTokenTtl = 3600;
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'ehr-1' }] },
    ttl: {
      AccessToken: () => accessTokenTtl,
      RefreshToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
    },
    clients: [
      {
        client_id: 'dosetwin',
        token_endpoint_auth_method: 'none',
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    scopes: ['openid', 'fhirUser', 'offline_access', 'online_access'],
    // SMART: a refresh token for a launch that asks for online (or offline) access.
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('online_access') || code.scopes.has('offline_access')),
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    extraParams: ['launch', 'aud'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // A client revokes its own tokens only (a public client cannot prove more).
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => o.fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: resourceScopes,
          accessTokenFormat: 'opaque',
          accessTokenTTL: accessTokenTtl,
        }),
      },
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, fhirUser: `Practitioner/${sub}` }),
    }),
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
  });
  // The patient in context, beside the token (SMART's token response parameter).
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path === '/token' && body && typeof body.access_token === 'string') {
      const at = await provider.AccessToken.find(body.access_token);
      const launch = at?.grantId ? launchOfGrant.get(at.grantId) : undefined;
      ctx.body = { ...body, patient: launch ? o.launches[launch] : o.standalonePatient };
    }
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/.well-known/smart-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(smartConfigurationOf(issuer, resourceScopes.split(' '))));
        return;
      }
      if (path.startsWith('/interaction/')) {
        // The clinician is signed in to the EHR and consents to what dosetwin asks.
        const d = await provider.interactionDetails(req, res);
        if (d.prompt.name === 'login')
          return provider.interactionFinished(
            req,
            res,
            { login: { accountId: 'dr1' } },
            { mergeWithLastSubmission: false },
          );
        const grant = new provider.Grant({
          accountId: d.session!.accountId,
          clientId: String(d.params.client_id),
        });
        const asked = String(d.params.scope).split(' ');
        const oidcScopes = ['openid', 'fhirUser', 'online_access'];
        grant.addOIDCScope(asked.filter((s) => oidcScopes.includes(s)).join(' '));
        grant.addResourceScope(o.fhirBase, asked.filter((s) => !oidcScopes.includes(s)).join(' '));
        const grantId = await grant.save();
        if (typeof d.params.launch === 'string') launchOfGrant.set(grantId, d.params.launch);
        return provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      }
      callback(req, res);
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  return {
    issuer,
    smartConfiguration: smartConfigurationOf(issuer, resourceScopes.split(' ')),
    async verify(token) {
      const at = await provider.AccessToken.find(token);
      return at ? { scope: at.scope ?? '' } : null;
    },
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
