/**
 * Reading the audit trail (the auditor): rows filtered by operator, patient, action, entity and
 * time, most recent first, a page at a time, with the operator's user name and the patient's
 * pseudonym beside the ids. Each read is itself audited, with its filters and how many rows it
 * returned. The integrity check is the start-up one (integrity.ts), run on demand.
 */
import type { SessionUser } from '../auth.ts';
import type { AuditEntry, AuditIntegrity, AuditPage, AuditQuery } from '../contract/audit.ts';
import type { Db } from '../db/connect.ts';
import { reject } from '../errors.ts';
import { checkIntegrity } from './integrity.ts';
import { audit } from './record.ts';

export const AUDIT_PAGE = { default: 100, max: 500 } as const;

const parse = (s: string | null): unknown => (s === null ? null : (JSON.parse(s) as unknown));

/** The end of a `to` filter: a day means the whole day. */
const upTo = (to: string): string => (to.length === 10 ? `${to}T23:59:59.999Z` : to);

export async function auditTrail(db: Db, user: SessionUser, q: AuditQuery): Promise<AuditPage> {
  const limit = q.limit === undefined ? AUDIT_PAGE.default : Number(q.limit);
  if (limit < 1 || limit > AUDIT_PAGE.max)
    reject('DT_REQUEST_VALUE', 'limit', `limit ${q.limit} is not between 1 and ${AUDIT_PAGE.max}`);
  if (q.from && q.to && upTo(q.to) < q.from)
    reject('DT_REQUEST_VALUE', 'to', `to ${q.to} is before from ${q.from}`);
  let sel = db.db
    .selectFrom('audit')
    .leftJoin('users', 'users.id', 'audit.user_id')
    .leftJoin('patients', 'patients.id', 'audit.patient_id')
    .select([
      'audit.seq',
      'audit.at',
      'audit.user_id',
      'users.username',
      'audit.action',
      'audit.entity',
      'audit.entity_id',
      'audit.patient_id',
      'patients.pseudonym',
      'audit.before',
      'audit.after',
      'audit.hash',
    ])
    .where('audit.seq', 'is not', null)
    .orderBy('audit.seq', 'desc')
    .limit(limit + 1);
  if (q.userId) sel = sel.where('audit.user_id', '=', q.userId);
  if (q.patientId) sel = sel.where('audit.patient_id', '=', q.patientId);
  if (q.action) sel = sel.where('audit.action', '=', q.action);
  if (q.entity) sel = sel.where('audit.entity', '=', q.entity);
  if (q.from) sel = sel.where('audit.at', '>=', q.from);
  if (q.to) sel = sel.where('audit.at', '<=', upTo(q.to));
  if (q.before) sel = sel.where('audit.seq', '<', Number(q.before));
  const rows = await sel.execute();
  const page = rows.slice(0, limit);
  const entries: AuditEntry[] = page.map((r) => ({
    seq: r.seq!,
    at: r.at,
    userId: r.user_id,
    username: r.username,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    patientId: r.patient_id,
    pseudonym: r.pseudonym,
    before: parse(r.before),
    after: parse(r.after),
    hash: r.hash!,
  }));
  await audit(db.db, {
    user,
    action: 'read',
    entity: 'audit',
    entityId: null,
    patientId: q.patientId ?? null,
    after: {
      userId: q.userId,
      action: q.action,
      entity: q.entity,
      from: q.from,
      to: q.to,
      limit,
      count: entries.length,
    },
  });
  return { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null };
}

export async function auditIntegrity(db: Db, user: SessionUser): Promise<AuditIntegrity> {
  const r = await checkIntegrity(db);
  await audit(db.db, {
    user,
    action: 'verify',
    entity: 'audit',
    entityId: null,
    after: { rows: r.rows, status: r.ok ? 'intact' : 'broken' },
  });
  return { ok: r.ok, rows: r.rows, head: r.head, triggers: r.triggers, chain: r.chain };
}
