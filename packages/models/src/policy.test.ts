// What a library model is used with (targets, formulations, regimen space), table-driven over the
// whole library. The expected values are those the model files gave before the drug's policy moved
// to one drug file per drug: productSpace read off each `products` block, and the default targets
// read off each `targets` block (c0 written as trough), so the move changes no number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTargets, formulationsOf, getModel, modelIds, productSpace } from './index.ts';

interface Today {
  id: string;
  /** Model units: dose unit of the model (mg or ug), hours. */
  space: { strengths: number[]; intervals: number[]; durations: number[] };
  targets: string[];
  brands: string[];
}

const TODAY: Today[] = [
  {
    id: 'amikacin/delattre2010', // vial 500, 1000 mg | infusion 0.5..1 h | every 24, 36, 48 h
    space: { strengths: [500, 1000], intervals: [24, 36, 48], durations: [0.5, 1] },
    targets: ['c_eoi_30min=60..80 mg/L', 'trough<=2.5 mg/L'],
    brands: [],
  },
  {
    id: 'ciclosporin/press2010', // Neoral 10, 25, 50, 100 mg in ug | every 12, 24 h | oral
    space: { strengths: [10000, 25000, 50000, 100000], intervals: [12, 24], durations: [0] },
    targets: ['auctau=3250..5400 ug*h/L'],
    brands: ['Neoral'],
  },
  {
    id: 'ciclosporin/woillard2014',
    space: { strengths: [10000, 25000, 50000, 100000], intervals: [12], durations: [0] },
    targets: ['auctau=3870..4730 ug*h/L'],
    brands: ['Neoral'],
  },
  {
    id: 'everolimus/terheine2018', // Certican 0.25-1 mg and Afinitor 2.5-10 mg in ug
    space: { strengths: [250, 500, 750, 1000, 2500, 5000, 10000], intervals: [12, 24], durations: [0] },
    targets: ['trough=6..10 ng/mL'],
    brands: [],
  },
  {
    id: 'gentamicin/germovsek2016',
    space: { strengths: [20, 80], intervals: [24, 36, 48], durations: [0.05, 0.5] },
    targets: ['trough<=2 mg/L', 'peak>=8 mg/L'],
    brands: [],
  },
  {
    id: 'meropenem/li2006',
    space: { strengths: [500, 1000], intervals: [8], durations: [0.5, 3] },
    targets: ['ft_mic=40..100 %'],
    brands: [],
  },
  {
    id: 'mycophenolic-acid/vanhest2005',
    space: { strengths: [250, 500], intervals: [12], durations: [0] },
    targets: ['auctau=30..60 mg*h/L'],
    brands: ['CellCept'],
  },
  {
    id: 'piperacillin/kim2022',
    space: { strengths: [2000, 4000], intervals: [6, 8], durations: [0.5, 4] },
    targets: ['ft_mic>=100 %'],
    brands: [],
  },
  {
    id: 'tacrolimus/andrews2017', // Prograf 0.5, 1, 5 mg then Modigraf 0.2, 1 mg, in ug
    space: { strengths: [500, 1000, 5000, 200, 1000], intervals: [12], durations: [0] },
    targets: ['trough=10..15 ng/mL'],
    brands: ['Prograf', 'Modigraf'],
  },
  {
    id: 'tacrolimus/andrews2019',
    space: { strengths: [500, 1000, 5000], intervals: [12], durations: [0] },
    targets: ['trough=10..15 ng/mL', 'trough=5..10 ng/mL'],
    brands: ['Prograf'],
  },
  {
    id: 'tacrolimus/woillard2011-advagraf',
    space: { strengths: [500, 1000, 3000, 5000], intervals: [24], durations: [0] },
    targets: ['trough=5..10 ng/mL'],
    brands: ['Advagraf'],
  },
  {
    id: 'tacrolimus/woillard2011-prograf',
    space: { strengths: [500, 1000, 5000], intervals: [12], durations: [0] },
    targets: ['trough=5..10 ng/mL'],
    brands: ['Prograf'],
  },
  {
    id: 'vancomycin/buelga2005',
    space: { strengths: [500, 1000], intervals: [8, 12, 24], durations: [1, 2] },
    targets: ['auc24=400..600 mg*h/L'],
    brands: [],
  },
  {
    id: 'vancomycin/colin2019',
    space: { strengths: [500, 1000], intervals: [6, 8, 12, 24], durations: [1, 2] },
    targets: ['auc24=400..600 mg*h/L'],
    brands: [],
  },
  {
    id: 'vancomycin/goti2018',
    space: { strengths: [500, 1000], intervals: [8, 12, 24], durations: [1, 2] },
    targets: ['auc24=400..600 mg*h/L'],
    brands: [],
  },
  {
    id: 'vancomycin/thomson2009',
    space: { strengths: [500, 1000], intervals: [8, 12, 24], durations: [1, 2] },
    targets: ['auc24=400..600 mg*h/L', 'trough=10..20 mg/L'],
    brands: [],
  },
  {
    id: 'voriconazole/friberg2012-adult', // tablets 50, 200 mg and the 200 mg vial; oral (depot)
    space: { strengths: [50, 200, 200], intervals: [12], durations: [0] },
    targets: ['trough=1..5.5 mg/L'],
    brands: [],
  },
];

test('the table covers every library model', () => {
  assert.deepEqual(
    TODAY.map((c) => c.id),
    modelIds(),
  );
});

for (const c of TODAY)
  test(`${c.id}: regimen space, default targets and brands as the model files gave them (exact)`, () => {
    const m = getModel(c.id);
    assert.deepEqual(productSpace(m), c.space);
    assert.deepEqual(defaultTargets(m), c.targets);
    assert.deepEqual(formulationsOf(m), c.brands);
  });
