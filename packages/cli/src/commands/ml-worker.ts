// Worker thread of `dosetwin ml`: rebuilds the pipeline from its init data, then runs the tasks
// the main thread sends (simulation chunks, cross-validation folds, MAP fits). The engine stays
// pure; threads live here, in the CLI.
import { parentPort, workerData } from 'node:worker_threads';
import { type PipelineInit, PipelineState, type PipelineTask } from './ml-pipeline.ts';

const state = new PipelineState(workerData as PipelineInit);
parentPort!.on('message', (task: PipelineTask) => {
  try {
    parentPort!.postMessage({ result: state.run(task) });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
