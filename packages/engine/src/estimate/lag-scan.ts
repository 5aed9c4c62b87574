import type { PatientData } from '../events/records.ts';
import type { Simulator } from '../simulate/simulator.ts';
import type { MapObjective } from './objective.ts';
import { sameVector } from './linalg.ts';

/** Largest number of (observation, dose entry) pairs a scan is worth precomputing. */
const MAX_PAIRS = 4096;

/**
 * The MAP objective along one component of x that moves only dose lag times (rule 6 of
 * `MapEstimator.fit`, the scan along a lag eta), for a one-compartment closed form (with or
 * without a depot) and a patient with constant parameters and bolus doses only: the amounts at each
 * observation by superposition of the doses that have entered by then, not by a run.
 *
 * Along such a scan the rates k = CL/V and ka and each compartment's F stay what they are at the
 * scan's centre; a dose entry at τ = t_e + L (t_e its record's time, or an ADDL repetition's, L its
 * lag) contributes F·AMT·e^{−ka Δ} to the depot and F·AMT·ka·Δ·exp[−ka Δ, −k Δ] to the central
 * compartment at an observation Δ = t − τ later (F·AMT·e^{−k Δ} if it enters the central
 * compartment), exp[·,·] the divided difference evaluated as the closed form evaluates it
 * (`LinearCmt`). With e^{−k Δ} = e^{−k (t − t_e)}·e^{k L}, the exponentials of the pairs are
 * computed once per scan and each point costs one or two per lag (and an expm1 for a pair whose
 * |ka − k|·Δ is below 1). A dose enters before an observation at the same time when the run would
 * have it so: a lagged or repeated entry at τ ≤ t (queued events before the record), an
 * immediate one when its record comes first.
 *
 * The values equal a run's to rounding (both are exact closed forms); the scan only compares them
 * to choose starting points. A point where a parameter other than the lag differs from the
 * centre's, or where the parameters cannot be computed, is left to a run (`value` returns NaN).
 */
export class LagScan {
  private obj: MapObjective | null = null;
  private p: PatientData | null = null;
  private readonly sim: Simulator;
  /** Whether the model is a one-compartment closed form (the patient is judged by {@link prepare}). */
  private readonly closed: boolean;
  private readonly slots: { cl: number; v: number; ka: number; bioav: Int32Array; depot: boolean };
  /** The simulator's eta vector (model order, then the patient's IOV blocks). */
  private eta = new Float64Array(0);
  private readonly a: Float64Array;
  /** Parameters at the centre: CL, V, ka, then F of each compartment; and those at a point. */
  private readonly base: Float64Array;
  private readonly cur: Float64Array;
  private lag = new Float64Array(0);
  private F = new Float64Array(0);
  private k = 0;
  private ka = 0;
  /**
   * Per pair, observation-major (observation j's from pairStart[j]): the entry's record and
   * repetition (0 = the record's own), t_e, e^{−k(t − t_e)}, e^{−ka(t − t_e)}. Kept between scans.
   */
  private pairStart = new Int32Array(0);
  private pairRec = new Int32Array(0);
  private pairRep = new Int32Array(0);
  private pairEntry = new Float64Array(0);
  private pairEk = new Float64Array(0);
  private pairEka = new Float64Array(0);
  /**
   * Points whose dose lags and parameters were computed before the scan, by the test for kinks
   * along the same component ({@link keepPoint}), by offset index: their lags (record-major rows
   * of `keptStride`), CL, V, ka and F (rows of 3 + states), the scanned component's value, and
   * whether each is kept. They are the scan's points: using them spares a second evaluation of
   * the individual parameters at each.
   */
  private keptObj: MapObjective | null = null;
  private keptI = -1;
  private keptCentre = new Float64Array(0);
  private keptStride = 0;
  private keptLag = new Float64Array(0);
  private keptPar = new Float64Array(0);
  private keptX = new Float64Array(0);
  private kept = new Uint8Array(0);
  /** Whether the kept points belong to the scan prepared (same objective, centre and component). */
  private useKept = false;

  /** For the objectives of one simulator (one per estimator: its buffers serve fit after fit). */
  constructor(sim: Simulator) {
    this.sim = sim;
    const m = sim.model;
    const st = m.structure;
    const nStates = m.nStates;
    this.closed = st.kind === 'closed' && st.nDisp === 1 && m.cmtProps.init.every((k) => k < 0);
    this.slots = {
      cl: st.kind === 'closed' ? st.args.cl : -1,
      v: st.kind === 'closed' ? st.args.v1 : -1,
      ka: st.kind === 'closed' ? st.args.ka : -1,
      bioav: m.cmtProps.bioav,
      depot: st.kind === 'closed' && st.depot,
    };
    this.a = new Float64Array(nStates);
    this.base = new Float64Array(3 + nStates);
    this.cur = new Float64Array(3 + nStates);
  }

  /**
   * Starts keeping the points of a coming scan along x_i from centre x ({@link keepPoint}), for up to
   * `points` offsets.
   */
  startPoints(obj: MapObjective, x: Float64Array, i: number, points: number): void {
    this.keptObj = null;
    this.useKept = false;
    if (!this.closed || obj.sim !== this.sim) return;
    const stride = obj.needed;
    const nPar = this.base.length;
    if (this.keptLag.length < points * stride)
      this.keptLag = new Float64Array(Math.max(points * stride, 2 * this.keptLag.length));
    if (this.keptPar.length < points * nPar) this.keptPar = new Float64Array(points * nPar);
    if (this.kept.length < points) {
      this.kept = new Uint8Array(points);
      this.keptX = new Float64Array(points);
    }
    for (let g = 0; g < this.kept.length; g++) this.kept[g] = 0;
    if (this.keptCentre.length !== x.length) this.keptCentre = new Float64Array(x.length);
    this.keptCentre.set(x);
    this.keptStride = stride;
    this.keptI = i;
    this.keptObj = obj;
  }

  /**
   * Keeps point g (x_i = xi) of the scan started by {@link startPoints}: `lag`, the dose lags that
   * the simulator has just computed there (`Simulator.doseLags`), and the parameters now in its slots.
   */
  keepPoint(g: number, xi: number, lag: Float64Array): void {
    if (this.keptObj === null) return;
    const stride = this.keptStride;
    for (let r = 0; r < stride; r++) this.keptLag[g * stride + r] = lag[r];
    const now = this.current();
    const nPar = now.length;
    for (let q = 0; q < nPar; q++) this.keptPar[g * nPar + q] = now[q];
    this.keptX[g] = xi;
    this.kept[g] = 1;
  }

  /** Forgets the kept points (their scan is over). */
  endPoints(): void {
    this.keptObj = null;
    this.useKept = false;
  }

  /**
   * Sets the scan's centre x for the objective's patient; false when the superposition does not
   * apply (the model, or the patient's data: time-varying covariates, an infusion, SS, a reset,
   * `variance(...)` outputs), and the scan's points must then be runs.
   */
  prepare(obj: MapObjective, x: Float64Array): boolean {
    this.obj = null;
    const p = obj.patient;
    const nStates = this.a.length;
    if (!this.closed || obj.sim !== this.sim || obj.nPred !== obj.nObs || p.timeVarying) return false;
    const nRec = obj.needed;
    let entries = 0;
    for (let r = 0; r < nRec; r++) {
      const evid = p.evid[r];
      if (evid === 3 || evid === 4) return false;
      if (evid !== 1 || !(p.amt[r] > 0)) continue;
      const c = p.cmt[r] > 0 ? p.cmt[r] - 1 : 0;
      if (p.rate[r] !== 0 || p.ss[r] !== 0 || c >= nStates || (p.addl[r] > 0 && !(p.ii[r] > 0))) return false;
      entries += 1 + p.addl[r];
    }
    if (entries * obj.nObs > MAX_PAIRS) return false;
    this.obj = obj;
    this.p = p;
    const nSimEta = obj.simulatorEta(x).length;
    if (this.eta.length !== nSimEta) this.eta = new Float64Array(nSimEta);
    if (this.lag.length < p.n) this.lag = new Float64Array(Math.max(p.n, 2 * this.lag.length));
    if (this.F.length < obj.nObs) this.F = new Float64Array(Math.max(obj.nObs, 2 * this.F.length));
    if (!this.parametersAt(x)) return ((this.obj = null), false);
    this.base.set(this.current());
    const V = this.base[1];
    this.k = this.base[0] / V;
    this.ka = this.slots.depot ? this.base[2] : 0;
    if (!(V > 0) || !(this.k >= 0) || !(this.ka >= 0) || !Number.isFinite(this.k + this.ka))
      return ((this.obj = null), false);
    this.pairs(obj, p, nRec, entries * obj.nObs);
    this.useKept = this.keptObj === obj && this.keptStride === nRec && sameVector(this.keptCentre, x);
    return true;
  }

  /** The pairs (observation j, entry at t_e ≤ t_j among the records the objective runs). */
  private pairs(obj: MapObjective, p: PatientData, nRec: number, cap: number): void {
    if (this.pairStart.length < obj.nObs + 1)
      this.pairStart = new Int32Array(Math.max(obj.nObs + 1, 2 * this.pairStart.length));
    if (this.pairRec.length < cap) {
      const size = Math.max(cap, 2 * this.pairRec.length);
      this.pairRec = new Int32Array(size);
      this.pairRep = new Int32Array(size);
      this.pairEntry = new Float64Array(size);
      this.pairEk = new Float64Array(size);
      this.pairEka = new Float64Array(size);
    }
    let q = 0;
    for (let j = 0; j < obj.nObs; j++) {
      this.pairStart[j] = q;
      const t = p.time[obj.obsRecord[j]];
      for (let r = 0; r < nRec; r++) {
        if (p.evid[r] !== 1 || !(p.amt[r] > 0)) continue;
        for (let rep = 0; rep <= p.addl[r]; rep++) {
          // The entry time without its lag, as the run computes it (its lag is added last).
          const te = rep === 0 ? p.time[r] : p.time[r] + rep * p.ii[r];
          if (te > t) break;
          this.pairRec[q] = r;
          this.pairRep[q] = rep;
          this.pairEntry[q] = te;
          this.pairEk[q] = Math.exp(-this.k * (t - te));
          this.pairEka[q] = Math.exp(-this.ka * (t - te));
          q++;
        }
      }
    }
    this.pairStart[obj.nObs] = q;
  }

  /** The individual parameters and the dose lags at x into the simulator's slots and `lag`. */
  private parametersAt(x: Float64Array): boolean {
    const obj = this.obj!;
    return this.sim.doseLags(obj.patient, obj.simulatorEta(x, this.eta), this.lag, obj.needed);
  }

  /** CL, V, ka and each compartment's F in the slots now (scratch of the caller's lifetime). */
  private current(): Float64Array {
    const s = this.sim.s;
    const sl = this.slots;
    const out = this.cur;
    out[0] = s[sl.cl];
    out[1] = s[sl.v];
    out[2] = sl.ka >= 0 ? s[sl.ka] : 0;
    for (let c = 0; c < sl.bioav.length; c++) out[3 + c] = sl.bioav[c] >= 0 ? s[sl.bioav[c]] : 1;
    return out;
  }

  /**
   * f at x, a point of the scan (x differs from the centre only in the scanned component); NaN
   * when a run must say (parameters other than the lags moved, or cannot be computed).
   */
  value(x: Float64Array, g = -1): number {
    const obj = this.obj;
    const p = this.p;
    if (obj === null || p === null) return NaN;
    const nPar = this.base.length;
    let lags = this.lag;
    let lagAt = 0;
    if (
      this.useKept &&
      g >= 0 &&
      g < this.kept.length &&
      this.kept[g] === 1 &&
      this.keptX[g] === x[this.keptI]
    ) {
      // The point's lags and parameters as the kink test computed them at the same x.
      for (let q = 0; q < nPar; q++) if (this.keptPar[g * nPar + q] !== this.base[q]) return NaN;
      lags = this.keptLag;
      lagAt = g * this.keptStride;
    } else {
      if (!this.parametersAt(x)) return NaN;
      const now = this.current();
      for (let q = 0; q < nPar; q++) if (now[q] !== this.base[q]) return NaN;
    }
    const a = this.a;
    const k = this.k;
    const ka = this.ka;
    const depot = this.slots.depot;
    const bioav = this.base;
    let lastLag = NaN;
    let eKL = 1;
    let eKaL = 1;
    for (let j = 0; j < obj.nObs; j++) {
      const rj = obj.obsRecord[j];
      const t = p.time[rj];
      for (let c = 0; c < a.length; c++) a[c] = 0;
      for (let q = this.pairStart[j]; q < this.pairStart[j + 1]; q++) {
        const r = this.pairRec[q];
        const L = lags[lagAt + r];
        const queued = this.pairRep[q] > 0 || L > 0;
        const tau = this.pairEntry[q] + L;
        if (queued ? !(tau <= t) : r >= rj) continue;
        if (L !== lastLag) {
          if (k * L > 700 || ka * L > 700) return NaN;
          eKL = Math.exp(k * L);
          eKaL = Math.exp(ka * L);
          lastLag = L;
        }
        const c = p.cmt[r] > 0 ? p.cmt[r] - 1 : 0;
        const amount = bioav[3 + c] * p.amt[r];
        const eK = this.pairEk[q] * eKL;
        if (depot && c === 0) {
          const dt = t - tau;
          const eA = this.pairEka[q] * eKaL;
          const lt = k * dt;
          const kat = ka * dt;
          const d = Math.abs(lt - kat);
          const eLo = lt >= kat ? eK : eA;
          const eHi = lt >= kat ? eA : eK;
          a[0] += amount * eA;
          a[1] += amount * (ka * dt * (d === 0 ? eHi : d >= 1 ? (eHi - eLo) / d : (eLo * Math.expm1(d)) / d));
        } else a[c] += amount * eK;
      }
      const v = this.sim.predictionFrom(p, rj, a);
      if (v !== v) return Infinity;
      this.F[j] = v;
    }
    return obj.valueFrom(x, this.F);
  }
}
