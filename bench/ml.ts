// Issue 8, acceptance 4: `dosetwin ml train` on 10 000 virtual patients (simulation, 3-fold
// cross-validation over the default grid, final fit) within 10 minutes on 2 cores. Tacrolimus
// Prograf (Woillard 2011, Erlang absorption: matrix-exponential solutions), design 0/1/3 h.
import { availableParallelism } from 'node:os';
import type { TrainingRecipe } from '@dosetwin/engine';
import { DEFAULT_GRID, trainArtefact } from '../packages/cli/src/commands/ml.ts';
import { ML_PRESETS as PRESETS } from '@dosetwin/models';

export async function benchMl(n = 10000): Promise<string> {
  const preset = PRESETS['tacrolimus-ktx'];
  const threads = Math.min(2, availableParallelism());
  const recipe: TrainingRecipe = {
    n,
    seed: 1,
    split: { train: 0.7, validation: 0.1, test: 0.2 },
    folds: 3,
    grid: DEFAULT_GRID,
    ridgeLambda: 1e-3,
  };
  const t0 = performance.now();
  const est = await trainArtefact({
    preset,
    models: ['tacrolimus/woillard2011-prograf'],
    design: preset.design,
    recipe,
    threads,
  });
  const s = (performance.now() - t0) / 1000;
  const g = DEFAULT_GRID;
  const combos = g.maxDepth.length * g.learningRate.length * g.minChildWeight.length;
  return [
    '## ML estimator training (issue 8)',
    '',
    `\`dosetwin ml train --model tacrolimus/woillard2011-prograf --design 0,1,3h --n ${n}\` on ${threads} worker threads:`,
    `simulation of ${n} virtual patients, ${recipe.folds}-fold cross-validation of ${combos} grid points × up to ${g.nTreesMax} trees, final fit (${est.chosen.nTrees} trees, depth ${est.chosen.maxDepth}).`,
    '',
    '| patients | threads | wall time | goal |',
    '|---:|---:|---:|---:|',
    `| ${n} | ${threads} | ${s.toFixed(1)} s | ≤ 600 s |`,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(await benchMl(Number(process.argv[2] ?? 10000)));
