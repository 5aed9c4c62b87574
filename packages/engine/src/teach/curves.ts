/**
 * The curves of the teaching playground's lessons, from the engine's exact solutions: linear
 * one-compartment kinetics (IV bolus, infusion, first-order absorption with lag and bioavailability,
 * any number of doses) advanced by {@link LinearCmt}, the same state-transition closed form the
 * simulator uses; Michaelis–Menten elimination after a bolus by its Lambert-W solution; and the
 * variability band of a log-normal clearance read off its quantiles (for these linear
 * one-compartment inputs the concentration at every time falls as CL rises, so the p-quantile of
 * C(t) is the curve at the (1 − p)-quantile of CL, exactly).
 *
 * A lesson is one id and its parameters (units in the names); {@link lessonCurve} returns what its
 * plot draws. The web only reads sliders and paints: no pharmacokinetic formula lives there.
 */
import { fail } from '../errors.ts';
import { LinearCmt } from '../solve/linear-cmt.ts';

/** One administration: time (h), amount (mg), infusion duration (h; 0 = bolus or oral). */
export interface LessonDose {
  tH: number;
  amountMg: number;
  durationH: number;
}

/** Linear one-compartment disposition, with first-order absorption when `kaPerH` > 0 (oral). */
export interface OneCmtParams {
  clLPerH: number;
  vL: number;
  /** Absorption rate constant (1/h); 0 = intravenous (bolus or infusion into the central compartment). */
  kaPerH: number;
  /** Absorption lag (h), oral only. */
  lagH: number;
  /** Bioavailable fraction (0..1], oral only. */
  f: number;
}

const positive = (field: string, x: number): void => {
  if (!(x > 0) || !Number.isFinite(x))
    fail('DT_PARAM_DOMAIN', field, `${field} must be a finite number > 0, got ${x}`);
};
const nonNegative = (field: string, x: number): void => {
  if (!(x >= 0) || !Number.isFinite(x))
    fail('DT_PARAM_DOMAIN', field, `${field} must be a finite number ≥ 0, got ${x}`);
};

/**
 * Concentrations (mg/L) of a linear one-compartment model at `timesH` (ascending), written into
 * `out`. Doses given at or after a time point do not count at it (a bolus at t shows at t).
 */
export function oneCmtCurve(
  p: OneCmtParams,
  doses: readonly LessonDose[],
  timesH: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  positive('clLPerH', p.clLPerH);
  positive('vL', p.vL);
  nonNegative('kaPerH', p.kaPerH);
  const oral = p.kaPerH > 0;
  if (oral) {
    nonNegative('lagH', p.lagH);
    if (!(p.f > 0 && p.f <= 1)) fail('DT_PARAM_DOMAIN', 'f', `f must be in (0, 1], got ${p.f}`);
  }
  // Event boundaries: each dose's start (after the lag, oral) and each infusion's end.
  type Ev = { t: number; bolus: number; rate: number };
  const evs: Ev[] = [];
  for (const [k, d] of doses.entries()) {
    nonNegative(`doses[${k}].tH`, d.tH);
    nonNegative(`doses[${k}].amountMg`, d.amountMg);
    nonNegative(`doses[${k}].durationH`, d.durationH);
    if (oral) evs.push({ t: d.tH + p.lagH, bolus: d.amountMg * p.f, rate: 0 });
    else if (d.durationH > 0) {
      const r = d.amountMg / d.durationH;
      evs.push({ t: d.tH, bolus: 0, rate: r }, { t: d.tH + d.durationH, bolus: 0, rate: -r });
    } else evs.push({ t: d.tH, bolus: d.amountMg, rate: 0 });
  }
  evs.sort((a, b) => a.t - b.t);
  const cmt = new LinearCmt(1, oral);
  cmt.setRates(p.clLPerH / p.vL, 0, 0, 0, 0, oral ? p.kaPerH : 0);
  const a = new Float64Array(cmt.n);
  const rate = new Float64Array(cmt.n);
  const dosed = oral ? 0 : cmt.n - 1;
  const central = cmt.n - 1;
  let now = 0;
  let e = 0;
  let infusing = 0;
  for (let i = 0; i < timesH.length; i++) {
    const t = timesH[i];
    while (e < evs.length && evs[e].t <= t) {
      cmt.advance(a, rate, evs[e].t - now);
      now = evs[e].t;
      a[dosed] += evs[e].bolus;
      infusing += evs[e].rate;
      // Rates summed and taken back may leave a rounding residue: an infusion that ended is zero.
      rate[central] = Math.abs(infusing) < 1e-12 ? 0 : infusing;
      e++;
    }
    cmt.advance(a, rate, t - now);
    now = t;
    out[i] = a[central] / p.vL;
  }
  return out;
}

/**
 * The principal branch of Lambert's W at e^x, i.e. the w > 0 with w + ln w = x, computed from x
 * so that it does not overflow when e^x does (Newton on w + ln w − x, which is concave and
 * increasing: from the starting point below, every step lands at or under the root and converges
 * quadratically).
 */
export function lambertWOfExp(x: number): number {
  if (!Number.isFinite(x)) fail('DT_PARAM_DOMAIN', 'x', `x must be finite, got ${x}`);
  let w = x > 1 ? x - Math.log(x) : Math.exp(x) / (1 + Math.exp(x));
  for (let k = 0; k < 100; k++) {
    const step = (w + Math.log(w) - x) / (1 + 1 / w);
    const next = w - step;
    w = next > 0 ? next : w / 2;
    if (Math.abs(step) <= 1e-15 * w) break;
  }
  return w;
}

/**
 * Concentrations (mg/L) after a bolus `doseMg` at time 0 into V with Michaelis–Menten elimination
 * dC/dt = −(Vmax/V)·C/(Km + C): C(t) = Km·W((C0/Km)·exp((C0 − Vmax·t/V)/Km)) (Schnell & Mendoza
 * 1997, J Theor Biol 187:207–212; Rowland & Tozer, Clinical Pharmacokinetics and
 * Pharmacodynamics, 4th ed., 2011, on nonlinear elimination).
 */
export function michaelisMentenCurve(
  p: { vmaxMgPerH: number; kmMgPerL: number; vL: number; doseMg: number },
  timesH: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  positive('vmaxMgPerH', p.vmaxMgPerH);
  positive('kmMgPerL', p.kmMgPerL);
  positive('vL', p.vL);
  positive('doseMg', p.doseMg);
  const c0 = p.doseMg / p.vL;
  const km = p.kmMgPerL;
  const base = Math.log(c0 / km) + c0 / km;
  for (let i = 0; i < timesH.length; i++) {
    const t = timesH[i];
    out[i] = t < 0 ? 0 : km * lambertWOfExp(base - (p.vmaxMgPerH * t) / (p.vL * km));
  }
  return out;
}

/** The standard normal quantile at 0.95 (a 90 % band), to 1e-15. */
export const Z95 = 1.6448536269514722;

/** The individual CL and V of the covariates lesson: allometric weight, power of CrCL (centred on 70 kg, 100 mL/min). */
export function covariateParameters(p: {
  tvclLPerH: number;
  tvvL: number;
  wtKg: number;
  crclMlPerMin: number;
  crclExponent: number;
}): { clLPerH: number; vL: number } {
  positive('tvclLPerH', p.tvclLPerH);
  positive('tvvL', p.tvvL);
  positive('wtKg', p.wtKg);
  positive('crclMlPerMin', p.crclMlPerMin);
  return {
    clLPerH: p.tvclLPerH * (p.wtKg / 70) ** 0.75 * (p.crclMlPerMin / 100) ** p.crclExponent,
    vL: p.tvvL * (p.wtKg / 70),
  };
}

/** The lessons of the playground, each a curve of its parameters. */
export const LESSON_IDS = [
  'one-cmt',
  'infusion',
  'oral',
  'multiple',
  'loading',
  'nonlinear',
  'covariates',
  'variability',
] as const;
export type LessonId = (typeof LESSON_IDS)[number];

/** What a lesson's plot draws (mg/L at `timesH`); `lo`/`hi`: a 90 % band; `reference`: the comparison curve. */
export interface LessonCurve {
  timesH: Float64Array;
  conc: Float64Array;
  lo: Float64Array | null;
  hi: Float64Array | null;
  /** The curve the lesson compares with (the typical patient, the linear extrapolation, no loading dose), or null. */
  reference: Float64Array | null;
}

/** Parameters of every lesson by name (units in the names); each lesson reads the ones it needs. */
export type LessonParams = Record<string, number>;

const need = (p: LessonParams, name: string): number => {
  const v = p[name];
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail('DT_PARAM_DOMAIN', name, `the lesson needs ${name} as a finite number, got ${String(v)}`);
  return v;
};

const repeated = (amountMg: number, tauH: number, n: number, durationH: number): LessonDose[] =>
  Array.from({ length: n }, (_, k) => ({ tH: k * tauH, amountMg, durationH }));

/** Times 0..horizon in `points` equal steps. */
export function lessonTimes(horizonH: number, points: number): Float64Array {
  positive('horizonH', horizonH);
  const t = new Float64Array(points + 1);
  for (let i = 0; i <= points; i++) t[i] = (horizonH * i) / points;
  return t;
}

/**
 * The curve of lesson `id` at parameters `p` (names below), at `points` + 1 times from 0 to its
 * horizon `horizonH`. Parameters: one-cmt `doseMg, clLPerH, vL`; infusion `+ durationH`; oral
 * `doseMg, clLPerH, vL, kaPerH, lagH, f`; multiple `doseMg, tauH, doses, clLPerH, vL, durationH`;
 * loading `loadingMg, doseMg, tauH, doses, clLPerH, vL`; nonlinear `doseMg, vmaxMgPerH,
 * kmMgPerL, vL` (reference: first-order elimination at CL = Vmax/Km); covariates `doseMg,
 * tvclLPerH, tvvL, wtKg, crclMlPerMin, crclExponent, tauH, doses, durationH` (reference: the
 * typical 70 kg, 100 mL/min patient); variability `doseMg, clLPerH, vL, omegaCl, tauH, doses,
 * durationH` (band: CL at its 5th and 95th percentiles, ω the SD of ln CL).
 */
export function lessonCurve(id: LessonId, p: LessonParams, points = 240): LessonCurve {
  const timesH = lessonTimes(need(p, 'horizonH'), points);
  const n = timesH.length;
  const iv = (clLPerH: number, vL: number): OneCmtParams => ({ clLPerH, vL, kaPerH: 0, lagH: 0, f: 1 });
  const curve = (q: OneCmtParams, doses: LessonDose[]) => oneCmtCurve(q, doses, timesH, new Float64Array(n));
  const none = { lo: null, hi: null, reference: null };
  switch (id) {
    case 'one-cmt':
      return {
        timesH,
        conc: curve(iv(need(p, 'clLPerH'), need(p, 'vL')), [
          { tH: 0, amountMg: need(p, 'doseMg'), durationH: 0 },
        ]),
        ...none,
      };
    case 'infusion':
      return {
        timesH,
        conc: curve(iv(need(p, 'clLPerH'), need(p, 'vL')), [
          { tH: 0, amountMg: need(p, 'doseMg'), durationH: need(p, 'durationH') },
        ]),
        ...none,
      };
    case 'oral':
      return {
        timesH,
        conc: curve(
          {
            clLPerH: need(p, 'clLPerH'),
            vL: need(p, 'vL'),
            kaPerH: need(p, 'kaPerH'),
            lagH: need(p, 'lagH'),
            f: need(p, 'f'),
          },
          [{ tH: 0, amountMg: need(p, 'doseMg'), durationH: 0 }],
        ),
        ...none,
      };
    case 'multiple':
      return {
        timesH,
        conc: curve(
          iv(need(p, 'clLPerH'), need(p, 'vL')),
          repeated(need(p, 'doseMg'), need(p, 'tauH'), need(p, 'doses'), need(p, 'durationH')),
        ),
        ...none,
      };
    case 'loading': {
      const q = iv(need(p, 'clLPerH'), need(p, 'vL'));
      const tau = need(p, 'tauH');
      const maintenance = repeated(need(p, 'doseMg'), tau, need(p, 'doses'), 0);
      const withLoading = [{ tH: 0, amountMg: need(p, 'loadingMg'), durationH: 0 }, ...maintenance.slice(1)];
      return { timesH, conc: curve(q, withLoading), lo: null, hi: null, reference: curve(q, maintenance) };
    }
    case 'nonlinear': {
      const mm = {
        vmaxMgPerH: need(p, 'vmaxMgPerH'),
        kmMgPerL: need(p, 'kmMgPerL'),
        vL: need(p, 'vL'),
        doseMg: need(p, 'doseMg'),
      };
      return {
        timesH,
        conc: michaelisMentenCurve(mm, timesH, new Float64Array(n)),
        lo: null,
        hi: null,
        reference: curve(iv(mm.vmaxMgPerH / mm.kmMgPerL, mm.vL), [
          { tH: 0, amountMg: mm.doseMg, durationH: 0 },
        ]),
      };
    }
    case 'covariates': {
      const tv = {
        tvclLPerH: need(p, 'tvclLPerH'),
        tvvL: need(p, 'tvvL'),
        crclExponent: need(p, 'crclExponent'),
      };
      const doses = repeated(need(p, 'doseMg'), need(p, 'tauH'), need(p, 'doses'), need(p, 'durationH'));
      const ind = covariateParameters({
        ...tv,
        wtKg: need(p, 'wtKg'),
        crclMlPerMin: need(p, 'crclMlPerMin'),
      });
      const typ = covariateParameters({ ...tv, wtKg: 70, crclMlPerMin: 100 });
      return {
        timesH,
        conc: curve(iv(ind.clLPerH, ind.vL), doses),
        lo: null,
        hi: null,
        reference: curve(iv(typ.clLPerH, typ.vL), doses),
      };
    }
    case 'variability': {
      const cl = need(p, 'clLPerH');
      const v = need(p, 'vL');
      const omega = need(p, 'omegaCl');
      nonNegative('omegaCl', omega);
      const doses = repeated(need(p, 'doseMg'), need(p, 'tauH'), need(p, 'doses'), need(p, 'durationH'));
      return {
        timesH,
        conc: curve(iv(cl, v), doses),
        // Concentration falls as CL rises: the 5th percentile of C is the curve at CL's 95th.
        lo: curve(iv(cl * Math.exp(Z95 * omega), v), doses),
        hi: curve(iv(cl * Math.exp(-Z95 * omega), v), doses),
        reference: null,
      };
    }
  }
}
