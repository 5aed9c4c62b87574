/**
 * Importing a patient's doses, levels and covariates from the hospital's FHIR server into the
 * patient's record. The library reads the resources (models/src/fhir: what is taken, converted,
 * refused); this module stores what is taken through the same entry functions as a hand entry
 * (the same checks, plausibility bounds, acknowledgements, duplicate refusal and audit) and links
 * each record to its source resource and version (`fhir_links`), so that importing again creates
 * nothing twice: a resource imported before at the same version, or with the same values, is
 * unchanged; a newer version with other values amends the record (a correction naming the
 * version); a resource now entered in error marks its record entered in error.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import { drugFile, importFhir, type FhirSource, type Taken } from '@dosetwin/models';
import type { Kysely } from 'kysely';
import type { SessionUser } from '../auth.ts';
import type {
  CovariateValues,
  DoseValues,
  FhirImportBody,
  FhirImportEntry,
  FhirImportResult,
  LevelValues,
} from '../contract/index.ts';
import type { Database } from '../db/schema.ts';
import { reject } from '../errors.ts';
import { type FhirAccess, patientResources } from '../fhir/client.ts';
import { audit, newId, nowIso, patientFor } from '../store.ts';
import { correctRecord } from './corrections.ts';
import { addAdministration, addCovariate, addSample, recordsOf } from './records.ts';

type Entity = FhirImportEntry['kind'];
type Values = DoseValues | LevelValues | CovariateValues;

const ref = (s: FhirSource): string => `${s.resourceType}/${s.id}`;

/** The values a record holds, in a canonical order, to compare an import with what is stored. */
const same = (a: Values, b: Values): boolean => {
  const canon = (v: Values): string =>
    JSON.stringify(
      Object.keys(v)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]),
    );
  return canon(a) === canon(b);
};

/** Refuse the import when the service reads no FHIR server. */
export function requireFhir(access: FhirAccess | null): FhirAccess {
  if (!access)
    reject(
      'DT_FHIR_NOT_CONFIGURED',
      'fhir',
      'the service reads no FHIR server',
      'start it with DOSETWIN_FHIR_URL set to the FHIR server’s base URL (see the README)',
      {
        message: 'le service ne lit aucun serveur FHIR',
        hint: 'le démarrer avec DOSETWIN_FHIR_URL réglé sur l’adresse de base du serveur FHIR (voir le README)',
      },
    );
  return access;
}

export async function importFromFhir(
  db: Kysely<Database>,
  user: SessionUser,
  access: FhirAccess,
  patientId: string,
  body: FhirImportBody,
): Promise<FhirImportResult> {
  const p = await patientFor(db, user, patientId, 'id');
  const drug = drugFile(body.drug);
  if (!drug)
    reject('DT_DRUG_UNKNOWN', 'drug', `'${body.drug}' is not a drug of the library`, undefined, {
      message: `« ${body.drug} » n’est pas un médicament de la bibliothèque`,
    });
  const server = access.baseUrl.replace(/\/+$/, '');
  const linked = await db
    .selectFrom('fhir_patients')
    .selectAll()
    .where('patient_id', '=', p.id)
    .executeTakeFirst();
  const fhirPatientId = body.fhirPatientId ?? (linked?.fhir_server === server ? linked.fhir_id : undefined);
  if (!fhirPatientId)
    reject(
      'DT_REQUEST_VALUE',
      'fhirPatientId',
      'the patient is not linked to a FHIR patient: name it',
      undefined,
      {
        message: 'le patient n’est lié à aucun patient FHIR : le désigner',
      },
    );
  if (linked && (linked.fhir_server !== server || linked.fhir_id !== fhirPatientId))
    reject(
      'DT_CONFLICT',
      'fhirPatientId',
      `the patient is linked to ${linked.fhir_server}/Patient/${linked.fhir_id}, not ${server}/Patient/${fhirPatientId}`,
      undefined,
      {
        message: `le patient est lié à ${linked.fhir_server}/Patient/${linked.fhir_id}, pas à ${server}/Patient/${fhirPatientId}`,
      },
    );
  const resources = await patientResources(access, fhirPatientId);
  const imp = importFhir(resources, drug, { patientId: fhirPatientId });
  if (!linked) {
    // The first import links the two; another dosetwin patient linked to the same FHIR patient is a 409.
    const other = await db
      .selectFrom('fhir_patients')
      .select('patient_id')
      .where('fhir_server', '=', server)
      .where('fhir_id', '=', fhirPatientId)
      .executeTakeFirst();
    if (other)
      reject(
        'DT_CONFLICT',
        'fhirPatientId',
        `Patient/${fhirPatientId} is linked to another dosetwin patient`,
        undefined,
        {
          message: `Patient/${fhirPatientId} est lié à un autre patient de dosetwin`,
        },
      );
    await db
      .insertInto('fhir_patients')
      .values({
        patient_id: p.id,
        fhir_server: server,
        fhir_id: fhirPatientId,
        linked_at: nowIso(),
        linked_by: user.id,
      })
      .execute();
    await audit(db, {
      user,
      action: 'create',
      entity: 'fhir_patients',
      entityId: p.id,
      patientId: p.id,
      after: { fhir_server: server },
    });
  }
  const links = await db
    .selectFrom('fhir_links')
    .selectAll()
    .where('patient_id', '=', p.id)
    .where('fhir_server', '=', server)
    .execute();
  const linkKey = (type: string, id: string, part: string): string => `${type}/${id}#${part}`;
  const byKey = new Map(links.map((l) => [linkKey(l.resource_type, l.resource_id, l.part), l]));
  const stored = await recordsOf(db, p.id, { withErrors: true });
  const inForce = (entity: Entity, id: string): (Values & { status: string }) | undefined =>
    (stored[entity] as (Values & { id: string; status: string })[]).find((r) => r.id === id);
  const ackFor = (resource: string): string[] =>
    body.acknowledge?.filter((a) => a.resource === resource).flatMap((a) => a.codes) ?? [];

  const entries: FhirImportEntry[] = [];
  const seen = new Set<string>();
  const take = async <V extends Values>(entity: Entity, t: Taken<V>, part: string): Promise<void> => {
    const key = linkKey(t.source.resourceType, t.source.id, part);
    seen.add(key);
    const entry = (
      outcome: FhirImportEntry['outcome'],
      recordId: string | null,
      issues: Issue[] = [],
    ): void => {
      entries.push({
        resource: ref(t.source),
        versionId: t.source.versionId,
        kind: entity,
        recordId,
        outcome,
        values: t.values,
        issues,
        ...(t.note ? { note: t.note } : {}),
      });
    };
    const link = byKey.get(key);
    const acknowledge = ackFor(ref(t.source));
    try {
      if (!link) {
        const body = { ...t.values, drug: drug.drug, acknowledge } as never;
        const created =
          entity === 'administrations'
            ? await addAdministration(db, user, p.id, body)
            : entity === 'samples'
              ? await addSample(db, user, p.id, {
                  ...(t.values as LevelValues),
                  lloq: (t.values as LevelValues).lloq ?? undefined,
                  drug: drug.drug,
                  acknowledge,
                })
              : await addCovariate(db, user, p.id, { ...(t.values as CovariateValues), acknowledge });
        await db
          .insertInto('fhir_links')
          .values({
            id: newId(),
            patient_id: p.id,
            fhir_server: server,
            resource_type: t.source.resourceType,
            resource_id: t.source.id,
            part,
            version_id: t.source.versionId,
            entity,
            record_id: created.id,
            created_at: nowIso(),
            updated_at: nowIso(),
          })
          .execute();
        return entry('created', created.id, (created as { warnings?: Issue[] }).warnings ?? []);
      }
      const current = inForce(entity, link.record_id);
      if (link.version_id === t.source.versionId || (current && same(strip(current, t.values), t.values)))
        return entry('unchanged', link.record_id);
      const value = (
        entity === 'samples'
          ? { ...t.values, lloq: (t.values as LevelValues).lloq ?? undefined, drug: drug.drug, acknowledge }
          : entity === 'administrations'
            ? { ...t.values, drug: drug.drug, acknowledge }
            : { ...t.values, acknowledge }
      ) as never;
      await correctRecord(db, user, p.id, entity, link.record_id, {
        action: 'amend',
        reason: `FHIR ${ref(t.source)} version ${t.source.versionId ?? '(none)'}`,
        value,
      });
      await db
        .updateTable('fhir_links')
        .set({ version_id: t.source.versionId, updated_at: nowIso() })
        .where('id', '=', link.id)
        .execute();
      return entry('amended', link.record_id);
    } catch (e) {
      if (!(e instanceof DosetwinError)) throw e;
      return entry('held', link?.record_id ?? null, [...e.issues]);
    }
  };

  for (const d of imp.doses) await take('administrations', d, '');
  for (const l of imp.levels) await take('samples', l, '');
  for (const c of imp.covariates)
    await take('covariates', c, c.source.resourceType === 'Patient' ? c.values.name : '');

  // A resource imported before and now entered in error or cancelled: its record is marked so.
  const refused = imp.refused.map((r) => ({ resource: r.source ? ref(r.source) : null, issue: r.issue }));
  const missing: FhirImportResult['missing'] = [];
  for (const l of links) {
    const key = linkKey(l.resource_type, l.resource_id, l.part);
    if (seen.has(key)) continue;
    const resource = `${l.resource_type}/${l.resource_id}`;
    const why = imp.refused.find(
      (r) => r.source && ref(r.source) === resource && r.issue.code === 'DT_FHIR_STATUS',
    );
    const current = inForce(l.entity, l.record_id);
    if (!why) {
      missing.push({ resource, recordId: l.record_id });
      continue;
    }
    if (current?.status !== 'entered-in-error')
      await correctRecord(db, user, p.id, l.entity, l.record_id, {
        action: 'entered-in-error',
        reason: `FHIR ${resource}: ${why.issue.message}`,
      });
    const source = imp.refused.find((r) => r.source && ref(r.source) === resource)!.source!;
    entries.push({
      resource,
      versionId: source.versionId,
      kind: l.entity,
      recordId: l.record_id,
      outcome: 'removed',
      values: strip(current ?? {}, KEYS[l.entity]),
      issues: [why.issue],
    });
  }
  await audit(db, {
    user,
    action: 'fhir-import',
    entity: 'patient',
    entityId: p.id,
    patientId: p.id,
    after: Object.fromEntries(
      (['created', 'unchanged', 'amended', 'held', 'removed'] as const).map((o) => [
        o,
        entries.filter((e) => e.outcome === o).length,
      ]),
    ),
  });
  return {
    server,
    fhirPatientId,
    entries,
    conversions: imp.conversions.map((c) => ({
      resource: ref(c.source),
      field: c.field,
      from: c.from,
      to: c.to,
      en: c.why.en,
      fr: c.why.fr,
    })),
    refused,
    missing,
  };
}

/** The fields of `like` taken from a stored record (which also has its id, status, corrections…). */
function strip<V extends Values>(stored: object, like: V | readonly string[]): V {
  const s = stored as Record<string, unknown>;
  const keys = Array.isArray(like) ? (like as readonly string[]) : Object.keys(like);
  return Object.fromEntries(keys.map((k) => [k, s[k]])) as V;
}

/** The values each kind of record holds (record-values.ts). */
const KEYS: Record<Entity, readonly string[]> = {
  administrations: ['at', 'amount', 'unit', 'route', 'duration', 'product'],
  samples: ['at', 'value', 'unit', 'matrix', 'assay', 'lloq'],
  covariates: ['at', 'name', 'value', 'unit'],
};

/**
 * The import from the command line (`dosetwin fhir import --into PATIENT --as USER`): the same
 * import, entered as USER, an active prescriber or pharmacologist of the database.
 */
export async function importIntoRecord(
  db: Kysely<Database>,
  username: string,
  access: FhirAccess,
  patientId: string,
  body: FhirImportBody,
): Promise<FhirImportResult> {
  const u = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  if (!u || !u.active || (u.role !== 'prescriber' && u.role !== 'pharmacologist'))
    reject(
      'DT_AUTH_FORBIDDEN',
      'as',
      `'${username}' is not an active prescriber or pharmacologist`,
      undefined,
      {
        message: `« ${username} » n’est pas un prescripteur ou pharmacologue actif`,
      },
    );
  const user: SessionUser = {
    id: u.id,
    username: u.username,
    role: u.role,
    service: u.service,
    displayName: u.display_name,
  };
  return importFromFhir(db, user, access, patientId, body);
}
