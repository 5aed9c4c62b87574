// Worker thread of `dosetwin fit`: parses the model and data once, then fits the patients whose
// indices the main thread sends, replying with each patient's JSON line. The engine stays pure;
// threads live here, in the CLI.
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, MapEstimator, parseDataset } from '@dosetwin/engine';
import { estimatorOptions, type FitSettings, fitLine } from './fit.ts';

const data = workerData as {
  model: string;
  modelFile: string;
  data: string;
  dataFile: string;
  settings: FitSettings;
};
const model = loadModel(data.model, data.modelFile);
const patients = parseDataset(data.data, model.ir, data.dataFile).patients;
const est = new MapEstimator(model, estimatorOptions(data.settings));

parentPort!.on('message', (index: number) => {
  try {
    const line = fitLine(est, model, patients[index], data.settings);
    parentPort!.postMessage({ index, line: JSON.stringify(line), converged: line.converged });
  } catch (e) {
    parentPort!.postMessage({ index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
// Ready: ask for the first patient.
parentPort!.postMessage({ index: -1 });
