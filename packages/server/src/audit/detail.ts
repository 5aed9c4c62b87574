/**
 * What an audit row keeps of a state (record.ts): a keyed digest of all of it, and the few fields
 * that are neither identity nor clinical. Shared by the rows written now and the migration that
 * redacted the rows written before.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { canonical } from '../canonical.ts';
import type { Mac } from './chain.ts';

/** The keyed hash (HMAC-SHA256, hex) under a key. */
export const macOf =
  (key: Buffer): Mac =>
  (data) =>
    createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** A key that lives as long as the process (an in-memory database: its chain dies with it). */
export const ephemeralMac = (): Mac => macOf(randomBytes(32));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A code, not a sentence: `other-service`, `DT_AUTH_FORBIDDEN`, `administrator`, `accept`. */
const CODE = /^[a-z0-9]+([-_.:+][a-z0-9]+)*$/i;
const HEX = /^[0-9a-f]{16,128}$/i;
const SCALAR = (v: unknown): boolean =>
  v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Fields an audit row keeps as they are, each with the values it may hold: workflow states and
 * access facts, never a person's or a patient's data. A string that is not of its field's form
 * (free text in a `reason`, say) is left out.
 */
const KEPT: Record<string, RegExp> = {
  version: CODE,
  hash: HEX,
  analysisHash: HEX,
  status: CODE,
  requestStatus: CODE,
  decision: CODE,
  kind: CODE,
  role: CODE,
  service: /^[\p{L}\p{N} ._'-]{1,64}$/u,
  active: CODE,
  count: CODE,
  rows: CODE,
  limit: CODE,
  format: CODE,
  meaning: CODE,
  reauth: CODE,
  reason: CODE,
  code: CODE,
  by: CODE,
  method: CODE,
  route: /^[A-Z]{3,7} \/[\w/:.*{}-]*$/,
  address: /^[0-9a-f:.]{2,45}$/i,
  action: CODE,
  entity: CODE,
  from: /^[0-9T:.Z-]{10,30}$/,
  to: /^[0-9T:.Z-]{10,30}$/,
  passwordChanged: CODE,
  mustChangePassword: CODE,
  otherSessionsEnded: CODE,
  secondFactor: CODE,
  secondFactorRemoved: CODE,
  revoked: CODE,
  replaced: CODE,
  reset: CODE,
  /** An export's subject code: which patient an export was, known to the trail only. */
  subject: /^S-[0-9A-F]{10}$/,
};

/**
 * What an audit row keeps of a state: the keyed digest of all of it, the ids in it (any field
 * whose value is a UUID), and the fields of KEPT whose value is a number, a boolean or a string
 * of the field's form. Names, birth dates, hospital numbers, amounts, levels, times, free text
 * and model ids are left out.
 */
export function auditDetail(mac: Mac, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const out: Record<string, unknown> = { digest: mac(`detail\n${canonical(value)}`) };
  if (typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const form = Object.hasOwn(KEPT, k) ? KEPT[k] : undefined;
      if (typeof v === 'string' && UUID.test(v)) out[k] = v;
      else if (form && (SCALAR(v) || (typeof v === 'string' && v.length <= 80 && form.test(v)))) out[k] = v;
    }
  return JSON.stringify(out);
}
