// Worker thread of `dosetwin fit`: compiles the model once (file or library id) and receives the
// patients as the main thread read them, then fits those whose indices the main thread sends,
// replying with each patient's JSON line. The engine stays pure; threads live here, in the CLI.
import { parentPort, workerData } from 'node:worker_threads';
import { MapEstimator, type PatientData } from '@dosetwin/engine';
import { estimatorOptions, type FitSettings, fitLine, fitted } from './fit.ts';
import { resolveModel } from './model-arg.ts';

const data = workerData as {
  model: string;
  patients: PatientData[];
  settings: FitSettings;
};
const model = resolveModel(data.model);
const patients = data.patients;
const est = new MapEstimator(model, estimatorOptions(data.settings));

parentPort!.on('message', (index: number) => {
  try {
    parentPort!.postMessage({ index, ...fitted(fitLine(est, model, patients[index], data.settings)) });
  } catch (e) {
    parentPort!.postMessage({ index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
// Ready: ask for the first patient.
parentPort!.postMessage({ index: -1 });
