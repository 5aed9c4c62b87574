/**
 * `dosetwin fhir export`: a patient's record in force (corrections applied, entries in error left
 * out) and signed decisions for a drug, as a FHIR collection Bundle (models/src/fhir/export.ts),
 * under the FHIR id the patient is linked to, else its pseudonym (no identity).
 */
import { drugFile, recordBundle } from '@dosetwin/models';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { recordsOf } from './records.ts';
import { storedRegimen } from './validations.ts';

export async function exportRecordBundle(
  db: Kysely<Database>,
  patientId: string,
  drugName: string,
): Promise<{ bundle: Record<string, unknown>; notExported: string[] }> {
  const drug = drugFile(drugName);
  if (!drug) reject('DT_DRUG_UNKNOWN', 'drug', `'${drugName}' is not a drug of the library`);
  const p = await db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
  if (!p) reject('DT_NOT_FOUND', 'patient', `no patient '${patientId}'`);
  const link = await db
    .selectFrom('fhir_patients')
    .selectAll()
    .where('patient_id', '=', p.id)
    .executeTakeFirst();
  const r = await recordsOf(db, p.id);
  const rows = await db
    .selectFrom('validations')
    .innerJoin('analyses', 'analyses.id', 'validations.analysis_id')
    .innerJoin('users', 'users.id', 'validations.signed_by')
    .select(['validations.analysis_id', 'validations.regimen', 'validations.signed_at', 'users.display_name'])
    .where('analyses.patient_id', '=', p.id)
    .where('validations.decision', '!=', 'reject')
    .orderBy('validations.signed_at')
    .execute();
  return recordBundle({
    patientId: link?.fhir_id ?? p.pseudonym,
    drug,
    record: {
      patientId: p.id,
      administrations: r.administrations.map((a) => ({
        at: a.at,
        amount: a.amount,
        unit: a.unit,
        route: a.route,
        duration: a.duration,
        product: a.product,
      })),
      samples: r.samples.map((s) => ({
        at: s.at,
        value: s.value,
        unit: s.unit,
        matrix: s.matrix,
        assay: s.assay,
        lloq: s.lloq,
      })),
      covariates: r.covariates.map((c) => ({ at: c.at, name: c.name, value: c.value, unit: c.unit })),
    },
    decisions: rows.flatMap((v) => {
      const regimen = storedRegimen(v.regimen);
      return regimen
        ? [{ analysisId: v.analysis_id, regimen, signedAt: v.signed_at, signer: v.display_name }]
        : [];
    }),
  });
}
