/**
 * A trial runs in chunks of virtual patients. A chunk's result holds counts only (integers): the
 * patients per arm and stratum cell, those attaining each target each day, at each MIC, the day
 * each first attained every target, and histograms of the exposures. Merging is elementwise
 * addition of integers, exact and independent of the order, so the trial's result is the same bit
 * for bit whatever the number of threads or queue workers and the order chunks finish in.
 */
import { fail } from '../errors.ts';
import type { FutureRegimen } from '../dosing/regimen.ts';
import { inTarget, needsMic } from '../dosing/targets.ts';
import { patientFromRecords, type RecordInput } from '../events/records.ts';
import { observe } from '../simulate/residual.ts';
import { Simulator } from '../simulate/simulator.ts';
import { createTwin } from '../twin/twin.ts';
import {
  administrations,
  type Administration,
  type CourseLayout,
  type CourseRun,
  dayExposure,
  layoutCourse,
  needsGrid,
  readMetric,
  runCourse,
  setCovariates,
  switchRegimen,
} from './course.ts';
import { AFTER_INFUSION_H, type ExposurePair, metricDef } from '../dosing/metrics.ts';
import { ClosedFormCourse } from './closed-form.ts';
import { drawSubject, occasionOf, omegaFactors, type OmegaFactors, type VirtualSubject } from './patient.ts';
import {
  cellCount,
  checkTrial,
  chunkCount,
  dayLength,
  type TrialArm,
  type TrialSetup,
  trialDays,
} from './spec.ts';

/** Histogram of a metric: bin 0 below 1e-3, bins 1..1000 log-spaced 1e-3..1e7 (×10^0.01 each), 1001 above. */
export const HIST = { bins: 1002, lo: -3, width: 0.01 } as const;

export function histBin(v: number): number {
  if (!(v >= 10 ** HIST.lo)) return 0;
  const b = 1 + Math.floor((Math.log10(v) - HIST.lo) / HIST.width);
  return b >= HIST.bins - 1 ? HIST.bins - 1 : b;
}

/** Counts of one chunk (or of merged chunks). Layouts: see {@link TrialShape}. */
export interface TrialCounts {
  /** Chunk indices merged in (sorted). */
  chunks: number[];
  patients: number;
  /** Patients per [arm][cell]. */
  n: number[];
  /** Attained per [arm][cell][day][endpoint]: each target, all targets, each toxicity threshold. */
  hit: number[];
  /** All targets attained per [arm][cell][day][mic]. */
  micHit: number[];
  /** First day all targets attained per [arm][cell][day], last slot = never. */
  firstDay: number[];
  /** Histogram per [arm][day][metric of each target then each toxicity threshold][bin]. */
  hist: number[];
  /** TDM adjustments that found no candidate (the regimen was kept), per arm. */
  unadjusted: number[];
}

export interface TrialShape {
  arms: number;
  cells: number;
  days: number;
  targets: number;
  toxicity: number;
  mics: number;
}

export function trialShape(s: TrialSetup): TrialShape {
  return {
    arms: s.arms.length,
    cells: cellCount(s),
    days: trialDays(s),
    targets: s.endpoints.targets.length,
    toxicity: s.endpoints.toxicity.length,
    mics: s.endpoints.mics.length,
  };
}

export function emptyCounts(sh: TrialShape): TrialCounts {
  const E = sh.targets + 1 + sh.toxicity;
  return {
    chunks: [],
    patients: 0,
    n: new Array(sh.arms * sh.cells).fill(0),
    hit: new Array(sh.arms * sh.cells * sh.days * E).fill(0),
    micHit: new Array(sh.arms * sh.cells * sh.days * sh.mics).fill(0),
    firstDay: new Array(sh.arms * sh.cells * (sh.days + 1)).fill(0),
    hist: new Array(sh.arms * sh.days * (sh.targets + sh.toxicity) * HIST.bins).fill(0),
    unadjusted: new Array(sh.arms).fill(0),
  };
}

/** Adds counts of disjoint chunks (exact, commutative and associative). */
export function mergeCounts(a: TrialCounts, b: TrialCounts): TrialCounts {
  const overlap = a.chunks.filter((c) => b.chunks.includes(c));
  if (overlap.length) fail('DT_TRIAL_MERGE', 'chunks', `chunk ${overlap[0]} would be counted twice`);
  const keys = ['n', 'hit', 'micHit', 'firstDay', 'hist', 'unadjusted'] as const;
  const out = {
    ...a,
    chunks: [...a.chunks, ...b.chunks].sort((x, y) => x - y),
    patients: a.patients + b.patients,
  };
  for (const k of keys) {
    if (a[k].length !== b[k].length) fail('DT_TRIAL_MERGE', k, 'chunks of different trials cannot be merged');
    out[k] = a[k].map((v, i) => v + b[k][i]);
  }
  return out;
}

/** The stratum cell of a patient (mixed radix over the strata's bands). */
export function cellOf(s: TrialSetup, clinical: Readonly<Record<string, number>>): number {
  let cell = 0;
  for (const st of s.strata) {
    const v = clinical[st.variable];
    if (!Number.isFinite(v))
      fail(
        'DT_TRIAL_SPEC',
        `strata.${st.name}`,
        `the population has no variable '${st.variable}' to stratify by`,
      );
    let band = 0;
    while (band < st.edges.length && v >= st.edges[band]) band++;
    cell = cell * (st.edges.length + 1) + band;
  }
  return cell;
}

/** Runs chunks of one trial setup (one per thread: the simulator and layouts are reused). */
export class TrialRunner {
  readonly setup: TrialSetup;
  readonly shape: TrialShape;
  private readonly sim: Simulator;
  private readonly factors: OmegaFactors;
  private readonly layouts: (CourseLayout | null)[];
  private readonly day: number;
  private readonly gridStep: number;
  private readonly afterInfusion: number[];
  private readonly cmt: number;
  private readonly hasIov: boolean;
  private run: CourseRun | undefined;
  /** Exposures of one day, rewritten for each (read at once). */
  private readonly pair: ExposurePair = {
    day: { from: 0, to: 0, auc: 0, cavg: 0, cmax: 0, tmax: 0, cmin: 0, tmin: 0, cAt: [] },
    interval: { from: 0, to: 0, auc: 0, cavg: 0, cmax: 0, tmax: 0, cmin: 0, tmin: 0, cAt: [] },
  };
  private readonly fast: ClosedFormCourse;

  constructor(setup: TrialSetup) {
    checkTrial(setup);
    this.setup = setup;
    this.shape = trialShape(setup);
    this.sim = new Simulator(setup.model);
    this.factors = omegaFactors(setup.model);
    this.day = dayLength(setup.model);
    const ir = setup.model.ir;
    const depot = ir.compartments.includes('depot');
    const e = setup.endpoints;
    const all = [...e.targets, ...e.toxicity];
    this.gridStep = needsGrid(all, depot) ? (setup.gridStep ?? this.day / 96) : 0;
    this.afterInfusion = all.some((t) => metricDef(t.metric).afterInfusionH !== undefined)
      ? [...AFTER_INFUSION_H]
      : [];
    this.cmt = 0;
    this.hasIov = ir.etas.some((x) => x.iov);
    this.fast = new ClosedFormCourse(setup.model);
    // Arms without TDM share one schedule for every patient: laid out once.
    this.layouts = setup.arms.map((a) =>
      a.tdm ? null : this.layout(administrations(a.regimen, setup.duration)),
    );
  }

  private layout(doses: Administration[], extraTimes?: number[]): CourseLayout {
    const s = this.setup;
    return layoutCourse(doses, {
      duration: s.duration,
      dayLength: this.day,
      cmt: this.cmt,
      gridStep: this.gridStep,
      afterInfusion: this.afterInfusion,
      extraTimes,
      nCov: s.model.ir.covariates.length,
      occasion: this.hasIov ? (t) => occasionOf(s, t) : null,
    });
  }

  /** Chunk `index` of the trial. */
  runChunk(index: number): TrialCounts {
    const s = this.setup;
    const total = chunkCount(s);
    if (!(Number.isInteger(index) && index >= 0 && index < total))
      fail(
        'DT_TRIAL_CHUNK',
        'chunk',
        `chunk ${index} does not exist (the trial has ${total}: 0..${total - 1})`,
      );
    const counts = emptyCounts(this.shape);
    counts.chunks = [index];
    const size = Math.min(s.chunkSize, s.n - index * s.chunkSize);
    for (let j = 0; j < size; j++) this.patient(counts, index, j);
    counts.patients = size;
    return counts;
  }

  private patient(counts: TrialCounts, chunk: number, j: number): void {
    const s = this.setup;
    const sh = this.shape;
    const subject = drawSubject(s, this.factors, chunk, j);
    const cell = cellOf(s, subject.clinical);
    const E = sh.targets + 1 + sh.toxicity;
    const H = sh.targets + sh.toxicity;
    const e = s.endpoints;
    const fu = e.fu ?? 1;
    const all = [...e.targets, ...e.toxicity];
    const micTargets = e.targets.some(needsMic);
    const pair = this.pair;
    const cAt = this.afterInfusion.length > 0;
    for (let a = 0; a < s.arms.length; a++) {
      const arm = s.arms[a];
      const run = arm.tdm ? this.tdmCourse(counts, subject, arm, a) : this.fixedCourse(subject, a);
      counts.n[a * sh.cells + cell]++;
      let first = sh.days;
      for (let d = 1; d <= sh.days; d++) {
        const ok = dayExposure(run, d, this.day, e.mic, fu, pair, cAt) !== null;
        const base = ((a * sh.cells + cell) * sh.days + (d - 1)) * E;
        let allMet = ok;
        for (let k = 0; k < all.length; k++) {
          const t = all[k];
          const v = ok ? readMetric(t, pair) : NaN;
          const met = v === v && inTarget(t, v);
          if (met) counts.hit[base + (k < sh.targets ? k : k + 1)]++;
          if (k < sh.targets && !met) allMet = false;
          counts.hist[((a * sh.days + (d - 1)) * H + k) * HIST.bins + histBin(v)]++;
        }
        if (allMet) {
          counts.hit[base + sh.targets]++;
          if (first === sh.days) first = d - 1;
        }
        if (sh.mics > 0 && micTargets) {
          const mbase = ((a * sh.cells + cell) * sh.days + (d - 1)) * sh.mics;
          for (let m = 0; m < sh.mics; m++) {
            if (dayExposure(run, d, this.day, e.mics[m], fu, pair, cAt) === null) continue;
            let met = true;
            for (const t of e.targets) if (!inTarget(t, readMetric(t, pair))) met = false;
            if (met) counts.micHit[mbase + m]++;
          }
        }
      }
      counts.firstDay[(a * sh.cells + cell) * (sh.days + 1) + first]++;
    }
  }

  private fixedCourse(subject: VirtualSubject, a: number): CourseRun {
    this.run = this.course(this.layouts[a]!, subject, this.run);
    return this.run;
  }

  /** A course through the closed form when the model allows it, else the simulator. */
  private course(l: CourseLayout, subject: VirtualSubject, into?: CourseRun): CourseRun {
    const n = l.patient.n;
    const r =
      into && into.c.length === n ? into : { layout: l, c: new Float64Array(n), cum: new Float64Array(n) };
    if (this.fast.run(l, subject.covariates, subject.eta, r)) return r;
    setCovariates(l, subject.covariates);
    return runCourse(this.sim, l, subject.eta, r);
  }

  /**
   * A TDM arm: the a priori regimen; at each round, levels at the sampling times (simulated with
   * the model's residual error), the twin's MAP fit of the doses and levels so far, and its best
   * regimen from the next scheduled dose on.
   */
  private tdmCourse(counts: TrialCounts, subject: VirtualSubject, arm: TrialArm, a: number): CourseRun {
    const s = this.setup;
    const tdm = arm.tdm!;
    const model = s.model;
    let doses = administrations(arm.regimen, s.duration);
    const levels: { t: number; dv: number }[] = [];
    for (const round of tdm.rounds) {
      const l = this.layout(doses, round.samples);
      const run = this.course(l, subject);
      round.samples.forEach((t, i) => levels.push({ t, dv: this.observe(run.c[l.extra[i]], subject) }));
      const next = doses.find((d) => d.time >= round.adjustAt);
      const start = next ? next.time : round.adjustAt;
      const rows: RecordInput[] = [];
      const occ = (t: number): number => (this.hasIov ? occasionOf(s, t) : 1);
      for (const d of doses)
        if (d.time < start)
          rows.push({
            time: d.time,
            evid: 1,
            amt: d.amount,
            rate: d.duration > 0 ? d.amount / d.duration : 0,
            cmt: this.cmt,
            cov: subject.covariates,
            occ: occ(d.time),
          });
      for (const x of levels)
        rows.push({ time: x.t, evid: 0, mdv: 0, dv: x.dv, cmt: 0, cov: subject.covariates, occ: occ(x.t) });
      // Levels before a dose at the same time (a trough drawn just before it).
      rows.sort((p, q) => p.time - q.time || (p.evid ?? 0) - (q.evid ?? 0));
      const history = patientFromRecords('virtual', rows, model.ir.covariates.length);
      const twin = createTwin(model, history, { samples: 0 });
      const rec = twin.recommend({
        targets: [...tdm.targets],
        space: { ...tdm.space(subject.clinical), start, nextDue: false },
        horizon: 'steady-state',
        optimiseFor: 'target',
        maxCandidates: 1,
      });
      const c = rec.candidates[0];
      if (!c) {
        counts.unadjusted[a]++;
        continue;
      }
      const r: FutureRegimen = { start: c.start, dose: c.dose, interval: c.interval, duration: c.duration };
      doses = switchRegimen(doses, administrations(r, s.duration), c.start);
    }
    return this.course(this.layout(doses), subject);
  }

  /** A measured level: the prediction with the model's residual error (redrawn until > 0). */
  private observe(F: number, subject: VirtualSubject): number {
    const err = this.setup.model.ir.errors[0];
    for (let tries = 0; tries < 100; tries++) {
      if (err.kind === 'variance')
        return fail(
          'DT_TRIAL_MODEL',
          'error',
          `${this.setup.model.ir.id}: a TDM arm simulates levels with an add, prop, combined or exp residual error (this model's is '${err.kind}')`,
        );
      const y = observe(err, F, subject.rng.normal());
      if (y > 0) return y;
    }
    return fail('DT_TRIAL_MODEL', 'error', `a simulated level of prediction ${F} stayed ≤ 0 after 100 draws`);
  }
}

/** Chunk `chunkIndex` of a trial (builds a runner: for many chunks on one thread, reuse a {@link TrialRunner}). */
export function runTrialChunk(setup: TrialSetup, chunkIndex: number): TrialCounts {
  return new TrialRunner(setup).runChunk(chunkIndex);
}
