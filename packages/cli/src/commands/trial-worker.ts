// Worker thread of `dosetwin trial run`: resolves the trial file once, then runs the chunks whose
// indices the main thread sends and replies with their counts. The engine stays pure; threads live
// here, in the CLI.
import { parentPort, workerData } from 'node:worker_threads';
import { DosetwinError, TrialRunner } from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';

let runner: TrialRunner | null = null;
try {
  runner = new TrialRunner(resolveTrial((workerData as { file: TrialFile }).file).setup);
} catch (e) {
  parentPort!.postMessage({
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    ...(e instanceof DosetwinError ? { issues: e.issues } : {}),
  });
}
parentPort!.on('message', (chunk: number) => {
  try {
    parentPort!.postMessage({ counts: runner!.runChunk(chunk) });
  } catch (e) {
    parentPort!.postMessage({
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      ...(e instanceof DosetwinError ? { issues: e.issues } : {}),
    });
  }
});
if (runner) parentPort!.postMessage({ ready: true });
