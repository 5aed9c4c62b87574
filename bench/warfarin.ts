// The warfarin twin: how long `nextWarfarinDose` takes (a priori; after one week of doses and two
// INRs, point estimate only and with 100 posterior draws), and the seeded virtual trial of the
// tests (12 patients, 3 INR checks each, the twin's dose after each) on patients of the Hamberg
// 2010 model (not the twin's) and, for comparison, of the twin's own 2007 model, on this machine.
import { loadavg } from 'node:os';
import { nextWarfarinDose, runWarfarinTrial } from '../packages/models/src/index.ts';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function time(f: () => unknown, runs: number): number {
  f(); // compile the model, warm the JIT
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

export function benchWarfarin(): string {
  const doses = Array.from({ length: 7 }, (_, d) => ({ timeH: 24 * d, doseMg: 5 }));
  const inrs = [
    { timeH: 72, inr: 1.4 },
    { timeH: 168, inr: 2.1 },
  ];
  const base = { ageY: 68, cyp2c9: '*1/*2', vkorc1: 'G/A', nextDoseH: 168 };
  const prior = time(() => nextWarfarinDose({ ...base, doses: [], inrs: [], nextDoseH: 0, draws: 0 }), 5);
  const point = time(() => nextWarfarinDose({ ...base, doses, inrs, draws: 0 }), 5);
  const drawn = time(() => nextWarfarinDose({ ...base, doses, inrs, draws: 100 }), 3);
  const t0 = performance.now();
  const trial = runWarfarinTrial({ patients: 12, seed: 7, inrSd: 0.1 });
  const trialS = (performance.now() - t0) / 1000;
  const own = runWarfarinTrial({ patients: 12, seed: 7, inrSd: 0.1, population: 'hamberg2007' });
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const row = (name: string, r: typeof trial): string =>
    `| ${name} | ${pct(r.iwpc.inRange)} (${pct(r.iwpc.above4)}) | ${pct(r.twinStart.inRange)} (${pct(r.twinStart.above4)}) | ${pct(r.twin.inRange)} (${pct(r.twin.above4)}) |`;
  return `## Warfarin twin (nextWarfarinDose, Hamberg 2007)

Load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(', ')}. Median of 5 calls (3 with draws), after one warm call.

| question | time |
|---|---|
| a priori dose (no record) | ${prior.toFixed(0)} ms |
| after 7 days of 5 mg and 2 INRs: MAP and dose, point estimate | ${point.toFixed(0)} ms |
| the same with 100 posterior draws (P(INR 2-3)) | ${drawn.toFixed(0)} ms |
| virtual trial, 12 patients × 3 INR checks (the test's, Hamberg 2010 patients) | ${trialS.toFixed(1)} s |

Trial (seed 7, 12 patients, INRs on days 3, 7, 14 measured with 10 %): share of days 8-28 in INR 2-3
(above 4). The twin fits and doses with Hamberg 2007; the patients come from:

| virtual patients | IWPC dose alone | twin's a priori dose alone | IWPC start, then the twin's doses |
|---|---:|---:|---:|
${row('Hamberg 2010 (another model: the fair test)', trial)}
${row("Hamberg 2007 (the twin's own model: optimistic)", own)}
`;
}
