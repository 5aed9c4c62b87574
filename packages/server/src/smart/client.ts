/**
 * SMART App Launch 2.x, dosetwin's side (openid-client): the EHR's authorization server found
 * from `{iss}/.well-known/smart-configuration`, the authorization code flow with PKCE (S256) and
 * granular v2 scopes, standalone or EHR launch (`launch` parameter), the token response with the
 * patient in context, the refresh of an expired access token and the revocation of a grant. The
 * pending launch (PKCE verifier, state) and the tokens stay in the service: nothing of them is sent
 * to the browser but the state in the redirect.
 */
import { DosetwinError } from '@dosetwin/engine';
import * as oidc from 'openid-client';

/** The scopes dosetwin asks for, in SMART v2 syntax: the patient's record it reads, the decision it writes. */
export const SMART_SCOPES = [
  'openid',
  'fhirUser',
  'patient/Patient.r',
  'patient/Observation.rs?category=laboratory',
  'patient/Observation.rs?category=vital-signs',
  'patient/MedicationAdministration.rs',
  // The signed decision written back (services/fhir-write-back.ts).
  'patient/DiagnosticReport.cs',
  'patient/MedicationRequest.c',
  'patient/Provenance.c',
  // A refresh token for the time the clinician works in the EHR (SMART's online access).
  'online_access',
];

export interface SmartConfiguration {
  issuer?: string;
  authorization_endpoint: string;
  token_endpoint: string;
  /** Where a token is revoked (RFC 7009), when the EHR offers it. */
  revocation_endpoint?: string;
  capabilities: string[];
  code_challenge_methods_supported: string[];
}

const smartError = (field: string, message: string, fr: string): DosetwinError =>
  new DosetwinError([{ code: 'DT_SMART', severity: 'error', field, message, fr: { message: fr } }]);

/** An address on this machine: plain HTTP is allowed there only (development, tests). */
const loopback = (u: string): boolean =>
  /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(u);

/** The authorization server of a FHIR server, from its SMART configuration; S256 PKCE required. */
export async function smartDiscovery(iss: string): Promise<SmartConfiguration> {
  if (!/^https:\/\//.test(iss) && !loopback(iss))
    throw smartError('iss', `'${iss}' is not an https URL`, `« ${iss} » n’est pas une adresse https`);
  const url = `${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let c: Partial<SmartConfiguration>;
  try {
    const r = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    c = (await r.json()) as Partial<SmartConfiguration>;
  } catch (e) {
    throw smartError('iss', `${url}: ${(e as Error).message}`, `${url} : ${(e as Error).message}`);
  }
  if (typeof c.authorization_endpoint !== 'string' || typeof c.token_endpoint !== 'string')
    throw smartError(
      'iss',
      `${url} names no authorization or token endpoint`,
      `${url} n’indique pas de point d’autorisation ou de jeton`,
    );
  if (!c.code_challenge_methods_supported?.includes('S256'))
    throw smartError('iss', `${url}: PKCE S256 is not supported`, `${url} : PKCE S256 non pris en charge`);
  return {
    issuer: c.issuer,
    authorization_endpoint: c.authorization_endpoint,
    token_endpoint: c.token_endpoint,
    ...(typeof c.revocation_endpoint === 'string' ? { revocation_endpoint: c.revocation_endpoint } : {}),
    capabilities: c.capabilities ?? [],
    code_challenge_methods_supported: c.code_challenge_methods_supported,
  };
}

/** A launch begun: what the service keeps until the callback (never sent to the browser). */
export interface PendingLaunch {
  iss: string;
  state: string;
  verifier: string;
  smart: SmartConfiguration;
  clientId: string;
  redirectUri: string;
}

function configuration(smart: SmartConfiguration, iss: string, clientId: string): oidc.Configuration {
  const config = new oidc.Configuration(
    {
      issuer: smart.issuer ?? iss,
      authorization_endpoint: smart.authorization_endpoint,
      token_endpoint: smart.token_endpoint,
      ...(smart.revocation_endpoint ? { revocation_endpoint: smart.revocation_endpoint } : {}),
    },
    clientId,
    { token_endpoint_auth_method: 'none' },
    oidc.None(),
  );
  if (loopback(smart.token_endpoint)) oidc.allowInsecureRequests(config);
  return config;
}

/** The authorization URL to send the user to (EHR launch with `launch`, else standalone), and the launch kept. */
export async function beginLaunch(o: {
  iss: string;
  clientId: string;
  redirectUri: string;
  launch?: string;
}): Promise<{ url: string; pending: PendingLaunch }> {
  const smart = await smartDiscovery(o.iss);
  const mode = o.launch ? 'launch-ehr' : 'launch-standalone';
  if (smart.capabilities.length && !smart.capabilities.includes(mode))
    throw smartError('launch', `the EHR does not offer ${mode}`, `le DPI ne propose pas ${mode}`);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(configuration(smart, o.iss, o.clientId), {
    response_type: 'code',
    redirect_uri: o.redirectUri,
    scope: [...SMART_SCOPES, o.launch ? 'launch' : 'launch/patient'].join(' '),
    state,
    aud: o.iss,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(o.launch ? { launch: o.launch } : {}),
  });
  return {
    url: url.href,
    pending: { iss: o.iss, state, verifier, smart, clientId: o.clientId, redirectUri: o.redirectUri },
  };
}

/** The tokens of a completed launch: the access token and the patient in context. */
export interface SmartSession {
  iss: string;
  accessToken: string;
  /** The refresh token, when the EHR gave one (null: the grant ends with the access token). */
  refreshToken: string | null;
  scope: string;
  patient: string;
  expiresAt: number | null;
  /** The EHR's authorization server and dosetwin's client id there: what a refresh or revocation needs. */
  smart: SmartConfiguration;
  clientId: string;
}

/** The expiry (epoch ms) of a token response, or null when it states none. */
const expiryOf = (t: { expires_in?: number }): number | null =>
  typeof t.expires_in === 'number' ? Date.now() + t.expires_in * 1000 : null;

/** Exchange the code of the callback URL (state and PKCE checked) for the tokens. */
export async function completeLaunch(p: PendingLaunch, callbackUrl: string): Promise<SmartSession> {
  let t: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    t = await oidc.authorizationCodeGrant(configuration(p.smart, p.iss, p.clientId), new URL(callbackUrl), {
      pkceCodeVerifier: p.verifier,
      expectedState: p.state,
      idTokenExpected: false,
    });
  } catch (e) {
    throw smartError(
      'code',
      `the authorization failed: ${(e as Error).message}`,
      `l’autorisation a échoué : ${(e as Error).message}`,
    );
  }
  const patient = (t as { patient?: unknown }).patient;
  if (typeof patient !== 'string' || !patient)
    throw smartError(
      'patient',
      'the EHR gave no patient in context',
      'le DPI n’a indiqué aucun patient en contexte',
    );
  return {
    iss: p.iss,
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? null,
    scope: t.scope ?? '',
    patient,
    expiresAt: expiryOf(t),
    smart: p.smart,
    clientId: p.clientId,
  };
}

/**
 * A new access token for a grant from its refresh token (the EHR may rotate the refresh token:
 * the new one replaces it). The patient in context stays the grant's.
 */
export async function refreshSession(s: SmartSession): Promise<SmartSession> {
  if (!s.refreshToken)
    throw smartError(
      'token',
      'the EHR’s authorization has expired and gave no refresh token: launch dosetwin from the EHR again',
      'l’autorisation du DPI a expiré sans jeton de renouvellement : relancer dosetwin depuis le DPI',
    );
  let t: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    t = await oidc.refreshTokenGrant(configuration(s.smart, s.iss, s.clientId), s.refreshToken);
  } catch (e) {
    throw smartError(
      'token',
      `the EHR refused to renew its authorization (${(e as Error).message}): launch dosetwin from the EHR again`,
      `le DPI a refusé de renouveler son autorisation (${(e as Error).message}) : relancer dosetwin depuis le DPI`,
    );
  }
  return {
    ...s,
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? s.refreshToken,
    scope: t.scope ?? s.scope,
    expiresAt: expiryOf(t),
  };
}

/**
 * Revoke a grant at the EHR (RFC 7009: the refresh token, which ends the grant, and the access
 * token), when its authorization server offers revocation. Best effort: the caller forgets the
 * tokens whatever the EHR answers. Returns whether the EHR accepted every revocation.
 */
export async function revokeSession(s: SmartSession): Promise<boolean> {
  if (!s.smart.revocation_endpoint) return false;
  const config = configuration(s.smart, s.iss, s.clientId);
  let ok = true;
  for (const [token, hint] of [
    [s.refreshToken, 'refresh_token'],
    [s.accessToken, 'access_token'],
  ] as const)
    if (token)
      await oidc.tokenRevocation(config, token, { token_type_hint: hint }).catch(() => {
        ok = false;
      });
  return ok;
}
