// `npm run bench`: runs every benchmark and writes bench/results.md. Timings live here, never in tests.
import { writeFileSync } from 'node:fs';
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
const text = `${header}\n${sections.join('\n')}`;
writeFileSync(new URL('./results.md', import.meta.url), text);
console.log(text);
