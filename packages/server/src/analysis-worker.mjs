// The analysis pool's worker thread when it loads the TypeScript sources (analysis-pool.ts, loader
// 'tsx'; the default is the compiled bundle). A worker starts with no TypeScript loader whether the
// service runs under `node --import tsx` (tests), `dosetwin serve` or `npm start` (the bin
// registers tsx in its own thread only), so it registers tsx itself, as bin/dosetwin.mjs does,
// and then loads the task module.
import { register } from 'tsx/esm/api';

register();
const task = await import('./analysis-task.ts');
export default task.default;
