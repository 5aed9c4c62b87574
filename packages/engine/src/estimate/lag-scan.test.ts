// The scan along a lag eta by superposition (lag-scan.ts) against the objective's own runs: the
// values agree to rounding, entries at an observation's time fall on the side the run puts them,
// and what the superposition cannot carry is left to runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { patientFromRecords, type RecordInput } from '../events/records.ts';
import { loadBenchRun } from '../test-support/bench-data.ts';
import { compile } from '../test-support/models.ts';
import { LagScan } from './lag-scan.ts';
import { MapEstimator } from './map.ts';
import { MapObjective } from './objective.ts';

/** Largest relative difference between the scan's and the run's objective along component i. */
function worst(obj: MapObjective, scan: LagScan, x: Float64Array, i: number, offsets: number[]): number {
  let w = 0;
  for (const o of offsets) {
    const xs = Float64Array.from(x);
    xs[i] = x[i] + o * obj.priorSd[i];
    const a = scan.value(xs);
    const b = obj.value(xs);
    assert.ok(Number.isFinite(a) && Number.isFinite(b), `offset ${o}: ${a} vs ${b}`);
    w = Math.max(w, Math.abs(a - b) / Math.abs(b));
  }
  return w;
}

/** A scan prepared at x, or null where the superposition does not apply. */
function scanOf(obj: MapObjective, x: Float64Array): LagScan | null {
  const scan = new LagScan(obj.sim);
  return scan.prepare(obj, x) ? scan : null;
}

const OFFSETS = Array.from({ length: 121 }, (_, k) => -3 + 0.05 * k);

describe('the scan along a lag eta by superposition', () => {
  test('run003: equal to the runs within 1e-12 along eta_LAG on 60 patients, across the kinks where a dose entry passes an observation', () => {
    const b = loadBenchRun('run003');
    const est = new MapEstimator(b.model);
    let crossed = 0;
    for (const p of b.patients.slice(0, 60)) {
      const x = est.fit(p).x;
      const obj = est.objective(p);
      const i = obj.names.indexOf('eta_LAG');
      const scan = new LagScan(est.sim);
      assert.ok(scan.prepare(obj, x), `ID ${p.id}: the superposition applies`);
      assert.ok(worst(obj, scan, x, i, OFFSETS) < 1e-12, `ID ${p.id}`);
      // Whether the scan's range moves a lagged entry past an observation (lag = exp(eta_LAG) h).
      const lo = Math.exp(x[i] - 3 * obj.priorSd[i]);
      const hi = Math.exp(x[i] + 3 * obj.priorSd[i]);
      for (let r = 0; r < p.n; r++)
        if (p.evid[r] === 1)
          for (let q = 0; q < p.n; q++)
            if (p.evid[q] === 0 && p.time[q] - p.time[r] > lo && p.time[q] - p.time[r] < hi) crossed++;
    }
    assert.ok(crossed > 10, `entries crossing observations: ${crossed}`);
  });

  // One compartment, oral, lag = exp(eta_L) h into the depot, F = 0.8 there; k = 0.1·e^{eta_CL} /h,
  // ka = 1 /h, V = 20 L; additive error SD 0.5 mg/L (finite terms at a zero prediction).
  const model = (cl: string): ReturnType<typeof compile> =>
    compile(`parameters value unit label
  CL 2 L/h "cl"
  V 20 L "v"
  KA 1 1/h "ka"
random
  eta_CL ~ 0.1    eta_L ~ 0.2
equations
  lag(depot) = exp(eta_L)
  bioav(depot) = 0.8
  pk one_cmt(cl = ${cl}, v = V, ka = KA)
  CP = central / V
error
  CP ~ add(0.5)
`);
  // 100 mg into the depot at 0 h, repeated at 12 and 24 h (ADDL 2), entering 1 h later at eta_L = 0:
  // at 1, 13 and 25 h, two of them at an observation's time; 100 mg into the central compartment
  // (no lag) at 24 h, its record after the 24 h observation's.
  const rows: RecordInput[] = [
    { time: 0, amt: 100, cmt: 1, ii: 12, addl: 2 },
    { time: 1, evid: 0, cmt: 2, dv: 0.2 },
    { time: 12, evid: 0, cmt: 2, dv: 1.5 },
    { time: 13, evid: 0, cmt: 2, dv: 1.4 },
    { time: 24, evid: 0, cmt: 2, dv: 2.1 },
    { time: 24, amt: 100, cmt: 2 },
    { time: 30, evid: 0, cmt: 2, dv: 6.3 },
  ];

  test('entries at an observation time fall where the run puts them: a lagged or repeated entry before it, a dose whose record comes after it not; the objective by hand', () => {
    const m = model('CL * exp(eta_CL)');
    const p = patientFromRecords('1', rows, 0);
    const obj = new MapObjective(new MapEstimator(m).sim, p);
    const x = new Float64Array([0.05, 0]);
    const scan = scanOf(obj, x);
    assert.ok(scan);
    // By hand at eta_L = 0: depot entries of 80 mg at 1, 13 and 25 h (those at 1 and 13 h already
    // in at the observations then, central still 0 from them), the central dose counted from 24 h
    // on but not at the 24 h observation, listed before it.
    const k = 0.1 * Math.exp(0.05);
    const fromDepot = (dt: number): number =>
      dt < 0 ? 0 : (80 * (Math.exp(-k * dt) - Math.exp(-dt))) / (1 - k);
    const conc = (t: number): number =>
      (fromDepot(t - 1) +
        fromDepot(t - 13) +
        fromDepot(t - 25) +
        (t > 24 ? 100 * Math.exp(-k * (t - 24)) : 0)) /
      20;
    let f = (0.05 * 0.05) / 0.1;
    for (const r of rows) if (r.evid === 0) f += Math.log(0.25) + (r.dv! - conc(r.time)) ** 2 / 0.25;
    assert.ok(Math.abs(scan.value(x) - f) < 1e-12 * Math.abs(f), `${scan.value(x)} vs ${f}`);
    assert.ok(Math.abs(obj.value(x) - f) < 1e-12 * Math.abs(f), `run: ${obj.value(x)} vs ${f}`);
    // On either side of the kinks, and far along the scan.
    assert.ok(worst(obj, scan, x, 1, [1e-9, -1e-9, 0.01, -0.01, 0.5, -0.5, 3, -3]) < 1e-12);
  });

  test('inter-occasion etas: a patient of one occasion has its IOV block in the superposed points too', () => {
    const m = compile(`parameters value unit label
  CL 2 L/h "cl"
  V 20 L "v"
  KA 1 1/h "ka"
random
  eta_CL ~ 0.1    eta_L ~ 0.2
  iov eta_OCC ~ 0.3
equations
  lag(depot) = exp(eta_L)
  pk one_cmt(cl = CL * exp(eta_CL + eta_OCC), v = V, ka = KA)
  CP = central / V
error
  CP ~ add(0.5)
`);
    const p = patientFromRecords(
      '1',
      rows.map((r) => ({ ...r, occ: 1 })),
      0,
    );
    const obj = new MapObjective(new MapEstimator(m).sim, p);
    assert.equal(obj.n, 3, 'eta_CL, eta_L and the IOV of occasion 1');
    const x = new Float64Array([0.05, 0, 0.4]);
    const scan = scanOf(obj, x);
    assert.ok(scan);
    assert.ok(worst(obj, scan, x, 1, [0.01, -0.01, 0.5, -0.5, 3, -3]) < 1e-12);
  });

  test('left to runs: a scanned eta that moves another parameter (NaN at a moved point), an infusion or a reset (no superposition)', () => {
    const p = patientFromRecords('1', rows, 0);
    const shared = new MapObjective(new MapEstimator(model('CL * exp(eta_CL + eta_L)')).sim, p);
    const x = new Float64Array([0.05, 0]);
    const scan = scanOf(shared, x);
    assert.ok(scan);
    assert.ok(Math.abs(scan.value(x) - shared.value(x)) < 1e-12 * Math.abs(shared.value(x)));
    assert.ok(Number.isNaN(scan.value(new Float64Array([0.05, 0.1]))), 'CL moved with eta_L');
    const m = model('CL * exp(eta_CL)');
    for (const [what, change] of [
      ['an infusion', { time: 24, amt: 100, cmt: 2, rate: 50 }],
      ['a reset and dose', { time: 24, amt: 100, cmt: 2, evid: 4 }],
    ] as const) {
      const q = patientFromRecords(
        '1',
        rows.map((r) => (r.time === 24 && r.amt ? change : r)),
        0,
      );
      assert.equal(scanOf(new MapObjective(new MapEstimator(m).sim, q), x), null, what);
    }
  });

  test('points kept from the kink test: the same values as points computed by the scan, and not used for another centre or another point', () => {
    const b = loadBenchRun('run003');
    const est = new MapEstimator(b.model);
    const offsets = [-2.56, -0.64, -0.04, 0, 0.005, 0.32, 1.28, 2.56];
    let compared = 0;
    for (const p of b.patients.slice(0, 20)) {
      const x = est.fit(p).x;
      const obj = est.objective(p);
      const i = obj.names.indexOf('eta_LAG');
      const points = offsets.map((o) => {
        const xs = Float64Array.from(x);
        xs[i] = x[i] + o * obj.priorSd[i];
        return xs;
      });
      const fresh = new LagScan(est.sim);
      assert.ok(fresh.prepare(obj, x));
      const want = points.map((xs) => fresh.value(xs));
      const keep = (scan: LagScan, centre: Float64Array, wrongLag: boolean): void => {
        scan.startPoints(obj, centre, i, offsets.length);
        const lag = new Float64Array(obj.needed);
        points.forEach((xs, g) => {
          assert.ok(est.sim.doseLags(p, obj.simulatorEta(xs), lag, obj.needed));
          // A wrong lag (a mistake in what is kept) shows in the value when the point is used.
          if (wrongLag) for (let r = 0; r < lag.length; r++) lag[r] *= 2;
          scan.keepPoint(g, xs[i], lag);
        });
      };
      const scan = new LagScan(est.sim);
      keep(scan, x, false);
      assert.ok(scan.prepare(obj, x));
      points.forEach((xs, g) => assert.equal(scan.value(xs, g), want[g], `ID ${p.id}, point ${g}`));
      compared += points.length;
      // Kept with doubled lags, they are used (the values move) at their own points only.
      const wrong = new LagScan(est.sim);
      keep(wrong, x, true);
      assert.ok(wrong.prepare(obj, x));
      assert.notEqual(wrong.value(points[0], 0), want[0], `ID ${p.id}: the kept point is used`);
      assert.equal(wrong.value(points[0], 1), want[0], `ID ${p.id}: another point's kept lags are not used`);
      // Kept along a scan from another centre: not used for this one.
      const moved = Float64Array.from(x);
      moved[0] += 0.1;
      keep(wrong, moved, true);
      assert.ok(wrong.prepare(obj, x));
      points.forEach((xs, g) =>
        assert.equal(wrong.value(xs, g), want[g], `ID ${p.id}, other centre, point ${g}`),
      );
      // After the scan, nothing kept is used.
      keep(wrong, x, true);
      wrong.endPoints();
      assert.ok(wrong.prepare(obj, x));
      assert.equal(wrong.value(points[0], 0), want[0]);
    }
    assert.equal(compared, 160);
  });
});
