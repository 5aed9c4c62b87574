// Mycophenolic acid (MPA) given as mycophenolate mofetil: the consensus AUC target and the CellCept
// products (moved from vanhest2005.dtm, the library's one MPA model; doses are MMF mg).
import type { DrugFile } from '../src/drug.ts';

export const mycophenolicAcid: DrugFile = {
  drug: 'mycophenolic acid',
  targets: [
    {
      text: 'auctau=30..60 mg*h/L',
      citation:
        'second consensus report on MPA therapeutic drug monitoring (Bergan S et al. Ther Drug Monit 2021;43:150-200)',
      population: 'patients on mycophenolate mofetil (MMF)',
      note: 'MPA AUC0-12 with MMF',
    },
  ],
  formulations: [
    {
      id: 'cellcept-capsule',
      brand: 'CellCept',
      form: 'capsule',
      description: 'CellCept (mycophenolate mofetil) hard capsules',
      routes: ['oral'],
      strengths: { values: [250], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: {
        dose: { value: 1000, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: '1 g twice daily after renal transplantation (CellCept EU SmPC)',
      },
      source: 'CellCept EU SmPC',
    },
    {
      id: 'cellcept-tablet',
      brand: 'CellCept',
      form: 'tablet',
      description: 'CellCept (mycophenolate mofetil) film-coated tablets',
      routes: ['oral'],
      strengths: { values: [500], unit: 'mg' },
      intervals: { values: [12], unit: 'h' },
      infusion: null,
      usual: {
        dose: { value: 1000, unit: 'mg' },
        every: { value: 12, unit: 'h' },
        note: '1 g twice daily after renal transplantation (CellCept EU SmPC)',
      },
      source: 'CellCept EU SmPC',
    },
  ],
  models: {
    'mycophenolic-acid/vanhest2005': {
      formulations: ['cellcept-capsule', 'cellcept-tablet'],
      formulationSpecific: true,
      why: 'MPA after oral mycophenolate mofetil (doses as MMF mg); not for enteric-coated mycophenolate sodium',
    },
  },
  mlPresets: [],
  estimators: [],
};
