/**
 * A patient's FHIR R4 resources (a Bundle, or a list of resources) read as one drug's clinical
 * record: doses from MedicationAdministration, levels and covariates from Observation, the
 * CYP3A5 genotype from an HL7 Genomics Reporting genotype Observation, sex and age from Patient.
 *
 * Nothing is guessed. What is taken is listed with its FHIR source (resource type, id, version);
 * every change of unit or form with the values before and after (a creatinine in mg/dL stored in
 * the register's µmol/L, a dose in mL times its concentration, an infusion's duration from its
 * rate); what is refused with its reason as an Issue (`DT_FHIR_*`, English and French): an unknown
 * code, a value without a UCUM unit, a dose in mL without a concentration, a time without a zone,
 * a resource not final, another patient's. The input is untrusted JSON: every field is checked
 * before it is read, so malformed input is refused, never thrown on.
 *
 * The result feeds the service (which adds its own entry checks, corrections and audit) and the
 * CLI's NONMEM-style export; both go through {@link clinicalPatient} afterwards like any record.
 */
import type { Issue } from '@dosetwin/engine';
import { convert } from '@dosetwin/engine';
import type { Bilingual } from '../covariate-register.ts';
import { covariateEntry, plausibilityIssue } from '../covariate-register.ts';
import { convertCovariate } from '../covariates.ts';
import type { DrugFile, FhirLevelCode } from '../drug.ts';
import type { ClinicalRecord } from '../patient.ts';
import {
  ATC,
  COVARIATE_CODES,
  GENE_STUDIED_LOINC,
  GENOTYPE_GENES,
  GENOTYPE_LOINC,
  HGNC,
  LOINC,
  ROUTES,
  RXNORM,
  SNOMED,
  SPECIMEN_TYPES,
  UCUM,
  UCUM_UNITS,
} from './codes.ts';

/** Where an imported entry came from. */
export interface FhirSource {
  resourceType: string;
  id: string;
  /** `meta.versionId`, or null when the server gives none. */
  versionId: string | null;
}

export type ImportedDose = ClinicalRecord['administrations'][number];
export type ImportedLevel = ClinicalRecord['samples'][number];
export type ImportedCovariate = ClinicalRecord['covariates'][number];

/** One entry taken, with its source. */
export interface Taken<V> {
  source: FhirSource;
  values: V;
  /** What the source says that the values do not hold (a level's trough timing), for the list shown. */
  note?: string;
}

/** A value changed on the way: its unit, or its form (a volume to an amount, a rate to a duration). */
export interface FhirConversion {
  source: FhirSource;
  field: string;
  from: string;
  to: string;
  why: Bilingual;
}

/** Something not imported, and why (an error Issue with its French text). */
export interface FhirRefusal {
  source: FhirSource | null;
  issue: Issue;
}

export interface FhirImport {
  /** The Patient resource read (null when none was given). */
  patient: { source: FhirSource; gender: string | null; birthDate: string | null } | null;
  doses: Taken<ImportedDose>[];
  levels: Taken<ImportedLevel>[];
  covariates: Taken<ImportedCovariate>[];
  conversions: FhirConversion[];
  refused: FhirRefusal[];
}

export interface FhirImportOptions {
  /** The patient's FHIR id: resources about another subject are refused. Default: the Patient given. */
  patientId?: string;
  /** More entries than this are refused at once, unread (a runaway search). Default 20000. */
  maxResources?: number;
}

// ---------------------------------------------------------------- reading untrusted JSON

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Json | null => (isObj(x) ? x : null);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | null => (typeof x === 'string' && x.length > 0 ? x : null);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

interface Coding {
  system: string | null;
  code: string | null;
  display: string | null;
}
const codings = (cc: unknown): Coding[] =>
  arr(obj(cc)?.coding).flatMap((c) =>
    isObj(c) ? [{ system: str(c.system), code: str(c.code), display: str(c.display) }] : [],
  );
const codeIn = (cc: unknown, system: string): string[] =>
  codings(cc).flatMap((c) => (c.system === system && c.code ? [c.code] : []));
const ccText = (cc: unknown): string | null =>
  str(obj(cc)?.text) ?? codings(cc).find((c) => c.display)?.display ?? null;

/** A FHIR Quantity with its UCUM unit as dosetwin spells it, or the reason it is not one. */
type ReadQuantity = { value: number; unit: string; ucum: string } | { refused: Bilingual; code: FhirCode };

type FhirCode =
  | 'DT_FHIR_INPUT'
  | 'DT_FHIR_UNKNOWN_CODE'
  | 'DT_FHIR_UNIT'
  | 'DT_FHIR_VOLUME_DOSE'
  | 'DT_FHIR_TIME'
  | 'DT_FHIR_STATUS'
  | 'DT_FHIR_VALUE'
  | 'DT_FHIR_ROUTE'
  | 'DT_FHIR_GENOTYPE'
  | 'DT_FHIR_PATIENT';

function quantity(q: unknown, what: Bilingual): ReadQuantity {
  const o = obj(q);
  if (!o)
    return {
      code: 'DT_FHIR_VALUE',
      refused: { en: `${what.en}: no value`, fr: `${what.fr} : pas de valeur` },
    };
  const value = num(o.value);
  if (value === null)
    return {
      code: 'DT_FHIR_VALUE',
      refused: {
        en: `${what.en}: the value is not a number`,
        fr: `${what.fr} : la valeur n’est pas un nombre`,
      },
    };
  const cmp = str(o.comparator);
  if (cmp)
    return {
      code: 'DT_FHIR_VALUE',
      refused: {
        en: `${what.en} is '${cmp} ${value}', not a measured value`,
        fr: `${what.fr} vaut « ${cmp} ${value} », pas une valeur mesurée`,
      },
    };
  const code = str(o.code);
  const system = str(o.system);
  const shown = str(o.unit) ?? code ?? '';
  if (!code || system !== UCUM)
    return {
      code: 'DT_FHIR_UNIT',
      refused: {
        en: `${what.en} ${value}${shown ? ` '${shown}'` : ''} has no UCUM unit code (system ${UCUM})`,
        fr: `${what.fr} ${value}${shown ? ` « ${shown} »` : ''} n’a pas de code d’unité UCUM (système ${UCUM})`,
      },
    };
  const unit = UCUM_UNITS[code];
  if (!unit)
    return {
      code: 'DT_FHIR_UNIT',
      refused: {
        en: `${what.en}: UCUM unit '${code}' is not one dosetwin reads`,
        fr: `${what.fr} : l’unité UCUM « ${code} » n’est pas lue par dosetwin`,
      },
    };
  return { value, unit, ucum: code };
}

/** A clinical date-time: ISO 8601 with a time-zone designator (as the clinical record requires). */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A FHIR dateTime or instant with a time and a zone, or the reason it is not one. */
function dateTime(x: unknown, what: Bilingual): { at: string; ms: number } | { refused: Bilingual } {
  const s = str(x);
  if (!s) return { refused: { en: `${what.en}: no time`, fr: `${what.fr} : pas d’heure` } };
  const ms = Date.parse(s);
  if (!ISO_WITH_ZONE.test(s) || !Number.isFinite(ms))
    return {
      refused: {
        en: `${what.en} '${s}' is not a date-time with a time zone`,
        fr: `${what.fr} « ${s} » n’est pas une date et heure avec fuseau horaire`,
      },
    };
  return { at: s, ms };
}

const sourceOf = (r: Json): FhirSource | null => {
  const resourceType = str(r.resourceType);
  const id = str(r.id);
  if (!resourceType || !id) return null;
  return { resourceType, id, versionId: str(obj(r.meta)?.versionId) };
};

const sourceText = (s: FhirSource): string =>
  `${s.resourceType}/${s.id}${s.versionId ? `/_history/${s.versionId}` : ''}`;

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

// ---------------------------------------------------------------- the import

/**
 * Read a Bundle (any type: searchset, collection, transaction…) or an array of resources for one
 * drug. Never throws on its input: whatever cannot be read is in `refused`.
 */
export function importFhir(input: unknown, drug: DrugFile, options: FhirImportOptions = {}): FhirImport {
  const out: FhirImport = {
    patient: null,
    doses: [],
    levels: [],
    covariates: [],
    conversions: [],
    refused: [],
  };
  const refuse = (
    source: FhirSource | null,
    code: FhirCode,
    field: string,
    m: Bilingual,
    hint?: Bilingual,
  ): void => {
    out.refused.push({
      source,
      issue: {
        code,
        severity: 'error',
        field: source ? `${sourceText(source)}.${field}` : field,
        message: m.en,
        ...(hint ? { hint: hint.en } : {}),
        fr: { message: m.fr, ...(hint ? { hint: hint.fr } : {}) },
      },
    });
  };

  // The resources: a Bundle's entries, an array, or one resource.
  let resources: unknown[];
  const top = obj(input);
  if (Array.isArray(input)) resources = input;
  else if (top?.resourceType === 'Bundle') resources = arr(top.entry).map((e) => obj(e)?.resource);
  else if (top && str(top.resourceType)) resources = [top];
  else {
    refuse(null, 'DT_FHIR_INPUT', 'bundle', {
      en: 'the input is not a FHIR Bundle, resource or list of resources',
      fr: 'l’entrée n’est ni un Bundle FHIR, ni une ressource, ni une liste de ressources',
    });
    return out;
  }
  const max = options.maxResources ?? 20000;
  if (resources.length > max) {
    refuse(
      null,
      'DT_FHIR_INPUT',
      'bundle.entry',
      {
        en: `${resources.length} resources: more than the ${max} one import reads; nothing imported`,
        fr: `${resources.length} ressources : plus que les ${max} qu’un import lit ; rien n’est importé`,
      },
      {
        en: 'ask the server for one patient’s resources of the types dosetwin reads',
        fr: 'demander au serveur les seules ressources du patient des types lus par dosetwin',
      },
    );
    return out;
  }

  // Readable resources with a type and an id; the others are refused here.
  const list: { r: Json; s: FhirSource }[] = [];
  resources.forEach((r, i) => {
    const o = obj(r);
    const s = o ? sourceOf(o) : null;
    if (!o || !s) {
      refuse(null, 'DT_FHIR_INPUT', `entry[${i}]`, {
        en: `entry ${i} is not a resource with a resourceType and an id`,
        fr: `l’entrée ${i} n’est pas une ressource avec resourceType et id`,
      });
      return;
    }
    list.push({ r: o, s });
  });

  // The patient: the one given in options, else the one Patient resource.
  const patients = list.filter((x) => x.s.resourceType === 'Patient');
  const wanted = options.patientId ?? (patients.length === 1 ? patients[0].s.id : null);
  if (!wanted && patients.length > 1)
    refuse(null, 'DT_FHIR_PATIENT', 'Patient', {
      en: `${patients.length} Patient resources and no patient named: nothing is read as any one patient’s`,
      fr: `${patients.length} ressources Patient et aucun patient désigné : rien n’est lu comme le dossier d’un patient`,
    });
  const ofPatient = (x: { r: Json; s: FhirSource }): boolean => {
    const ref = str(obj(x.r.subject)?.reference) ?? str(obj(x.r.patient)?.reference);
    if (wanted && ref && (ref === `Patient/${wanted}` || ref.endsWith(`/Patient/${wanted}`))) return true;
    refuse(x.s, 'DT_FHIR_PATIENT', 'subject', {
      en: ref
        ? `about ${ref}, not ${wanted ? `Patient/${wanted}` : 'a patient named by the import'}`
        : 'no subject: whose it is is not said',
      fr: ref
        ? `concerne ${ref}, pas ${wanted ? `Patient/${wanted}` : 'un patient désigné par l’import'}`
        : 'pas de sujet : le patient n’est pas indiqué',
    });
    return false;
  };
  const byRef = new Map(list.map((x) => [`${x.s.resourceType}/${x.s.id}`, x.r]));
  const resolve = (ref: unknown, contained: unknown): Json | null => {
    const r = str(obj(ref)?.reference);
    if (!r) return null;
    if (r.startsWith('#'))
      return (
        arr(contained)
          .map(obj)
          .find((c) => c?.id === r.slice(1)) ?? null
      );
    return byRef.get(r) ?? byRef.get(r.split('/').slice(-2).join('/')) ?? null;
  };

  // Patient → SEX and AGE (at the first dose, else the first record read), taken after the doses.
  let patient: { r: Json; s: FhirSource } | null = null;
  for (const p of patients) {
    if (p.s.id !== wanted) {
      refuse(p.s, 'DT_FHIR_PATIENT', 'id', {
        en: `another patient than Patient/${wanted}`,
        fr: `un autre patient que Patient/${wanted}`,
      });
      continue;
    }
    patient = p;
    out.patient = { source: p.s, gender: str(p.r.gender), birthDate: str(p.r.birthDate) };
  }

  const levelCodes = new Map((drug.fhir?.levels ?? []).map((l) => [l.loinc, l]));
  const covCodes = new Map(COVARIATE_CODES.map((c) => [c.loinc, c]));
  const otherwise: string[] = [
    'Patient',
    'Observation',
    'MedicationAdministration',
    'Medication',
    'Specimen',
  ];

  for (const x of list) {
    const { r, s } = x;
    if (s.resourceType === 'Observation') {
      if (!ofPatient(x)) continue;
      observation(r, s);
    } else if (s.resourceType === 'MedicationAdministration') {
      if (!ofPatient(x)) continue;
      administration(r, s);
    } else if (!otherwise.includes(s.resourceType))
      refuse(s, 'DT_FHIR_UNKNOWN_CODE', 'resourceType', {
        en: `a ${s.resourceType}: not a resource type the import reads`,
        fr: `un(e) ${s.resourceType} : type de ressource non lu par l’import`,
      });
  }
  if (patient) demographics(patient.r, patient.s);
  const byTime = <V extends { at: string }>(a: Taken<V>, b: Taken<V>): number =>
    Date.parse(a.values.at) - Date.parse(b.values.at);
  out.doses.sort(byTime);
  out.levels.sort(byTime);
  out.covariates.sort(byTime);
  return out;

  // ---------------------------------------------------------------- Observation

  function observation(r: Json, s: FhirSource): void {
    const loinc = codeIn(r.code, LOINC);
    const status = str(r.status);
    const level = loinc.map((c) => levelCodes.get(c)).find(Boolean);
    const cov = loinc.map((c) => covCodes.get(c)).find(Boolean);
    const genotype = loinc.includes(GENOTYPE_LOINC);
    if (!level && !cov && !genotype) {
      const shown =
        codings(r.code)
          .map((c) => `${c.system ?? '?'}|${c.code ?? '?'}`)
          .join(', ') || 'no code';
      refuse(s, 'DT_FHIR_UNKNOWN_CODE', 'code', {
        en: `code ${shown}: not a ${drug.drug} level nor a covariate dosetwin reads`,
        fr: `code ${shown} : ni une concentration de ${drug.drug} ni une covariable lue par dosetwin`,
      });
      return;
    }
    if (!['final', 'amended', 'corrected'].includes(status ?? '')) {
      refuse(s, 'DT_FHIR_STATUS', 'status', {
        en: `status '${status ?? 'none'}': only a final, amended or corrected result is imported`,
        fr: `statut « ${status ?? 'aucun'} » : seul un résultat final, modifié ou corrigé est importé`,
      });
      return;
    }
    const when = r.effectiveDateTime ?? r.effectiveInstant ?? (genotype ? r.issued : undefined);
    if (when === undefined && obj(r.effectivePeriod)) {
      refuse(s, 'DT_FHIR_TIME', 'effectivePeriod', {
        en: 'a period, not the time the sample was taken',
        fr: 'une période, pas l’heure du prélèvement',
      });
      return;
    }
    const t = dateTime(when, { en: 'effective time', fr: 'heure effective' });
    if ('refused' in t) {
      refuse(s, 'DT_FHIR_TIME', 'effectiveDateTime', t.refused, {
        en: 'the time a sample was taken or a measure made is needed with its zone (e.g. 2026-11-12T08:00:00+01:00)',
        fr: 'l’heure du prélèvement ou de la mesure est nécessaire avec son fuseau (ex. 2026-11-12T08:00:00+01:00)',
      });
      return;
    }
    if (genotype) genotypeObservation(r, s, t.at);
    else if (level) levelObservation(r, s, t.at, level);
    else if (cov) covariateObservation(r, s, t.at, cov.name);
  }

  function levelObservation(r: Json, s: FhirSource, at: string, code: FhirLevelCode): void {
    const q = quantity(r.valueQuantity, {
      en: `the ${drug.drug} level`,
      fr: `la concentration de ${drug.drug}`,
    });
    if ('refused' in q) return refuse(s, q.code, 'valueQuantity', q.refused);
    try {
      convert(1, q.unit, 'mg/L', 'valueQuantity');
    } catch {
      return refuse(s, 'DT_FHIR_UNIT', 'valueQuantity.code', {
        en: `the level's unit '${q.ucum}' is not a mass concentration`,
        fr: `l’unité « ${q.ucum} » de la concentration n’est pas une concentration massique`,
      });
    }
    if (q.value < 0)
      return refuse(s, 'DT_FHIR_VALUE', 'valueQuantity.value', {
        en: `level ${q.value} ${q.unit} is negative`,
        fr: `concentration ${q.value} ${q.unit} négative`,
      });
    // The matrix: a referenced Specimen's type, else what the LOINC code's system says.
    const specimen = resolve(r.specimen, r.contained);
    const typed = specimen
      ? codeIn(specimen.type, SNOMED)
          .map((c) => SPECIMEN_TYPES[c])
          .find(Boolean)
      : undefined;
    const matrix = typed ?? code.matrix;
    const method = ccText(r.method);
    const assay = code.assay ?? method ?? `not stated (LOINC ${code.loinc})`;
    out.levels.push({
      source: s,
      values: { at, value: q.value, unit: q.unit, matrix, assay, lloq: null },
      ...(code.timing ? { note: `LOINC ${code.loinc}: ${code.timing}` } : {}),
    });
  }

  function covariateObservation(r: Json, s: FhirSource, at: string, name: string): void {
    const entry = covariateEntry(name);
    if (!entry) return;
    const q = quantity(r.valueQuantity, { en: name, fr: name });
    if ('refused' in q) return refuse(s, q.code, 'valueQuantity', q.refused);
    // In the register's canonical unit, through its conversion (creatinine by its molar mass).
    const v = entry.units.includes(q.unit)
      ? convertCovariate(q.value, q.unit, entry.unit, entry.quantity)
      : null;
    if (v === null || !Number.isFinite(v))
      return refuse(s, 'DT_FHIR_UNIT', 'valueQuantity.code', {
        en: `${name} in '${q.ucum}': the register takes ${entry.units.join(', ')}`,
        fr: `${name} en « ${q.ucum} » : le registre prend ${entry.units.join(', ')}`,
      });
    const bad = plausibilityIssue(name, v, entry.unit);
    if (bad) {
      out.refused.push({ source: s, issue: { ...bad, field: `${sourceText(s)}.valueQuantity` } });
      return;
    }
    if (q.unit !== entry.unit)
      out.conversions.push({
        source: s,
        field: 'valueQuantity',
        from: `${fmt(q.value)} ${q.unit}`,
        to: `${fmt(v)} ${entry.unit}`,
        why: {
          en: `${name} is stored in the covariate register's unit`,
          fr: `${name} est enregistrée dans l’unité du registre des covariables`,
        },
      });
    out.covariates.push({ source: s, values: { at, name, value: v, unit: entry.unit } });
  }

  function genotypeObservation(r: Json, s: FhirSource, at: string): void {
    const gene = arr(r.component)
      .map(obj)
      .find((c) => c && codeIn(c.code, LOINC).includes(GENE_STUDIED_LOINC));
    const hgnc = gene ? codeIn(gene.valueCodeableConcept, HGNC)[0] : undefined;
    const spec = hgnc ? GENOTYPE_GENES[hgnc] : undefined;
    if (!spec)
      return refuse(s, 'DT_FHIR_GENOTYPE', 'component', {
        en: `a genotype of ${hgnc ?? 'a gene not named by its HGNC id (component 48018-6)'}: not one dosetwin reads`,
        fr: `un génotype de ${hgnc ?? 'un gène non désigné par son identifiant HGNC (composant 48018-6)'} : non lu par dosetwin`,
      });
    // The diplotype as written: `CYP3A5 *1/*3`, `*3/*3`.
    const text = ccText(r.valueCodeableConcept) ?? '';
    const m = /(\*\d+[A-Z]?)\s*\/\s*(\*\d+[A-Z]?)/.exec(text);
    const alleles = m ? [m[1], m[2]] : [];
    const known = alleles.map((a) => spec.functional[a]);
    if (alleles.length !== 2 || known.some((k) => k === undefined))
      return refuse(s, 'DT_FHIR_GENOTYPE', 'valueCodeableConcept', {
        en: `${spec.symbol} genotype '${text}': ${alleles.length === 2 ? `allele function of ${alleles.filter((a) => spec.functional[a] === undefined).join(', ')} not known to dosetwin` : 'no diplotype (*1/*3) read'}`,
        fr: `génotype ${spec.symbol} « ${text} » : ${alleles.length === 2 ? `fonction de l’allèle ${alleles.filter((a) => spec.functional[a] === undefined).join(', ')} inconnue de dosetwin` : 'pas de diplotype (*1/*3) lu'}`,
      });
    const value = known.some(Boolean) ? 1 : 0;
    out.conversions.push({
      source: s,
      field: 'valueCodeableConcept',
      from: `${spec.symbol} ${alleles.join('/')}`,
      to: `${spec.name} = ${value}`,
      why: {
        en: value ? 'at least one functional allele: expresser' : 'no functional allele: non-expresser',
        fr: value
          ? 'au moins un allèle fonctionnel : expresseur'
          : 'aucun allèle fonctionnel : non-expresseur',
      },
    });
    out.covariates.push({ source: s, values: { at, name: spec.name, value, unit: '-' } });
  }

  // ---------------------------------------------------------------- MedicationAdministration

  function administration(r: Json, s: FhirSource): void {
    const med = obj(r.medicationCodeableConcept) ?? resolve(r.medicationReference, r.contained)?.code;
    const medication = resolve(r.medicationReference, r.contained);
    const atc = codeIn(med, ATC);
    const rx = codeIn(med, RXNORM);
    const ours =
      atc.some((c) => drug.fhir?.medication.atc.includes(c)) ||
      rx.some((c) => drug.fhir?.medication.rxnorm.includes(c));
    if (!ours) {
      const shown =
        codings(med)
          .map((c) => `${c.system ?? '?'}|${c.code ?? '?'}`)
          .join(', ') || 'no coded medication';
      return refuse(s, 'DT_FHIR_UNKNOWN_CODE', 'medication', {
        en: `${shown}: not ${drug.drug} by its ATC or RxNorm code`,
        fr: `${shown} : pas du ${drug.drug} d’après son code ATC ou RxNorm`,
      });
    }
    const status = str(r.status);
    if (status !== 'completed')
      return refuse(s, 'DT_FHIR_STATUS', 'status', {
        en: `status '${status ?? 'none'}': only a completed administration is a dose given`,
        fr: `statut « ${status ?? 'aucun'} » : seule une administration terminée est une dose donnée`,
      });
    const dosage = obj(r.dosage);
    const routeCode = codeIn(dosage?.route, SNOMED)
      .map((c) => ROUTES[c])
      .find(Boolean);
    if (!routeCode)
      return refuse(s, 'DT_FHIR_ROUTE', 'dosage.route', {
        en: `route ${
          codings(dosage?.route)
            .map((c) => c.code)
            .join(', ') || 'not given'
        }: dosetwin reads oral (SNOMED 26643006) and intravenous (47625008)`,
        fr: `voie ${
          codings(dosage?.route)
            .map((c) => c.code)
            .join(', ') || 'non indiquée'
        } : dosetwin lit orale (SNOMED 26643006) et intraveineuse (47625008)`,
      });
    const period = obj(r.effectivePeriod);
    const start = dateTime(period ? period.start : r.effectiveDateTime, {
      en: period ? 'the infusion start' : 'the administration time',
      fr: period ? 'le début de la perfusion' : 'l’heure d’administration',
    });
    if ('refused' in start)
      return refuse(s, 'DT_FHIR_TIME', period ? 'effectivePeriod.start' : 'effectiveDateTime', start.refused);
    let durationH: number | null = null;
    if (period) {
      const end = dateTime(period.end, { en: 'the infusion end', fr: 'la fin de la perfusion' });
      if ('refused' in end) return refuse(s, 'DT_FHIR_TIME', 'effectivePeriod.end', end.refused);
      durationH = (end.ms - start.ms) / 3_600_000;
      if (!(durationH > 0))
        return refuse(s, 'DT_FHIR_TIME', 'effectivePeriod', {
          en: 'the infusion ends before it starts',
          fr: 'la perfusion finit avant de commencer',
        });
    }
    if (routeCode === 'oral' && period)
      return refuse(s, 'DT_FHIR_ROUTE', 'effectivePeriod', {
        en: 'an oral dose over a period: its time is not one instant',
        fr: 'une dose orale sur une période : son heure n’est pas un instant',
      });

    // The concentration of a solution, from the Medication's ingredient strength (mass per volume).
    const concentration = (): { mgPerMl: number; text: string } | null => {
      for (const ing of arr(medication?.ingredient).map(obj)) {
        const st = obj(ing?.strength);
        const n = quantity(st?.numerator, { en: 'strength', fr: 'concentration' });
        const d = quantity(st?.denominator, { en: 'strength', fr: 'concentration' });
        if ('refused' in n || 'refused' in d) continue;
        try {
          const mg = convert(n.value, n.unit, 'mg');
          const ml = convert(d.value, d.unit, 'mL');
          if (mg > 0 && ml > 0)
            return { mgPerMl: mg / ml, text: `${fmt(n.value)} ${n.unit}/${fmt(d.value)} ${d.unit}` };
        } catch {
          continue;
        }
      }
      return null;
    };
    /** A mass, or a volume times the solution's concentration; null (refused) otherwise. */
    const mass = (
      q: { value: number; unit: string },
      field: string,
    ): { value: number; unit: string } | null => {
      if (isMass(q.unit)) return q;
      if (!isVolume(q.unit)) {
        refuse(s, 'DT_FHIR_UNIT', field, {
          en: `'${q.unit}' is neither a mass nor a volume`,
          fr: `« ${q.unit} » n’est ni une masse ni un volume`,
        });
        return null;
      }
      const c = concentration();
      if (!c) {
        refuse(
          s,
          'DT_FHIR_VOLUME_DOSE',
          field,
          {
            en: `${fmt(q.value)} ${q.unit} of solution, and no concentration (Medication.ingredient.strength) to make it an amount`,
            fr: `${fmt(q.value)} ${q.unit} de solution, sans concentration (Medication.ingredient.strength) pour en faire une quantité`,
          },
          {
            en: 'the record must give the dose as a mass, or the solution’s concentration',
            fr: 'le dossier doit donner la dose en masse, ou la concentration de la solution',
          },
        );
        return null;
      }
      const mg = convert(q.value, q.unit, 'mL') * c.mgPerMl;
      out.conversions.push({
        source: s,
        field,
        from: `${fmt(q.value)} ${q.unit}`,
        to: `${fmt(mg)} mg`,
        why: {
          en: `at ${c.text} (the Medication's strength)`,
          fr: `à ${c.text} (concentration du médicament)`,
        },
      });
      return { value: mg, unit: 'mg' };
    };

    // The dose, and the rate where given (a mass or volume per time).
    let dose: { value: number; unit: string } | null = null;
    if (dosage?.dose !== undefined) {
      const q = quantity(dosage.dose, { en: 'the dose', fr: 'la dose' });
      if ('refused' in q) return refuse(s, q.code, 'dosage.dose', q.refused);
      dose = mass(q, 'dosage.dose');
      if (!dose) return;
    }
    let ratePerH: { value: number; unit: string } | null = null;
    if (dosage?.rateQuantity !== undefined) {
      const q = quantity(dosage.rateQuantity, { en: 'the rate', fr: 'le débit' });
      if ('refused' in q) return refuse(s, q.code, 'dosage.rateQuantity', q.refused);
      const [amountUnit, timeUnit] = q.unit.split('/');
      let perH: number;
      try {
        perH = q.value / convert(1, timeUnit ?? '', 'h');
      } catch {
        return refuse(s, 'DT_FHIR_UNIT', 'dosage.rateQuantity', {
          en: `rate unit '${q.ucum}' is not an amount per time`,
          fr: `unité de débit « ${q.ucum} » : pas une quantité par unité de temps`,
        });
      }
      const m = mass({ value: perH, unit: amountUnit }, 'dosage.rateQuantity');
      if (!m) return;
      ratePerH = m;
    } else if (dosage?.rateRatio !== undefined || dosage?.rateRange !== undefined)
      return refuse(s, 'DT_FHIR_UNIT', 'dosage.rate[x]', {
        en: 'a rate as a ratio or range: dosetwin reads a rate as a quantity (mg/h, mL/h)',
        fr: 'un débit en rapport ou intervalle : dosetwin lit un débit en quantité (mg/h, mL/h)',
      });
    if (routeCode === 'intravenous' && durationH === null && ratePerH && dose) {
      // An infusion given by its rate: its duration is the dose over the rate.
      durationH = dose.value / convert(ratePerH.value, ratePerH.unit, dose.unit);
      out.conversions.push({
        source: s,
        field: 'dosage.rateQuantity',
        from: `${fmt(dose.value)} ${dose.unit} at ${fmt(ratePerH.value)} ${ratePerH.unit}/h`,
        to: `${fmt(durationH * 60)} min`,
        why: { en: 'infusion duration = dose / rate', fr: 'durée de perfusion = dose / débit' },
      });
    }
    if (!dose && ratePerH && durationH !== null) {
      const amount = ratePerH.value * durationH;
      dose = { value: amount, unit: ratePerH.unit };
      out.conversions.push({
        source: s,
        field: 'dosage.rateQuantity',
        from: `${fmt(ratePerH.value)} ${ratePerH.unit}/h over ${fmt(durationH * 60)} min`,
        to: `${fmt(amount)} ${ratePerH.unit}`,
        why: { en: 'amount = rate × infusion duration', fr: 'quantité = débit × durée de perfusion' },
      });
    } else if (dose && ratePerH && durationH !== null && period) {
      // Both given: they must agree (within 2 %, a pump's rounding), else neither is trusted.
      const fromRate = convert(ratePerH.value, ratePerH.unit, dose.unit) * durationH;
      if (Math.abs(fromRate - dose.value) > 0.02 * dose.value)
        return refuse(s, 'DT_FHIR_VALUE', 'dosage', {
          en: `dose ${fmt(dose.value)} ${dose.unit} but rate × period = ${fmt(fromRate)} ${dose.unit}`,
          fr: `dose ${fmt(dose.value)} ${dose.unit} mais débit × période = ${fmt(fromRate)} ${dose.unit}`,
        });
    }
    if (!dose)
      return refuse(s, 'DT_FHIR_VALUE', 'dosage.dose', {
        en: 'no dose, and no rate over a period to compute it from',
        fr: 'pas de dose, ni de débit sur une période pour la calculer',
      });
    if (!(dose.value > 0))
      return refuse(s, 'DT_FHIR_VALUE', 'dosage.dose', {
        en: `dose ${dose.value} ${dose.unit} is not positive`,
        fr: `dose ${dose.value} ${dose.unit} non positive`,
      });
    if (routeCode === 'intravenous' && durationH === null)
      return refuse(
        s,
        'DT_FHIR_ROUTE',
        'effectiveDateTime',
        {
          en: 'an intravenous dose at one instant, with no period or rate: its infusion duration is not known',
          fr: 'une dose intraveineuse à un instant, sans période ni débit : sa durée de perfusion est inconnue',
        },
        {
          en: 'the record must give the infusion’s start and end (effectivePeriod) or its rate',
          fr: 'le dossier doit donner le début et la fin de la perfusion (effectivePeriod) ou son débit',
        },
      );
    const product = ccText(med) ?? ccText(medication?.code) ?? drug.drug;
    const duration =
      durationH === null
        ? null
        : Number.isInteger(durationH)
          ? { value: durationH, unit: 'h' }
          : { value: Number((durationH * 60).toPrecision(12)), unit: 'min' };
    out.doses.push({
      source: s,
      values: {
        at: start.at,
        amount: dose.value,
        unit: dose.unit,
        route: routeCode === 'oral' ? 'oral' : 'infusion',
        duration,
        product,
      },
    });
  }

  // ---------------------------------------------------------------- Patient

  function demographics(r: Json, s: FhirSource): void {
    const first =
      out.doses[0]?.values.at ?? [...out.levels, ...out.covariates].map((x) => x.values.at).sort()[0];
    if (!first) return;
    const gender = str(r.gender);
    if (gender === 'male' || gender === 'female')
      out.covariates.unshift({
        source: s,
        values: { at: first, name: 'SEX', value: gender === 'female' ? 1 : 0, unit: '-' },
      });
    else
      refuse(s, 'DT_FHIR_VALUE', 'gender', {
        en: `gender '${gender ?? 'not given'}': SEX (0 = male, 1 = female) is entered by hand`,
        fr: `genre « ${gender ?? 'non indiqué'} » : SEX (0 = homme, 1 = femme) se saisit à la main`,
      });
    const birth = str(r.birthDate);
    const day = birth && /^\d{4}-\d{2}-\d{2}$/.test(birth) ? Date.parse(`${birth}T00:00:00Z`) : NaN;
    if (!Number.isFinite(day)) {
      refuse(s, 'DT_FHIR_TIME', 'birthDate', {
        en: `birth date '${birth ?? 'not given'}' is not a full date: AGE is entered by hand`,
        fr: `date de naissance « ${birth ?? 'non indiquée'} » incomplète : AGE se saisit à la main`,
      });
      return;
    }
    // Age at the first dose in years of 365.25 days, to the hundredth (a birth date has no time or zone).
    const ageY = Math.round(((Date.parse(first) - day) / (365.25 * 86_400_000)) * 100) / 100;
    const bad = plausibilityIssue('AGE', ageY, 'y');
    if (bad) {
      out.refused.push({ source: s, issue: { ...bad, field: `${sourceText(s)}.birthDate` } });
      return;
    }
    out.conversions.push({
      source: s,
      field: 'birthDate',
      from: birth!,
      to: `AGE ${ageY} y`,
      why: {
        en: `age at ${first}, in years of 365.25 days to 0.01 y`,
        fr: `âge au ${first}, en années de 365,25 jours à 0,01 an près`,
      },
    });
    out.covariates.unshift({ source: s, values: { at: first, name: 'AGE', value: ageY, unit: 'y' } });
  }
}

const isMass = (u: string): boolean => ['g', 'mg', 'ug', 'ng'].includes(u);
const isVolume = (u: string): boolean => ['mL', 'L'].includes(u);

/** The import as a clinical record (what {@link clinicalPatient} reads), for the CLI and tests. */
export function importedRecord(patientId: string, imp: FhirImport): ClinicalRecord {
  return {
    patientId,
    administrations: imp.doses.map((d) => d.values),
    samples: imp.levels.map((l) => l.values),
    covariates: imp.covariates.map((c) => c.values),
  };
}
