// The analysis pool's worker thread when it loads the TypeScript sources (analysis-pool.ts, loader
// 'tsx', which only the bench asks for: the default is compiled code). A worker starts with no
// TypeScript loader (the pool gives it no flags), so it registers tsx itself and then loads the
// task module.
import { register } from 'tsx/esm/api';

register();
const task = await import('./analysis-task.ts');
export default task.default;
