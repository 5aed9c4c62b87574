// `npm run bench`: runs every benchmark and writes bench/results.md. Timings live here, never in tests.
// `npm run bench -- map [simulation …] [--runs run201,voriconazole]`: only those sections (and, for
// `map`, only those runs); their sections of results.md are replaced, the others kept as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchMap } from './map.ts';
import { benchRecommend } from './recommend.ts';
import { benchSimulation } from './simulation.ts';

const SECTIONS = [
  'simulation',
  'map',
  'recommend',
  'server',
  'ml',
  'whatif',
  'popfit',
  'federate',
  'playground',
  'cli',
  'cds',
  'trial',
  'warfarin',
] as const;
type Section = (typeof SECTIONS)[number];
const args = process.argv.slice(2);
const asked: string[] = [];
let runs: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = (args[++i] ?? '').split(',').filter(Boolean);
  else if (SECTIONS.includes(args[i] as Section)) asked.push(args[i]);
  else {
    console.error(`bench: unknown argument '${args[i]}' (sections: ${SECTIONS.join(', ')}; --runs a,b)`);
    process.exit(2);
  }
}
const want = (s: Section): boolean => asked.length === 0 || asked.includes(s);

const sections: string[] = [];
const header = [
  '# dosetwin benchmarks',
  '',
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString().slice(0, 10)}. Single thread.`,
  '',
].join('\n');
if (want('simulation')) {
  console.error('simulation throughput…');
  sections.push(benchSimulation().markdown);
}
if (want('map')) {
  console.error('MAP fits…');
  sections.push(await benchMap(runs));
}
if (want('recommend')) sections.push(benchRecommend());
if (want('server')) {
  console.error('server…');
  // Loaded only when its section runs: with autocannon and pg resident in the process, the MAP
  // fits measured before it take 15-20 % more CPU (run003 0.073 vs 0.061 ms per fit).
  sections.push(await (await import('./server.ts')).benchServer());
}
if (want('ml')) sections.push(await (await import('./ml.ts')).benchMl()); // issue 8: ml train, 10 000 patients
if (want('ml')) {
  console.error('ml predict, 2000 patients…');
  sections.push((await import('./ml-predict.ts')).benchMlPredict()); // one process per patient vs --data
}
if (want('popfit')) {
  console.error('population fits…');
  sections.push((await import('./popfit.ts')).benchPopfit());
}
if (want('federate')) {
  console.error('SAEM over threads and over node processes…');
  sections.push(await (await import('./federate.ts')).benchFederate());
}
if (want('cli')) {
  console.error('dosetwin command: start, fit of 600 patients, compiled and through tsx…');
  sections.push((await import('./cli.ts')).benchCli());
}
// Issue 7: the browser what-if timing is measured by the e2e run in Chromium (a page, not Node);
// its last figures are carried here when that run left them.
const whatIf = new URL('../artifacts/e2e/whatif-timing.json', import.meta.url);
if (want('whatif') && existsSync(whatIf)) {
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
if (want('playground')) {
  console.error('playground, slider to paint in Chromium…');
  sections.push(await (await import('./playground.ts')).benchPlayground());
}
if (want('cds')) {
  console.error('CDS Hooks order-select with prefetch…');
  sections.push(await (await import('./cds.ts')).benchCds());
}
if (want('trial')) {
  console.error('virtual trial, 10^6 patients on 2 threads (and through the queue with DATABASE_URL)…');
  sections.push(await (await import('./trial.ts')).benchTrial());
}
if (want('warfarin')) {
  console.error('warfarin twin: next dose and the virtual trial…');
  sections.push((await import('./warfarin.ts')).benchWarfarin());
}
const file = new URL('./results.md', import.meta.url);
let text: string;
if (asked.length === 0 || !existsSync(file)) text = `${header}\n${sections.join('\n')}`;
else {
  // Replace the sections that were run (by their "## " title), keep the others in place.
  const old = readFileSync(file, 'utf8');
  const parts = old.split(/\n(?=## )/);
  const title = (s: string): string => s.split('\n')[0];
  const fresh = new Map(sections.map((s) => [title(s), s]));
  const kept = parts.slice(1).map((p) => {
    const f = fresh.get(title(p));
    if (f === undefined) return p.endsWith('\n') ? p : `${p}\n`;
    fresh.delete(title(p));
    return f;
  });
  text = `${header}\n${[...kept, ...fresh.values()].join('\n')}`;
}
writeFileSync(file, text);
console.log(sections.join('\n'));
