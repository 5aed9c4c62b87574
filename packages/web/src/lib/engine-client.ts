/**
 * The page's side of the engine: two workers holding the same twin (seeded, so the same draws):
 * one answers the what-if forecasts, the other the slower work (target attainment over the draws,
 * model averaging), so that a forecast never waits behind it. Answers by id.
 */
import type { Issue } from '@dosetwin/engine';
import type { Attainment, MissedDoseRequest, Regimen } from '@dosetwin/models';
import type {
  ForecastMsg,
  FromWorker,
  MlResult,
  ReadyInfo,
  ToWorker,
  TwinSource,
} from './worker-protocol.ts';

export class EngineError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

export class EngineClient {
  private fast: Worker;
  private slow: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();

  constructor() {
    const start = (): Worker => {
      const w = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (ev: MessageEvent<FromWorker>) => {
        const p = this.pending.get(ev.data.id);
        if (!p) return;
        this.pending.delete(ev.data.id);
        if (ev.data.type === 'error') p.reject(new EngineError(ev.data.issues));
        else p.resolve(ev.data);
      };
      return w;
    };
    this.fast = start();
    this.slow = start();
  }

  private call(
    m: Omit<ToWorker, 'id'>,
    w: Worker = m.type === 'forecast' ? this.fast : this.slow,
  ): Promise<FromWorker> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...m, id });
    });
  }

  async init(source: TwinSource): Promise<ReadyInfo> {
    const m = { type: 'init', source } as Omit<ToWorker, 'id'>;
    const [r] = await Promise.all([this.call(m, this.fast), this.call(m, this.slow)]);
    return (r as Extract<FromWorker, { type: 'ready' }>).info;
  }
  async forecast(regimen: Regimen): Promise<ForecastMsg> {
    const r = await this.call({ type: 'forecast', regimen } as Omit<ToWorker, 'id'>);
    return (r as Extract<FromWorker, { type: 'forecast' }>).f;
  }
  async attainment(regimens: Regimen[]): Promise<(Attainment | null)[]> {
    const r = await this.call({ type: 'attainment', regimens } as Omit<ToWorker, 'id'>);
    return (r as Extract<FromWorker, { type: 'attainment' }>).pta;
  }
  async average(regimen: Regimen): Promise<Omit<Extract<FromWorker, { type: 'average' }>, 'type' | 'id'>> {
    const r = (await this.call({ type: 'average', regimen } as Omit<ToWorker, 'id'>)) as Extract<
      FromWorker,
      { type: 'average' }
    >;
    return { rows: r.rows, averaged: r.averaged };
  }
  /** The ML limited-sampling estimate beside the MAP one (the slow worker loads the estimators). */
  async ml(): Promise<MlResult> {
    const r = await this.call({ type: 'ml' } as Omit<ToWorker, 'id'>);
    return (r as Extract<FromWorker, { type: 'ml' }>).ml;
  }
  /** The options after a missed or late dose, and the patient's sheet in both languages. */
  async missed(
    request: MissedDoseRequest,
  ): Promise<Omit<Extract<FromWorker, { type: 'missed' }>, 'type' | 'id'>> {
    const r = (await this.call({ type: 'missed', request } as Omit<ToWorker, 'id'>)) as Extract<
      FromWorker,
      { type: 'missed' }
    >;
    return { advice: r.advice, sheet: r.sheet };
  }
  /** What the default adherence patterns do to the exposure of a regimen (bands over the draws). */
  async adherence(
    regimen: Regimen,
  ): Promise<Omit<Extract<FromWorker, { type: 'adherence' }>, 'type' | 'id'>> {
    const r = (await this.call({ type: 'adherence', regimen } as Omit<ToWorker, 'id'>)) as Extract<
      FromWorker,
      { type: 'adherence' }
    >;
    return { bands: r.bands, below: r.below };
  }
  terminate(): void {
    this.fast.terminate();
    this.slow.terminate();
    for (const p of this.pending.values()) p.reject(new Error('engine stopped'));
    this.pending.clear();
  }
}
