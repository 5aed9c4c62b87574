// Dose recommendation and forecast (issue 4): wall time of `recommend` (regimen search, exposure
// after rounding, PTA over posterior draws) and of `forecastRegimen` (curve, bands, exposure
// intervals) on the library models of the README's worked examples, single thread.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompiledModel,
  MapObjective,
  Simulator,
  estimateMap,
  forecastRegimen,
  parseDataset,
  parseTarget,
  recommend,
  samplePosterior,
  type RegimenSpace,
} from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Case {
  label: string;
  model: string;
  data: string;
  targets: string[];
  space: Omit<RegimenSpace, 'start'>;
  draws: number;
}

const CASES: Case[] = [
  {
    label: 'tacrolimus Woillard 2011 (2-cpt + Erlang transit chain, exact linear ODE), LSS 3 levels',
    model: 'tacrolimus/woillard2011-prograf',
    data: 'examples/tacrolimus-lss.csv',
    targets: ['auctau=150..200', 'c0=5..10'],
    space: { intervals: [12], strengths: [500, 1000, 5000] },
    draws: 100,
  },
  {
    label: 'vancomycin Goti 2018 (2-cpt infusion, closed form), 2 levels',
    model: 'vancomycin/goti2018',
    data: 'examples/vancomycin-two-levels.csv',
    targets: ['auc24=400..600'],
    space: { intervals: [8, 12, 24], durations: [1, 2], strengths: [250, 500, 1000], maxDailyDose: 4000 },
    draws: 200,
  },
];

function drawsFor(
  model: CompiledModel,
  c: Case,
): { p: ReturnType<typeof parseDataset>['patients'][number]; point: Float64Array; draws: Float64Array[] } {
  const p = parseDataset(readFileSync(resolve(REPO, c.data), 'utf8'), model.ir).patients[0];
  const fit = estimateMap(model, p);
  const obj = new MapObjective(new Simulator(model), p);
  const post = samplePosterior(obj, fit.x, fit.cov, { samples: c.draws, seed: 1 });
  const idx = model.ir.etas.map((e) => post.names.indexOf(e.name));
  const draws = Array.from({ length: post.size }, (_, s) =>
    Float64Array.from(idx, (j) => (j >= 0 ? post.draws[s * post.n + j] : 0)),
  );
  return { p, point: fit.eta, draws };
}

export function benchRecommend(): string {
  const rows: string[] = [];
  for (const c of CASES) {
    const model = getModel(c.model).compiled();
    const ir = model.ir;
    const { p, point, draws } = drawsFor(model, c);
    const targets = c.targets.map((t, k) => parseTarget(t, ir.units.conc, ir.units.time, k + 1));
    const start = p.time[p.n - 1];
    const sim = new Simulator(model);
    const t0 = performance.now();
    const r = recommend({ sim, history: p, point, draws, targets, space: { start, ...c.space } });
    const recMs = performance.now() - t0;
    const best = r.candidates[0];
    const t1 = performance.now();
    forecastRegimen({
      sim,
      history: p,
      point,
      draws,
      regimen: { start, dose: best.dose, interval: best.interval, duration: best.duration, count: 6 },
      times: Array.from({ length: 97 }, (_, i) => start + (i * 6 * best.interval) / 96),
    });
    const fcMs = performance.now() - t1;
    rows.push(
      `| ${c.label} | ${c.targets.join(', ')} | ${r.candidates.length} | ${draws.length} | ${(recMs / 1000).toFixed(2)} | ${(fcMs / 1000).toFixed(2)} |`,
    );
  }
  return [
    '## Dose recommendation and forecast (packages/engine/src/dosing)',
    '',
    'One patient each (the README examples), after the MAP fit and the posterior draws (not timed).',
    '`recommend`: regimen search, exposure after rounding, PTA of every candidate over the draws.',
    '`forecast`: MAP and population curves on 97 times over 6 intervals of the best candidate, 5/50/95 %',
    'bands and exposure credible intervals over the same draws, time to steady state.',
    'Before the exposure rework (2026-11-23, tacrolimus, same draws): 96 s for the CLI command with 100 draws;',
    '`recommend` alone with 200 draws, old and new code side by side on a loaded machine: 221 s vs 5.6 s, same PTAs.',
    '',
    '| case | targets | candidates | draws | recommend s | forecast s |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
