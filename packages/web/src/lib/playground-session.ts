/**
 * What the playground's Web Worker does, as a plain object (run in Node by its test): a teaching
 * case's twin a priori and with the levels the student drew (the library's clinical twin, MAP and
 * posterior draws, seeded), the forecast of a dose with both bands, the expected information of a
 * level by sampling time, and the case's levels, score, truth and series (the library's teaching
 * cases). Nothing here computes pharmacokinetics itself.
 */
import { samplingInformation } from '@dosetwin/engine';
import {
  attainmentClinical,
  type CaseLevel,
  type CaseScore,
  caseLevels,
  caseRegimen,
  caseScore,
  caseSeries,
  caseTruth,
  caseTwin,
  type ClinicalTwin,
  forecastClinical,
  parseCase,
  type TeachingCase,
} from '@dosetwin/models';
import { issuesOf } from './worker-session.ts';
import type { Issue } from '@dosetwin/engine';

/** The student's twin under a dose: the prior and the posterior (or the prior alone, no level yet). */
export interface TwinView {
  kind: 'map' | 'a priori';
  concUnit: string;
  /** Hours from the first dose. */
  tH: number[];
  /** Individual prediction (MAP; the typical patient a priori). */
  ipred: number[];
  band: { tH: number[]; lo: number[]; hi: number[] };
  /** The population prior's band and typical curve, for comparison. */
  prior: { tH: number[]; lo: number[]; hi: number[]; pred: number[] };
  /** The model's named individual values: the twin's, and the typical patient's. */
  parameters: Record<string, number>;
  priorParameters: Record<string, number>;
  /** The target's metric under the dose at the point estimate, and the probability of attaining it. */
  metric: { target: string; value: number; met: boolean; pta: number | null };
  /** Expected SD reduction (%) of each eta by one more level at each time (h). */
  information: { tH: number[]; etas: string[]; reduction: number[][] };
  doseStartH: number;
}

export type ToPlay =
  | { type: 'parse'; id: number; text: string }
  | { type: 'twin'; id: number; c: TeachingCase; levels: CaseLevel[]; doseMg: number; infoTimesH: number[] }
  | { type: 'levels'; id: number; c: TeachingCase; picked: number[] }
  | { type: 'score'; id: number; c: TeachingCase; doseMg: number; samplesUsed: number }
  | { type: 'truth'; id: number; c: TeachingCase }
  | { type: 'series'; id: number; c: TeachingCase; n: number; seed: number };

export type FromPlay =
  | { type: 'parse'; id: number; c: TeachingCase }
  | { type: 'twin'; id: number; view: TwinView }
  | { type: 'levels'; id: number; levels: CaseLevel[] }
  | { type: 'score'; id: number; score: CaseScore }
  | { type: 'truth'; id: number; truth: Record<string, number> }
  | { type: 'series'; id: number; cases: TeachingCase[] }
  | { type: 'error'; id: number; issues: Issue[] };

const H = 3_600_000;
const SAMPLES = 200;

/** The playground's session: twins kept per case and levels, so moving a dose slider refits nothing. */
export function createPlaygroundSession(): { handle(m: ToPlay): FromPlay } {
  let cached: { key: string; ct: ClinicalTwin } | null = null;
  let prior: { key: string; ct: ClinicalTwin } | null = null;
  const twinOf = (c: TeachingCase, levels: CaseLevel[]): ClinicalTwin => {
    const key = JSON.stringify([c, levels]);
    if (cached?.key !== key) cached = { key, ct: caseTwin(c, levels, SAMPLES) };
    return cached.ct;
  };
  const priorOf = (c: TeachingCase): ClinicalTwin => {
    const key = JSON.stringify(c);
    if (prior?.key !== key) prior = { key, ct: caseTwin(c, [], SAMPLES) };
    return prior.ct;
  };

  const view = (c: TeachingCase, levels: CaseLevel[], doseMg: number, infoTimesH: number[]): TwinView => {
    const ct = twinOf(c, levels);
    const pr = priorOf(c);
    const regimen = caseRegimen(c, { value: doseMg, unit: 'mg' });
    const f = forecastClinical(ct, regimen);
    const fp = levels.length ? forecastClinical(pr, regimen) : f;
    const h = (ms: number) => (ms - ct.originMs) / H;
    const ir = ct.model.ir;
    // The information of one more level, from what is known now: the prior Ω a priori, the
    // posterior draws' covariance a posteriori, linearised at the point estimate.
    const n = ir.etas.length;
    let cov = ir.omega;
    if (ct.twin.point && ct.twin.draws.length > n) {
      const d = ct.twin.draws;
      const mean = Array.from({ length: n }, (_, i) => d.reduce((s, x) => s + x[i], 0) / d.length);
      cov = Array.from({ length: n }, (_, i) =>
        Array.from(
          { length: n },
          (_, j) => d.reduce((s, x) => s + (x[i] - mean[i]) * (x[j] - mean[j]), 0) / (d.length - 1),
        ),
      );
    }
    const info = samplingInformation(
      ct.twin.sim,
      ct.twin.history,
      infoTimesH.map((t) => ct.toTime(ct.originMs + t * H)),
      ct.twin.point,
      cov,
    );
    const m = f.metrics[0];
    const pta = attainmentClinical(ct, regimen);
    return {
      kind: ct.twin.point ? 'map' : 'a priori',
      concUnit: f.concUnit,
      tH: f.times.map(h),
      ipred: f.ipred,
      band: { tH: f.band.times.map(h), lo: f.band.lo, hi: f.band.hi },
      prior: { tH: fp.band.times.map(h), lo: fp.band.lo, hi: fp.band.hi, pred: fp.pred },
      parameters: ct.twin.parameters(),
      priorParameters: pr.twin.parameters(),
      metric: { target: m.target, value: m.value, met: m.met, pta: pta ? pta.all : null },
      information: {
        tH: [...infoTimesH].sort((a, b) => a - b),
        etas: info.etas,
        reduction: info.ratio.map((r) => r.map((x) => 100 * (1 - x))),
      },
      doseStartH: h(f.startMs),
    };
  };

  const answer = (m: ToPlay): FromPlay => {
    switch (m.type) {
      case 'parse':
        return { type: 'parse', id: m.id, c: parseCase(m.text) };
      case 'twin':
        return { type: 'twin', id: m.id, view: view(m.c, m.levels, m.doseMg, m.infoTimesH) };
      case 'levels':
        return { type: 'levels', id: m.id, levels: caseLevels(m.c, m.picked) };
      case 'score':
        return {
          type: 'score',
          id: m.id,
          score: caseScore(m.c, { value: m.doseMg, unit: 'mg' }, m.samplesUsed),
        };
      case 'truth':
        return { type: 'truth', id: m.id, truth: caseTruth(m.c) };
      case 'series':
        return { type: 'series', id: m.id, cases: caseSeries(m.c, m.n, m.seed) };
    }
  };
  return {
    handle(m) {
      try {
        return answer(m);
      } catch (e) {
        return { type: 'error', id: m.id, issues: issuesOf(e) };
      }
    },
  };
}
