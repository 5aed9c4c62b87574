/**
 * The warfarin twin: the patient's parameters of the Hamberg 2007 PK/PD model from the doses
 * taken and the INRs measured (MAP, posterior draws), and the daily dose, made of tablets, that
 * keeps the INR in its target range, with the probability over the draws that the INR is in range
 * at the end of the horizon. Without an INR yet, the typical patient of the genotypes and age
 * (a priori).
 */
import { HAMBERG2007 } from './hamberg2007.ts';
import { WARFARIN, tabletDoses } from './drug.ts';
import {
  CYP2C9_GENOTYPES,
  VKORC1_GENOTYPES,
  type Cyp2c9,
  type Vkorc1,
  readCyp2c9,
  readVkorc1,
} from './genotypes.ts';
import {
  type CompiledModel,
  createTwin,
  DosetwinError,
  domainIssue,
  type Issue,
  loadModel,
  type PatientData,
  patientFromRecords,
  priorDraws,
  type RecordInput,
  Simulator,
} from '@dosetwin/engine';

/** Compartment of the INR observations and of the doses (the model file's CMT numbers). */
const INR_CMT = 10;
const DOSE_CMT = 1;
/**
 * ODE tolerance of the twin's simulations: INRs are reported to 0.1 and the fit's residual SD is
 * 3 %; 1e-5 keeps the integration error under 2e-5 INR units over 60 days of daily dosing.
 */
const ODE = { rtol: 1e-5 };

export interface WarfarinPatient {
  ageY: number;
  /** `*1/*3` or the model's code 0-5. */
  cyp2c9: string;
  /** VKORC1 −1639 G>A: `G/A` or the code 0-2. */
  vkorc1: string;
  /** INR before the first dose (the model's baseline, default 1). */
  baselineInr?: number;
}

export interface WarfarinHistory {
  /** Doses taken, hours from the first one, racemic warfarin in mg. */
  doses: { timeH: number; doseMg: number }[];
  /** INRs measured, hours from the first dose. */
  inrs: { timeH: number; inr: number }[];
}

export interface WarfarinQuery extends WarfarinPatient, WarfarinHistory {
  /** When the next dose is due (hours from the first dose); the new daily dose starts then. */
  nextDoseH: number;
  /** Days the new daily dose is given before the next check (default 14). */
  days?: number;
  /** Target INR range (default the drug file's 2-3). */
  target?: { lo: number; hi: number };
  /** Posterior (or prior) draws for the probability (default 100; 0 = none, the point estimate only). */
  draws?: number;
  seed?: number;
  /** Tablet strengths available, mg (default the drug file's). */
  strengthsMg?: readonly number[];
}

export interface WarfarinCandidate {
  doseMg: number;
  tablets: number[];
  /** INR at the end of the horizon (trough before the next dose), at the point estimate. */
  inrAtEnd: number;
  /** Over the draws, P(target lo ≤ INR at the end ≤ target hi); null without draws. */
  probabilityInRange: number | null;
}

export interface WarfarinAdvice extends WarfarinCandidate {
  method: 'a posteriori (MAP)' | 'a priori (typical patient)';
  draws: number;
  /** The patient's individual CL of S-warfarin (L/h) and EC50 (mg/L) at the point estimate. */
  parameters: { CL: number; EC50: number };
  /** The dose below and above the one chosen, as evaluated. */
  neighbours: WarfarinCandidate[];
  warnings: Issue[];
}

export function warfarinModel(): CompiledModel {
  return loadModel(HAMBERG2007, 'warfarin/hamberg2007.dtm');
}

/** A DT_WARFARIN_INPUT error on `field`, in English and French ([message, hint?] each). */
const fail = (field: string, en: [string, string?], fr: [string, string?]): never => {
  throw new DosetwinError([
    {
      code: 'DT_WARFARIN_INPUT',
      severity: 'error',
      field,
      message: en[0],
      ...(en[1] ? { hint: en[1] } : {}),
      fr: { message: fr[0], ...(fr[1] ? { hint: fr[1] } : {}) },
    },
  ]);
};

/** The genotypes as the model codes them, or a DT_WARFARIN_INPUT error naming the field. */
export function warfarinCovariates(p: WarfarinPatient): [number, number, number, number] {
  if (!(Number.isFinite(p.ageY) && p.ageY >= 18 && p.ageY <= 110))
    fail(
      'ageY',
      [`age ${p.ageY} y is not an adult age (18-110 y)`],
      [`l’âge ${p.ageY} ans n’est pas celui d’un adulte (18 à 110 ans)`],
    );
  const c = /^[0-5]$/.test(String(p.cyp2c9).trim())
    ? CYP2C9_GENOTYPES[Number(p.cyp2c9)]
    : readCyp2c9(String(p.cyp2c9));
  if (!c)
    fail(
      'cyp2c9',
      [`CYP2C9 genotype '${p.cyp2c9}' is not one of ${CYP2C9_GENOTYPES.join(', ')}`],
      [`le génotype CYP2C9 « ${p.cyp2c9} » n’est pas l’un de ${CYP2C9_GENOTYPES.join(', ')}`],
    );
  const v = /^[0-2]$/.test(String(p.vkorc1).trim())
    ? VKORC1_GENOTYPES[Number(p.vkorc1)]
    : readVkorc1(String(p.vkorc1));
  if (!v)
    fail(
      'vkorc1',
      [
        `VKORC1 -1639 genotype '${p.vkorc1}' is not one of ${VKORC1_GENOTYPES.join(', ')}`,
        'write the -1639 G>A genotype (rs9923231) as G/G, G/A or A/A',
      ],
      [
        `le génotype VKORC1 -1639 « ${p.vkorc1} » n’est pas l’un de ${VKORC1_GENOTYPES.join(', ')}`,
        'écrire le génotype -1639 G>A (rs9923231) G/G, G/A ou A/A',
      ],
    );
  const base = p.baselineInr ?? 1;
  if (!(Number.isFinite(base) && base >= 0.5 && base <= 5))
    fail(
      'baselineInr',
      [`baseline INR ${base} is outside 0.5-5`, 'the INR before any warfarin, e.g. 1.0'],
      [`l’INR de base ${base} est hors de 0,5 à 5`, 'l’INR avant toute warfarine, p. ex. 1,0'],
    );
  return [p.ageY, CYP2C9_GENOTYPES.indexOf(c as Cyp2c9), VKORC1_GENOTYPES.indexOf(v as Vkorc1), base];
}

function checkHistory(h: WarfarinHistory): void {
  h.doses.forEach((d, i) => {
    if (!(Number.isFinite(d.timeH) && d.timeH >= 0))
      fail(`doses[${i}].timeH`, [`time ${d.timeH} h is not ≥ 0`], [`l’heure ${d.timeH} h n’est pas ≥ 0`]);
    if (!(Number.isFinite(d.doseMg) && d.doseMg >= 0 && d.doseMg <= 50))
      fail(
        `doses[${i}].doseMg`,
        [`dose ${d.doseMg} mg is not a daily warfarin dose (0-50 mg)`],
        [`la dose ${d.doseMg} mg n’est pas une dose quotidienne de warfarine (0 à 50 mg)`],
      );
  });
  h.inrs.forEach((x, i) => {
    if (!(Number.isFinite(x.timeH) && x.timeH >= 0))
      fail(`inrs[${i}].timeH`, [`time ${x.timeH} h is not ≥ 0`], [`l’heure ${x.timeH} h n’est pas ≥ 0`]);
    if (!(Number.isFinite(x.inr) && x.inr >= 0.5 && x.inr <= 20))
      fail(
        `inrs[${i}].inr`,
        [`INR ${x.inr} is outside 0.5-20`, 'an INR is a ratio, e.g. 2.4'],
        [`l’INR ${x.inr} est hors de 0,5 à 20`, 'un INR est un rapport, p. ex. 2,4'],
      );
  });
}

/**
 * The model's records: doses into the depot, INRs on the INR compartment; `at` adds prediction
 * points. At equal times an INR comes before the dose (drawn in the morning, before the tablet).
 */
export function warfarinRecords(
  cov: readonly number[],
  h: WarfarinHistory,
  future: { startH: number; doseMg: number; days: number } | null = null,
  at: readonly number[] = [],
): PatientData {
  const rows: (RecordInput & { order: number })[] = [];
  for (const d of h.doses) rows.push({ time: d.timeH, evid: 1, amt: d.doseMg, cmt: DOSE_CMT, cov, order: 1 });
  for (const x of h.inrs) rows.push({ time: x.timeH, evid: 0, dv: x.inr, cmt: INR_CMT, cov, order: 0 });
  if (future)
    for (let k = 0; k < future.days; k++)
      rows.push({ time: future.startH + 24 * k, evid: 1, amt: future.doseMg, cmt: DOSE_CMT, cov, order: 1 });
  for (const t of at) rows.push({ time: t, evid: 0, mdv: 1, cmt: INR_CMT, cov, order: 0 });
  rows.sort((a, b) => a.time - b.time || a.order - b.order);
  return patientFromRecords('warfarin', rows, cov.length);
}

/** INR predictions at `at` (ascending) for one eta (null = typical). */
function predictInr(
  sim: Simulator,
  p: PatientData,
  eta: Float64Array | null,
  at: readonly number[],
): number[] {
  const out = new Float64Array(p.n);
  sim.run(p, eta, out);
  const res: number[] = [];
  let k = 0;
  for (let i = 0; i < p.n && k < at.length; i++)
    if (p.evid[i] === 0 && p.mdv[i] === 1 && p.time[i] === at[k]) {
      res.push(out[i]);
      k++;
    }
  return res;
}

/** The daily dose for the next days from the doses and INRs so far (see the module comment). */
export function nextWarfarinDose(q: WarfarinQuery): WarfarinAdvice {
  checkHistory(q);
  // The baseline INR, when not given: an INR measured at or before the first dose.
  const firstDoseH = Math.min(Infinity, ...q.doses.map((d) => d.timeH));
  const before = q.inrs.filter((x) => x.timeH <= firstDoseH).at(-1);
  const cov = warfarinCovariates({ ...q, baselineInr: q.baselineInr ?? before?.inr });
  const days = q.days ?? 14;
  if (!(Number.isInteger(days) && days >= 3 && days <= 56))
    fail(
      'days',
      [`${days} days: give 3 to 56 whole days`],
      [`${days} jours : donner de 3 à 56 jours entiers`],
    );
  const target = q.target ?? WARFARIN.target.inr;
  if (!(target.lo > 0 && target.hi > target.lo))
    fail(
      'target',
      [`target ${target.lo}-${target.hi} is not a range`],
      [`la cible ${target.lo}-${target.hi} n’est pas un intervalle`],
    );
  const lastH = Math.max(0, ...q.doses.map((d) => d.timeH), ...q.inrs.map((x) => x.timeH));
  if (!(Number.isFinite(q.nextDoseH) && q.nextDoseH >= lastH))
    fail(
      'nextDoseH',
      [`the next dose (${q.nextDoseH} h) is before the last record (${lastH} h)`],
      [`la prochaine dose (${q.nextDoseH} h) est avant le dernier enregistrement (${lastH} h)`],
    );
  const model = warfarinModel();
  const history = warfarinRecords(cov, q);
  const nDraws = q.draws ?? 100;
  const twin =
    history.n > 0
      ? createTwin(model, history, { samples: nDraws, seed: q.seed ?? 1, map: { simulator: { ode: ODE } } })
      : null;
  const point = twin?.point ?? null;
  // No record yet: the prior's draws, as the twin gives a priori.
  const draws = twin ? twin.draws : nDraws > 0 ? priorDraws(model, nDraws, q.seed ?? 1) : [];
  const sim = new Simulator(model, { ode: ODE });
  const endH = q.nextDoseH + 24 * days;
  // The dose is judged as a maintenance dose: kept for the horizon and four weeks more, on the
  // troughs from mid-horizon on (judged on the horizon alone, the slow INR response would ask for
  // a dose that overshoots once it has taken full effect).
  const keep = days + 28;
  const at: number[] = [];
  for (let k = Math.ceil(days / 2); k <= keep; k++) at.push(q.nextDoseH + 24 * k);
  const centre = Math.log((target.lo + target.hi) / 2);
  const meanLogInr = (doseMg: number): { mean: number; loss: number; inrAtEnd: number } => {
    const inr = predictInr(
      sim,
      warfarinRecords(cov, q, { startH: q.nextDoseH, doseMg, days: keep }, at),
      point,
      at,
    );
    const logs = inr.map(Math.log);
    const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
    const loss = logs.reduce((s, v) => s + (v - centre) ** 2, 0) / logs.length;
    return { mean, loss, inrAtEnd: inr[days - Math.ceil(days / 2)] };
  };
  // The mean log INR grows with the dose: bisection on the log dose for the continuous dose at
  // the target's centre, then the tablet doses on either side of it.
  const options = tabletDoses(q.strengthsMg ?? WARFARIN.tablets.strengthsMg);
  let lo = Math.log(options[0].doseMg);
  let hi = Math.log(options[options.length - 1].doseMg);
  for (let i = 0; i < 9; i++) {
    const mid = (lo + hi) / 2;
    if (meanLogInr(Math.exp(mid)).mean < centre) lo = mid;
    else hi = mid;
  }
  const ideal = Math.exp((lo + hi) / 2);
  const above = Math.max(
    0,
    options.findIndex((o) => o.doseMg >= ideal),
  );
  const around = [above - 2, above - 1, above, above + 1]
    .filter((i) => i >= 0 && i < options.length)
    .map((i) => ({ ...options[i], ...meanLogInr(options[i].doseMg) }));
  const best = around.reduce((a, b) => (b.loss < a.loss ? b : a), around[0]);
  const evalCandidate = (c: (typeof around)[number]): WarfarinCandidate => {
    let probability: number | null = null;
    if (draws.length) {
      const p = warfarinRecords(cov, q, { startH: q.nextDoseH, doseMg: c.doseMg, days }, [endH]);
      let inside = 0;
      for (const d of draws) {
        const [v] = predictInr(sim, p, d, [endH]);
        if (v >= target.lo && v <= target.hi) inside++;
      }
      probability = inside / draws.length;
    }
    return { doseMg: c.doseMg, tablets: c.tablets, inrAtEnd: c.inrAtEnd, probabilityInRange: probability };
  };
  const i0 = around.indexOf(best);
  const evaluated = [i0 - 1, i0, i0 + 1]
    .filter((i) => i >= 0 && i < around.length)
    .map((i) => evalCandidate(around[i]));
  const chosen = evaluated.find((e) => e.doseMg === best.doseMg)!;
  const values = twin
    ? twin.parameters()
    : (() => {
        const s = model.newSlots();
        model.covariateSlots.forEach((slot, i) => (s[slot] = cov[i]));
        model.individual(s);
        return { CL: s[model.slotOf.get('CL')!], EC50: s[model.slotOf.get('EC50')!] };
      })();
  return {
    ...chosen,
    method: twin?.method ?? 'a priori (typical patient)',
    draws: draws.length,
    parameters: { CL: values.CL, EC50: values.EC50 },
    neighbours: evaluated.filter((e) => e !== chosen),
    // The twin checks the covariates against the model's domain; without a record, so does this.
    warnings: twin ? [...twin.warnings] : model.ir.covariates.flatMap((c, i) => domainIssue(c, cov[i]) ?? []),
  };
}
