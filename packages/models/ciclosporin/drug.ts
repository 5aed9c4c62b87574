// Ciclosporin: Neoral capsules and which models describe them. No guideline target is stated in the
// library: each model keeps its own study's AUC0-12 target as an override (see its file), as well as
// its study's starting dose; press2010 also its study's once-daily regimen.
import type { DrugFile } from '../src/drug.ts';

export const ciclosporin: DrugFile = {
  drug: 'ciclosporin',
  targets: [],
  formulations: [
    {
      id: 'neoral-capsule',
      brand: 'Neoral',
      form: 'capsule',
      description: 'Neoral soft capsules',
      routes: ['oral'],
      strengths: { values: [10, 25, 50, 100], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: null,
      source:
        'Neoral EU SmPC (strengths); every 12 h as both ciclosporin model files offered it; no usual dose of its own in the library (each model states its study starting dose)',
    },
  ],
  models: {
    'ciclosporin/press2010': {
      formulations: ['neoral-capsule'],
      formulationSpecific: true,
      why: 'oral Neoral in the study (8 mg/kg/day once or twice daily); absorption and F are those of the product',
    },
    'ciclosporin/woillard2014': {
      formulations: ['neoral-capsule'],
      formulationSpecific: true,
      why: 'oral ciclosporin twice daily in the study; the model file offered Neoral capsules (the brand is not stated in its population line); not for intravenous ciclosporin',
    },
  },
  mlPresets: [],
  estimators: [],
};
