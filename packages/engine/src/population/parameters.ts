import { DosetwinError } from '../errors.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { ErrorModel, ModelIR } from '../model/ir.ts';

/**
 * The population parameters of a model: fixed effects θ (the model's `parameters`, in order), the
 * between-subject variance matrix Ω (the model's eta order) and the residual-error SDs of each
 * output. One shape for the starting point, every iterate and the estimate.
 */
export interface PopulationParameters {
  theta: Float64Array;
  /** Ω, nEta × nEta row-major. */
  omega: Float64Array;
  /** Per output (the model's `errors`, in order): additive SD (concentration units). */
  addSd: Float64Array;
  /** Per output: proportional SD (fraction), or the log-scale SD of an `exp` error. */
  propSd: Float64Array;
}

/** Bounds and FIX of one fixed effect (NONMEM `$THETA (low, init, up) FIX`). */
export interface ThetaBounds {
  low: number;
  up: number;
  fixed: boolean;
}

/**
 * What is estimated and how: the vector u the optimisers work on, and the map from u to
 * {@link PopulationParameters}. Parameterisation:
 * - θ_k with a lower bound ≥ 0 (every `.dtm` parameter with a positive value, which are rates,
 *   volumes, clearances, exponents): u = ln(θ − low), so the bound can never be crossed; with a
 *   finite upper bound too: u = logit((θ − low)/(up − low)); otherwise u = θ;
 * - Ω: each block of etas that covary (connected by non-zero covariances in the starting Ω) by its
 *   Cholesky factor L, u = ln L_ii and L_ij (i > j): Ω stays positive definite, and a diagonal Ω
 *   stays diagonal (u = ½ ln ω²);
 * - residual SDs: u = ln SD, for each SD that is non-zero at the start.
 * Fixed elements (FIX, a zero variance, a centring constant the caller fixes) are left out of u.
 */
export interface ParameterSpace {
  readonly ir: ModelIR;
  readonly start: PopulationParameters;
  /** Number of estimated components (length of u). */
  readonly n: number;
  /** Name of each component of u, as reported (`TVCL`, `omega(eta_CL)`, `cov(eta_CL,eta_V)`, `CP.add`). */
  readonly names: readonly string[];
  /** θ indices estimated. */
  readonly thetaFree: readonly number[];
  readonly thetaBounds: readonly ThetaBounds[];
  /** Estimated eta indices (Ω diagonal > 0 and not fixed), grouped in blocks. */
  readonly blocks: readonly (readonly number[])[];
  /** Residual SDs estimated: [output, 'add' | 'prop']. */
  readonly sigmaFree: readonly (readonly [number, 'add' | 'prop'])[];
  /** u at the start. */
  readonly u0: Float64Array;
  /** Parameters at u. */
  toParameters(u: ArrayLike<number>): PopulationParameters;
  /** u of given parameters (the inverse of toParameters on the estimated components). */
  toU(p: PopulationParameters): Float64Array;
}

/** Options of {@link parameterSpace}. */
export interface ParameterSpaceOptions {
  /** Names of model parameters held at their value (centring constants, reference weights…). */
  fixed?: readonly string[];
  /** Start from these values instead of the model's. */
  start?: PopulationParameters;
}

/** The names of the residual SDs of an output, as reported (`CP.add`, `CP.prop`). */
export function sigmaName(e: ErrorModel, which: 'add' | 'prop'): string {
  return `${e.output}.${which === 'prop' && e.kind === 'exp' ? 'exp' : which}`;
}

/** The name of an element of Ω, as reported: `omega(eta_CL)` or `cov(eta_CL,eta_V)`. */
export function omegaName(ir: ModelIR, i: number, j: number): string {
  return i === j ? `omega(${ir.etas[i].name})` : `cov(${ir.etas[i].name},${ir.etas[j].name})`;
}

/** The model's own population parameters (its published or initial values). */
export function modelParameters(ir: ModelIR): PopulationParameters {
  const nEta = ir.etas.length;
  const omega = new Float64Array(nEta * nEta);
  for (let i = 0; i < nEta; i++) for (let j = 0; j < nEta; j++) omega[i * nEta + j] = ir.omega[i][j];
  return {
    theta: Float64Array.from(ir.parameters, (p) => p.value),
    omega,
    addSd: Float64Array.from(ir.errors, (e) => (e.kind === 'exp' || e.kind === 'variance' ? 0 : e.addSd)),
    propSd: Float64Array.from(ir.errors, (e) => (e.kind === 'add' || e.kind === 'variance' ? 0 : e.propSd)),
  };
}

/** A copy of the IR carrying the given population parameters (for a simulator and MAP objectives). */
export function withParameters(ir: ModelIR, p: PopulationParameters): ModelIR {
  const nEta = ir.etas.length;
  return {
    ...ir,
    parameters: ir.parameters.map((d, k) => ({ ...d, value: p.theta[k] })),
    omega: ir.etas.map((_, i) => Array.from(p.omega.subarray(i * nEta, (i + 1) * nEta))),
    errors: ir.errors.map((e, k) => ({
      ...e,
      addSd: e.kind === 'exp' || e.kind === 'variance' ? e.addSd : p.addSd[k],
      propSd: e.kind === 'add' || e.kind === 'variance' ? e.propSd : p.propSd[k],
    })),
  };
}

/**
 * The compiled model with population parameters p: the same compiled code (θ are read from the
 * simulator's slots, which {@link setThetas} writes), with Ω and the residual SDs in its IR.
 */
export function modelWith(model: CompiledModel, p: PopulationParameters): CompiledModel {
  const ir = withParameters(model.ir, p);
  const thetaSlots = model.thetaSlots;
  const base = model.newSlots;
  return {
    ...model,
    ir,
    newSlots() {
      const s = base();
      for (let k = 0; k < thetaSlots.length; k++) s[thetaSlots[k]] = p.theta[k];
      return s;
    },
  };
}

/** Write θ into a simulator's slot array (the compiled code reads θ there). */
export function setThetas(model: CompiledModel, slots: Float64Array, theta: ArrayLike<number>): void {
  const ts = model.thetaSlots;
  for (let k = 0; k < ts.length; k++) slots[ts[k]] = theta[k];
}

/** The parameter space of a model (see {@link ParameterSpace}). */
export function parameterSpace(ir: ModelIR, options: ParameterSpaceOptions = {}): ParameterSpace {
  const start = options.start ?? modelParameters(ir);
  const nEta = ir.etas.length;
  const est = ir.estimation;
  const fixedNames = new Set(options.fixed ?? []);
  for (const f of fixedNames)
    if (!ir.parameters.some((p) => p.name === f))
      throw new DosetwinError([
        {
          code: 'DT_ARG',
          severity: 'error',
          field: 'fixed',
          message: `'${f}' is not a parameter of the model (its parameters: ${ir.parameters.map((p) => p.name).join(', ')})`,
        },
      ]);
  const thetaBounds: ThetaBounds[] = ir.parameters.map((p, k) => {
    const b = est?.parameters.find((q) => q.name === p.name);
    if (b) return { low: b.low, up: b.up, fixed: b.fixed || fixedNames.has(p.name) };
    // A .dtm parameter states no bounds: a positive one (a rate, volume, clearance, exponent) stays
    // positive; a zero or negative one (a slope, a shift) is free.
    return { low: start.theta[k] > 0 ? 0 : -Infinity, up: Infinity, fixed: fixedNames.has(p.name) };
  });
  const thetaFree = thetaBounds.map((b, k) => k).filter((k) => !thetaBounds[k].fixed);
  for (const k of thetaFree) {
    const b = thetaBounds[k];
    const v = start.theta[k];
    if (!(v > b.low && v < b.up) && !(b.low === -Infinity && v < b.up))
      throw new DosetwinError([
        {
          code: 'DT_ARG',
          severity: 'error',
          field: `parameters.${ir.parameters[k].name}`,
          message: `initial value ${v} is not strictly inside its bounds (${b.low}, ${b.up})`,
        },
      ]);
  }
  // Ω blocks: etas with a positive, non-fixed variance, connected by non-zero covariances.
  const omegaFixed = est?.omegaFixed ?? [];
  const free = ir.etas.map((_, i) => i).filter((i) => start.omega[i * nEta + i] > 0 && !omegaFixed[i]);
  const blocks: number[][] = [];
  const seen = new Set<number>();
  for (const i of free) {
    if (seen.has(i)) continue;
    const block: number[] = [];
    const stack = [i];
    seen.add(i);
    while (stack.length) {
      const a = stack.pop()!;
      block.push(a);
      for (const b of free)
        if (!seen.has(b) && start.omega[a * nEta + b] !== 0) {
          seen.add(b);
          stack.push(b);
        }
    }
    blocks.push(block.sort((a, b) => a - b));
  }
  const sigmaFree: [number, 'add' | 'prop'][] = [];
  ir.errors.forEach((e, k) => {
    if (start.addSd[k] > 0) sigmaFree.push([k, 'add']);
    if (start.propSd[k] > 0) sigmaFree.push([k, 'prop']);
  });
  const names: string[] = [
    ...thetaFree.map((k) => ir.parameters[k].name),
    ...blocks.flatMap((b) => b.flatMap((i, a) => b.slice(0, a + 1).map((j) => omegaName(ir, i, j)))),
    ...sigmaFree.map(([k, w]) => sigmaName(ir.errors[k], w)),
  ];
  const toParameters = (u: ArrayLike<number>): PopulationParameters => {
    let at = 0;
    const theta = Float64Array.from(start.theta);
    for (const k of thetaFree) {
      const b = thetaBounds[k];
      const x = u[at++];
      theta[k] =
        b.low === -Infinity
          ? x
          : b.up === Infinity
            ? b.low + Math.exp(x)
            : b.low + (b.up - b.low) / (1 + Math.exp(-x));
    }
    const omega = Float64Array.from(start.omega);
    for (const block of blocks) {
      const m = block.length;
      const L = new Float64Array(m * m);
      for (let a = 0; a < m; a++)
        for (let c = 0; c <= a; c++) L[a * m + c] = a === c ? Math.exp(u[at++]) : u[at++];
      for (let a = 0; a < m; a++)
        for (let c = 0; c < m; c++) {
          let s = 0;
          for (let q = 0; q <= Math.min(a, c); q++) s += L[a * m + q] * L[c * m + q];
          omega[block[a] * nEta + block[c]] = s;
        }
    }
    const addSd = Float64Array.from(start.addSd);
    const propSd = Float64Array.from(start.propSd);
    for (const [k, w] of sigmaFree) (w === 'add' ? addSd : propSd)[k] = Math.exp(u[at++]);
    return { theta, omega, addSd, propSd };
  };
  const toU = (p: PopulationParameters): Float64Array => {
    const u: number[] = [];
    for (const k of thetaFree) {
      const b = thetaBounds[k];
      const v = p.theta[k];
      u.push(
        b.low === -Infinity
          ? v
          : b.up === Infinity
            ? Math.log(v - b.low)
            : Math.log((v - b.low) / (b.up - v)),
      );
    }
    for (const block of blocks) {
      const m = block.length;
      const L = new Float64Array(m * m);
      for (let a = 0; a < m; a++)
        for (let c = 0; c <= a; c++) {
          let s = p.omega[block[a] * nEta + block[c]];
          for (let q = 0; q < c; q++) s -= L[a * m + q] * L[c * m + q];
          if (a === c) {
            if (!(s > 0))
              throw new DosetwinError([
                {
                  code: 'DT_MODEL_OMEGA',
                  severity: 'error',
                  field: 'random',
                  message: `the block of Ω of ${block.map((i) => ir.etas[i].name).join(', ')} is not positive definite`,
                  file: ir.file,
                },
              ]);
            L[a * m + a] = Math.sqrt(s);
            u.push(Math.log(L[a * m + a]));
          } else {
            L[a * m + c] = s / L[c * m + c];
            u.push(L[a * m + c]);
          }
        }
    }
    for (const [k, w] of sigmaFree) u.push(Math.log((w === 'add' ? p.addSd : p.propSd)[k]));
    return Float64Array.from(u);
  };
  // Blocks were filled in row order a, columns c ≤ a: toU pushes in the same order as toParameters reads.
  return {
    ir,
    start,
    n: names.length,
    names,
    thetaFree,
    thetaBounds,
    blocks,
    sigmaFree,
    u0: toU(start),
    toParameters,
    toU,
  };
}

/** Population parameters by the model's names, as a fit reports them. */
export function namedParameters(
  ir: ModelIR,
  p: PopulationParameters,
): {
  theta: Record<string, number>;
  omega: { names: string[]; matrix: number[][] };
  sigma: Record<string, number>;
} {
  const theta: Record<string, number> = {};
  const sigma: Record<string, number> = {};
  // A control stream's $SIGMA variances are model parameters: reported with the residual error.
  const isSigma = new Set(ir.estimation?.parameters.filter((q) => q.sigma).map((q) => q.name));
  ir.parameters.forEach((d, k) => ((isSigma.has(d.name) ? sigma : theta)[d.name] = p.theta[k]));
  ir.errors.forEach((e, k) => {
    if (e.kind === 'variance') return;
    if (e.kind !== 'exp' && (p.addSd[k] > 0 || e.kind !== 'prop')) sigma[sigmaName(e, 'add')] = p.addSd[k];
    if (e.kind !== 'add') sigma[sigmaName(e, 'prop')] = p.propSd[k];
  });
  const nEta = ir.etas.length;
  const names = ir.etas.map((e) => e.name);
  const matrix = names.map((_, i) => Array.from(p.omega.subarray(i * nEta, (i + 1) * nEta)));
  return { theta, omega: { names, matrix }, sigma };
}
