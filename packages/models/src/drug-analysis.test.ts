// The drug-level analysis of a clinical record: averaged AUC24 = Σ w·daily dose/CL_m (linear PK at
// steady state), and the what-if's evaluation of a candidate = the analysis's (same draws, same seed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyseDrug, drugTwins, evaluateDrugRegimen, type DrugAnalysisInputs } from './drug-analysis.ts';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = (h: number): string => new Date(T0 + h * 3_600_000).toISOString();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const inputs: DrugAnalysisInputs = {
  patientId: 'icu1',
  drug: 'vancomycin',
  formulation: null,
  administrations: [0, 12, 24, 36].map((h) => ({
    at: at(h),
    amount: 1000,
    unit: 'mg',
    route: 'infusion' as const,
    duration: { value: 1, unit: 'h' },
    product: 'vial 1 g',
  })),
  samples: [
    { at: at(11.5), value: 9.8, unit: 'mg/L', matrix: 'serum', assay: 'PETINIA', lloq: 2 },
    { at: at(37.5), value: 29.5, unit: 'mg/L', matrix: 'serum', assay: 'PETINIA', lloq: 2 },
  ],
  covariates: [
    ['WT', 82, 'kg'],
    ['AGE', 58, 'y'],
    ['SCR', 95, 'umol/L'],
    ['SEX', 0, '-'],
    ['DIAL', 0, '-'],
    ['HT', 178, 'cm'],
  ].map(([name, value, unit]) => ({
    at: at(-2),
    name: name as string,
    value: value as number,
    unit: unit as string,
  })),
  targets: [],
  start: null,
};

test('vancomycin by drug: weights sum to 1; each candidate’s averaged AUC24 = Σ w·AUC24_m = Σ w·daily dose/CL_m (rel 1e-9); the what-if gives the analysis’s values (1e-12)', () => {
  const a = analyseDrug(inputs, { samples: 30, maxCandidates: 3 });
  const weighted = a.models.filter((m) => m.weight > 0);
  assert.ok(weighted.length >= 2, a.models.map((m) => m.id).join());
  assert.ok(Math.abs(a.models.reduce((s, m) => s + m.weight, 0) - 1) < 1e-12);
  const dt = drugTwins(inputs, { samples: 30 });
  for (const c of a.candidates) {
    let sum = 0;
    let closed = 0;
    for (const m of c.models!) {
      sum += m.weight * m.metrics[0].value;
      const cl = dt.models.find((x) => x.id === m.id)!.twin.parameters().CL;
      closed += (m.weight * (c.regimen.dose.value * 24)) / c.regimen.interval.value / cl;
    }
    assert.ok(rel(c.metrics[0].value, sum) < 1e-12, `${c.metrics[0].value} vs Σ ${sum}`);
    assert.ok(rel(c.metrics[0].value, closed) < 1e-9, `${c.metrics[0].value} vs closed form ${closed}`);
    const w = evaluateDrugRegimen(dt, c.regimen);
    assert.ok(rel(w.metrics[0].value, c.metrics[0].value) < 1e-12);
    assert.equal(w.pta!.all, c.pta!.all);
  }
});
