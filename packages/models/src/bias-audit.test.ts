// The bias audit on simulated hospitals (Thomson 2009 vancomycin, seeded): patients with CrCL
// below 30 mL/min whose true clearance is twice the model's are the one subgroup flagged; the
// same hospital simulated from the model itself flags none. Why twice and 120 patients: over
// seeds 1-8, 120 patients (30 per renal class) flagged that class alone in 8 of 8 hospitals at
// × 2 and in 3 of 8 at × 1.5 (the twin's MAP absorbs much of the clearance error after one
// trough, and Thomson's V2 varies 130 %), and the unbiased hospital flagged nothing in 8 of 8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CompiledModel,
  createRng,
  DosetwinError,
  individualValues,
  modelParameters,
  parseDataset,
  type PatientData,
  patientFromRecords,
  simulatePopulation,
} from '@dosetwin/engine';
import { type AuditPatient, biasAudit, formatBiasAudit, patientAttributes } from './bias-audit.ts';
import { getModel } from './registry.ts';

const MODEL = getModel('vancomycin/thomson2009').compiled();

interface Person {
  id: string;
  wt: number;
  crcl: number;
  age: number;
  sex: number;
  ward: string;
}

/** Designs: a dose by the model's typical CL (AUC24 ≈ 500 mg·h/L) q12h over 1 h, troughs before doses 4, 6 and 8. */
function design(m: CompiledModel, p: Person): PatientData {
  const values: Record<string, number> = { WT: p.wt, CRCL: p.crcl, AGE: p.age, SEX: p.sex, DIAL: 0 };
  const cov = m.ir.covariates.map((c) => values[c.name]);
  const typical = patientFromRecords(p.id, [{ time: 0, evid: 0, mdv: 1, cov }], cov.length);
  const cl = individualValues(m, typical, null).CL;
  const dose = Math.max(250, Math.round((250 * cl) / 50) * 50);
  const rows = [
    { time: 0, evid: 1, amt: dose, rate: dose, ii: 12, addl: 7, cov },
    ...[35.5, 59.5, 83.5].map((t) => ({ time: t, evid: 0, mdv: 0, dv: 0, cov })),
  ];
  return patientFromRecords(p.id, rows, cov.length);
}

/** A hospital of `n` patients (CrCL spread evenly over the four renal classes), as a CSV; `shifted` patients' CL × `factor`. */
function hospital(n: number, seed: number, shifted: (p: Person) => boolean, factor: number): string {
  const rng = createRng(seed);
  const people: Person[] = Array.from({ length: n }, (_, i) => {
    const band = [
      [15, 29],
      [30, 59],
      [60, 89],
      [90, 130],
    ][i % 4];
    return {
      id: String(i + 1),
      crcl: Math.round(band[0] + rng.uniform() * (band[1] - band[0])),
      wt: Math.round(50 + rng.uniform() * 60),
      age: Math.round(20 + rng.uniform() * 70),
      sex: rng.uniform() < 0.5 ? 0 : 1,
      ward: rng.uniform() < 0.5 ? 'ICU' : 'medicine',
    };
  });
  const base = modelParameters(MODEL.ir);
  const tvcl = MODEL.ir.parameters.findIndex((p) => p.name === 'TVCL');
  const theta = Float64Array.from(base.theta);
  theta[tvcl] *= factor;
  const lines = ['ID,TIME,EVID,AMT,RATE,II,ADDL,MDV,DV,WT,CRCL,AGE,SEX,WARD,DIAL'];
  people.forEach((p, i) => {
    const params = shifted(p) ? { ...base, theta } : base;
    const sim = simulatePopulation(MODEL, [design(MODEL, p)], seed * 1000 + i, params).patients[0];
    for (let r = 0; r < sim.n; r++) {
      const dose = sim.evid[r] === 1;
      const dv = dose ? '.' : Math.max(0.5, sim.dv[r]).toFixed(2);
      lines.push(
        [
          p.id,
          sim.time[r],
          sim.evid[r],
          dose ? sim.amt[r] : '.',
          dose ? sim.rate[r] : '.',
          dose ? 12 : '.',
          dose ? 7 : '.',
          dose ? 1 : 0,
          dv,
          p.wt,
          p.crcl,
          p.age,
          p.sex,
          p.ward,
          0,
        ].join(','),
      );
    }
  });
  return lines.join('\n') + '\n';
}

function auditPatients(text: string): AuditPatient[] {
  const attrs = patientAttributes(text);
  return parseDataset(text, MODEL.ir, 'hospital.csv').patients.map((data) => ({
    data,
    attributes: attrs.get(data.id)!,
  }));
}

const BY = ['sex', 'age', 'crcl', 'weight', 'ward'];

test('bias audit, 120 simulated patients (seed 7) whose CrCL < 30 mL/min have 2 × the model CL: that class and only it is flagged, its levels over-forecast by > 10 %', () => {
  const text = hospital(120, 7, (p) => p.crcl < 30, 2);
  const a = biasAudit(MODEL, auditPatients(text), { by: BY });
  const flagged = a.groups.filter((g) => g.flagged).map((g) => `${g.by} ${g.group}`);
  assert.deepEqual(flagged, ['crcl <30 mL/min'], formatBiasAudit(a));
  const low = a.groups.find((g) => g.group === '<30 mL/min')!;
  assert.equal(low.patients, 30);
  // Three troughs each, the first forecast a priori.
  assert.equal(low.forecasts, 90);
  // Higher true CL: the model forecasts levels above the measured ones.
  assert.ok(low.bias > 0.1 && low.ci![0] > 0, formatBiasAudit(a));
  assert.equal(a.overall.patients, 120);
  assert.equal(a.overall.forecasts, 360);
  // Every subgroup of each dimension accounts for every patient.
  for (const by of BY)
    assert.equal(
      a.groups.filter((g) => g.by === by).reduce((s, g) => s + g.patients, 0),
      120,
      by,
    );
});

test('bias audit of the same hospital simulated from the model itself (seed 7): no subgroup flagged, overall bias within ±10 %', () => {
  const a = biasAudit(MODEL, auditPatients(hospital(120, 7, () => false, 1)), { by: BY });
  assert.deepEqual(
    a.groups.filter((g) => g.flagged).map((g) => g.group),
    [],
    formatBiasAudit(a),
  );
  assert.ok(Math.abs(a.overall.bias) < 0.1 && !a.overall.flagged, formatBiasAudit(a));
});

test('bias audit errors name the field: an unknown subgroup column, a SEX code outside 0/1, a file without levels to forecast', () => {
  const text = hospital(4, 3, () => false, 1);
  const issue = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof DosetwinError, String(e));
      return `${e.issues[0].code} ${e.issues[0].field} ${e.issues[0].message}`;
    }
    return 'no error';
  };
  assert.match(
    issue(() => biasAudit(MODEL, auditPatients(text), { by: ['sex', 'dialysis'] })),
    /^DT_BIAS_AUDIT_SUBGROUP by\[1\] no column DIALYSIS/,
  );
  const badSex = text.replace(/,0,(ICU|medicine),0\n/, ',2,$1,0\n');
  assert.match(
    issue(() => biasAudit(MODEL, auditPatients(badSex), { by: ['sex'] })),
    /^DT_BIAS_AUDIT_SUBGROUP data\[line \d+\]\.SEX patient \d+: SEX = 2 is not one of the codes/,
  );
  const oneLevel = text
    .split('\n')
    .filter((l) => l.split(',')[2] !== '0' || l.split(',')[1] === '35.5')
    .join('\n');
  assert.match(
    issue(() => biasAudit(MODEL, auditPatients(oneLevel), { minEarlier: 1 })),
    /^DT_BIAS_AUDIT_DATA data no patient has 2 levels or more/,
  );
  assert.match(
    issue(() => biasAudit(MODEL, auditPatients(text), { threshold: -1 })),
    /^DT_BIAS_AUDIT_OPTION threshold/,
  );
});
