/**
 * NONMEM dataset semantics, as PREDPP reads them. One patient's records, in file order, as typed
 * arrays (structure of arrays) so the simulator's hot loop reads them without allocation.
 */
export interface PatientData {
  id: string;
  n: number;
  time: Float64Array;
  /** 0 observation, 1 dose, 2 other (prediction only), 3 reset, 4 reset and dose. */
  evid: Int8Array;
  amt: Float64Array;
  /** > 0 infusion rate; 0 bolus; −1 rate modelled (rate(cmt)); −2 duration modelled (duration(cmt)). */
  rate: Float64Array;
  /** 1-based compartment; 0 = the default (doses: first compartment; observations: first output). */
  cmt: Int32Array;
  ii: Float64Array;
  addl: Int32Array;
  /** 0 none, 1 steady state with reset, 2 steady state added to the current state. */
  ss: Int8Array;
  mdv: Int8Array;
  /** Observed value; NaN where missing (MDV = 1 or '.'). */
  dv: Float64Array;
  /** Covariates, record-major: cov[r * nCov + k] for the model's covariate k. */
  cov: Float64Array;
  nCov: number;
  /** Occasion index (1-based) for inter-occasion variability; 1 when the data have no OCC. */
  occ: Int32Array;
  /** Source line of each record (1-based, header = line 1), for messages. */
  line: Int32Array;
  /**
   * Censoring flag (Beal's M3): 1 = the observation is below the lower limit of quantification,
   * 0 = quantified. Absent when no record is censored.
   */
  cens?: Int8Array;
  /**
   * Lower limit of quantification of a censored observation (NaN = use its DV, NONMEM's M3
   * convention DV = LLOQ). Absent when the data have no LLOQ.
   */
  lloq?: Float64Array;
  /**
   * Observation type (the data's DVID column; 0 = none): which output an observation reads when
   * the model's outputs declare `dvid N`. Absent when no record has one.
   */
  dvid?: Int32Array;
  /** True when some covariate changes between records: parameters are then evaluated per record. */
  timeVarying: boolean;
}

/** Build a PatientData from plain rows (all fields optional except id and time). */
export interface RecordInput {
  time: number;
  evid?: number;
  amt?: number;
  rate?: number;
  cmt?: number;
  ii?: number;
  addl?: number;
  ss?: number;
  mdv?: number;
  dv?: number | null;
  /** Values in the order of the model's covariates. */
  cov?: ArrayLike<number>;
  occ?: number;
  line?: number;
  /** 1 = below the limit of quantification (BLQ / CENS column). */
  cens?: number;
  /** Limit of quantification (LLOQ column); a censored record without it uses its DV. */
  lloq?: number;
  /** Observation type (DVID column), for models whose outputs declare `dvid N`. */
  dvid?: number;
}

export function patientFromRecords(id: string, rows: readonly RecordInput[], nCov: number): PatientData {
  const n = rows.length;
  const p: PatientData = {
    id,
    n,
    time: new Float64Array(n),
    evid: new Int8Array(n),
    amt: new Float64Array(n),
    rate: new Float64Array(n),
    cmt: new Int32Array(n),
    ii: new Float64Array(n),
    addl: new Int32Array(n),
    ss: new Int8Array(n),
    mdv: new Int8Array(n),
    dv: new Float64Array(n),
    cov: new Float64Array(n * nCov),
    nCov,
    occ: new Int32Array(n),
    line: new Int32Array(n),
    timeVarying: false,
  };
  rows.forEach((r, i) => {
    p.time[i] = r.time;
    const amt = r.amt ?? 0;
    p.evid[i] = r.evid ?? (amt > 0 ? 1 : 0);
    p.amt[i] = amt;
    p.rate[i] = r.rate ?? 0;
    p.cmt[i] = r.cmt ?? 0;
    p.ii[i] = r.ii ?? 0;
    p.addl[i] = r.addl ?? 0;
    p.ss[i] = r.ss ?? 0;
    p.dv[i] = r.dv === null || r.dv === undefined ? NaN : r.dv;
    p.mdv[i] = r.mdv ?? (p.evid[i] !== 0 || Number.isNaN(p.dv[i]) ? 1 : 0);
    for (let k = 0; k < nCov; k++) p.cov[i * nCov + k] = r.cov ? r.cov[k] : NaN;
    p.occ[i] = r.occ ?? 1;
    p.line[i] = r.line ?? i + 1;
  });
  if (rows.some((r) => r.cens === 1)) p.cens = Int8Array.from(rows, (r) => (r.cens === 1 ? 1 : 0));
  if (rows.some((r) => r.lloq !== undefined && Number.isFinite(r.lloq)))
    p.lloq = Float64Array.from(rows, (r) => r.lloq ?? NaN);
  if (rows.some((r) => (r.dvid ?? 0) !== 0)) p.dvid = Int32Array.from(rows, (r) => r.dvid ?? 0);
  p.timeVarying = detectTimeVarying(p);
  return p;
}

/** A patient with `n` zeroed records (DV NaN), for code that builds records one by one. */
export function emptyPatient(id: string, n: number, nCov: number): PatientData {
  return {
    id,
    n,
    time: new Float64Array(n),
    evid: new Int8Array(n),
    amt: new Float64Array(n),
    rate: new Float64Array(n),
    cmt: new Int32Array(n),
    ii: new Float64Array(n),
    addl: new Int32Array(n),
    ss: new Int8Array(n),
    mdv: new Int8Array(n),
    dv: new Float64Array(n).fill(NaN),
    cov: new Float64Array(n * nCov),
    nCov,
    occ: new Int32Array(n),
    line: new Int32Array(n),
    timeVarying: false,
  };
}

export function detectTimeVarying(p: PatientData): boolean {
  for (let i = 1; i < p.n; i++) {
    if (p.occ[i] !== p.occ[0]) return true;
    for (let k = 0; k < p.nCov; k++) if (p.cov[i * p.nCov + k] !== p.cov[k]) return true;
  }
  return false;
}
