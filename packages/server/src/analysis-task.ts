/**
 * What one worker thread of the analysis pool does with one task: the models library's analysis
 * of a request, or the evaluation of a retained regimen (analysis.ts). The result crosses back by
 * structured clone, which keeps an Error's message but not its issues: refusals come back as data
 * and the pool throws them again in the main thread.
 */
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { DosetwinError, type Issue } from '@dosetwin/engine';
import {
  type AnalysisCandidate,
  type DrugAnalysisInputs,
  type LocalModelProposal,
  type LocalModelRequest,
  proposeLocalModel,
  type Regimen,
} from '@dosetwin/models';
import {
  type AnalysisResult,
  type AnalysisSubject,
  drugCandidates,
  evaluateRetainedRegimen,
  type RetainedEvaluation,
  runAnalysis,
  warmUp,
} from './analysis.ts';

// An analysis yields the CPU to the service's event loop (and its requests) whenever both want it:
// the worker thread lowers its own scheduling priority. Only on Linux, where a thread's nice value
// is its own; elsewhere the call would lower the whole process, the event loop with it.
if (!isMainThread && process.platform === 'linux') setPriority(10);

export type AnalysisTask =
  | { op: 'analyse'; subject: AnalysisSubject }
  | { op: 'retained'; subject: AnalysisSubject; modelId: string; regimen: Regimen }
  | { op: 'candidates'; inputs: DrugAnalysisInputs; listed?: number }
  | { op: 'warm' }
  | { op: 'local-model'; request: LocalModelRequest };

export type TaskOutcome =
  | { ok: true; value: AnalysisResult | RetainedEvaluation | AnalysisCandidate[] | LocalModelProposal }
  | { ok: false; issues: Issue[] }
  | { ok: false; error: string };

export default async function runTask(task: AnalysisTask): Promise<TaskOutcome> {
  try {
    if (task.op === 'analyse') return { ok: true, value: await runAnalysis(task.subject) };
    if (task.op === 'candidates') return { ok: true, value: drugCandidates(task.inputs, task.listed) };
    if (task.op === 'warm') return { ok: true, value: warmUp() };
    if (task.op === 'local-model') return { ok: true, value: proposeLocalModel(task.request) };
    return { ok: true, value: evaluateRetainedRegimen(task.subject, task.modelId, task.regimen) };
  } catch (e) {
    if (e instanceof DosetwinError) return { ok: false, issues: [...e.issues] };
    return { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
