// Amikacin: the French aminoglycoside targets (peak 30 min after the end of the infusion, trough),
// the vials, once-daily and extended intervals (moved from delattre2010.dtm, the library's one
// amikacin model; its card's notes say where each target figure was read).
import type { DrugFile } from '../src/drug.ts';

export const amikacin: DrugFile = {
  drug: 'amikacin',
  targets: [
    {
      text: 'c_eoi_30min=60..80 mg/L',
      citation:
        'Afssaps 2011 aminoglycoside recommendations; Cmax/MIC 8-10 (Moore RD et al. J Infect Dis 1987;155:93-99)',
      population: 'infections with the EUCAST 2024 breakpoint MIC 8 mg/L (Enterobacterales, Pseudomonas)',
      note: 'Cmax 60-80 mg/L drawn 30 min after the end of a 30-min infusion, the French guideline figure as quoted by Allou N et al. Ann Intensive Care 2016 (doi:10.1186/s13613-016-0211-z)',
    },
    {
      text: 'trough<=2.5 mg/L',
      citation: 'Afssaps 2011 aminoglycoside recommendations',
      population: 'patients on amikacin (toxicity)',
      note: 'trough below 2.5 mg/L before the next dose; the Afssaps line not re-read (other ICU studies use below 5 mg/L, e.g. Duszynska W et al. Crit Care 2013;17:R165)',
    },
  ],
  formulations: [
    {
      id: 'vial',
      brand: null,
      form: 'vial',
      description: 'amikacin solution for injection 250 mg/mL, 2 mL and 4 mL vials',
      routes: ['infusion'],
      strengths: { values: [500, 1000], unit: 'mg' },
      intervals: { values: [24, 36, 48], unit: 'h' },
      infusion: {
        duration: { lo: 0.5, hi: 1, unit: 'h' },
        maxDuration: { value: 1, unit: 'h' },
        maxRate: null,
        step: null,
        note: 'intravenous infusion over 30 min (30-60 min, EU SmPC; Afssaps 2011)',
      },
      limits: {
        maxDose: [{ value: 30, unit: 'mg/kg' }],
        maxDailyDose: [{ value: 30, unit: 'mg/kg' }],
        maxLoadingDose: [],
        source:
          'Afssaps 2011: 25-30 mg/kg once daily in severe sepsis and septic shock, which the library follows (its usual dose, its targets); the EU SmPC 4.2 says 15 mg/kg/day, at most 1.5 g/day, which French intensive care exceeds',
      },
      usual: {
        dose: { value: 25, unit: 'mg/kg' },
        every: { value: 24, unit: 'h' },
        note: '25 mg/kg total body weight once daily in severe sepsis and septic shock (Taccone 2010; Afssaps 2011: 25-30 mg/kg)',
      },
      source: 'EU SmPC; intervals: once daily, longer intervals when the trough is above target',
    },
  ],
  models: {
    'amikacin/delattre2010': {
      formulations: ['vial'],
      formulationSpecific: false,
      why: 'intravenous amikacin: the model describes the drug in the body, whatever the vial',
    },
  },
  mlPresets: [],
  estimators: [],
  plausibility: {
    dose: {
      unit: 'mg',
      hard: { lo: 1, hi: 6000 },
      soft: { lo: 100, hi: 3600 },
      why: 'adults 500-3000 mg per administration; without a recorded weight a neonatal dose asks for one',
    },
    dosePerKg: {
      unit: 'mg/kg',
      hard: { lo: 2, hi: 60 },
      soft: { lo: 5, hi: 35 },
      why: '15-20 mg/kg, 25-30 mg/kg in intensive care',
    },
    dailyDose: {
      unit: 'mg',
      hard: { lo: 0, hi: 8000 },
      soft: { lo: 0, hi: 3600 },
      why: '30 mg/kg of a 120 kg patient is 3600 mg',
    },
    level: {
      unit: 'mg/L',
      hard: { lo: 0, hi: 400 },
      soft: { lo: 0.1, hi: 120 },
      why: 'peaks 60-80 mg/L, troughs below 2.5 mg/L',
    },
    interval: {
      unit: 'h',
      hard: { lo: 1, hi: 168 },
      soft: { lo: 8, hi: 72 },
      why: 'once daily, every 36-48 h when the trough is high',
    },
  },
  fhir: {
    levels: [
      {
        loinc: '35669-1',
        display: 'Amikacin [Mass/volume] in Serum or Plasma',
        matrix: 'serum or plasma',
        assay: null,
        timing: null,
      },
    ],
    medication: { atc: ['J01GB06'], rxnorm: [] },
    source: 'LOINC (Regenstrief) for the level; ATC J01GB06 (WHO ATC index); RxNorm not listed yet',
  },
};
