/**
 * The patient's twin of an analysis, in the browser: owns the engine's workers (EngineClient) for
 * the analysis shown, builds the twin (the library's, the same the service analysed), opens the
 * what-if on the retained regimen or candidate 1, and runs each what-if edit — the forecast at
 * once (the latest edit wins while one runs), then the target attainment and, for a drug-level
 * analysis, the drug's models under the regimen tried (on demand otherwise) — and the ML estimate. Every number is the worker's; this hook only
 * sequences the calls and times each edit for the end-to-end test (`window.__whatif`).
 */
import type { ModelIR } from '@dosetwin/engine';
import type { Analysis, LocalModelIr } from '@dosetwin/server/contract';
import { type Attainment, editedRegimen, openingRegimen, type Regimen } from '@dosetwin/models';
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../lib/api.ts';
import { EngineClient } from '../lib/engine-client.ts';
import type { ForecastMsg, MlResult, ReadyInfo, TwinSource } from '../lib/worker-protocol.ts';

declare global {
  interface Window {
    /** What-if timings (ms from the edit to the painted chart), read by the end-to-end test. */
    __whatif?: { edit: number; engine: number; reply: number; total: number }[];
  }
}

export type AverageResult = Awaited<ReturnType<EngineClient['average']>>;

export interface TwinState {
  /** The twin once built (fit, units, targets, observed levels, model card), else null. */
  info: ReadyInfo | null;
  /** The regimen in the what-if (null until the twin is built, or when there is none to open on). */
  regimen: Regimen | null;
  /** Its forecast (curves, band, steady-state metrics) and its probability of target attainment. */
  forecast: ForecastMsg | null;
  pta: Attainment | null;
  /** The drug's models under the regimen tried: at each edit for a drug-level analysis, else once asked for (`compare`). */
  average: AverageResult | null;
  ml: MlResult | null;
  /** The engine's last failure (issues naming their field), cleared by the next forecast. */
  error: unknown;
  /** Change the what-if regimen: forecast at once, attainment after. Stable across renders. */
  edit: (patch: Partial<Regimen>) => void;
  /** Evaluate the what-if regimen under every model of the drug. Stable. */
  compare: () => void;
  /** Draws a forecast at once, outside React (the chart sets it). */
  drawRef: { current: ((f: ForecastMsg) => void) | null };
  /** The chart calls it when a frame is painted: closes the timing of the edit being drawn. Stable. */
  onRendered: () => void;
}

/** The twin source of a stored analysis: its model's record, or the drug's. */
export function sourceOf(a: Analysis, localIr?: ModelIR): TwinSource {
  return a.kind === 'drug'
    ? {
        kind: 'drug',
        inputs: { ...a.inputs, drug: a.inputs.drug!, formulation: a.inputs.formulation ?? null },
      }
    : { kind: 'model', inputs: a.inputs, ...(localIr ? { localIr } : {}) };
}

/** The twin source of an analysis, with the model of the local version it used (fetched from the service). */
async function sourceWithLocal(a: Analysis): Promise<TwinSource> {
  if (!a.localModel) return sourceOf(a);
  const m = await api<LocalModelIr>('GET', `/local-models/${a.localModel.id}/model`);
  return sourceOf(a, m.ir as ModelIR);
}

export function useTwin(analysis: Analysis | null): TwinState {
  const [info, setInfo] = useState<ReadyInfo | null>(null);
  const [forecast, setForecast] = useState<ForecastMsg | null>(null);
  const [regimen, setRegimen] = useState<Regimen | null>(null);
  const [pta, setPta] = useState<Attainment | null>(null);
  const [average, setAverage] = useState<AverageResult | null>(null);
  const [ml, setMl] = useState<MlResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const engine = useRef<EngineClient | null>(null);
  const regimenRef = useRef<Regimen | null>(null);
  const busy = useRef(false);
  /** A drug-level analysis: each edit is also evaluated under every model of the drug (averaged). */
  const drugLevel = useRef(false);
  const queued = useRef<Regimen | null>(null);
  const drawRef = useRef<((f: ForecastMsg) => void) | null>(null);
  // The edit being timed: when it was made, the engine's time and when the worker replied.
  const editAt = useRef<number | null>(null);
  const engineMs = useRef(0);
  const replyAt = useRef(0);

  // Each regimen change: forecast now (latest edit wins while one is running), then attainment.
  const run = useCallback(async (r: Regimen) => {
    const e = engine.current;
    if (!e) return;
    if (busy.current) {
      queued.current = r;
      return;
    }
    busy.current = true;
    try {
      const fc = await e.forecast(r);
      engineMs.current = fc.engineMs;
      replyAt.current = performance.now();
      // Draw at once; the tables follow in a low-priority render.
      drawRef.current?.(fc);
      setError(null);
      startTransition(() => {
        setForecast(fc);
        setPta(null);
        if (drugLevel.current) setAverage(null);
      });
      e.attainment([r]).then((p) => setPta(p[0]), setError);
      if (drugLevel.current) e.average(r).then(setAverage, setError);
    } catch (err) {
      setError(err);
      editAt.current = null;
    } finally {
      busy.current = false;
      const next = queued.current;
      queued.current = null;
      if (next) void run(next);
    }
  }, []);

  // One engine per analysis shown: the twin is built once, the what-if opens, the ML estimate follows.
  const analysisRef = useRef(analysis);
  analysisRef.current = analysis;
  const id = analysis?.id ?? null;
  useEffect(() => {
    const a = analysisRef.current;
    if (!a) return;
    const e = new EngineClient();
    engine.current = e;
    drugLevel.current = a.kind === 'drug';
    let live = true;
    sourceWithLocal(a)
      .then((source) => e.init(source))
      .then((ready) => {
        if (!live) return;
        setInfo(ready);
        const r = openingRegimen(a.inputs, a.candidates, a.validation?.regimen ?? null);
        regimenRef.current = r;
        setRegimen(r);
        if (r) void run(r);
        e.ml().then((m) => live && setMl(m), setError);
      })
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
      e.terminate();
      engine.current = null;
    };
  }, [id, run]);

  // An edit goes to the engine at once; the page re-renders meanwhile.
  const edit = useCallback(
    (patch: Partial<Regimen>) => {
      if (!regimenRef.current) return;
      editAt.current = performance.now();
      // A new interval moves a first dose that was the regimen's due time to the new one's.
      const next = editedRegimen(
        analysisRef.current?.inputs ?? { administrations: [] },
        regimenRef.current,
        patch,
      );
      regimenRef.current = next;
      void run(next);
      // The page's re-render yields to the worker's reply, so the chart is drawn without waiting for it.
      startTransition(() => setRegimen(next));
    },
    [run],
  );
  const compare = useCallback(() => {
    const r = regimenRef.current;
    if (r) engine.current?.average(r).then(setAverage, setError);
  }, []);
  const onRendered = useCallback(() => {
    if (editAt.current === null) return;
    const total = performance.now() - editAt.current;
    (window.__whatif ??= []).push({
      edit: editAt.current,
      engine: engineMs.current,
      reply: replyAt.current - editAt.current,
      total,
    });
    editAt.current = null;
  }, []);

  return { info, regimen, forecast, pta, average, ml, error, edit, compare, drawRef, onRendered };
}
