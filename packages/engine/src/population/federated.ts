/**
 * Federated SAEM: each hospital (a node) runs SAEM's E-step on its own patients and sends only the
 * summed sufficient statistics; a coordinator adds them, does the M-step and sends the parameters
 * back. The sums are exact (exact-sum.ts) and every chain's random stream is keyed by its global
 * subject index, so the estimates equal those of SAEM on all the patients pooled in node order, to
 * the last bit. The transport (HTTP, credentials, retries, the log of what crossed the wire) is the
 * caller's; here are the messages, the node's side and the coordinator's loop.
 */
import { DosetwinError, type Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import { loadModel } from '../model/load.ts';
import { exactValue } from './exact-sum.ts';
import { namedParameters, type PopulationParameters } from './parameters.ts';
import {
  addSaemStatistics,
  addSaemSummaries,
  SaemEstimator,
  SaemLocal,
  type SaemBroadcast,
  type SaemOptions,
  type SaemPlan,
  saemPlan,
  type SaemStatistics,
  saemSummary,
  type SaemSummary,
} from './saem.ts';

/** The fewest patients a node sums over unless told otherwise. */
export const DEFAULT_MIN_PATIENTS = 5;

/** The model, as text: every node compiles it and reads its own data for it. */
export interface FederatedModel {
  file: string;
  text: string;
}

/** SAEM's settings that every node must share. */
export interface FederatedSaemSettings {
  fixed?: string[];
  kernels?: [number, number, number];
}

/** The coordinator's requests, by call. */
export interface FederatedRequests {
  open: { run: string; model: FederatedModel; settings: FederatedSaemSettings };
  estep: { run: string; offset: number; broadcast: SaemBroadcast };
  summary: {
    run: string;
    parameters: { theta: number[]; omega: number[]; addSd: number[]; propSd: number[] };
  };
  close: { run: string };
}

/** The nodes' replies, by call: counts and sums only. */
export interface FederatedReplies {
  open: { patients: number };
  estep: SaemStatistics;
  summary: SaemSummary;
  close: { closed: boolean };
}

export type FederatedCall = keyof FederatedRequests;

const refuse = (code: `DT_${string}`, field: string, message: string, hint?: string): never => {
  throw new DosetwinError([{ code, severity: 'error', field, message, ...(hint ? { hint } : {}) }]);
};

/**
 * A node's side: it compiles the coordinator's model, reads its own patients for it, keeps their
 * Markov chains between iterations, and answers with sums over at least `minPatients` patients
 * (DT_FEDERATE_TOO_FEW_PATIENTS otherwise, before anything is computed).
 */
export class FederatedNodeService {
  readonly minPatients: number;
  private readonly read: (model: CompiledModel) => PatientData[];
  private readonly runs = new Map<
    string,
    { plan: SaemPlan; patients: PatientData[]; local: SaemLocal | null }
  >();

  constructor(read: (model: CompiledModel) => PatientData[], options: { minPatients?: number } = {}) {
    this.read = read;
    this.minPatients = options.minPatients ?? DEFAULT_MIN_PATIENTS;
    if (!(Number.isInteger(this.minPatients) && this.minPatients >= 2))
      refuse('DT_ARG', 'minPatients', `${this.minPatients} is not an integer of at least 2`);
  }

  handle<K extends FederatedCall>(call: K, request: FederatedRequests[K]): FederatedReplies[K] {
    const r = request as FederatedRequests[FederatedCall];
    if (typeof r?.run !== 'string' || r.run === '')
      refuse('DT_FEDERATE_MESSAGE', 'run', `the ${call} request names no run`);
    switch (call) {
      case 'open': {
        const q = r as FederatedRequests['open'];
        if (typeof q.model?.text !== 'string' || typeof q.model?.file !== 'string')
          refuse('DT_FEDERATE_MESSAGE', 'model', 'the open request carries no model text');
        const model = loadModel(q.model.text, q.model.file);
        const patients = this.read(model);
        if (patients.length < this.minPatients)
          refuse(
            'DT_FEDERATE_TOO_FEW_PATIENTS',
            'patients',
            `this node has fewer patients than its minimum of ${this.minPatients}: it sends no aggregate`,
            'add the node’s patients to another node, or lower its --min-patients if the hospital allows it',
          );
        const plan = saemPlan(model, q.settings ?? {}, patients);
        this.runs.set(q.run, { plan, patients, local: null });
        return { patients: patients.length } as FederatedReplies[K];
      }
      case 'estep': {
        const q = r as FederatedRequests['estep'];
        const run = this.run(q.run);
        if (!Number.isInteger(q.offset) || q.offset < 0 || !q.broadcast)
          refuse('DT_FEDERATE_MESSAGE', 'offset', 'the estep request has no offset or parameters');
        if (!run.local || run.local.offset !== q.offset || q.broadcast.iteration === 1)
          run.local = new SaemLocal(run.plan, run.patients, q.offset);
        return run.local.eStep(q.broadcast) as FederatedReplies[K];
      }
      case 'summary': {
        const q = r as FederatedRequests['summary'];
        const run = this.run(q.run);
        const p: PopulationParameters = {
          theta: Float64Array.from(q.parameters.theta),
          omega: Float64Array.from(q.parameters.omega),
          addSd: Float64Array.from(q.parameters.addSd),
          propSd: Float64Array.from(q.parameters.propSd),
        };
        return saemSummary(run.plan, run.patients, p, {
          simulator: run.plan.simulator,
        }) as FederatedReplies[K];
      }
      case 'close':
        return { closed: this.runs.delete(r.run) } as FederatedReplies[K];
      default:
        return refuse('DT_FEDERATE_MESSAGE', 'call', `unknown call '${String(call)}'`);
    }
  }

  private run(id: string): { plan: SaemPlan; patients: PatientData[]; local: SaemLocal | null } {
    return (
      this.runs.get(id) ??
      refuse(
        'DT_FEDERATE_MESSAGE',
        'run',
        `no run '${id}' is open on this node (it restarted, or the run was closed)`,
      )
    );
  }
}

/** A node as the coordinator sees it: a name and a call that answers or throws. */
export interface FederatedNode {
  readonly name: string;
  /**
   * One exchange. Throws {@link NodeUnavailableError} when the node cannot be reached after the
   * transport's retries, a {@link DosetwinError} when the node refuses.
   */
  call<K extends FederatedCall>(call: K, request: FederatedRequests[K]): Promise<FederatedReplies[K]>;
}

/** The node could not be reached (after the transport's retries). */
export class NodeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeUnavailableError';
  }
}

/** A node in the run's report. */
export interface FederatedNodeReport {
  name: string;
  /** Patients it summed over (null when it never answered the open call). */
  patients: number | null;
  status: 'used' | 'excluded';
  /** Why it was excluded, and at which call and iteration. */
  reason?: string;
  code?: string;
  call?: FederatedCall;
  iteration?: number;
}

/** A federated SAEM fit: the population estimates, never an individual's. */
export interface FederatedSaemResult {
  method: 'saem';
  /** FOCE-I's OFV at the SAEM estimates, summed over the nodes (+∞ if a subject's is not finite). */
  ofv: number;
  ofvMethod: string;
  parameters: PopulationParameters;
  theta: Record<string, number>;
  omega: { names: string[]; matrix: number[][] };
  sigma: Record<string, number>;
  /** ETA shrinkage, % (from the nodes' sums of η̂ and η̂²; divisor N − 1). */
  shrinkage: Record<string, number>;
  /** Patients in all (the nodes used). */
  patients: number;
  iterations: number;
  seed: number;
  /** Times the run started again from iteration 1 after excluding a node. */
  restarts: number;
  nodes: FederatedNodeReport[];
  warnings: Issue[];
}

/** Options of {@link federatedSaem}. */
export interface FederatedSaemOptions extends Pick<
  SaemOptions,
  'seed' | 'explore' | 'smooth' | 'chains' | 'fixed' | 'kernels'
> {
  /** The run's id (unique per run: nodes keep their chains under it). */
  run: string;
  onProgress?: (p: { phase: string; iteration: number; of: number; ofv: number }) => void;
}

/** One call to each node in parallel; the nodes that failed, with their error. */
async function callAll<K extends FederatedCall>(
  nodes: readonly FederatedNode[],
  call: K,
  request: (node: FederatedNode, k: number) => FederatedRequests[K],
  check: (reply: FederatedReplies[K], k: number) => boolean,
): Promise<{ replies: FederatedReplies[K][]; failed: { node: FederatedNode; error: unknown }[] }> {
  const settled = await Promise.allSettled(nodes.map((n, k) => n.call(call, request(n, k))));
  const replies: FederatedReplies[K][] = [];
  const failed: { node: FederatedNode; error: unknown }[] = [];
  settled.forEach((s, k) => {
    if (s.status === 'rejected') failed.push({ node: nodes[k], error: s.reason });
    else if (!check(s.value, k))
      failed.push({
        node: nodes[k],
        error: new Error(`the ${call} reply is not the shape this run expects`),
      });
    else replies.push(s.value);
  });
  return { replies, failed };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isSums = (v: unknown, n: number): boolean =>
  Array.isArray(v) &&
  v.length === n &&
  v.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number' && Number.isFinite(y)));
const isCounts = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every(isCount);

/** Whether a node's statistics are over its patients and of the model's dimensions. */
function validStatistics(
  s: SaemStatistics,
  patients: number,
  chains: number,
  d: number,
  nOut: number,
): boolean {
  return (
    s?.patients === patients &&
    s.draws === patients * chains &&
    isSums(s.phi, d) &&
    isSums(s.phiPhi, (d * (d + 1)) / 2) &&
    isSums(s.residual, nOut) &&
    isCounts(s.observations, nOut) &&
    isCounts(s.acceptedComponent, d) &&
    isCount(s.acceptedBlock) &&
    isCount(s.triedBlock)
  );
}

const reasonOf = (e: unknown): { reason: string; code?: string } => {
  if (e instanceof DosetwinError) {
    const i = e.issues[0];
    return { reason: i ? i.message : e.message, code: i?.code };
  }
  return { reason: e instanceof Error ? e.message : String(e) };
};

/**
 * The coordinator: opens the run on every node (each says how many patients it has), runs SAEM with
 * the E-step on the nodes (in parallel) and the M-step here, then asks each node for its summary at
 * the estimates (OFV terms, sums for the shrinkage). A node that fails (unreachable after the
 * transport's retries, or refusing) is excluded and the run starts again from iteration 1 with the
 * others, so that the result is exactly SAEM on the patients of the nodes used; the report names
 * the node, the call and the iteration. Fails (DT_FEDERATE_NO_NODES) when fewer than 2 patients
 * remain.
 */
export async function federatedSaem(
  model: CompiledModel,
  source: FederatedModel,
  nodes: readonly FederatedNode[],
  options: FederatedSaemOptions,
): Promise<FederatedSaemResult> {
  const reports = new Map<FederatedNode, FederatedNodeReport>(
    nodes.map((n) => [n, { name: n.name, patients: null, status: 'used' }]),
  );
  const warnings: Issue[] = [];
  let active = [...nodes];
  const exclude = (
    failed: { node: FederatedNode; error: unknown }[],
    call: FederatedCall,
    iteration?: number,
  ) => {
    for (const { node, error } of failed) {
      const r = reports.get(node)!;
      const { reason, code } = reasonOf(error);
      Object.assign(r, { status: 'excluded', reason, call, ...(code ? { code } : {}) });
      if (iteration !== undefined) r.iteration = iteration;
      warnings.push({
        code: 'DT_FEDERATE_NODE_EXCLUDED',
        severity: 'warning',
        field: `nodes.${node.name}`,
        message: `node ${node.name} excluded at its ${call} call${iteration !== undefined ? ` (iteration ${iteration})` : ''}: ${reason}`,
      });
    }
    active = active.filter((n) => !failed.some((f) => f.node === n));
  };
  const settings: FederatedSaemSettings = {
    ...(options.fixed ? { fixed: [...options.fixed] } : {}),
    ...(options.kernels ? { kernels: [...options.kernels] } : {}),
  };
  for (let restarts = 0; ; restarts++) {
    const opened = await callAll(
      active,
      'open',
      () => ({ run: options.run, model: source, settings }),
      (r) => isCount(r?.patients) && r.patients > 0,
    );
    const failedOpen = opened.failed;
    exclude(failedOpen, 'open');
    const counts = opened.replies.map((r) => r.patients);
    const N = counts.reduce((a, b) => a + b, 0);
    if (active.length === 0 || N < 2)
      refuse(
        'DT_FEDERATE_NO_NODES',
        'nodes',
        `${active.length} node(s) and ${N} patient(s) left: a population fit needs several patients (${[
          ...reports.values(),
        ]
          .filter((r) => r.status === 'excluded')
          .map((r) => `${r.name}: ${r.reason}`)
          .join('; ')})`,
        'check that the nodes run, that their tokens match, and their messages in the run report',
      );
    if (restarts > 0 || failedOpen.length > 0)
      warnings.push({
        code: 'DT_FEDERATE_NODE_EXCLUDED',
        severity: 'warning',
        field: 'nodes',
        message: `the fit ran on ${active.length} node(s) and ${N} patients: ${[...reports.values()]
          .filter((r) => r.status === 'excluded')
          .map((r) => r.name)
          .join(', ')} excluded`,
      });
    active.forEach((n, k) => (reports.get(n)!.patients = counts[k]));
    const offsets = counts.map((_, k) => counts.slice(0, k).reduce((a, b) => a + b, 0));
    // The coordinator holds no patient: the data checks of the plan ran on the nodes.
    const plan = saemPlan(model, settings, []);
    const estimator = new SaemEstimator(plan, N, options);
    const d = plan.estEtas.length;
    const nOut = model.ir.errors.length;
    let failedAt: {
      failed: { node: FederatedNode; error: unknown }[];
      call: FederatedCall;
      iteration?: number;
    } | null = null;
    while (!estimator.done) {
      const broadcast = estimator.broadcast();
      const phase = estimator.phase;
      const r = await callAll(
        active,
        'estep',
        (_, k) => ({ run: options.run, offset: offsets[k], broadcast }),
        (st, k) => validStatistics(st, counts[k], estimator.chains, d, nOut),
      );
      if (r.failed.length) {
        failedAt = { failed: r.failed, call: 'estep', iteration: broadcast.iteration };
        break;
      }
      estimator.update(r.replies.reduce(addSaemStatistics));
      options.onProgress?.({ phase, iteration: broadcast.iteration, of: estimator.total, ofv: NaN });
    }
    let summary: SaemSummary | null = null;
    const p = estimator.parameters;
    if (!failedAt) {
      const parameters = {
        theta: Array.from(p.theta),
        omega: Array.from(p.omega),
        addSd: Array.from(p.addSd),
        propSd: Array.from(p.propSd),
      };
      const r = await callAll(
        active,
        'summary',
        () => ({ run: options.run, parameters }),
        (m, k) =>
          m?.patients === counts[k] &&
          isCount(m.nonFinite) &&
          isSums([m.ofv], 1) &&
          isSums(m.etaSum, d) &&
          isSums(m.etaSquares, d),
      );
      if (r.failed.length) failedAt = { failed: r.failed, call: 'summary' };
      else summary = r.replies.reduce(addSaemSummaries);
    }
    if (failedAt || !summary) {
      exclude(failedAt!.failed, failedAt!.call, failedAt!.iteration);
      continue;
    }
    await Promise.allSettled(active.map((n) => n.call('close', { run: options.run })));
    const named = namedParameters(model.ir, p);
    const nEta = model.ir.etas.length;
    const shrinkage: Record<string, number> = {};
    plan.estEtas.forEach((k, a) => {
      const mean = exactValue(summary.etaSum[a]) / N;
      const ss = exactValue(summary.etaSquares[a]) - N * mean * mean;
      const sd = Math.sqrt(Math.max(0, ss) / Math.max(1, N - 1));
      shrinkage[model.ir.etas[k].name] = 100 * (1 - sd / Math.sqrt(p.omega[k * nEta + k]));
    });
    return {
      method: 'saem',
      ofv: summary.nonFinite > 0 ? Infinity : exactValue(summary.ofv),
      ofvMethod: 'FOCE-I at the SAEM estimates (summed over the nodes)',
      parameters: p,
      ...named,
      shrinkage,
      patients: N,
      iterations: estimator.total,
      seed: estimator.seed,
      restarts,
      nodes: [...reports.values()],
      warnings,
    };
  }
}
