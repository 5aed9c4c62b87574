/**
 * What the engine's Web Worker does, as a plain object: the library's clinical twin of the
 * analysis being viewed, and an answer to each message (what-if forecasts, target attainment, the
 * drug's models side by side, the ML estimate). The worker only wires it to `postMessage`; the
 * conformance tests run it in Node, so the browser's numbers are checked against the service's
 * and the CLI's.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import {
  ADHERENCE_PATTERNS,
  adherenceScenarios,
  attainmentClinical,
  type ClinicalTwin,
  clinicalTwin,
  currentRegimen,
  doseTimes,
  drugFile,
  drugTwins,
  type DrugTwins,
  evaluateDrugRegimen,
  forecastClinical,
  getModel,
  type LoadedEstimator,
  localLibraryModel,
  missedDoseAdvice,
  mlEstimate,
  modelsForDrug,
  patientSheet,
  renderModelCard,
} from '@dosetwin/models';
import type {
  AverageRow,
  ForecastMsg,
  FromWorker,
  ReadyInfo,
  ToWorker,
  TwinSource,
} from './worker-protocol.ts';

export function issuesOf(e: unknown): Issue[] {
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

export interface WorkerSession {
  /** The answer to a message (an `error` answer for a failure); `transfer` lists buffers to move. */
  handle(m: ToWorker): Promise<{ reply: FromWorker; transfer: ArrayBuffer[] }>;
}

/** A session; `loadEstimators` fetches the shipped ML estimators of a drug (the worker's lazy chunks). */
export function createSession(loadEstimators: (drug: string) => Promise<LoadedEstimator[]>): WorkerSession {
  let source: TwinSource | null = null;
  let twin: ClinicalTwin | null = null;
  let drug: DrugTwins | null = null;
  let samples = 200;

  /** The drug's models weighed on the same record (built once, on first use). */
  const drugOf = (s: TwinSource, ct: ClinicalTwin): DrugTwins =>
    (drug ??= drugTwins(
      s.kind === 'drug'
        ? s.inputs
        : { ...s.inputs, drug: ct.model.ir.drug, formulation: null, targets: ct.targets.map((t) => t.text) },
      { samples },
    ));

  const ready = (ct: ClinicalTwin, inputs: TwinSource['inputs']): ReadyInfo => {
    const ir = ct.model.ir;
    const fit = ct.twin.fit;
    // What the patient gets if nothing changes, forecast once to be drawn beside every what-if:
    // continued from when its own next dose is due (the stored start is candidate 1's, whose
    // interval may be longer: the current regimen would show a missed dose).
    const cur = currentRegimen({ administrations: inputs.administrations, start: null });
    const curForecast = cur ? forecastClinical(ct, cur) : null;
    return {
      kind: fit ? 'map' : 'a priori',
      fit: fit
        ? { objective: fit.objective, converged: fit.converged, acceptance: ct.twin.acceptance }
        : null,
      draws: ct.twin.draws.length,
      units: ir.units,
      targets: ct.targets.map((t) => ({ text: t.text, metric: t.metric, lo: t.lo, hi: t.hi })),
      observed: ct.observed,
      lloq: ct.lloq,
      card: renderModelCard(ct.model),
      drug: ir.drug,
      oral: ir.compartments.includes('depot'),
      warnings: ct.warnings,
      intervals: ct.twin.sampledExposure().map((x) => ({
        fromMs: ct.toMs(x.from),
        toMs: ct.toMs(x.to),
        levels: x.levels,
        auc: x.auc,
        cmin: x.cmin,
        cmax: x.cmax,
      })),
      doseMs: inputs.administrations.map((a) => Date.parse(a.at)),
      current: curForecast
        ? { ms: curForecast.times, ipred: curForecast.ipred, startMs: curForecast.startMs }
        : null,
    };
  };

  const answer = async (m: ToWorker): Promise<{ reply: FromWorker; transfer: ArrayBuffer[] }> => {
    if (m.type === 'init') {
      source = m.source;
      samples = m.samples ?? 200;
      drug = null;
      if (m.source.kind === 'model') {
        const { localIr } = m.source;
        twin = clinicalTwin(m.source.inputs, {
          samples,
          ...(localIr ? { model: localLibraryModel(getModel(m.source.inputs.modelId), localIr) } : {}),
        });
      } else {
        // A drug-level analysis forecasts with its selected model (the largest weight), on the
        // drug's targets (as the service's analysis does), not that model's own.
        drug = drugTwins(m.source.inputs, { samples });
        twin = clinicalTwin(
          {
            ...m.source.inputs,
            modelId: drug.fit.models[drug.fit.selected].id,
            targets: drug.targets.map((t) => t.text),
          },
          { samples },
        );
      }
      return { reply: { type: 'ready', id: m.id, info: ready(twin, m.source.inputs) }, transfer: [] };
    }
    if (!twin || !source) throw new Error('the twin is not built yet');
    const ct = twin;
    const s = source;
    if (m.type === 'forecast') {
      const t0 = performance.now();
      const f = forecastClinical(ct, m.regimen);
      const engineMs = performance.now() - t0;
      const msg: ForecastMsg = {
        ms: Float64Array.from(f.times),
        ipred: Float64Array.from(f.ipred),
        pred: Float64Array.from(f.pred),
        bandMs: Float64Array.from(f.band.times),
        lo: Float64Array.from(f.band.lo),
        hi: Float64Array.from(f.band.hi),
        metrics: f.metrics,
        exposure: f.exposure,
        startMs: f.startMs,
        newDoseMs: doseTimes(m.regimen, f.startMs, f.times[f.times.length - 1] ?? f.startMs),
        draws: f.band.draws,
        engineMs,
      };
      const transfer = [msg.ms, msg.ipred, msg.pred, msg.bandMs, msg.lo, msg.hi].map(
        (a) => a.buffer as ArrayBuffer,
      );
      return { reply: { type: 'forecast', id: m.id, f: msg }, transfer };
    }
    if (m.type === 'attainment')
      return {
        reply: { type: 'attainment', id: m.id, pta: m.regimens.map((r) => attainmentClinical(ct, r)) },
        transfer: [],
      };
    if (m.type === 'average') {
      const dt = drugOf(s, ct);
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
      return {
        reply: { type: 'average', id: m.id, rows, averaged: { metrics: e.metrics, pta: e.pta } },
        transfer: [],
      };
    }
    if (m.type === 'missed') {
      const advice = missedDoseAdvice(ct, m.request);
      return {
        reply: {
          type: 'missed',
          id: m.id,
          advice,
          sheet: { en: patientSheet(advice, 'en'), fr: patientSheet(advice, 'fr') },
        },
        transfer: [],
      };
    }
    if (m.type === 'adherence') {
      // The drug's efficacy threshold (its missed-dose window), when its file states one.
      const below = drugFile(ct.model.ir.drug)?.missedDose?.efficacy ?? null;
      const bands = adherenceScenarios(ct, m.regimen, ADHERENCE_PATTERNS, {
        realisations: 10,
        draws: 30,
        ...(below ? { below } : {}),
      });
      return { reply: { type: 'adherence', id: m.id, bands, below }, transfer: [] };
    }
    // The estimators of the drug are fetched on demand, then scored here.
    const entries = await loadEstimators(ct.model.ir.drug);
    return {
      reply: { type: 'ml', id: m.id, ml: mlEstimate(ct, { ...s.inputs, modelId: ct.model.id }, entries) },
      transfer: [],
    };
  };

  return {
    async handle(m) {
      try {
        return await answer(m);
      } catch (e) {
        return { reply: { type: 'error', id: m.id, issues: issuesOf(e) }, transfer: [] };
      }
    },
  };
}
