/**
 * dosetwin as a CDS Hooks service: `order-select` and `order-sign` for the library's drugs. From
 * the hook's context (the draft MedicationRequest) and prefetch (the patient, their Observations
 * and MedicationAdministrations; fetched from the EHR's FHIR server with the token the EHR granted
 * when not prefetched), the patient's record is read by the library's FHIR import, its drug-level
 * first candidate is computed on the analysis pool (the full analysis's search and draws, without
 * the selected model's chart, and the PTA only of regimens that can rank first; kept by the inputs,
 * so order-sign after order-select for the same record does not compute again: cds-cache.ts), and
 * answered as a card: the twin's proposal (a posteriori
 * when levels were fitted, else a priori), its exposure and PTA, a suggestion that replaces the
 * draft order with it, and a SMART link to the full analysis.
 *
 * Calls are authenticated as the specification says: a JWT signed by a known CDS client (its
 * `iss`), for this service's URL (`aud`), unexpired; its FHIR server must be one the client is
 * registered with, so the service never fetches from an address a caller chose.
 */
import { randomUUID } from 'node:crypto';
import { DosetwinError, type Issue } from '@dosetwin/engine';
import {
  type AnalysisCandidate,
  DRUG_FILES,
  drugOfMedication,
  importFhir,
  importedRecord,
  medicationRequestOf,
  regimenText,
  type DrugFile,
} from '@dosetwin/models';
import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { AnalysisPool } from '../analysis-pool.ts';
import type { CdsCard, CdsDiscovery, CdsRequest, CdsResponse } from '../contract/index.ts';
import { reject } from '../errors.ts';
import { patientResources } from '../fhir/client.ts';
import { CdsAnalysisCache } from './cds-cache.ts';

/** A CDS client (an EHR) the service answers: its JWT issuer, its keys, its FHIR servers. */
export interface CdsClient {
  iss: string;
  keys: JWTVerifyGetKey;
  /** Base URLs of the FHIR servers its hooks may name; the service fetches from no other. */
  fhirServers: string[];
}

export interface CdsConfig {
  clients: CdsClient[];
  /** This service's public base URL: a hook's JWT is for `${baseUrl}/cds-services/${id}`. */
  baseUrl: string;
  /** Where the SMART link opens the app (its launch URL). */
  launchUrl: string;
  /** The hooks' analyses kept by their inputs (default: one of 256 entries per service). */
  cache?: CdsAnalysisCache;
}

const caches = new WeakMap<CdsConfig, CdsAnalysisCache>();
const cacheOf = (config: CdsConfig): CdsAnalysisCache => {
  if (config.cache) return config.cache;
  let c = caches.get(config);
  if (!c) caches.set(config, (c = new CdsAnalysisCache()));
  return c;
};

const PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  observations: 'Observation?subject=Patient/{{context.patientId}}&_count=500',
  administrations: 'MedicationAdministration?subject=Patient/{{context.patientId}}&_count=500',
};

const SERVICES = [
  {
    hook: 'order-select',
    id: 'dosetwin-order-select',
    title: 'dosetwin: model-informed dose',
    description:
      "When a library drug is selected (vancomycin, aminoglycosides, tacrolimus…): the patient's twin proposes a regimen, with its exposure and probability of target attainment",
    prefetch: PREFETCH,
  },
  {
    hook: 'order-sign',
    id: 'dosetwin-order-sign',
    title: 'dosetwin: check the dose before signing',
    description:
      "Before a library drug's order is signed: the twin's proposal beside it, to replace the draft",
    prefetch: PREFETCH,
  },
];

export const cdsDiscovery = (): CdsDiscovery => ({ services: SERVICES });

const cdsError = (field: string, en: string, fr: string): never =>
  reject('DT_CDS_REQUEST', field, en, undefined, { message: fr });

/** The JWT's client, or 401 DT_CDS_AUTH. */
async function authenticate(
  config: CdsConfig,
  id: string,
  authorization: string | undefined,
): Promise<CdsClient> {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const deny = (why: string, fr: string): never =>
    reject('DT_CDS_AUTH', 'authorization', why, 'the CDS client signs each call with its registered key', {
      message: fr,
      hint: 'le client CDS signe chaque appel avec sa clé enregistrée',
    });
  if (!token) return deny('no bearer JWT', 'pas de JWT porteur');
  let iss: unknown;
  try {
    iss = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).iss;
  } catch {
    return deny('the bearer token is not a JWT', 'le jeton porteur n’est pas un JWT');
  }
  const client = config.clients.find((c) => c.iss === iss);
  if (!client)
    return deny(
      `issuer '${String(iss)}' is not a registered CDS client`,
      `émetteur « ${String(iss)} » non enregistré`,
    );
  try {
    await jwtVerify(token, client.keys, {
      issuer: client.iss,
      audience: `${config.baseUrl.replace(/\/+$/, '')}/cds-services/${id}`,
      requiredClaims: ['exp', 'iat', 'jti'],
    });
  } catch (e) {
    return deny(
      `the JWT does not verify: ${(e as Error).message}`,
      `le JWT n’est pas valide : ${(e as Error).message}`,
    );
  }
  return client;
}

/** The resources of a prefetch (resources and searchset Bundles), or null when a key is missing. */
function prefetched(p: CdsRequest['prefetch']): unknown[] | null {
  if (!p) return null;
  const out: unknown[] = [];
  for (const key of Object.keys(PREFETCH)) {
    const v = p[key];
    if (v === undefined || v === null) return null;
    const o = v as { resourceType?: unknown; entry?: unknown };
    if (o.resourceType === 'Bundle')
      for (const e of Array.isArray(o.entry) ? o.entry : [])
        out.push((e as { resource?: unknown } | null)?.resource);
    else out.push(v);
  }
  return out;
}

export async function answerHook(
  config: CdsConfig,
  pool: AnalysisPool,
  id: string,
  authorization: string | undefined,
  req: CdsRequest,
  lang: 'en' | 'fr',
): Promise<CdsResponse> {
  const service = SERVICES.find((s) => s.id === id);
  if (!service)
    reject('DT_NOT_FOUND', 'id', `no CDS service '${id}'`, `GET /cds-services lists them`, {
      message: `aucun service CDS « ${id} »`,
    });
  const client = await authenticate(config, id, authorization);
  if (req.hook !== service.hook)
    cdsError(
      'hook',
      `service ${id} answers ${service.hook}, not ${req.hook}`,
      `le service ${id} répond à ${service.hook}, pas à ${req.hook}`,
    );
  // The draft orders of a library drug (order-select: the selected ones).
  const entries = (req.context.draftOrders.entry ?? []).map(
    (e) => (e as { resource?: unknown } | null)?.resource,
  );
  const selected = entries.filter((r): r is Record<string, unknown> => {
    if (!r || typeof r !== 'object' || (r as { resourceType?: unknown }).resourceType !== 'MedicationRequest')
      return false;
    if (req.hook !== 'order-select' || !req.context.selections) return true;
    return req.context.selections.includes(`MedicationRequest/${String((r as { id?: unknown }).id)}`);
  });
  if (req.hook === 'order-select' && !req.context.selections?.length)
    cdsError(
      'context.selections',
      'order-select names the selected orders (context.selections)',
      'order-select désigne les prescriptions sélectionnées (context.selections)',
    );
  const drugs = Object.values(DRUG_FILES);
  const orders = selected.flatMap((r) => {
    const d = drugOfMedication(r, drugs);
    return d ? [{ draft: r, drug: d }] : [];
  });
  if (!orders.length) return { cards: [] };
  // The record: prefetched, else read from the EHR's FHIR server with the granted token.
  let resources = prefetched(req.prefetch);
  if (!resources) {
    if (!req.fhirServer || !req.fhirAuthorization)
      cdsError(
        'prefetch',
        'no complete prefetch (patient, observations, administrations), and no fhirServer with fhirAuthorization to fetch them',
        'pas de prefetch complet (patient, observations, administrations), ni de fhirServer avec fhirAuthorization pour les lire',
      );
    const server = req.fhirServer!.replace(/\/+$/, '');
    if (!client.fhirServers.map((s) => s.replace(/\/+$/, '')).includes(server))
      cdsError(
        'fhirServer',
        `${server} is not a FHIR server of ${client.iss}`,
        `${server} n’est pas un serveur FHIR de ${client.iss}`,
      );
    resources = await patientResources(
      { baseUrl: server, token: req.fhirAuthorization!.access_token },
      req.context.patientId,
    );
  }
  const cards: CdsCard[] = [];
  for (const { draft, drug } of orders)
    cards.push(await cardFor(config, pool, client, req, resources, drug, draft, lang));
  return { cards };
}

async function cardFor(
  config: CdsConfig,
  pool: AnalysisPool,
  client: CdsClient,
  req: CdsRequest,
  resources: unknown[],
  drug: DrugFile,
  draft: Record<string, unknown>,
  lang: 'en' | 'fr',
): Promise<CdsCard> {
  const t = (en: string, fr: string): string => (lang === 'fr' ? fr : en);
  const imp = importFhir(resources, drug, { patientId: req.context.patientId });
  const link = {
    label: t('Open the full analysis in dosetwin', 'Ouvrir l’analyse complète dans dosetwin'),
    url: config.launchUrl,
    type: 'smart' as const,
    appContext: JSON.stringify({ drug: drug.drug, patient: req.context.patientId }),
  };
  const refused = imp.refused.length
    ? t(
        `\n\n${imp.refused.length} element(s) of the record not used: ${[...new Set(imp.refused.map((r) => r.issue.code))].join(', ')} (listed in dosetwin).`,
        `\n\n${imp.refused.length} élément(s) du dossier non utilisé(s) : ${[...new Set(imp.refused.map((r) => r.issue.code))].join(', ')} (détail dans dosetwin).`,
      )
    : '';
  const source = { label: 'dosetwin', url: config.launchUrl };
  if (!imp.doses.length)
    return {
      uuid: randomUUID(),
      summary: t(
        `dosetwin: no ${drug.drug} dose in the record yet`,
        `dosetwin : aucune dose de ${drug.drug} au dossier`,
      ).slice(0, 140),
      detail:
        t(
          'The twin proposes a regimen from the doses given; open dosetwin for a first dose.',
          'Le jumeau propose un schéma à partir des doses données ; ouvrir dosetwin pour une première dose.',
        ) + refused,
      indicator: 'info',
      source,
      links: [link],
    };
  let candidates: AnalysisCandidate[];
  try {
    candidates = await cacheOf(config).candidates(
      {
        ...importedRecord(req.context.patientId, imp),
        drug: drug.drug,
        formulation: null,
        targets: [],
        start: null,
      },
      // The card shows the first candidate: the PTA is computed for no regimen that cannot be it.
      (inputs) => pool.drugCandidates(`cds:${client.iss}`, inputs, 1),
    );
  } catch (e) {
    if (!(e instanceof DosetwinError)) throw e;
    return {
      uuid: randomUUID(),
      summary: t(
        `dosetwin: the ${drug.drug} twin cannot be built from the record`,
        `dosetwin : le jumeau (${drug.drug}) ne peut être construit`,
      ).slice(0, 140),
      detail:
        e.issues
          .map((i: Issue) => `- ${i.code}: ${lang === 'fr' ? (i.fr?.message ?? i.message) : i.message}`)
          .join('\n') + refused,
      indicator: 'warning',
      source,
      links: [link],
    };
  }
  const best = candidates[0];
  if (!best)
    return {
      uuid: randomUUID(),
      summary: t(
        `dosetwin: no ${drug.drug} regimen meets the targets`,
        `dosetwin : aucun schéma de ${drug.drug} n’atteint les cibles`,
      ),
      indicator: 'warning',
      source,
      links: [link],
    };
  const pct = (x: number): string => `${Math.round(x * 100)} %`;
  const fmt = (x: number): string => String(Number(x.toPrecision(3)));
  const first = best.metrics[0];
  const text = regimenText(best.regimen, lang);
  const levels = imp.levels.length;
  const how = levels
    ? t(`a posteriori: fitted to ${levels} level(s)`, `a posteriori : ajusté sur ${levels} concentration(s)`)
    : t('a priori: no level in the record', 'a priori : aucune concentration au dossier');
  const summary = `dosetwin: ${text}${first ? ` → ${first.metric} ${fmt(first.value)}` : ''}${best.pta ? `, PTA ${pct(best.pta.all)}` : ''}`;
  const table = [
    `| ${t('target', 'cible')} | ${t('predicted', 'prédit')} | ${t('met', 'atteint')} |`,
    '|---|---|---|',
    ...best.metrics.map((m) => `| ${m.target} | ${fmt(m.value)} | ${m.met ? '✓' : '✗'} |`),
  ].join('\n');
  const detail =
    `**${t("The twin's proposal", 'Proposition du jumeau')}** (${how}): ${text}\n\n${table}` +
    (best.pta
      ? `\n\n${t('Probability of attaining every target', 'Probabilité d’atteindre toutes les cibles')}: ${pct(best.pta.all)} (${best.pta.draws} ${t('draws', 'tirages')})`
      : '') +
    refused;
  const regimen = { ...best.regimen };
  return {
    uuid: randomUUID(),
    summary: summary.length > 140 ? `${summary.slice(0, 139)}…` : summary,
    detail,
    indicator: best.metrics.every((m) => m.met) ? 'info' : 'warning',
    source,
    suggestions: [
      {
        label: t(`Order ${text}`, `Prescrire ${text}`).slice(0, 200),
        uuid: randomUUID(),
        isRecommended: true,
        actions: [
          {
            type: 'update',
            description: t(
              `Replace the draft order with the twin's regimen`,
              'Remplacer la prescription en cours par le schéma du jumeau',
            ),
            resource: medicationRequestOf(regimen, draft),
          },
        ],
      },
    ],
    selectionBehavior: 'at-most-one',
    links: [link],
  };
}
