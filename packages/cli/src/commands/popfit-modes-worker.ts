// Helper thread of `dosetwin popfit`: the conditional modes of its chunk of subjects at the
// population parameters it is sent (the engine's conditionalModes, with this chunk's warm starts).
// The answer goes on the port first, then the flag is raised: the waiting thread takes it from the
// port synchronously (see popfit-threads.ts).
import { conditionalModes, type CompiledModel, WarmStarts } from '@dosetwin/engine';
import { workerData } from 'node:worker_threads';
import { resolveModel } from './model-arg.ts';
import type { ModesHelperData, ModesReply, ModesTask } from './popfit-threads.ts';

const data = workerData as ModesHelperData;
let model: CompiledModel | null = null;
let failure: string | null = null;
try {
  model = resolveModel(data.model);
} catch (e) {
  failure = e instanceof Error ? e.message : String(e);
}
const warm = new WarmStarts(data.patients.length);

function reply(r: ModesReply): void {
  data.port.postMessage(r);
  Atomics.store(data.flags, data.index, 1);
  Atomics.notify(data.flags, data.index);
}

data.port.on('message', (task: ModesTask) => {
  if ('reset' in task) return warm.reset();
  if ('markCenter' in task) return warm.markCenter();
  if (!model) return reply({ error: failure ?? 'no model' });
  try {
    const modes = conditionalModes(model, data.patients, task.p, warm.starts(task.start));
    warm.update(modes);
    reply({ modes });
  } catch (e) {
    reply({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
