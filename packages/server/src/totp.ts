/**
 * The second factor: TOTP (RFC 6238 over RFC 4226) by otplib, as authenticator apps use it —
 * SHA-1, 6 digits, 30-second steps, a 160-bit secret shown in base32. A code is accepted from the
 * step before to the step after (clock drift), and only for a step later than the last one
 * accepted for that user, so that an observed code cannot be replayed.
 */
import { generate, generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD_S = 30;
/** Steps accepted either side of the server's clock. */
const DRIFT_STEPS = 1;

export const newTotpSecret = (): string => generateSecret({ length: 20 });

/** The `otpauth://` URI an authenticator app reads (as a QR code or typed in). */
export const totpUri = (secret: string, username: string): string =>
  generateURI({ issuer: 'dosetwin', label: username, secret });

/**
 * The time step a code belongs to when it is valid for `secret` now and later than `afterStep`;
 * null otherwise.
 */
export async function totpStep(
  secret: string,
  code: string,
  afterStep: number | null,
  nowS = Date.now() / 1000,
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const r = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowS),
    epochTolerance: DRIFT_STEPS * TOTP_PERIOD_S,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // A TOTP verification's result carries the step the code belongs to.
  return r.valid && 'timeStep' in r ? r.timeStep : null;
}

/** The code of `secret` at a time (an authenticator app's display; tests). */
export const totpCode = (secret: string, atS = Date.now() / 1000): Promise<string> =>
  generate({ secret, epoch: Math.floor(atS) });
