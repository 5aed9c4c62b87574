// The subjects' conditional modes of a FOCE-I fit spread over worker threads, for `dosetwin popfit`.
// The engine's objective asks for all the modes at once, synchronously, from the popfit worker
// thread; that thread computes the first chunk of subjects itself and waits (Atomics.wait is
// allowed in a worker) for the helpers' chunks, which each helper posts on its own port before it
// raises its flag, so the message is there to take with receiveMessageOnPort. Each helper keeps the
// warm starts of its subjects: a subject's mode depends only on the population parameters and its
// own warm start, and the engine sums the terms in subject order, so any thread count gives the
// same fit to the last bit.
import {
  conditionalModes,
  type CompiledModel,
  type ModesEvaluator,
  type PatientData,
  type PopulationParameters,
  type SubjectMode,
  type WarmStart,
  WarmStarts,
} from '@dosetwin/engine';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.ts';

/** What a helper receives at start. */
export interface ModesHelperData {
  model: string;
  patients: PatientData[];
  port: MessagePort;
  flags: Int32Array;
  index: number;
}

/** A task for a helper: the modes at p, mark the centre, or forget the warm starts. */
export type ModesTask =
  { p: PopulationParameters; start: WarmStart } | { markCenter: true } | { reset: true };

/** A helper's answer. */
export type ModesReply = { modes: SubjectMode[] } | { error: string };

/** Contiguous chunks of 0..n−1, as equal as they can be. */
export function chunks(n: number, k: number): [number, number][] {
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)]);
}

/**
 * A factory of {@link ModesEvaluator}s running on `threads` threads (this one and threads − 1
 * helpers per evaluator); `close()` ends every helper it started.
 */
export function threadedModes(
  model: CompiledModel,
  modelRef: string,
  threads: number,
): { factory: (patients: readonly PatientData[]) => ModesEvaluator; close: () => Promise<void> } {
  const started: Worker[] = [];
  const factory = (patients: readonly PatientData[]): ModesEvaluator => {
    const parts = chunks(patients.length, Math.min(threads, patients.length));
    const flags = new Int32Array(new SharedArrayBuffer(4 * parts.length));
    const ports: MessagePort[] = [];
    for (let h = 1; h < parts.length; h++) {
      const { port1, port2 } = new MessageChannel();
      const data: ModesHelperData = {
        model: modelRef,
        patients: patients.slice(parts[h][0], parts[h][1]),
        port: port2,
        flags,
        index: h,
      };
      const w = moduleWorker(new URL('./popfit-modes-worker.ts', import.meta.url), data, [port2]);
      w.unref();
      started.push(w);
      ports.push(port1);
    }
    const mine = patients.slice(parts[0][0], parts[0][1]);
    const warm = new WarmStarts(mine.length);
    return {
      modes(p, start = 'last') {
        for (const port of ports) port.postMessage({ p, start } satisfies ModesTask);
        const out = conditionalModes(model, mine, p, warm.starts(start));
        warm.update(out);
        ports.forEach((port, k) => {
          const h = k + 1;
          while (Atomics.load(flags, h) === 0) Atomics.wait(flags, h, 0);
          Atomics.store(flags, h, 0);
          const reply = receiveMessageOnPort(port)?.message as ModesReply | undefined;
          if (!reply) throw new Error('internal: a popfit helper thread raised its flag without an answer');
          if ('error' in reply) throw new Error(`popfit helper thread: ${reply.error}`);
          for (const m of reply.modes) out.push(m);
        });
        return out;
      },
      markCenter() {
        warm.markCenter();
        for (const port of ports) port.postMessage({ markCenter: true } satisfies ModesTask);
      },
      reset() {
        warm.reset();
        for (const port of ports) port.postMessage({ reset: true } satisfies ModesTask);
      },
    };
  };
  return {
    factory,
    close: async () => {
      await Promise.all(started.map((w) => w.terminate()));
    },
  };
}
