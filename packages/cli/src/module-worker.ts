import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { TransferListItem, Worker } from 'node:worker_threads';

/** Whether the CLI runs compiled (dist/, as the bin runs it) rather than from the TypeScript sources. */
const COMPILED = import.meta.url.endsWith('.js');
const require = createRequire(import.meta.url);

/**
 * A worker thread running `entry`, a TypeScript module given by its source name
 * (`new URL('./fit-worker.ts', import.meta.url)`). Compiled, the thread loads the compiled module
 * beside the caller's; from the sources (tests importing a command under `node --import tsx`), it
 * registers tsx first, since a worker does not inherit a loader registered with `register()`.
 */
export function moduleWorker(entry: URL, workerData: unknown, transferList?: TransferListItem[]): Worker {
  // Loaded when a thread starts, not with the command (about 4 ms of every start): most runs of
  // the commands that may start threads (`fit` of a few patients) start none.
  const { Worker: Thread } = require('node:worker_threads') as { Worker: typeof Worker };
  if (COMPILED) return new Thread(new URL(entry.href.replace(/\.ts$/, '.js')), { workerData, transferList });
  const tsx = pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Thread(code, { eval: true, workerData, transferList });
}
