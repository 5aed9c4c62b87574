// Piperacillin (with tazobactam): the 100 % fT>MIC target of the critically ill, the vials and the
// extended infusions (moved from kim2022.dtm, the library's one piperacillin model).
import type { DrugFile } from '../src/drug.ts';

export const piperacillin: DrugFile = {
  drug: 'piperacillin',
  targets: [
    {
      text: 'ft_mic>=100 %',
      citation: 'position paper (Abdul-Aziz MH et al. Intensive Care Med 2020;46:1127-1153)',
      population: 'critically ill patients on beta-lactams; EUCAST 2024 Pseudomonas breakpoint 16 mg/L',
      note: '100 % fT>MIC (the MIC is given with the request)',
    },
  ],
  formulations: [
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'piperacillin in piperacillin/tazobactam 2 g/0.25 g and 4 g/0.5 g vials',
      routes: ['infusion'],
      strengths: { values: [2000, 4000], unit: 'mg' },
      intervals: { values: [6, 8], unit: 'h' },
      infusion: {
        duration: { lo: 0.5, hi: 4, unit: 'h' },
        maxRate: null,
        note: '30 min per label; extended infusions used in ICU practice',
      },
      usual: {
        dose: { value: 4000, unit: 'mg' },
        every: { value: 8, unit: 'h' },
        note: '4 g/0.5 g every 8 h (EU SmPC)',
      },
      source: 'EU SmPC',
    },
  ],
  models: {
    'piperacillin/kim2022': {
      formulations: ['vial'],
      formulationSpecific: false,
      why: 'intravenous piperacillin: the model describes the drug in the body, whatever the vial',
    },
  },
  mlPresets: [],
  estimators: [],
};
