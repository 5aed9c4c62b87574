// `npm run bench`: runs every benchmark and writes bench/results.md. Timings live here, never in tests.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchMap } from './map.ts';
import { benchRecommend } from './recommend.ts';
import { benchServer } from './server.ts';
import { benchSimulation } from './simulation.ts';

const sections: string[] = [];
const header = [
  '# dosetwin benchmarks',
  '',
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString().slice(0, 10)}. Single thread.`,
  '',
].join('\n');
console.error('simulation throughput…');
const sim = benchSimulation();
sections.push(sim.markdown);
console.error('MAP fits…');
sections.push(await benchMap());
sections.push(benchRecommend());
console.error('server…');
sections.push(await benchServer());
sections.push(await (await import('./ml.ts')).benchMl()); // issue 8: ml train, 10 000 patients
console.error('ml predict, 2000 patients…');
sections.push((await import('./ml-predict.ts')).benchMlPredict()); // one process per patient vs --data
// Issue 7: the browser what-if timing is measured by the e2e run in Chromium (a page, not Node);
// its last figures are carried here when that run left them.
const whatIf = new URL('../artifacts/e2e/whatif-timing.json', import.meta.url);
if (existsSync(whatIf)) {
  const t = JSON.parse(readFileSync(whatIf, 'utf8')) as Record<string, number | string>;
  const ms = (k: string): string => `${Number(t[k]).toFixed(1)} ms`;
  sections.push(
    [
      '## Web app what-if (issue 7; from the last browser e2e run, `packages/web/test/e2e.test.ts`)',
      '',
      `${String(t.what)}; Chromium ${String(t.browser)}, ${String(t.edits)} edits, measured in the page.`,
      '',
      '| first edit | median | p95 | engine (worker) median | chart update median | goal |',
      '|---:|---:|---:|---:|---:|---:|',
      `| ${ms('first')} | ${ms('median')} | ${ms('p95')} | ${ms('engineMedian')} | ${ms('setOptionMedian')} | < 50 ms |`,
      '',
    ].join('\n'),
  );
}
const text = `${header}\n${sections.join('\n')}`;
writeFileSync(new URL('./results.md', import.meta.url), text);
console.log(text);
