/// <reference lib="webworker" />
/**
 * The engine in a Web Worker: builds the twin once per analysis (MAP fit + posterior draws), then
 * answers what-if forecasts, target attainment and model averaging without blocking the page.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import { renderModelCard } from '@dosetwin/models';
import { attainment, buildTwin, forecast, type Twin } from './twin.ts';
import { averageModels } from './average.ts';
import { loadEstimators } from './estimators.ts';
import { mlEstimate } from './ml-estimate.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

let twin: Twin | null = null;
let inputs: Extract<ToWorker, { type: 'init' }>['inputs'] | null = null;

const post = (m: FromWorker, transfer: Transferable[] = []): void =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);

function issuesOf(e: unknown): Issue[] {
  if (e instanceof DosetwinError) return [...e.issues];
  return [
    {
      code: 'DT_INTERNAL',
      severity: 'error',
      field: 'engine',
      message: e instanceof Error ? e.message : String(e),
    },
  ];
}

self.onmessage = (ev: MessageEvent<ToWorker>): void => {
  const m = ev.data;
  try {
    if (m.type === 'init') {
      inputs = m.inputs;
      twin = buildTwin(m.inputs, { samples: m.samples ?? 200 });
      post({
        type: 'ready',
        id: m.id,
        info: {
          kind: twin.kind,
          fit: twin.fit,
          draws: twin.draws.length,
          units: twin.ir.units,
          targets: twin.targets.map((t) => ({ text: t.text, metric: t.metric, lo: t.lo, hi: t.hi })),
          observed: twin.observed,
          lloq: twin.lloq,
          card: renderModelCard(twin.model),
          drug: twin.ir.drug,
          oral: twin.ir.compartments.includes('depot'),
          warnings: twin.warnings,
        },
      });
      return;
    }
    if (!twin || !inputs) throw new Error('the twin is not built yet');
    if (m.type === 'forecast') {
      const t0 = performance.now();
      const f = forecast(twin, m.regimen);
      const engineMs = performance.now() - t0;
      post(
        {
          type: 'forecast',
          id: m.id,
          f: {
            ms: f.ms,
            ipred: f.ipred,
            pred: f.pred,
            bandMs: f.bandMs,
            lo: f.lo,
            hi: f.hi,
            metrics: f.metrics,
            exposure: {
              aucInterval: f.exposure.interval.auc,
              auc24: f.exposure.day.auc,
              cmin: f.exposure.interval.cmin,
              cmax: f.exposure.interval.cmax,
            },
            startMs: f.startMs,
            draws: f.draws,
            engineMs,
          },
        },
        [f.ms.buffer, f.ipred.buffer, f.pred.buffer, f.bandMs.buffer, f.lo.buffer, f.hi.buffer],
      );
    } else if (m.type === 'attainment') {
      post({ type: 'attainment', id: m.id, pta: m.regimens.map((r) => attainment(twin!, r)) });
    } else if (m.type === 'average') {
      post({ type: 'average', id: m.id, rows: averageModels(inputs, twin, m.regimen) });
    } else if (m.type === 'ml') {
      // The estimators of the drug are fetched on demand (their own chunks), then scored here.
      const [tw, inp] = [twin, inputs];
      loadEstimators(tw.ir.drug)
        .then((entries) => post({ type: 'ml', id: m.id, ml: mlEstimate(tw, inp, entries) }))
        .catch((e: unknown) => post({ type: 'error', id: m.id, issues: issuesOf(e) }));
    }
  } catch (e) {
    post({ type: 'error', id: m.id, issues: issuesOf(e) });
  }
};
