/**
 * A trial's report from its merged counts: per arm and day, the probability of target attainment
 * of each target and of all together with its Monte Carlo standard error √(p(1 − p)/n), the share
 * above each toxicity threshold, the PTA-versus-MIC curve, the exposure distribution (quantiles
 * from the histograms, to within a bin: ×10^0.01, 2.3 %), the time to target, and the same per
 * stratum cell; and a nomogram (the best arm per cell of two strata).
 */
import { fail } from '../errors.ts';
import { type TrialCounts, HIST, type TrialShape } from './chunk.ts';
import type { StratumSpec } from './spec.ts';

export interface Proportion {
  /** Patients attaining. */
  k: number;
  n: number;
  /** k / n (NaN without patients). */
  p: number;
  /** Monte Carlo standard error √(p(1 − p)/n). */
  se: number;
}

export function proportion(k: number, n: number): Proportion {
  const p = n > 0 ? k / n : NaN;
  return { k, n, p, se: n > 0 ? Math.sqrt((p * (1 - p)) / n) : NaN };
}

/**
 * Wilson score 95 % interval of a proportion (Wilson 1927; Newcombe 1998, method 3), as R's
 * `prop.test(k, n, correct = FALSE)`: it stays inside [0, 1] and keeps its coverage at small n
 * and at 0 or n successes, where the Wald interval p ± 1.96·SE collapses.
 */
export function wilson95(k: number, n: number): [number, number] {
  if (!(n > 0)) return [NaN, NaN];
  const z = 1.959963984540054;
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * How a nomogram cell stands against a PTA threshold: `meets` when the whole 95 % interval is at
 * or above it, `below` when the whole interval is under it, `uncertain` when the interval straddles
 * it (too few virtual patients in the cell, or a PTA too close to the threshold to say).
 */
export type CellVerdict = 'meets' | 'below' | 'uncertain';

export function cellVerdict(ci95: readonly [number, number], threshold: number): CellVerdict {
  if (ci95[0] >= threshold) return 'meets';
  if (ci95[1] < threshold) return 'below';
  return 'uncertain';
}

export interface Quantiles {
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

export interface DayReport {
  day: number;
  /** PTA of each target (same order as the endpoints' targets). */
  targets: Proportion[];
  /** PTA of all targets together. */
  all: Proportion;
  /** Share meeting each toxicity threshold. */
  toxicity: Proportion[];
  /** PTA of all targets at each MIC of the curve. */
  mic: Proportion[];
}

export interface ArmReport {
  name: string;
  days: DayReport[];
  /** Exposure quantiles per day, per target then toxicity metric (model units). */
  exposure: Quantiles[][];
  /** Share having attained all targets by the end of each day; `median` the first day it reaches 1/2, null if never. */
  timeToTarget: { byDay: number[]; median: number | null; never: Proportion };
  /** TDM adjustments that found no regimen (kept the current one). */
  unadjusted: number;
  /** Per stratum cell: its bands and its day reports (toxicity and MIC included). */
  cells: { bands: string[]; n: number; days: DayReport[] }[];
}

export interface TrialReport {
  patients: number;
  chunks: number;
  arms: ArmReport[];
}

export interface ReportLabels {
  arms: string[];
  strata: StratumSpec[];
}

/** A stratum's band label: `<40`, `40–60`, `≥100` (with the unit). */
export function bandLabel(st: StratumSpec, band: number): string {
  const e = st.edges;
  const u = st.unit && st.unit !== '-' ? ` ${st.unit}` : '';
  if (band === 0) return `<${e[0]}${u}`;
  if (band === e.length) return `≥${e[e.length - 1]}${u}`;
  return `${e[band - 1]}–${e[band]}${u}`;
}

function quantiles(h: number[], offset: number): Quantiles {
  let total = 0;
  for (let b = 0; b < HIST.bins; b++) total += h[offset + b];
  const q = (f: number): number => {
    if (total === 0) return NaN;
    const want = f * total;
    let acc = 0;
    for (let b = 0; b < HIST.bins; b++) {
      acc += h[offset + b];
      if (acc >= want) {
        if (b === 0) return 0;
        if (b === HIST.bins - 1) return Infinity;
        // Geometric middle of the bin.
        return 10 ** (HIST.lo + (b - 0.5) * HIST.width);
      }
    }
    return Infinity;
  };
  return { p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) };
}

export function trialReport(
  c: TrialCounts,
  sh: TrialShape,
  labels: ReportLabels,
  expectedChunks?: number,
): TrialReport {
  if (expectedChunks !== undefined && c.chunks.length !== expectedChunks)
    fail(
      'DT_TRIAL_MERGE',
      'chunks',
      `${c.chunks.length} of ${expectedChunks} chunks merged: the trial is not complete`,
    );
  const E = sh.targets + 1 + sh.toxicity;
  const H = sh.targets + sh.toxicity;
  const dayReports = (a: number, cells: number[]): DayReport[] => {
    const n = cells.reduce((s, cell) => s + c.n[a * sh.cells + cell], 0);
    const sum = (f: (cell: number) => number): number => cells.reduce((s, cell) => s + f(cell), 0);
    return Array.from({ length: sh.days }, (_, d) => {
      const hit = (slot: number): number =>
        sum((cell) => c.hit[((a * sh.cells + cell) * sh.days + d) * E + slot]);
      return {
        day: d + 1,
        targets: Array.from({ length: sh.targets }, (_, k) => proportion(hit(k), n)),
        all: proportion(hit(sh.targets), n),
        toxicity: Array.from({ length: sh.toxicity }, (_, k) => proportion(hit(sh.targets + 1 + k), n)),
        mic: Array.from({ length: sh.mics }, (_, m) =>
          proportion(
            sum((cell) => c.micHit[((a * sh.cells + cell) * sh.days + d) * sh.mics + m]),
            n,
          ),
        ),
      };
    });
  };
  const allCells = Array.from({ length: sh.cells }, (_, k) => k);
  const bandsOf = (cell: number): string[] => {
    const out: string[] = [];
    let rest = cell;
    for (let i = labels.strata.length - 1; i >= 0; i--) {
      const st = labels.strata[i];
      const k = st.edges.length + 1;
      out.unshift(`${st.name} ${bandLabel(st, rest % k)}`);
      rest = Math.floor(rest / k);
    }
    return out;
  };
  const arms: ArmReport[] = labels.arms.map((name, a) => {
    const n = c.n.slice(a * sh.cells, (a + 1) * sh.cells).reduce((x, y) => x + y, 0);
    const first = Array.from({ length: sh.days + 1 }, (_, d) =>
      allCells.reduce((s, cell) => s + c.firstDay[(a * sh.cells + cell) * (sh.days + 1) + d], 0),
    );
    const byDay: number[] = [];
    let acc = 0;
    for (let d = 0; d < sh.days; d++) byDay.push(n > 0 ? (acc += first[d]) / n : NaN);
    const medianIdx = byDay.findIndex((x) => x >= 0.5);
    return {
      name,
      days: dayReports(a, allCells),
      exposure: Array.from({ length: sh.days }, (_, d) =>
        Array.from({ length: H }, (_, k) => quantiles(c.hist, ((a * sh.days + d) * H + k) * HIST.bins)),
      ),
      timeToTarget: {
        byDay,
        median: medianIdx >= 0 ? medianIdx + 1 : null,
        never: proportion(first[sh.days], n),
      },
      unadjusted: c.unadjusted[a],
      cells:
        labels.strata.length === 0
          ? []
          : allCells.map((cell) => ({
              bands: bandsOf(cell),
              n: c.n[a * sh.cells + cell],
              days: dayReports(a, [cell]),
            })),
    };
  });
  return { patients: c.patients, chunks: c.chunks.length, arms };
}

/** A nomogram: for each cell of two strata, the arm with the highest PTA of all targets on `day`. */
export interface Nomogram {
  day: number;
  rows: { stratum: string; bands: string[] };
  columns: { stratum: string; bands: string[] };
  /**
   * cells[row][column]: the best arm (null without patients), its PTA with the patients, and the
   * PTA's Wilson 95 % interval (a cell of a few virtual patients is known only roughly).
   */
  cells: NomogramCell[][];
}

export interface NomogramCell {
  arm: string | null;
  pta: Proportion | null;
  ci95: [number, number] | null;
}

export function nomogram(r: TrialReport, strata: StratumSpec[], day: number): Nomogram {
  if (strata.length !== 2)
    fail(
      'DT_TRIAL_SPEC',
      'strata',
      `a nomogram needs exactly two strata (rows, columns); the trial has ${strata.length}`,
    );
  const [rs, cs] = strata;
  const nc = cs.edges.length + 1;
  const cells = Array.from({ length: rs.edges.length + 1 }, (_, i) =>
    Array.from({ length: nc }, (_, j) => {
      let best: NomogramCell = { arm: null, pta: null, ci95: null };
      for (const arm of r.arms) {
        const cell = arm.cells[i * nc + j];
        const p = cell.days[day - 1].all;
        if (p.n > 0 && (best.pta === null || p.p > best.pta.p))
          best = { arm: arm.name, pta: p, ci95: wilson95(p.k, p.n) };
      }
      return best;
    }),
  );
  return {
    day,
    rows: {
      stratum: rs.name,
      bands: rs.edges.map((_, k) => bandLabel(rs, k)).concat(bandLabel(rs, rs.edges.length)),
    },
    columns: {
      stratum: cs.name,
      bands: cs.edges.map((_, k) => bandLabel(cs, k)).concat(bandLabel(cs, cs.edges.length)),
    },
    cells,
  };
}
