// Gentamicin in neonates: the NICE trough and peak targets, the injection, extended intervals
// (moved from germovsek2016.dtm, the library's one gentamicin model).
import type { DrugFile } from '../src/drug.ts';

const NICE = 'NICE NG195 2021 neonatal infection';

export const gentamicin: DrugFile = {
  drug: 'gentamicin',
  targets: [
    {
      text: 'trough<=2 mg/L',
      citation: NICE,
      population: 'neonates',
      note: 'trough below 2 mg/L before the next dose (below 1 mg/L if the course goes beyond 3 doses)',
    },
    {
      text: 'peak>=8 mg/L',
      citation: NICE,
      population: 'neonates',
      note: 'peak at least 8 mg/L when a peak is measured',
    },
  ],
  formulations: [
    {
      id: 'injection',
      brand: null,
      form: 'ampoule',
      description: 'gentamicin injection 10 mg/mL (2 mL paediatric) and 40 mg/mL (2 mL)',
      routes: ['infusion'],
      strengths: { values: [20, 80], unit: 'mg' },
      intervals: { values: [24, 36, 48], unit: 'h' },
      infusion: {
        duration: { lo: 0.05, hi: 0.5, unit: 'h' },
        maxRate: null,
        note: 'slow intravenous injection over 3-5 min or infusion over 30 min (BNFc)',
      },
      usual: {
        dose: { value: 5, unit: 'mg/kg' },
        every: { value: 36, unit: 'h' },
        note: '5 mg/kg every 36 h in neonates, interval adjusted to the trough (NICE NG195 2021)',
      },
      source: 'BNF for Children',
    },
  ],
  models: {
    'gentamicin/germovsek2016': {
      formulations: ['injection'],
      formulationSpecific: false,
      why: 'intravenous gentamicin: the model describes the drug in the body, whatever the ampoule',
    },
  },
  mlPresets: [],
  estimators: [],
};
