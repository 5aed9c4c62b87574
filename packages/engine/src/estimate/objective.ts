import { DosetwinError, type Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { ErrorModel, ModelIR } from '../model/ir.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { cholesky, cholInverse, logDetChol } from './linalg.ts';
import { logNormalCdf, millsRatio } from './normal.ts';

/** Options of the MAP objective. */
export interface ObjectiveOptions {
  /**
   * Weight w of the prior: the prior term is w·ηᵀΩ⁻¹η, i.e. the prior covariance is Ω/w. 1 (default)
   * = the model's Ω. w < 1 flattens the prior (lets the data speak more, e.g. for a patient known to
   * be atypical); w > 1 sharpens it. Must be > 0.
   */
  priorWeight?: number;
  /**
   * Only for outputs with a log-transformed (`exp`) residual error: `false` (default) = DV is the
   * measured concentration and the objective uses ln(DV); `true` = DV is already ln(concentration),
   * as in NONMEM datasets written for `Y = LOG(F) + EPS(1)`. BLQ limits follow the same convention.
   */
  logDv?: boolean;
}

const K_ADD = 0;
const K_PROP = 1;
const K_COMB_VAR = 2;
const K_COMB_SD = 3;
const K_EXP = 4;
const K_VAR = 5;
const KIND: Record<ErrorModel['kind'], number> = {
  add: K_ADD,
  prop: K_PROP,
  combined: K_COMB_VAR,
  exp: K_EXP,
  variance: K_VAR,
};

/** Residual variances of `variance(...)` outputs recorded at each evaluation of the outputs. */
export interface VarianceTap {
  /** Number of evaluations since the last reset; values[c·nOut + k] = variance of output k at call c. */
  count: number;
  values: Float64Array;
}

/**
 * A compiled model whose `outputs` also records, at each call, the residual variance of every
 * output with a general variance expression (`CP ~ variance(expr)`, e.g. translated from NONMEM's
 * $ERROR), so the simulator — which returns one prediction per record — also yields the variance
 * of each observation. The simulator evaluates the outputs once per EVID 0/2 record, in record
 * order, when no output integral is requested: call c is the c-th such record.
 */
export function withVarianceTap(model: CompiledModel): CompiledModel & { varianceTap: VarianceTap } {
  const tap: VarianceTap = { count: 0, values: new Float64Array(64) };
  const base = model.outputs;
  const slots = model.varianceSlots;
  const nOut = slots.length;
  const outputs = (s: Float64Array): void => {
    base(s);
    const at = tap.count * nOut;
    if (at + nOut > tap.values.length) {
      const bigger = new Float64Array(2 * (at + nOut));
      bigger.set(tap.values);
      tap.values = bigger;
    }
    for (let k = 0; k < nOut; k++) tap.values[at + k] = slots[k] >= 0 ? s[slots[k]] : NaN;
    tap.count++;
  };
  return { ...model, outputs, varianceTap: tap };
}

/**
 * The MAP objective of one patient, as a function of the vector x of estimated random effects:
 *
 *     f(x) = Σ_j φ_j(F_j(x)) + w·xᵀΩₓ⁻¹x
 *
 * over the observation records (EVID 0, MDV 0), with φ_j = ln var_j + (y_j − G_j)²/var_j for a
 * quantified observation and φ_j = −2 ln Φ((L_j − G_j)/sd_j) for one below the limit of
 * quantification (Beal's M3: Beal SL, J Pharmacokinet Pharmacodyn 2001;28:481–504). G = F, or
 * ln F for a log-transformed (`exp`) error model (then y, L are ln DV, ln LLOQ). This is −2 ln of
 * the posterior density up to a constant, the quantity NONMEM minimises for its conditional modes
 * (Σ ln var drops NONMEM's constant n·ln 2π, as its OBJ does).
 *
 * Residual variance of output k at prediction F (`ErrorModel`, SDs a = addSd, b = propSd):
 * - add: a²;  prop: (b·F)²;  combined, variance sum: a² + (b·F)²;  combined, SD sum: (a + b·|F|)²;
 * - exp: b² on the log scale;
 * - when F = 0 and the output has `if_zero`, that value replaces F in the proportional term:
 *   NONMEM's `W = F; IF (W.EQ.0) W = 1`.
 *
 * The vector x holds, in order: the between-subject etas with non-zero variance (model order),
 * then for each occasion ≥ 1 present in the patient's OCC column (ascending) its inter-occasion
 * etas (`iov eta_X ~ v`, model order); records of occasion 0 have no IOV. Ωₓ is block diagonal: Ω of the between-subject etas, and one
 * copy of the IOV block per occasion. Etas with zero variance are fixed at 0.
 *
 * Every evaluation is one run of the simulator; non-finite objectives (a parameter leaving its
 * domain, a zero variance, an ODE failure) are +Infinity, never NaN.
 */
export class MapObjective {
  readonly sim: Simulator;
  readonly patient: PatientData;
  /** Dimension of x. */
  readonly n: number;
  /** Names of the components of x: eta names; IOV copies as `eta_X[occ=2]`. */
  readonly names: string[];
  /** Model eta index of each component of x. */
  readonly etaIndex: Int32Array;
  /** Occasion of each component of x (0 = between-subject). */
  readonly occasion: Int32Array;
  /** √ of the prior variance of each component (a scale for steps and starting points). */
  readonly priorSd: Float64Array;
  /** w·Ωₓ⁻¹ (n×n, row-major). */
  readonly priorPrecision: Float64Array;
  /** ln|Ωₓ/w|. */
  readonly logDetPrior: number;
  /** Ωₓ/w (n×n, row-major). */
  readonly priorCov: Float64Array;
  /** Number of observations (records with EVID 0, MDV 0). */
  readonly nObs: number;
  /** Record index of each observation. */
  readonly obsRecord: Int32Array;
  /** Output (error model) index of each observation. */
  readonly obsOutput: Int32Array;
  /** Transformed DV (ln DV for exp outputs), or the transformed LLOQ for a censored observation. */
  readonly obsY: Float64Array;
  /** 1 = below the limit of quantification (M3). */
  readonly obsCens: Uint8Array;
  /**
   * Length of the prediction vector: nObs predictions, then the residual variances of the
   * observations of `variance(...)` outputs (their Jacobian rows give ∂var/∂x).
   */
  readonly nPred: number;
  /** Position of an observation's variance in the prediction vector (−1: not a variance output). */
  readonly obsVarAt: Int32Array;
  /** Index among the outputs evaluations of a run (EVID 0/2 records) of each observation. */
  private readonly obsCall: Int32Array;
  private readonly tap: VarianceTap | null;
  /** Outputs evaluations (EVID 0/2 records) of a run over all records, and over `needed`. */
  private readonly nCalls: number;
  private readonly nCallsNeeded: number;
  /**
   * Records a run of the objective processes: up to the last observation (later records, such as
   * the doses given since, cannot change the predictions the objective reads).
   */
  readonly needed: number;
  /** Simulator runs since construction. */
  runs = 0;
  /** The last simulator error turned into +Infinity (for messages). */
  lastIssue: Issue | null = null;

  private readonly kind: Int8Array;
  private readonly a2: Float64Array;
  private readonly b2: Float64Array;
  private readonly aSd: Float64Array;
  private readonly bSd: Float64Array;
  private readonly ifZero: Float64Array;
  private readonly simEta: Float64Array;
  private readonly simPos: Int32Array;
  private readonly pred: Float64Array;
  /**
   * Arguments of term(): the prediction F and the variance V (NaN if not a variance output), in a
   * typed array because a double passed to or returned from a call that is not inlined is boxed.
   */
  private readonly tArg = new Float64Array(2);
  // Results of term() (fields, so the hot loop allocates nothing).
  private tPhi = 0;
  private tC = 0;
  private tW = 0;
  private tLogV = 0;
  private tCd = 0;
  private tWdd = 0;
  private tWgd = 0;

  constructor(sim: Simulator, patient: PatientData, options: ObjectiveOptions = {}) {
    this.sim = sim;
    this.patient = patient;
    const model = sim.model;
    const ir = model.ir;
    const w = options.priorWeight ?? 1;
    const issues: Issue[] = [];
    if (!(w > 0) || !Number.isFinite(w))
      throw new DosetwinError([
        {
          code: 'DT_ARG',
          severity: 'error',
          field: 'priorWeight',
          message: `prior weight ${w} must be a finite number > 0`,
        },
      ]);

    // ---- layout of x and prior: the same for every patient with the same occasions ----
    const occs: number[] = [];
    if (ir.etas.some((e, k) => e.iov && ir.omega[k][k] > 0)) {
      const seen = new Set<number>();
      // Occasion 0 marks records outside every occasion (e.g. a forecast's future doses): no IOV
      // block is estimated for it, and the simulator gives its records IOV = 0.
      for (let i = 0; i < patient.n; i++) if (patient.occ[i] >= 1) seen.add(patient.occ[i]);
      occs.push(...[...seen].sort((a, b) => a - b));
    }
    const lay = layoutOf(ir, w, occs);
    this.n = lay.n;
    this.names = [...lay.names];
    this.etaIndex = lay.etaIndex;
    this.occasion = lay.occasion;
    this.simEta = new Float64Array(lay.simEtaLength);
    this.simPos = lay.simPos;
    this.priorCov = lay.priorCov;
    this.priorSd = lay.priorSd;
    this.logDetPrior = lay.logDetPrior;
    this.priorPrecision = lay.priorPrecision;

    // ---- observations ----
    const errs = ir.errors;
    const tab = errorTableOf(errs);
    this.kind = tab.kind;
    this.a2 = tab.a2;
    this.b2 = tab.b2;
    this.aSd = tab.aSd;
    this.bSd = tab.bSd;
    this.ifZero = tab.ifZero;
    // Collected in kept scratch, then copied at their length (an objective is built per fit).
    if (obsScratch.rec.length < patient.n) {
      const cap = Math.max(patient.n, 2 * obsScratch.rec.length);
      obsScratch.rec = new Int32Array(cap);
      obsScratch.out = new Int32Array(cap);
      obsScratch.ys = new Float64Array(cap);
      obsScratch.cens = new Uint8Array(cap);
    }
    const { rec, out, ys, cens } = obsScratch;
    let nObs = 0;
    const logDv = options.logDv ?? false;
    for (let i = 0; i < patient.n; i++) {
      if (patient.evid[i] !== 0 || patient.mdv[i] !== 0) continue;
      const line = patient.line[i];
      const dvid = patient.dvid?.[i] ?? 0;
      const k = sim.outputIndex(patient.cmt[i], dvid);
      if (k < 0) {
        if (dvid > 0)
          badData(
            issues,
            `data[line ${line}].DVID`,
            `ID ${patient.id}: observation of DVID ${dvid} but no output of the model reads that DVID`,
            line,
          );
        else
          badData(
            issues,
            `data[line ${line}].CMT`,
            `ID ${patient.id}: observation on CMT ${patient.cmt[i]} but no output of the model reads that compartment`,
            line,
          );
        continue;
      }
      const c = patient.cens?.[i] === 1;
      const lloq = patient.lloq?.[i];
      let y = c && lloq !== undefined && Number.isFinite(lloq) ? lloq : patient.dv[i];
      if (!Number.isFinite(y)) {
        badData(
          issues,
          `data[line ${line}].DV`,
          `ID ${patient.id}: observation (MDV 0) at TIME ${patient.time[i]} has no DV`,
          line,
          'set MDV = 1 for a record without a measurement',
        );
        continue;
      }
      if (errs[k].kind === 'exp' && !logDv) {
        if (!(y > 0)) {
          badData(
            issues,
            `data[line ${line}].DV`,
            `ID ${patient.id}: DV ${y} at TIME ${patient.time[i]} must be > 0: output ${errs[k].output} has a log-transformed (exp) error`,
            line,
            'a measurement below the limit of quantification is BLQ = 1 with DV = LLOQ; if DV is already ln(concentration), use the logDv option',
          );
          continue;
        }
        y = Math.log(y);
      }
      rec[nObs] = i;
      out[nObs] = k;
      ys[nObs] = y;
      cens[nObs] = c ? 1 : 0;
      nObs++;
    }
    if (issues.length) throw new DosetwinError(issues);
    this.nObs = nObs;
    this.obsRecord = rec.slice(0, nObs);
    this.obsOutput = out.slice(0, nObs);
    this.obsY = ys.slice(0, nObs);
    this.obsCens = cens.slice(0, nObs);
    this.pred = new Float64Array(patient.n);
    // The outputs call of each observation (its rank among the EVID 0/2 records), in one pass.
    this.obsCall = new Int32Array(nObs);
    this.needed = nObs ? rec[nObs - 1] + 1 : 0;
    let nCalls = 0;
    let nCallsNeeded = 0;
    for (let i = 0, j = 0; i < patient.n; i++) {
      if (j < nObs && rec[j] === i) this.obsCall[j++] = nCalls;
      if (patient.evid[i] === 0 || patient.evid[i] === 2) nCalls++;
      if (i + 1 === this.needed) nCallsNeeded = nCalls;
    }
    this.nCalls = nCalls;
    this.nCallsNeeded = nCallsNeeded;
    let nVar = 0;
    this.obsVarAt = new Int32Array(nObs);
    for (let j = 0; j < nObs; j++)
      this.obsVarAt[j] = errs[out[j]].kind === 'variance' ? this.nObs + nVar++ : -1;
    this.nPred = this.nObs + nVar;
    this.tap = (sim.model as Partial<ReturnType<typeof withVarianceTap>>).varianceTap ?? null;
    if (nVar > 0 && !this.tap)
      throw new Error(
        'internal: a model with variance(...) outputs needs a simulator built on withVarianceTap(model)',
      );
  }

  /** The simulator's eta vector for x (model order + per-occasion IOV blocks). */
  simulatorEta(x: ArrayLike<number>, out: Float64Array = this.simEta): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = 0;
    for (let i = 0; i < this.n; i++) out[this.simPos[i]] = x[i];
    return out;
  }

  /**
   * Predictions of every record at x into `out` (length = number of records). Returns false when
   * the simulation fails (parameter out of its domain, non-finite prediction, ODE failure): the
   * objective is then +Infinity. Data errors are thrown. `records` < the number of records: only
   * those are simulated (the objective's own runs stop at the last observation).
   */
  predictRecords(x: ArrayLike<number>, out: Float64Array, records: number = this.patient.n): boolean {
    this.simulatorEta(x);
    this.runs++;
    if (this.tap) this.tap.count = 0;
    try {
      this.sim.run(this.patient, this.simEta, out, undefined, records);
      const calls = records >= this.patient.n ? this.nCalls : this.nCallsNeeded;
      if (this.tap && this.tap.count !== calls)
        throw new Error(`internal: ${this.tap.count} output evaluations for ${calls} EVID 0/2 records`);
      return true;
    } catch (e) {
      if (e instanceof DosetwinError && !e.issues.some((i) => i.code === 'DT_DATA')) {
        this.lastIssue = e.issues[0] ?? null;
        return false;
      }
      throw e;
    }
  }

  /**
   * The prediction vector at x (length nPred): F_j at the observations, then the residual
   * variances of the observations of `variance(...)` outputs. False when the simulation fails.
   */
  predict(x: ArrayLike<number>, F: Float64Array): boolean {
    if (!this.predictRecords(x, this.pred, this.needed)) return false;
    const rec = this.obsRecord;
    for (let j = 0; j < this.nObs; j++) F[j] = this.pred[rec[j]];
    if (this.nPred > this.nObs) {
      const nOut = this.kind.length;
      const vals = this.tap!.values;
      for (let j = 0; j < this.nObs; j++)
        if (this.obsVarAt[j] >= 0) F[this.obsVarAt[j]] = vals[this.obsCall[j] * nOut + this.obsOutput[j]];
    }
    return true;
  }

  /** Residual variance of observation j after predictRecords (variance outputs only). */
  private tapVariance(j: number): number {
    return this.tap!.values[this.obsCall[j] * this.kind.length + this.obsOutput[j]];
  }

  /** Prior term w·xᵀΩₓ⁻¹x. */
  prior(x: ArrayLike<number>): number {
    const n = this.n;
    const P = this.priorPrecision;
    let s = 0;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let j = 0; j < n; j++) r += P[i * n + j] * x[j];
      s += x[i] * r;
    }
    return s;
  }

  /** f(x) (one simulator run). +Infinity where undefined. */
  value(x: ArrayLike<number>): number {
    if (!this.predictRecords(x, this.pred, this.needed)) return Infinity;
    let f = this.prior(x);
    const rec = this.obsRecord;
    for (let j = 0; j < this.nObs; j++) {
      this.tArg[0] = this.pred[rec[j]];
      this.tArg[1] = this.obsVarAt[j] >= 0 ? this.tapVariance(j) : NaN;
      this.term(j);
      f += this.tPhi;
    }
    return f === f ? f : Infinity;
  }

  /**
   * f(x) from the predictions F_j at the observations (length nObs; models without `variance(...)`
   * outputs), summed as {@link value} sums it: for predictions computed without a run.
   */
  valueFrom(x: ArrayLike<number>, F: ArrayLike<number>): number {
    let f = this.prior(x);
    for (let j = 0; j < this.nObs; j++) {
      this.tArg[0] = F[j];
      this.tArg[1] = NaN;
      this.term(j);
      f += this.tPhi;
    }
    return f === f ? f : Infinity;
  }

  /**
   * Σ (y_j − G_j)²/var_j over the quantified observations at x (plus −2 ln Φ of the censored ones):
   * a χ²(nObs) variable under the model, used to flag implausible modes. +Infinity on failure.
   */
  chiSquare(x: ArrayLike<number>): number {
    const F = new Float64Array(this.nPred);
    return this.predict(x, F) ? this.chiSquareOf(F) : Infinity;
  }

  /** As {@link chiSquare}, from a prediction vector (see `predict`). */
  chiSquareOf(F: ArrayLike<number>): number {
    let c = 0;
    for (let j = 0; j < this.nObs; j++) {
      this.tArg[0] = F[j];
      this.tArg[1] = this.obsVarAt[j] >= 0 ? F[this.obsVarAt[j]] : NaN;
      this.term(j);
      c += this.obsCens[j] ? this.tPhi : this.tPhi - this.tLogV;
    }
    return c === c ? c : Infinity;
  }

  /** Data part Σ φ_j at a given prediction vector (length nPred, see `predict`). */
  dataTerm(F: ArrayLike<number>): number {
    let f = 0;
    for (let j = 0; j < this.nObs; j++) {
      this.tArg[0] = F[j];
      this.tArg[1] = this.obsVarAt[j] >= 0 ? F[this.obsVarAt[j]] : NaN;
      this.term(j);
      f += this.tPhi;
    }
    return f === f ? f : Infinity;
  }

  /**
   * From predictions F (nObs) and their Jacobian J = ∂F/∂x (nObs × n, row-major) at x: returns
   * f(x) and writes its gradient into `grad` and, into `info`, the expected information
   *
   *     I(x) = w·Ωₓ⁻¹ + Σ_j g_j g_jᵀ/var_j + ½ Σ_j d_j d_jᵀ/var_j²    (g = ∂G/∂x, d = ∂var/∂x)
   *
   * (M3 observations: the exact Hessian of ½φ in z = (L − G)/sd, λ(z + λ)·∇z∇zᵀ, λ = φ(z)/Φ(z)).
   * I is half the expected Hessian of f, always positive definite; its inverse at the mode is
   * NONMEM's conditional covariance ETC (FOCE-I), see `covariance.ts`.
   */
  assemble(
    x: ArrayLike<number>,
    F: ArrayLike<number>,
    J: ArrayLike<number>,
    grad: Float64Array,
    info: Float64Array | null,
  ): number {
    const n = this.n;
    const P = this.priorPrecision;
    let f = this.prior(x);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let k = 0; k < n; k++) r += P[i * n + k] * x[k];
      grad[i] = 2 * r;
    }
    if (info) info.set(P);
    for (let j = 0; j < this.nObs; j++) {
      const at = this.obsVarAt[j];
      this.tArg[0] = F[j];
      this.tArg[1] = at >= 0 ? F[at] : NaN;
      this.term(j);
      f += this.tPhi;
      const c = this.tC;
      const wj = this.tW;
      const row = j * n;
      for (let a = 0; a < n; a++) {
        const ga = J[row + a];
        grad[a] += c * ga;
        if (info) {
          const wa = wj * ga;
          for (let b = 0; b <= a; b++) info[a * n + b] += wa * J[row + b];
        }
      }
      if (at >= 0) {
        // var is its own prediction with Jacobian row d: grad += cd·d, info += wdd·d dᵀ + wgd·(g dᵀ + d gᵀ).
        const vrow = at * n;
        const cd = this.tCd;
        const wdd = this.tWdd;
        const wgd = this.tWgd;
        for (let a = 0; a < n; a++) {
          const da = J[vrow + a];
          grad[a] += cd * da;
          if (info)
            for (let b = 0; b <= a; b++)
              info[a * n + b] += wdd * da * J[vrow + b] + wgd * (J[row + a] * J[vrow + b] + da * J[row + b]);
        }
      }
    }
    if (info) for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) info[b * n + a] = info[a * n + b];
    return f === f ? f : Infinity;
  }

  /**
   * φ_j at prediction F into tPhi, dφ/dF into tC, and the information weight into tW (so that the
   * observation adds tW·(∂F/∂x)(∂F/∂x)ᵀ to I).
   */
  private term(j: number): void {
    const F = this.tArg[0];
    const V = this.tArg[1];
    const k = this.obsOutput[j];
    const kind = this.kind[k];
    let G: number;
    let dG: number;
    let v: number;
    let dv: number;
    if (kind === K_VAR) {
      this.varianceTerm(j, F, V);
      return;
    }
    if (kind === K_EXP) {
      if (!(F > 0)) {
        this.setInfinite();
        return;
      }
      G = Math.log(F);
      dG = 1 / F;
      v = this.b2[k];
      dv = 0;
    } else {
      G = F;
      dG = 1;
      const iz = this.ifZero[k];
      const guard = F === 0 && iz === iz;
      const Fp = guard ? iz : F;
      if (kind === K_ADD) {
        v = this.a2[k];
        dv = 0;
      } else if (kind === K_COMB_SD) {
        const sd = this.aSd[k] + this.bSd[k] * Math.abs(Fp);
        v = sd * sd;
        dv = guard ? 0 : 2 * sd * this.bSd[k] * Math.sign(F);
      } else {
        const b2 = this.b2[k];
        v = (kind === K_COMB_VAR ? this.a2[k] : 0) + b2 * Fp * Fp;
        dv = guard ? 0 : 2 * b2 * F;
      }
    }
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(G)) {
      this.setInfinite();
      return;
    }
    const y = this.obsY[j];
    if (this.obsCens[j] === 0) {
      const r = y - G;
      const rv = r / v;
      this.tLogV = Math.log(v);
      this.tPhi = this.tLogV + r * rv;
      this.tC = -2 * rv * dG + (1 / v - rv * rv) * dv;
      this.tW = (dG * dG) / v + (0.5 * dv * dv) / (v * v);
    } else {
      const s = Math.sqrt(v);
      const z = (y - G) / s;
      const lam = millsRatio(z);
      const dz = -dG / s - (z * dv) / (2 * v);
      this.tPhi = -2 * logNormalCdf(z);
      this.tC = -2 * lam * dz;
      this.tW = lam * (z + lam) * dz * dz;
    }
  }

  /**
   * An observation of a `variance(...)` output: var = V is a prediction of its own, with its own
   * Jacobian row d = ∂V/∂x. Coefficients of g = ∂F/∂x into tC/tW, of d into tCd/tWdd, cross terms
   * into tWgd (normal: I += g gᵀ/v + ½ d dᵀ/v²; M3: I += λ(z + λ)·∇z∇zᵀ, ∇z = −g/s − z·d/(2v)).
   */
  private varianceTerm(j: number, F: number, v: number): void {
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(F)) {
      this.setInfinite();
      return;
    }
    const y = this.obsY[j];
    if (this.obsCens[j] === 0) {
      const r = y - F;
      const rv = r / v;
      this.tLogV = Math.log(v);
      this.tPhi = this.tLogV + r * rv;
      this.tC = -2 * rv;
      this.tW = 1 / v;
      this.tCd = 1 / v - rv * rv;
      this.tWdd = 0.5 / (v * v);
      this.tWgd = 0;
    } else {
      const s = Math.sqrt(v);
      const z = (y - F) / s;
      const lam = millsRatio(z);
      const kap = lam * (z + lam);
      this.tPhi = -2 * logNormalCdf(z);
      this.tC = (2 * lam) / s;
      this.tCd = (lam * z) / v;
      this.tW = kap / v;
      this.tWdd = (kap * z * z) / (4 * v * v);
      this.tWgd = (kap * z) / (2 * v * s);
    }
  }

  private setInfinite(): void {
    this.tPhi = Infinity;
    this.tC = 0;
    this.tW = 0;
    this.tCd = 0;
    this.tWdd = 0;
    this.tWgd = 0;
  }
}

/** What {@link MapObjective} needs of the model that does not depend on the patient's records. */
interface Layout {
  n: number;
  names: readonly string[];
  etaIndex: Int32Array;
  occasion: Int32Array;
  simEtaLength: number;
  simPos: Int32Array;
  priorCov: Float64Array;
  priorSd: Float64Array;
  logDetPrior: number;
  priorPrecision: Float64Array;
}

/** Layouts per model, prior weight and occasion set (built once: a fit constructs an objective). */
/** Scratch of the MapObjective constructor (grown as needed; read only during one construction). */
const obsScratch = {
  rec: new Int32Array(0),
  out: new Int32Array(0),
  ys: new Float64Array(0),
  cens: new Uint8Array(0),
};

function badData(issues: Issue[], field: string, message: string, line?: number, hint?: string): void {
  issues.push({
    code: 'DT_DATA',
    severity: 'error',
    field,
    message,
    ...(line !== undefined ? { line } : {}),
    ...(hint ? { hint } : {}),
  });
}

/** The residual-error models as the objective's hot loop reads them (read only once built). */
interface ErrorTable {
  kind: Int8Array;
  a2: Float64Array;
  b2: Float64Array;
  aSd: Float64Array;
  bSd: Float64Array;
  ifZero: Float64Array;
}

/** Built once per model's error list: an objective is built for every MAP fit. */
const errorTables = new WeakMap<readonly ErrorModel[], ErrorTable>();
function errorTableOf(errs: readonly ErrorModel[]): ErrorTable {
  let t = errorTables.get(errs);
  if (t) return t;
  const ne = errs.length;
  t = {
    kind: new Int8Array(ne),
    a2: new Float64Array(ne),
    b2: new Float64Array(ne),
    aSd: new Float64Array(ne),
    bSd: new Float64Array(ne),
    ifZero: new Float64Array(ne),
  };
  for (let k = 0; k < ne; k++) {
    const e = errs[k];
    t.kind[k] = e.kind === 'combined' && e.sum === 'sd' ? K_COMB_SD : KIND[e.kind];
    t.aSd[k] = e.addSd;
    t.bSd[k] = e.propSd;
    t.a2[k] = e.addSd * e.addSd;
    t.b2[k] = e.propSd * e.propSd;
    t.ifZero[k] = e.ifZero ?? NaN;
  }
  errorTables.set(errs, t);
  return t;
}

const layouts = new WeakMap<ModelIR, Map<string, Layout>>();

/**
 * The layout of x (between-subject etas with Ω > 0, then the IOV etas of each occasion) and the
 * prior in it, for the occasions `occs` (ascending): cached, shared (read-only) by the objectives.
 */
function layoutOf(ir: ModelIR, w: number, occs: readonly number[]): Layout {
  let byKey = layouts.get(ir);
  if (!byKey) {
    byKey = new Map();
    layouts.set(ir, byKey);
  }
  const key = `${w}|${occs.join(',')}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const nEta = ir.etas.length;
  const omega = ir.omega;
  const iovAll: number[] = [];
  ir.etas.forEach((e, k) => e.iov && iovAll.push(k));
  const bsv = ir.etas.map((_, k) => k).filter((k) => !ir.etas[k].iov && omega[k][k] > 0);
  const iov = iovAll.filter((k) => omega[k][k] > 0);
  for (const i of bsv)
    for (const j of iov)
      if (omega[i][j] !== 0)
        throw new DosetwinError([
          {
            code: 'DT_MODEL_OMEGA',
            severity: 'error',
            field: 'random',
            message: `cov(${ir.etas[i].name}, ${ir.etas[j].name}) = ${omega[i][j]}: a between-subject eta cannot covary with an inter-occasion eta`,
            file: ir.file,
          },
        ]);
  const maxOcc = occs.length ? occs[occs.length - 1] : 0;
  const etaIndex: number[] = [...bsv];
  const occasion: number[] = bsv.map(() => 0);
  const names = bsv.map((k) => ir.etas[k].name);
  if (iov.length)
    for (const o of occs)
      for (const k of iov) {
        etaIndex.push(k);
        occasion.push(o);
        names.push(`${ir.etas[k].name}[occ=${o}]`);
      }
  const n = etaIndex.length;
  // Position in the simulator's eta vector: model order, then one block of all IOV etas per
  // occasion 1..maxOcc (see Simulator.run).
  const simEtaLength = iovAll.length ? nEta + iovAll.length * maxOcc : nEta;
  const simPos = Int32Array.from(
    etaIndex.map((k, i) =>
      occasion[i] === 0 ? k : nEta + (occasion[i] - 1) * iovAll.length + iovAll.indexOf(k),
    ),
  );
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (occasion[i] === occasion[j]) P[i * n + j] = omega[etaIndex[i]][etaIndex[j]] / w;
  const L = new Float64Array(n * n);
  if (!cholesky(n, P, L))
    throw new DosetwinError([
      {
        code: 'DT_MODEL_OMEGA',
        severity: 'error',
        field: 'random',
        message: 'the variance-covariance matrix of the etas (Ω) is not positive definite',
        hint: 'check the covariances: |cov(a, b)| must be < √(var a · var b)',
        file: ir.file,
      },
    ]);
  const layout: Layout = {
    n,
    names,
    etaIndex: Int32Array.from(etaIndex),
    occasion: Int32Array.from(occasion),
    simEtaLength,
    simPos,
    priorCov: P,
    priorSd: Float64Array.from({ length: n }, (_, i) => Math.sqrt(P[i * n + i])),
    logDetPrior: logDetChol(n, L),
    priorPrecision: cholInverse(n, L, new Float64Array(n * n)),
  };
  if (byKey.size > 64) byKey.clear();
  byKey.set(key, layout);
  return layout;
}
