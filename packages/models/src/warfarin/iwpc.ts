/**
 * The IWPC pharmacogenetic warfarin dosing algorithm (International Warfarin Pharmacogenetics
 * Consortium. Estimation of the warfarin dose with clinical and pharmacogenetic data. N Engl J Med
 * 2009;360:753-764, supplementary appendix): the square root of the weekly maintenance dose is
 * linear in age (in decades: 1 for 10-19 y, …), height, weight, VKORC1 −1639 G>A and CYP2C9
 * genotypes, race, enzyme inducers and amiodarone. Coefficients as in two independent
 * implementations (reil IWPC protocol; Yao's WarfarinDosingOracle), which agree to the digit.
 */
import { type Cyp2c9, type Vkorc1 } from './genotypes.ts';

export interface IwpcPatient {
  ageY: number;
  heightCm: number;
  weightKg: number;
  /** null = genotype unknown (the algorithm has a term for it). */
  cyp2c9: Cyp2c9 | null;
  vkorc1: Vkorc1 | null;
  race?: 'white' | 'asian' | 'black' | 'mixed or missing';
  /** Carbamazepine, phenytoin, rifampin or rifampicin. */
  enzymeInducer?: boolean;
  amiodarone?: boolean;
}

const CYP2C9_TERM: Record<Cyp2c9, number> = {
  '*1/*1': 0,
  '*1/*2': -0.5211,
  '*1/*3': -0.9357,
  '*2/*2': -1.0616,
  '*2/*3': -1.9206,
  '*3/*3': -2.3312,
};
const VKORC1_TERM: Record<Vkorc1, number> = { 'G/G': 0, 'G/A': -0.8677, 'A/A': -1.6974 };
const RACE_TERM = { white: 0, asian: -0.1092, black: -0.276, 'mixed or missing': -0.1032 };

/** The IWPC pharmacogenetic maintenance dose, mg per day (the weekly dose / 7). */
export function iwpcDailyDoseMg(p: IwpcPatient): number {
  const sqrtWeekly =
    5.6044 -
    0.2614 * Math.floor(p.ageY / 10) +
    0.0087 * p.heightCm +
    0.0128 * p.weightKg +
    (p.vkorc1 === null ? -0.4854 : VKORC1_TERM[p.vkorc1]) +
    (p.cyp2c9 === null ? -0.2188 : CYP2C9_TERM[p.cyp2c9]) +
    RACE_TERM[p.race ?? 'white'] +
    (p.enzymeInducer ? 1.1816 : 0) +
    (p.amiodarone ? -0.5503 : 0);
  return (sqrtWeekly * sqrtWeekly) / 7;
}
