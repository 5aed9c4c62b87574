/**
 * A patient's record and signed decisions for one drug as a FHIR R4 collection Bundle, the
 * reverse of the import (`dosetwin fhir export`): levels as Observations under the drug's first
 * LOINC code, covariates under the LOINC code of their name and unit, doses as
 * MedicationAdministrations (an infusion as its period), each retained regimen as a
 * MedicationRequest. What has no FHIR form here (a covariate without a LOINC code in the import's
 * table: dialysis, a genotype known only as expresser or not; AGE, which a birth date would give)
 * is listed, not exported. Read back by the import, the exported record gives the same record.
 */
import type { DrugFile } from '../drug.ts';
import type { ClinicalRecord } from '../patient.ts';
import type { Regimen } from '../regimen.ts';
import { ATC, COVARIATE_CODES, LOINC, RXNORM, SNOMED, UCUM, UCUM_UNITS } from './codes.ts';
import { medicationRequestOf } from './order.ts';

type Json = Record<string, unknown>;

export interface ExportInput {
  /** The patient's id in the Bundle (the FHIR id it is linked to, or its pseudonym). */
  patientId: string;
  drug: DrugFile;
  record: ClinicalRecord;
  decisions: { analysisId: string; regimen: Regimen; signedAt: string; signer: string }[];
}

/** The dosetwin unit as a UCUM code, or null. */
const ucumOf = (unit: string): string | null =>
  Object.entries(UCUM_UNITS).find(([, u]) => u === unit)?.[0] ?? null;

/** The LOINC code a covariate is exported under, for its unit (creatinine: mass or molar). */
function covariateLoinc(name: string, unit: string): string | null {
  if (name === 'SCR') return unit === 'mg/dL' || unit === 'mg/L' ? '2160-0' : '14682-9';
  return COVARIATE_CODES.find((c) => c.name === name)?.loinc ?? null;
}

export function recordBundle(x: ExportInput): { bundle: Json; notExported: string[] } {
  const subject = { reference: `Patient/${x.patientId}` };
  const notExported: string[] = [];
  const resources: Json[] = [];
  const medication = {
    coding: [
      ...(x.drug.fhir?.medication.atc.slice(0, 1).map((code) => ({ system: ATC, code })) ?? []),
      ...(x.drug.fhir?.medication.rxnorm.slice(0, 1).map((code) => ({ system: RXNORM, code })) ?? []),
    ],
    text: x.drug.drug,
  };
  const sex = x.record.covariates.find((c) => c.name === 'SEX');
  resources.push({
    resourceType: 'Patient',
    id: x.patientId,
    ...(sex ? { gender: sex.value === 1 ? 'female' : 'male' } : {}),
  });
  const level = x.drug.fhir?.levels[0];
  x.record.samples.forEach((s, i) => {
    const code = ucumOf(s.unit);
    if (!level || !code)
      return notExported.push(
        `samples[${i}]: no LOINC code or UCUM unit for ${x.drug.drug} levels in ${s.unit}`,
      );
    resources.push({
      resourceType: 'Observation',
      id: `level-${i + 1}`,
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: { coding: [{ system: LOINC, code: level.loinc, display: level.display }] },
      subject,
      effectiveDateTime: s.at,
      valueQuantity: { value: s.value, unit: s.unit, system: UCUM, code },
      ...(s.assay ? { method: { text: s.assay } } : {}),
    });
  });
  x.record.covariates.forEach((c, i) => {
    if (c.name === 'SEX') return;
    const loinc = covariateLoinc(c.name, c.unit);
    const code = ucumOf(c.unit);
    if (!loinc || !code)
      return notExported.push(
        `covariates[${i}]: ${c.name} ${c.value} ${c.unit} (no LOINC code or UCUM unit)`,
      );
    resources.push({
      resourceType: 'Observation',
      id: `covariate-${i + 1}`,
      status: 'final',
      code: { coding: [{ system: LOINC, code: loinc }] },
      subject,
      effectiveDateTime: c.at,
      valueQuantity: { value: c.value, unit: c.unit, system: UCUM, code },
    });
  });
  x.record.administrations.forEach((a, i) => {
    const code = ucumOf(a.unit);
    if (!code) return notExported.push(`administrations[${i}]: ${a.amount} ${a.unit} (no UCUM unit)`);
    const ms = Date.parse(a.at);
    const durationMs = a.duration
      ? Number(a.duration.value) *
        ({ h: 3_600_000, min: 60_000, s: 1000, d: 86_400_000 }[a.duration.unit] ?? NaN)
      : null;
    if (a.route === 'infusion' && !(durationMs !== null && durationMs > 0))
      return notExported.push(`administrations[${i}]: an infusion of unknown duration`);
    // The end in the start's own offset, so that the period reads in the ward's time.
    const offset = /([+-]\d{2}:\d{2}|Z)$/.exec(a.at)?.[1] ?? 'Z';
    const end = (): string => {
      if (offset === 'Z') return new Date(ms + durationMs!).toISOString();
      const sign = offset[0] === '-' ? -1 : 1;
      const off = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
      return `${new Date(ms + durationMs! + off).toISOString().slice(0, 19)}${offset}`;
    };
    resources.push({
      resourceType: 'MedicationAdministration',
      id: `dose-${i + 1}`,
      status: 'completed',
      medicationCodeableConcept: { ...medication, text: a.product },
      subject,
      ...(a.route === 'infusion'
        ? { effectivePeriod: { start: a.at, end: end() } }
        : { effectiveDateTime: a.at }),
      dosage: {
        route: {
          coding: [
            a.route === 'oral'
              ? { system: SNOMED, code: '26643006', display: 'Oral route' }
              : { system: SNOMED, code: '47625008', display: 'Intravenous route' },
          ],
        },
        dose: { value: a.amount, unit: a.unit, system: UCUM, code },
      },
    });
  });
  x.decisions.forEach((d, i) =>
    resources.push(
      medicationRequestOf(
        d.regimen,
        {
          id: `decision-${i + 1}`,
          identifier: [{ system: 'urn:dosetwin/analyses', value: d.analysisId }],
          subject,
          medicationCodeableConcept: medication,
          authoredOn: d.signedAt,
          requester: { display: d.signer },
        },
        { intent: 'proposal', status: 'active' },
      ),
    ),
  );
  return {
    bundle: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: resources.map((r) => ({
        fullUrl: `urn:dosetwin:${String(r.resourceType)}/${String(r.id)}`,
        resource: r,
      })),
    },
    notExported,
  };
}
