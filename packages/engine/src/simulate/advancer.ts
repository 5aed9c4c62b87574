import { fail } from '../errors.ts';
import type { CompiledModel, ExactCompartments } from '../model/compile.ts';
import { LinearOde } from '../solve/expm.ts';
import { LinearCmt } from '../solve/linear-cmt.ts';
import { OdeSolver, type OdeOptions } from '../solve/ode.ts';

/**
 * Moves compartment amounts forward in time with the parameters currently in the slots and a
 * constant zero-order input per compartment. One implementation per structure kind: exact closed
 * form (1–3 compartments), exact matrix exponential (linear ODEs), numerical integration (others).
 */
export interface Advancer {
  /** Read the individual parameters from the slots (call after `model.individual(s)`). */
  setup(s: Float64Array): void;
  /** Advance amounts `a` in place from t0 to t1 with input `rate` (amount/time per compartment). */
  advance(a: Float64Array, rate: Float64Array, t0: number, t1: number): void;
  readonly exact: boolean;
  /** The closed form, when that is the solver (its last step's coefficients). */
  readonly closed?: LinearCmt;
  /** The numerical integrator, when there is one (for its statistics). */
  readonly ode?: OdeSolver;
}

export function makeAdvancer(
  model: CompiledModel,
  s: Float64Array,
  ode: OdeOptions = {},
  mode: 'auto' | 'numerical' = 'auto',
): Advancer {
  const st = model.structure;
  const n = model.nStates;
  if (st.kind === 'closed') {
    const lin = new LinearCmt(st.nDisp, st.depot);
    const rates = new Float64Array(6);
    const { cl, v1, q2, v2, q3, v3, ka } = st.args;
    const field = (name: string): string => `equations.pk.${name}`;
    return {
      exact: true,
      closed: lin,
      setup(x) {
        const CL = x[cl];
        const V1 = x[v1];
        if (!(V1 > 0)) fail('DT_PARAM_DOMAIN', field('v'), `central volume is ${V1}; it must be > 0`);
        if (!(CL >= 0)) fail('DT_PARAM_DOMAIN', field('cl'), `clearance is ${CL}; it must be ≥ 0`);
        let k12 = 0;
        let k21 = 0;
        let k13 = 0;
        let k31 = 0;
        if (q2 >= 0) {
          const Q = x[q2];
          const V2 = x[v2];
          if (!(V2 > 0)) fail('DT_PARAM_DOMAIN', field('v2'), `peripheral volume is ${V2}; it must be > 0`);
          if (!(Q >= 0))
            fail('DT_PARAM_DOMAIN', field('q'), `intercompartmental clearance is ${Q}; it must be ≥ 0`);
          k12 = Q / V1;
          k21 = Q / V2;
        }
        if (q3 >= 0) {
          const Q = x[q3];
          const V3 = x[v3];
          if (!(V3 > 0))
            fail('DT_PARAM_DOMAIN', field('v3'), `second peripheral volume is ${V3}; it must be > 0`);
          if (!(Q >= 0))
            fail(
              'DT_PARAM_DOMAIN',
              field('q3'),
              `second intercompartmental clearance is ${Q}; it must be ≥ 0`,
            );
          k13 = Q / V1;
          k31 = Q / V3;
        }
        const KA = ka >= 0 ? x[ka] : 0;
        if (ka >= 0 && !(KA >= 0))
          fail('DT_PARAM_DOMAIN', field('ka'), `absorption rate constant is ${KA}; it must be ≥ 0`);
        rates[0] = CL / V1;
        rates[1] = k12;
        rates[2] = k21;
        rates[3] = k13;
        rates[4] = k31;
        rates[5] = KA;
        lin.setRateVector(rates);
      },
      advance(a, rate, t0, t1) {
        lin.step = t1 - t0;
        lin.advanceStep(a, rate);
      },
    };
  }
  if (st.kind === 'linear-ode' && mode === 'auto') {
    const lode = new LinearOde(n);
    const K = new Float64Array(n * n);
    const Kprev = new Float64Array(n * n).fill(NaN);
    const r0 = new Float64Array(n);
    const r = new Float64Array(n);
    return {
      exact: true,
      setup(x) {
        st.matrix(x, K);
        st.constant(x, r0);
        let same = true;
        for (let i = 0; i < K.length; i++) if (K[i] !== Kprev[i]) same = false;
        // Setting the matrix clears the propagator cache: only do it when K really changed.
        if (!same) {
          lode.setMatrix(K);
          Kprev.set(K);
        }
      },
      advance(a, rate, t0, t1) {
        for (let i = 0; i < n; i++) r[i] = rate[i] + r0[i];
        lode.advance(a, r, t1 - t0);
      },
    };
  }
  if (st.kind === 'ode' && st.exact && st.exact.index.length < n)
    return reducedAdvancer(model, s, st.jacobian, st.exact, ode);
  // Non-linear: numerical integration of the compiled right-hand side.
  let input: Float64Array = new Float64Array(n);
  const stateSlots = model.stateSlots;
  const ddt = model.ddtSlots;
  const tSlot = model.tSlot;
  const derivatives = model.derivatives;
  // A linear system's Jacobian is its matrix K.
  const jac = st.kind === 'ode' ? st.jacobian : st.kind === 'linear-ode' ? st.matrix : null;
  const kernel = model.rhs;
  const solver = new OdeSolver(
    n,
    kernel
      ? (t, y, dydt) => kernel(s, t, y, dydt, input)
      : (t, y, dydt) => {
          s[tSlot] = t;
          for (let i = 0; i < n; i++) s[stateSlots[i]] = y[i];
          derivatives(s);
          for (let i = 0; i < n; i++) dydt[i] = s[ddt[i]] + input[i];
        },
    ode,
    jac
      ? (t, y, J) => {
          s[tSlot] = t;
          for (let i = 0; i < n; i++) s[stateSlots[i]] = y[i];
          jac(s, J);
        }
      : undefined,
  );
  return {
    exact: false,
    ode: solver,
    setup() {},
    advance(a, rate, t0, t1) {
      input = rate;
      solver.integrate(t0, a, t1);
    },
  };
}

/**
 * Numerical integration of the compartments that need it, with the first-order decay
 * compartments (absorption depots, and their sensitivities) solved exactly: see
 * `ExactCompartments` in model/compile.ts. The integrator's state is the other compartments; the
 * right-hand side sees the exact ones at the time it is evaluated.
 */
function reducedAdvancer(
  model: CompiledModel,
  s: Float64Array,
  jac: ((s: Float64Array, J: Float64Array) => void) | null,
  ex: ExactCompartments,
  ode: OdeOptions,
): Advancer {
  const n = model.nStates;
  const nx = ex.index.length;
  const isExact = new Uint8Array(n);
  for (let e = 0; e < nx; e++) isExact[ex.index[e]] = 1;
  const rest = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !isExact[i]);
  const nr = rest.length;
  const xIdx = ex.index;
  const parent = ex.parent;
  /** Decay rate k of each exact compartment (a sensitivity's is its parent's), and ∂k/∂η. */
  const k = new Float64Array(nx);
  const kEta = new Float64Array(nx);
  const rates = new Float64Array(nx);
  const x0 = new Float64Array(nx);
  const r = new Float64Array(nx);
  let tStart = 0;
  let input: Float64Array = new Float64Array(n);
  const yFull = new Float64Array(n);
  const dFull = new Float64Array(n);
  const JFull = new Float64Array(n * n);
  // Per exact compartment at the last time asked: e^{−kτ}, (1 − e^{−kτ})/k, τ²·φ(kτ) (the
  // last for compartments with sensitivities), and the values; the two last stages of a DOPRI5
  // step, and an observation after a step, ask for the same time again.
  const E = new Float64Array(nx);
  const G = new Float64Array(nx);
  const H = new Float64Array(nx);
  const hasChild = new Uint8Array(nx);
  for (let e = 0; e < nx; e++) if (parent[e] >= 0) hasChild[parent[e]] = 1;
  const value = new Float64Array(nx);
  let lastT = NaN;
  /** The exact compartments at time t into `into`. */
  const exactAt = (t: number, into: Float64Array): void => {
    if (t !== lastT) {
      const tau = t - tStart;
      for (let e = 0; e < nx; e++) {
        if (parent[e] >= 0) continue;
        const kk = k[e];
        const x = kk * tau;
        const ex = Math.exp(-x);
        E[e] = ex;
        // (1 − e^{−x})/k, → τ as k → 0; expm1 where 1 − e^{−x} would cancel.
        G[e] = x >= 0.5 ? (1 - ex) / kk : x > 0 ? -Math.expm1(-x) / kk : tau;
        if (hasChild[e]) H[e] = tau * tau * phi2(x, ex);
        value[e] = x0[e] * ex + r[e] * G[e];
      }
      for (let e = 0; e < nx; e++) {
        const p = parent[e];
        if (p < 0) continue;
        value[e] = x0[e] * E[p] + r[e] * G[p] - kEta[e] * (x0[p] * tau * E[p] + r[p] * H[p]);
      }
      lastT = t;
    }
    for (let e = 0; e < nx; e++) into[xIdx[e]] = value[e];
  };
  const kernel = model.rhs;
  const stateSlots = model.stateSlots;
  const ddt = model.ddtSlots;
  const tSlot = model.tSlot;
  const derivatives = model.derivatives;
  // errorComponents counts the leading states of the full system; here, those left to integrate.
  const nErr =
    ode.errorComponents === undefined ? undefined : rest.filter((i) => i < ode.errorComponents!).length;
  const solver = new OdeSolver(
    nr,
    (t, y, dydt) => {
      for (let i = 0; i < nr; i++) yFull[rest[i]] = y[i];
      exactAt(t, yFull);
      if (kernel) kernel(s, t, yFull, dFull, input);
      else {
        s[tSlot] = t;
        for (let i = 0; i < n; i++) s[stateSlots[i]] = yFull[i];
        derivatives(s);
        for (let i = 0; i < n; i++) dFull[i] = s[ddt[i]] + input[i];
      }
      for (let i = 0; i < nr; i++) dydt[i] = dFull[rest[i]];
    },
    nErr === undefined ? ode : { ...ode, errorComponents: Math.max(1, nErr) },
    jac
      ? (t, y, J) => {
          for (let i = 0; i < nr; i++) yFull[rest[i]] = y[i];
          exactAt(t, yFull);
          s[tSlot] = t;
          for (let i = 0; i < n; i++) s[stateSlots[i]] = yFull[i];
          jac(s, JFull);
          for (let i = 0; i < nr; i++)
            for (let j = 0; j < nr; j++) J[i * nr + j] = JFull[rest[i] * n + rest[j]];
        }
      : undefined,
  );
  const yr = new Float64Array(nr);
  return {
    exact: false,
    ode: solver,
    setup(x) {
      ex.rates(x, rates);
      for (let e = 0; e < nx; e++) {
        const p = parent[e];
        k[e] = p >= 0 ? rates[p] : rates[e];
        kEta[e] = p >= 0 ? rates[e] : 0;
        if (!(k[e] >= 0) || !Number.isFinite(k[e]))
          fail(
            'DT_PARAM_DOMAIN',
            `equations.d/dt(${model.ir.compartments[xIdx[e]]})`,
            `the first-order rate out of '${model.ir.compartments[xIdx[e]]}' is ${k[e]}; it must be finite and ≥ 0`,
          );
      }
    },
    advance(a, rate, t0, t1) {
      input = rate;
      tStart = t0;
      lastT = NaN;
      for (let e = 0; e < nx; e++) {
        x0[e] = a[xIdx[e]];
        r[e] = rate[xIdx[e]];
      }
      for (let i = 0; i < nr; i++) yr[i] = a[rest[i]];
      if (nr > 0) solver.integrate(t0, yr, t1);
      for (let i = 0; i < nr; i++) a[rest[i]] = yr[i];
      exactAt(t1, a);
    },
  };
}

/**
 * φ(x) = (1 − e^{−x} − x·e^{−x})/x², → 1/2 as x → 0, given e^{−x}: the closed form for x ≥ 0.1
 * (it loses at most about 2.5 digits there), else its series Σ_{k≥0} (k + 1)/(k + 2)!·(−x)^k to
 * the x⁷ term (truncation < 3e-14 relative).
 */
function phi2(x: number, ex: number): number {
  if (x >= 0.1) return (1 - ex - x * ex) / (x * x);
  let v = 0;
  for (let k = PHI2.length - 1; k >= 0; k--) v = PHI2[k] - x * v;
  return v;
}

/** (k + 1)/(k + 2)!, k = 0…7: the series of {@link phi2} in −x. */
const PHI2 = [1 / 2, 1 / 3, 1 / 8, 1 / 30, 1 / 144, 1 / 840, 1 / 5760, 1 / 45360];
