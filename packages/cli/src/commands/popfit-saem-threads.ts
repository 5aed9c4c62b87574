// SAEM's E-step spread over worker threads, for `dosetwin popfit --method saem --threads N`. Each
// helper holds a contiguous chunk of subjects (the engine's SaemLocal with the chunk's global
// offset, so each chain draws from the stream of its own subject) and answers each iteration's
// broadcast with the chunk's exact sums; the popfit worker thread runs the first chunk itself and
// waits for the others as popfit-threads.ts does (the answer on the port, then the flag). Exact sums
// added in any order give the same M-step: any thread count gives the same fit to the last bit.
import {
  addSaemStatistics,
  type CompiledModel,
  type PatientData,
  type SaemBroadcast,
  SaemLocal,
  type SaemPlan,
  type SaemStatistics,
  type SaemEStepper,
} from '@dosetwin/engine';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.ts';
import { chunks } from './popfit-threads.ts';

/** What a helper receives at start. */
export interface SaemHelperData {
  model: string;
  fixed: string[];
  patients: PatientData[];
  /** Global index of the chunk's first subject. */
  offset: number;
  port: MessagePort;
  flags: Int32Array;
  index: number;
}

/** A helper's answer. */
export type SaemHelperReply = { statistics: SaemStatistics } | { error: string };

/** An E-step factory over `threads` threads; `close()` ends the helpers it started. */
export function threadedSaem(
  model: CompiledModel,
  modelRef: string,
  fixed: string[],
  threads: number,
): {
  factory: (plan: SaemPlan, patients: readonly PatientData[]) => SaemEStepper;
  close: () => Promise<void>;
} {
  const started: Worker[] = [];
  const factory = (plan: SaemPlan, patients: readonly PatientData[]): SaemEStepper => {
    const parts = chunks(patients.length, Math.min(threads, patients.length));
    const flags = new Int32Array(new SharedArrayBuffer(4 * parts.length));
    const ports: MessagePort[] = [];
    for (let h = 1; h < parts.length; h++) {
      const { port1, port2 } = new MessageChannel();
      const data: SaemHelperData = {
        model: modelRef,
        fixed,
        patients: patients.slice(parts[h][0], parts[h][1]),
        offset: parts[h][0],
        port: port2,
        flags,
        index: h,
      };
      const w = moduleWorker(new URL('./popfit-saem-worker.ts', import.meta.url), data, [port2]);
      w.unref();
      started.push(w);
      ports.push(port1);
    }
    const mine = new SaemLocal(plan, patients.slice(parts[0][0], parts[0][1]), 0);
    return {
      eStep(b: SaemBroadcast): SaemStatistics {
        for (const port of ports) port.postMessage(b);
        let sum = mine.eStep(b);
        ports.forEach((port, k) => {
          const h = k + 1;
          while (Atomics.load(flags, h) === 0) Atomics.wait(flags, h, 0);
          Atomics.store(flags, h, 0);
          const reply = receiveMessageOnPort(port)?.message as SaemHelperReply | undefined;
          if (!reply) throw new Error('internal: a SAEM helper thread raised its flag without an answer');
          if ('error' in reply) throw new Error(`SAEM helper thread: ${reply.error}`);
          sum = addSaemStatistics(sum, reply.statistics);
        });
        return sum;
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
