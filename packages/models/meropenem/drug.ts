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
        maxDuration: { value: 3, unit: 'h' },
        maxRate: null,
        step: null,
        note: '15-30 min per label; 3 h prolonged infusion studied by Li 2006 (a solution in 0.9 % sodium chloride is used within 3 h at room temperature, EU SmPC 6.3)',
      },
      limits: {
        maxDose: [{ value: 2000, unit: 'mg' }],
        maxDailyDose: [{ value: 6000, unit: 'mg' }],
        maxLoadingDose: [],
        source: 'EU SmPC 4.2: 0.5-2 g every 8 h by indication, up to 2 g three times daily',
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
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 10, hi: 8000 },
      soft: { lo: 250, hi: 6000 },
      why: '500-2000 mg per administration; 6 g over 24 h by continuous infusion',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 1, hi: 200 },
      soft: { lo: 5, hi: 90 },
      why: '10-40 mg/kg per administration (children 20-40 mg/kg)',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 12000 },
      soft: { lo: 0, hi: 6000 },
      why: 'the label’s maximum is 6 g/day',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 500 },
      soft: { lo: 0.1, hi: 150 },
      why: 'peaks up to about 100 mg/L after 2 g, troughs from below 1 mg/L',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 4, hi: 24 },
      why: 'every 8 h, every 12-24 h in renal failure',
    },
  },
  fhir: {
    levels: [],
    medication: { atc: ['J01DH02'], rxnorm: [] },
    source:
      'no LOINC code of a meropenem level is confirmed: its levels are refused by the import and entered by hand; ATC J01DH02 (WHO ATC index)',
  },
};
