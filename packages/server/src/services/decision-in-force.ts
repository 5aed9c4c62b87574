/**
 * Which signed decision of a request is in force, and what the request's status is, from its
 * analysis versions. A decision stays put: a re-analysis is a new version that changes nothing
 * until it is itself signed, and rejecting a later version leaves an earlier accepted or modified
 * regimen in force (the patient is being given it); only a request with no accepted or modified
 * version is rejected.
 */
import type { Decision, RequestStatus } from '../contract/index.ts';
import type { Tx } from '../store.ts';

/** One analysis version of a request and its signed decision (null while unsigned). */
export interface VersionState {
  id: string;
  version: number;
  decision: Decision | null;
}

const byVersion = <T extends VersionState>(vs: readonly T[]): T[] =>
  [...vs].sort((a, b) => a.version - b.version);

/** The decision in force: the latest accepted or modified version; else the latest rejected; else none. */
export function decisionInForce<T extends VersionState>(vs: readonly T[]): T | null {
  const signed = byVersion(vs).filter((v) => v.decision !== null);
  return signed.filter((v) => v.decision !== 'reject').at(-1) ?? signed.at(-1) ?? null;
}

/** The request's status: submitted (no analysis), analysed (none signed), validated or rejected (the decision in force). */
export function requestStatusOf(vs: readonly VersionState[]): RequestStatus {
  if (!vs.length) return 'submitted';
  const inForce = decisionInForce(vs);
  if (!inForce) return 'analysed';
  return inForce.decision === 'reject' ? 'rejected' : 'validated';
}

/** The latest unsigned version newer than the decision in force (it supersedes that decision once signed), else null. */
export function pendingVersion<T extends VersionState>(vs: readonly T[]): T | null {
  const inForce = decisionInForce(vs);
  const latest = byVersion(vs).at(-1);
  if (!inForce || !latest || latest.decision !== null || latest.version <= inForce.version) return null;
  return latest;
}

/** The versions signed 'reject' after the decision in force (they left it in force). */
export function rejectedAfter<T extends VersionState>(vs: readonly T[]): T[] {
  const inForce = decisionInForce(vs);
  if (!inForce) return [];
  return byVersion(vs).filter((v) => v.version > inForce.version && v.decision === 'reject');
}

/** A request's analysis versions with their signed decisions (the validation's row fields, null while unsigned). */
export async function versionStates(db: Tx, requestId: string) {
  const rows = await db
    .selectFrom('analyses')
    .leftJoin('validations', 'validations.analysis_id', 'analyses.id')
    .leftJoin('users', 'users.id', 'validations.signed_by')
    .select([
      'analyses.id',
      'analyses.version',
      'analyses.supersedes',
      'analyses.created_at',
      'validations.decision',
      'validations.regimen',
      'validations.signed_at',
      'users.display_name',
    ])
    .where('analyses.request_id', '=', requestId)
    .orderBy('analyses.version')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    supersedes: r.supersedes,
    createdAt: r.created_at,
    decision: r.decision ?? null,
    regimen: r.regimen ?? null,
    signedAt: r.signed_at ?? null,
    signedBy: r.display_name ?? null,
  }));
}
