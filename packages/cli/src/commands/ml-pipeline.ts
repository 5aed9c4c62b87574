// The work of `dosetwin ml`, split into tasks that run the same way on the main thread or on
// worker threads (ml-worker.ts): simulating virtual patients, cross-validation folds, MAP fits.
// Each task's result depends only on its inputs (seeded per patient / per fold), so the output
// does not depend on the number of threads.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  cvTask,
  MapEstimator,
  mapAuc,
  STREAM,
  type PopulationSpec,
  type SamplingDesign,
  type TrainingData,
  type TrainingRecipe,
  type VirtualPatient,
  VirtualPopulation,
} from '@dosetwin/engine';
import { presetFor, type MlPreset, virtualModel } from '@dosetwin/models';
import { moduleWorker } from '../module-worker.ts';

/** Everything a thread needs to rebuild the pipeline (plain data). */
export interface PipelineInit {
  preset: string;
  design: SamplingDesign;
  seed: number;
  models: string[];
  external?: string;
  /** The population (default: the preset's). */
  population?: PopulationSpec;
  recipe?: TrainingRecipe;
  data?: TrainingData;
  train?: number[];
}

export type PipelineTask =
  | { kind: 'simulate'; population: 'train' | 'external'; from: number; to: number }
  | { kind: 'cv'; combo: number; fold: number }
  | { kind: 'map'; population: 'train' | 'external'; model: 'own' | string; indices: number[] };

export type TaskResult =
  VirtualPatient[] | { sse: number[]; n: number } | { auc: number; converged: boolean }[];

export function presetOf(name: string): MlPreset {
  const p = presetFor(name);
  if (!p) throw new Error(`no ML preset '${name}'`);
  return p;
}

export class PipelineState {
  readonly init: PipelineInit;
  readonly preset: MlPreset;
  private pops = new Map<string, VirtualPopulation>();
  private estimators = new Map<string, MapEstimator>();

  constructor(init: PipelineInit) {
    this.init = init;
    this.preset = presetOf(init.preset);
  }

  population(which: 'train' | 'external'): VirtualPopulation {
    let pop = this.pops.get(which);
    if (!pop) {
      const ids = which === 'train' ? this.init.models : [this.init.external!];
      pop = new VirtualPopulation({
        models: ids.map((id) => virtualModel(this.preset, id)),
        population: this.init.population ?? this.preset.population,
        derive: this.preset.derive,
        design: this.init.design,
        seed: this.init.seed,
        stream: which === 'train' ? STREAM.patient : STREAM.external,
      });
      this.pops.set(which, pop);
    }
    return pop;
  }

  estimator(id: string): MapEstimator {
    let e = this.estimators.get(id);
    if (!e) {
      e = new MapEstimator(virtualModel(this.preset, id).model);
      this.estimators.set(id, e);
    }
    return e;
  }

  run(task: PipelineTask): TaskResult {
    if (task.kind === 'simulate') {
      const pop = this.population(task.population);
      const out: VirtualPatient[] = [];
      for (let i = task.from; i < task.to; i++) out.push(pop.patient(i));
      return out;
    }
    if (task.kind === 'cv') {
      const { design, recipe, data, train } = this.init;
      const r = cvTask(design, recipe!, data!, train!, task.combo, task.fold);
      return { sse: Array.from(r.sse), n: r.n };
    }
    const pop = this.population(task.population);
    const ids = task.population === 'train' ? this.init.models : [this.init.external!];
    return task.indices.map((i) => {
      const vp = pop.patient(i);
      const id = task.model === 'own' ? ids[vp.modelIndex] : task.model;
      const cov = virtualModel(this.preset, id).covariates(vp.clinical);
      return mapAuc(this.estimator(id), this.init.design, vp, cov);
    });
  }
}

/** A progress bar on stderr (TTY only). */
export function progressBar(label: string, total: number): { tick(done: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const t0 = Date.now();
  let last = 0;
  return {
    tick(done) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 150 && done < total) return;
      last = now;
      const w = 30;
      const k = Math.round((w * done) / total);
      process.stderr.write(
        `\r${label} [${'#'.repeat(k)}${'.'.repeat(w - k)}] ${done}/${total} ${((now - t0) / 1000).toFixed(1)} s`,
      );
    },
    end() {
      if (tty)
        process.stderr.write(
          `\r${label}: ${total} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\x1b[K\n`,
        );
    },
  };
}

function startWorker(init: PipelineInit): Worker {
  return moduleWorker(new URL('./ml-worker.ts', import.meta.url), init);
}

export function threadCount(requested: number | undefined): number {
  return Math.max(1, requested ?? availableParallelism());
}

/**
 * Run tasks on `threads` threads (1 = this thread), results in task order. `weight(task)` is the
 * progress contributed by a task (e.g. its patient count).
 */
export async function runTasks(
  init: PipelineInit,
  tasks: PipelineTask[],
  threads: number,
  label: string,
  weight: (t: PipelineTask) => number = () => 1,
  state?: PipelineState,
): Promise<TaskResult[]> {
  const total = tasks.reduce((s, t) => s + weight(t), 0);
  const bar = progressBar(label, total);
  let done = 0;
  const results: TaskResult[] = new Array(tasks.length);
  const n = Math.min(threads, tasks.length);
  if (n <= 1) {
    const st = state ?? new PipelineState(init);
    tasks.forEach((t, i) => {
      results[i] = st.run(t);
      done += weight(t);
      bar.tick(done);
    });
    bar.end();
    return results;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const w = startWorker(init);
      try {
        await new Promise<void>((resolve, reject) => {
          let current = -1;
          const send = (): void => {
            if (next < tasks.length) {
              current = next++;
              w.postMessage(tasks[current]);
            } else resolve();
          };
          w.on('message', (m: { ready?: true; result?: TaskResult; error?: string }) => {
            if (m.error !== undefined) return reject(new Error(m.error));
            if (!m.ready) {
              results[current] = m.result!;
              done += weight(tasks[current]);
              bar.tick(done);
            }
            send();
          });
          w.on('error', reject);
          w.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`ml worker exited with ${code}`)),
          );
        });
      } finally {
        await w.terminate();
      }
    }),
  );
  bar.end();
  return results;
}

/** Tasks simulating patients from..to in chunks. */
export function simulateTasks(
  population: 'train' | 'external',
  from: number,
  to: number,
  chunk = 250,
): PipelineTask[] {
  const tasks: PipelineTask[] = [];
  for (let a = from; a < to; a += chunk)
    tasks.push({ kind: 'simulate', population, from: a, to: Math.min(to, a + chunk) });
  return tasks;
}

/** MAP tasks over some patient indices, in chunks. */
export function mapTasks(
  population: 'train' | 'external',
  model: string,
  indices: number[],
  chunk = 25,
): PipelineTask[] {
  const tasks: PipelineTask[] = [];
  for (let a = 0; a < indices.length; a += chunk)
    tasks.push({ kind: 'map', population, model, indices: indices.slice(a, a + chunk) });
  return tasks;
}

/** Training rows of virtual patients: the preset's covariate features from their clinical variables. */
export function trainingData(preset: MlPreset, vps: readonly VirtualPatient[]): TrainingData {
  return {
    rows: vps.map((v) => ({
      conc: v.conc,
      timesH: v.timesH,
      dose: v.dose,
      covariates: preset.covariates.map((c) => v.clinical[c.name]),
    })),
    auc: vps.map((v) => v.auc),
  };
}
