/// <reference lib="webworker" />
/**
 * The engine in a Web Worker: the library's clinical twin of the analysis being viewed (MAP fit
 * and posterior draws, the same seed as the service), then what-if forecasts, target attainment,
 * the drug's models side by side and the ML estimate, without blocking the page. Every answer is
 * the library's; this file only routes messages.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import {
  attainmentClinical,
  type ClinicalTwin,
  clinicalTwin,
  drugTwins,
  type DrugTwins,
  evaluateDrugRegimen,
  forecastClinical,
  mlEstimate,
  modelsForDrug,
  renderModelCard,
} from '@dosetwin/models';
import { loadEstimators } from './estimators.ts';
import type { AverageRow, FromWorker, ToWorker, TwinSource } from './worker-protocol.ts';

let source: TwinSource | null = null;
let twin: ClinicalTwin | null = null;
let drug: DrugTwins | null = null;

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

let samples = 200;

/** The drug's models weighed on the same record (built once, on first use). */
function drugOf(s: TwinSource, ct: ClinicalTwin): DrugTwins {
  drug ??= drugTwins(
    s.kind === 'drug'
      ? s.inputs
      : { ...s.inputs, drug: ct.model.ir.drug, formulation: null, targets: ct.targets.map((t) => t.text) },
    { samples },
  );
  return drug;
}

self.onmessage = (ev: MessageEvent<ToWorker>): void => {
  const m = ev.data;
  try {
    if (m.type === 'init') {
      source = m.source;
      samples = m.samples ?? 200;
      drug = null;
      if (m.source.kind === 'model') twin = clinicalTwin(m.source.inputs, { samples });
      else {
        // A drug-level analysis forecasts with its selected model (the largest weight).
        drug = drugTwins(m.source.inputs, { samples });
        const modelId = drug.fit.models[drug.fit.selected].id;
        twin = clinicalTwin({ ...m.source.inputs, modelId }, { samples });
      }
      const ir = twin.model.ir;
      post({
        type: 'ready',
        id: m.id,
        info: {
          kind: twin.twin.fit ? 'map' : 'a priori',
          fit: twin.twin.fit
            ? {
                objective: twin.twin.fit.objective,
                converged: twin.twin.fit.converged,
                acceptance: twin.twin.acceptance,
              }
            : null,
          draws: twin.twin.draws.length,
          units: ir.units,
          targets: twin.targets.map((t) => ({ text: t.text, metric: t.metric, lo: t.lo, hi: t.hi })),
          observed: twin.observed,
          lloq: twin.lloq,
          card: renderModelCard(twin.model),
          drug: ir.drug,
          oral: ir.compartments.includes('depot'),
          warnings: twin.warnings,
        },
      });
      return;
    }
    if (!twin || !source) throw new Error('the twin is not built yet');
    if (m.type === 'forecast') {
      const t0 = performance.now();
      const f = forecastClinical(twin, m.regimen);
      const engineMs = performance.now() - t0;
      const msg = {
        ms: Float64Array.from(f.times),
        ipred: Float64Array.from(f.ipred),
        pred: Float64Array.from(f.pred),
        bandMs: Float64Array.from(f.band.times),
        lo: Float64Array.from(f.band.lo),
        hi: Float64Array.from(f.band.hi),
        metrics: f.metrics,
        exposure: f.exposure,
        startMs: f.startMs,
        draws: f.band.draws,
        engineMs,
      };
      post({ type: 'forecast', id: m.id, f: msg }, [
        msg.ms.buffer,
        msg.ipred.buffer,
        msg.pred.buffer,
        msg.bandMs.buffer,
        msg.lo.buffer,
        msg.hi.buffer,
      ]);
    } else if (m.type === 'attainment') {
      post({ type: 'attainment', id: m.id, pta: m.regimens.map((r) => attainmentClinical(twin!, r)) });
    } else if (m.type === 'average') {
      const dt = drugOf(source, twin);
      const e = evaluateDrugRegimen(dt, m.regimen);
      const left = new Map(dt.fit.excluded.map((x) => [x.id, x.reason]));
      const rows = modelsForDrug(dt.drug).map((lib): AverageRow => {
        const fit = dt.fit.models.find((x) => x.id === lib.id);
        const row = e.models.find((x) => x.id === lib.id);
        if (!fit || !row)
          return {
            modelId: lib.id,
            objective: fit?.objective ?? null,
            weight: fit?.weight ?? null,
            metrics: [],
            pta: null,
            error: left.get(lib.id) ?? 'not a candidate for this patient',
          };
        return {
          modelId: lib.id,
          objective: fit.objective,
          weight: fit.weight,
          metrics: row.metrics,
          pta: row.pta,
        };
      });
      post({ type: 'average', id: m.id, rows, averaged: { metrics: e.metrics, pta: e.pta } });
    } else if (m.type === 'ml') {
      // The estimators of the drug are fetched on demand (their own chunks), then scored here.
      const [ct, s] = [twin, source];
      loadEstimators(ct.model.ir.drug)
        .then((entries) =>
          post({ type: 'ml', id: m.id, ml: mlEstimate(ct, { ...s.inputs, modelId: ct.model.id }, entries) }),
        )
        .catch((e: unknown) => post({ type: 'error', id: m.id, issues: issuesOf(e) }));
    }
  } catch (e) {
    post({ type: 'error', id: m.id, issues: issuesOf(e) });
  }
};
