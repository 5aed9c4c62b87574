/**
 * The page's side of the playground's worker: answers by id. The worker is started with the page,
 * so once the playground is open it needs no network (the worker's code is already loaded).
 */
import type { CaseLevel, CaseScore, TeachingCase } from '@dosetwin/models';
import { EngineError } from './engine-client.ts';
import type { FromPlay, ToPlay, TwinView } from './playground-session.ts';

type Body<T extends ToPlay['type']> = Omit<Extract<ToPlay, { type: T }>, 'id'>;

export class PlaygroundClient {
  private w: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (m: FromPlay) => void; reject: (e: Error) => void }>();

  constructor() {
    this.w = new Worker(new URL('./playground.worker.ts', import.meta.url), { type: 'module' });
    this.w.onmessage = (ev: MessageEvent<FromPlay>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.type === 'error') p.reject(new EngineError(ev.data.issues));
      else p.resolve(ev.data);
    };
  }

  private call<T extends ToPlay['type']>(m: Body<T> & { type: T }): Promise<Extract<FromPlay, { type: T }>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: FromPlay) => void, reject });
      this.w.postMessage({ ...m, id });
    });
  }

  async parse(text: string): Promise<TeachingCase> {
    return (await this.call({ type: 'parse', text })).c;
  }
  async twin(c: TeachingCase, levels: CaseLevel[], doseMg: number, infoTimesH: number[]): Promise<TwinView> {
    return (await this.call({ type: 'twin', c, levels, doseMg, infoTimesH })).view;
  }
  async levels(c: TeachingCase, picked: number[]): Promise<CaseLevel[]> {
    return (await this.call({ type: 'levels', c, picked })).levels;
  }
  async score(c: TeachingCase, doseMg: number, samplesUsed: number): Promise<CaseScore> {
    return (await this.call({ type: 'score', c, doseMg, samplesUsed })).score;
  }
  async truth(c: TeachingCase): Promise<Record<string, number>> {
    return (await this.call({ type: 'truth', c })).truth;
  }
  async series(c: TeachingCase, n: number, seed: number): Promise<TeachingCase[]> {
    return (await this.call({ type: 'series', c, n, seed })).cases;
  }
  terminate(): void {
    this.w.terminate();
    for (const p of this.pending.values()) p.reject(new Error('engine stopped'));
    this.pending.clear();
  }
}
