// Helper thread of `dosetwin popfit --method saem`: SAEM's E-step over its chunk of subjects (the
// engine's SaemLocal, chains kept here between iterations) for each broadcast it is sent. The answer
// goes on the port first, then the flag is raised (see popfit-saem-threads.ts).
import { type SaemBroadcast, SaemLocal, saemPlan } from '@dosetwin/engine';
import { workerData } from 'node:worker_threads';
import { resolveModel } from './model-arg.ts';
import type { SaemHelperData, SaemHelperReply } from './popfit-saem-threads.ts';

const data = workerData as SaemHelperData;
let local: SaemLocal | null = null;
let failure: string | null = null;
try {
  const model = resolveModel(data.model);
  local = new SaemLocal(saemPlan(model, { fixed: data.fixed }, data.patients), data.patients, data.offset);
} catch (e) {
  failure = e instanceof Error ? e.message : String(e);
}

function reply(r: SaemHelperReply): void {
  data.port.postMessage(r);
  Atomics.store(data.flags, data.index, 1);
  Atomics.notify(data.flags, data.index);
}

data.port.on('message', (b: SaemBroadcast) => {
  if (!local) return reply({ error: failure ?? 'no model' });
  try {
    reply({ statistics: local.eStep(b) });
  } catch (e) {
    reply({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
