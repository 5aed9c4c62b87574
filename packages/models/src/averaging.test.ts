// fitDrug and friends (issue 5, model averaging): the per-model fits equal MAP fits of each model
// on its own NONMEM dataset with hand-derived covariates, and the weights follow from their
// objectives; results do not depend on the data's units; exclusions (missing covariate, validity
// domain), formulation-specific candidates, unit rules of the drug-level CSV; and the combined
// recommendation candidates against the steady-state closed form AUC24 = 24·dose/(τ·CL).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DosetwinError,
  estimateMap,
  parseDataset,
  parseTarget,
  recommend,
  Simulator,
} from '@dosetwin/engine';
import {
  combineCandidates,
  exposureDrug,
  fitDrug,
  pinnedSpace,
  predictDrug,
  type DrugPatient,
  type ModelCandidates,
  measuredKey,
} from './averaging.ts';
import { parseDrugData } from './drug-data.ts';
import { candidateModels, formulationsOf } from './drug-models.ts';
import { getModel } from './registry.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const issuesOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DosetwinError, String(e));
    return e.issues.map((i) => `${i.code} ${i.field}: ${i.message}`).join('\n');
  }
  assert.fail('expected a DosetwinError');
};

// ICU patient: 82 kg, 60 y, male, SCr 1.2 mg/dL, no dialysis; 1500 mg then 1000 mg every 12 h over 1 h.
const CSV = `ID,TIME (h),EVID,AMT (mg),RATE,DV (mg/L),WT (kg),SCR (mg/dL),AGE (y),SEX,DIAL,GA (wk)
icu1,0,1,1500,1500,.,82,1.2,60,0,0,40
icu1,12,1,1000,1000,.,82,1.2,60,0,0,40
icu1,13.5,0,0,0,31.5,82,1.2,60,0,0,40
icu1,23.5,0,0,0,14.2,82,1.2,60,0,0,40
icu1,24,1,1000,1000,.,82,1.2,60,0,0,40
`;
const patient = (): DrugPatient => parseDrugData(CSV, 'icu.csv')[0];
// The four vancomycin models these tests were written for (the library grows).
const VANCO = [
  'vancomycin/buelga2005',
  'vancomycin/colin2019',
  'vancomycin/goti2018',
  'vancomycin/thomson2009',
];
// Cockcroft–Gault by hand: (140 − 60)·82/(72·1.2) = 75.925925… mL/min = 4.5555… L/h.
const CRCL = (80 * 82) / (72 * 1.2);

describe('fitDrug: each fit is the model’s own MAP fit; weights follow from the objectives', () => {
  const f = fitDrug('vancomycin', patient(), { models: VANCO });

  test('four vancomycin models fitted; weights sum to 1 (1e-12)', () => {
    assert.deepEqual(
      f.models.map((m) => m.id),
      ['vancomycin/buelga2005', 'vancomycin/colin2019', 'vancomycin/goti2018', 'vancomycin/thomson2009'],
    );
    assert.ok(Math.abs(f.models.reduce((s, m) => s + m.weight, 0) - 1) < 1e-12);
    assert.deepEqual(f.excluded, []);
  });

  test('Goti (CrCL mL/min) and Buelga (CrCL L/h) = estimateMap on their own datasets with CrCL by hand (rel. 1e-9)', () => {
    const own = (id: string, header: string, cov: string): number => {
      const rows = [
        `ID,TIME,EVID,AMT,RATE,DV,${header}`,
        `1,0,1,1500,1500,.,${cov}`,
        `1,12,1,1000,1000,.,${cov}`,
        `1,13.5,0,0,0,31.5,${cov}`,
        `1,23.5,0,0,0,14.2,${cov}`,
        `1,24,1,1000,1000,.,${cov}`,
      ].join('\n');
      const m = getModel(id).compiled();
      return estimateMap(m, parseDataset(rows, m.ir).patients[0]).objective;
    };
    const goti = own('vancomycin/goti2018', 'WT,CRCL,DIAL', `82,${CRCL},0`);
    const buelga = own('vancomycin/buelga2005', 'WT,CRCL', `82,${(CRCL * 60) / 1000}`);
    const byId = new Map(f.models.map((m) => [m.id, m]));
    assert.ok(rel(byId.get('vancomycin/goti2018')!.objective, goti) < 1e-9);
    assert.ok(rel(byId.get('vancomycin/buelga2005')!.objective, buelga) < 1e-9);
    // Weights: w ∝ exp(−OFV/2) over the four models.
    const ofv = f.models.map((m) => m.objective);
    const min = Math.min(...ofv);
    const e = ofv.map((o) => Math.exp(-0.5 * (o - min)));
    const s = e.reduce((a, b) => a + b, 0);
    f.models.forEach((m, k) => assert.ok(rel(m.weight, e[k] / s) < 1e-12));
    assert.equal(f.selected, ofv.indexOf(min));
    assert.ok(Math.abs(byId.get('vancomycin/goti2018')!.individual.CRCL - CRCL) < 1e-9);
  });

  test('the averaged forecast is the weighted mean of the models’ forecasts (rel. 1e-12)', () => {
    const p = predictDrug(f, [36, 13.5]);
    assert.deepEqual(p.times, [13.5, 36]);
    for (let i = 0; i < 2; i++) {
      const mean = f.models.reduce((a, m, k) => a + m.weight * p.models[k][i], 0);
      assert.ok(rel(p.averaged[i], mean) < 1e-12);
    }
    // At a level's time, each model's forecast is its IPRED there.
    f.models.forEach((m, k) => assert.ok(rel(p.models[k][0], m.fit.ipred[0].ipred) < 1e-12));
    const e = exposureDrug(f, { from: 24, to: 36 });
    const auc = f.models.reduce((a, m, k) => a + m.weight * e.models[k].auc, 0);
    assert.ok(rel(e.averaged.auc, auc) < 1e-12);
  });

  test('the data’s units do not matter: minutes, grams, µg/L give the same weights and forecasts (rel. 1e-9)', () => {
    const q = patient();
    q.units = { dose: 'g', time: 'min', conc: 'ug/L' };
    q.records = q.records.map((r) => ({
      ...r,
      time: r.time * 60,
      ...(r.amt !== undefined ? { amt: r.amt / 1000 } : {}),
      ...(r.rate !== undefined ? { rate: r.rate / 1000 / 60 } : {}),
      ...(r.dv !== undefined && r.dv !== null ? { dv: r.dv * 1000 } : {}),
    }));
    const g = fitDrug('vancomycin', q, { models: VANCO });
    g.models.forEach((m, k) => assert.ok(rel(m.weight, f.models[k].weight) < 1e-9, m.id));
    const a = predictDrug(f, [30]).averaged[0];
    const b = predictDrug(g, [30 * 60]).averaged[0];
    assert.ok(rel(b, a * 1000) < 1e-9);
  });

  test('the AIC scheme and the Laplace criterion: weights from OFV + 2k and from NONMEM OBJ', () => {
    const a = fitDrug('vancomycin', patient(), { models: VANCO, scheme: 'aic', criterion: 'laplace' });
    const c = a.models.map((m) => m.fit.obj + 2 * m.parameters);
    const min = Math.min(...c);
    const e = c.map((x) => Math.exp(-0.5 * (x - min)));
    const s = e.reduce((x, y) => x + y, 0);
    a.models.forEach((m, k) => assert.ok(rel(m.weight, e[k] / s) < 1e-12));
    // Goti: 3 etas; Thomson: 4.
    assert.equal(a.models.find((m) => m.id === 'vancomycin/goti2018')!.parameters, 3);
    assert.equal(a.models.find((m) => m.id === 'vancomycin/thomson2009')!.parameters, 4);
  });
});

describe('covariates over time', () => {
  test('SCr measured at two records, empty cells carried: Goti CrCL per record = Cockcroft–Gault by hand (1e-12)', () => {
    const csv = `ID,TIME (h),EVID,AMT (mg),RATE,DV (mg/L),WT (kg),SCR (umol/L),AGE (y),SEX,DIAL,GA (wk)
1,0,1,1000,1000,.,70,88.4,50,1,0,40
1,12,1,1000,1000,.,,,,,,
1,23.5,0,0,0,12,,176.8,,,,
1,24,1,1000,1000,.,,,,,,
`;
    const f = fitDrug('vancomycin', parseDrugData(csv)[0], { models: ['vancomycin/goti2018'] });
    const m = f.models[0];
    // Female, 50 y, 70 kg: (140 − 50)·70/(72·SCr mg/dL)·0.85; SCr 1 mg/dL (88.4 µmol/L), then 2 mg/dL.
    const cg = (scr: number): number => ((90 * 70) / (72 * scr)) * 0.85;
    const k = m.model.ir.covariates.findIndex((c) => c.name === 'CRCL');
    const crcl = Array.from({ length: m.patient.n }, (_, i) => m.patient.cov[i * m.patient.nCov + k]);
    [cg(1), cg(1), cg(2), cg(2)].forEach((v, i) =>
      assert.ok(rel(crcl[i], v) < 1e-12, `record ${i}: ${crcl[i]}`),
    );
    assert.ok(rel(m.individual.CRCL, cg(2)) < 1e-12);
    assert.equal(f.models[0].weight, 1);
  });
});

describe('fitDrug: which models enter', () => {
  test('a missing covariate leaves the model out with a warning naming it (Colin 2019 without GA)', () => {
    const p = parseDrugData(CSV.replace(/,GA \(wk\)/, '').replace(/,40\n/g, '\n'))[0];
    const f = fitDrug('vancomycin', p, { models: VANCO });
    assert.equal(f.models.length, 3);
    assert.deepEqual(
      f.excluded.filter((x) => VANCO.includes(x.id)).map((x) => x.id),
      ['vancomycin/colin2019'],
    );
    const w = f.warnings.find((x) => x.code === 'DT_AVERAGE_EXCLUDED')!;
    assert.match(w.message, /vancomycin\/colin2019 left out of the average: .*GA/);
    assert.ok(Math.abs(f.models.reduce((s, m) => s + m.weight, 0) - 1) < 1e-12);
  });

  test('outside the validity domain: kept with the warning (default), or left out (outsideDomain exclude)', () => {
    const heavy = parseDrugData(CSV.replace(/,82,/g, ',120,'))[0]; // Buelga 2005 was developed for 42..87 kg
    const kept = fitDrug('vancomycin', heavy, { models: VANCO });
    assert.equal(kept.models.length, 4);
    assert.ok(
      kept.warnings.some(
        (w) =>
          w.code === 'DT_DOMAIN_OUTSIDE' &&
          /^vancomycin\/buelga2005: WT is 120 kg; .*42\.\.87 kg/.test(w.message),
      ),
    );
    const out = fitDrug('vancomycin', heavy, { models: VANCO, outsideDomain: 'exclude' });
    assert.ok(!out.models.some((m) => m.id === 'vancomycin/buelga2005'));
    assert.match(out.excluded.find((x) => x.id === 'vancomycin/buelga2005')!.reason, /WT is 120 kg/);
  });

  test('no model usable: one error listing each reason', () => {
    const p = parseDrugData('ID,TIME (h),AMT (mg),RATE,DV (mg/L)\n1,0,1000,1000,.\n1,2,0,0,20\n')[0];
    const msg = issuesOf(() => fitDrug('vancomycin', p, { models: VANCO }));
    for (const id of ['buelga2005', 'colin2019', 'goti2018', 'thomson2009'])
      assert.match(msg, new RegExp(`DT_AVERAGE_NO_MODEL models\\.vancomycin/${id}: .*WT`));
  });

  test('comparability: analyte, fraction and matrix are what likelihoods are compared on', () => {
    assert.equal(measuredKey('vancomycin, total, serum (FPIA)'), 'vancomycin | total | plasma/serum');
    assert.equal(measuredKey('vancomycin, total, plasma'), 'vancomycin | total | plasma/serum');
    assert.equal(measuredKey('tacrolimus, whole blood (LC-MS/MS)'), 'tacrolimus | total | whole blood');
    assert.equal(
      measuredKey('mycophenolic acid, unbound, plasma'),
      'mycophenolic acid | unbound | plasma/serum',
    );
    // A later note about the free fraction does not make total levels unbound.
    assert.equal(
      measuredKey(
        'piperacillin, total, plasma (LC-MS/MS); free fraction 0.91 used by the authors for fT>MIC',
      ),
      'piperacillin | total | plasma/serum',
    );
    assert.equal(
      measuredKey('mycophenolic acid (MPA), free, plasma'),
      'mycophenolic acid | unbound | plasma/serum',
    );
  });
});

describe('candidate models and formulations', () => {
  test('tacrolimus models are formulation-specific: the formulation is required and selects them', () => {
    assert.deepEqual(formulationsOf(getModel('tacrolimus/woillard2011-advagraf')), ['Advagraf']);
    assert.deepEqual(formulationsOf(getModel('vancomycin/goti2018')), []);
    assert.match(
      issuesOf(() => candidateModels('tacrolimus')),
      /DT_FORMULATION_NEEDED formulation: .*Prograf.*Advagraf|Advagraf.*Prograf/,
    );
    const adv = candidateModels('tacrolimus', { formulation: 'advagraf' });
    assert.deepEqual(
      adv.models.map((m) => m.id),
      ['tacrolimus/woillard2011-advagraf'],
    );
    const pro = candidateModels('tacrolimus', { formulation: 'Prograf' });
    for (const id of ['tacrolimus/andrews2019', 'tacrolimus/woillard2011-prograf'])
      assert.ok(
        pro.models.some((m) => m.id === id),
        id,
      );
    assert.ok(pro.models.every((m) => formulationsOf(m).includes('Prograf')));
    assert.deepEqual(
      pro.excluded.map((x) => x.id),
      ['tacrolimus/woillard2011-advagraf'],
    );
    assert.match(
      issuesOf(() => candidateModels('tacrolimus', { formulation: 'Envarsus' })),
      /DT_FORMULATION_UNKNOWN/,
    );
    for (const id of VANCO) assert.ok(candidateModels('vancomycin').models.some((m) => m.id === id));
    assert.match(
      issuesOf(() => candidateModels('aspirin')),
      /DT_DRUG_UNKNOWN drug: the library has no model of 'aspirin'/,
    );
    assert.match(
      issuesOf(() => candidateModels('vancomycin', { models: ['vancomycin/nobody2000'] })),
      /DT_MODEL_UNKNOWN models: 'vancomycin\/nobody2000' is not a vancomycin model/,
    );
  });
});

describe('drug-level CSV: every quantity has its unit', () => {
  test('TIME, AMT and DV need a unit in the header', () => {
    assert.match(
      issuesOf(() => parseDrugData('ID,TIME,AMT (mg),DV (mg/L)\n1,0,100,.\n')),
      /DT_DATA TIME: column TIME has no unit/,
    );
    assert.match(
      issuesOf(() => parseDrugData('ID,TIME (h),AMT (mg),RATE (mg/min),DV (mg/L)\n1,0,100,1,.\n')),
      /RATE is in mg\/min; it must be AMT per TIME \(mg\/h\)/,
    );
  });
  test('a covariate read with a unit by some model must have one (WT without unit: Buelga reads kg)', () => {
    const p = parseDrugData(CSV.replace('WT (kg)', 'WT'))[0];
    assert.match(
      issuesOf(() => fitDrug('vancomycin', p, { models: VANCO })),
      /DT_DATA_UNIT WT: WT is given without a unit; vancomycin\/buelga2005 reads it in kg/,
    );
  });
  test('records are checked before any fit: EVID, AMT of a dose, ADDL without II, time order', () => {
    const p = patient();
    p.records[0] = { ...p.records[0], evid: 7 };
    p.records[1] = { ...p.records[1], amt: 0 };
    p.records[4] = { ...p.records[4], time: 5, addl: 2 };
    const msg = issuesOf(() => fitDrug('vancomycin', p, { models: VANCO }));
    assert.match(msg, /records\[2\]\.EVID: EVID 7 is not one of/);
    assert.match(msg, /records\[3\]\.AMT: dose record \(EVID 1\/4\) with AMT 0/);
    assert.match(msg, /records\[6\]\.II: ADDL 2 needs II > 0/);
    assert.match(msg, /records\[6\]\.TIME: TIME 5 is before the previous record's 23\.5/);
  });
  test('CMT is model-specific: refused', () => {
    const p = parseDrugData(
      CSV.replace('RATE,', 'RATE,CMT,').replace(/(\n[^,\n]*,[^,\n]*,[^,\n]*,[^,\n]*,[^,\n]*,)/g, '$11,'),
    )[0];
    assert.match(
      issuesOf(() => fitDrug('vancomycin', p, { models: VANCO })),
      /DT_DATA records\[2\]\.CMT: CMT is model-specific/,
    );
  });
});

describe('combineCandidates: the same regimens under each model', () => {
  test('1000 mg every 12 h over 1 h: averaged AUC24 = Σ w·24·1000/(12·CL_m) at steady state (rel. 1e-6); PTA = Σ w·P_m', () => {
    const f = fitDrug('vancomycin', patient(), { models: ['vancomycin/goti2018', 'vancomycin/thomson2009'] });
    const per: ModelCandidates[] = f.models.map((m) => {
      const ir = m.model.ir;
      const targets = [parseTarget('auc24=400..600', ir.units.conc, ir.units.time)];
      const r = recommend({
        sim: new Simulator(m.model.compiled()),
        history: m.patient,
        point: m.fit.eta,
        draws: [m.fit.eta, new Float64Array(m.fit.eta.length)],
        targets,
        space: pinnedSpace({ dose: 1000, interval: 12, duration: 1 }, 36),
      });
      assert.equal(r.candidates.length, 1);
      assert.equal(r.candidates[0].dose, 1000);
      return { id: m.id, weight: m.weight, units: ir.units, targets, candidates: r.candidates };
    });
    const out = combineCandidates(per, { dose: 'g', time: 'h', conc: 'mg/L' });
    assert.equal(out.length, 1);
    const c = out[0];
    assert.equal(c.dose, 1);
    assert.equal(c.interval, 12);
    const expected = f.models.reduce((a, m) => a + m.weight * ((24 * 1000) / 12 / m.individual.CL), 0);
    assert.ok(rel(c.metrics[0], expected) < 1e-6, `${c.metrics[0]} vs ${expected}`);
    assert.deepEqual(c.met, [expected >= 400 && expected <= 600]);
    const pta = f.models.reduce((a, m, k) => a + m.weight * per[k].candidates[0].pta!.all, 0);
    assert.ok(Math.abs(c.pta!.all - pta) < 1e-15);
    // A regimen missing under one model is an error naming it.
    per[1].candidates = [];
    assert.match(
      issuesOf(() => combineCandidates(per, { dose: 'mg', time: 'h', conc: 'mg/L' })),
      /DT_AVERAGE_REGIMEN models\.vancomycin\/thomson2009\.candidates/,
    );
  });
});

test('fitDrug lists individual parameters only: everolimus CL and F, not its plasma or red-cell concentrations', () => {
  // Kidney transplant recipient, 0.75 mg every 12 h, trough 4.1 ng/mL after the 7th dose.
  const csv = `ID,TIME (h),EVID,AMT (mg),DV (ng/mL),WT (kg),HT (cm),SEX,HCT (L/L),PRED_DOSE (mg/day)
k1,0,1,0.75,.,75,178,0,0.38,10
${[1, 2, 3, 4, 5, 6].map((k) => `k1,${12 * k},1,0.75,.,75,178,0,0.38,10`).join('\n')}
k1,84,0,0,4.1,75,178,0,0.38,10
`;
  const f = fitDrug('everolimus', parseDrugData(csv, 'evr.csv')[0], {});
  const p = f.models[0].individual;
  assert.ok(p.CL > 0 && p.F > 0 && p.F < 1, JSON.stringify(p));
  for (const name of ['CP', 'CRBC', 'CWB', 'central', 'depot']) assert.equal(p[name], undefined, name);
});
