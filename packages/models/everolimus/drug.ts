// Everolimus: the trough target of calcineurin-inhibitor-free transplant regimens, Certican and
// Afinitor tablets, and the one model, which the paper fitted on both (moved from terheine2018.dtm).
import type { DrugFile } from '../src/drug.ts';

export const everolimus: DrugFile = {
  drug: 'everolimus',
  targets: [
    {
      text: 'trough=6..10 ng/mL',
      citation: 'Shipkova M et al. Ther Drug Monit 2016;38:143-169',
      population:
        "kidney transplant recipients on calcineurin-inhibitor-free regimens, as in the ter Heine 2018 paper's transplant cohort",
      note: 'whole-blood trough; 3-8 ng/mL with reduced-exposure calcineurin inhibitor',
    },
  ],
  formulations: [
    {
      id: 'certican-tablet',
      brand: 'Certican',
      form: 'tablet',
      description: 'Certican tablets (transplantation)',
      routes: ['oral'],
      strengths: { values: [0.25, 0.5, 0.75, 1], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: {
        dose: { value: 0.75, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: 'kidney transplantation starting dose (Certican EU SmPC)',
      },
      source: 'Certican EU SmPC',
    },
    {
      id: 'afinitor-tablet',
      brand: 'Afinitor',
      form: 'tablet',
      description: 'Afinitor tablets (oncology)',
      routes: ['oral'],
      strengths: { values: [2.5, 5, 10], unit: 'mg' },
      intervals: { values: [24], unit: 'h' },
      infusion: null,
      usual: {
        dose: { value: 10, unit: 'mg' },
        every: { value: 24, unit: 'h' },
        note: 'oncology: 10 mg every 24 h (Afinitor EU SmPC)',
      },
      source: 'Afinitor EU SmPC',
    },
  ],
  models: {
    'everolimus/terheine2018': {
      formulations: ['certican-tablet', 'afinitor-tablet'],
      formulationSpecific: false,
      why: 'the paper pooled Certican (transplant) and Afinitor (oncology) patients and found no formulation effect on F',
    },
  },
  mlPresets: [],
  estimators: [],
};
