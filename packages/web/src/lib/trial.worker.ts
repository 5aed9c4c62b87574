/// <reference lib="webworker" />
/**
 * Virtual trials in a Web Worker: the library resolves the trial file, the engine runs its chunks
 * (the same code and seeds as `dosetwin trial run`, so the same numbers), off the page's thread,
 * with progress after each chunk.
 */
import {
  chunkCount,
  DosetwinError,
  emptyCounts,
  mergeCounts,
  TrialRunner,
  trialReport,
} from '@dosetwin/engine';
import { resolveTrial } from '@dosetwin/models';
import type { FromTrial, ToTrial } from './trial-protocol.ts';

const post = (m: FromTrial): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

self.onmessage = (ev: MessageEvent<ToTrial>): void => {
  const { id, file } = ev.data;
  try {
    const r = resolveTrial(file);
    const runner = new TrialRunner(r.setup);
    const total = chunkCount(r.setup);
    let merged = emptyCounts(runner.shape);
    for (let c = 0; c < total; c++) {
      merged = mergeCounts(merged, runner.runChunk(c));
      post({ id, type: 'progress', done: c + 1, total });
    }
    post({ id, type: 'done', report: trialReport(merged, runner.shape, r.labels, total), meta: r.meta });
  } catch (e) {
    post({
      id,
      type: 'error',
      issues:
        e instanceof DosetwinError
          ? e.issues
          : [{ code: 'DT_INTERNAL', severity: 'error', field: 'trial', message: String(e) }],
    });
  }
};
