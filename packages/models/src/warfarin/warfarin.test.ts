// Warfarin twin: the IWPC equation by hand, the Hamberg 2007 and 2010 models against their steady
// states in closed form and against the maintenance doses of the warfarin label (Table 5), the
// next-dose entry's input errors, and a seeded virtual trial on patients of the 2010 model: the
// twin's doses (2007 model) keep more INRs in 2-3 than the IWPC dose alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iwpcDailyDoseMg } from './iwpc.ts';
import { CYP2C9_GENOTYPES, VKORC1_GENOTYPES, readCyp2c9, readVkorc1 } from './genotypes.ts';
import { covariateEntry } from '../covariate-register.ts';
import { nextWarfarinDose, warfarinCovariates, warfarinModel } from './next-dose.ts';
import { runTrial } from './virtual-trial.ts';
import { tabletDoses } from './drug.ts';
import { HAMBERG2007, HAMBERG2007_ID } from './hamberg2007.ts';
import { HAMBERG2010, HAMBERG2010_ID, HAMBERG2010_INR_CMT } from './hamberg2010.ts';
import { runCheck } from '../evaluate.ts';
import type { LibraryModel } from '../registry.ts';
import { parseVerified } from '../verified.ts';
import {
  checkUnits,
  compileModel,
  DosetwinError,
  loadModel,
  parseControlStream,
  parseDataset,
  patientFromRecords,
  Simulator,
} from '@dosetwin/engine';

/**
 * The Coumadin US prescribing information, Table 5: range of expected therapeutic warfarin doses
 * (mg/day) by VKORC1 −1639 G>A (rows) and CYP2C9 (columns *1/*1 … *3/*3), one cell per genotype.
 */
const LABEL_TABLE5: Record<string, [number, number][]> = {
  'G/G': [
    [5, 7],
    [5, 7],
    [3, 4],
    [3, 4],
    [3, 4],
    [0.5, 2],
  ],
  'G/A': [
    [5, 7],
    [3, 4],
    [3, 4],
    [3, 4],
    [0.5, 2],
    [0.5, 2],
  ],
  'A/A': [
    [3, 4],
    [3, 4],
    [0.5, 2],
    [0.5, 2],
    [0.5, 2],
    [0.5, 2],
  ],
};
const labelCells = (): {
  vk: string;
  cyp: string;
  vkorc1: number;
  cyp2c9: number;
  lo: number;
  hi: number;
}[] =>
  Object.entries(LABEL_TABLE5).flatMap(([vk, ranges], vkorc1) =>
    ranges.map(([lo, hi], cyp2c9) => ({ vk, cyp: CYP2C9_GENOTYPES[cyp2c9], vkorc1, cyp2c9, lo, hi })),
  );

/**
 * Hamberg 2007, Table 5: the daily racemic warfarin dose (mg) the model predicts for a steady-state
 * INR of 2.5 in a typical patient, by CYP2C9 (keys), VKORC1 −1639 G>A (rows G/G, G/A, A/A) and age
 * (columns 50, 70, 90 y). Read through the transcription in nlmixr2lib
 * (vignettes/articles/Hamberg_2007_warfarin_pkpd_pgx.Rmd, commit 3f2048d7e37d); the paper itself
 * could not be read here.
 */
const HAMBERG2007_TABLE5: Record<string, [number, number, number][]> = {
  '*1/*1': [
    [9.08, 7.72, 6.36],
    [5.94, 5.06, 4.16],
    [4.32, 3.68, 3.04],
  ],
  '*1/*2': [
    [6.22, 5.3, 4.4],
    [4.1, 3.5, 2.9],
    [2.98, 2.54, 2.1],
  ],
  '*1/*3': [
    [5.04, 4.3, 3.58],
    [3.3, 2.82, 2.34],
    [2.4, 2.06, 1.71],
  ],
  '*2/*2': [
    [2.54, 2.16, 1.77],
    [1.66, 1.41, 1.16],
    [1.21, 1.03, 0.84],
  ],
  '*2/*3': [
    [2.82, 2.4, 1.97],
    [1.85, 1.57, 1.29],
    [1.35, 1.14, 0.94],
  ],
  '*3/*3': [
    [1.38, 1.18, 1.0],
    [0.9, 0.77, 0.65],
    [0.66, 0.56, 0.47],
  ],
};
const hamberg2007Table5 = (): {
  cyp: string;
  vk: string;
  age: number;
  cyp2c9: number;
  vkorc1: number;
  doseMg: number;
}[] =>
  Object.entries(HAMBERG2007_TABLE5).flatMap(([cyp, rows]) =>
    rows.flatMap((doses, vkorc1) =>
      doses.map((doseMg, a) => ({
        cyp,
        vk: VKORC1_GENOTYPES[vkorc1],
        age: [50, 70, 90][a],
        cyp2c9: CYP2C9_GENOTYPES.indexOf(cyp as (typeof CYP2C9_GENOTYPES)[number]),
        vkorc1,
        doseMg,
      })),
    ),
  );

describe('IWPC pharmacogenetic dose (N Engl J Med 2009;360:753)', () => {
  test('71 y, 170 cm, 75 kg, VKORC1 G/G, CYP2C9 *1/*1: (5.6044 − 0.2614·7 + 0.0087·170 + 0.0128·75)² / 7 mg/day (1e-12)', () => {
    const s = 5.6044 - 0.2614 * 7 + 0.0087 * 170 + 0.0128 * 75;
    const d = iwpcDailyDoseMg({ ageY: 71, heightCm: 170, weightKg: 75, cyp2c9: '*1/*1', vkorc1: 'G/G' });
    assert.ok(Math.abs(d - (s * s) / 7) < 1e-12, `${d}`);
    assert.ok(Math.abs(d - 5.5156) < 1e-4);
  });
  test('59 y, 160 cm, 60 kg, A/A, *3/*3, amiodarone, Asian: every term applied (1e-12)', () => {
    const s = 5.6044 - 0.2614 * 5 + 0.0087 * 160 + 0.0128 * 60 - 1.6974 - 2.3312 - 0.1092 - 0.5503;
    const d = iwpcDailyDoseMg({
      ageY: 59,
      heightCm: 160,
      weightKg: 60,
      cyp2c9: '*3/*3',
      vkorc1: 'A/A',
      race: 'asian',
      amiodarone: true,
    });
    assert.ok(Math.abs(d - (s * s) / 7) < 1e-12);
  });
  test('unknown genotypes use the equation’s terms for unknown (−0.4854, −0.2188)', () => {
    const s = 5.6044 - 0.2614 * 6 + 0.0087 * 175 + 0.0128 * 80 - 0.4854 - 0.2188;
    const d = iwpcDailyDoseMg({ ageY: 60, heightCm: 175, weightKg: 80, cyp2c9: null, vkorc1: null });
    assert.ok(Math.abs(d - (s * s) / 7) < 1e-12);
  });
});

test('genotypes are read as laboratories write them (*3/*1 → *1/*3, A/G → G/A); other text is refused', () => {
  assert.equal(readCyp2c9('*3/*1'), '*1/*3');
  assert.equal(readCyp2c9(' 2/2 '), '*2/*2');
  assert.equal(readCyp2c9('*1/*4'), null);
  assert.equal(readVkorc1('a/g'), 'G/A');
  assert.equal(readVkorc1('C/T'), null);
});

test('tablet doses: one or two tablets of 1, 2, 2.5, 3, 4, 5, 6, 7.5, 10 mg (3.5 = 1 + 2.5, 13 = 3 + 10)', () => {
  const d = tabletDoses();
  assert.deepEqual(d.find((x) => x.doseMg === 3.5)?.tablets, [1, 2.5]);
  assert.deepEqual(d.find((x) => x.doseMg === 5)?.tablets, [5]);
  assert.ok(!d.some((x) => x.doseMg === 14.5), '14.5 mg needs three tablets');
});

describe('Hamberg 2007 model', () => {
  const model = warfarinModel();
  const individual = (age: number, cyp: number, vk: number): { CL: number; EC50: number } => {
    const s = model.newSlots();
    [age, cyp, vk].forEach((x, i) => (s[model.covariateSlots[i]] = x));
    model.individual(s);
    return { CL: s[model.slotOf.get('CL')!], EC50: s[model.slotOf.get('EC50')!] };
  };
  const gamma = 0.424;
  const lambda = 3.61;
  /** Steady-state INR at a constant S-warfarin concentration C: both chains at E, INR = 1 + 20 (1 − E²)^λ. */
  const inrAt = (c: number, ec50: number): number => {
    const e = 1 - c ** gamma / (ec50 ** gamma + c ** gamma);
    return 1 + 20 * (1 - e * e) ** lambda;
  };

  test('constant infusion of S-warfarin, 120 days: INR = 1 + 20 (1 − E²)^λ with Css = R/CL, E = 1 − Css^γ/(EC50^γ + Css^γ) (1e-6)', () => {
    // 0.1 mg/h into the central compartment (CMT 2) for 120 days (the slow distribution phase, about 0.01 /h, is then e^-28 from its end), CYP2C9 *1/*2, VKORC1 G/A, 60 y.
    const cov = [60, 1, 1, 1];
    const { CL, EC50 } = individual(60, 1, 1);
    const p = patientFromRecords(
      'inf',
      [
        { time: 0, evid: 1, amt: 0.1 * 24 * 120, rate: 0.1, cmt: 2, cov },
        { time: 24 * 120, evid: 0, mdv: 1, cmt: 10, cov },
        { time: 24 * 120, evid: 0, mdv: 1, cmt: 2, cov },
      ],
      cov.length,
    );
    const out = new Float64Array(p.n);
    new Simulator(model, { ode: { rtol: 1e-10 } }).run(p, null, out);
    const css = 0.1 / CL;
    assert.ok(Math.abs(out[2] - css) / css < 1e-6, `Cs ${out[2]} vs ${css}`);
    assert.ok(Math.abs(out[1] - inrAt(css, EC50)) < 1e-6, `INR ${out[1]} vs ${inrAt(css, EC50)}`);
  });

  test('covariates: CL_S 0.314 L/h × (1 − 0.0091 (age − 71)) × (1 − genotype reduction); EC50 by VKORC1 (Tables 2, 4; 1e-12)', () => {
    assert.ok(Math.abs(individual(71, 0, 0).CL - 0.314) < 1e-12);
    assert.ok(Math.abs(individual(81, 4, 0).CL - 0.314 * (1 - 0.091) * (1 - 0.69)) < 1e-12);
    assert.deepEqual(
      [0, 1, 2].map((v) => individual(71, 0, v).EC50),
      [4.61, 3.02, 2.2],
    );
  });

  test('maintenance doses per genotype vs the warfarin label (Coumadin US PI, Table 5), at 71 y: 10 of 18 inside; the 8 misses named, 7 of them in the label’s gaps (2-3, 4-5, above 7 mg), every one within 1.6 mg', () => {
    // The label's genotype table, beside the paper's own Table 5 (the next test). The model's daily
    // racemic dose for a steady-state
    // INR of 2.5 at the paper's typical age, from the steady state above with Css = 0.5·D/(24·CL)
    // (warfarin's half-life of about two days makes the within-day swing small).
    const x = Math.exp(Math.log(1.5 / 20) / lambda); // 1 − E² at INR 2.5
    const f = 1 - Math.sqrt(1 - x); // Css^γ/(EC50^γ + Css^γ)
    const doses = labelCells().map((cell) => {
      const { CL, EC50 } = individual(71, cell.cyp2c9, cell.vkorc1);
      const css = ((f / (1 - f)) * EC50 ** gamma) ** (1 / gamma);
      assert.ok(Math.abs(inrAt(css, EC50) - 2.5) < 1e-12);
      return { ...cell, dose: 48 * CL * css };
    });
    const misses = doses.filter((d) => d.dose < d.lo || d.dose > d.hi);
    // Why they miss: the label's ranges leave 2-3 and 4-5 mg uncovered and stop at 7 mg, so a
    // continuous prediction between two classes misses by construction (7 cells: G/G *1/*1 7.89 mg
    // is above 7; G/G *1/*3 4.31 mg lies in 4-5; G/G *2/*2 2.19, G/G *2/*3 2.44, G/A *1/*3 2.83,
    // A/A *1/*2 2.58 and A/A *1/*3 2.06 mg lie in 2-3). One is a class apart: G/A *2/*2 at 1.44 mg
    // where the label says 3-4, because the paper's *2/*2 reduction of CL_S (72.2 %) is stronger
    // than its *1/*3 one (45.3 %) while the label puts both in one class.
    assert.deepEqual(
      misses.map((d) => `${d.vk} ${d.cyp} ${d.dose.toFixed(2)}`),
      [
        'G/G *1/*1 7.89',
        'G/G *1/*3 4.31',
        'G/G *2/*2 2.19',
        'G/G *2/*3 2.44',
        'G/A *1/*3 2.83',
        'G/A *2/*2 1.44',
        'A/A *1/*2 2.58',
        'A/A *1/*3 2.06',
      ],
    );
    const inGap = (v: number): boolean => (v > 2 && v < 3) || (v > 4 && v < 5) || v > 7;
    assert.equal(misses.filter((d) => inGap(d.dose)).length, 7);
    for (const d of doses) assert.ok(d.dose >= d.lo - 1.6 && d.dose <= d.hi + 1.6, `${d.vk} ${d.cyp}`);
  });
  test('Hamberg 2007 Table 5 (daily racemic dose for a steady-state INR of 2.5, 6 CYP2C9 × 3 VKORC1 × ages 50, 70, 90 y): the model’s dose within 4 % of the published one in all 54 cells', () => {
    // The model's dose from the steady state in closed form (above): Css for INR 2.5, then
    // D = 48·CL·Css (racemic, S half of it). Largest gaps: *1/*1 A/A 50 y 4.48 vs 4.32 mg (+3.8 %)
    // and *3/*3 G/G 90 y 0.965 vs 1.00 mg (−3.5 %); the model's doses are 1-4 % above the published
    // ones for *1/*1, *1/*2, *2/*2 and *2/*3, −3.5 to +2.2 % for *1/*3 and *3/*3 (verified block).
    const x = Math.exp(Math.log(1.5 / 20) / lambda);
    const f = 1 - Math.sqrt(1 - x);
    const ratios = hamberg2007Table5().map((cell) => {
      const { CL, EC50 } = individual(cell.age, cell.cyp2c9, cell.vkorc1);
      const css = ((f / (1 - f)) * EC50 ** gamma) ** (1 / gamma);
      return { ...cell, ratio: (48 * CL * css) / cell.doseMg };
    });
    assert.equal(ratios.length, 54);
    for (const r of ratios)
      assert.ok(
        Math.abs(r.ratio - 1) < 0.04,
        `${r.cyp} ${r.vk} ${r.age} y: ${r.ratio.toFixed(3)} × ${r.doseMg} mg`,
      );
    const worst = ratios.reduce((a, b) => (Math.abs(b.ratio - 1) > Math.abs(a.ratio - 1) ? b : a));
    assert.equal(`${worst.cyp} ${worst.vk} ${worst.age}`, '*1/*1 A/A 50');
  });

  test('Hamberg 2007 Table 5 simulated: each published dose once a day for 90 days gives an INR within 3 % of 2.5 on day 90 (24 h after the last dose), all 54 cells', () => {
    // The whole model (absorption, two-compartment PK, both transit chains) rather than the
    // closed form: the daily swing of the concentration and the chains' delay are in it. The
    // farthest cells are *1/*1 at 50 y (2.43, −2.9 %); the slow chain (MTT2 120 h) is within
    // e^-18 of its steady state by day 90.
    const sim = new Simulator(model, { ode: { rtol: 1e-8 } });
    for (const cell of hamberg2007Table5()) {
      const cov = [cell.age, cell.cyp2c9, cell.vkorc1, 1];
      const p = patientFromRecords(
        't5',
        [
          ...Array.from({ length: 90 }, (_, d) => ({ time: 24 * d, evid: 1, amt: cell.doseMg, cmt: 1, cov })),
          { time: 24 * 90, evid: 0, mdv: 1, cmt: 10, cov },
        ],
        cov.length,
      );
      const out = new Float64Array(p.n);
      sim.run(p, null, out);
      const inr = out[p.n - 1];
      assert.ok(
        Math.abs(inr / 2.5 - 1) < 0.03,
        `${cell.cyp} ${cell.vk} ${cell.age} y, ${cell.doseMg} mg: INR ${inr}`,
      );
    }
  });

  test('S-warfarin concentration at INR 2.5 per VKORC1 genotype vs the concentrations measured at target INR by Linder 2009 (G/G 0.68, G/A 0.48, A/A 0.27 mg/L): same order, each within 0.65-1.35 times', () => {
    // Linder MW et al. Clin Chem 2009;55:1861-1868 (137 patients with stable INRs, −1639 G>A).
    // The model (any CYP2C9: the concentration does not depend on clearance) gives 0.52, 0.34 and
    // 0.25 mg/L: 0.77, 0.71 and 0.93 times the measured ones.
    const measured = [0.68, 0.48, 0.27];
    const x = Math.exp(Math.log(1.5 / 20) / lambda);
    const f = 1 - Math.sqrt(1 - x);
    const model = [0, 1, 2].map((v) => ((f / (1 - f)) * individual(71, 0, v).EC50 ** gamma) ** (1 / gamma));
    assert.ok(model[0] > model[1] && model[1] > model[2]);
    model.forEach((c, v) => {
      const ratio = c / measured[v];
      assert.ok(ratio > 0.65 && ratio < 1.35, `VKORC1 ${v}: ${c.toFixed(3)} mg/L, ratio ${ratio.toFixed(2)}`);
    });
  });
});

describe('Hamberg 2010 model (the virtual trial’s patients)', () => {
  const model = loadModel(HAMBERG2010, 'warfarin/hamberg2010.dtm');
  const individual = (age: number, cyp: number, vk: number): { CL: number; EC50: number } => {
    const s = model.newSlots();
    [age, cyp, vk, 1].forEach((x, i) => (s[model.covariateSlots[i]] = x));
    model.individual(s);
    return { CL: s[model.slotOf.get('CL')!], EC50: s[model.slotOf.get('EC50')!] };
  };
  const gamma = 1.15;
  /** Steady state at a constant S-warfarin concentration: both chains at E, INR = 1 + 20 (1 − E). */
  const inrAt = (c: number, ec50: number): number => 1 + (20 * c ** gamma) / (ec50 ** gamma + c ** gamma);

  test('constant infusion of S-warfarin, 120 days: Css = R/CL and INR = 1 + 20 (1 − E), E = 1 − Css^γ/(EC50^γ + Css^γ) (1e-6)', () => {
    // 0.1 mg/h into the central compartment; CYP2C9 *2/*3, VKORC1 A/A, 60 y. The slow chain's
    // three compartments (3/118.3 /h) are then within e^-60 of their steady state.
    const cov = [60, 4, 2, 1];
    const { CL, EC50 } = individual(60, 4, 2);
    assert.ok(Math.abs(CL - (0.0879 + 0.0422) * (1 - 0.00571 * (60 - 71))) < 1e-12);
    assert.ok(Math.abs(EC50 - 2 * 0.96) < 1e-12);
    const p = patientFromRecords(
      'inf',
      [
        { time: 0, evid: 1, amt: 0.1 * 24 * 120, rate: 0.1, cmt: 2, cov },
        { time: 24 * 120, evid: 0, mdv: 1, cmt: HAMBERG2010_INR_CMT, cov },
        { time: 24 * 120, evid: 0, mdv: 1, cmt: 2, cov },
      ],
      cov.length,
    );
    const out = new Float64Array(p.n);
    new Simulator(model, { ode: { rtol: 1e-10 } }).run(p, null, out);
    const css = 0.1 / CL;
    assert.ok(Math.abs(out[2] - css) / css < 1e-6, `Cs ${out[2]} vs ${css}`);
    assert.ok(Math.abs(out[1] - inrAt(css, EC50)) < 1e-6, `INR ${out[1]} vs ${inrAt(css, EC50)}`);
  });

  test('the verified block: unconfirmed, both transcriptions named, its checks reproduced (allele sums of CL_S and EC50)', () => {
    const verification = parseVerified(model.ir.verified);
    assert.deepEqual(verification.problems, []);
    assert.equal(verification.status, 'unconfirmed');
    assert.match(verification.sources.map((x) => x.text).join(' '), /reil .*DavAug/);
    const m: LibraryModel = {
      id: HAMBERG2010_ID,
      file: 'warfarin/hamberg2010.dtm',
      source: HAMBERG2010,
      ir: model.ir,
      verification,
      products: [],
      problems: [],
      compiled: () => model,
    };
    assert.equal(verification.checks.length, 3);
    for (const c of verification.checks) {
      const r = runCheck(m, c);
      assert.ok(r.ok, `${c.text} → ${r.actual}`);
    }
    for (const c of model.ir.covariates) assert.ok(covariateEntry(c.name), c.name);
    assert.deepEqual(checkUnits(model.ir), []);
  });

  test('maintenance doses vs the label’s Table 5 at 71 y: 10 of 18 inside, misses named; *1/*1 doses within 10 % of the 2007 model’s', () => {
    const f = 1.5 / 20; // 1 − E at INR 2.5
    const doses = labelCells().map((cell) => {
      const { CL, EC50 } = individual(71, cell.cyp2c9, cell.vkorc1);
      const css = EC50 * (f / (1 - f)) ** (1 / gamma);
      assert.ok(Math.abs(inrAt(css, EC50) - 2.5) < 1e-12);
      return { ...cell, dose: 48 * CL * css };
    });
    // The additive alleles make *2/*2 need more than *1/*3 here (3.89 vs 4.79 mg for G/G): the
    // 2007 model had it the other way. The G/A *2/*3 miss (2.12 mg) is 0.12 mg above its class.
    assert.deepEqual(
      doses.filter((d) => d.dose < d.lo || d.dose > d.hi).map((d) => `${d.vk} ${d.cyp} ${d.dose.toFixed(2)}`),
      [
        'G/G *1/*1 7.71',
        'G/G *1/*3 4.79',
        'G/G *2/*3 2.88',
        'G/A *1/*2 4.26',
        'G/A *2/*2 2.86',
        'G/A *2/*3 2.12',
        'A/A *1/*2 2.72',
        'A/A *1/*3 2.24',
      ],
    );
    // The two papers' typical *1/*1 patient, 71 y (2007: 7.89, 5.17, 3.76 mg; 2010: 7.71, 5.66, 3.61).
    const of2007 = [7.89, 5.17, 3.76];
    doses
      .filter((d) => d.cyp2c9 === 0)
      .forEach((d) => assert.ok(Math.abs(d.dose / of2007[d.vkorc1] - 1) < 0.1, `${d.vk}: ${d.dose}`));
  });
});

describe('next warfarin dose from doses and INRs', () => {
  test('a bad genotype, INR or next-dose time is DT_WARFARIN_INPUT naming the field', () => {
    const base = { ageY: 70, cyp2c9: '*1/*1', vkorc1: 'G/G', doses: [], inrs: [], nextDoseH: 0, draws: 0 };
    const fieldOf = (q: object): string => {
      try {
        nextWarfarinDose({ ...base, ...q });
      } catch (e) {
        assert.ok(e instanceof DosetwinError);
        assert.equal(e.issues[0].code, 'DT_WARFARIN_INPUT');
        return e.issues[0].field!;
      }
      return 'no error';
    };
    assert.equal(fieldOf({ cyp2c9: '*1/*4' }), 'cyp2c9');
    try {
      nextWarfarinDose({ ...base, vkorc1: 'C/T' });
    } catch (e) {
      const i = (e as DosetwinError).issues[0];
      assert.match(i.fr!.message, /le génotype VKORC1 -1639 « C\/T » n’est pas l’un de G\/G, G\/A, A\/A/);
      assert.match(i.fr!.hint!, /G\/G, G\/A ou A\/A/);
    }
    assert.equal(fieldOf({ vkorc1: 'C/T' }), 'vkorc1');
    assert.equal(fieldOf({ ageY: 7 }), 'ageY');
    assert.equal(fieldOf({ inrs: [{ timeH: 24, inr: 25 }], nextDoseH: 48 }), 'inrs[0].inr');
    assert.equal(fieldOf({ doses: [{ timeH: 48, doseMg: 5 }], nextDoseH: 24 }), 'nextDoseH');
  });

  test('an INR above range after 5 mg/day lowers the dose; the probability of 2-3 comes from the posterior draws (seed 1)', () => {
    const doses = Array.from({ length: 7 }, (_, d) => ({ timeH: 24 * d, doseMg: 5 }));
    const a = nextWarfarinDose({
      ageY: 70,
      cyp2c9: '*1/*3',
      vkorc1: 'G/A',
      doses,
      inrs: [{ timeH: 24 * 7, inr: 3.6 }],
      nextDoseH: 24 * 7,
      draws: 50,
    });
    assert.equal(a.method, 'a posteriori (MAP)');
    assert.ok(a.doseMg < 5, `${a.doseMg}`);
    assert.ok(a.probabilityInRange !== null && a.probabilityInRange > 0 && a.probabilityInRange <= 1);
    assert.equal(a.draws, 50);
  });
});

test('virtual trial (12 patients of the Hamberg 2010 model, seed 7, INRs on days 3, 7, 14 measured with a 10 % error, three times what the twin assumes): the twin (Hamberg 2007) keeps more of days 8-28 in INR 2-3 than the IWPC dose alone', () => {
  // The patients come from the 2010 update (one-compartment PK, γ 1.15, 3+3 transit chains, a
  // linear INR, its own Ω), not from the model the twin fits, so the twin meets a structural
  // misspecification as it would in a clinic. Measured: IWPC dose alone 29.0 % of patient-days in
  // range (22.6 % above 4); the twin's a priori starting dose alone 31.3 % (23.4 %); IWPC start then
  // the twin's dose after each INR 82.5 % (2.8 %). With patients of the 2007 model itself (the
  // optimistic case): 38.9 %, 39.3 %, 80.6 % (bench/results.md). Before the 2007 file followed the
  // paper's ktr1 = 1/MTT1 and its IIV as CVs, the twin reached 63.1 % here: the 1/MTT1 chain alone
  // gives 70.6 %, the IIV alone 55.2 %.
  const r = runTrial({ patients: 12, seed: 7, inrSd: 0.1 });
  const near = (x: number, want: number): boolean => Math.abs(x - want) < 0.02;
  assert.ok(near(r.iwpc.inRange, 0.29) && near(r.twin.inRange, 0.825), JSON.stringify(r));
  assert.ok(r.twin.inRange > r.iwpc.inRange + 0.3, JSON.stringify(r));
  assert.ok(r.twin.above4 < r.iwpc.above4 / 4);
  assert.ok(r.twin.inRange > r.twinStart.inRange + 0.2);
  // The starting doses compared on the same patients: the 2007 model's typical patient needs more
  // warfarin than IWPC's (as against the label's Table 5 above), 1.33 times on average here.
  const ratio = r.startDoses.reduce((s, d) => s + d.twin / d.iwpc, 0) / r.startDoses.length;
  assert.ok(ratio > 1.2 && ratio < 1.5, `${ratio}`);
});

test('the model’s covariates are in the register, with the codes the genotype readers give (CYP2C9 0-5, VKORC1 0-2)', () => {
  const ir = warfarinModel().ir;
  for (const c of ir.covariates) assert.ok(covariateEntry(c.name), c.name);
  assert.deepEqual(
    covariateEntry('CYP2C9')!.codes!.map((c) => c.en),
    [...CYP2C9_GENOTYPES],
  );
  assert.deepEqual(
    covariateEntry('VKORC1')!.codes!.map((c) => c.en),
    [...VKORC1_GENOTYPES],
  );
  assert.deepEqual(warfarinCovariates({ ageY: 70, cyp2c9: '*3/*2', vkorc1: 'A/G' }), [70, 4, 1, 1]);
});

test('units: the activity compartments are declared (-) and the INR output unit -, so the unit checker has no finding', () => {
  assert.deepEqual(
    checkUnits(warfarinModel().ir).map((i) => `${i.line}: ${i.message}`),
    [],
  );
});

test('the model file’s verified block: its form is read without problems and each check is reproduced within its tolerance', () => {
  const model = warfarinModel();
  const verification = parseVerified(model.ir.verified);
  assert.deepEqual(verification.problems, []);
  // partial: thetas from two transcriptions that agree and the paper's Table 5 reproduced, but the
  // paper itself not read and the chain's rate constant read two ways (the unconfirmed lines)
  assert.equal(verification.status, 'partial');
  assert.match(verification.sources.map((x) => x.text).join(' '), /nlmixr2lib .*Table 5.*reil/s);
  assert.ok(verification.unconfirmed.length >= 1, 'says what is not confirmed');
  const m: LibraryModel = {
    id: HAMBERG2007_ID,
    file: 'warfarin/hamberg2007.dtm',
    source: HAMBERG2007,
    ir: model.ir,
    verification,
    products: [],
    problems: [],
    compiled: () => model,
  };
  assert.equal(verification.checks.length, 3);
  for (const c of verification.checks) {
    const r = runCheck(m, c);
    assert.ok(r.ok, `${c.text} → ${r.actual}`);
  }
});

test('before the first dose: the typical patient’s dose (a priori), its probability from the prior draws', () => {
  const a = nextWarfarinDose({
    ageY: 71,
    cyp2c9: '*1/*1',
    vkorc1: 'G/G',
    doses: [],
    inrs: [],
    nextDoseH: 0,
    draws: 40,
  });
  assert.equal(a.method, 'a priori (typical patient)');
  assert.equal(a.draws, 40);
  assert.ok(a.probabilityInRange !== null && a.probabilityInRange > 0 && a.probabilityInRange < 1);
  // The typical 71-year-old *1/*1 G/G patient's dose for INR 2.5 is 7.9 mg/day at steady state
  // (label test above); the tablet dose chosen on weeks 1-6 is within a tablet step of it.
  assert.ok(Math.abs(a.doseMg - 7.9) <= 1, `${a.doseMg}`);
});

test('a 100-year-old patient is outside the model’s age range (18-95 y): the advice carries DT_DOMAIN_OUTSIDE on AGE', () => {
  const a = nextWarfarinDose({
    ageY: 100,
    cyp2c9: '*1/*1',
    vkorc1: 'G/A',
    doses: [],
    inrs: [],
    nextDoseH: 0,
    draws: 0,
  });
  assert.deepEqual(
    a.warnings.map((w) => [w.code, w.field]),
    [['DT_DOMAIN_OUTSIDE', 'covariates.AGE']],
  );
});

test('an INR measured before the first dose is the baseline (INR0): a baseline of 1.3 asks for less warfarin than 1.0', () => {
  const q = { ageY: 70, cyp2c9: '*1/*1', vkorc1: 'G/A', doses: [], nextDoseH: 0, draws: 0 };
  const at1 = nextWarfarinDose({ ...q, inrs: [] });
  const at13 = nextWarfarinDose({ ...q, inrs: [{ timeH: 0, inr: 1.3 }] });
  assert.ok(at13.doseMg < at1.doseMg, `${at13.doseMg} vs ${at1.doseMg}`);
  assert.deepEqual(warfarinCovariates({ ...q, baselineInr: 1.3 }), [70, 0, 1, 1.3]);
});

test('the same model as a NONMEM control stream ($DES, A_0, $ERROR branching on CMT) predicts the same INRs and S-warfarin concentrations (rel 1e-6)', () => {
  const ctl = `$PROBLEM Hamberg 2007 warfarin PK/PD
$INPUT ID TIME AMT CMT EVID MDV DV AGE CYP2C9 VKORC1
$DATA data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=10
$MODEL COMP=(DEPOT DEFDOSE) COMP=(CENTRAL) COMP=(PERIPH) COMP=(A1) COMP=(A2) COMP=(A3)
  COMP=(A4) COMP=(A5) COMP=(A6) COMP=(A7 DEFOBS)
$PK
RG = 0
IF (CYP2C9.EQ.1) RG = 0.315
IF (CYP2C9.EQ.2) RG = 0.453
IF (CYP2C9.EQ.3) RG = 0.722
IF (CYP2C9.EQ.4) RG = 0.690
IF (CYP2C9.EQ.5) RG = 0.852
CL = THETA(1)*(1 - 0.0091*(AGE - 71))*(1 - RG)*EXP(ETA(1))
V1 = THETA(2)*EXP(ETA(2))
V2 = THETA(3)*EXP(ETA(3))
EC50 = 4.61
IF (VKORC1.EQ.1) EC50 = 3.02
IF (VKORC1.EQ.2) EC50 = 2.20
EC50 = EC50*EXP(ETA(4))
KTR1 = 1/(11.6*EXP(ETA(5)))
KTR2 = 1/(120*EXP(ETA(6)))
F1 = 0.5
A_0(4) = 1
A_0(5) = 1
A_0(6) = 1
A_0(7) = 1
A_0(8) = 1
A_0(9) = 1
A_0(10) = 1
$DES
CSD = A(2)/V1
RGD = (CSD/EC50)**0.424
E = 1 - RGD/(1 + RGD)
DADT(1) = -2*A(1)
DADT(2) = 2*A(1) - CL/V1*A(2) - 0.131/V1*A(2) + 0.131/V2*A(3)
DADT(3) = 0.131/V1*A(2) - 0.131/V2*A(3)
DADT(4) = KTR1*(E - A(4))
DADT(5) = KTR1*(A(4) - A(5))
DADT(6) = KTR1*(A(5) - A(6))
DADT(7) = KTR1*(A(6) - A(7))
DADT(8) = KTR1*(A(7) - A(8))
DADT(9) = KTR1*(A(8) - A(9))
DADT(10) = KTR2*(E - A(10))
$ERROR
CS = A(2)/V1
INR = 1 + 20*(1 - A(9)*A(10))**3.61
IF (CMT.EQ.10) THEN
  Y = INR*EXP(EPS(1))
ELSE
  Y = CS*EXP(EPS(2))
ENDIF
$THETA 0.314 13.8 6.59
$OMEGA 0.0918 0.0664 0.6841 0.1547 0.0197 0.7131
$SIGMA 0.00105625 0.090601
`;
  const rows = ['ID,TIME,AMT,CMT,EVID,MDV,DV,AGE,CYP2C9,VKORC1'];
  for (let d = 0; d < 10; d++) rows.push(`1,${24 * d},6,1,1,1,.,64,2,1`);
  for (const d of [3, 7, 10])
    rows.push(`1,${24 * d + 1},0,10,0,0,2,64,2,1`, `1,${24 * d + 1},0,2,0,0,0.5,64,2,1`);
  rows.sort((a, b) => Number(a.split(',')[1]) - Number(b.split(',')[1]));
  const cs = parseControlStream(ctl, 'hamberg2007.ctl');
  const nm = compileModel(cs.ir);
  const [p] = parseDataset(rows.join('\n') + '\n', cs.ir, 'data.csv').patients;
  const eta = [0.2, -0.1, 0.3, -0.25, 0.1, 0.4];
  const a = new Float64Array(p.n);
  new Simulator(nm, { ode: { rtol: 1e-10 } }).run(p, eta, a);
  // The .dtm: the same records (doses, then INR on CMT 10 and S-warfarin on CMT 2), INR0 = 1.
  const dtm = warfarinModel();
  const cov = [64, 2, 1, 1];
  const q = patientFromRecords(
    'dtm',
    Array.from({ length: p.n }, (_, i) => ({
      time: p.time[i],
      evid: p.evid[i],
      amt: p.amt[i],
      cmt: p.cmt[i],
      dv: p.evid[i] === 0 ? p.dv[i] : null,
      cov,
    })),
    cov.length,
  );
  const b = new Float64Array(q.n);
  new Simulator(dtm, { ode: { rtol: 1e-10 } }).run(q, eta, b);
  let n = 0;
  for (let i = 0; i < p.n; i++)
    if (p.evid[i] === 0) {
      assert.ok(Math.abs(a[i] - b[i]) / b[i] < 1e-6, `record ${i} (CMT ${p.cmt[i]}): ${a[i]} vs ${b[i]}`);
      n++;
    }
  assert.equal(n, 6);
});
