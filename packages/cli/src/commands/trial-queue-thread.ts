// Worker thread of `dosetwin trial worker`: runs the queued chunks the process hands it, one at a
// time, so a worker process with --concurrency N computes N chunks at once on N cores. Runners are
// kept per trial (resolving a trial file and building its runner costs more than a small chunk).
import { parentPort } from 'node:worker_threads';
import { TrialRunner } from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';

export interface QueueChunkMessage {
  trial: string;
  chunk: number;
  file: TrialFile;
}

const runners = new Map<string, TrialRunner>();

parentPort!.on('message', ({ trial, chunk, file }: QueueChunkMessage) => {
  try {
    let runner = runners.get(trial);
    if (!runner) {
      runner = new TrialRunner(resolveTrial(file).setup);
      if (runners.size >= 8) runners.clear();
      runners.set(trial, runner);
    }
    parentPort!.postMessage({ counts: runner.runChunk(chunk) });
  } catch (e) {
    // The job fails with this message (pg-boss retries it, then the coordinator reports it).
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
