/**
 * The electronic signature of a decision (21 CFR Part 11 §11.50, §11.70, §11.200). The signer
 * re-authenticates at signing (password or TOTP code); the service key (keys.ts, outside the
 * database) signs with Ed25519 the canonical JSON (canonical.ts) of the signed record: which
 * analysis (id and hash), the decision, the regimen retained and its evaluation, the comment, the
 * signer (id and user name), the time, the meaning of the signature and how the signer
 * re-authenticated. When a report is produced the signature is verified: a row changed in the
 * database (a forged decision, signer, time or regimen) no longer verifies, and the analysis
 * signed is checked against the hash signed.
 */
import { sha256 } from './auth.ts';
import { canonical } from './canonical.ts';
import type { Database } from './db/schema.ts';
import type { ServiceKeys } from './keys.ts';
import { parseJson } from './store.ts';

export const SIGNATURE_ALG = 'ed25519';

export type Reauth = 'password' | 'totp';

/** What a signature means, signed with it (Part 11 §11.50(a)(3)). */
export function meaningOf(decision: Database['validations']['decision']): string {
  return decision === 'reject'
    ? 'rejection: the pharmacologist refuses the analysis; no dosing recommendation is issued'
    : decision === 'modify'
      ? 'approval: the pharmacologist recommends the modified regimen retained, on this analysis'
      : 'approval: the pharmacologist recommends the candidate regimen retained, on this analysis';
}

type ValidationRow = Database['validations'];

/** The record a validation's signature covers, from its stored row and the signer's user name. */
export function signedRecord(v: ValidationRow, signerUsername: string): unknown {
  return {
    v: 1,
    validation: v.id,
    analysis: v.analysis_id,
    request: v.request_id,
    analysisHash: v.analysis_hash,
    decision: v.decision,
    comment: v.comment,
    regimen: parseJson(v.regimen),
    evaluation: parseJson(v.evaluation),
    signer: { id: v.signed_by, username: signerUsername },
    signedAt: v.signed_at,
    meaning: v.meaning ?? null,
    reauth: v.reauth ?? null,
  };
}

export const signRecord = (keys: ServiceKeys, record: unknown): string => keys.sign(canonical(record));

export type SignatureStatus = 'valid' | 'invalid' | 'other-key' | 'unkeyed';

export interface SignatureCheck {
  status: SignatureStatus;
  /** Why, in a sentence (English); the report prints it. */
  reason: string;
  keyId: string | null;
}

/**
 * The hash of an analysis row's content, as the analysis service took it when it stored the row
 * (services/analyses.ts: kind, inputs, fit without its model, targets, forecast, candidates,
 * warnings, averaging, next dose, model, engine version); null for rows stored before the targets
 * were recorded (their content then had other fields).
 */
export function analysisContentHash(a: Database['analyses']): string | null {
  if (a.targets === null) return null;
  const fit = parseJson<Record<string, unknown>>(a.fit) ?? {};
  const { model, ...fitOnly } = fit;
  return sha256(
    canonical({
      kind: a.kind,
      inputs: parseJson(a.inputs),
      fit: fitOnly,
      targets: parseJson(a.targets),
      forecast: parseJson(a.forecast),
      candidates: parseJson(a.candidates),
      warnings: parseJson(a.warnings),
      averaging: parseJson(a.averaging),
      nextDose: parseJson(a.next_dose),
      model,
      engineVersion: a.engine_version,
    }),
  );
}

/**
 * Verify a stored validation against the service key and the analysis it signs. Only 'valid' is
 * accepted where a decision is relied on (the report); every other status is refused.
 */
export function checkSignature(
  keys: ServiceKeys,
  v: ValidationRow,
  signerUsername: string,
  analysis: Database['analyses'],
): SignatureCheck {
  if (v.signature_alg !== SIGNATURE_ALG)
    return {
      status: 'unkeyed',
      keyId: null,
      // A keyless hash proves nothing: whoever can write a row can recompute it, so a row that
      // claims one (or no algorithm) is refused like a forged one rather than trusted as older.
      reason:
        'it is not signed with the service key (a keyless hash anyone with the database could recompute)',
    };
  if (v.signature_key !== keys.keyId)
    return {
      status: 'other-key',
      keyId: v.signature_key ?? null,
      reason: `signed with key ${v.signature_key}, not this service's key ${keys.keyId}: verify it with that key's public key`,
    };
  const invalid = (reason: string): SignatureCheck => ({ status: 'invalid', keyId: keys.keyId, reason });
  if (!keys.verify(canonical(signedRecord(v, signerUsername)), v.signature))
    return invalid('the stored decision, signer, time or regimen is not what was signed');
  if (analysis.id !== v.analysis_id || analysis.hash !== v.analysis_hash)
    return invalid('the analysis stored is not the analysis signed (its hash differs)');
  const content = analysisContentHash(analysis);
  if (content !== null && content !== analysis.hash)
    return invalid("the analysis's stored content does not match its hash");
  return { status: 'valid', keyId: keys.keyId, reason: `Ed25519 signature verified with key ${keys.keyId}` };
}
