// Meropenem: the fT>MIC target, the vials and the infusion durations (moved from li2006.dtm, the
// library's one meropenem model).
import type { DrugFile } from '../src/drug.ts';

export const meropenem: DrugFile = {
  drug: 'meropenem',
  targets: [
    {
      text: 'ft_mic=40..100 %',
      citation: 'the bactericidal target used by Li 2006; EUCAST 2024 clinical breakpoint MIC 2 mg/L',
      population: 'Enterobacterales at the EUCAST 2024 clinical breakpoint MIC 2 mg/L',
      note: 'fT>MIC at least 40 %; a dosing objective, not a concentration (the MIC is given with the request)',
    },
  ],
  formulations: [
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'powder for solution for injection or infusion',
      routes: ['infusion'],
      strengths: { values: [500, 1000], unit: 'mg' },
      intervals: { values: [8], unit: 'h' },
      infusion: {
        duration: { lo: 0.5, hi: 3, unit: 'h' },
        maxRate: null,
        note: '15-30 min per label; 3 h prolonged infusion studied by Li 2006',
      },
      usual: {
        dose: { value: 1000, unit: 'mg' },
        every: { value: 8, unit: 'h' },
        note: '0.5-2 g every 8 h by indication (EU SmPC)',
      },
      source: 'EU SmPC',
    },
  ],
  models: {
    'meropenem/li2006': {
      formulations: ['vial'],
      formulationSpecific: false,
      why: 'intravenous meropenem: the model describes the drug in the body, whatever the vial',
    },
  },
  mlPresets: [],
  estimators: [],
};
