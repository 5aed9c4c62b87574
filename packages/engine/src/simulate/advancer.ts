import { fail } from '../errors.ts';
import type { CompiledModel } from '../model/compile.ts';
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
    const { cl, v1, q2, v2, q3, v3, ka } = st.args;
    const field = (name: string): string => `equations.pk.${name}`;
    return {
      exact: true,
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
        lin.setRates(CL / V1, k12, k21, k13, k31, KA);
      },
      advance(a, rate, t0, t1) {
        lin.advance(a, rate, t1 - t0);
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
  // Non-linear: numerical integration of the compiled right-hand side.
  let input: Float64Array = new Float64Array(n);
  const stateSlots = model.stateSlots;
  const ddt = model.ddtSlots;
  const tSlot = model.tSlot;
  const derivatives = model.derivatives;
  // A linear system's Jacobian is its matrix K.
  const jac = st.kind === 'ode' ? st.jacobian : st.kind === 'linear-ode' ? st.matrix : null;
  const solver = new OdeSolver(
    n,
    (t, y, dydt) => {
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
