/**
 * The shipped ML exposure estimators (packages/models/estimators/<id>/), loaded lazily: each
 * estimator.json (≈ 270 KB), metrics.json and report.md is its own chunk, fetched by the worker only
 * for the analysed drug (folders are named `<drug>-…`, the CLI's default id), never in the main bundle.
 */
import { validateEstimator } from '@dosetwin/engine';
import { externalModelOf, type LoadedEstimator } from '@dosetwin/models';

const ROOT = '../../../models/estimators/';
const estimators = import.meta.glob<unknown>('../../../models/estimators/*/estimator.json', {
  import: 'default',
});
const metrics = import.meta.glob<LoadedEstimator['metrics']>('../../../models/estimators/*/metrics.json', {
  import: 'default',
});
const reports = import.meta.glob<string>('../../../models/estimators/*/report.md', {
  query: '?raw',
  import: 'default',
});

/** The estimators of `drug`, validated, with their evaluation. */
export async function loadEstimators(drug: string): Promise<LoadedEstimator[]> {
  const dirs = Object.keys(estimators)
    .map((p) => p.slice(ROOT.length, -'/estimator.json'.length))
    .filter((d) => d.startsWith(`${drug}-`))
    .sort();
  const out = await Promise.all(
    dirs.map(async (d): Promise<LoadedEstimator> => {
      const est = validateEstimator(await estimators[`${ROOT}${d}/estimator.json`]());
      const m = metrics[`${ROOT}${d}/metrics.json`];
      const r = reports[`${ROOT}${d}/report.md`];
      return {
        est,
        metrics: m ? await m() : {},
        externalModel: r ? externalModelOf(await r()) : null,
      };
    }),
  );
  return out.filter((e) => e.est.drug === drug);
}
