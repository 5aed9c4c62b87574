// The exposure of the sampled dosing intervals (what `dosetwin fit` prints beside the etas), on a
// coarser first-pass grid than computeExposure's default: a narrow oral peak well inside the first
// cell of a long interval is still settled, against the closed form (superposed doses, the peak
// found here by bisection on its slope).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Simulator } from '../simulate/simulator.ts';
import { compile, patient } from '../test-support/models.ts';
import { emptyPatient, type PatientData, patientFromRecords } from '../events/records.ts';
import { sampledExposure, sampledIntervals, withoutDosesFrom } from './sampled-intervals.ts';

const CL = 3.5;
const V = 70;
const KA = 9;
const ORAL = compile(
  `parameters value unit label\n  TVCL ${CL} L/h "cl"\n  TVV ${V} L "v"\n  TVKA ${KA} 1/h "ka"\nrandom\n  eta_CL ~ 0.1\n` +
    `equations\n  CL = TVCL * exp(eta_CL)\n  V = TVV\n  KA = TVKA\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n` +
    `error\n  CP ~ prop(0.1)\n`,
);
const D = 500;
const k = CL / V;
/** The closed form: each dose's Bateman curve, superposed. */
const conc = (t: number, doses: number[]): number =>
  doses
    .filter((d) => t >= d)
    .reduce(
      (c, d) => c + ((D * KA) / (V * (KA - k))) * (Math.exp(-k * (t - d)) - Math.exp(-KA * (t - d))),
      0,
    );
/** The peak after `from`: the slope's zero by bisection (the slope falls through it). */
const peak = (from: number, to: number, doses: number[]): number => {
  const slope = (t: number): number => conc(t + 1e-7, doses) - conc(t - 1e-7, doses);
  let lo = from + 1e-6;
  let hi = to;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (slope(mid) > 0) lo = mid;
    else hi = mid;
  }
  return conc((lo + hi) / 2, doses);
};
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

test('sampled intervals: a peak at 0.58 h inside a 72 h interval (the first grid cell 0.72 h) and the second dose’s, Cmax and Cmin = the closed form (rel 1e-12), AUC (rel 1e-10)', () => {
  // Doses at 0 and 72 (II 72, so the second interval ends at 144); levels in each interval.
  const h = patient(
    [
      { time: 0, evid: 1, amt: D, cmt: 1 },
      { time: 5, evid: 0, dv: 5 },
      { time: 60, evid: 0, dv: 1 },
      { time: 72, evid: 1, amt: D, cmt: 1, ii: 72 },
      { time: 80, evid: 0, dv: 5 },
    ],
    [],
  );
  const e = sampledExposure(new Simulator(ORAL), h, [0]);
  assert.deepEqual(
    e.map((w) => [w.from, w.to, w.levels]),
    [
      [0, 72, 2],
      [72, 144, 1],
    ],
  );
  const tmax = Math.log(KA / k) / (KA - k);
  assert.ok(tmax > 0.5 && tmax < 0.72, `tmax ${tmax} h lies in the first cell of a 100-point grid`);
  assert.ok(rel(e[0].cmax, conc(tmax, [0])) < 1e-12, `Cmax ${e[0].cmax} vs ${conc(tmax, [0])}`);
  assert.equal(e[0].cmin, 0);
  assert.ok(rel(e[1].cmax, peak(72, 80, [0, 72])) < 1e-12, `${e[1].cmax}`);
  // The first dose's residue as the second enters is below the level at the interval's end.
  const trough = conc(72, [0, 72]);
  assert.ok(trough < conc(144, [0, 72]));
  assert.ok(rel(e[1].cmin, trough) < 1e-12, `Cmin ${e[1].cmin} vs ${trough}`);
  // ∫ over (0, 72] of one Bateman curve.
  const auc = (t: number): number =>
    ((D * KA) / (V * (KA - k))) * ((1 - Math.exp(-k * t)) / k - (1 - Math.exp(-KA * t)) / KA);
  assert.ok(rel(e[0].auc, auc(72)) < 1e-10);
});

test('withoutDosesFrom into a reused patient: the same records as a new one, nothing left of the patient before', () => {
  // First a longer history with infusions, ADDL and SS in every dose field, then a shorter one whose
  // doses from t = 24 on are cut: a reused record must not keep the first patient's dose fields.
  const long = patient(
    [0, 0.5, 1, 1.5].map((t) => ({ time: t, amt: 900, cmt: 1, rate: 300, ii: 12, addl: 5, ss: 1 })),
    [2, 30, 50, 81, 90],
    1,
  );
  const short = patient(
    [
      { time: 0, amt: 500, cmt: 1 },
      { time: 24, amt: 500, cmt: 1, ii: 12, addl: 3 },
    ],
    [2, 23],
    1,
  );
  const into = emptyPatient('x', long.n, 0);
  withoutDosesFrom(long, 1000, into);
  const reused = withoutDosesFrom(short, 24, into);
  const fresh = withoutDosesFrom(short, 24);
  assert.equal(reused, into);
  assert.equal(reused.n, short.n);
  assert.equal(reused.id, short.id);
  for (const f of [
    'time',
    'evid',
    'amt',
    'rate',
    'cmt',
    'ii',
    'addl',
    'ss',
    'mdv',
    'dv',
    'occ',
    'line',
  ] as const)
    assert.deepEqual(Array.from(reused[f].subarray(0, short.n)), Array.from(fresh[f]), f);
  // The cut dose at 24 reads as a prediction record, its ADDL gone.
  assert.deepEqual(Array.from(fresh.evid), [1, 0, 0, 2]);
  assert.deepEqual(Array.from(fresh.addl), [0, 0, 0, 0]);
});

/** sampledIntervals as first written (objects, sort by time then longest II, filters): the reference. */
function referenceIntervals(h: PatientData): { from: number; to: number; levels: number }[] {
  const EPS = 1e-9;
  const doses: { t: number; ii: number }[] = [];
  for (let i = 0; i < h.n; i++) {
    if (!(h.evid[i] === 1 || h.evid[i] === 4) || !(h.amt[i] > 0)) continue;
    const ii = h.ii[i] > 0 ? h.ii[i] : 0;
    for (let k = 0; k <= (ii > 0 ? h.addl[i] : 0); k++) doses.push({ t: h.time[i] + k * ii, ii });
  }
  doses.sort((a, b) => a.t - b.t || b.ii - a.ii);
  const starts = doses.filter((d, j) => j === 0 || d.t - doses[j - 1].t > EPS);
  const levels: number[] = [];
  for (let i = 0; i < h.n; i++) if (h.evid[i] === 0 && h.mdv[i] === 0) levels.push(h.time[i]);
  const out: { from: number; to: number; levels: number }[] = [];
  starts.forEach((d, j) => {
    const next = starts[j + 1];
    const inside = (to: number): number[] => levels.filter((t) => t > d.t + EPS && t <= to + EPS);
    const to = next ? next.t : d.ii > 0 ? d.t + d.ii : Math.max(...inside(Infinity));
    if (!(to > d.t)) return;
    const n = inside(to).length;
    if (n) out.push({ from: d.t, to, levels: n });
  });
  return out;
}

test('sampledIntervals = the reference on random histories (doses with and without II and ADDL, ties, EPS-close times, unmeasured levels)', () => {
  const time = fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((t) => t / 2),
    fc.integer({ min: 0, max: 3 }).map((t) => t * 12 + 1e-10),
  );
  const row = fc.record({
    time,
    kind: fc.constantFrom('dose', 'dose', 'level', 'level', 'unmeasured', 'reset'),
    amt: fc.constantFrom(0, 100),
    ii: fc.constantFrom(0, 0, 12, 24),
    addl: fc.integer({ min: 0, max: 4 }),
  });
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 14 }), (rows) => {
      const records = rows
        .map((r) =>
          r.kind === 'dose'
            ? { time: r.time, amt: r.amt, cmt: 1, ii: r.ii, addl: r.ii > 0 ? r.addl : 0 }
            : r.kind === 'reset'
              ? { time: r.time, evid: 4, amt: r.amt, cmt: 1 }
              : r.kind === 'level'
                ? { time: r.time, evid: 0, cmt: 1, dv: 1 }
                : { time: r.time, evid: 0, cmt: 1, mdv: 1 },
        )
        .sort((a, b) => a.time - b.time);
      const p = patientFromRecords('1', records, 0);
      assert.deepEqual(sampledIntervals(p), referenceIntervals(p));
    }),
    { numRuns: 2000, seed: 7 },
  );
  // Two doses at the last dose time, the later record without II: the interval still runs one II.
  const p = patientFromRecords(
    '1',
    [
      { time: 0, amt: 100, cmt: 1, ii: 12, addl: 2 },
      { time: 24, amt: 100, cmt: 1 },
      { time: 30, evid: 0, cmt: 1, dv: 5 },
    ],
    0,
  );
  assert.deepEqual(sampledIntervals(p), [{ from: 24, to: 36, levels: 1 }]);
  assert.deepEqual(referenceIntervals(p), sampledIntervals(p));
});
