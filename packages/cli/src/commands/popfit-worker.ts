// Worker thread of `dosetwin popfit`: compiles the model (file or library id), runs the population
// fit on the patients the main thread read, posting its progress and then the fit. The engine stays
// pure; the thread lives here, in the CLI.
import { parentPort, workerData } from 'node:worker_threads';
import { fitFocei, fitSaem, type PatientData } from '@dosetwin/engine';
import { resolveModel } from './model-arg.ts';

const data = workerData as {
  model: string;
  patients: PatientData[];
  method: 'focei' | 'saem';
  seed: number;
  fixed: string[];
  covariance: boolean;
};
try {
  const model = resolveModel(data.model);
  const options = {
    fixed: data.fixed,
    covariance: data.covariance,
    onProgress: (p: { phase: string; iteration: number; of: number; ofv: number }) =>
      parentPort!.postMessage({ progress: p }),
  };
  const fit =
    data.method === 'saem'
      ? fitSaem(model, data.patients, { ...options, seed: data.seed })
      : fitFocei(model, data.patients, options);
  parentPort!.postMessage({ fit });
} catch (e) {
  parentPort!.postMessage({
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    issues: (e as { issues?: unknown }).issues,
  });
}
