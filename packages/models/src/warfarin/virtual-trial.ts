/**
 * A virtual trial of warfarin initiation: virtual patients (genotypes at European frequencies, age,
 * height, weight; individual parameters drawn from the source model's Ω) of the Hamberg 2010 model
 * by default, a model the twin (Hamberg 2007) does not share, so that the twin is not tested on
 * its own assumptions (or of the 2007 model itself, the optimistic case), dosed either by the IWPC pharmacogenetic dose alone or by the twin (the IWPC dose to start,
 * then the dose `nextWarfarinDose` chooses from the INRs measured so far); beside them, the twin's
 * own starting dose (a priori, the typical patient of the genotypes and age) kept without INRs,
 * to compare the two starting doses. The outcome is the share of daily INRs (true values, before
 * the day's dose) within 2-3 over an evaluation window.
 */
import { iwpcDailyDoseMg } from './iwpc.ts';
import { WARFARIN, tabletDoses } from './drug.ts';
import { CYP2C9_GENOTYPES, VKORC1_GENOTYPES } from './genotypes.ts';
import { HAMBERG2010, HAMBERG2010_INR_CMT } from './hamberg2010.ts';
import { nextWarfarinDose, warfarinModel } from './next-dose.ts';
import {
  type CompiledModel,
  createRng,
  loadModel,
  patientFromRecords,
  priorDraws,
  Simulator,
} from '@dosetwin/engine';

/** The published models the virtual patients can come from. */
export type TrialPopulation = 'hamberg2010' | 'hamberg2007';

/** The source model of the virtual patients, and the CMT its INR is observed on. */
function populationModel(population: TrialPopulation): { model: CompiledModel; inrCmt: number } {
  return population === 'hamberg2007'
    ? { model: warfarinModel(), inrCmt: 10 }
    : { model: loadModel(HAMBERG2010, 'warfarin/hamberg2010.dtm'), inrCmt: HAMBERG2010_INR_CMT };
}

/**
 * Genotype frequencies of Europeans: CYP2C9 *2 0.13 and *3 0.07 (Hardy-Weinberg), VKORC1 −1639 A
 * 0.39 (CPIC warfarin guideline, Johnson JA et al. Clin Pharmacol Ther 2011;90:625, allele
 * frequency table).
 */
const P2 = 0.13;
const P3 = 0.07;
const P1 = 1 - P2 - P3;
const CYP2C9_FREQ = [P1 * P1, 2 * P1 * P2, 2 * P1 * P3, P2 * P2, 2 * P2 * P3, P3 * P3];
const PA = 0.39;
const VKORC1_FREQ = [(1 - PA) ** 2, 2 * PA * (1 - PA), PA * PA];

export interface VirtualPatient {
  ageY: number;
  heightCm: number;
  weightKg: number;
  cyp2c9: number;
  vkorc1: number;
  /** The source model's etas of this patient. */
  eta: Float64Array;
}

export interface TrialOptions {
  patients: number;
  seed: number;
  /** Days of treatment (default 28). */
  days?: number;
  /** Mornings the INR is measured, before the dose (default 3, 7, 14). */
  checks?: number[];
  /** First and last day of the evaluation window (default 8 to `days`). */
  window?: [number, number];
  /**
   * Log-scale SD of the INRs measured (default the model's residual SD, 0.0325): larger, the
   * laboratory is noisier than the twin assumes.
   */
  inrSd?: number;
  /** The model the virtual patients are drawn from (default Hamberg 2010, not the twin's). */
  population?: TrialPopulation;
}

export interface TrialArm {
  /** Share of the patient-days of the window with the true INR within 2-3. */
  inRange: number;
  /** Share of the patient-days above 4 (bleeding risk). */
  above4: number;
}

const pick = (u: number, freq: number[]): number => {
  let acc = 0;
  for (let i = 0; i < freq.length; i++) if (u < (acc += freq[i])) return i;
  return freq.length - 1;
};

export function virtualPatients(
  n: number,
  seed: number,
  model: CompiledModel = populationModel('hamberg2010').model,
): VirtualPatient[] {
  const rng = createRng(seed);
  const etas = priorDraws(model, n, seed + 1);
  return etas.map((eta) => ({
    ageY: Math.round(40 + 45 * rng.uniform()),
    heightCm: Math.round(170 + 9 * rng.normal()),
    weightKg: Math.round(Math.max(45, 78 + 14 * rng.normal())),
    cyp2c9: pick(rng.uniform(), CYP2C9_FREQ),
    vkorc1: pick(rng.uniform(), VKORC1_FREQ),
    eta,
  }));
}

/** The tablet dose nearest to `mg`. */
const nearestTablets = (mg: number): number => {
  const d = tabletDoses();
  return d.reduce((a, b) => (Math.abs(b.doseMg - mg) < Math.abs(a.doseMg - mg) ? b : a), d[0]).doseMg;
};

export interface TrialResult {
  /** The IWPC dose alone. */
  iwpc: TrialArm;
  /** The twin's a priori starting dose alone. */
  twinStart: TrialArm;
  /** The IWPC dose, then the twin's dose after each INR. */
  twin: TrialArm;
  patients: VirtualPatient[];
  /** Per patient, the starting daily doses (mg, in tablets): IWPC's and the twin's a priori. */
  startDoses: { iwpc: number; twin: number }[];
}

export function runTrial(o: TrialOptions): TrialResult {
  const days = o.days ?? 28;
  const checks = o.checks ?? [3, 7, 14];
  const [w0, w1] = o.window ?? [8, days];
  const source = populationModel(o.population ?? 'hamberg2010');
  const sim = new Simulator(source.model, { ode: { rtol: 1e-5 } });
  const rng = createRng(o.seed + 2);
  const sdInr = o.inrSd ?? warfarinModel().ir.errors.find((e) => e.output === 'INR')!.propSd;
  const patients = virtualPatients(o.patients, o.seed, source.model);
  const score = {
    iwpc: { inRange: 0, above4: 0 },
    twinStart: { inRange: 0, above4: 0 },
    twin: { inRange: 0, above4: 0 },
  };
  const startDoses: { iwpc: number; twin: number }[] = [];
  let n = 0;
  const window: number[] = [];
  for (let d = w0; d <= w1; d++) window.push(24 * d);
  /** True INRs (the source model's) at `at` (hours) of a patient given daily `doses` (mg, day 0 on). */
  const trueInr = (p: VirtualPatient, doses: number[], at: number[]): number[] => {
    const cov = [p.ageY, p.cyp2c9, p.vkorc1, 1];
    const rec = patientFromRecords(
      'virtual',
      [
        ...at.map((t) => ({ time: t, evid: 0, mdv: 1, cmt: source.inrCmt, cov })),
        ...doses.map((amt, d) => ({ time: 24 * d, evid: 1, amt, cmt: 1, cov })),
      ].sort((a, b) => a.time - b.time || a.evid - b.evid),
      cov.length,
    );
    const out = new Float64Array(rec.n);
    sim.run(rec, p.eta, out);
    const res: number[] = [];
    for (let i = 0; i < rec.n; i++) if (rec.evid[i] === 0) res.push(out[i]);
    return res;
  };
  for (const p of patients) {
    const start = nearestTablets(
      iwpcDailyDoseMg({
        ageY: p.ageY,
        heightCm: p.heightCm,
        weightKg: p.weightKg,
        cyp2c9: CYP2C9_GENOTYPES[p.cyp2c9],
        vkorc1: VKORC1_GENOTYPES[p.vkorc1],
      }),
    );
    const iwpcDoses = Array.from({ length: days }, () => start);
    const prior = nextWarfarinDose({
      ageY: p.ageY,
      cyp2c9: String(p.cyp2c9),
      vkorc1: String(p.vkorc1),
      doses: [],
      inrs: [],
      nextDoseH: 0,
      draws: 0,
    }).doseMg;
    startDoses.push({ iwpc: start, twin: prior });
    const twinStartDoses = Array.from({ length: days }, () => prior);
    const twinDoses = [...iwpcDoses];
    const inrs: { timeH: number; inr: number }[] = [];
    checks.forEach((day, k) => {
      const [v] = trueInr(p, twinDoses.slice(0, day), [24 * day]);
      inrs.push({ timeH: 24 * day, inr: v * Math.exp(sdInr * rng.normal()) });
      const next = (checks[k + 1] ?? days) - day;
      const advice = nextWarfarinDose({
        ageY: p.ageY,
        cyp2c9: String(p.cyp2c9),
        vkorc1: String(p.vkorc1),
        doses: twinDoses.slice(0, day).map((doseMg, d) => ({ timeH: 24 * d, doseMg })),
        inrs,
        nextDoseH: 24 * day,
        days: Math.max(3, next),
        draws: 0,
      });
      for (let d = day; d < days; d++) twinDoses[d] = advice.doseMg;
    });
    for (const [arm, doses] of [
      ['iwpc', iwpcDoses],
      ['twinStart', twinStartDoses],
      ['twin', twinDoses],
    ] as const) {
      const v = trueInr(p, doses, window);
      score[arm].inRange += v.filter(
        (x) => x >= WARFARIN.target.inr.lo && x <= WARFARIN.target.inr.hi,
      ).length;
      score[arm].above4 += v.filter((x) => x > 4).length;
    }
    n += window.length;
  }
  const share = (a: TrialArm): TrialArm => ({ inRange: a.inRange / n, above4: a.above4 / n });
  return {
    iwpc: share(score.iwpc),
    twinStart: share(score.twinStart),
    twin: share(score.twin),
    patients,
    startDoses,
  };
}
