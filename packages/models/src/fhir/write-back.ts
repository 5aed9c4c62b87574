/**
 * The signed decision written back to the patient's FHIR record, as one transaction Bundle: a
 * DiagnosticReport carrying the signed report (PDF) as `presentedForm`, the retained regimen as a
 * MedicationRequest (intent `proposal` or `plan`, `dosageInstruction` with timing and rate), and a
 * Provenance naming the signer as the author of both, at the time of the signature.
 */
import type { DrugFile } from '../drug.ts';
import type { Regimen } from '../regimen.ts';
import { ATC, RXNORM } from './codes.ts';
import { medicationRequestOf, regimenText } from './order.ts';

export interface SignedDecision {
  /** The patient's id on the FHIR server. */
  fhirPatientId: string;
  drug: DrugFile;
  regimen: Regimen;
  /** The signer as the record names them. */
  signer: { display: string; username: string };
  /** ISO time of the signature. */
  signedAt: string;
  /** The signed report, as a PDF. */
  reportPdf: Uint8Array;
  /** The analysis signed, its hash (what the signature covers) and the request, for identifiers. */
  analysisId: string;
  analysisHash: string;
  /** `proposal` (the pharmacologist's advice) or `plan` (adopted by the prescriber). */
  intent: 'proposal' | 'plan';
  /** The service's base URL, the system of dosetwin's identifiers. */
  system: string;
}

type Json = Record<string, unknown>;

const base64 = (bytes: Uint8Array): string => {
  // Isomorphic: no Buffer in the library.
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

/** The transaction Bundle (entries by `urn:uuid:` full URLs that the Provenance targets). */
export function decisionBundle(d: SignedDecision, uuid: () => string): Json {
  const subject = { reference: `Patient/${d.fhirPatientId}` };
  const identifier = [{ system: `${d.system.replace(/\/+$/, '')}/analyses`, value: d.analysisId }];
  const medication = {
    coding: [
      ...(d.drug.fhir?.medication.atc
        .slice(0, 1)
        .map((code) => ({ system: ATC, code, display: d.drug.drug })) ?? []),
      ...(d.drug.fhir?.medication.rxnorm
        .slice(0, 1)
        .map((code) => ({ system: RXNORM, code, display: d.drug.drug })) ?? []),
    ],
    text: d.drug.drug,
  };
  const author = {
    display: d.signer.display,
    identifier: { system: `${d.system}/users`, value: d.signer.username },
  };
  const text = regimenText(d.regimen);
  const report: Json = {
    resourceType: 'DiagnosticReport',
    identifier,
    status: 'final',
    code: { text: `Model-informed precision dosing: ${d.drug.drug}` },
    subject,
    effectiveDateTime: d.signedAt,
    issued: d.signedAt,
    resultsInterpreter: [author],
    conclusion: `${d.drug.drug}: ${text} (signed by ${d.signer.display}; analysis hash ${d.analysisHash})`,
    presentedForm: [
      {
        contentType: 'application/pdf',
        language: 'en',
        data: base64(d.reportPdf),
        title: `dosetwin report, ${d.drug.drug}`,
        creation: d.signedAt,
      },
    ],
  };
  const request = medicationRequestOf(
    d.regimen,
    {
      identifier,
      subject,
      medicationCodeableConcept: medication,
      authoredOn: d.signedAt,
      requester: author,
      note: [{ text: `dosetwin: ${text}` }],
    },
    { intent: d.intent, status: 'active' },
  );
  const ids = {
    report: `urn:uuid:${uuid()}`,
    request: `urn:uuid:${uuid()}`,
    provenance: `urn:uuid:${uuid()}`,
  };
  const provenance: Json = {
    resourceType: 'Provenance',
    target: [{ reference: ids.report }, { reference: ids.request }],
    recorded: d.signedAt,
    activity: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE' }],
    },
    agent: [
      {
        type: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' },
          ],
        },
        who: author,
      },
    ],
    entity: [
      { role: 'source', what: { identifier: identifier[0], display: `dosetwin analysis ${d.analysisId}` } },
    ],
  };
  const entry = (fullUrl: string, resource: Json): Json => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: String(resource.resourceType) },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [entry(ids.report, report), entry(ids.request, request), entry(ids.provenance, provenance)],
  };
}
