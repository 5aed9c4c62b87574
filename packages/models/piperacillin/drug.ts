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
        maxDuration: null,
        maxRate: null,
        step: null,
        note: '30 min per label; extended infusions (3-4 h) and continuous infusion used in ICU practice (Abdul-Aziz 2020)',
      },
      limits: {
        maxDose: [{ value: 4000, unit: 'mg' }],
        maxDailyDose: [{ value: 16000, unit: 'mg' }],
        maxLoadingDose: [],
        source:
          'EU SmPC 4.2: 4 g/0.5 g every 8 h, every 6 h in nosocomial pneumonia and neutropenia: 4 g piperacillin a dose and 16 g a day at most (the US label too: 4.5 g every 6 h = 16 g piperacillin); the 24 g/day of piperacillin alone is not a piperacillin/tazobactam dose',
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
  // Plausibility bounds for entries, not dosing guidance: soft bounds wider than the usual doses
  // (4 g every 6-8 h, children 100 mg/kg; continuous infusion 16-24 g/day), hard bounds beyond any
  // reported dose or level.
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 50, hi: 25000 },
      soft: { lo: 500, hi: 6000 },
      why: '2000-4000 mg per administration; a 24-h continuous infusion carries the whole day',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 5, hi: 400 },
      soft: { lo: 20, hi: 120 },
      why: 'adults 50-60 mg/kg, children 80-100 mg/kg per administration',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 30000 },
      soft: { lo: 0, hi: 24000 },
      why: '16 g/day usually, 24 g/day at most',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 2000 },
      soft: { lo: 0.5, hi: 400 },
      why: 'peaks up to about 300 mg/L after 4 g, continuous-infusion levels 20-100 mg/L',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 4, hi: 24 },
      why: 'every 6-8 h, 24 h for a continuous infusion',
    },
  },
  fhir: {
    levels: [],
    medication: { atc: ['J01CA12', 'J01CR05'], rxnorm: [] },
    source:
      'no LOINC code of a piperacillin level is confirmed: its levels are refused by the import and entered by hand; ATC J01CA12 and J01CR05 (with tazobactam) (WHO ATC index)',
  },
};
