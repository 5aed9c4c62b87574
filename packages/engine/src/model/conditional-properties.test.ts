// A compartment property assigned inside an `if` without `else` (`if (X > 1) { bioav(depot) = 0.5 }`)
// is honoured where the branch runs and takes its default (F 1, lag 0) where it does not — also at
// the next record of the same patient when a time-varying covariate leaves the branch. The
// compiler once kept only the properties assigned on every path, so such an F or lag was dropped
// silently (F 1 and no lag for every patient). A control stream's `IF (X.GT.1) F1 = 0.5` takes
// PREDPP's default where the condition fails, with a warning: NONMEM keeps the previous record's
// value there (nonmem/translate.ts), which dosetwin does not reproduce.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseDataset } from '../events/dataset.ts';
import { patientFromRecords, type PatientData, type RecordInput } from '../events/records.ts';
import { buildClosedFormSensitivity, ClosedFormJacobian } from '../estimate/closed-form-sensitivity.ts';
import { FiniteDifferences } from '../estimate/jacobian.ts';
import { estimateMap } from '../estimate/map.ts';
import { MapObjective } from '../estimate/objective.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { Simulator } from '../simulate/simulator.ts';
import { compile } from '../test-support/models.ts';
import { compileModel, type CompiledModel } from './compile.ts';

const DTM = `covariates unit valid label handling
  X - 0..5 "formulation indicator" required
parameters value unit label
  TVCL 2 L/h "cl"
  TVV 20 L "v"
  TVKA 1.5 1/h "ka"
random
  eta_CL ~ 0.1    eta_V ~ 0.05    eta_KA ~ 0.2
equations
  CL = TVCL * exp(eta_CL)
  V = TVV * exp(eta_V)
  KA = TVKA * exp(eta_KA)
  if (X > 1) {
    bioav(depot) = 0.5
    lag(depot) = 2
  }
  pk one_cmt(cl = CL, v = V, ka = KA)
  CP = central / V
error
  CP ~ prop(0.1)
`;

const CTL = `$PROB conditional F1 and ALAG1 (FICTITIOUS values, for tests)
; units dose mg | time h | conc mg/L
$INPUT ID TIME AMT EVID MDV DV X CMT
$DATA cond.csv IGNORE=@
$SUBROUTINES ADVAN2 TRANS2
$PK
  CL = THETA(1)*EXP(ETA(1))
  V  = THETA(2)*EXP(ETA(2))
  KA = THETA(3)*EXP(ETA(3))
  IF (X.GT.1) THEN
    F1 = 0.5
    ALAG1 = 2
  ENDIF
  S2 = V
$ERROR
  Y = F*(1 + EPS(1))
$THETA 2 20 1.5
$OMEGA 0.1 0.05 0.2
$SIGMA 0.01
`;

/** Dose (AMT 100 into the depot) and observation rows, each with its X. */
type Row = { t: number; dose?: boolean; X: number };
const PATIENTS: { id: string; rows: Row[] }[] = [
  // X 0 throughout: F 1, no lag.
  {
    id: '1',
    rows: [
      { t: 0, dose: true, X: 0 },
      { t: 1, X: 0 },
      { t: 4, X: 0 },
      { t: 10, X: 0 },
    ],
  },
  // X 2 throughout: F 0.5, lag 2 h (nothing in at 1 h).
  {
    id: '2',
    rows: [
      { t: 0, dose: true, X: 2 },
      { t: 1, X: 2 },
      { t: 4, X: 2 },
      { t: 10, X: 2 },
    ],
  },
  // X changes between records: the branch's F and lag for the first dose, the defaults again for
  // the second (the property written at one record and not at the next), the branch's for the third.
  // Each lagged dose enters where the next record has the same X (its F is that record's).
  {
    id: '3',
    rows: [
      { t: 0, dose: true, X: 2 },
      { t: 3, X: 2 },
      { t: 12, dose: true, X: 0 },
      { t: 13, X: 0 },
      { t: 18, X: 0 },
      { t: 24, dose: true, X: 2 },
      { t: 25, X: 2 },
      { t: 27, X: 2 },
      { t: 30, X: 2 },
    ],
  },
];

/**
 * By hand: the one-compartment oral closed form superposed over the doses,
 * C(t) = Σ F·D·ka/(V(ka − k))·(e^{−k(t − t_e)} − e^{−ka(t − t_e)}) over doses entered at t_e < t,
 * with F 0.5 and t_e = dose time + 2 h where X > 1, F 1 and t_e = dose time elsewhere.
 */
function byHand(rows: Row[], eta: readonly number[]): number[] {
  const CL = 2 * Math.exp(eta[0]);
  const V = 20 * Math.exp(eta[1]);
  const ka = 1.5 * Math.exp(eta[2]);
  const k = CL / V;
  const doses = rows
    .filter((r) => r.dose)
    .map((r) => ({ te: r.t + (r.X > 1 ? 2 : 0), F: r.X > 1 ? 0.5 : 1 }));
  return rows
    .filter((r) => !r.dose)
    .map((r) =>
      doses
        .filter((d) => d.te < r.t)
        .reduce(
          (c, d) =>
            c +
            ((d.F * 100 * ka) / (V * (ka - k))) *
              (Math.exp(-k * (r.t - d.te)) - Math.exp(-ka * (r.t - d.te))),
          0,
        ),
    );
}

const dtmPatient = (id: string, rows: Row[], dv?: number[]): PatientData => {
  let j = 0;
  const input: RecordInput[] = rows.map((r) =>
    r.dose
      ? { time: r.t, evid: 1, amt: 100, cmt: 1, cov: [r.X] }
      : { time: r.t, evid: 0, cmt: 2, dv: dv ? dv[j++] : 1, cov: [r.X] },
  );
  return patientFromRecords(id, input, 1);
};

function predictions(model: CompiledModel, p: PatientData, eta: readonly number[]): number[] {
  const out = new Float64Array(p.n);
  new Simulator(model).run(p, Float64Array.from(eta), out);
  return Array.from(out).filter((_, i) => p.evid[i] === 0);
}

const ETAS = [
  [0, 0, 0],
  [0.2, -0.1, 0.3],
  [-0.3, 0.15, -0.4],
];

const assertClose = (got: number[], want: number[], tol: number, what: string): void => {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(...want.map(Math.abs));
  got.forEach((g, j) =>
    assert.ok(Math.abs(g - want[j]) <= tol * scale, `${what}, observation ${j + 1}: ${g} vs ${want[j]}`),
  );
};

describe('compartment properties assigned inside an if without else', () => {
  test('.dtm: the branch’s F and lag where X > 1, F 1 and no lag elsewhere, record by record (closed-form superposition by hand, 1e-10)', () => {
    const model = compile(DTM);
    assert.ok(
      model.cmtProps.bioav[0] >= 0 && model.cmtProps.lag[0] >= 0,
      'bioav(depot) and lag(depot) are modelled',
    );
    for (const { id, rows } of PATIENTS)
      for (const eta of ETAS)
        assertClose(
          predictions(model, dtmPatient(id, rows), eta),
          byHand(rows, eta),
          1e-10,
          `ID ${id}, eta ${eta}`,
        );
  });

  test('.dtm with explicit d/dt (the ODE path, solved exactly as a linear system): the same concentrations (1e-9)', () => {
    const model = compile(
      DTM.replace('equations\n', 'compartments depot, central\nequations\n').replace(
        '  pk one_cmt(cl = CL, v = V, ka = KA)\n',
        '  d/dt(depot) = -KA * depot\n  d/dt(central) = KA * depot - CL / V * central\n',
      ),
    );
    assert.equal(model.structure.kind, 'linear-ode');
    for (const { id, rows } of PATIENTS)
      for (const eta of ETAS)
        assertClose(
          predictions(model, dtmPatient(id, rows), eta),
          byHand(rows, eta),
          1e-9,
          `ID ${id}, eta ${eta}`,
        );
    // MAP through the forward sensitivity equations equals MAP with finite differences.
    const rows = PATIENTS[2].rows;
    const dv = byHand(rows, [0.2, -0.1, 0.3]).map((c, j) => c * (1 + 0.05 * Math.sin(7 * j + 1)));
    const p = dtmPatient('3', rows, dv);
    const a = estimateMap(model, p);
    const f = estimateMap(model, p, { derivatives: 'finite-differences' });
    assert.ok(a.converged && f.converged, `${a.message}; ${f.message}`);
    for (let i = 0; i < 3; i++)
      assert.ok(Math.abs(a.eta[i] - f.eta[i]) < 1e-4, `eta ${i + 1}: ${a.eta[i]} vs ${f.eta[i]}`);
    assert.ok(Math.abs(a.objective - f.objective) < 1e-6, `${a.objective} vs ${f.objective}`);
  });

  test('an F and a lag moved by etas inside the if: analytic derivatives (0 where the branch does not run) equal central differences, MAP equals MAP with finite differences', () => {
    const model = compile(
      DTM.replace('eta_KA ~ 0.2', 'eta_KA ~ 0.2    eta_LAG ~ 0.1    eta_F ~ 0.1')
        .replace('bioav(depot) = 0.5', 'bioav(depot) = 0.5 * exp(eta_F)')
        .replace('lag(depot) = 2', 'lag(depot) = 2 * exp(eta_LAG)'),
    );
    const cf = buildClosedFormSensitivity(model, [0, 1, 2, 3, 4]);
    assert.ok(cf, 'analytic derivatives, not finite differences');
    const analytic = new ClosedFormJacobian(cf, {}, new FiniteDifferences('forward', 1e-7));
    for (const { id, rows } of PATIENTS) {
      const obj = new MapObjective(new Simulator(model), dtmPatient(id, rows));
      for (const eta of [
        [0.2, -0.1, 0.3, 0.15, -0.1],
        [-0.3, 0.15, -0.4, -0.2, 0.2],
      ]) {
        const x = Float64Array.from(eta);
        const F = new Float64Array(obj.nPred);
        const J = new Float64Array(obj.nPred * 5);
        assert.ok(analytic.compute(obj, x, F, J));
        const Fd = new Float64Array(obj.nPred);
        const Jd = new Float64Array(obj.nPred * 5);
        assert.ok(new FiniteDifferences('central', 1e-5).compute(obj, x, Fd, Jd));
        const scale = Math.max(...F.map(Math.abs));
        J.forEach((v, k) =>
          assert.ok(
            Math.abs(v - Jd[k]) <= 1e-7 * scale,
            `ID ${id}, eta ${eta}, entry ${k}: ${v} vs ${Jd[k]}`,
          ),
        );
        // Patient 1 (X 0) never runs the branch: nothing depends on eta_LAG or eta_F.
        if (id === '1')
          for (let j = 0; j < obj.nPred; j++) assert.ok(J[j * 5 + 3] === 0 && J[j * 5 + 4] === 0);
      }
    }
    const rows = PATIENTS[2].rows;
    const dv = byHand(rows, [0.2, -0.1, 0.3]).map((c, j) => c * (1 + 0.05 * Math.sin(7 * j + 1)));
    const p = dtmPatient('3', rows, dv);
    const a = estimateMap(model, p);
    const f = estimateMap(model, p, { derivatives: 'finite-differences' });
    assert.ok(a.converged && f.converged, `${a.message}; ${f.message}`);
    for (let i = 0; i < 5; i++)
      assert.ok(Math.abs(a.eta[i] - f.eta[i]) < 1e-4, `eta ${i + 1}: ${a.eta[i]} vs ${f.eta[i]}`);
    assert.ok(Math.abs(a.objective - f.objective) < 1e-6, `${a.objective} vs ${f.objective}`);
  });

  test('a rate set inside the if: a RATE = −1 dose takes it where the branch runs, and is refused by name where it does not', () => {
    // IV one-compartment: rate(central) = 50 mg/h where X > 1; 100 mg over 2 h, then
    // C(t) = R/CL·(1 − e^{−kt}) during the infusion, its end value·e^{−k(t − 2)} after (k = CL/V).
    const model = compile(`covariates unit valid label handling
  X - 0..5 "indicator" required
parameters value unit label
  TVCL 2 L/h "cl"
  TVV 20 L "v"
equations
  if (X > 1) {
    rate(central) = 50
  }
  pk one_cmt(cl = TVCL, v = TVV)
  CP = central / TVV
error
  CP ~ prop(0.1)
`);
    const run = (X: number): number[] => {
      const p = patientFromRecords(
        '7',
        [
          { time: 0, evid: 1, amt: 100, rate: -1, cmt: 1, cov: [X], line: 2 },
          { time: 1, evid: 0, cmt: 1, dv: 1, cov: [X] },
          { time: 5, evid: 0, cmt: 1, dv: 1, cov: [X] },
        ],
        1,
      );
      return predictions(model, p, []);
    };
    const k = 2 / 20;
    const end = (50 / 2) * (1 - Math.exp(-k * 2));
    assertClose(run(2), [(50 / 2) * (1 - Math.exp(-k)), end * Math.exp(-k * 3)], 1e-12, 'X 2');
    assert.throws(
      () => run(0),
      (e: unknown) =>
        e instanceof DosetwinError &&
        e.issues[0].code === 'DT_PARAM_DOMAIN' &&
        e.issues[0].field.endsWith('.RATE') &&
        /rate\(central\) is not set at this record/.test(e.issues[0].message),
    );
  });

  test('control stream: the same concentrations, and a warning that NONMEM would keep the previous record’s value', () => {
    const cs = parseControlStream(CTL, 'cond.mod');
    for (const name of ['F1', 'ALAG1'])
      assert.ok(
        cs.warnings.some(
          (w) =>
            w.code === 'DT_NONMEM_CONDITIONAL' &&
            w.severity === 'warning' &&
            w.message.startsWith(`${name} is set only under some conditions`),
        ),
        `a warning for ${name}`,
      );
    const model = compileModel(cs.ir);
    const csv = ['ID,TIME,AMT,EVID,MDV,DV,X,CMT'];
    for (const { id, rows } of PATIENTS)
      for (const r of rows)
        csv.push(r.dose ? `${id},${r.t},100,1,1,.,${r.X},1` : `${id},${r.t},0,0,0,1,${r.X},2`);
    const patients = parseDataset(csv.join('\n') + '\n', cs.ir, 'cond.csv').patients;
    assert.equal(patients.length, PATIENTS.length);
    PATIENTS.forEach(({ id, rows }, i) => {
      for (const eta of ETAS)
        assertClose(predictions(model, patients[i], eta), byHand(rows, eta), 1e-10, `ID ${id}, eta ${eta}`);
    });
  });

  test('MAP: the analytic derivatives equal central differences, and the fit with them equals the fit with finite differences', () => {
    const model = compile(DTM);
    const cf = buildClosedFormSensitivity(model, [0, 1, 2]);
    assert.ok(cf, 'the closed form keeps its analytic derivatives');
    const analytic = new ClosedFormJacobian(cf, {}, new FiniteDifferences('forward', 1e-7));
    for (const { id, rows } of PATIENTS) {
      const obj = new MapObjective(new Simulator(model), dtmPatient(id, rows));
      for (const eta of ETAS.slice(1)) {
        const x = Float64Array.from(eta);
        const F = new Float64Array(obj.nPred);
        const J = new Float64Array(obj.nPred * 3);
        assert.ok(analytic.compute(obj, x, F, J));
        const Fd = new Float64Array(obj.nPred);
        const Jd = new Float64Array(obj.nPred * 3);
        assert.ok(new FiniteDifferences('central', 1e-5).compute(obj, x, Fd, Jd));
        const scale = Math.max(...F.map(Math.abs));
        J.forEach((v, k) =>
          assert.ok(
            Math.abs(v - Jd[k]) <= 1e-7 * scale,
            `ID ${id}, eta ${eta}, entry ${k}: ${v} vs ${Jd[k]}`,
          ),
        );
      }
    }
    // Levels of patient 3 drawn around eta (0.2, −0.1, 0.3) (±5 %, fixed): both fits reach the
    // same mode, where central differences of the objective vanish.
    const rows = PATIENTS[2].rows;
    const dv = byHand(rows, [0.2, -0.1, 0.3]).map((c, j) => c * (1 + 0.05 * Math.sin(7 * j + 1)));
    const p = dtmPatient('3', rows, dv);
    const a = estimateMap(model, p);
    const f = estimateMap(model, p, { derivatives: 'finite-differences' });
    assert.ok(a.converged && f.converged, `${a.message}; ${f.message}`);
    for (let i = 0; i < 3; i++)
      assert.ok(Math.abs(a.eta[i] - f.eta[i]) < 1e-4, `eta ${i + 1}: ${a.eta[i]} vs ${f.eta[i]}`);
    assert.ok(Math.abs(a.objective - f.objective) < 1e-7, `${a.objective} vs ${f.objective}`);
    const obj = new MapObjective(new Simulator(model), p);
    for (let i = 0; i < 3; i++) {
      const h = 1e-5;
      const up = Float64Array.from(a.x);
      const dn = Float64Array.from(a.x);
      up[i] += h;
      dn[i] -= h;
      const g = (obj.value(up) - obj.value(dn)) / (2 * h);
      assert.ok(Math.abs(g) < 1e-3, `∂objective/∂eta ${i + 1} at the mode: ${g}`);
    }
    // The fitted levels follow the branch: the dose at 12 h (X 0) enters unlagged with F 1.
    const ipred = byHand(rows, Array.from(a.eta));
    a.ipred.forEach((o, j) =>
      assert.ok(Math.abs(o.ipred - ipred[j]) <= 1e-10 * Math.max(...ipred), `IPRED ${j + 1}`),
    );
  });
});
