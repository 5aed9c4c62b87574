/// <reference lib="webworker" />
/**
 * The engine in a Web Worker: the session (worker-session.ts) answers each message with the
 * library's clinical twin, off the page's thread; this file only wires it to the worker's
 * messages and loads the ML estimators lazily.
 */
import { loadEstimators } from './estimators.ts';
import type { ToWorker } from './worker-protocol.ts';
import { createSession } from './worker-session.ts';

const session = createSession(loadEstimators);

self.onmessage = (ev: MessageEvent<ToWorker>): void => {
  void session
    .handle(ev.data)
    .then(({ reply, transfer }) =>
      (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply, transfer),
    );
};
