import type { MapObjective } from './objective.ts';

/**
 * Computes the prediction vector F (at the observations, then the variances of `variance(...)`
 * outputs: `MapObjective.predict`) and its Jacobian J = ∂F/∂x (nPred × n, row-major) at x. Returns false when a simulation at x fails (f(x) = +Infinity).
 */
export interface JacobianMethod {
  /** Simulator runs (or run-equivalents) per evaluation, for reporting. */
  readonly name: string;
  /** True when one evaluation for this patient costs a single run (F comes with J). */
  singleRun?(obj: MapObjective): boolean;
  compute(
    obj: MapObjective,
    x: Float64Array,
    F: Float64Array,
    J: Float64Array,
    skip?: Uint8Array | null,
    haveF?: boolean,
  ): boolean;
}

/**
 * Finite differences on the simulator. Step for component i: h_i = hRel·(|x_i| + sd_i), sd_i the
 * prior SD (the natural scale of an eta), rounded so that x_i + h_i − x_i = h_i exactly.
 *
 * - forward, hRel = 1e-7: truncation error ≈ h·|F''|/2, rounding ≈ ε_F·|F|/h with ε_F the relative
 *   error of a prediction (~1e-15 for closed forms and matrix exponentials), so ≈ 1e-7 relative —
 *   ample for the optimiser's gradient (n + 1 runs);
 * - central, hRel = 1e-4 (exact solvers) … 1e-3 (adaptive ODE, ε_F ≈ 1e-9): truncation O(h²),
 *   ≈ 1e-8 relative; used for the conditional covariance at the mode (2n + 1 runs).
 * If a perturbed run fails (a parameter leaving its domain), the other side is used.
 */
export class FiniteDifferences implements JacobianMethod {
  readonly name: string;
  private readonly central: boolean;
  private readonly hRel: number;
  private xp = new Float64Array(0);
  private Fp = new Float64Array(0);
  private Fm = new Float64Array(0);

  constructor(scheme: 'forward' | 'central', hRel: number) {
    this.central = scheme === 'central';
    this.hRel = hRel;
    this.name = `${scheme} differences (h = ${hRel}·(|η| + sd))`;
  }

  compute(
    obj: MapObjective,
    x: Float64Array,
    F: Float64Array,
    J: Float64Array,
    skip: Uint8Array | null = null,
    haveF = false,
  ): boolean {
    const n = obj.n;
    const m = obj.nPred;
    if (this.xp.length !== n) this.xp = new Float64Array(n);
    if (this.Fp.length < m) {
      this.Fp = new Float64Array(m);
      this.Fm = new Float64Array(m);
    }
    const { xp, Fp, Fm } = this;
    if (!haveF && !obj.predict(x, F)) return false;
    xp.set(x);
    for (let i = 0; i < n; i++) {
      if (skip && skip[i]) {
        for (let j = 0; j < m; j++) J[j * n + i] = 0;
        continue;
      }
      const xi = x[i];
      let h = this.hRel * (Math.abs(xi) + obj.priorSd[i]);
      h = xi + h - xi;
      xp[i] = xi + h;
      const okP = obj.predict(xp, Fp);
      if (this.central) {
        xp[i] = xi - h;
        const okM = obj.predict(xp, Fm);
        if (okP && okM) for (let j = 0; j < m; j++) J[j * n + i] = (Fp[j] - Fm[j]) / (2 * h);
        else if (okP) for (let j = 0; j < m; j++) J[j * n + i] = (Fp[j] - F[j]) / h;
        else if (okM) for (let j = 0; j < m; j++) J[j * n + i] = (F[j] - Fm[j]) / h;
        else return false;
      } else if (okP) for (let j = 0; j < m; j++) J[j * n + i] = (Fp[j] - F[j]) / h;
      else {
        xp[i] = xi - h;
        if (!obj.predict(xp, Fm)) return false;
        for (let j = 0; j < m; j++) J[j * n + i] = (F[j] - Fm[j]) / h;
      }
      xp[i] = xi;
    }
    return true;
  }
}
