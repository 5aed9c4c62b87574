/**
 * One virtual patient of a trial: drawn from its own random stream (trial seed, chunk index,
 * place in the chunk), so the same patient comes out whatever the number of workers; simulated
 * under every arm (paired arms: the same covariates, etas and inter-occasion etas).
 */
import { fail } from '../errors.ts';
import { cholesky } from '../estimate/linalg.ts';
import { drawClinical } from '../ml/population.ts';
import { streamSeed } from '../ml/seeds.ts';
import type { CompiledModel } from '../model/compile.ts';
import { createRng, type Rng } from '../simulate/rng.ts';
import { dayLength, type TrialSetup, trialDays } from './spec.ts';

/** Stream key of trial patients (apart from the ML pipeline's streams). */
export const TRIAL_STREAM = 0x7a1;

export interface VirtualSubject {
  clinical: Record<string, number>;
  /** Model covariates (model order, model units). */
  covariates: number[];
  /**
   * Etas in the simulator's layout: the model's etas (between-subject; IOV etas 0), then one block
   * of inter-occasion etas per day (occasion = day 1, 2, …).
   */
  eta: Float64Array;
  /** The patient's stream, for what an arm draws after (residual errors of TDM levels). */
  rng: Rng;
}

/** Cholesky factors of the between-subject block and of the inter-occasion block of Ω. */
export interface OmegaFactors {
  bsv: { idx: number[]; L: Float64Array };
  iov: { idx: number[]; L: Float64Array };
}

export function omegaFactors(model: CompiledModel): OmegaFactors {
  const ir = model.ir;
  const factor = (idx: number[]): { idx: number[]; L: Float64Array } => {
    const n = idx.length;
    const L = new Float64Array(n * n);
    if (n && !cholesky(n, Float64Array.from(idx.flatMap((i) => idx.map((j) => ir.omega[i][j]))), L))
      fail('DT_TRIAL_MODEL', 'random', `${ir.id}: Ω is not positive definite`);
    return { idx, L };
  };
  const keep = (k: number): boolean => ir.omega[k][k] > 0;
  return {
    bsv: factor(ir.etas.map((_, k) => k).filter((k) => !ir.etas[k].iov && keep(k))),
    iov: factor(ir.etas.map((_, k) => k).filter((k) => ir.etas[k].iov && keep(k))),
  };
}

function correlated(
  f: { idx: number[]; L: Float64Array },
  rng: Rng,
  into: Float64Array,
  at: (k: number) => number,
): void {
  const n = f.idx.length;
  const z = new Float64Array(n);
  for (let a = 0; a < n; a++) z[a] = rng.normal();
  for (let a = 0; a < n; a++) {
    let v = 0;
    for (let b = 0; b <= a; b++) v += f.L[a * n + b] * z[b];
    into[at(a)] = v;
  }
}

/** Patient `j` of chunk `chunk`. */
export function drawSubject(s: TrialSetup, factors: OmegaFactors, chunk: number, j: number): VirtualSubject {
  const rng = createRng(streamSeed(s.seed, TRIAL_STREAM, chunk, j));
  const clinical = drawClinical(s.population, rng);
  if (s.derive) {
    // A variable the population draws (e.g. CrCL by renal class) is kept; derived ones are added.
    const drawn = s.population.kind === 'table' ? s.population.columns : s.population.variables;
    const kept = drawn.map((v) => clinical[v.name]);
    s.derive(clinical);
    for (let k = 0; k < drawn.length; k++) clinical[drawn[k].name] = kept[k];
  }
  const covariates = s.covariates(clinical);
  covariates.forEach((v, k) => {
    if (!Number.isFinite(v))
      fail(
        'DT_TRIAL_POPULATION',
        `covariates.${s.model.ir.covariates[k]?.name ?? k}`,
        `virtual patient ${chunk}:${j}: covariate ${s.model.ir.covariates[k]?.name ?? k} is ${v}`,
      );
  });
  const ir = s.model.ir;
  const nEta = ir.etas.length;
  const nIov = ir.etas.filter((e) => e.iov).length;
  const days = trialDays(s);
  const eta = new Float64Array(nEta + (nIov > 0 ? days * nIov : 0));
  correlated(factors.bsv, rng, eta, (a) => factors.bsv.idx[a]);
  if (factors.iov.idx.length) {
    // Position of each IOV eta within an occasion's block (model order among the IOV etas).
    const iovOrder = ir.etas.map((_, k) => k).filter((k) => ir.etas[k].iov);
    const within = factors.iov.idx.map((k) => iovOrder.indexOf(k));
    for (let d = 0; d < days; d++) correlated(factors.iov, rng, eta, (a) => nEta + d * nIov + within[a]);
  }
  return { clinical, covariates, eta, rng };
}

/** The occasion (1-based day) of a time, for inter-occasion variability. */
export function occasionOf(s: TrialSetup, t: number): number {
  const day = dayLength(s.model);
  return Math.min(trialDays(s), Math.floor(t / day) + 1);
}
