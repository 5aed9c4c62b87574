/**
 * Intermediate representation of a dosetwin model. Both the native model language (`.dtm`) and,
 * later, NONMEM control streams compile to this shape; everything downstream (compiler, solvers,
 * estimation) reads only this.
 */

/** 1-based position in the model file. */
export interface Pos {
  line: number;
  column: number;
}

export type BinOp = '+' | '-' | '*' | '/' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type Expr =
  | { k: 'num'; v: number; pos: Pos }
  | { k: 'ref'; name: string; pos: Pos }
  | { k: 'neg'; a: Expr; pos: Pos }
  | { k: 'not'; a: Expr; pos: Pos }
  | { k: 'bin'; op: BinOp; a: Expr; b: Expr; pos: Pos }
  | { k: 'call'; fn: string; args: Expr[]; pos: Pos };

/** Per-compartment dose modifiers, NONMEM's ALAGn, Fn, Rn, Dn and A_0(n). */
export type CmtProperty = 'lag' | 'bioav' | 'rate' | 'duration' | 'init';

export type Stmt =
  | { k: 'assign'; name: string; expr: Expr; pos: Pos }
  | { k: 'if'; branches: { cond: Expr; body: Stmt[] }[]; otherwise: Stmt[] | null; pos: Pos }
  | { k: 'ddt'; cmt: string; expr: Expr; pos: Pos }
  | { k: 'cmtprop'; prop: CmtProperty; cmt: string; expr: Expr; pos: Pos };

/** Built-in closed-form structures (NONMEM ADVAN numbering of compartments). */
export type PkStructureName = 'one_cmt' | 'two_cmt' | 'three_cmt';

export interface PkStructure {
  name: PkStructureName;
  /** Argument name (cl, v, v1, q, v2, q2, v3, q3, ka, ktr) → expression. */
  args: Record<string, Expr>;
  /**
   * Number of transit compartments between the depot and absorption (Savic 2007 transit model:
   * depot →ktr→ transit1 →ktr→ … transitN →ka→ central); 0 = plain first-order absorption.
   */
  transit: number;
  pos: Pos;
}

export interface Citation {
  text: string;
  doi?: string;
}

export interface Units {
  dose: string;
  time: string;
  conc: string;
}

export interface CovariateDef {
  name: string;
  unit: string;
  /** Validity domain of the model (inclusive); null bound = open. */
  valid: { lo: number | null; hi: number | null } | null;
  label: string;
  /** `required`: missing is an error. A number: used when missing, and reported. */
  handling: { kind: 'required' } | { kind: 'default'; value: number };
  /**
   * `derive fn(ARG unit, ...) [key value [unit]]...`: how the covariate is computed from other
   * patient data when not given directly (handling is then `required`: the inputs must be known).
   * The engine only records the rule; the derivation functions live outside it (@dosetwin/models).
   */
  derive?: DeriveRule;
  pos: Pos;
}

/** A derivation rule from the covariates table, e.g. `derive crcl_cg(SCR mg/dL, AGE, WT, SEX) cap 150`. */
export interface DeriveRule {
  /** Name of the derivation function, e.g. `crcl_cg`. */
  fn: string;
  /** Inputs in call order, each with the unit the function receives it in (null = as declared/unitless). */
  args: { name: string; unit: string | null }[];
  /** Modifiers after the call, in order: `cap 150`, `scr_min 1 mg/dL`, `scr_min_age 65 y`. */
  options: { key: string; value: number; unit: string | null }[];
  /** The rule as written, for messages and model cards. */
  text: string;
}

export interface ParameterDef {
  name: string;
  value: number;
  unit: string;
  label: string;
  source: string;
  pos: Pos;
}

export interface EtaDef {
  name: string;
  /** True for inter-occasion variability: one independent copy per occasion (data column OCC). */
  iov: boolean;
  pos: Pos;
}

/** Residual error of one observed output. SDs in concentration units (add) or fractions (prop). */
export interface ErrorModel {
  output: string;
  /**
   * `add`: var = a²; `prop`: var = (b·F)²; `combined`: var = a² + (b·F)² (`sum = 'variance'`) or
   * SD = a + b·F (`sum = 'sd'`); `exp`: ln(DV) = ln(F) + ε, var(ε) = b² on the log scale;
   * `variance`: var = an expression of the model's variables (e.g. translated from NONMEM's
   * $ERROR as Σ (∂Y/∂ε_k)²·σ_k² at ε = 0).
   */
  kind: 'add' | 'prop' | 'combined' | 'exp' | 'variance';
  /** The residual variance expression, for `kind = 'variance'`. */
  variance: Expr | null;
  /** Additive SD (concentration units). */
  addSd: number;
  /** Proportional SD (fraction), or log-scale SD for `exp`. */
  propSd: number;
  sum: 'variance' | 'sd';
  /** NONMEM's `IF (W.EQ.0) W = ...`: value used in place of F in the proportional term when F = 0. */
  ifZero: number | null;
  /** Observation compartments (NONMEM CMT) that read this output; empty = every observation. */
  cmts: number[];
  /**
   * Observation types (the data's DVID column) that read this output, written `dvid 2`: an
   * observation with a DVID reads the output declaring it, whatever its CMT (datasets that tell a
   * concentration from an effect by DVID, not by compartment). Absent or empty: selection by CMT.
   */
  dvids?: number[];
  /**
   * The output's unit when it is not the model's concentration unit (`unit -` for an INR or an
   * effect score, `unit %` for an inhibition): the unit checker compares the output with it.
   */
  unit?: string;
  pos: Pos;
}

export interface TargetDef {
  metric: string;
  lo: number | null;
  hi: number | null;
  unit: string;
  note: string;
}

export interface ModelIR {
  id: string;
  version: string;
  drug: string;
  citation: Citation | null;
  units: Units;
  measured: string;
  population: string;
  description: string;
  covariates: CovariateDef[];
  parameters: ParameterDef[];
  etas: EtaDef[];
  /** Ω, variances/covariances in eta order, row-major, symmetric. */
  omega: number[][];
  /** Compartment names in CMT order (index 0 = CMT 1). */
  compartments: string[];
  /**
   * Units of the compartments that do not hold an amount in the dose unit, written
   * `compartments central, effect (mg/L), a1 (-)`: an effect-site concentration, a response, the
   * fraction of a clotting factor's activity. The others hold amounts in the dose unit.
   */
  compartmentUnits?: Record<string, string>;
  /** Built-in closed-form structure, or null for explicit ODEs. */
  pk: PkStructure | null;
  statements: Stmt[];
  errors: ErrorModel[];
  targets: TargetDef[];
  verified: string[];
  /**
   * Lines of the `products` block (available strengths, infusion durations, intervals), as written
   * minus comments; their structure is read by @dosetwin/models. Absent when the file has none.
   */
  products?: string[];
  /** Model file name for messages. */
  file: string;
  /**
   * What a population fit may move, as the source states it (NONMEM's `$THETA (low, init, up) FIX`,
   * `$OMEGA … FIX`); absent for `.dtm` models, whose parameters state no bounds.
   */
  estimation?: {
    /** `sigma`: the parameter is a residual variance ($SIGMA), reported with the residual error. */
    parameters: { name: string; low: number; up: number; fixed: boolean; sigma?: boolean }[];
    /** Per eta: its variance is fixed. */
    omegaFixed: boolean[];
  };
}
