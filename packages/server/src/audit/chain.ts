/**
 * The audit trail as a hash chain. Each row carries its sequence number, the previous row's hash
 * and its own: a keyed hash (HMAC-SHA256 with a key derived from the service key, kept outside
 * the database) over the previous hash and the row's canonical content. Whoever holds only the
 * database can neither rewrite a row, nor remove one from the middle, nor insert one (back-dated
 * or not) without `verifyChain` naming the first row that no longer fits.
 *
 * Pure functions over plain rows: the storage is in record.ts, the checks at start-up in
 * integrity.ts.
 */
import { canonical } from '../canonical.ts';

/** A keyed hash (hex) of a text: the chain's and the audit details' digests. */
export type Mac = (data: string) => string;

export const GENESIS = '0'.repeat(64);

/** What a row's hash covers: everything it says. */
export interface ChainContent {
  seq: number;
  at: string;
  user_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  patient_id: string | null;
  before: string | null;
  after: string | null;
}

export interface ChainedRow extends Omit<ChainContent, 'seq'> {
  /** Null only for a row written around the chain (a finding). */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export function rowHash(mac: Mac, prevHash: string, c: ChainContent): string {
  const content: ChainContent = {
    seq: c.seq,
    at: c.at,
    user_id: c.user_id,
    action: c.action,
    entity: c.entity,
    entity_id: c.entity_id,
    patient_id: c.patient_id,
    before: c.before,
    after: c.after,
  };
  return mac(`dosetwin audit v1\n${prevHash}\n${canonical(content)}`);
}

export interface ChainProblem {
  seq: number | null;
  problem: string;
}

/** Where a walk along the chain stands: the last row seen. */
export interface ChainHead {
  seq: number;
  hash: string;
  at: string;
}

export const START: ChainHead = { seq: 0, hash: GENESIS, at: '' };

/**
 * Check rows in sequence order, continuing from `head` (START for the first row): sequence
 * numbers follow each other, each row names the previous hash, its own hash is the keyed hash of
 * its content, and times never go back. Returns the new head and the problems (empty: intact).
 */
export function verifyChain(
  mac: Mac,
  head: ChainHead,
  rows: readonly ChainedRow[],
): { head: ChainHead; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  let h = head;
  for (const r of rows) {
    const seq = r.seq;
    if (seq === null || r.hash === null || r.prev_hash === null) {
      problems.push({ seq, problem: 'a row outside the chain (no sequence number or hash)' });
      continue;
    }
    if (seq !== h.seq + 1)
      problems.push({
        seq,
        problem:
          seq > h.seq + 1
            ? `rows ${h.seq + 1}–${seq - 1} are missing`
            : `sequence number ${seq} follows ${h.seq}`,
      });
    if (r.prev_hash !== h.hash)
      problems.push({ seq, problem: `does not name the previous row's hash (row ${h.seq})` });
    if (rowHash(mac, r.prev_hash, { ...r, seq }) !== r.hash)
      problems.push({
        seq,
        problem: 'its hash does not match its content: changed, or written without the service key',
      });
    if (h.at && r.at < h.at) problems.push({ seq, problem: `dated ${r.at}, before row ${h.seq} (${h.at})` });
    h = { seq, hash: r.hash, at: r.at > h.at ? r.at : h.at };
  }
  return { head: h, problems };
}
