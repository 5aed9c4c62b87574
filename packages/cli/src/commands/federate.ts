// `dosetwin federate node` and `dosetwin federate run`: federated SAEM over HTTP. A node serves
// the engine's FederatedNodeService on its own data (a CSV file, or the service's database read
// as proposing a local model reads it), behind a bearer token; the coordinator
// calls the nodes through an HTTP transport that retries, and logs every exchange (request and
// reply bodies) as JSON lines, so what crossed the wire can be read afterwards. The statistics,
// the minimum of patients and the coordinator's loop are the engine's.
import { randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  DEFAULT_MIN_PATIENTS,
  DosetwinError,
  type FederatedCall,
  type FederatedNode,
  FederatedNodeService,
  type FederatedReplies,
  type FederatedRequests,
  federatedSaem,
  type FederatedSaemResult,
  type Issue,
  loadModel,
  NodeUnavailableError,
} from '@dosetwin/engine';
import {
  getModel,
  localLibraryModel,
  localPatients,
  type LocalPatientRecord,
  modelsForDrug,
} from '@dosetwin/models';
import type { Command } from 'commander';
import { readPatients } from '../data.ts';
import { argError, guarded, printIssues, readText } from '../io.ts';

const CALLS: readonly FederatedCall[] = ['open', 'estep', 'summary', 'close'];
/** Codes a node passes on to the coordinator with their message: none of their messages holds data. */
const PASSED_ON = /^DT_(FEDERATE_|POPFIT_SAEM_MODEL$)/;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** One exchange as the wire log records it. */
export interface WireEntry {
  time: string;
  node: string;
  call: FederatedCall;
  attempt: number;
  request: unknown;
  status: number | null;
  reply?: unknown;
  error?: string;
  ms: number;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): string {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  return text;
}

/**
 * Where a node's patients come from: a CSV file as popfit reads it, or the service's records of a
 * drug's patients (re-read at each open), mapped to the coordinator's model by the library's
 * mapping, the model being one of `models`.
 */
export type NodeSource =
  { data: string } | { records: () => Promise<LocalPatientRecord[]>; models: readonly string[] };

/** The reader of the node's patients for the coordinator's model. */
function patientReader(
  source: NodeSource,
  records: () => readonly LocalPatientRecord[],
): ConstructorParameters<typeof FederatedNodeService>[0] {
  if ('data' in source)
    return (model) => readPatients({ id: model.ir.id, ir: model.ir }, source.data).map((d) => d.patient);
  return (model) => {
    const id = model.ir.id;
    // The records are mapped with the model's units and covariates: only a model the node serves.
    if (!source.models.includes(id))
      throw new DosetwinError([
        {
          code: 'DT_FEDERATE_MODEL',
          severity: 'error',
          field: 'model',
          message: `the coordinator's model is '${id}'; this node serves ${source.models.join(', ')}`,
          fr: {
            message: `le modèle du coordinateur est « ${id} » ; ce nœud sert ${source.models.join(', ')}`,
          },
        },
      ]);
    const { usable, excluded } = localPatients(localLibraryModel(getModel(id), model.ir), records());
    // Who was left out and why names patients: the node's log only.
    for (const x of excluded) process.stderr.write(`federate node: ${x.patientId} not used: ${x.reason}\n`);
    return usable.map((u) => u.data);
  };
}

/**
 * A node: POST /federate/{open,estep,summary,close} with `Authorization: Bearer TOKEN`. A refusal
 * carries the code; its message only when it holds no data (a data error's message names lines and
 * values: it goes to this node's stderr, and the coordinator gets the code alone).
 */
export function startNode(opts: {
  source: NodeSource;
  token: string;
  port: number;
  host: string;
  minPatients: number;
  log?: string;
}): Promise<Server> {
  let records: readonly LocalPatientRecord[] = [];
  const { source } = opts;
  const service = new FederatedNodeService(
    patientReader(source, () => records),
    { minPatients: opts.minPatients },
  );
  const expected = digest(`Bearer ${opts.token}`);
  const server = createServer((req, res) => {
    void (async () => {
      const t0 = performance.now();
      const call = (req.url ?? '').replace(/^\/federate\//, '') as FederatedCall;
      let requestText = '';
      let status = 200;
      let replyText: string;
      const refuse = (s: number, code: string, field: string, message: string): string => {
        status = s;
        return send(res, s, { error: { code, field, message } });
      };
      try {
        if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected))
          replyText = refuse(401, 'DT_FEDERATE_AUTH', 'authorization', 'missing or wrong bearer token');
        else if (req.method !== 'POST' || !CALLS.includes(call))
          replyText = refuse(404, 'DT_FEDERATE_MESSAGE', 'call', `no route ${req.method} ${req.url}`);
        else {
          requestText = await readBody(req, 16 << 20);
          let request: unknown;
          try {
            request = JSON.parse(requestText);
          } catch {
            request = undefined;
          }
          if (!request || typeof request !== 'object')
            replyText = refuse(400, 'DT_FEDERATE_MESSAGE', 'body', 'the body is not a JSON object');
          else {
            // Each run reads the records as they are now.
            if (call === 'open' && 'records' in source) records = await source.records();
            replyText = send(res, 200, service.handle(call, request as FederatedRequests[typeof call]));
          }
        }
      } catch (e) {
        if (e instanceof DosetwinError) {
          printIssues(e.issues);
          const i = e.issues[0];
          replyText = PASSED_ON.test(i.code)
            ? refuse(422, i.code, i.field, i.message)
            : refuse(422, i.code, i.field, 'refused by the node (the reason is in the node’s log)');
        } else {
          process.stderr.write(`federate node: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
          replyText = refuse(500, 'DT_FEDERATE_MESSAGE', 'node', 'internal error (see the node’s log)');
        }
      }
      if (opts.log)
        appendFileSync(
          opts.log,
          JSON.stringify({
            time: new Date().toISOString(),
            call,
            status,
            request: requestText ? JSON.parse(requestText) : null,
            reply: JSON.parse(replyText),
            ms: Math.round(performance.now() - t0),
          }) + '\n',
        );
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}

/** A node of the nodes file. */
export interface NodeSpec {
  name: string;
  url: string;
  token: string;
}

/** The nodes file: `[{name, url, token | tokenEnv}]` (or `{"nodes": [...]}`). */
export function readNodes(file: string): NodeSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readText(file, 'nodes'));
  } catch (e) {
    if (e instanceof DosetwinError) throw e;
    argError('--nodes', `'${file}' is not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { nodes?: unknown })?.nodes;
  if (!Array.isArray(list) || list.length === 0)
    argError('--nodes', `'${file}' holds no list of nodes ([{"name", "url", "token"}])`);
  const names = new Set<string>();
  return list.map((n: Record<string, unknown>, k) => {
    const at = `nodes[${k}]`;
    if (typeof n?.name !== 'string' || n.name === '') argError(`${at}.name`, 'a node needs a name');
    if (names.has(n.name)) argError(`${at}.name`, `the name '${n.name}' is used twice`);
    names.add(n.name);
    if (typeof n.url !== 'string' || !/^https?:\/\/[^/]+/.test(n.url))
      argError(`${at}.url`, `'${String(n.url)}' is not an http(s) URL`);
    let token = n.token;
    if (typeof n.tokenEnv === 'string') {
      token = process.env[n.tokenEnv];
      if (!token) argError(`${at}.tokenEnv`, `the environment variable ${n.tokenEnv} is not set`);
    }
    if (typeof token !== 'string' || token.length < 8)
      argError(
        `${at}.token`,
        'a node needs a token (token, or tokenEnv naming a variable) of at least 8 characters',
      );
    return { name: n.name, url: n.url.replace(/\/+$/, ''), token };
  });
}

/**
 * A node over HTTP: each call is tried up to 1 + retries times (a connection refused, a timeout, a
 * 5xx), with a delay between attempts; a 4xx is the node's refusal (a DosetwinError with its code);
 * after the last attempt, NodeUnavailableError. Every attempt is logged.
 */
export function httpNode(
  spec: NodeSpec,
  cfg: { retries: number; delayMs: number; timeoutMs: number; log: (e: WireEntry) => void },
): FederatedNode {
  return {
    name: spec.name,
    async call<K extends FederatedCall>(
      call: K,
      request: FederatedRequests[K],
    ): Promise<FederatedReplies[K]> {
      const body = JSON.stringify(request);
      let last = '';
      for (let attempt = 1; attempt <= cfg.retries + 1; attempt++) {
        if (attempt > 1) await new Promise((r) => setTimeout(r, cfg.delayMs));
        const t0 = performance.now();
        const entry: WireEntry = {
          time: new Date().toISOString(),
          node: spec.name,
          call,
          attempt,
          request,
          status: null,
          ms: 0,
        };
        try {
          const res = await fetch(`${spec.url}/federate/${call}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(cfg.timeoutMs),
          });
          const text = await res.text();
          entry.status = res.status;
          entry.ms = Math.round(performance.now() - t0);
          let reply: unknown = text;
          try {
            reply = JSON.parse(text);
          } catch {
            // kept as text in the log
          }
          entry.reply = reply;
          cfg.log(entry);
          if (res.ok) return reply as FederatedReplies[K];
          if (res.status >= 500) {
            last = `HTTP ${res.status}`;
            continue;
          }
          const err = (reply as { error?: { code?: string; field?: string; message?: string } })?.error;
          const code = /^DT_[A-Z0-9_]+$/.test(err?.code ?? '') ? err!.code! : 'DT_FEDERATE_MESSAGE';
          throw new DosetwinError([
            {
              code: code as `DT_${string}`,
              severity: 'error',
              field: `nodes.${spec.name}`,
              message: `node ${spec.name} refused ${call} (HTTP ${res.status}): ${err?.message ?? text.slice(0, 200)}`,
            },
          ]);
        } catch (e) {
          if (e instanceof DosetwinError) throw e;
          last =
            e instanceof Error
              ? `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}`
              : String(e);
          entry.error = last;
          entry.ms = Math.round(performance.now() - t0);
          cfg.log(entry);
        }
      }
      throw new NodeUnavailableError(
        `node ${spec.name} did not answer ${call} after ${cfg.retries + 1} attempts (${last})`,
      );
    },
  };
}

/** The object `dosetwin federate run --format json` prints. */
export interface FederateOutput {
  method: 'saem';
  ofv: number | null;
  ofvMethod: string;
  theta: Record<string, number>;
  omega: { names: string[]; matrix: number[][] };
  sigma: Record<string, number>;
  /** Empty: a federated run has no covariance step yet. */
  se: Record<string, number>;
  shrinkage: Record<string, number>;
  converged: boolean;
  iterations: number;
  seconds: number;
  seed: number;
  patients: number;
  restarts: number;
  nodes: FederatedSaemResult['nodes'];
  wire: { log: string; exchanges: number; bytesSent: number; bytesReceived: number };
  warnings: { code: string; field: string; message: string }[];
}

const int = (flag: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) argError(flag, `'${v}' is not an integer of at least ${min}`);
  return n;
};

/** The options of `dosetwin federate run`, as commander gives them. */
export interface FederateRunOptions {
  model: string;
  nodes: string;
  method: string;
  seed: string;
  explore: string;
  smooth: string;
  fixed?: string;
  retries: string;
  retryDelay: string;
  timeout: string;
  log: string;
  format: string;
}

/** `dosetwin federate run`: the printed object (warnings on stderr). */
export async function federateRun(opts: FederateRunOptions): Promise<FederateOutput> {
  if (opts.method !== 'saem')
    argError('--method', `'${opts.method}' is not saem (the only federated method)`);
  if (opts.format !== 'json') argError('--format', `'${opts.format}' is not supported; use json`);
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) argError('--seed', `'${opts.seed}' is not an integer`);
  const explore = int('--explore', opts.explore, 1);
  const smooth = int('--smooth', opts.smooth, 0);
  const retries = int('--retries', opts.retries, 0);
  const delayMs = int('--retry-delay', opts.retryDelay, 0);
  const timeoutMs = int('--timeout', opts.timeout, 1);
  const fixed = (opts.fixed ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const text = readText(opts.model, 'model');
  const model = loadModel(text, opts.model);
  const specs = readNodes(opts.nodes);
  writeFileSync(opts.log, '');
  const wire = { log: opts.log, exchanges: 0, bytesSent: 0, bytesReceived: 0 };
  const log = (e: WireEntry): void => {
    const line = JSON.stringify(e);
    wire.exchanges++;
    wire.bytesSent += JSON.stringify(e.request).length;
    if (e.reply !== undefined) wire.bytesReceived += JSON.stringify(e.reply).length;
    appendFileSync(opts.log, line + '\n');
  };
  const nodes = specs.map((s) => httpNode(s, { retries, delayMs, timeoutMs, log }));
  const t0 = performance.now();
  const fit = await federatedSaem(model, { file: basename(opts.model), text }, nodes, {
    run: randomUUID(),
    seed,
    explore,
    smooth,
    ...(fixed.length ? { fixed } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  printIssues(fit.warnings);
  const out: FederateOutput = {
    method: 'saem',
    ofv: Number.isFinite(fit.ofv) ? fit.ofv : null,
    ofvMethod: fit.ofvMethod,
    theta: fit.theta,
    omega: fit.omega,
    sigma: fit.sigma,
    se: {},
    shrinkage: fit.shrinkage,
    converged: Number.isFinite(fit.ofv),
    iterations: fit.iterations,
    seconds: Math.round(seconds * 1000) / 1000,
    seed,
    patients: fit.patients,
    restarts: fit.restarts,
    nodes: fit.nodes,
    wire,
    warnings: fit.warnings.map((w: Issue) => ({ code: w.code, field: w.field, message: w.message })),
  };
  return out;
}

export function registerFederate(program: Command): void {
  const fed = program
    .command('federate')
    .description(
      'federated population fitting (SAEM): nodes fit on their own data and send only sums over their patients; a coordinator combines them',
    );
  fed
    .command('node')
    .description(
      'serve this hospital’s data to federated fits: POST /federate/{open,estep,summary,close}, bearer token; only sums over at least --min-patients patients leave',
    )
    .option('--data <file>', 'the hospital’s data (CSV, as popfit reads it)')
    .option(
      '--database <url-or-dir>',
      'or the service’s database, read-only: its SQLite data directory (as dosetwin serve uses it) or a postgres:// URL; the patients of --drug or --model-id, their records mapped to the coordinator’s model as a local model reads them',
    )
    .option('--drug <drug>', 'with --database: serve the patients of this drug, to any of its library models')
    .option(
      '--model-id <id>',
      'with --database: serve the patients of this library model’s drug, to this model only',
    )
    .requiredOption(
      '--token <token>',
      'the bearer token the coordinator must present (at least 8 characters)',
    )
    .option('--port <n>', 'port (0 = any free one, printed)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--min-patients <n>', 'the fewest patients a sum may be over', String(DEFAULT_MIN_PATIENTS))
    .option('--log <file>', 'append each exchange (request and reply) as JSON lines')
    .addHelpText(
      'after',
      `
Examples:
  dosetwin federate node --data hospital.csv --token "$NODE_TOKEN"
  dosetwin federate node --database /var/lib/dosetwin --model-id vancomycin/thomson2009 --token "$NODE_TOKEN"
  dosetwin federate node --database postgres://reader@db/dosetwin --drug vancomycin --token "$NODE_TOKEN"

With --database the node opens the database read-only, re-reads the records at each run, and refuses
(DT_FEDERATE_MODEL) a coordinator's model that is not --model-id or a model of --drug.`,
    )
    .action(
      async (opts: {
        data?: string;
        database?: string;
        drug?: string;
        modelId?: string;
        token: string;
        port: string;
        host: string;
        minPatients: string;
        log?: string;
      }) => {
        process.exitCode = await guarded(async () => {
          if (opts.token.length < 8) argError('--token', 'the token needs at least 8 characters');
          const port = int('--port', opts.port, 0);
          const minPatients = int('--min-patients', opts.minPatients, 2);
          if ((opts.data === undefined) === (opts.database === undefined))
            argError('--data', 'give either --data (a CSV file) or --database (the service’s database)');
          let source: NodeSource;
          let close = async (): Promise<void> => {};
          if (opts.data !== undefined) {
            if (opts.drug !== undefined || opts.modelId !== undefined)
              argError(opts.drug !== undefined ? '--drug' : '--model-id', 'goes with --database, not --data');
            readText(opts.data, 'data');
            source = { data: opts.data };
          } else {
            if ((opts.drug === undefined) === (opts.modelId === undefined))
              argError('--model-id', 'with --database, give either --drug or --model-id');
            let drug: string;
            let models: string[];
            if (opts.modelId !== undefined) {
              const lib = getModel(opts.modelId);
              drug = lib.ir.drug || opts.modelId.split('/')[0];
              models = [opts.modelId];
            } else {
              drug = opts.drug!;
              models = modelsForDrug(drug).map((m) => m.ir.id);
              if (!models.length)
                argError('--drug', `no library model of '${drug}' (dosetwin models lists them)`);
            }
            const { openDb, localRecords } = await import('@dosetwin/server');
            const url = /^postgres(ql)?:\/\//.test(opts.database!);
            let db: Awaited<ReturnType<typeof openDb>>;
            try {
              db = await openDb({
                ...(url ? { databaseUrl: opts.database } : { dataDir: opts.database }),
                readOnly: true,
              });
              await localRecords(db.db, drug);
            } catch (e) {
              argError('--database', `cannot read '${opts.database}': ${(e as Error).message}`);
            }
            source = { records: () => localRecords(db.db, drug), models };
            close = () => db.close();
          }
          const server = await startNode({
            source,
            token: opts.token,
            host: opts.host,
            log: opts.log,
            port,
            minPatients,
          });
          const a = server.address();
          const at = typeof a === 'object' && a ? `http://${opts.host}:${a.port}` : String(a);
          process.stdout.write(`listening ${at}\n`);
          await new Promise<void>((resolve) => {
            const stop = (): void => void server.close(() => resolve());
            process.once('SIGTERM', stop);
            process.once('SIGINT', stop);
          });
          await close();
          return 0;
        });
      },
    );
  fed
    .command('run')
    .description(
      'coordinate a federated SAEM fit over the nodes of --nodes: the E-step on each node, the M-step here; prints the estimates and what each node did',
    )
    .requiredOption('--model <file>', 'model file (.dtm or NONMEM control stream), sent to every node')
    .requiredOption('--nodes <file>', 'JSON list of nodes: [{"name", "url", "token" | "tokenEnv"}]')
    .requiredOption('--method <method>', 'saem (the only federated method)')
    .option('--seed <n>', 'seed of SAEM’s Markov chains', '1')
    .option('--explore <n>', 'SAEM exploration iterations', '200')
    .option('--smooth <n>', 'SAEM smoothing iterations', '200')
    .option('--fixed <names>', 'model parameters held at their value, comma-separated')
    .option('--retries <n>', 'retries of a failed exchange before the node is excluded', '3')
    .option('--retry-delay <ms>', 'delay between attempts', '500')
    .option('--timeout <ms>', 'time allowed for one exchange', '120000')
    .option('--log <file>', 'the wire log: each exchange as a JSON line', 'federate-wire.jsonl')
    .option('--format <format>', 'json (one object)', 'json')
    .action(async (opts: FederateRunOptions) => {
      process.exitCode = await guarded(async () => {
        process.stdout.write(JSON.stringify(await federateRun(opts)) + '\n');
        return 0;
      });
    });
}
