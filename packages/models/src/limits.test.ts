// The products' limits of administration inside the regimen search (the label's maximum single,
// daily and loading dose, infusion rate and durations): how they are read for a patient, the
// examples of the request that found vancomycin 2000 mg over 1 h and piperacillin 78 g every 8 h,
// and a property test over random patients and regimens of every library model with a limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  convert,
  createTwin,
  limitBreaches,
  parseTarget,
  patientFromRecords,
  type RecordInput,
  rankingCriteria,
} from '@dosetwin/engine';
import { analyse, type AnalysisInputs } from './analysis.ts';
import { resolveLimits } from './limits.ts';
import { modelPolicy, productSpace, defaultTargets } from './policy.ts';
import { RANK_CRITERIA, rankingRule } from './ranking.ts';
import { recommendWithTwin } from './recommendation.ts';
import { getModel, listModels } from './registry.ts';
import { LABEL_LIMITS as LABELS } from './test-support.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (h: number): string => new Date(T0 + h * H).toISOString();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('the limits read for one patient, in the model’s units', () => {
  test('vancomycin (goti2018, mg and h), 82 kg: 2000 mg a dose, 10 mg/min = 600 mg/h, at least 1 h by 10 min, loading 30 mg/kg = 2460 mg', () => {
    const { limits, warnings } = resolveLimits(
      modelPolicy(getModel('vancomycin/goti2018')).limits,
      { dose: 'mg', time: 'h' },
      82,
    );
    assert.deepEqual(warnings, []);
    assert.equal(limits.maxDose, 2000);
    assert.equal(limits.maxDailyDose, undefined);
    assert.equal(limits.maxLoadingDose, 2460);
    assert.ok(rel(limits.maxRate!, 600) < 1e-12);
    assert.equal(limits.minDuration, 1);
    assert.equal(limits.maxDuration, undefined);
    assert.ok(rel(limits.durationStep!, 1 / 6) < 1e-12);
  });
  test('vancomycin without a weight: the loading dose capped at 3000 mg only, and DT_LIMIT_WEIGHT names the per-kg maximum left out', () => {
    const { limits, warnings } = resolveLimits(
      modelPolicy(getModel('vancomycin/goti2018')).limits,
      { dose: 'mg', time: 'h' },
      null,
    );
    assert.equal(limits.maxLoadingDose, 3000);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['DT_LIMIT_WEIGHT'],
    );
    assert.match(warnings[0].message, /maximum loading dose 30 mg\/kg/);
  });
  test('gentamicin in a 3.2 kg neonate: 7 mg/kg = 22.4 mg a dose and a day; ciclosporin (µg) 70 kg: 15 mg/kg/day = 1 050 000 µg', () => {
    const g = resolveLimits(
      modelPolicy(getModel('gentamicin/germovsek2016')).limits,
      { dose: 'mg', time: 'h' },
      3.2,
    );
    assert.ok(rel(g.limits.maxDose!, 22.4) < 1e-12 && rel(g.limits.maxDailyDose!, 22.4) < 1e-12);
    const c = resolveLimits(
      modelPolicy(getModel('ciclosporin/press2010')).limits,
      { dose: 'ug', time: 'h' },
      70,
    );
    assert.ok(rel(c.limits.maxDailyDose!, 1_050_000) < 1e-12);
    assert.equal(c.limits.maxDose, undefined);
  });
  test('voriconazole (an oral model): the tablets’ limits (300 mg a dose, 600 mg a day, loading 400 mg), not the vial’s rate', () => {
    const p = modelPolicy(getModel('voriconazole/friberg2012-adult'));
    assert.equal(p.route, 'oral');
    assert.deepEqual(
      p.limits.map((l) => l.formulation),
      ['tablet'],
    );
    const { limits } = resolveLimits(p.limits, { dose: 'mg', time: 'h' }, 70);
    assert.deepEqual(limits, { maxDose: 300, maxDailyDose: 600, maxLoadingDose: 400 });
  });
  test('tacrolimus and everolimus (Certican): no labelled maximum, no limit', () => {
    for (const id of ['tacrolimus/woillard2011-prograf', 'everolimus/terheine2018'])
      assert.deepEqual(
        resolveLimits(modelPolicy(getModel(id)).limits, getModel(id).ir.units, 70).limits,
        {},
        id,
      );
  });
});

// ------------------------------------------------------------------ the request's examples

const vancoRecord = (): Omit<AnalysisInputs, 'modelId'> => ({
  patientId: 'p',
  start: null,
  targets: [],
  administrations: [0, 12, 24, 36].map((h) => ({
    at: at(h),
    amount: 1000,
    unit: 'mg',
    route: 'infusion' as const,
    duration: { value: 100, unit: 'min' },
    product: 'vial 1 g',
  })),
  samples: [],
  covariates: [
    { at: at(-2), name: 'WT', value: 82, unit: 'kg' },
    { at: at(-2), name: 'AGE', value: 58, unit: 'y' },
    { at: at(-2), name: 'SCR', value: 95, unit: 'umol/L' },
    { at: at(-2), name: 'SEX', value: 0, unit: '-' },
    { at: at(-2), name: 'DIAL', value: 0, unit: '-' },
  ],
});

const pipRecord = (mic: number): AnalysisInputs => ({
  patientId: 'p',
  modelId: 'piperacillin/kim2022',
  start: null,
  targets: [],
  administrations: [0, 8, 16, 24].map((h) => ({
    at: at(h),
    amount: 4,
    unit: 'g',
    route: 'infusion' as const,
    duration: { value: 3, unit: 'h' },
    product: 'piperacillin/tazobactam 4 g/0.5 g',
  })),
  samples: [],
  covariates: [
    { at: at(-2), name: 'WT', value: 75, unit: 'kg' },
    { at: at(-2), name: 'CYSC', value: 1.4, unit: 'mg/L' },
    { at: at(-2), name: 'AGE', value: 62, unit: 'y' },
    { at: at(-2), name: 'SEX', value: 0, unit: '-' },
    { at: at(-2), name: 'ECMO', value: 0, unit: '-' },
  ],
  mic: { value: mic, unit: 'mg/L' },
  fu: 0.91,
});

const hours = (q: { value: number; unit: string } | null): number => (q ? convert(q.value, q.unit, 'h') : 0);

test('vancomycin (goti2018, a priori, 82 kg): 2000 mg every 24 h over 200 min first (it was over 1 h); no dose above 2000 mg or faster than 10 mg/min', () => {
  const a = analyse({ ...vancoRecord(), modelId: 'vancomycin/goti2018' }, { samples: 50 });
  const first = a.candidates[0].regimen;
  assert.deepEqual([first.dose.value, hours(first.interval)], [2000, 24]);
  assert.ok(Math.abs(hours(first.duration) * 60 - 200) < 1e-9, `${hours(first.duration) * 60} min`);
  for (const c of a.candidates) {
    const mg = c.regimen.dose.value;
    const min = hours(c.regimen.duration) * 60;
    assert.ok(mg <= 2000, `${mg} mg`);
    assert.ok(mg / min <= 10 * (1 + 1e-12) && min >= 60, `${mg} mg over ${min} min`);
  }
});

test('piperacillin at MIC 16 (a priori): 4 g every 6 h over 4 h first (it was 78 g every 8 h over 30 min); no dose above 4 g or 16 g a day', () => {
  const a = analyse(pipRecord(16), { samples: 50 });
  const first = a.candidates[0].regimen;
  assert.deepEqual([first.dose.value, hours(first.interval), hours(first.duration)], [4000, 6, 4]);
  for (const c of a.candidates) {
    const mg = c.regimen.dose.value;
    assert.ok(mg <= 4000 && (mg * 24) / hours(c.regimen.interval) <= 16000, `${mg} mg`);
  }
  assert.ok(!a.warnings.some((w) => w.code === 'DT_TARGET_BEYOND_LIMITS'));
});

test('piperacillin at MIC 128: no regimen within the label meets 100 % fT>MIC: DT_TARGET_BEYOND_LIMITS, and the closest within it first (4 g every 6 h over 30 min, the highest fT>MIC)', () => {
  const a = analyse(pipRecord(128), { samples: 20 });
  assert.ok(a.warnings.some((w) => w.code === 'DT_TARGET_BEYOND_LIMITS'));
  assert.match(
    a.warnings.find((w) => w.code === 'DT_DOSE_LIMIT')!.message,
    /every 6 h needs at least \d+ mg, above the 4000 mg allowed \(maximum single dose\)/,
  );
  const first = a.candidates[0];
  assert.deepEqual(
    [first.regimen.dose.value, hours(first.regimen.interval), hours(first.regimen.duration)],
    [4000, 6, 0.5],
  );
  assert.ok(a.candidates.every((c) => !c.metrics[0].met && c.regimen.dose.value <= 4000));
  assert.ok(a.candidates.every((c) => c.metrics[0].value <= first.metrics[0].value));
});

test('the ranking rule in words follows the engine’s criteria, in their order, in English and French', () => {
  for (const mode of ['target', 'pta'] as const)
    for (const lang of ['en', 'fr'] as const) {
      const rule = rankingRule(lang, mode);
      const at = rankingCriteria(mode).map((c) => rule.indexOf(RANK_CRITERIA[c][lang]));
      assert.ok(
        at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])),
        `${mode} ${lang}: ${rule}`,
      );
    }
});

// ------------------------------------------------------------------ property over the library

const limited = listModels().filter(
  (m) => Object.keys(resolveLimits(modelPolicy(m).limits, m.ir.units, 70).limits).length > 0,
);

test('the library models with a limit are those of the drugs whose labels are listed here (tacrolimus and everolimus state none)', () => {
  assert.deepEqual([...new Set(limited.map((m) => m.id.split('/')[0]))].sort(), Object.keys(LABELS).sort());
});

for (const model of limited)
  test(`property: ${model.id}: no candidate breaks its label, for random patients in its domain and random histories (fast-check)`, () => {
    const ir = model.ir;
    const label = LABELS[model.id.split('/')[0]];
    const space = productSpace(model);
    const policy = modelPolicy(model);
    const compiled = model.compiled();
    const mg = (x: number): number => convert(x, ir.units.dose, 'mg');
    const minutes = (x: number): number => convert(x, ir.units.time, 'min');
    const wtRange = ir.covariates.find((c) => c.name === 'WT')?.valid;
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: ir.covariates.length + 6,
          maxLength: ir.covariates.length + 6,
        }),
        fc.boolean(),
        (u, loading) => {
          // Covariates uniform in the model's validity domain (codes 0/1 as integers), model units.
          const cov = ir.covariates.map((c, k) => {
            const lo = c.valid?.lo ?? 0;
            const hi = c.valid?.hi ?? lo * 4 + 1;
            return c.unit === '-' && lo === 0 && hi === 1 ? Math.round(u[k]) : lo + u[k] * (hi - lo);
          });
          const r = u.slice(ir.covariates.length);
          const tau = space.intervals[Math.floor(r[0] * space.intervals.length) % space.intervals.length];
          const dur = space.durations[Math.floor(r[1] * space.durations.length) % space.durations.length];
          const strength =
            space.strengths[Math.floor(r[2] * space.strengths.length) % space.strengths.length];
          const dose = strength * (1 + Math.floor(r[3] * 4));
          const cmt = policy.route === 'oral' ? 1 : ir.compartments.indexOf('central') + 1;
          const rows: RecordInput[] = [0, 1, 2].map((k) => ({
            time: k * tau,
            evid: 1,
            amt: dose,
            rate: dur > 0 ? dose / dur : 0,
            cmt,
            cov,
          }));
          const history = patientFromRecords('p', rows, ir.covariates.length);
          const twin = createTwin(compiled, history, { samples: 0, seed: 1 });
          // The weight: the model's own WT, else one drawn in an adult range.
          const weightKg = wtRange ? undefined : 40 + r[4] * 80;
          const targets = defaultTargets(model).map((t, i) =>
            parseTarget(t, ir.units.conc, ir.units.time, i + 1),
          );
          const mic = [0.5, 2, 8, 16, 64][Math.floor(r[5] * 5) % 5];
          const auc = targets[0].metric.startsWith('auc');
          const rec = recommendWithTwin(
            twin,
            {
              targets: targets.map((t) => t.text),
              space: {
                intervals: space.intervals,
                durations: space.durations,
                strengths: space.strengths,
                cmt,
              },
              limits: policy.limits,
              ...(weightKg !== undefined ? { weightKg } : {}),
              mic: convert(mic, 'mg/L', ir.units.conc),
              horizon: 'steady-state',
              samples: 0,
              seed: 1,
              optimiseFor: 'target',
              maxCandidates: 5,
            },
            targets,
            loading && auc ? targets[0] : undefined,
          );
          const kg = weightKg ?? cov[ir.covariates.findIndex((c) => c.name === 'WT')];
          const cap = ([v, unit]: [number, 'mg' | 'mg/kg']): number => (unit === 'mg/kg' ? v * kg : v);
          for (const c of rec.engine.candidates) {
            const what = `${mg(c.dose)} mg every ${c.interval} over ${minutes(c.duration)} min`;
            const slack = 1 + 1e-9;
            if (label.maxDose) assert.ok(mg(c.dose) <= cap(label.maxDose) * slack, what);
            if (label.maxDaily)
              assert.ok(
                (mg(c.dose) * convert(24, 'h', ir.units.time)) / c.interval <= cap(label.maxDaily) * slack,
                what,
              );
            const infused = policy.route === 'infusion';
            if (infused && label.minMin) assert.ok(minutes(c.duration) >= label.minMin / slack, what);
            if (infused && label.maxMin) assert.ok(minutes(c.duration) <= label.maxMin * slack, what);
            if (label.mgPerMin) assert.ok(mg(c.dose) / minutes(c.duration) <= label.mgPerMin * slack, what);
            assert.ok(c.duration <= c.interval * slack, what);
            if (c.loadingDose > 0) {
              const l = `loading ${mg(c.loadingDose)} mg over ${minutes(c.loadingDuration)} min`;
              const caps = label.maxLoading ?? (label.maxDose ? [label.maxDose] : []);
              for (const x of caps) assert.ok(mg(c.loadingDose) <= cap(x) * slack, l);
              if (label.mgPerMin)
                assert.ok(mg(c.loadingDose) / minutes(c.loadingDuration) <= label.mgPerMin * slack, l);
              assert.ok(c.loadingDuration <= c.interval * slack, l);
            }
            // And the engine's own reading of the limits finds no breach either.
            assert.deepEqual(
              limitBreaches(
                {
                  dose: c.dose,
                  interval: c.interval,
                  duration: c.duration,
                  ...(c.loadingDose > 0
                    ? { loadingDose: c.loadingDose, loadingDuration: c.loadingDuration }
                    : {}),
                },
                rec.limits,
                ir.units.time,
              ),
              [],
              what,
            );
          }
          return true;
        },
      ),
      { seed: 2026, numRuns: compiled.structure.kind === 'ode' ? 4 : 12 },
    );
  });
