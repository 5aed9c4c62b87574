/**
 * The signed decision written back to the patient's record on the FHIR server the patient was
 * imported from: the signed report (PDF, its signature checked as for any report), the retained
 * regimen and who signed it, as one transaction (DiagnosticReport, MedicationRequest, Provenance;
 * models/src/fhir/write-back.ts). Once per signed analysis: a second write-back of the same one is
 * a 409 naming what the server already holds.
 */
import { randomUUID } from 'node:crypto';
import { decisionBundle, drugFile } from '@dosetwin/models';
import type { Ctx } from '../context.ts';
import type { FhirWriteBackBody, FhirWriteBackResult } from '../contract/index.ts';
import type { SessionUser } from '../auth.ts';
import { reject } from '../errors.ts';
import { fhirGet, fhirTransaction } from '../fhir/client.ts';
import { audit } from '../store.ts';
import { decisionInForce, versionStates } from './decision-in-force.ts';
import { requireFhir } from './fhir-import.ts';
import { report } from './reports.ts';
import { grantedAccess } from './smart-tokens.ts';
import { requestFor, subjectOf } from './requests.ts';
import { storedRegimen } from './validations.ts';

/** dosetwin's identifiers on the FHIR server (the analysis signed), under this system. */
const SYSTEM = 'urn:dosetwin';

export async function writeBack(
  ctx: Ctx,
  user: SessionUser,
  requestId: string,
  body: FhirWriteBackBody,
): Promise<FhirWriteBackResult> {
  const { db } = ctx.db;
  const r = await requestFor(db, user, requestId);
  // A patient opened by a SMART launch is written to with the token the EHR granted this user.
  const linkOf = await db
    .selectFrom('fhir_patients')
    .selectAll()
    .where('patient_id', '=', r.patient_id)
    .executeTakeFirst();
  const access =
    (linkOf && ctx.smart
      ? await grantedAccess(db, ctx.keys, user.id, linkOf.fhir_server, linkOf.fhir_id)
      : null) || requireFhir(ctx.fhir);
  // The signed report first: it refuses a request without a validated analysis, or whose signature does not verify.
  const pdf = await report(ctx, user, requestId, { format: 'pdf', identity: 'true' });
  const inForce = decisionInForce(await versionStates(db, requestId))!;
  const v = await db
    .selectFrom('validations')
    .innerJoin('users', 'users.id', 'validations.signed_by')
    .innerJoin('analyses', 'analyses.id', 'validations.analysis_id')
    .select([
      'validations.decision',
      'validations.regimen',
      'validations.signed_at',
      'validations.analysis_hash',
      'users.display_name',
      'users.username',
    ])
    .where('validations.analysis_id', '=', inForce.id)
    .executeTakeFirstOrThrow();
  const regimen = storedRegimen(v.regimen);
  if (v.decision === 'reject' || !regimen)
    reject(
      'DT_CONFLICT',
      'id',
      'the decision in force is a rejection: there is no regimen to write back',
      undefined,
      {
        message: 'la décision en vigueur est un rejet : aucun schéma à transmettre',
      },
    );
  const server = access.baseUrl.replace(/\/+$/, '');
  const link = await db
    .selectFrom('fhir_patients')
    .selectAll()
    .where('patient_id', '=', r.patient_id)
    .where('fhir_server', '=', server)
    .executeTakeFirst();
  if (!link)
    reject(
      'DT_REQUEST_VALUE',
      'patient',
      `the patient is not linked to a patient of ${server}: import the record from it first`,
      undefined,
      { message: `le patient n’est lié à aucun patient de ${server} : importer d’abord son dossier` },
    );
  const drug = drugFile(subjectOf(r).drug)!;
  const identifier = `${SYSTEM}/analyses|${inForce.id}`;
  const held = await fhirGet(access, `DiagnosticReport?identifier=${encodeURIComponent(identifier)}`);
  const existing = (Array.isArray(held.entry) ? held.entry : []) as { resource?: { id?: string } }[];
  if (existing.length)
    reject(
      'DT_CONFLICT',
      'id',
      `the decision is already written back: DiagnosticReport/${existing[0].resource?.id ?? '?'}`,
      undefined,
      { message: `la décision est déjà transmise : DiagnosticReport/${existing[0].resource?.id ?? '?'}` },
    );
  const bundle = decisionBundle(
    {
      fhirPatientId: link.fhir_id,
      drug,
      regimen: regimen!,
      signer: { display: v.display_name, username: v.username },
      signedAt: v.signed_at,
      reportPdf: new Uint8Array(pdf.body as Buffer),
      analysisId: inForce.id,
      analysisHash: v.analysis_hash,
      intent: body.intent ?? 'proposal',
      system: SYSTEM,
    },
    randomUUID,
  );
  const res = await fhirTransaction(access, bundle);
  const resources = (Array.isArray(res.entry) ? res.entry : []).flatMap(
    (e: { response?: { location?: unknown } }) =>
      typeof e.response?.location === 'string' ? [e.response.location.replace(/\/_history\/.*$/, '')] : [],
  );
  await audit(db, {
    user,
    action: 'fhir-write-back',
    entity: 'request',
    entityId: r.id,
    patientId: r.patient_id,
    after: { analysis_id: inForce.id, resources: resources.length },
  });
  return { server, resources };
}
