import type { NewValidation } from '@dosetwin/server/contract';

/**
 * What a decision's author typed to re-authenticate: six digits are the authenticator's code,
 * anything else the password.
 */
export function reauthOf(typed: string): NewValidation['reauth'] {
  const proof = typed.trim();
  return /^\d{6}$/.test(proof) ? { code: proof } : { password: typed };
}
