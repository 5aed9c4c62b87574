// Voriconazole: the BSMM trough range, tablets and the vial (moved from friberg2012-adult.dtm, the
// library's one voriconazole model).
import type { DrugFile } from '../src/drug.ts';

export const voriconazole: DrugFile = {
  drug: 'voriconazole',
  targets: [
    {
      text: 'trough=1..5.5 mg/L',
      citation:
        'British Society for Medical Mycology TDM guideline (Ashbee HR et al. J Antimicrob Chemother 2014;69:1162-1176)',
      population: 'patients on voriconazole',
      note: 'trough 1-5.5 mg/L',
    },
  ],
  formulations: [
    {
      id: 'tablet',
      brand: null,
      form: 'tablet',
      description: 'film-coated tablets',
      routes: ['oral'],
      strengths: { values: [50, 200], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: {
        dose: { value: 200, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: 'oral maintenance, adults >= 40 kg, after a 400 mg loading day (EU SmPC)',
      },
      source: 'Vfend EU SmPC',
    },
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'powder for solution for infusion',
      routes: ['infusion'],
      strengths: { values: [200], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: null,
      source: 'EU SmPC; its infusion duration and rate are not stated in the library',
    },
  ],
  models: {
    'voriconazole/friberg2012-adult': {
      formulations: ['tablet', 'vial'],
      formulationSpecific: false,
      why: 'oral and intravenous voriconazole in one model (bioavailability F 0.642); no product effect modelled',
    },
  },
  mlPresets: [],
  estimators: [],
};
