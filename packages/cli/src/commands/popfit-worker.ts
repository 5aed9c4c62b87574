// Worker thread of `dosetwin popfit`: compiles the model (file or library id), runs the population
// fit on the patients the main thread read, posting its progress and then the fit. The engine stays
// pure; the threads live here, in the CLI: with --threads above 1, the subjects' conditional modes
// are spread over helper threads (popfit-threads.ts), and so is SAEM's E-step (popfit-saem-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { fitFocei, fitSaem, goodnessOfFit, type PatientData, vpc } from '@dosetwin/engine';
import { resolveModel } from './model-arg.ts';
import { threadedSaem } from './popfit-saem-threads.ts';
import { threadedModes } from './popfit-threads.ts';

const data = workerData as {
  model: string;
  patients: PatientData[];
  method: 'focei' | 'saem';
  seed: number;
  fixed: string[];
  covariance: boolean;
  covarianceMethod: 'sandwich' | 'r';
  /** Threads for the subjects' conditional modes (this one included). */
  threads: number;
  /** Compute the diagnostics of --report (goodness of fit, VPC and prediction-corrected VPC). */
  report: boolean;
};
try {
  const model = resolveModel(data.model);
  const pool = data.threads > 1 ? threadedModes(model, data.model, data.threads) : null;
  const saemPool =
    data.threads > 1 && data.method === 'saem'
      ? threadedSaem(model, data.model, data.fixed, data.threads)
      : null;
  const options = {
    fixed: data.fixed,
    covariance: data.covariance,
    covarianceMethod: data.covarianceMethod,
    ...(pool ? { modes: pool.factory } : {}),
    ...(saemPool ? { eSteps: saemPool.factory } : {}),
    onProgress: (p: { phase: string; iteration: number; of: number; ofv: number }) =>
      parentPort!.postMessage({ progress: p }),
  };
  const fit =
    data.method === 'saem'
      ? fitSaem(model, data.patients, { ...options, seed: data.seed })
      : fitFocei(model, data.patients, options);
  await pool?.close();
  await saemPool?.close();
  let report = null;
  if (data.report) {
    parentPort!.postMessage({ progress: { phase: 'diagnostics', iteration: 0, of: 3, ofv: fit.ofv } });
    const etas = fit.individuals.map((i) => i.eta);
    const gof = goodnessOfFit(model, data.patients, fit.parameters, etas);
    parentPort!.postMessage({ progress: { phase: 'diagnostics', iteration: 1, of: 3, ofv: fit.ofv } });
    const plain = vpc(model, data.patients, fit.parameters, { seed: data.seed });
    parentPort!.postMessage({ progress: { phase: 'diagnostics', iteration: 2, of: 3, ofv: fit.ofv } });
    const corrected = vpc(model, data.patients, fit.parameters, {
      seed: data.seed,
      predictionCorrected: true,
    });
    report = { gof, vpc: plain, pcvpc: corrected, units: model.ir.units };
  }
  parentPort!.postMessage({ fit, report });
} catch (e) {
  parentPort!.postMessage({
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    issues: (e as { issues?: unknown }).issues,
  });
}
