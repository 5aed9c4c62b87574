/**
 * A record with its corrections applied: the values in force (the latest amendment's, else the
 * values entered), whether it is used (not after an "entered in error" that no later amendment
 * undid), and each correction with the values before and after it. Pure: the rows come from
 * services/records.ts and services/corrections.ts.
 */
import type { Tx } from '../store.ts';
import type { CorrectionAction, RecordStatus } from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { parseJson } from '../store.ts';

/** A stored correction with its author's name. */
export type CorrectionRow = Database['corrections'] & { author: string };

export interface CorrectionOut<V> {
  id: string;
  seq: number;
  action: CorrectionAction;
  reason: string;
  createdAt: string;
  createdBy: string;
  author: string;
  before: V;
  after: V | null;
}

export interface Corrected<V> {
  values: V;
  status: RecordStatus;
  corrections: CorrectionOut<V>[];
}

/** Apply a record's corrections, in their order, to the values entered. */
export function applyCorrections<V>(entered: V, rows: readonly CorrectionRow[]): Corrected<V> {
  let values = entered;
  let status: RecordStatus = 'active';
  const corrections: CorrectionOut<V>[] = [];
  for (const c of [...rows].sort((a, b) => a.seq - b.seq)) {
    const after = c.action === 'amend' ? parseJson<V>(c.value)! : null;
    corrections.push({
      id: c.id,
      seq: c.seq,
      action: c.action,
      reason: c.reason,
      createdAt: c.created_at,
      createdBy: c.created_by,
      author: c.author,
      before: values,
      after,
    });
    if (after) {
      values = after;
      status = 'active';
    } else status = 'entered-in-error';
  }
  return { values, status, corrections };
}

/** A patient's corrections of one kind of record, by record id. */
export async function correctionsOf(
  db: Tx,
  patientId: string,
  entity: Database['corrections']['entity'],
): Promise<Map<string, CorrectionRow[]>> {
  const rows = await db
    .selectFrom('corrections')
    .innerJoin('users', 'users.id', 'corrections.created_by')
    .selectAll('corrections')
    .select('users.display_name as author')
    .where('corrections.patient_id', '=', patientId)
    .where('corrections.entity', '=', entity)
    .orderBy('corrections.seq')
    .execute();
  const out = new Map<string, CorrectionRow[]>();
  for (const r of rows) out.set(r.record_id, [...(out.get(r.record_id) ?? []), r]);
  return out;
}
