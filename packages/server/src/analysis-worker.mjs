// The analysis pool's worker thread (analysis-pool.ts). A worker starts with no TypeScript loader
// whether the service runs under `node --import tsx` (tests), `dosetwin serve` or `npm start` (the
// bin registers tsx in its own thread only), so it registers tsx itself, as bin/dosetwin.mjs does,
// and then loads the task module: one way of loading, the same everywhere.
import { register } from 'tsx/esm/api';

register();
const task = await import('./analysis-task.ts');
export default task.default;
