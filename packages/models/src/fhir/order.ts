/**
 * Orders in FHIR: which library drug a MedicationRequest orders (by the drug files' ATC and RxNorm
 * codes), and a regimen written as a MedicationRequest's dosageInstruction (timing with period
 * and infusion duration, route, dose and rate as UCUM quantities): the suggestion a CDS card
 * makes in place of a draft order, and the regimen written back after signing.
 */
import type { DrugFile } from '../drug.ts';
import type { Regimen } from '../regimen.ts';
import { ATC, RXNORM, SNOMED, UCUM } from './codes.ts';

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The codes of a MedicationRequest's or MedicationAdministration's medication (its own or a contained one's). */
function medicationCodes(r: Json): { system: string; code: string }[] {
  let cc: unknown = r.medicationCodeableConcept;
  const ref = isObj(r.medicationReference) ? r.medicationReference.reference : undefined;
  if (!cc && typeof ref === 'string' && ref.startsWith('#') && Array.isArray(r.contained))
    cc = (r.contained as unknown[]).find(
      (c) => isObj(c) && c.id === ref.slice(1) && c.resourceType === 'Medication',
    );
  if (isObj(cc) && cc.resourceType === 'Medication') cc = cc.code;
  if (!isObj(cc) || !Array.isArray(cc.coding)) return [];
  return cc.coding.flatMap((c) =>
    isObj(c) && typeof c.system === 'string' && typeof c.code === 'string'
      ? [{ system: c.system, code: c.code }]
      : [],
  );
}

/** The library drug a medication resource is for, by its ATC or RxNorm code, or null. */
export function drugOfMedication(r: unknown, drugs: readonly DrugFile[]): DrugFile | null {
  if (!isObj(r)) return null;
  const codes = medicationCodes(r);
  return (
    drugs.find((d) =>
      codes.some(
        (c) =>
          (c.system === ATC && d.fhir?.medication.atc.includes(c.code)) ||
          (c.system === RXNORM && d.fhir?.medication.rxnorm.includes(c.code)),
      ),
    ) ?? null
  );
}

/** `1250 mg IV infusion over 2 h every 12 h`, in English or French. */
export function regimenText(r: Regimen, lang: 'en' | 'fr' = 'en'): string {
  const q = (x: { value: number; unit: string }): string =>
    `${lang === 'fr' ? String(x.value).replace('.', ',') : x.value} ${x.unit}`;
  const how =
    r.route === 'oral'
      ? lang === 'fr'
        ? 'per os'
        : 'oral'
      : r.route === 'bolus'
        ? lang === 'fr'
          ? 'IV en bolus'
          : 'IV bolus'
        : `${lang === 'fr' ? 'en perfusion IV de' : 'IV infusion over'} ${r.duration ? q(r.duration) : '?'}`;
  const maintenance = `${q(r.dose)} ${how} ${lang === 'fr' ? 'toutes les' : 'every'} ${q(r.interval)}`;
  if (!r.loading) return maintenance;
  return lang === 'fr'
    ? `dose de charge ${q(r.loading.dose)}, puis ${maintenance}`
    : `loading dose ${q(r.loading.dose)}, then ${maintenance}`;
}

const ROUTE = {
  oral: { system: SNOMED, code: '26643006', display: 'Oral route' },
  iv: { system: SNOMED, code: '47625008', display: 'Intravenous route' },
};
const quantity = (x: { value: number; unit: string }): Json => ({
  value: x.value,
  unit: x.unit,
  system: UCUM,
  code: x.unit,
});

/**
 * A MedicationRequest ordering `regimen`: the draft's (or base's) other fields kept, its
 * dosageInstruction replaced (a loading dose as a first instruction given once), intent and
 * status as given.
 */
export function medicationRequestOf(
  regimen: Regimen,
  base: Json,
  o: { intent?: string; status?: string } = {},
): Json {
  const instruction = (
    dose: Regimen['dose'],
    duration: Regimen['duration'],
    sequence: number,
    once: boolean,
  ): Json => ({
    sequence,
    text: once
      ? regimenText({ ...regimen, dose, duration, loading: null }).replace(/ every .*$/, '')
      : regimenText({ ...regimen, loading: null }),
    timing: {
      repeat: {
        ...(once
          ? { count: 1 }
          : { frequency: 1, period: regimen.interval.value, periodUnit: regimen.interval.unit }),
        ...(regimen.route === 'infusion' && duration
          ? { duration: duration.value, durationUnit: duration.unit }
          : {}),
        ...(regimen.start ? { boundsPeriod: { start: regimen.start } } : {}),
      },
    },
    route: { coding: [regimen.route === 'oral' ? ROUTE.oral : ROUTE.iv] },
    doseAndRate: [{ doseQuantity: quantity(dose) }],
  });
  const loading = regimen.loading;
  return {
    ...base,
    resourceType: 'MedicationRequest',
    ...(o.intent ? { intent: o.intent } : {}),
    ...(o.status ? { status: o.status } : {}),
    dosageInstruction: loading
      ? [
          instruction(loading.dose, loading.duration ?? regimen.duration, 1, true),
          instruction(regimen.dose, regimen.duration, 2, false),
        ]
      : [instruction(regimen.dose, regimen.duration, 1, false)],
  };
}
