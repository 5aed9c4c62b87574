/**
 * Interim forecast of a trial: the first enrolled patients' real data (doses, levels, covariates)
 * fitted by the twin (MAP and posterior draws), the rest of the trial simulated, and the primary
 * endpoint — the share of each arm attaining all targets on the last day — predicted with a
 * predictive interval. Each replicate takes one posterior draw per enrolled patient and a fresh set
 * of the remaining virtual patients (seeded by the trial seed and the replicate), so the interval
 * holds both the enrolled patients' parameter uncertainty and the sampling of those to come.
 */
import { fail } from '../errors.ts';
import { inTarget } from '../dosing/targets.ts';
import type { PatientData } from '../events/records.ts';
import { lastCovariates } from '../dosing/regimen.ts';
import { streamSeed } from '../ml/seeds.ts';
import { createRng } from '../simulate/rng.ts';
import { createTwin } from '../twin/twin.ts';
import { emptyCounts, mergeCounts, TrialRunner, type TrialCounts } from './chunk.ts';
import {
  administrations,
  dayExposure,
  layoutCourse,
  readMetric,
  runCourse,
  setCovariates,
} from './course.ts';
import { Simulator } from '../simulate/simulator.ts';
import { chunkCount, dayLength, type TrialSetup, trialDays } from './spec.ts';

export interface EnrolledPatient {
  /** Index of the arm the patient is in. */
  arm: number;
  /** The patient's records so far, in the model's units (its last record's covariates apply). */
  history: PatientData;
}

export interface InterimForecast {
  /** Per arm (of `n` planned patients each): enrolled patients, the predicted endpoint (mean over replicates) and its 90 % predictive interval. */
  arms: { enrolled: number; total: number; mean: number; lo: number; hi: number }[];
  replicates: number;
}

/** Stream key of interim-forecast replicates. */
const INTERIM_STREAM = 0x1e7;

export function interimForecast(
  setup: TrialSetup,
  enrolled: readonly EnrolledPatient[],
  o: { replicates?: number; draws?: number } = {},
): InterimForecast {
  const M = o.replicates ?? 200;
  if (!(Number.isInteger(M) && M >= 2))
    fail('DT_TRIAL_SPEC', 'replicates', `replicates ${M} must be an integer ≥ 2`);
  const A = setup.arms.length;
  enrolled.forEach((e, i) => {
    if (!(Number.isInteger(e.arm) && e.arm >= 0 && e.arm < A))
      fail('DT_TRIAL_SPEC', `enrolled[${i}].arm`, `arm ${e.arm} does not exist (0..${A - 1})`);
    if (setup.arms[e.arm].tdm)
      fail('DT_TRIAL_SPEC', `enrolled[${i}].arm`, 'the interim forecast covers arms without TDM rounds');
  });
  for (let a = 0; a < A; a++) {
    const k = enrolled.filter((e) => e.arm === a).length;
    if (k > setup.n)
      fail('DT_TRIAL_SPEC', 'enrolled', `${k} patients enrolled in arm ${a} of ${setup.n} planned`);
  }
  const days = trialDays(setup);
  const day = dayLength(setup.model);
  const targets = setup.endpoints.targets;
  // Enrolled patients: for each, whether each posterior draw attains all targets on the last day.
  const sim = new Simulator(setup.model);
  const nEta = setup.model.ir.etas.length;
  const hits: Uint8Array[] = enrolled.map((e, i) => {
    const twin = createTwin(setup.model, e.history, {
      samples: o.draws ?? M,
      seed: streamSeed(setup.seed, INTERIM_STREAM, i),
    });
    const cov = lastCovariates(e.history);
    const l = layoutCourse(administrations(setup.arms[e.arm].regimen, setup.duration), {
      duration: setup.duration,
      dayLength: day,
      cmt: 0,
      gridStep: 0,
      afterInfusion: [],
      nCov: cov.length,
      occasion: null,
    });
    setCovariates(l, cov);
    const draws = twin.draws.length ? twin.draws : [twin.point ?? new Float64Array(nEta)];
    return Uint8Array.from(draws, (d) => {
      // The course is a new occasion: the draw's between-subject etas only.
      const run = runCourse(sim, l, d.subarray(0, nEta));
      const pair = dayExposure(run, days, day, setup.endpoints.mic, setup.endpoints.fu ?? 1);
      return pair !== null && targets.every((t) => inTarget(t, readMetric(t, pair))) ? 1 : 0;
    });
  });
  const per: number[][] = Array.from({ length: A }, () => []);
  const counts = Array.from({ length: A }, (_, a) => enrolled.filter((e) => e.arm === a).length);
  for (let r = 0; r < M; r++) {
    const rng = createRng(streamSeed(setup.seed, INTERIM_STREAM, M + r));
    for (let a = 0; a < A; a++) {
      let k = 0;
      enrolled.forEach((e, i) => {
        if (e.arm !== a) return;
        const h = hits[i];
        k += h[Math.floor(rng.uniform() * h.length)];
      });
      // The arm's patients to come: a trial of that arm and size, with this replicate's seed.
      const rest = setup.n - counts[a];
      if (rest > 0) {
        const sub: TrialSetup = {
          ...setup,
          arms: [setup.arms[a]],
          strata: [],
          n: rest,
          seed: streamSeed(setup.seed, INTERIM_STREAM, -1 - r, a),
        };
        const runner = new TrialRunner(sub);
        const c: TrialCounts = Array.from({ length: chunkCount(sub) }, (_, x) => runner.runChunk(x)).reduce(
          mergeCounts,
          emptyCounts(runner.shape),
        );
        const E = targets.length + 1 + setup.endpoints.toxicity.length;
        k += c.hit[(days - 1) * E + targets.length];
      }
      per[a].push(k / setup.n);
    }
  }
  const q = (xs: number[], f: number): number => {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(f * (s.length - 1))))];
  };
  return {
    replicates: M,
    arms: per.map((xs, a) => ({
      enrolled: counts[a],
      total: setup.n,
      mean: xs.reduce((s, x) => s + x, 0) / xs.length,
      lo: q(xs, 0.05),
      hi: q(xs, 0.95),
    })),
  };
}
