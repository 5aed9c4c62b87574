/// <reference lib="webworker" />
/**
 * The playground's engine in a Web Worker: the session (playground-session.ts) answers each
 * message with the library's teaching cases and twin, off the page's thread.
 */
import { createPlaygroundSession, type ToPlay } from './playground-session.ts';

const session = createPlaygroundSession();

self.onmessage = (ev: MessageEvent<ToPlay>): void => {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(session.handle(ev.data));
};
